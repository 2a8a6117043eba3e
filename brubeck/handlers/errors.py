"""Exceptions to replies: handlers found along the exception's MRO.

The defaults: :class:`HTTPError` answers with its own status; a
:class:`~brubeck.errors.BadRequestError` (the request could not be read) is a
400; anything else, including a codec or protocol error in the server's own
work, is a logged 500. Bodies are RFC 9457 problem details (``application/problem+json``), or
plain text when the app says ``error_format="text"``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from brubeck.codecs import json
from brubeck.errors import BadRequestError, HTTPError
from brubeck.handlers.base import Close, Reply
from brubeck.protocol.http import reason_phrase

__all__ = ["ErrorHandler", "ErrorHandlers", "problem_reply"]

log = logging.getLogger("brubeck.errors")

#: ``handler(request, exc) -> Reply`` (or ``Close``, or ``None`` for no reply).
ErrorHandler = Callable[[Any, Any], Reply | Close | None]


def problem_reply(
    status: int,
    title: str | None,
    detail: str | None,
    errors: Any,
    error_format: str,
    headers: list[tuple[str, str]] | None = None,
) -> Reply:
    """An error reply: ``{"type", "title", "status", "detail", "errors"}`` as
    ``application/problem+json`` (RFC 9457), or text."""
    title = title or reason_phrase(status)
    extra = list(headers or [])
    if error_format == "text":
        lines = [f"{status} {title}"] + ([detail] if detail else [])
        body = ("\n".join(lines) + "\n").encode("utf-8")
        return Reply(status, [("Content-Type", "text/plain; charset=utf-8"), *extra], body)
    problem: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        problem["detail"] = detail
    if isinstance(errors, dict):  # RFC 9457 §3.2: extension members
        problem.update({key: value for key, value in errors.items() if key not in problem})
    elif errors is not None:
        problem["errors"] = errors
    body = json.encode(problem)
    return Reply(status, [("Content-Type", "application/problem+json"), *extra], body)


class ErrorHandlers:
    """The app's table of exception type -> error handler."""

    def __init__(self, error_format: str = "json") -> None:
        self.error_format = error_format
        self._handlers: dict[type[BaseException], ErrorHandler] = {
            HTTPError: self._http_error,
            BadRequestError: self._bad_request,
        }

    def add(self, exception: type[BaseException], handler: ErrorHandler) -> None:
        """Handle ``exception`` and its subclasses with ``handler``."""
        if not (isinstance(exception, type) and issubclass(exception, BaseException)):
            raise TypeError(f"not an exception class: {exception!r}")
        self._handlers[exception] = handler

    def find(self, exc: BaseException) -> ErrorHandler | None:
        """The handler registered for the nearest class in ``exc``'s MRO."""
        for klass in type(exc).__mro__:
            handler = self._handlers.get(klass)
            if handler is not None:
                return handler
        return None

    def reply(
        self, request: Any, exc: Exception, raise_errors: bool = False
    ) -> Reply | Close | None:
        """The reply for ``exc``; an unhandled one is logged and becomes a 500
        (or is re-raised with ``raise_errors``)."""
        handler = self.find(exc)
        if handler is None:
            return self.internal_error(request, exc, raise_errors)
        try:
            return handler(request, exc)
        except Exception as second:  # the error handler itself failed
            return self.internal_error(request, second, raise_errors)

    def internal_error(self, request: Any, exc: Exception, raise_errors: bool = False) -> Reply:
        """A logged 500 for an error of the server's own (re-raised with ``raise_errors``)."""
        if raise_errors:
            raise exc
        log.error("error serving %r", request, exc_info=exc)
        return self.server_error()

    def server_error(self) -> Reply:
        """The 500 reply."""
        return problem_reply(500, None, None, None, self.error_format)

    def _http_error(self, request: Any, exc: HTTPError) -> Reply:
        title = reason_phrase(exc.status)
        detail = exc.reason if exc.reason and exc.reason != title else None
        return problem_reply(exc.status, title, detail, exc.detail, self.error_format, exc.headers)

    def _bad_request(self, request: Any, exc: BadRequestError) -> Reply:
        return problem_reply(400, None, exc.reason, None, self.error_format)
