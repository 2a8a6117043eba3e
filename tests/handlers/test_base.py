"""MessageHandler, the payload handler under the web handlers, served over HTTP."""

from __future__ import annotations

from typing import Any

from brubeck.app import Brubeck
from brubeck.codecs import json
from brubeck.handlers import JSONText, MessageHandler
from brubeck.testing import TestClient


class Status(MessageHandler):
    def get(self) -> Any:
        self.set_status(self._SUCCESS_CODE)
        self.add_to_payload("answer", 42)
        return self.render()


def test_render_is_json_text_a_str_as_in_0_4() -> None:
    app = Brubeck(handler_tuples=[])
    handler = Status(app, None)
    text = handler.get()
    assert isinstance(text, str) and type(text) is JSONText
    assert json.decode(text.encode())["answer"] == 42


def test_over_http_the_payload_is_sent_as_json() -> None:
    response = TestClient(Brubeck(handler_tuples=[(r"^/status$", Status)])).get("/status")
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/json"
    payload = response.json()
    assert (payload["status_code"], payload["status_msg"], payload["answer"]) == (0, "OK", 42)


def test_plain_text_replies_stay_plain_text() -> None:
    app = Brubeck(handler_tuples=[])

    @app.add_route(r"^/text$", method="GET")
    def text(app: Brubeck, request: Any) -> str:
        return '{"looks": "like json"}'  # a str is text unless it is JSONText

    response = TestClient(app).get("/text")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
