"""Replies, and ``MessageHandler``: the base of every handler.

A handler instance serves one request: ``handler()`` runs ``prepare()``, the
method for the request's verb (or message kind), then ``on_finish()``, and
returns what the method returned. ``None`` means "no reply now" (long
polling, an upload in progress), as in Brubeck 0.4. Exceptions are not
swallowed here: the app turns them into error replies.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from brubeck.codecs import json
from brubeck.protocol.mongrel2 import MessageKind
from brubeck.protocol.request import Request

__all__ = ["HTTP_METHODS", "RENDER_KEYS", "Close", "JSONText", "MessageHandler", "Reply"]

log = logging.getLogger("brubeck.handlers")

#: The keys of Brubeck 0.4's reply dict (``brubeck.handlers.render``).
RENDER_KEYS = frozenset({"body", "status_code", "status_msg", "headers"})

#: The verbs a handler method may serve (lowercase method names). PATCH is one.
HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "trace", "connect")

# The method name of each verb as Mongrel2 writes it.
_VERB_NAMES = {name.upper(): name for name in HTTP_METHODS}

# Messages that are not HTTP requests go to a method named after their kind.
_KIND_METHODS = {
    MessageKind.UPLOAD_START: "upload_start",
    MessageKind.WEBSOCKET_HANDSHAKE: "websocket_handshake",
    MessageKind.WEBSOCKET: "websocket",
    MessageKind.JSON_SOCKET: "json_message",
    MessageKind.XML_SOCKET: "xml_message",
    MessageKind.CREDITS: "credits",
    MessageKind.UPLOAD_STREAM: "upload_stream",
}


@dataclass(frozen=True, slots=True, init=False)
class Reply:
    """An HTTP reply, before it is written as bytes.

    Attributes:
        status: The status code.
        headers: ``(name, value)`` pairs; a name may repeat (``Set-Cookie``).
        body: The body bytes.
        close: Close the client connection after this reply.
    """

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    close: bool

    def __init__(
        self,
        status: int,
        headers: list[tuple[str, str]] | None = None,
        body: bytes = b"",
        close: bool = False,
    ) -> None:
        # Checked when built, so a bad reply fails inside the handler's call
        # (a 500), never later while the reply is being written. Header
        # pairs are checked when the response is written (a bad one is a 500 there).
        if type(status) is not int or not 100 <= status <= 999:
            raise TypeError(f"a reply status is an int from 100 to 999, not {status!r}")
        if type(body) is not bytes:
            raise TypeError(f"a reply body is bytes, not {type(body).__name__}")
        # Frozen: the fields' slot descriptors store the values (what the
        # generated __init__ does through object.__setattr__, in half the time).
        _set_status(self, status)
        _set_headers(self, [] if headers is None else headers)
        _set_body(self, body)
        _set_close(self, close)


_set_status = Reply.__dict__["status"].__set__
_set_headers = Reply.__dict__["headers"].__set__
_set_body = Reply.__dict__["body"].__set__
_set_close = Reply.__dict__["close"].__set__


@dataclass(frozen=True, slots=True)
class Close:
    """No reply, just close the client connection (an empty Mongrel2 message)."""


class JSONText(str):
    """JSON text: what :meth:`MessageHandler.render` returns. A ``str`` (as in
    Brubeck 0.4), which a reply sends as ``application/json`` rather than as
    plain text."""

    __slots__ = ()


class _FirstUse:
    """``MessageHandler._payload``: the payload (status, message and the
    handler's timestamp), built when first read and then kept as the
    instance's own attribute, which hides this one (a handler whose reply
    is not its payload never builds it)."""

    def __get__(self, handler: Any, owner: type | None = None) -> Any:
        if handler is None:
            return self
        state = handler.__dict__
        state["_payload"] = {}  # there for an overridden _default_status_msg
        status = handler._DEFAULT_STATUS
        payload = {
            handler._STATUS_CODE: status,
            handler._STATUS_MSG: handler._default_status_msg(status),
            handler._TIMESTAMP: handler._created,
        }
        state["_payload"] = payload
        return payload


class MessageHandler:
    """A handler whose reply is a payload dict with a status and a timestamp.

    Subclass it and define methods named after verbs (``get``, ``post``...) or
    message kinds (``upload_start``, ``websocket``, ``json_message``...).
    """

    _STATUS_CODE = "status_code"
    _STATUS_MSG = "status_msg"
    _TIMESTAMP = "timestamp"
    _DEFAULT_STATUS = -1
    _SUCCESS_CODE = 0
    _AUTH_FAILURE = -2
    _SERVER_ERROR = -5
    _response_codes: ClassVar[dict[int, str]] = {
        0: "OK",
        -1: "Bad request",
        -2: "Authentication failed",
        -3: "Not found",
        -4: "Method not allowed",
        -5: "Server error",
    }

    def __init__(self, application: Any, message: Any, *args: Any, **kwargs: Any) -> None:
        self.application = application
        self.message = message
        self._finished = False
        self._url_args: tuple[Any, ...] | dict[str, Any] = ()
        # The payload (status, message, this timestamp) is built on first use:
        # a handler whose reply is not its payload never needs it.
        self.timestamp = self._created = int(time.time() * 1000)
        self.initialize()

    #: The payload dict, built on first use (:class:`_FirstUse`).
    _payload: dict[str, Any] = _FirstUse()  # type: ignore[assignment]

    # -- hooks ------------------------------------------------------------------

    def initialize(self) -> None:
        """Called at the end of ``__init__`` (and by :meth:`clear_payload`)."""

    def prepare(self) -> None:
        """Called before the verb method; set ``self._finished`` (e.g. via
        :meth:`render_error`) to skip it."""

    def on_finish(self) -> None:
        """Called after the request, even when it failed."""

    def upload_start(self) -> Any:
        """Mongrel2 began spooling a large body to a temp file. ``None``
        (the default) lets it continue; a reply (e.g. a 413) refuses it."""
        return None

    # -- dispatch -----------------------------------------------------------------

    @property
    def db_conn(self) -> Any:
        """The application's ``db_conn``."""
        return self.application.db_conn

    @property
    def supported_methods(self) -> list[str]:
        """The verbs this handler implements, lowercase (``["get", "options"]``)."""
        return [name for name in HTTP_METHODS if callable(getattr(self, name, None))]

    @classmethod
    def allowed_methods(cls) -> frozenset[str]:
        """The verbs a route to this class serves, uppercase (HEAD goes to ``get``)."""
        verbs = {name.upper() for name in HTTP_METHODS if callable(getattr(cls, name, None))}
        if "GET" in verbs:
            verbs.add("HEAD")
        return frozenset(verbs)

    def method_for_message(self) -> Callable[..., Any] | None:
        """The bound method that serves this message, or ``None``."""
        message = self.message
        usual = type(message) is Request  # then no lookups with defaults
        kind = message.kind if usual else getattr(message, "kind", MessageKind.HTTP)
        name = None if kind is MessageKind.HTTP else _KIND_METHODS.get(kind)
        if name is None:
            verb = (message.method if usual else getattr(message, "method", "")) or ""
            name = _VERB_NAMES.get(verb) if type(verb) is str else None
            if name is None:
                name = verb.lower()
                if name not in HTTP_METHODS:
                    return None
            if name == "head" and getattr(self, "head", None) is None:
                name = "get"  # the reply's body is dropped when it is written
        method = getattr(self, name, None)
        return method if callable(method) else None

    def __call__(self) -> Any:
        """Serve the message: ``prepare()``, the verb method, ``on_finish()``."""
        try:
            self.prepare()
            if self._finished:
                return self.render()
            method = self.method_for_message()
            if method is None:
                return self.unsupported()
            return self.invoke(method)
        finally:
            self.on_finish()

    def invoke(self, method: Callable[..., Any], *extra: Any) -> Any:
        """Call the verb method with ``extra`` arguments first, then the URL's."""
        args = self._url_args
        if isinstance(args, dict):
            return method(*extra, **args)
        return method(*extra, *args)

    # -- payload ----------------------------------------------------------------

    def unsupported(self, *args: Any, **kwargs: Any) -> Any:
        """The reply for a verb this handler does not implement."""
        return self.render_error(self._DEFAULT_STATUS)

    def error(self, err: BaseException) -> Any:
        """Brubeck 0.4's error hook; the app's error handlers are the new way."""
        return self.unsupported()

    def add_to_payload(self, key: str, value: Any) -> None:
        """Set ``key`` in the payload."""
        self._payload[key] = value

    def clear_payload(self) -> None:
        """Empty the payload, keeping the status and timestamp, and call
        :meth:`initialize` again."""
        status = self.status_code
        self._payload = {}
        self.set_status(status)
        self.set_timestamp(self.timestamp)
        self.initialize()

    def _default_status_msg(self, status_code: int) -> str:
        """The status message when none is given: the code's text."""
        return self._response_codes.get(status_code, str(status_code))

    def set_status(
        self, status_code: int, status_msg: str | None = None, extra_txt: str | None = None
    ) -> None:
        """Set the payload's status code and message (default: the code's text)."""
        if status_msg is None:
            status_msg = self._default_status_msg(status_code)
        if extra_txt:
            status_msg = f"{status_msg} - {extra_txt}"
        self._payload[self._STATUS_CODE] = status_code
        self._payload[self._STATUS_MSG] = status_msg

    @property
    def status_code(self) -> int:
        """The payload's status code."""
        code: int = self._payload[self._STATUS_CODE]
        return code

    @property
    def status_msg(self) -> str:
        """The payload's status message."""
        msg: str = self._payload[self._STATUS_MSG]
        return msg

    @property
    def current_time(self) -> int:
        """The payload's timestamp (milliseconds)."""
        stamp: int = self._payload[self._TIMESTAMP]
        return stamp

    def set_timestamp(self, timestamp: int) -> None:
        """Set the payload's timestamp (milliseconds since the epoch)."""
        self.timestamp = timestamp
        self._payload[self._TIMESTAMP] = timestamp

    def render(
        self,
        status_code: int | None = None,
        hide_status: bool = False,
        http_200: bool = False,
        **kw: Any,
    ) -> Any:
        """The payload as JSON text (``hide_status``, ``http_200``: see the web handlers)."""
        if status_code is not None:
            self.set_status(status_code)
        return JSONText(json.encode(self._payload).decode("utf-8"))

    def render_error(
        self, status_code: int, error_handler: Callable[[], Any] | None = None, **kw: Any
    ) -> Any:
        """Clear the payload, run ``error_handler``, finish, and render ``status_code``."""
        self.clear_payload()
        if error_handler is not None:
            error_handler()
        self._finished = True
        return self.render(status_code=status_code, **kw)
