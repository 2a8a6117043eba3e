"""brubeck.handlers.json and brubeck.handlers.base: payload handlers and hooks."""

from __future__ import annotations

from typing import Any

from brubeck.app import Brubeck
from brubeck.handlers import JSONMessageHandler, MessageHandler
from brubeck.testing import TestClient


class Todo(JSONMessageHandler):
    def get(self, todo_id: str) -> Any:
        self.add_to_payload("data", {"id": todo_id, "title": "Watch more bsg"})
        return self.render(status_code=200, hide_status=self.get_argument("bare") == "1")

    def delete(self, todo_id: str) -> Any:
        return self.render_error(self._NOT_FOUND)


class Hooks(JSONMessageHandler):
    events: list[str] = []

    def initialize(self) -> None:
        super().initialize()
        Hooks.events.append("initialize")

    def prepare(self) -> None:
        Hooks.events.append("prepare")
        if self.get_argument("stop"):
            self.set_status(403)
            self._finished = True

    def get(self) -> Any:
        Hooks.events.append("get")
        return self.render(status_code=200)

    def on_finish(self) -> None:
        Hooks.events.append("on_finish")


def client() -> TestClient:
    routes = [(r"^/todos/(?P<todo_id>\d+)$", Todo), (r"^/hooks$", Hooks)]
    return TestClient(Brubeck(handler_tuples=routes))


def test_the_payload_is_compact_json_with_status_and_timestamp() -> None:
    response = client().get("/todos/7")
    assert response.headers["Content-Type"] == "application/json"
    assert response.body.startswith(b'{"status_code":200,"status_msg":"OK","timestamp":')
    payload = response.json()
    assert payload["data"] == {"id": "7", "title": "Watch more bsg"}
    assert isinstance(payload["timestamp"], int)


def test_hide_status_sends_only_the_data() -> None:
    response = client().get("/todos/7", params={"bare": "1"})
    assert response.json() == {"id": "7", "title": "Watch more bsg"}


def test_render_error_clears_the_payload() -> None:
    response = client().delete("/todos/7")
    assert response.status == 404
    assert set(response.json()) == {"status_code", "status_msg", "timestamp"}
    assert response.json()["status_msg"] == "Not found"


def test_hooks_run_in_order_and_prepare_can_finish_early() -> None:
    test = client()
    Hooks.events.clear()
    test.get("/hooks")
    assert Hooks.events == ["initialize", "prepare", "get", "on_finish"]
    Hooks.events.clear()
    stopped = test.get("/hooks", params={"stop": "1"})
    assert stopped.status == 403
    assert Hooks.events == ["initialize", "prepare", "on_finish"]


def test_message_handler_payload_api() -> None:
    handler = MessageHandler(Brubeck(), None)
    assert handler.status_code == -1 and handler.status_msg == "Bad request"
    handler.set_status(0, extra_txt="all good")
    handler.add_to_payload("answer", 42)
    assert handler.status_msg == "OK - all good"
    assert isinstance(handler.current_time, int)
    rendered = handler.render()
    assert '"answer":42' in rendered and '"status_code":0' in rendered
    handler.clear_payload()
    assert "answer" not in handler.render() and handler.status_code == 0
    assert handler.supported_methods == []
    assert handler.db_conn is None


def test_supported_methods_and_allowed_methods() -> None:
    assert Todo.allowed_methods() == {"GET", "HEAD", "DELETE", "OPTIONS"}
    assert Todo(Brubeck(), None).supported_methods == ["get", "delete", "options"]


def test_upload_start_gets_no_reply_by_default_and_can_be_refused() -> None:
    from brubeck.protocol import mongrel2

    class Upload(JSONMessageHandler):
        def post(self) -> Any:
            return self.render(status_code=200)

    class Refuse(Upload):
        def upload_start(self) -> Any:
            return self.render_error(413)

    start = {
        "METHOD": "POST",
        "PATH": "/up",
        "content-length": "999999",
        "x-mongrel2-upload-start": "/tmp/upload.XXX",
    }
    message = mongrel2.format_request("s", 1, "/up", start)
    assert Brubeck(handler_tuples=[(r"^/up", Upload)]).handle_message(message) == []
    refused = Brubeck(handler_tuples=[(r"^/up", Refuse)]).handle_message(message)
    assert b" 413 " in refused[0]
