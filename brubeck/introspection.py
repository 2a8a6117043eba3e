"""What a service offers: its routes, their verbs, and the JSON Schemas of typed bodies.

A service answers ``GET /_brubeck/routes`` (``docs/protocol.md``,
"Introspection") with :func:`describe` of its app, in the requester's codec::

    {"protocol": "BRB1", "routes": [
        {"pattern": "^/todos$", "handler": "app.Todos", "doc": "The todo list.",
         "verbs": {"POST": {"status": 201, "body": {...}, "reply": {...}}, "OPTIONS": {}}}]}

``verbs`` maps each verb the route serves (``"*"`` for a function route that
takes any) to what ``@typed`` declared for it: the success ``status`` and the
draft 2020-12 JSON Schemas of the ``body`` and the ``reply`` documents
(``Document.json_schema()``); an undeclared verb maps to ``{}``. ``doc`` is
the first paragraph of the handler's docstring, when it has one.

It is served on service sockets only, never over HTTP, where it would tell
the world what an app's internals are; and a route of the app's own that
matches the path takes precedence.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from brubeck.errors import EncodeError
from brubeck.handlers import HTTP_METHODS
from brubeck.handlers.typed import TypedSpec, spec_of
from brubeck.protocol import service
from brubeck.protocol.service import ServiceReply, ServiceRequest
from brubeck.routing import Match, Route, Router

__all__ = ["ROUTES_PATH", "describe", "describe_route", "reply_to"]

#: The path of the built-in route, on service sockets.
ROUTES_PATH = "/_brubeck/routes"

_VERB_ORDER = [name.upper() for name in HTTP_METHODS]


def describe(router: Router) -> dict[str, Any]:
    """The app's routes, in order, as the introspection route answers them."""
    return {"protocol": "BRB1", "routes": [describe_route(route) for route in router.routes]}


def describe_route(route: Route) -> dict[str, Any]:
    """One route: its pattern, its handler's name and doc, and its verbs."""
    target = route.target
    entry: dict[str, Any] = {"pattern": route.regex.pattern, "handler": _name(target)}
    doc = _first_paragraph(target)
    if doc:
        entry["doc"] = doc
    if route.methods is None:
        entry["verbs"] = {"*": _verb(spec_of(target))}
        return entry
    verbs = sorted(route.methods, key=lambda verb: _order(verb))
    entry["verbs"] = {verb: _verb(_spec(target, verb)) for verb in verbs}
    return entry


def _spec(target: Any, verb: str) -> TypedSpec | None:
    if not isinstance(target, type):  # a function route: one declaration for its verbs
        return spec_of(target)
    method = getattr(target, verb.lower(), None)
    return spec_of(method) if callable(method) else None


def _verb(spec: TypedSpec | None) -> dict[str, Any]:
    if spec is None:
        return {}
    described: dict[str, Any] = {"status": spec.status}
    if spec.body is not None:
        described["body"] = spec.body.json_schema()
    if spec.reply is not None:
        described["reply"] = spec.reply.json_schema()
    return described


def _order(verb: str) -> tuple[int, str]:
    return (_VERB_ORDER.index(verb) if verb in _VERB_ORDER else len(_VERB_ORDER), verb)


def _name(target: Callable[..., Any]) -> str:
    module = getattr(target, "__module__", None) or "?"
    return f"{module}.{getattr(target, '__qualname__', repr(target))}"


def _first_paragraph(target: Any) -> str:
    # A class's own __doc__ (None without a docstring: it is not inherited).
    doc = getattr(target, "__doc__", None)
    if not isinstance(doc, str) or not doc.strip():
        return ""
    return " ".join(inspect.cleandoc(doc).split("\n\n", 1)[0].split())


def reply_to(router: Router, request: ServiceRequest) -> ServiceReply | None:
    """The built-in route's answer to ``request`` for :data:`ROUTES_PATH`,
    or ``None`` when a route of the app's own serves it (route it as usual)."""
    if isinstance(router.resolve(request.path, request.verb), Match):
        return None
    if request.verb != "GET":
        reply = service.error_reply(
            request.request_id, 405, "the route list answers GET", codec=request.codec
        )
        return ServiceReply(reply.codec, reply.request_id, 405, {"allow": "GET"}, reply.body)
    try:
        body = request.codec.encode(describe(router))
    except EncodeError as exc:  # a schema the requester's codec cannot carry
        detail = f"the route list does not encode: {exc.reason}"
        return service.error_reply(request.request_id, 500, detail, codec=request.codec)
    return service.reply_to(request, 200, body)
