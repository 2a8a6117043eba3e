"""Brubeck's exceptions, in one small module.

Errors are data: a codec error says what failed and where (``offset``), never
which HTTP status to send. Raw ZeroMQ services have no HTTP; the layer that
speaks HTTP maps these errors to statuses.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BadRequestError",
    "BrubeckError",
    "CodecError",
    "DecodeError",
    "EncodeError",
    "HTTPError",
    "InvalidShield",
    "NotAcceptableError",
    "ProtocolError",
    "RemoteError",
    "ServiceTimeout",
    "ShieldDocException",
    "ShieldException",
    "UnknownCodecError",
]


class BrubeckError(Exception):
    """Base class of every exception Brubeck raises on purpose."""


class _LocatedError(BrubeckError):
    """An error in some bytes: what is wrong, and where when known.

    Attributes:
        reason: A human-readable explanation.
        offset: The byte offset in the input where it went wrong, when known.
    """

    def __init__(self, reason: str, offset: int | None = None) -> None:
        self.reason = reason
        self.offset = offset
        super().__init__(reason if offset is None else f"{reason} (at byte {offset})")


class CodecError(_LocatedError):
    """Encoding, decoding or choosing a codec failed."""


class EncodeError(CodecError):
    """A value could not be encoded (unsupported type, too deep, too large)."""


class DecodeError(CodecError):
    """Bytes could not be decoded: malformed, truncated, too deep or too large."""


class UnknownCodecError(CodecError):
    """No codec is registered under this name or media type."""


class NotAcceptableError(CodecError):
    """No registered codec satisfies an ``Accept`` header."""


class ProtocolError(_LocatedError):
    """A wire message broke its protocol (Mongrel2's, HTTP's, a service's)."""


class HTTPError(BrubeckError):
    """Raised by a handler to answer with an HTTP error status.

    The app's error handling turns it into a reply: ``status``, the given
    ``headers``, and a body carrying ``reason`` and ``detail``.

    Attributes:
        status: The HTTP status code, e.g. ``404``.
        reason: A short human-readable message (default: the status's phrase).
        detail: Extra machine-readable data for the body (JSON-ready), or ``None``.
        headers: Extra reply headers, e.g. ``[("Allow", "GET")]``.
    """

    def __init__(
        self,
        status: int,
        reason: str | None = None,
        detail: Any = None,
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        self.status = status
        self.reason = reason
        self.detail = detail
        self.headers = list(headers or [])
        super().__init__(status, reason)

    def __str__(self) -> str:
        return f"{self.status} {self.reason}" if self.reason else str(self.status)


class RemoteError(BrubeckError):
    """A service answered a call with a status that is not 2xx.

    The status is the server's, carried as data: a handler that lets this
    escape answers its own client with a 500, not with the remote status.

    Attributes:
        status: The reply's status, e.g. ``404``.
        body: The decoded error body: an RFC 9457 problem map from a Brubeck
            server (``type``, ``title``, ``status``, ``detail``, ``errors``), or
            whatever the server sent.
        headers: The reply's headers.
    """

    def __init__(
        self, status: int, body: Any = None, headers: dict[str, str] | None = None
    ) -> None:
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        super().__init__(status, body)

    def _member(self, name: str) -> Any:
        return self.body.get(name) if isinstance(self.body, dict) else None

    @property
    def title(self) -> str | None:
        """The problem's ``title`` (``"Not Found"``), when the body has one."""
        title = self._member("title")
        return title if isinstance(title, str) else None

    @property
    def detail(self) -> str | None:
        """The problem's ``detail``, when the body has one."""
        detail = self._member("detail")
        return detail if isinstance(detail, str) else None

    @property
    def errors(self) -> list[Any]:
        """The problem's ``errors`` (``{"path", "reason", "value"}`` maps), or ``[]``."""
        errors = self._member("errors")
        return errors if isinstance(errors, list) else []

    def __str__(self) -> str:
        text = f"{self.status} {self.title}" if self.title else str(self.status)
        return f"{text}: {self.detail}" if self.detail else text


class ServiceTimeout(BrubeckError, TimeoutError):
    """A service call got no reply in time (also a :class:`TimeoutError`).

    The request may still have run: the protocol has no way to tell.
    """


class BadRequestError(ProtocolError):
    """The client's request could not be read (a malformed form body, too
    many fields): HTTP maps it to 400. Other protocol errors are the server's."""


class ShieldException(BrubeckError):
    """A value failed a field's validation (DictShield's name and message).

    Attributes:
        reason: What is wrong, e.g. ``"String value is too long"``.
        field_name: The field's name.
        field_value: The offending value.
        path: Where in the document, e.g. ``"$.items[2].qty"``.
    """

    def __init__(self, reason: str, field_name: str, field_value: Any, path: str = "$") -> None:
        self.reason = reason
        self.field_name = field_name
        self.field_value = field_value
        self.path = path
        super().__init__(reason, field_name, field_value)

    def __str__(self) -> str:
        return f"{self.reason} - {self.field_name}:{self.field_value}"

    def to_primitive(self) -> dict[str, Any]:
        """``{"path", "reason", "value"}``, ready to be part of a 400 body."""
        value = self.field_value
        if not isinstance(value, str | int | float | bool | type(None)):
            value = str(value)
        return {"path": self.path, "reason": self.reason, "value": value}


class ShieldDocException(BrubeckError):
    """A document had errors; ``error_list`` holds every one of them.

    Attributes:
        doc: The document's class name.
        error_list: The :class:`ShieldException` instances, in field order.
    """

    def __init__(self, doc: str, error_list: list[ShieldException]) -> None:
        self.doc = doc
        self.error_list = error_list
        super().__init__(doc, error_list)

    def __str__(self) -> str:
        return f"Document had {len(self.error_list)} errors - {[str(e) for e in self.error_list]}"

    def to_primitive(self) -> list[dict[str, Any]]:
        """``[{"path", "reason", "value"}, ...]``, ready to be a 400 body."""
        return [error.to_primitive() for error in self.error_list]


class InvalidShield(BrubeckError):
    """A field or document was declared wrongly (a programming error)."""
