"""brubeck.introspection: GET /_brubeck/routes on service sockets, never over HTTP."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from brubeck import introspection
from brubeck.app import Brubeck
from brubeck.codecs import json, msgpack, tnetstring
from brubeck.handlers import JSONMessageHandler, Reply, WebMessageHandler, typed
from brubeck.models import Document, EmbeddedDocument
from brubeck.models.fields import IntField, StringField
from brubeck.protocol import service
from brubeck.testing import TestClient


class Todo(Document):
    title = StringField(required=True, max_length=40)
    priority = IntField(min_value=0)


class Todos(JSONMessageHandler):
    """The todo list.

    More words that the route list leaves out.
    """

    @typed(body=Todo, reply=Todo, status=201)
    def post(self, todo: Todo) -> Todo:
        return todo

    def get(self) -> Any:
        return self.render()


class Plain(WebMessageHandler):
    def put(self) -> Any:
        return self.render()


def make_app(**options: Any) -> Brubeck:
    app = Brubeck(handler_tuples=[(r"^/todos$", Todos), (r"^/plain$", Plain)], **options)

    @app.add_route(r"^/anything$")
    def anything(app: Brubeck, request: Any) -> Reply:
        """Any verb."""
        return Reply(200, [], b"")

    @app.add_route(r"^/typed$", method="POST")
    @typed(reply=Todo)
    def typed_function(app: Brubeck, request: Any) -> dict[str, Any]:
        return {"title": "t"}

    return app


def routes_frames(verb: bytes = b"GET", codec: bytes = b"json", request_id: bytes = b"r1") -> list:
    return [b"\x00peer", b"BRB1", codec, request_id, verb, b"/_brubeck/routes", b"", b""]


def answer(app: Brubeck, frames: list[bytes]) -> service.ServiceReply:
    out = app.handle_service(frames)
    assert out is not None and out[0] == b"\x00peer"
    return service.parse_reply(out[1:])


def test_the_route_list() -> None:
    reply = answer(make_app(), routes_frames())
    assert reply.status == 200
    listed = reply.decode_body()
    assert listed["protocol"] == "BRB1"
    todos, plain, anything, typed_function = listed["routes"]
    assert todos["pattern"] == "^/todos$"
    assert todos["handler"] == "tests.test_introspection.Todos"
    assert todos["doc"] == "The todo list."
    assert list(todos["verbs"]) == ["GET", "POST", "HEAD", "OPTIONS"]
    post = todos["verbs"]["POST"]
    assert post["status"] == 201 and post["body"] == Todo.json_schema() == post["reply"]
    assert todos["verbs"]["GET"] == {} and "doc" not in plain
    assert list(plain["verbs"]) == ["PUT", "OPTIONS"]
    assert anything["verbs"] == {"*": {}} and anything["doc"] == "Any verb."
    assert typed_function["verbs"] == {"POST": {"status": 200, "reply": Todo.json_schema()}}


def test_the_schemas_validate_what_the_handler_accepts() -> None:
    listed = answer(make_app(), routes_frames()).decode_body()
    schema = listed["routes"][0]["verbs"]["POST"]["body"]
    jsonschema.validate({"title": "take five", "priority": 1}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"priority": -1}, schema)


@pytest.mark.parametrize("codec", [json.CODEC, msgpack.CODEC, tnetstring.CODEC])
def test_in_every_codec(codec: Any) -> None:
    reply = answer(make_app(), routes_frames(codec=codec.name.encode()))
    assert reply.codec is codec and reply.status == 200
    expected = introspection.describe(make_app().router)
    decoded = tnetstring.decode(reply.body, text=True) if codec is tnetstring.CODEC else None
    assert (decoded or reply.decode_body()) == expected


def test_other_verbs_are_405_and_one_way_requests_get_nothing() -> None:
    app = make_app()
    refused = answer(app, routes_frames(b"POST"))
    assert (refused.status, refused.headers) == (405, {"allow": "GET"})
    assert refused.decode_body()["title"] == "Method Not Allowed"
    assert app.handle_service(routes_frames(request_id=b"")) is None


def test_a_route_of_the_apps_own_comes_first() -> None:
    app = make_app()

    @app.add_route(r"^/_brubeck/routes$", method="GET")
    def mine(app: Brubeck, request: Any) -> Reply:
        return Reply(200, [("Content-Type", "text/plain")], b"mine")

    assert answer(app, routes_frames()).decode_body() == "mine"
    assert answer(app, routes_frames(b"POST")).status == 405  # the app's route: GET only


def test_it_can_be_turned_off() -> None:
    app = make_app(service_introspection=False)
    assert answer(app, routes_frames()).status == 404


def test_never_over_http() -> None:
    assert TestClient(make_app()).get("/_brubeck/routes").status == 404


def test_a_schema_the_codec_cannot_carry_is_a_500(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(introspection, "describe", lambda router: {"bad": object()})
    reply = answer(make_app(), routes_frames())
    assert reply.status == 500 and "does not encode" in reply.decode_body()["detail"]


def test_the_pages_example() -> None:
    """docs/protocol.md's routes_request, answered with its routes_reply by the app it names."""
    from tests.protocol.test_service import EXAMPLES

    class Todo(EmbeddedDocument):  # no id field
        title = StringField(required=True, max_length=40)

    class Todos(JSONMessageHandler):
        @typed(body=Todo, reply=Todo, status=201)
        def post(self, todo: Todo) -> Todo:
            return todo

    Todos.__module__, Todos.__qualname__ = "app", "Todos"
    app = Brubeck(handler_tuples=[(r"^/todos$", Todos)])
    out = app.handle_service([b"\x00peer", *EXAMPLES["routes_request"]])
    assert out is not None and out[1:] == EXAMPLES["routes_reply"]
