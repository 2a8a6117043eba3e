"""WSGI (PEP 3333), sans-IO: a WSGI environ in, a Mongrel2-shaped message out,
and a reply back as a status line, headers and a body.

The app sees the same :class:`~brubeck.protocol.mongrel2.Message` it gets from
Mongrel2: the server's keys in UPPERCASE (``METHOD``, ``PATH``, ``QUERY``,
``VERSION``, ``URI``, ``URL_SCHEME``, ``REMOTE_ADDR``) and the client's headers
in lowercase, so handlers behave the same behind either.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any

from brubeck import _native
from brubeck.protocol.http import check_header, reason_phrase
from brubeck.protocol.mongrel2 import Headers, Message, MessageKind

__all__ = ["HOP_BY_HOP", "message_from_environ", "response_parts"]

#: Headers a WSGI app must not set (PEP 3333): the server owns the connection.
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
     "trailers", "transfer-encoding", "upgrade"}
)  # fmt: skip
_SPECIAL = {"CONTENT_TYPE": "content-type", "CONTENT_LENGTH": "content-length"}
_SAFE_PATH = "/:@!$&'()*+,;=-._~"
# What urllib.parse.quote(path, safe=_SAFE_PATH) leaves as it is: a path of
# only these is its own quoted form (no call, no encoding).
_QUOTED_AS_IS = re.compile(r"[A-Za-z0-9_.\-~/:@!$&'()*+,;=]*")

# Environ key -> header name ("" for a key that is not a header): a server
# sends the same few keys every time. Bounded, as clients choose header names.
_NAMES: dict[str, str] = {}
_NAMES_KEPT = 256


def _raw_path(environ: Mapping[str, Any]) -> str:
    """The path as the client sent it (percent-encoding kept), as Mongrel2's ``PATH``."""
    for key in ("RAW_URI", "REQUEST_URI"):  # gunicorn, uWSGI and others
        raw = environ.get(key)
        if isinstance(raw, str) and raw.startswith("/"):
            return raw.partition("?")[0].partition("#")[0]
    # PEP 3333: the server decoded the path and passes the bytes as Latin-1 text.
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    if _QUOTED_AS_IS.fullmatch(path):
        return path or "/"
    return urllib.parse.quote(path.encode("latin-1"), safe=_SAFE_PATH) or "/"


def _header_name(key: str) -> str:
    """The header name for environ key ``key`` ("" when it is not a header)."""
    if key.startswith("HTTP_"):
        name = key[5:].replace("_", "-").lower()
    else:
        name = _SPECIAL.get(key, "")
    if type(key) is str and len(_NAMES) < _NAMES_KEPT:  # exact str keys only (see _speedups.c)
        _NAMES[key] = name
    return name


def message_from_environ(environ: Mapping[str, Any], body: bytes) -> Message:
    """The message Mongrel2 would have sent for this WSGI request."""
    headers = _fast_headers(environ, _NAMES, _SPECIAL) if _fast_headers is not None else None
    if headers is None:  # else every key was named before and every value is ASCII: in C
        headers = _environ_headers(environ)
    path = _raw_path(environ)
    query = environ.get("QUERY_STRING", "")
    headers["PATH"] = path
    headers["METHOD"] = environ.get("REQUEST_METHOD", "GET")
    headers["VERSION"] = environ.get("SERVER_PROTOCOL", "HTTP/1.1")
    headers["URI"] = f"{path}?{query}" if query else path
    if query:
        headers["QUERY"] = query
    headers["PATTERN"] = "/"
    headers["URL_SCHEME"] = environ.get("wsgi.url_scheme", "http")
    remote = environ.get("REMOTE_ADDR")
    if remote:
        headers["REMOTE_ADDR"] = remote
    return _new_message(Message, ("wsgi", "0", path, headers, body, MessageKind.HTTP))


def _environ_headers(environ: Mapping[str, Any]) -> Headers:
    """The client's headers in ``environ``, lowercase, as Mongrel2 passes them."""
    headers: Headers = {}
    names = _NAMES
    for key, value in environ.items():
        name = names.get(key)
        if name is None:
            name = _header_name(key)
        if not name or (not value and key in _SPECIAL):
            continue
        # PEP 3333 values are Latin-1 text; Mongrel2 gives UTF-8 (surrogateescape).
        # ASCII is the same either way.
        if type(value) is str and value.isascii():
            headers[name] = value
        else:
            headers[name] = value.encode("latin-1", "replace").decode("utf-8", "surrogateescape")
    return headers


_fast_headers = _native.environ_headers
_new_message = tuple.__new__  # Message(...) without the NamedTuple's Python __new__


def response_parts(
    status: int,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    method: str = "GET",
    reason: str | None = None,
) -> tuple[str, list[tuple[str, str]], bytes]:
    """``(status line, headers, body)`` for ``start_response``: the same
    headers :func:`brubeck.protocol.http.format_response` writes, without the
    hop-by-hop ones (the WSGI server owns the connection).

    Raises:
        ProtocolError: A header that would split the response (CR, LF, NUL).
    """
    pairs = []
    for name, value in headers:
        check_header(name, value)
        lowered = name.lower()
        if lowered != "content-length" and lowered not in HOP_BY_HOP:
            pairs.append((name, value))
    no_body = status < 200 or status in (204, 304)
    if not no_body:
        pairs.append(("Content-Length", str(len(body))))
    line = f"{status} {reason or reason_phrase(status)}"
    return line, pairs, b"" if no_body or method == "HEAD" else body
