"""brubeck.handlers.typed: typed request bodies and replies, through real wire bytes."""

from __future__ import annotations

from typing import Any

import pytest

from brubeck.app import Brubeck
from brubeck.codecs import json, msgpack, tnetstring
from brubeck.handlers import JSONMessageHandler, ReplyValidationError, WebMessageHandler, typed
from brubeck.models import (
    DateTimeField,
    DictField,
    Document,
    FloatField,
    IntField,
    ListField,
    StringField,
)
from brubeck.testing import TestClient


class Signup(Document):
    name = StringField(required=True, max_length=16)
    age = IntField(required=True, min_value=13)
    tags = ListField(StringField(max_length=8))


class Account(Document):
    name = StringField(required=True)
    greeting = StringField(required=True)


class Signups(JSONMessageHandler):
    @typed(body=Signup, reply=Account, status=201)
    def post(self, signup: Signup) -> Account:
        return Account(name=signup.name, greeting=f"welcome, {signup.name}")

    @typed(body=Signup, reply=Account)
    def put(self, signup: Signup, team: str = "none") -> dict[str, Any]:
        return {"name": signup.name, "greeting": f"moved to {team}"}

    @typed(reply=Account)
    def get(self) -> Account:
        return Account(name="x")  # greeting missing: a server bug

    @typed(body=Signup)
    def patch(self, signup: Signup) -> list[Any]:
        return [signup, {"plain": True}]


class Team(WebMessageHandler):
    @typed(body=Signup, reply=Account)
    def put(self, signup: Signup, team: str) -> Account:
        self.set_header("X-Team", team)
        return Account(name=signup.name, greeting=f"moved to {team}")

    @typed(reply=Account)
    def get(self, team: str) -> None:
        return None  # no reply now

    @typed()
    def delete(self, team: str) -> Any:
        self.set_body("rendered myself")
        return self.render(status_code=202)


def tnet_text(data: bytes) -> Any:
    return tnetstring.decode(data, text=True)


GOOD = {"name": "alice", "age": 30, "tags": ["a"]}


def client(**kwargs: Any) -> TestClient:
    routes = [(r"^/signups$", Signups), (r"^/teams/(?P<team>\w+)$", Team)]
    return TestClient(Brubeck(handler_tuples=routes), **kwargs)


def test_a_valid_json_body_reaches_the_method_as_a_document() -> None:
    response = client().post("/signups", json=GOOD)
    assert (response.status, response.reason) == (201, "Created")
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"name": "alice", "greeting": "welcome, alice"}


@pytest.mark.parametrize(
    ("encode", "content_type"),
    [(msgpack.encode, "application/msgpack"), (tnetstring.encode, "application/x-tnetstring")],
)
def test_msgpack_and_tnetstring_bodies(encode: Any, content_type: str) -> None:
    response = client().post("/signups", body=encode(GOOD), content_type=content_type)
    assert response.status == 201
    assert response.json()["name"] == "alice"


@pytest.mark.parametrize(
    ("accept", "decode", "media_type"),
    [
        ("application/msgpack", msgpack.decode, "application/msgpack"),
        ("application/x-tnetstring", tnet_text, "application/x-tnetstring"),
        ("application/json;q=0.5, application/msgpack", msgpack.decode, "application/msgpack"),
        ("*/*", None, "application/json"),
    ],
)
def test_the_reply_is_encoded_per_accept(accept: str, decode: Any, media_type: str) -> None:
    response = client().post("/signups", json=GOOD, headers={"Accept": accept})
    assert response.headers["Content-Type"] == media_type
    value = decode(response.body) if decode else response.json()
    assert value == {"name": "alice", "greeting": "welcome, alice"}


def test_an_invalid_body_is_400_with_every_error_and_its_path() -> None:
    bad = {"name": "x" * 20, "age": 5, "tags": ["ok", "much too long"]}
    response = client().post("/signups", json=bad)
    assert response.status == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["detail"] == "Invalid Signup"
    assert [error["path"] for error in problem["errors"]] == ["$.name", "$.age", "$.tags[1]"]


def test_a_missing_field_is_400() -> None:
    response = client().post("/signups", json={"name": "bob"})
    assert response.status == 400
    assert response.json()["errors"][0]["path"] == "$.age"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"name": ', "application/json"),
        (b"", "application/json"),
        (b"\xc1", "application/msgpack"),
        (b"5:abc", "application/x-tnetstring"),
        (b"[1, 2]", "application/json"),
    ],
)
def test_undecodable_bodies_are_400(body: bytes, content_type: str) -> None:
    response = client().post("/signups", body=body, content_type=content_type)
    assert response.status == 400
    assert response.json()["errors"][0]["path"] == "$"


def test_an_unsupported_media_type_is_415_listing_what_is_supported() -> None:
    response = client().post("/signups", body=b"a,b", content_type="text/csv")
    assert response.status == 415
    assert "application/json" in response.json()["supported"]


def test_tnetstring_text_must_be_utf8() -> None:
    body = tnetstring.encode({b"name": b"\xff", b"age": 20})
    response = client().post("/signups", body=body, content_type="application/x-tnetstring")
    assert response.status == 400


def test_no_content_type_means_json() -> None:
    assert client().post("/signups", body=b'{"name": "al", "age": 20}').status == 201


def test_nothing_acceptable_is_406_and_the_method_does_not_run() -> None:
    calls: list[int] = []

    class Counting(JSONMessageHandler):
        @typed(body=Signup)
        def post(self, signup: Signup) -> dict[str, int]:
            calls.append(1)
            return {"ok": 1}

    test = TestClient(Brubeck(handler_tuples=[(r"^/", Counting)]))
    response = test.post("/", json=GOOD, headers={"Accept": "text/html"})
    assert response.status == 406
    assert "application/json" in response.json()["available"]
    assert calls == []


def test_url_arguments_follow_the_body() -> None:
    response = client().put("/teams/red", json=GOOD)
    assert response.json() == {"name": "alice", "greeting": "moved to red"}
    assert response.headers["X-Team"] == "red"  # headers set in the method are kept


def test_a_dict_reply_is_validated_into_the_declared_document() -> None:
    response = client().put("/signups", json=GOOD)
    assert response.json() == {"name": "alice", "greeting": "moved to none"}


def test_an_invalid_reply_is_a_500_not_a_malformed_answer() -> None:
    with pytest.raises(ReplyValidationError, match="Account"):
        client().get("/signups")
    response = client(raise_server_exceptions=False).get("/signups")
    assert response.status == 500


def test_an_invalid_reply_is_a_500_in_every_codec() -> None:
    test = client(raise_server_exceptions=False)
    response = test.get("/signups", headers={"Accept": "application/msgpack"})
    assert response.status == 500


def test_a_checked_json_reply_is_the_json_of_its_primitive_data() -> None:
    response = client().post("/signups", json=GOOD)
    expected = Account(name="alice", greeting="welcome, alice").to_primitive()
    assert response.body == json.encode(expected)


class Even(Document):
    # A validation callable: no typed decoder, so only the generic path checks replies.
    number = IntField(required=True, validation=lambda value: value % 2 == 0)


@pytest.mark.parametrize(("number", "status"), [(2, 200), (3, 500)])
def test_replies_the_typed_decoder_cannot_check_are_checked_generically(
    number: int, status: int
) -> None:
    class Numbers(JSONMessageHandler):
        @typed(reply=Even)
        def get(self) -> Even:
            return Even(number=number)

    test = TestClient(Brubeck(handler_tuples=[(r"^/", Numbers)]), raise_server_exceptions=False)
    response = test.get("/")
    assert response.status == status
    if status == 200:
        assert response.json()["number"] == number


class Reading(Document):
    ratio = FloatField(min_value=0, max_value=1)
    labels = DictField(field=StringField())


class Readings(JSONMessageHandler):
    @typed(reply=Reading)
    def get(self) -> Reading:
        # Values the generic check refuses, which JSON text would write in
        # another form (null, "1"): a handler bug.
        return Reading(ratio=float("nan"), labels={1: "a"})


@pytest.mark.parametrize("media", ["application/msgpack", "application/x-tnetstring"])
def test_a_reply_in_another_codec_is_checked_as_it_is_not_as_json_writes_it(media: str) -> None:
    test = TestClient(Brubeck(handler_tuples=[(r"^/", Readings)]), raise_server_exceptions=False)
    assert test.get("/", headers={"Accept": media}).status == 500


def test_a_json_reply_is_checked_as_the_text_the_client_gets() -> None:
    test = TestClient(Brubeck(handler_tuples=[(r"^/", Readings)]), raise_server_exceptions=False)
    response = test.get("/", headers={"Accept": "application/json"})
    assert response.status == 200
    Reading.from_json(response.body)  # what was sent satisfies the document
    assert response.json()["labels"] == {"1": "a"}


def test_replies_without_a_declared_document_are_sent_as_is() -> None:
    response = client().patch("/signups", json=GOOD)
    assert response.json() == [{"name": "alice", "age": 30, "tags": ["a"]}, {"plain": True}]


def test_none_and_self_rendered_replies_pass_through() -> None:
    test = client()
    assert not test.get("/teams/red").replied
    rendered = test.delete("/teams/red")
    assert (rendered.status, rendered.text) == (202, "rendered myself")


def test_a_reply_of_the_wrong_type_is_a_500() -> None:
    class Wrong(JSONMessageHandler):
        @typed(reply=Account)
        def get(self) -> Signup:
            return Signup(name="a", age=20)

    with pytest.raises(ReplyValidationError, match="returned Signup"):
        TestClient(Brubeck(handler_tuples=[(r"^/", Wrong)])).get("/")


def test_a_typed_reply_keeps_the_cookies_the_method_set() -> None:
    class Login(JSONMessageHandler):
        @typed(body=Signup, reply=Account)
        def post(self, signup: Signup) -> Account:
            self.set_cookie("user", signup.name)
            return Account(name=signup.name, greeting="hi")

    response = TestClient(Brubeck(handler_tuples=[(r"^/", Login)])).post("/", json=GOOD)
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers.get_all("Set-Cookie") == ["user=alice; Path=/; SameSite=Lax; HttpOnly"]


class Profile(Document):
    name = StringField(required=True, max_length=16)
    age = IntField(required=True, min_value=13)
    seen = DateTimeField()
    meta = DictField()
    plan = StringField(default="free")


class Echoes(JSONMessageHandler):
    """Hands the body back: untouched, read first, or changed."""

    @typed(body=Profile, reply=Profile)
    def post(self, profile: Profile, how: str) -> Profile:
        if how == "untouched":
            assert "_wire" in profile.__dict__  # a lazy document, from the typed decoder
        elif how == "read":
            assert profile.name
        elif how == "changed":
            profile.age = 3  # under min_value: the reply check must see it
        return profile


@pytest.mark.parametrize("accept", ["application/json", "application/msgpack"])
def test_a_body_handed_back_untouched_is_sent_as_the_general_path_sends_it(accept: str) -> None:
    test = TestClient(
        Brubeck(handler_tuples=[(r"^/(?P<how>\w+)$", Echoes)]), raise_server_exceptions=False
    )
    body = {"name": "alice", "age": 30, "seen": "2024-05-17T12:34:56Z", "meta": {"a": [1]}, "x": 1}
    untouched = test.post("/untouched", json=body, headers={"Accept": accept})
    read = test.post("/read", json=body, headers={"Accept": accept})
    assert untouched.status == read.status == 200
    assert untouched.body == read.body
    assert untouched.headers.get_all("content-type") == read.headers.get_all("content-type")
    assert test.post("/changed", json=body, headers={"Accept": accept}).status == 500


def test_repeated_accept_and_content_type_headers_are_read_joined() -> None:
    test = TestClient(Brubeck(handler_tuples=[(r"^/(?P<how>\w+)$", Echoes)]))
    body = {"name": "alice", "age": 30, "seen": "2024-05-17T12:34:56Z", "meta": {}}
    # Two Accept headers: one list, read as "text/html, application/msgpack".
    reply = test.post("/read", json=body, headers={"Accept": ["text/html", "application/msgpack"]})
    assert reply.status == 200
    assert reply.headers["content-type"] == "application/msgpack"
    refused = test.post("/read", json=body, headers={"Accept": ["text/html", "image/png"]})
    assert refused.status == 406
    # Two Content-Type headers joined are no media type a codec reads: 415.
    reply = test.post(
        "/read",
        body=json.encode(body),
        headers={"Content-Type": ["application/json", "application/msgpack"]},
    )
    assert reply.status == 415
