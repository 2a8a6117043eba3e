"""``WebMessageHandler``: Tornado-style HTTP handlers, Brubeck 0.4's API.

``set_body``, ``set_status``, headers, ``redirect``, arguments and cookies;
``render()`` returns 0.4's dict ``{'body', 'status_code', 'status_msg',
'headers'}``, which the app writes as an HTTP response.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar

from brubeck.codecs import Registry, default_registry
from brubeck.errors import ProtocolError
from brubeck.handlers.base import HTTP_METHODS, RENDER_KEYS, Close, JSONText, MessageHandler, Reply
from brubeck.handlers.typed import (
    TYPED_ATTRIBUTE,
    TypedSpec,
    encode_reply,
    is_final,
    prepare,
)
from brubeck.protocol import http
from brubeck.protocol.cookies import cookie_decode, cookie_encode

__all__ = ["WebMessageHandler", "http_response", "render", "to_reply"]

#: How long a signed cookie stays valid unless the app or the call says otherwise.
DEFAULT_COOKIE_MAX_AGE = 31 * 24 * 3600


def render(
    body: str | bytes, status_code: int, status_msg: str, headers: Mapping[str, Any]
) -> dict[str, Any]:
    """Brubeck 0.4's reply dict, which function handlers return."""
    return {"body": body, "status_code": status_code, "status_msg": status_msg, "headers": headers}


def http_response(
    body: str | bytes | None, code: int, status: str | None, headers: Mapping[str, Any]
) -> bytes:
    """A whole HTTP/1.1 response as bytes (0.4's helper; ``Content-Length`` added).

    Raises:
        ProtocolError: A header name or value (or ``status``) would split the response.
    """
    return http.format_response(
        code, header_pairs(headers), _body_bytes(body), reason=status or None
    )


def to_reply(result: Any) -> Reply | Close | None:
    """What a handler returned, as a reply: a ``Reply`` or ``Close`` as is,
    0.4's render dict, or text/bytes (a 200: ``application/json`` for a
    :class:`JSONText`, else plain text); ``None`` is "no reply now".

    Raises:
        TypeError: Anything else (a handler bug, so a 500).
    """
    kind = type(result)
    if result is None or kind is Reply:
        return result  # type: ignore[no-any-return]
    if kind is not dict and isinstance(result, Reply | Close):
        return result
    if (kind is dict or isinstance(result, dict)) and RENDER_KEYS <= result.keys():
        headers = header_pairs(result["headers"] or {})
        return Reply(result["status_code"], headers, _body_bytes(result["body"]))
    if isinstance(result, str | bytes | bytearray | memoryview):
        media = "application/json" if type(result) is JSONText else "text/plain; charset=utf-8"
        return Reply(200, [("Content-Type", media)], _body_bytes(result))
    raise TypeError(f"a handler returned {type(result).__name__}, not a reply")


def _body_bytes(body: Any) -> bytes:
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    if body is None:
        return b""
    raise TypeError(f"a reply body is str or bytes, not {type(body).__name__}")


def header_pairs(headers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(name, value)`` pairs from a headers dict; a list value is one line per item."""
    pairs: list[tuple[str, str]] = []
    for name, value in headers.items():
        if type(value) is str:  # the usual value: no isinstance, no str()
            pairs.append((name, value))
        elif isinstance(value, list | tuple):
            pairs.extend((name, str(item)) for item in value)
        else:
            pairs.append((name, str(value)))
    return pairs


class WebMessageHandler(MessageHandler):
    """A handler for HTTP requests; define ``get``, ``post``... methods."""

    _DEFAULT_STATUS = 500  # 0.4: rendering before any set_status is an error
    _SUCCESS_CODE = 200
    _UPDATED_CODE = 200
    _CREATED_CODE = 201
    _MULTI_CODE = 207
    _FAILED_CODE = 400
    _AUTH_FAILURE = 401
    _FORBIDDEN = 403
    _NOT_FOUND = 404
    _NOT_ALLOWED = 405
    _SERVER_ERROR = 500
    _response_codes: ClassVar[dict[int, str]] = {
        200: "OK",
        400: "Bad request",
        401: "Authentication failed",
        403: "Forbidden",
        404: "Not found",
        405: "Method not allowed",
        500: "Server error",
    }

    body: str | bytes
    headers: dict[str, Any]

    #: Whether ``super().__init__`` here is MessageHandler's own (no mixin's
    #: in between, set per class): then __init__ does its work inline.
    _plain_base_init: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        after = cls.__mro__[cls.__mro__.index(WebMessageHandler) + 1 :]
        cls._plain_base_init = next(k for k in after if "__init__" in k.__dict__) is MessageHandler

    def __init__(self, application: Any, message: Any, *args: Any, **kwargs: Any) -> None:
        self._set_cookies: dict[str, str] = {}  # name -> Set-Cookie value; kept by clear_payload
        if not self._plain_base_init:
            super().__init__(application, message, *args, **kwargs)
            return
        # MessageHandler.__init__, inline (one call fewer per request;
        # tests/handlers/test_web.py checks both build the same handler).
        self.application = application
        self.message = message
        self._finished = False
        self._url_args = ()
        self.timestamp = self._created = int(time.time() * 1000)
        self.initialize()

    def initialize(self) -> None:
        """Reset the body and headers."""
        self.body = ""
        self.headers = {}

    @property
    def codecs(self) -> Registry:
        """The application's codec registry (the default one if it has none)."""
        registry = getattr(self.application, "codecs", None)  # codecs_of, without the call
        return registry if isinstance(registry, Registry) else default_registry

    # -- building the reply ---------------------------------------------------------

    def set_body(
        self, body: str | bytes, headers: dict[str, Any] | None = None, status_code: int = 200
    ) -> None:
        """Set the body and status; ``headers``, if given, replaces all headers."""
        self.body = body
        self.set_status(status_code)
        if headers is not None:
            self.headers = headers

    def _default_status_msg(self, status_code: int) -> str:
        """0.4's text for the code, else the standard reason phrase (201: "Created")."""
        message = self._response_codes.get(status_code)
        return message if message is not None else http.reason_phrase(status_code)

    def set_header(self, name: str, value: Any) -> None:
        """Set one header.

        Raises:
            ValueError: The name is not a token, or the value holds CR, LF or NUL.
        """
        text = str(value)
        try:
            http.check_header(name, text)
        except ProtocolError as exc:
            raise ValueError(exc.reason) from None
        self.headers[name] = text

    def clear_header(self, name: str) -> None:
        """Remove a header if set."""
        self.headers.pop(name, None)

    def redirect(self, url: str, status: int = 302, status_code: int | None = None) -> Any:
        """Finish with a redirect to ``url`` (a ``Location`` header);
        ``status_code`` is the other fork's name for ``status``.

        Raises:
            ValueError: The URL holds CR, LF or NUL.
        """
        self.clear_payload()
        self._finished = True
        self.set_status(status_code or status, status_msg=f"Page has moved to {url}")
        self.set_header("Location", url)
        return WebMessageHandler.render(self)

    def _allow(self) -> str:
        verbs = self.allowed_methods()
        return ", ".join(name.upper() for name in HTTP_METHODS if name.upper() in verbs)

    def options(self, *args: Any, **kwargs: Any) -> Any:
        """Answer ``OPTIONS``: ``Allow`` and ``Access-Control-Allow-Methods``."""
        allow = self._allow()
        self.headers["Allow"] = allow
        self.headers["Access-Control-Allow-Methods"] = allow
        self.set_status(200)
        return WebMessageHandler.render(self)

    def unsupported(self, *args: Any, **kwargs: Any) -> Any:
        """405, with ``Allow`` listing the verbs this handler serves."""

        def allow_header() -> None:
            self.headers["Allow"] = self._allow()

        return self.render_error(self._NOT_ALLOWED, error_handler=allow_header)

    def render(
        self,
        status_code: int | None = None,
        hide_status: bool = False,
        http_200: bool = False,
        **kw: Any,
    ) -> Any:
        """0.4's reply dict; ``http_200`` sends 200 while the payload keeps its status."""
        if status_code is not None:
            self.set_status(status_code)
        headers = dict(self.headers)
        if self._set_cookies:
            headers["Set-Cookie"] = list(self._set_cookies.values())
        code = 200 if http_200 else self.status_code
        return render(self.body, code, self.status_msg, headers)

    # -- typed bodies ----------------------------------------------------------------

    def invoke(self, method: Callable[..., Any], *extra: Any) -> Any:
        """Call the verb method; for ``@typed`` methods decode the body first
        and encode the reply after."""
        spec = getattr(method, TYPED_ATTRIBUTE, None)
        if spec is None or not isinstance(spec, TypedSpec):
            return super().invoke(method, *extra)
        codec, media_type, first = prepare(spec, self.codecs, self.message)
        result = super().invoke(method, *extra, *first)
        if type(result) is not spec.reply and is_final(spec, result):  # a document is not
            return result
        body = encode_reply(spec, codec, result)
        headers = [("Content-Type", media_type)]
        if self.headers:  # headers the method set, and its cookies
            headers = header_pairs({**self.headers, "Content-Type": media_type})
        if self._set_cookies:
            headers.extend(("Set-Cookie", line) for line in self._set_cookies.values())
        return Reply(spec.status, headers, body)

    # -- arguments and cookies -----------------------------------------------------------

    def get_argument(self, name: str, default: str | None = None, strip: bool = True) -> str | None:
        """The last value of query/form argument ``name``, or ``default``."""
        value: str | None = self.message.get_argument(name, default, strip)
        return value

    def get_arguments(self, name: str, strip: bool = True) -> list[str]:
        """Every value of query/form argument ``name`` (``[]`` when absent)."""
        values: list[str] = self.message.get_arguments(name, strip)
        return values

    @property
    def cookies(self) -> dict[str, str]:
        """Cookies set on the reply: name to ``Set-Cookie`` value."""
        return self._set_cookies

    def get_cookie(
        self,
        key: str,
        default: Any = None,
        secret: str | bytes | None = None,
        max_age: float | None = None,
    ) -> Any:
        """A request cookie's value; with ``secret``, the verified value of a
        signed cookie set under the same name (``default`` when it is missing,
        forged, expired, or signed for another name)."""
        value = self.message.cookies.get(key)
        if value is None:
            return default
        if secret is None:
            return str(value)
        if max_age is None:
            max_age = getattr(self.application, "cookie_max_age", DEFAULT_COOKIE_MAX_AGE)
        decoded = cookie_decode(str(value), secret, max_age)
        if isinstance(decoded, list) and len(decoded) == 2 and decoded[0] == key:
            return decoded[1]
        return default

    def set_cookie(
        self, key: str, value: Any, secret: str | bytes | None = None, **attributes: Any
    ) -> None:
        """Set a cookie on the reply; with ``secret`` it is signed (HMAC-SHA256,
        with its name and issue time) and may be any JSON value.

        ``attributes``: ``max_age``, ``expires`` (epoch seconds, datetime or
        text), ``path`` (default ``/``), ``domain``, ``secure``, ``httponly``
        (default True) and ``samesite`` (default ``"Lax"``).

        Raises:
            TypeError: A value that is not a str without a secret.
            ValueError: A name, value or attribute a cookie cannot carry.
        """
        if secret is not None:
            value = cookie_encode([key, value], secret)
        elif not isinstance(value, str):
            raise TypeError("Secret missing for non-string Cookie.")
        expires = attributes.pop("expires", None)
        if expires is not None and not isinstance(expires, str):
            expires = _http_date(expires)
        attributes.setdefault("path", "/")
        attributes.setdefault("httponly", True)
        attributes.setdefault("samesite", "Lax")
        self._set_cookies[key] = http.set_cookie_value(key, value, expires=expires, **attributes)

    def set_secure_cookie(self, key: str, value: Any, **attributes: Any) -> None:
        """:meth:`set_cookie` signed with the app's ``cookie_secret``."""
        self.set_cookie(key, value, secret=self._cookie_secret(), **attributes)

    def get_secure_cookie(self, key: str, default: Any = None, max_age: float | None = None) -> Any:
        """:meth:`get_cookie` verified with the app's ``cookie_secret``."""
        return self.get_cookie(key, default, secret=self._cookie_secret(), max_age=max_age)

    def _cookie_secret(self) -> str | bytes:
        secret = getattr(self.application, "cookie_secret", None)
        if not secret:
            raise RuntimeError("the app has no cookie_secret: Brubeck(cookie_secret=...)")
        return secret  # type: ignore[no-any-return]

    def delete_cookie(self, key: str, **attributes: Any) -> None:
        """Tell the client to forget cookie ``key``."""
        self.set_cookie(key, "", max_age=0, expires=0, **attributes)

    def delete_cookies(self) -> None:
        """Delete every cookie the request carried."""
        for key in self.message.cookies:
            if http.is_token(key):  # other apps' odd names ("cart[items]") cannot be set
                self.delete_cookie(key)

    def convert_cookies(self) -> list[str]:
        """The ``Set-Cookie`` values of the reply (0.4 name; each is sent on its own line)."""
        return list(self._set_cookies.values())


def _http_date(when: float | datetime) -> str:
    stamp = when.timestamp() if isinstance(when, datetime) else float(when)
    return email.utils.formatdate(stamp, usegmt=True)
