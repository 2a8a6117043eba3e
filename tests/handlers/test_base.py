"""MessageHandler, the payload handler under the web handlers, served over HTTP."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from brubeck.app import Brubeck
from brubeck.codecs import json
from brubeck.handlers import JSONText, MessageHandler, Reply
from brubeck.protocol import mongrel2
from brubeck.protocol.request import Request
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


def test_a_reply_is_a_frozen_checked_dataclass() -> None:
    reply = Reply(201, [("A", "b")], b"x")
    fields = (reply.status, reply.headers, reply.body, reply.close)
    assert fields == (201, [("A", "b")], b"x", False)
    assert Reply(200) == Reply(200, [], b"", False) and Reply(200).headers == []
    assert Reply(200).headers is not Reply(200).headers  # each reply its own list
    assert dataclasses.replace(reply, close=True) == Reply(201, [("A", "b")], b"x", close=True)
    assert [field.name for field in dataclasses.fields(Reply)] == [
        "status",
        "headers",
        "body",
        "close",
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        reply.status = 500  # type: ignore[misc]
    for bad in ({"status": 99}, {"status": "200"}, {"status": 200, "body": "text"}):
        with pytest.raises(TypeError):
            Reply(**bad)


def _handler(cls: type[MessageHandler]) -> MessageHandler:
    raw = mongrel2.format_request("s", 1, "/", {"METHOD": "GET", "VERSION": "HTTP/1.1"}, b"")
    return cls(Brubeck(), Request(mongrel2.parse(raw)))


def test_the_payload_keeps_the_handlers_first_timestamp() -> None:
    handler = _handler(MessageHandler)
    created = handler.timestamp
    handler.timestamp = 1  # not through set_timestamp: the payload keeps its own
    assert handler.current_time == created
    assert (handler.status_code, handler.status_msg) == (-1, "Bad request")
    handler.set_timestamp(7)
    assert handler.current_time == handler.timestamp == 7


def test_an_overridden_status_message_may_read_the_payload() -> None:
    class Reads(MessageHandler):
        def _default_status_msg(self, status_code: int) -> str:
            return f"{status_code} with {len(self._payload)} keys"

    handler = _handler(Reads)
    assert handler.status_msg == "-1 with 0 keys"
    handler.set_status(0)
    assert handler.status_msg == "0 with 3 keys"
