"""HTTP/1.x for handlers behind Mongrel2, sans-IO.

Mongrel2 parses the request (its headers reach us in a
:class:`~brubeck.protocol.mongrel2.Message`) but not the response: a handler
writes the raw HTTP bytes itself. This module holds the pure pieces: headers
with case-insensitive, multi-value access; query string, form body and cookie
parsing with bounded work; and response formatting that refuses header
injection (RFC 9110, RFC 9112).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from brubeck import _native
from brubeck.errors import BadRequestError, ProtocolError

__all__ = [
    "MAX_FIELDS",
    "Headers",
    "check_header",
    "is_token",
    "format_response",
    "parse_cookies",
    "parse_query",
    "reason_phrase",
    "set_cookie_value",
    "should_close",
]

#: Most name=value pairs read from one query string or form body. Python's own
#: default (urllib.parse, since the 2021 "web cache poisoning" fixes) is 1000.
MAX_FIELDS = 1000

# RFC 9110 §15's phrases, plus common registered codes. Our own table: the
# stdlib's changes between Python versions (413 became "Content Too Large" in 3.13).
_REASONS = {
    100: "Continue", 101: "Switching Protocols", 102: "Processing", 103: "Early Hints",
    200: "OK", 201: "Created", 202: "Accepted", 203: "Non-Authoritative Information",
    204: "No Content", 205: "Reset Content", 206: "Partial Content", 207: "Multi-Status",
    208: "Already Reported", 226: "IM Used",
    300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other",
    304: "Not Modified", 305: "Use Proxy", 307: "Temporary Redirect", 308: "Permanent Redirect",
    400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
    404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
    407: "Proxy Authentication Required", 408: "Request Timeout", 409: "Conflict",
    410: "Gone", 411: "Length Required", 412: "Precondition Failed", 413: "Content Too Large",
    414: "URI Too Long", 415: "Unsupported Media Type", 416: "Range Not Satisfiable",
    417: "Expectation Failed", 418: "I'm a teapot", 421: "Misdirected Request",
    422: "Unprocessable Content", 423: "Locked", 424: "Failed Dependency", 425: "Too Early",
    426: "Upgrade Required", 428: "Precondition Required", 429: "Too Many Requests",
    431: "Request Header Fields Too Large", 451: "Unavailable For Legal Reasons",
    500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Gateway Timeout", 505: "HTTP Version Not Supported",
    506: "Variant Also Negotiates", 507: "Insufficient Storage", 508: "Loop Detected",
    510: "Not Extended", 511: "Network Authentication Required",
}  # fmt: skip
#: The HTTP/1.1 status line of each standard status, written once.
_STATUS_LINES = {status: f"HTTP/1.1 {status} {reason}" for status, reason in _REASONS.items()}
# RFC 9110 §5.1: a field name is a token; §5.5: values hold no CR, LF or NUL.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_FORBIDDEN_IN_VALUES = re.compile(r"[\r\n\x00]")


def is_token(name: str) -> bool:
    """Whether ``name`` is an RFC 9110 token (a valid header or cookie name)."""
    return _TOKEN.fullmatch(name) is not None


def reason_phrase(status: int) -> str:
    """The standard reason phrase (``201`` -> ``"Created"``); ``"Unknown"`` if none."""
    return _REASONS.get(status, "Unknown")


class Headers(Mapping[str, str]):
    """Request headers: case-insensitive names, every value kept.

    ``headers[name]`` gives one string, Brubeck 0.4 style: repeated values joined
    with ``", "`` (cookies with ``"; "``, RFC 6265 §5.4); ``get_all(name)`` gives
    the list.
    """

    __slots__ = ("_items",)

    def __init__(self, raw: Mapping[str, str | list[str]] | None = None) -> None:
        self._items: dict[str, tuple[str, list[str]]] = {}
        for name, value in (raw or {}).items():
            values = value if isinstance(value, list) else [value]
            key = name.lower()
            if key in self._items:
                self._items[key][1].extend(values)
            else:
                self._items[key] = (name, list(values))

    def __getitem__(self, name: str) -> str:
        key = name.lower()
        values = self._items[key][1]
        return ("; " if key == "cookie" else ", ").join(values)

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def get_all(self, name: str) -> list[str]:
        """Every value of ``name``, in order (an empty list when absent)."""
        item = self._items.get(name.lower())
        return list(item[1]) if item else []

    def __repr__(self) -> str:
        return f"Headers({ {name: values for name, values in self._items.values()} })"


def parse_query(query: str | bytes, max_fields: int = MAX_FIELDS) -> dict[str, list[str]]:
    """Name to values of an ``application/x-www-form-urlencoded`` string.

    Blank values are kept; ``+`` is a space; invalid UTF-8 in percent-escapes
    decodes with ``surrogateescape``. More than ``max_fields`` pairs is a
    :class:`ProtocolError` (the work stays bounded).
    """
    # Raw non-ASCII bytes in a body are UTF-8 (what browsers and curl send);
    # invalid ones survive as surrogates, as invalid percent-escapes do.
    text = query.decode("utf-8", "surrogateescape") if isinstance(query, bytes) else query
    if not text:
        return {}
    if "%" not in text and "+" not in text:  # nothing to unquote: split, as parse_qsl does
        return _split_query(text, max_fields)
    try:
        pairs = urllib.parse.parse_qsl(
            text, keep_blank_values=True, errors="surrogateescape", max_num_fields=max_fields
        )
    except ValueError:  # "Max number of fields exceeded"
        raise BadRequestError(f"more than {max_fields} fields") from None
    fields: dict[str, list[str]] = {}
    for name, value in pairs:
        fields.setdefault(name, []).append(value)
    return fields


def _split_query(text: str, max_fields: int) -> dict[str, list[str]]:
    """:func:`parse_query` of text without escapes (``%``) or ``+``."""
    pieces = text.split("&")
    if len(pieces) > max_fields:
        raise BadRequestError(f"more than {max_fields} fields")
    fields: dict[str, list[str]] = {}
    for piece in pieces:
        if piece:
            name, _, value = piece.partition("=")
            fields.setdefault(name, []).append(value)
    return fields


def parse_cookies(headers: Iterable[str]) -> dict[str, str]:
    """Cookies from every ``Cookie`` header value (RFC 6265 §5.4).

    Lenient: a pair without ``=`` is skipped, not fatal. When a name repeats,
    the first value wins (browsers send the most specific cookie first).
    """
    cookies: dict[str, str] = {}
    for header in headers:
        for pair in header.split(";"):
            name, equals, value = pair.partition("=")
            name = name.strip()
            if equals and name and name not in cookies:
                value = value.strip()
                if len(value) >= 2 and value[0] == value[-1] == '"':
                    value = value[1:-1]
                cookies[name] = value
    return cookies


# RFC 6265 §4.1.1: cookie-octet excludes CTLs, whitespace, DQUOTE, comma, semicolon, backslash.
_COOKIE_OCTETS = re.compile(r"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*")
_ATTRIBUTE_TEXT = re.compile(r"[\x20-\x3a\x3c-\x7e]*")  # av-octet: no CTLs, no ";"
_SAMESITE = {"strict": "Strict", "lax": "Lax", "none": "None"}


def set_cookie_value(  # noqa: C901 - one flat check per attribute
    name: str,
    value: str,
    *,
    max_age: int | None = None,
    expires: str | None = None,
    path: str | None = None,
    domain: str | None = None,
    secure: bool = False,
    httponly: bool = False,
    samesite: str | None = None,
) -> str:
    """The value of one ``Set-Cookie`` header (RFC 6265 §4.1).

    The value must be cookie-octets: no spaces, ``;``, ``,``, quotes or
    backslashes (browsers split ``Set-Cookie`` on ``;`` even inside quotes,
    so anything else could inject attributes). Sign or encode other values.
    ``SameSite=None`` needs ``secure``.

    Raises:
        ValueError: A name that is not a token, a value that cannot be sent,
            an attribute holding ``;`` or control characters, or a bad ``samesite``.
    """
    if not _TOKEN.fullmatch(name):
        raise ValueError(f"bad cookie name {name!r}")
    if not _COOKIE_OCTETS.fullmatch(value):
        raise ValueError(
            f"cookie {name}: the value holds characters a cookie cannot carry "
            '(space ; , " \\ or controls); sign it (secret=...) or encode it'
        )
    parts = [f"{name}={value}"]
    if max_age is not None:
        parts.append(f"Max-Age={int(max_age)}")
    for label, text in (("Expires", expires), ("Path", path), ("Domain", domain)):
        if text is not None:
            if not _ATTRIBUTE_TEXT.fullmatch(text):
                raise ValueError(f"cookie {name}: bad {label} {text!r}")
            parts.append(f"{label}={text}")
    if samesite is not None:
        site = _SAMESITE.get(samesite.lower())
        if site is None:
            raise ValueError(f"cookie {name}: SameSite is Strict, Lax or None, not {samesite!r}")
        if site == "None" and not secure:
            raise ValueError(f"cookie {name}: SameSite=None needs secure=True")
        parts.append(f"SameSite={site}")
    if secure:
        parts.append("Secure")
    if httponly:
        parts.append("HttpOnly")
    return "; ".join(parts)


def should_close(version: str | None, connection: str | None) -> bool:
    """Whether the connection ends after this response (RFC 9112 §9.3):
    ``Connection: close``, or HTTP/1.0 without ``keep-alive``."""
    if not connection:
        return version == "HTTP/1.0"
    tokens = {token.strip().lower() for token in connection.split(",")}
    if "close" in tokens:
        return True
    return version == "HTTP/1.0" and "keep-alive" not in tokens


def format_response(
    status: int,
    headers: Iterable[tuple[str, str]] | Mapping[str, str] = (),
    body: bytes = b"",
    method: str = "GET",
    version: str = "HTTP/1.1",
    close: bool = False,
    reason: str | None = None,
) -> bytes:
    """An HTTP/1.x response as bytes.

    Adds ``Content-Length`` (none for 1xx, 204 and 304, which have no body), sends
    no body for ``HEAD`` (but the length of the one a GET would get), and adds
    ``Connection: close`` when ``close``. A header may repeat (one line each,
    e.g. ``Set-Cookie``).

    Raises:
        ProtocolError: A status outside 100-999, a header name that is not a
            token, or a value with CR, LF or NUL (response splitting).
    """
    if not 100 <= status <= 999:
        raise ProtocolError(f"bad status {status}")
    line = _STATUS_LINES.get(status) if reason is None and version == "HTTP/1.1" else None
    if line is None:
        line = _status_line(status, version, reason)
    no_body = status < 200 or status in (204, 304)
    if _fast_response is not None:
        fast = _fast_response(
            line, headers, _NAMES_SEEN, body, not no_body, close, not no_body and method != "HEAD"
        )
        if fast is not None:  # every header one seen before, with a printable ASCII value
            return fast
    lines = _head_lines(line, headers)
    if not no_body:
        lines.append(f"Content-Length: {len(body)}")
    if close:
        lines.append("Connection: close")
    lines.append("\r\n")  # the blank line that ends the head
    head = "\r\n".join(lines).encode("latin-1")
    return head if no_body or method == "HEAD" else head + body


def _head_lines(line: str, headers: Iterable[tuple[str, str]] | Mapping[str, str]) -> list[str]:
    """The status line and a line per header, each header checked."""
    pairs: Iterable[tuple[str, str]] = headers  # type: ignore[assignment]
    if type(headers) is not list and isinstance(headers, Mapping):  # a list skips the ABC check
        pairs = headers.items()
    lines = [line]
    for name, value in pairs:
        # The usual header: a name seen before (a token, not Content-Length)
        # and a printable ASCII value (no CR, LF or NUL; Latin-1).
        if not (
            type(name) is str
            and name in _NAMES_SEEN
            and type(value) is str
            and value.isascii()
            and value.isprintable()
        ):
            check_header(name, value)
            if name.lower() == "content-length":
                continue  # written below, from the body
            if len(_NAMES_SEEN) < _TOKENS_KEPT:
                _NAMES_SEEN.add(str.__str__(name))  # an exact str, even for a subclass
        lines.append(f"{name}: {value}")
    return lines


def _status_line(status: int, version: str, reason: str | None) -> str:
    if reason is None:
        reason = _REASONS.get(status, "Unknown")
    elif _FORBIDDEN_IN_VALUES.search(reason) or not reason.isascii():
        raise ProtocolError("bad reason phrase: CR, LF, NUL and non-ASCII are not allowed")
    return f"{version} {status} {reason}"


_fast_response = _native.format_response

# Header names a response has written before, other than Content-Length
# (each a token): one set lookup instead of the checks. Bounded.
_NAMES_SEEN: set[str] = set()


# Header names already found to be tokens (an app uses a handful): a set
# lookup instead of the regex. Bounded, so odd names cannot grow it for ever.
_TOKENS_SEEN: set[str] = set()
_TOKENS_KEPT = 256


def check_header(name: Any, value: Any) -> None:
    """Refuse a header that is not a token name with a Latin-1 value free of CR, LF and NUL.

    Raises:
        ProtocolError: What is wrong with it.
    """
    if type(name) is not str or name not in _TOKENS_SEEN:
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            raise ProtocolError(f"bad header name {name!r}")
        if len(_TOKENS_SEEN) < _TOKENS_KEPT:
            _TOKENS_SEEN.add(str.__str__(name))
    if type(value) is str and value.isascii() and value.isprintable():
        return  # printable ASCII: no CR, LF or NUL, and Latin-1
    if not isinstance(value, str) or _FORBIDDEN_IN_VALUES.search(value):
        raise ProtocolError(f"bad value for header {name}: CR, LF and NUL are not allowed")
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise ProtocolError(f"header {name} is not Latin-1 text (RFC 9110 §5.5)") from None
