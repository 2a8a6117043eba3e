"""AutoAPI through the real wire format (TestClient), on DictQueryset and on
RedisQueryset against a real redis-server."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from brubeck.app import Brubeck
from brubeck.autoapi import AutoAPIBase, JsonSchemaMessageHandler
from brubeck.errors import HTTPError
from brubeck.models import BooleanField, Document, IntField, StringField
from brubeck.queryset import DictQueryset, RedisQueryset
from brubeck.testing import TestClient


class Todo(Document):
    title = StringField(required=True, max_length=40)
    done = BooleanField(default=False)
    secret = StringField()
    _private_fields = ["secret"]  # noqa: RUF012 - DictShield's API


class Counter(Document):
    class Meta:
        id_field = IntField

    name = StringField(required=True)


@pytest.fixture(params=["dict", "redis"])
def client(request: pytest.FixtureRequest) -> TestClient:
    if request.param == "dict":
        queries: Any = DictQueryset()
    else:
        queries = RedisQueryset(db_conn=request.getfixturevalue("redis_conn"))

    class TodosAPI(AutoAPIBase):
        model = Todo

    TodosAPI.queries = queries
    app = Brubeck()
    app.register_api(TodosAPI)
    return TestClient(app)


def create(client: TestClient, **fields: Any) -> str:
    reply = client.post("/todo/", json=fields)
    assert reply.status == 201, reply.body
    return str(reply.json()["data"]["id"])


# -- create ----------------------------------------------------------------------------


def test_post_one_is_201_with_a_fresh_uuid(client: TestClient) -> None:
    reply = client.post("/todo/", json={"title": "milk"})
    assert reply.status == 201
    assert reply.headers["Content-Type"] == "application/json"
    body = reply.json()
    data = body["data"]
    assert uuid.UUID(data["id"])
    assert data == {
        "id": data["id"],
        "title": "milk",
        "done": False,
        "status_code": 201,
        "status_msg": "Created",  # 0.4 said "201"
    }
    assert body["status_code"] == 201


def test_the_owner_view_hides_private_fields(client: TestClient) -> None:
    tid = create(client, title="a", secret="hunter2")
    assert "secret" not in client.get(f"/todo/{tid}").json()["data"]
    assert "hunter2" not in client.get("/todo").body.decode()


def test_post_a_list_is_201_and_mixed_results_are_207(client: TestClient) -> None:
    # 0.4: a list body reached create_many as (ok, model) tuples, and no reply was sent.
    reply = client.post("/todo", json=[{"title": "a"}, {"title": "b"}])
    assert reply.status == 201
    assert [item["title"] for item in reply.json()["data"]] == ["a", "b"]
    reply = client.post("/todo", json=[{"title": "c"}, {"title": "x" * 41}, {"done": 3}])
    assert reply.status == 207
    good, long, bad = reply.json()["data"]
    assert good["status_code"] == 201 and good["title"] == "c"
    assert long["status_code"] == 400
    assert long["errors"] == [
        {"path": "$.title", "reason": "String value is too long", "value": "x" * 41}
    ]
    assert bad["status_code"] == 400
    assert {error["path"] for error in bad["errors"]} == {"$.title", "$.done"}
    assert len(client.get("/todo").json()["data"]) == 3  # the invalid ones were not stored


def test_post_invalid_one_is_400_with_error_paths(client: TestClient) -> None:
    reply = client.post("/todo/", json={"title": 7})
    assert reply.status == 400
    data = reply.json()["data"]
    assert data["status_code"] == 400
    assert data["errors"][0]["path"] == "$.title"
    assert client.get("/todo").json()["data"] == []


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"{nope", "Undecodable JSON body"),
        (b"", "No data"),
        (b"[]", "a non-empty list"),
        (b"42", "a JSON object"),
    ],
)
def test_a_body_that_cannot_be_read_is_a_problem_reply(
    client: TestClient, body: bytes, detail: str
) -> None:
    reply = client.post("/todo/", body=body, content_type="application/json")
    assert reply.status == 400
    assert reply.headers["Content-Type"] == "application/problem+json"
    assert detail in reply.json()["detail"]


def test_json_with_a_charset_and_the_data_form_field(client: TestClient) -> None:
    # 0.4 matched "application/json" exactly, so a charset parameter fell back to the form.
    reply = client.post(
        "/todo/", body=b'{"title": "utf8 \xc3\xa9"}', content_type="application/json; charset=utf-8"
    )
    assert reply.status == 201 and reply.json()["data"]["title"] == "utf8 é"
    reply = client.post("/todo/", data={"data": '{"title": "from a form"}'})
    assert reply.status == 201 and reply.json()["data"]["title"] == "from a form"


def test_a_list_item_that_is_not_an_object(client: TestClient) -> None:
    reply = client.post("/todo", json=[{"title": "a"}, "b"])
    assert reply.status == 207
    assert reply.json()["data"][1]["errors"][0]["reason"] == "Expected a JSON object, got str"


# -- read ----------------------------------------------------------------------------


def test_get_all_one_and_many(client: TestClient) -> None:
    assert client.get("/todo/").json()["data"] == []
    a, b = create(client, title="a"), create(client, title="b")
    assert sorted(item["title"] for item in client.get("/todo").json()["data"]) == ["a", "b"]
    one = client.get(f"/todo/{a}")
    assert one.status == 200 and one.json()["data"]["title"] == "a"
    many = client.get(f"/todo/{b},{a}/")  # 0.4 never split the ids: no reply at all
    assert many.status == 200
    assert [item["title"] for item in many.json()["data"]] == ["b", "a"]


def test_unknown_ids_are_404_and_mixed_207(client: TestClient) -> None:
    a = create(client, title="a")
    missing = str(uuid.uuid4())
    reply = client.get(f"/todo/{missing}")  # 0.4: AttributeError, no reply
    assert reply.status == 404
    assert reply.json()["data"] == {"id": missing, "status_code": 404, "status_msg": "Not found"}
    reply = client.get(f"/todo/{a},{missing}")
    assert reply.status == 207
    assert [item["status_code"] for item in reply.json()["data"]] == [200, 404]


def test_a_malformed_id_is_400(client: TestClient) -> None:
    reply = client.get("/todo/not-a-uuid")
    assert reply.status == 400
    assert reply.json()["data"]["errors"] == [
        {"path": "$.id", "reason": "Not a valid UUID value", "value": "not-a-uuid"}
    ]


def test_head_and_options(client: TestClient) -> None:
    create(client, title="a")
    head = client.head("/todo/")
    assert head.status == 200 and head.body == b""
    options = client.options("/todo/")
    assert options.headers["Allow"] == "GET, POST, PUT, DELETE, HEAD, OPTIONS"


# -- update ----------------------------------------------------------------------------


def test_put_replaces_and_takes_the_url_id(client: TestClient) -> None:
    a = create(client, title="a")
    reply = client.put(f"/todo/{a}", json={"title": "A", "done": True})
    assert reply.status == 200
    assert reply.json()["data"] == {
        "id": a,
        "title": "A",
        "done": True,
        "status_code": 200,
        "status_msg": "OK",
    }
    assert client.get(f"/todo/{a}").json()["data"]["done"] is True


def test_put_many_with_ids_in_the_body(client: TestClient) -> None:
    a, b = create(client, title="a"), create(client, title="b")
    reply = client.put("/todo/", json=[{"id": a, "title": "A"}, {"id": b, "title": "B"}])
    assert reply.status == 200
    assert sorted(item["title"] for item in client.get("/todo").json()["data"]) == ["A", "B"]


def test_put_an_unknown_id_is_404_and_creates_nothing(client: TestClient) -> None:
    missing = str(uuid.uuid4())
    reply = client.put(f"/todo/{missing}", json={"title": "ghost"})
    assert reply.status == 404
    assert client.get("/todo").json()["data"] == []


def test_put_ids_must_match_the_url(client: TestClient) -> None:
    # 0.4's url_matches_body was inverted and compared an id with a document.
    a, b = create(client, title="a"), create(client, title="b")
    reply = client.put(f"/todo/{a}", json={"id": b, "title": "hijack"})
    assert reply.status == 400
    assert "is not" in reply.json()["detail"]
    reply = client.put(f"/todo/{a},{b}", json=[{"title": "only one"}])
    assert reply.status == 400
    assert reply.json()["detail"] == "The URL names 2 ids, the body has 1"
    assert client.get(f"/todo/{b}").json()["data"]["title"] == "b"


def test_put_without_any_id_is_400(client: TestClient) -> None:
    reply = client.put("/todo/", json={"title": "who"})
    assert reply.status == 400
    assert reply.json()["data"]["errors"][0]["reason"] == "An id is required"


def test_post_with_ids_updates_as_in_04(client: TestClient) -> None:
    a = create(client, title="a")
    reply = client.post(f"/todo/{a}", json={"title": "posted"})
    assert reply.status == 200
    assert client.get(f"/todo/{a}").json()["data"]["title"] == "posted"


# -- destroy ----------------------------------------------------------------------------


def test_delete_one_and_many(client: TestClient) -> None:
    a, b, c = (create(client, title=title) for title in "abc")
    reply = client.delete(f"/todo/{a}")
    assert reply.status == 200
    assert reply.json()["data"]["title"] == "a"
    missing = str(uuid.uuid4())
    reply = client.delete(f"/todo/{b},{missing}")  # 0.4: NameError, no reply
    assert reply.status == 207
    assert [item["status_code"] for item in reply.json()["data"]] == [200, 404]
    assert [item["title"] for item in client.get("/todo").json()["data"]] == ["c"]
    assert c


def test_delete_without_ids_deletes_nothing(client: TestClient) -> None:
    create(client, title="a")
    reply = client.delete("/todo/")
    assert reply.status == 400
    assert len(client.get("/todo").json()["data"]) == 1


# -- routes, manifest, hooks -----------------------------------------------------------------


def test_manifest_lists_the_models_schemas(client: TestClient) -> None:
    reply = client.get("/manifest.json")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/schema+json"
    assert reply.json() == [Todo.for_jsonschema()]


def test_each_app_has_its_own_manifest() -> None:
    class TodosAPI(AutoAPIBase):
        model = Todo
        queries = DictQueryset()

    class CountersAPI(AutoAPIBase):
        model = Counter
        queries = DictQueryset()

    first, second = Brubeck(), Brubeck(api_base_url="/api/")
    first.register_api(TodosAPI)
    second.register_api(CountersAPI)
    second.register_api(TodosAPI, prefix="/api/tasks")
    assert [s["title"] for s in TestClient(first).get("/manifest.json").json()] == ["Todo"]
    assert TestClient(first).get("/api/manifest.json").status == 404
    titles = [s["title"] for s in TestClient(second).get("/api/manifest.json").json()]
    assert titles == ["Counter", "Todo"]
    assert TestClient(second).get("/api/tasks/").status == 200
    assert TestClient(second).get("/api/todo/").status == 404
    assert JsonSchemaMessageHandler.manifest == {}  # the shared class is never filled


def test_route_pattern_is_exact(client: TestClient) -> None:
    assert client.get("/todos").status == 404  # 0.4's match() also served /todos...
    assert client.get("/todo/a/b").status == 404


def test_an_id_that_is_not_a_uuid_must_be_sent() -> None:
    class CountersAPI(AutoAPIBase):
        model = Counter
        queries = DictQueryset()

    app = Brubeck()
    app.register_api(CountersAPI)
    client = TestClient(app)
    assert client.post("/counter/", json={"name": "hits"}).status == 400
    reply = client.post("/counter/", json={"id": 7, "name": "hits"})
    assert reply.status == 201 and reply.json()["data"]["id"] == "7"
    assert client.get("/counter/7").json()["data"]["name"] == "hits"
    assert client.get("/counter/x").status == 400


def test_register_api_needs_a_model_and_a_queryset() -> None:
    class Nothing(AutoAPIBase):
        pass

    with pytest.raises(TypeError, match="needs a model and a queryset"):
        Brubeck().register_api(Nothing)


def test_authorize_hook_per_operation() -> None:
    seen: list[tuple[str, int]] = []

    class GuardedAPI(AutoAPIBase):
        model = Todo
        queries = DictQueryset()

        def authorize(self, operation: str, items: list[Any]) -> bool:
            seen.append((operation, len(items)))
            if self.message.headers.get("x-role") != "admin" and operation != "read":
                if self.message.headers.get("x-role") is None:
                    raise HTTPError(401, "Log in first")
                return False
            return True

    app = Brubeck()
    app.register_api(GuardedAPI)
    client = TestClient(app)
    admin = {"X-Role": "admin"}
    tid = client.post("/todo/", json={"title": "a"}, headers=admin).json()["data"]["id"]
    reply = client.delete(f"/todo/{tid}", headers={"X-Role": "guest"})
    assert reply.status == 403
    assert reply.json()["detail"] == "Not allowed to destroy Todo documents"
    assert client.put(f"/todo/{tid}", json={"title": "b"}).status == 401
    assert client.get(f"/todo/{tid}").status == 200
    assert client.get(f"/todo/{tid}").json()["data"]["title"] == "a"
    assert seen == [("create", 1), ("destroy", 1), ("update", 1), ("read", 1), ("read", 1)]


def test_hide_status_sends_only_the_data() -> None:
    class TodosAPI(AutoAPIBase):
        model = Todo
        queries = DictQueryset()

        def render(self, **kwargs: Any) -> Any:
            kwargs["hide_status"] = True
            return super().render(**kwargs)

    app = Brubeck()
    app.register_api(TodosAPI)
    client = TestClient(app)
    reply = client.post("/todo/", json={"title": "a"})
    assert reply.status == 201
    assert reply.json()["title"] == "a" and "timestamp" not in reply.json()


def test_a_queryset_of_your_own_may_raise_fourohfour() -> None:
    from brubeck.request_handling import FourOhFourException as Compat

    class Strict(DictQueryset):
        def read_many(self, ids: Any) -> Any:
            raise Compat(f"no such todo: {ids[0]}")

    class TodosAPI(AutoAPIBase):
        model = Todo
        queries = Strict()

    app = Brubeck()
    app.register_api(TodosAPI)
    missing = str(uuid.uuid4())
    reply = TestClient(app).get(f"/todo/{missing}")
    assert reply.status == 404
    assert reply.json()["detail"] == f"no such todo: {missing}"


def test_authorize_with_a_signed_session_user() -> None:
    # The example of docs/autoapi.md: reads for everyone, writes for "admin".
    from brubeck.auth import UserHandlingMixin
    from brubeck.protocol.cookies import cookie_encode

    class OwnTodosAPI(UserHandlingMixin, AutoAPIBase):
        model = Todo
        queries = DictQueryset()

        def get_current_user(self) -> Any:
            return self.get_secure_cookie("user")

        def authorize(self, operation: str, items: list[Any]) -> bool:
            if operation == "read":
                return True
            if self.current_user is None:
                raise HTTPError(401, "Log in first")
            return bool(self.current_user == "admin")

    secret = "s" * 32
    app = Brubeck(cookie_secret=secret)
    app.register_api(OwnTodosAPI)
    client = TestClient(app)
    assert client.post("/todo/", json={"title": "a"}).status == 401
    guest = {"user": cookie_encode(["user", "guest"], secret)}  # signed for its name
    assert client.post("/todo/", json={"title": "a"}, cookies=guest).status == 403
    admin = {"user": cookie_encode(["user", "admin"], secret)}
    assert client.post("/todo/", json={"title": "a"}, cookies=admin).status == 201
    assert len(client.get("/todo/").json()["data"]) == 1
