"""brubeck.datamosh: typed arguments, the owned and streamed mixins, on a real app."""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

import pytest

from brubeck.app import Brubeck
from brubeck.datamosh import (
    OwnedHandlerMixin,
    OwnedModelMixin,
    StreamedHandlerMixin,
    StreamedModelMixin,
    get_typed_argument,
)
from brubeck.errors import ShieldDocException
from brubeck.handlers import WebMessageHandler
from brubeck.models import Document, EmbeddedDocument
from brubeck.models.fields import StringField
from brubeck.testing import TestClient
from brubeck.timekeeping import MillisecondField

OWNER = uuid.UUID("6f1c2f7e-3b1a-4c57-9c3e-2f0e8a5d4b21")


# -- handlers on a real app -------------------------------------------------------------


class Owner(OwnedHandlerMixin, WebMessageHandler):
    def get(self) -> Any:
        default = self.get_argument("default")
        self.set_body(json.dumps({"owner": self.get_owner_username(default_username=default)}))
        return self.render()


class UsernameOwner(Owner):
    owner_argument = "username"


class Stream(StreamedHandlerMixin, WebMessageHandler):
    def get(self) -> Any:
        since = self.get_stream_offset(default_since=-1)
        page, count, skip = self.get_paging_arguments()
        self.set_body(json.dumps({"since": since, "paging": [page, count, skip]}))
        return self.render()


class Unlimited(StreamedHandlerMixin, WebMessageHandler):
    def get(self) -> Any:
        paging = self.get_paging_arguments(default_page=1, default_count=10, max_count=None)
        self.set_body(json.dumps(paging))
        return self.render()


class Typed(WebMessageHandler):
    def get(self) -> Any:
        value = get_typed_argument("n", "fallback", self, float)
        self.set_body(json.dumps({"n": value}))
        return self.render()


@pytest.fixture
def client() -> TestClient:
    app = Brubeck(
        handler_tuples=[
            (r"^/owner$", Owner),
            (r"^/username$", UsernameOwner),
            (r"^/stream$", Stream),
            (r"^/unlimited$", Unlimited),
            (r"^/typed$", Typed),
        ]
    )
    return TestClient(app)


def get_json(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status == 200, response.text
    return response.json()


def test_get_typed_argument_through_a_handler(client: TestClient) -> None:
    assert get_json(client, "/typed", n="2.5") == {"n": 2.5}
    assert get_json(client, "/typed", n="two") == {"n": "fallback"}
    assert get_json(client, "/typed") == {"n": "fallback"}  # float("fallback") fails: default


def test_get_owner_username(client: TestClient) -> None:
    # 0.4's parameter was named default_usernam: every call was a NameError.
    assert get_json(client, "/owner", owner="alice") == {"owner": "alice"}
    assert get_json(client, "/owner", default="bob") == {"owner": "bob"}
    assert get_json(client, "/owner", owner="", default="bob") == {"owner": "bob"}
    assert get_json(client, "/owner") == {"owner": None}  # 0.4 would give str(None): "None"


def test_the_owner_argument_can_be_renamed(client: TestClient) -> None:
    assert get_json(client, "/username", username="carol", owner="x") == {"owner": "carol"}


def test_get_stream_offset(client: TestClient) -> None:
    assert get_json(client, "/stream", since="1381665600000")["since"] == 1381665600000
    assert get_json(client, "/stream", since="yesterday")["since"] == -1
    assert get_json(client, "/stream", since="1.5")["since"] == -1
    assert get_json(client, "/stream")["since"] == -1


@pytest.mark.parametrize(
    ("params", "paging"),
    [
        ({}, [0, 25, 0]),
        ({"page": "2", "count": "10"}, [2, 10, 20]),
        ({"page": "2"}, [2, 25, 50]),
        ({"count": "100"}, [0, 25, 0]),  # capped at max_count
        ({"page": "3", "count": "100"}, [3, 25, 75]),  # skip uses the capped count
        ({"page": "1", "count": "10", "skip": "7"}, [1, 10, 7]),
        ({"count": "0"}, [0, 0, 0]),
        ({"page": "-1", "count": "-5", "skip": "-3"}, [0, 25, 0]),  # negative: the defaults
        ({"page": "x", "count": "2.0", "skip": ""}, [0, 25, 0]),
    ],
)
def test_get_paging_arguments(
    client: TestClient, params: dict[str, str], paging: list[int]
) -> None:
    assert get_json(client, "/stream", **params)["paging"] == paging


def test_get_paging_arguments_without_a_cap(client: TestClient) -> None:
    assert get_json(client, "/unlimited") == [1, 10, 10]
    assert get_json(client, "/unlimited", count="1000") == [1, 1000, 1000]


# -- get_typed_argument and the mixins, unit tests -----------------------------------------


class Arguments:
    """Stands in for a handler's get_argument."""

    def __init__(self, **values: str) -> None:
        self.values = values

    def get_argument(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


def test_get_typed_argument() -> None:
    args = Arguments(n="3", bad="three", big="1e999")
    assert get_typed_argument("n", 0, args, int) == 3
    assert get_typed_argument("bad", 0, args, int) == 0
    assert get_typed_argument("missing", 7, args, int) == 7
    assert get_typed_argument("missing", None, args, int) is None  # int(None): TypeError
    assert get_typed_argument("big", 0, args, lambda v: int(float(v))) == 0  # OverflowError


def test_get_typed_argument_lets_other_errors_through() -> None:
    # 0.4 used a bare except, which also hid bugs in type_fun.
    def broken(value: Any) -> int:
        raise KeyError(value)

    with pytest.raises(KeyError):
        get_typed_argument("n", 0, Arguments(n="3"), broken)


def test_paging_refuses_negative_defaults() -> None:
    class Handler(StreamedHandlerMixin, Arguments):
        pass

    handler = Handler()
    assert handler.get_paging_arguments() == (0, 25, 0)
    assert handler.get_paging_arguments(max_count=0) == (0, 0, 0)  # 0.4: 0 meant no cap
    with pytest.raises(ValueError, match="must not be negative"):
        handler.get_paging_arguments(default_page=-1)
    with pytest.raises(ValueError, match="must not be negative"):
        handler.get_paging_arguments(max_count=-1)


# -- the model mixins -------------------------------------------------------------------


class Post(Document, OwnedModelMixin, StreamedModelMixin):
    text = StringField(max_length=140)


class Comment(OwnedModelMixin, StreamedModelMixin, Document):
    text = StringField()


class Note(StreamedModelMixin, EmbeddedDocument):
    text = StringField()


def test_mixins_are_mixins() -> None:
    assert OwnedModelMixin._options.mixin
    assert StreamedModelMixin._options.mixin
    assert isinstance(StreamedModelMixin.created_at, MillisecondField)
    assert StreamedModelMixin.created_at.default == 0


@pytest.mark.parametrize("cls", [Post, Comment])
def test_a_document_mixes_in_both(cls: Any) -> None:
    # 0.4 HEAD declared UserProfile(Model, OwnedModelMixin(Model), ...): an impossible MRO.
    assert {"id", "owner_id", "owner_username", "created_at", "updated_at", "text"} == set(
        cls._fields
    )
    assert cls._class_name == cls.__name__  # the mixins are not superclasses
    assert cls._types == [cls.__name__]
    post = cls(owner_id=str(OWNER), owner_username="alice", text="hi")
    assert post.validate()
    assert (post.created_at, post.updated_at) == (0, 0)
    assert post.owner_id == OWNER


def test_an_embedded_document_mixes_in_too() -> None:
    note = Note(text="x", created_at=datetime.datetime(2013, 10, 13, 12, 0))
    assert note.to_primitive() == {"created_at": 1381665600000, "updated_at": 0, "text": "x"}


def test_mixed_document_validates_every_field_with_paths() -> None:
    with pytest.raises(ShieldDocException) as info:
        Post.from_primitive(
            {"owner_id": "not-a-uuid", "owner_username": "a" * 31, "updated_at": "soon"}
        )
    assert [(e["path"], e["reason"]) for e in info.value.to_primitive()] == [
        ("$.updated_at", "Not milliseconds or a date"),
        ("$.owner_id", "Not a valid UUID value"),
        ("$.owner_username", "String value is too long"),
    ]
    with pytest.raises(ShieldDocException) as info:
        Post.from_primitive({})
    assert {e["path"] for e in info.value.to_primitive()} == {"$.owner_id", "$.owner_username"}


def test_mixed_document_serializes() -> None:
    post = Post.from_json(
        json.dumps(
            {
                "owner_id": str(OWNER),
                "owner_username": "alice",
                "created_at": "2013-10-13T12:00:00Z",
                "updated_at": 1381665600250,
                "text": "hello",
            }
        )
    )
    assert post.to_primitive() == {
        "owner_id": str(OWNER),
        "owner_username": "alice",
        "created_at": 1381665600000,
        "updated_at": 1381665600250,
        "text": "hello",
    }
    python = post.to_python()
    assert python["owner_id"] == OWNER
    assert python["_types"] == ["Post"]
    assert json.loads(post.to_json())["created_at"] == 1381665600000
    schema = Post.for_jsonschema()["properties"]
    assert schema["owner_username"]["maxLength"] == 30
    assert schema["created_at"]["type"] == "integer"
