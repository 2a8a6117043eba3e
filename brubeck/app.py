"""``Brubeck``: the application. Routes, codecs, error handlers, settings.

Its core is sans-IO: :meth:`Brubeck.handle` turns a request into a reply,
:meth:`Brubeck.handle_message` turns Mongrel2 message bytes into the reply
messages to send. Connections (and the test client) call these.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

from brubeck import concurrency, introspection
from brubeck._version import __version__
from brubeck.codecs import Registry, default_registry
from brubeck.concurrency import DEFAULT_POOL_SIZE, Backend, WorkerPool
from brubeck.concurrency.signals import stop_on_signals
from brubeck.errors import HTTPError, ProtocolError
from brubeck.handlers import HTTP_METHODS, Close, Reply, WebMessageHandler
from brubeck.handlers.errors import ErrorHandler, ErrorHandlers, problem_reply
from brubeck.handlers.typed import run_typed_function, spec_of
from brubeck.handlers.web import DEFAULT_COOKIE_MAX_AGE, to_reply
from brubeck.protocol import http, mongrel2, service, service_bridge, wsgi
from brubeck.protocol.mongrel2 import MessageKind
from brubeck.protocol.request import Request
from brubeck.protocol.service import ServiceProtocolError, ServiceRequest
from brubeck.routing import Router, normalize_methods
from brubeck.uploads import verified_path

__all__ = ["Brubeck"]

log = logging.getLogger("brubeck.app")

#: Largest request body handled, 10 MiB (Mongrel2's own ``limits.content_length``
#: default is 20 KiB; bigger bodies arrive as uploads, through a temp file).
MAX_BODY_SIZE = 10 * 1024 * 1024

_VERB_ORDER = [name.upper() for name in HTTP_METHODS]
# Kinds routed by their HTTP verb; others reach whatever route matches their path.
# (Tuples: membership by identity; an Enum's hash is a Python-level call.)
_VERB_ROUTED = (MessageKind.HTTP, MessageKind.UPLOAD_START, MessageKind.UPLOAD_DONE)
# Kinds that must never get a reply (Mongrel2 manual, "Handler Protocol").
_NEVER_ANSWERED = (MessageKind.DISCONNECT, MessageKind.CREDITS)
# Kinds whose connection speaks no HTTP any more: an HTTP reply would corrupt it.
_BAD_UPLOAD = "The upload is not one this server received."
_NOT_HTTP = (
    MessageKind.WEBSOCKET,
    MessageKind.JSON_SOCKET,
    MessageKind.XML_SOCKET,
    MessageKind.UPLOAD_STREAM,
)


class Brubeck:
    """An application: routes requests to handlers and turns results into replies.

    Brubeck 0.4's keywords are accepted (``msg_conn``, ``handler_tuples``,
    ``pool``, ``no_handler``, ``base_handler``, ``template_loader``,
    ``log_level``, ``login_url``, ``db_conn``, ``cookie_secret``,
    ``api_base_url``, ``mongrel2_pair``); unknown keywords are a ``TypeError``.
    The library never configures logging: ``log_level`` only sets the level of
    the ``brubeck`` logger. ``service_introspection`` (on by default) answers
    ``GET /_brubeck/routes`` on service sockets, never over HTTP
    (:mod:`brubeck.introspection`).
    """

    MULTIPLE_ITEM_SEP = ","

    def __init__(  # noqa: PLR0913 - Brubeck 0.4's keywords, kept
        self,
        msg_conn: Any = None,
        handler_tuples: Iterable[tuple[Any, Any]] | None = None,
        pool: Any = None,
        no_handler: Any = None,
        base_handler: type[WebMessageHandler] | None = None,
        template_loader: Callable[[], Any] | None = None,
        log_level: int | None = None,
        login_url: str | None = None,
        db_conn: Any = None,
        cookie_secret: str | bytes | None = None,
        api_base_url: str = "/",
        *,
        mongrel2_pair: tuple[str, str] | None = None,
        codecs: Registry | None = None,
        trusted_proxies: int = 0,
        max_body_size: int = MAX_BODY_SIZE,
        cookie_max_age: float = DEFAULT_COOKIE_MAX_AGE,
        error_format: str = "json",
        concurrency: str | Backend | None = None,
        on_disconnect: Callable[[Request], Any] | None = None,
        service_introspection: bool = True,
    ) -> None:
        if msg_conn is None and mongrel2_pair is not None:
            msg_conn = _mongrel2_connection(mongrel2_pair)
        self.msg_conn = msg_conn
        self.pool = pool
        self.pool_size = _pool_size(pool)
        self.concurrency = concurrency
        self.on_disconnect = on_disconnect
        # GET /_brubeck/routes on service sockets (never over HTTP): docs/services.md.
        self.service_introspection = service_introspection
        self.no_handler = no_handler
        self.base_handler = base_handler
        self.login_url = login_url
        self.db_conn = db_conn
        self.cookie_secret = cookie_secret
        self.cookie_max_age = cookie_max_age
        self.api_base_url = api_base_url
        self.api_manifest: Any = None  # the /manifest.json handler, made by register_api
        self.codecs = codecs if codecs is not None else default_registry.copy()
        if isinstance(trusted_proxies, bool) or not isinstance(trusted_proxies, int):
            raise TypeError("trusted_proxies is the number of proxies in front of Mongrel2")
        if trusted_proxies < 0:
            raise ValueError("trusted_proxies cannot be negative")
        self.trusted_proxies = trusted_proxies
        self.max_body_size = max_body_size
        if error_format not in ("json", "text"):
            raise ValueError(f"error_format is 'json' or 'text', not {error_format!r}")
        self.error_handlers = ErrorHandlers(error_format)
        self.template_env: Any = None
        if template_loader is not None:
            self.template_env = template_loader()
            if not self.template_env:
                raise ValueError("template_env failed to load.")
        if log_level is not None:
            logging.getLogger("brubeck").setLevel(log_level)
        self.router = Router()
        self.handler_tuples = list(handler_tuples or [])
        self.init_routes(self.handler_tuples)

    # -- routes (0.4's methods) --------------------------------------------------------

    @property
    def _routes(self) -> list[tuple[re.Pattern[str], Any]]:
        """The routes as 0.4 kept them: ``(compiled pattern, target)`` pairs
        (a copy; absent, as in 0.4, until the first route is added)."""
        if not self.router.routes:
            raise AttributeError("no routes yet")
        return [(route.regex, route.target) for route in self.router.routes]

    def init_routes(self, handler_tuples: Iterable[tuple[Any, Any]]) -> None:
        """Add every ``(pattern, handler)`` pair, in order."""
        for pattern, kallable in handler_tuples:
            self.add_route_rule(pattern, kallable)

    def add_route_rule(
        self, pattern: str | re.Pattern[str], kallable: Any, method: Any = None
    ) -> None:
        """Route ``pattern`` to a handler class or a function.

        A class serves the verbs it has methods for; a function serves
        ``method`` (a verb or a list of them), or every verb when it is None.
        """
        exclusive = isinstance(kallable, type)  # a handler class owns its URL
        if method is None and exclusive and hasattr(kallable, "allowed_methods"):
            method = kallable.allowed_methods()
        methods = normalize_methods(method)
        if methods is not None and "GET" in methods:
            methods |= {"HEAD"}  # HEAD is GET without the body (RFC 9110 §9.3.2)
        self.router.add(pattern, kallable, methods, exclusive)

    def add_route(self, url_pattern: str, method: Any = None) -> Callable[[Any], Any]:
        """Decorator: route ``url_pattern`` to a function ``f(app, request, *args, **kwargs)``
        that returns :func:`brubeck.handlers.render`'s dict (or a ``Reply``).

        ``method`` is a verb (``"GET"``), a list of verbs, or None for any.
        """

        def register(function: Any) -> Any:
            self.add_route_rule(url_pattern, function, method)
            return function

        return register

    def register_api(self, APIClass: Any, prefix: str | None = None) -> None:  # noqa: N803 - 0.4's
        """Serve an :class:`~brubeck.autoapi.AutoAPIBase` subclass at ``prefix``
        (default: ``api_base_url`` + the model's lowercase name): ``PREFIX``,
        ``PREFIX/ID`` and ``PREFIX/ID1,ID2``. The first call also routes
        ``api_base_url + "manifest.json"`` to this app's model schemas.

        Raises:
            TypeError: The class has no ``model`` or no ``queries``.
        """
        from brubeck.autoapi import JsonSchemaMessageHandler

        model, queries = getattr(APIClass, "model", None), getattr(APIClass, "queries", None)
        if model is None or queries is None:
            raise TypeError(f"{APIClass.__name__} needs a model and a queryset (queries)")
        queries.bind(model)
        if self.api_manifest is None:
            self.api_manifest = type(
                "Manifest", (JsonSchemaMessageHandler,), {"manifest": {}, "__module__": __name__}
            )
            self.add_route_rule(
                f"^{re.escape(self.api_base_url)}manifest\\.json$", self.api_manifest
            )
        self.api_manifest.add_model(model)
        base = prefix if prefix is not None else self.api_base_url + model.__name__.lower()
        ids = r"(?:/(?:(?P<ids>[-\w,]+)/*)?)?$"  # PREFIX, PREFIX/, PREFIX/ID, PREFIX/A,B/
        self.add_route_rule(f"^{re.escape(base.rstrip('/'))}{ids}", APIClass)

    def route_message(self, message: Request) -> Callable[[], Any]:
        """A zero-argument callable that runs the handler for ``message``.

        Raises (when called): :class:`HTTPError` 404 when no route matches,
        405 (with ``Allow``) when the matching route does not serve the verb.
        """
        if type(message) is Request:  # the usual message: no lookups with defaults
            kind = message.kind
            method = message.method if kind in _VERB_ROUTED else None
        else:
            kind = getattr(message, "kind", MessageKind.HTTP)
            method = getattr(message, "method", None) if kind in _VERB_ROUTED else None
        found = self.router.resolve(message.path, method)
        if isinstance(found, frozenset):
            return self._no_route(message, found)
        target = found.route.target
        if isinstance(target, type):
            handler = target(self, message)
            handler._url_args = found.kwargs or found.args
            return handler  # type: ignore[no-any-return]
        spec = spec_of(target)
        if spec is not None:
            return lambda: run_typed_function(self, target, spec, message, found.args, found.kwargs)
        args, kwargs = found.args, found.kwargs
        if kwargs:
            return lambda: target(self, message, *args, **kwargs)
        return partial(target, self, message, *args)

    def _no_route(self, message: Request, allowed: frozenset[str]) -> Callable[[], Any]:
        allow = ", ".join(verb for verb in _VERB_ORDER if verb in allowed)
        base = self.base_handler
        if base is not None:
            handler = base(self, message)
            if not allowed:
                return lambda: handler.render_error(handler._NOT_FOUND)

            def unsupported() -> Any:
                def allow_header() -> None:
                    handler.headers["Allow"] = allow

                return handler.render_error(handler._NOT_ALLOWED, error_handler=allow_header)

            return unsupported
        if allowed:
            error = HTTPError(405, "Method Not Allowed", headers=[("Allow", allow)])
        else:
            error = HTTPError(404, "Not Found")

        def raise_error() -> Any:
            raise error

        return raise_error

    # -- errors --------------------------------------------------------------------

    def add_error_handler(self, exception: type[BaseException], handler: ErrorHandler) -> None:
        """Handle ``exception`` (and subclasses) with ``handler(request, exc) -> Reply``.

        The most specific handler along the exception's MRO wins.
        """
        self.error_handlers.add(exception, handler)

    # -- serving (sans-IO) --------------------------------------------------------------

    def handle(self, request: Request, raise_errors: bool = False) -> Reply | Close | None:
        """The reply to one request; ``None`` when there is none to send now
        (a disconnect or flow-control message; a handler that returned ``None``).

        Exceptions become error replies; with ``raise_errors`` those that
        would be a 500 propagate instead (the test client's default).
        """
        kind = request.kind
        if kind in _NEVER_ANSWERED:
            if kind is MessageKind.DISCONNECT and self.on_disconnect is not None:
                self._disconnected(request)
            return None  # Mongrel2 manual: never answer a disconnect
        if len(request.body) > self.max_body_size:
            reply = self._error(request, HTTPError(413, "Content Too Large"), raise_errors)
        elif kind is MessageKind.UPLOAD_DONE and not self._upload_checked(request):
            reply = self._error(request, HTTPError(400, _BAD_UPLOAD), raise_errors)
        else:
            try:
                result = self.route_message(request)()
                reply = result if type(result) is Reply else to_reply(result)
            except Exception as exc:
                reply = self._error(request, exc, raise_errors)
            finally:
                if kind is MessageKind.UPLOAD_DONE:
                    _remove_upload(request)
        if type(reply) is Reply or isinstance(reply, Reply):
            if kind in _NOT_HTTP:  # no HTTP on a socket: drop the connection instead
                log.warning("no handler for %s message on %s", kind.value, request.path)
                return Close()
            if not reply.close and _must_close(request, kind):
                reply = Reply(reply.status, reply.headers, reply.body, close=True)
        return reply

    def _disconnected(self, request: Request) -> None:
        try:
            self.on_disconnect(request)  # type: ignore[misc]
        except Exception:
            log.exception("on_disconnect failed")

    def _upload_checked(self, request: Request) -> bool:
        """Whether an upload-done message names a real upload; then
        ``request.upload_path`` is the file, as this process sees it."""
        upload_dir = getattr(self.msg_conn, "upload_dir", None)
        path = verified_path(request.headers, upload_dir)
        if path is None:
            log.warning("refused upload-done message for %s", request.path)
            return False
        request.upload_path = path
        return True

    def _error(self, request: Request, exc: Exception, raise_errors: bool) -> Reply | Close | None:
        try:
            return to_reply(self.error_handlers.reply(request, exc, raise_errors))
        except (TypeError, ValueError) as bad:  # an error handler returned something unusable
            return self.error_handlers.internal_error(request, bad, raise_errors)

    def handle_message(self, data: bytes, raise_errors: bool = False) -> list[bytes]:
        """The Mongrel2 messages that answer one message from Mongrel2 (often
        one; none for a disconnect; a reply then a close for ``Connection: close``)."""
        try:
            request = Request(mongrel2.parse(data), self.trusted_proxies)
        except ProtocolError as exc:
            return self._answer_unparsable(data, exc)
        reply = self.handle(request, raise_errors)
        if reply is None:
            return []
        return self.format_reply(request, reply, raise_errors)

    def _answer_unparsable(self, data: bytes, exc: ProtocolError) -> list[bytes]:
        """A 400 and a close when the envelope still names a sender and a
        connection; otherwise nothing can be sent (logged)."""
        parts = data.split(b" ", 2)
        log.warning("unparsable Mongrel2 message: %s", exc)
        if len(parts) < 3 or not parts[0] or not parts[1].isdigit() or parts[2].startswith(b"@"):
            return []  # no one to answer, or a socket/control message: no HTTP there
        sender, conn = parts[0].decode("latin-1"), parts[1].decode("ascii")
        reply = problem_reply(
            400, None, f"Malformed request: {exc.reason}", None, self.error_handlers.error_format
        )
        response = http.format_response(reply.status, reply.headers, reply.body, close=True)
        try:
            return [
                mongrel2.format_reply(sender, [conn], response),
                mongrel2.format_close(sender, [conn]),
            ]
        except ProtocolError:  # a sender with characters Latin-1 cannot carry back
            return []

    def format_reply(
        self, request: Request, reply: Reply | Close, raise_errors: bool = False
    ) -> list[bytes]:
        """The Mongrel2 messages that carry ``reply`` to the request's client."""
        message = request.message
        if isinstance(reply, Close):
            return [mongrel2.reply_to(message, b"")]
        try:
            response = http.format_response(
                reply.status, reply.headers, reply.body, request.method, close=reply.close
            )
        except Exception as exc:  # e.g. a header that would split the response
            reply = self.error_handlers.internal_error(request, exc, raise_errors)
            response = _http_bytes(request, reply)
        if log.isEnabledFor(logging.INFO):  # 0.4's access line; remote_addr costs a lookup
            log.info(
                "%s %s %s (%s)", reply.status, request.method, request.path, request.remote_addr
            )
        if reply.close:
            return [mongrel2.reply_to(message, response), mongrel2.reply_to(message, b"")]
        return [mongrel2.reply_to(message, response)]

    # -- WSGI ------------------------------------------------------------------------

    def wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        """The app as a WSGI callable (PEP 3333), for any WSGI server:
        ``gunicorn module:app.wsgi``. Handlers see the same request as behind Mongrel2."""
        try:
            body = _wsgi_body(environ, self.max_body_size)
            error = None
        except HTTPError as exc:
            body, error = b"", exc
        request = Request(wsgi.message_from_environ(environ, body), self.trusted_proxies)
        reply = self.handle(request) if error is None else self._error(request, error, False)
        if not isinstance(reply, Reply):
            # Mongrel2 lets a handler answer later (or close); WSGI needs an answer now.
            problem = RuntimeError("the handler sent no reply, and WSGI needs one")
            reply = self.error_handlers.internal_error(request, problem, False)
        try:
            line, headers, out = wsgi.response_parts(
                reply.status, reply.headers, reply.body, request.method
            )
        except Exception as exc:  # e.g. a header that would split the response
            reply = self.error_handlers.internal_error(request, exc, False)
            line, headers, out = wsgi.response_parts(
                reply.status, reply.headers, reply.body, request.method
            )
        if log.isEnabledFor(logging.INFO):
            log.info(
                "%s %s %s (%s)", reply.status, request.method, request.path, request.remote_addr
            )
        start_response(line, headers)
        return [out]

    # -- raw ZeroMQ services ---------------------------------------------------------

    def handle_service(
        self, frames: Sequence[bytes], raise_errors: bool = False
    ) -> list[bytes] | None:
        """The frames that answer one message a service ROUTER received: its
        envelope, then the reply (docs/protocol.md); ``None`` for a one-way request.

        Handlers see the same request as behind Mongrel2; the reply is in the
        requester's codec, and errors carry the protocol's problem map.

        Raises:
            ServiceProtocolError: The message cannot be answered (too few
                frames, an unreadable request id, a bad one-way request): drop it.
        """
        try:
            envelope, parsed = service.parse_routed(frames, self.codecs)
        except ServiceProtocolError as exc:
            envelope = service.split_envelope(frames)[0]  # none: this raises, and it is dropped
            answer = service.reply_to_error(exc, self.codecs)
            if answer is None:
                raise
            return [*envelope, *service.format_reply(answer)]
        if parsed.path == introspection.ROUTES_PATH and self.service_introspection:
            listed = introspection.reply_to(self.router, parsed) if parsed.request_id else None
            if listed is not None:
                return [*envelope, *service.format_reply(listed)]
        request = Request(service_bridge.message_from_service(parsed), self.trusted_proxies)
        reply = self.handle(request, raise_errors)
        if parsed.one_way:
            return None  # handled; the reply is discarded
        if not isinstance(reply, Reply):  # no connection to answer on later, nor to close
            problem = RuntimeError("the handler sent no reply, and a service call needs one")
            reply = self.error_handlers.internal_error(request, problem, raise_errors)
        try:
            out = _service_frames(parsed, reply, self.codecs)
        except Exception as exc:  # a body or header the protocol cannot carry
            reply = self.error_handlers.internal_error(request, exc, raise_errors)
            out = _service_frames(parsed, reply, self.codecs)
        if log.isEnabledFor(logging.INFO):
            log.info("%s %s %s (service)", reply.status, parsed.verb, parsed.path)
        return [*envelope, *out]

    def handle_one_way(self, frames: Sequence[bytes], raise_errors: bool = False) -> None:
        """Run the handler for the seven frames a PULL socket received, and
        discard its reply: a PULL server never answers (docs/protocol.md).

        Raises:
            ServiceProtocolError: The frames break the protocol: drop them.
        """
        self._one_way(service.parse_request(frames, self.codecs), None, raise_errors)

    def handle_event(self, frames: Sequence[bytes], raise_errors: bool = False) -> None:
        """Run the handler for an event a SUB socket received (a topic, then a
        one-way request), and discard its reply. The handler sees the topic as
        ``self.message.headers["TOPIC"]``.

        Raises:
            ServiceProtocolError: The frames break the protocol: drop them.
        """
        topic, parsed = service.parse_event(frames, self.codecs)
        self._one_way(parsed, topic, raise_errors)

    def _one_way(self, parsed: ServiceRequest, topic: bytes | None, raise_errors: bool) -> None:
        message = service_bridge.message_from_service(parsed)
        if topic is not None:  # uppercase: a server key no client header can replace
            message.headers["TOPIC"] = topic.decode("utf-8", "replace")
        reply = self.handle(Request(message, self.trusted_proxies), raise_errors)
        if log.isEnabledFor(logging.INFO):
            status = reply.status if isinstance(reply, Reply) else "-"
            how = "one-way" if topic is None else "event"
            log.info("%s %s %s (%s)", status, parsed.verb, parsed.path, how)

    # -- serving (with sockets) ---------------------------------------------------------

    def run(self) -> None:
        """Serve on ``msg_conn`` until SIGTERM or SIGINT, then stop gracefully
        (Brubeck 0.4's ``run``). Blocks; returns once every reply is sent."""
        if self.msg_conn is None:
            raise ValueError("No web server connection provided.")
        backend = concurrency.use(self.concurrency)
        pool = WorkerPool(backend, self.pool_size)
        connections = self.msg_conn if isinstance(self.msg_conn, list) else [self.msg_conn]
        log.info("Brubeck v%s online ]-----------------------------------", __version__)

        def stop() -> None:
            for connection in connections:
                connection.stop()

        with stop_on_signals(backend, stop):
            tasks = [backend.spawn(connection.serve, self, pool) for connection in connections]
            for task in tasks:
                task.join()
        log.info("Brubeck going down...")

    # -- templates ---------------------------------------------------------------------

    def render_template(self, template_file: str, **context: Any) -> str:
        """Render a template with the environment ``template_loader`` built."""
        if self.template_env is None:
            raise RuntimeError("no template_loader was given to Brubeck(...)")
        return self.template_env.get_template(template_file).render(**context)  # type: ignore[no-any-return]


def _must_close(request: Request, kind: MessageKind) -> bool:
    """Whether the reply to ``request`` must close the client's connection."""
    if kind is MessageKind.UPLOAD_START:
        return True  # answering an upload start refuses it: no "done" follows
    if type(request) is Request and "connection" not in request.message.headers:
        return request.version == "HTTP/1.0"  # should_close(), read directly
    return request.should_close()


def _remove_upload(request: Request) -> None:
    """Delete Mongrel2's temp file once its handler is done (Mongrel2 never
    does): a handler that keeps the upload moves it away first."""
    path = getattr(request, "upload_path", None)
    if path:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("could not delete the upload %s: %s", path, exc)


def _http_bytes(request: Request, reply: Reply) -> bytes:
    return http.format_response(
        reply.status, reply.headers, reply.body, method=request.method, close=reply.close
    )


def _service_frames(request: ServiceRequest, reply: Reply, codecs: Registry) -> list[bytes]:
    return service_bridge.service_reply_frames(
        request, reply.status, reply.headers, reply.body, codecs
    )


def _wsgi_body(environ: dict[str, Any], limit: int) -> bytes:
    """The request body, read only when it is within ``limit`` bytes.

    Raises:
        HTTPError: 413 over the limit; 400 for a Content-Length that is not a number.
    """
    stream = environ.get("wsgi.input")
    length_text = environ.get("CONTENT_LENGTH") or ""
    if length_text:
        if not length_text.isdigit():
            raise HTTPError(400, "Bad Request", "Content-Length is not a number")
        length = int(length_text)
        if length > limit:
            raise HTTPError(413, "Content Too Large")
        return stream.read(length) if length and stream is not None else b""
    if stream is not None and environ.get("wsgi.input_terminated"):
        data: bytes = stream.read(limit + 1)  # a chunked body, ended by the server
        if len(data) > limit:
            raise HTTPError(413, "Content Too Large")
        return data
    return b""


def _pool_size(pool: Any) -> int:
    """``pool``: None (the default size), a size, or Brubeck 0.4's pool factory
    (``eventlet.GreenPool``, ``gevent.pool.Pool``), of which only the size is used."""
    if pool is None:
        return DEFAULT_POOL_SIZE
    if isinstance(pool, int) and not isinstance(pool, bool):
        if pool < 1:
            raise ValueError("the pool size must be at least 1")
        return pool
    if callable(pool):
        size = getattr(pool(), "size", None)
        return size if isinstance(size, int) and size > 0 else DEFAULT_POOL_SIZE
    raise ValueError("Unable to initialize coroutine pool")


def _mongrel2_connection(pair: tuple[str, str]) -> Any:
    from brubeck.connections.mongrel2 import Mongrel2Connection

    pull_addr, pub_addr = pair
    return Mongrel2Connection(pull_addr, pub_addr)
