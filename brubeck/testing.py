"""``TestClient``: drive an app in process, through the real wire code.

Each call builds the message Mongrel2 would push (JSON or tnetstring
headers), runs it through the real parser and ``app.handle_message``, and
parses the reply bytes back into a :class:`TestResponse`. Exceptions that
would be a 500 are re-raised, so a failing test shows the traceback.
"""

from __future__ import annotations

import itertools
import urllib.parse
import uuid
from collections.abc import Mapping
from typing import Any

from brubeck.app import Brubeck
from brubeck.codecs import json as json_codec
from brubeck.protocol import http, mongrel2

__all__ = ["TestClient", "TestResponse", "parse_http_response"]

Files = Mapping[str, bytes | tuple[str, bytes] | tuple[str, bytes, str]]


class TestResponse:
    """A reply as the client would see it.

    Attributes:
        status: The status code (0 when the app sent no reply).
        reason: The reason phrase.
        headers: Reply headers, case-insensitive (``get_all`` for repeats).
        body: The body bytes.
        closed: The app also closed the connection.
        messages: The raw Mongrel2 messages the app sent.
    """

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        status: int,
        reason: str,
        headers: http.Headers,
        body: bytes,
        closed: bool,
        messages: list[bytes],
    ) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.closed = closed
        self.messages = messages

    @property
    def replied(self) -> bool:
        """Whether the app sent an HTTP reply."""
        return self.status != 0

    @property
    def text(self) -> str:
        """The body as UTF-8 text."""
        return self.body.decode("utf-8")

    def json(self) -> Any:
        """The body decoded as JSON."""
        return json_codec.decode(self.body)

    def __repr__(self) -> str:
        return f"<TestResponse {self.status} {self.reason}>"


def parse_http_response(data: bytes) -> tuple[int, str, http.Headers, bytes]:
    """Split an HTTP/1.x response into status, reason, headers and body.

    Raises:
        ValueError: Not a well-formed response, or a body that disagrees
            with its ``Content-Length``.
    """
    head, separator, body = data.partition(b"\r\n\r\n")
    if not separator:
        raise ValueError("no end of headers")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    version, _, rest = status_line.partition(" ")
    code, _, reason = rest.partition(" ")
    if not version.startswith("HTTP/1.") or not code.isdigit():
        raise ValueError(f"bad status line {status_line!r}")
    raw: dict[str, list[str]] = {}
    for line in lines:
        name, colon, value = line.partition(":")
        if not colon or name != name.strip():
            raise ValueError(f"bad header line {line!r}")
        raw.setdefault(name, []).append(value.strip())
    headers = http.Headers({name: values for name, values in raw.items()})
    length = headers.get("Content-Length")
    # A HEAD reply carries the length of a body it does not send.
    if length is not None and body and int(length) != len(body):
        raise ValueError(f"Content-Length {length} but {len(body)} body bytes")
    return int(code), reason, headers, body


class TestClient:
    """Send requests to ``app`` as Mongrel2 would.

    Args:
        app: The application.
        protocol: The handler protocol of the wire messages: ``"tnetstring"``
            or ``"json"``.
        remote_addr: The client address Mongrel2 reports.
        host: The ``Host`` header.
        raise_server_exceptions: Re-raise exceptions that would be a 500.

    Cookies the app sets are kept and sent back, like a browser's.
    """

    __test__ = False

    def __init__(
        self,
        app: Brubeck,
        protocol: str = "tnetstring",
        remote_addr: str = "127.0.0.1",
        host: str = "testserver",
        raise_server_exceptions: bool = True,
    ) -> None:
        self.app = app
        self.protocol = protocol
        self.remote_addr = remote_addr
        self.host = host
        self.raise_server_exceptions = raise_server_exceptions
        self.sender = str(uuid.uuid4())
        self.cookies: dict[str, str] = {}
        self._conn_ids = itertools.count(1)

    def request(  # noqa: PLR0913 - the keywords users expect
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str | list[str]] | None = None,
        cookies: Mapping[str, str] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Files | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
    ) -> TestResponse:
        """Send one request and return the reply."""
        payload, default_type = _body(json, data, files, body)
        wire_headers = self._headers(method, path, params, headers, cookies)
        if payload or default_type or content_type:
            wire_headers["content-length"] = str(len(payload))
        if content_type or default_type:
            wire_headers["content-type"] = content_type or default_type or ""
        wire_path = str(wire_headers["PATH"])
        message = mongrel2.format_request(
            self.sender, next(self._conn_ids), wire_path, wire_headers, payload, self.protocol
        )
        replies = self.app.handle_message(message, raise_errors=self.raise_server_exceptions)
        return self._response(replies)

    def _headers(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str | list[str]] | None,
        cookies: Mapping[str, str] | None,
    ) -> dict[str, str | list[str]]:
        path, _, query = path.partition("?")
        if params:
            extra = urllib.parse.urlencode(params, doseq=True)
            query = f"{query}&{extra}" if query else extra
        path = urllib.parse.quote(path, safe="/%:@!$&'()*+,;=~-._")
        wire: dict[str, str | list[str]] = {"PATH": path, "host": self.host}
        for name, value in (headers or {}).items():
            wire[name.lower()] = value  # Mongrel2 lowercases client header names
        jar = {**self.cookies, **(cookies or {})}
        if jar:
            wire["cookie"] = "; ".join(f"{name}={value}" for name, value in jar.items())
        # Mongrel2 appends its own headers last, so they win over a client's.
        uri = path + (f"?{query}" if query else "")
        wire.update({"METHOD": method.upper(), "VERSION": "HTTP/1.1", "URI": uri})
        if query:
            wire["QUERY"] = query
        wire.update({"PATTERN": "/", "URL_SCHEME": "http", "REMOTE_ADDR": self.remote_addr})
        wire.setdefault("x-forwarded-for", self.remote_addr)
        return wire

    def _response(self, replies: list[bytes]) -> TestResponse:
        status, reason, headers, body, closed = 0, "", http.Headers(), b"", False
        for reply in replies:
            sender, conn_ids, data = mongrel2.parse_reply(reply)
            if sender != self.sender or len(conn_ids) != 1:
                raise AssertionError(f"reply to the wrong sender or connections: {reply!r}")
            if data == b"":
                closed = True
            elif status == 0:
                status, reason, headers, body = parse_http_response(data)
            else:
                raise AssertionError("the app sent two replies to one request")
        self._keep_cookies(headers.get_all("Set-Cookie"))
        return TestResponse(status, reason, headers, body, closed, replies)

    def _keep_cookies(self, set_cookies: list[str]) -> None:
        for line in set_cookies:
            pair, *attributes = line.split(";")
            name, _, value = pair.strip().partition("=")
            expired = any(
                attribute.strip().lower() in ("max-age=0", "max-age=-1") for attribute in attributes
            )
            if expired:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        """``GET path``."""
        return self.request("GET", path, **kwargs)

    def head(self, path: str, **kwargs: Any) -> TestResponse:
        """``HEAD path``."""
        return self.request("HEAD", path, **kwargs)

    def options(self, path: str, **kwargs: Any) -> TestResponse:
        """``OPTIONS path``."""
        return self.request("OPTIONS", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> TestResponse:
        """``POST path``."""
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> TestResponse:
        """``PUT path``."""
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> TestResponse:
        """``PATCH path``."""
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> TestResponse:
        """``DELETE path``."""
        return self.request("DELETE", path, **kwargs)


def _body(
    json: Any, data: Mapping[str, Any] | None, files: Files | None, body: bytes | None
) -> tuple[bytes, str | None]:
    given = [value is not None for value in (json, body)] + [bool(files) or data is not None]
    if sum(given) > 1:
        raise ValueError("pass one of json=, body=, or data=/files=")
    if json is not None:
        return json_codec.encode(json), "application/json"
    if files:
        return _multipart(data or {}, files)
    if data is not None:
        return urllib.parse.urlencode(data, doseq=True).encode("ascii"), (
            "application/x-www-form-urlencoded"
        )
    return body or b"", None


def _multipart(data: Mapping[str, Any], files: Files) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            head = f'Content-Disposition: form-data; name="{name}"'
            parts.append(_part(boundary, head, str(item).encode("utf-8")))
    for name, spec in files.items():
        if isinstance(spec, bytes):
            filename, content, ctype = name, spec, "application/octet-stream"
        elif len(spec) == 2:
            filename, content, ctype = spec[0], spec[1], "application/octet-stream"
        else:
            filename, content, ctype = spec
        head = (
            f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {ctype}"
        )
        parts.append(_part(boundary, head, content))
    body = b"".join(parts) + f"--{boundary}--\r\n".encode("ascii")
    return body, f"multipart/form-data; boundary={boundary}"


def _part(boundary: str, head: str, content: bytes) -> bytes:
    return f"--{boundary}\r\n{head}\r\n\r\n".encode() + content + b"\r\n"
