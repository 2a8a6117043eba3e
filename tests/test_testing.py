"""brubeck.testing: the in-process client builds real wire bytes."""

from __future__ import annotations

import re
from typing import Any

import pytest

from brubeck.app import Brubeck
from brubeck.handlers import JSONMessageHandler
from brubeck.protocol import mongrel2
from brubeck.testing import TestClient, parse_http_response


class Echo(JSONMessageHandler):
    def _echo(self) -> Any:
        request = self.message
        files = {
            name: [[f.filename, f.body.decode(), f.content_type] for f in items]
            for name, items in request.files.items()
        }
        self.add_to_payload("method", request.method)
        self.add_to_payload("path", request.path)
        self.add_to_payload("arguments", request.arguments)
        self.add_to_payload("files", files)
        self.add_to_payload("cookies", dict(request.cookies))
        self.add_to_payload("content_type", request.content_type)
        self.add_to_payload("body", request.body.decode("latin-1"))
        self.add_to_payload("remote_addr", request.remote_addr)
        self.add_to_payload("x_custom", request.headers.get_all("x-custom"))
        return self.render(status_code=200)

    get = post = put = patch = delete = _echo


def echo(protocol: str = "tnetstring", **kwargs: Any) -> TestClient:
    return TestClient(Brubeck(handler_tuples=[(r"^/", Echo)]), protocol=protocol, **kwargs)


@pytest.mark.parametrize("protocol", ["tnetstring", "json"])
def test_both_header_protocols_give_the_same_request(protocol: str) -> None:
    response = echo(protocol).get(
        "/path?a=1",
        params={"a": "2", "b": "x y"},
        headers={"X-Custom": ["one", "two"]},
        cookies={"c": "3"},
    )
    payload = response.json()
    assert payload["method"] == "GET" and payload["path"] == "/path"
    assert payload["arguments"] == {"a": ["1", "2"], "b": ["x y"]}
    assert payload["cookies"] == {"c": "3"}
    assert payload["x_custom"] == ["one", "two"]
    assert payload["remote_addr"] == "127.0.0.1"


def test_json_form_files_and_raw_bodies() -> None:
    client = echo()
    as_json = client.post("/", json={"k": [1, 2]}).json()
    assert (as_json["content_type"], as_json["body"]) == ("application/json", '{"k":[1,2]}')
    form = client.put("/", data={"x": ["1", "2"], "y": "z"}).json()
    assert form["arguments"] == {"x": ["1", "2"], "y": ["z"]}
    upload = client.post(
        "/?q=1",
        data={"title": "doc"},
        files={"f": ("a.txt", b"hello", "text/plain"), "g": b"raw"},
    ).json()
    assert upload["arguments"] == {"q": ["1"], "title": ["doc"]}
    assert upload["files"] == {
        "f": [["a.txt", "hello", "text/plain"]],
        "g": [["g", "raw", "application/octet-stream"]],
    }
    raw = client.patch("/", body=b"a=b", content_type="text/plain").json()
    assert (raw["content_type"], raw["body"], raw["arguments"]) == ("text/plain", "a=b", {})
    with pytest.raises(ValueError):
        client.post("/", json={}, body=b"")


def test_the_client_sends_real_mongrel2_messages() -> None:
    seen: list[bytes] = []
    app = Brubeck(handler_tuples=[(r"^/", Echo)])
    original = app.handle_message

    def spy(data: bytes, raise_errors: bool = False) -> list[bytes]:
        seen.append(data)
        return original(data, raise_errors)

    app.handle_message = spy  # type: ignore[method-assign]
    TestClient(app, protocol="json").get("/café")
    message = mongrel2.parse(seen[0])
    assert message.path == "/caf%C3%A9"
    assert re.match(rb"\d+:\{\"PATH\"", seen[0].split(b" ", 3)[3])  # JSON headers, PATH first
    assert message.headers["METHOD"] == "GET" and message.headers["URI"] == "/caf%C3%A9"


def test_remote_addr_and_headers_mongrel2_sets_win() -> None:
    client = echo(remote_addr="10.0.0.9")
    payload = client.get("/", headers={"REMOTE_ADDR": "6.6.6.6"}).json()
    assert payload["remote_addr"] == "10.0.0.9"


def test_parse_http_response_checks_what_it_reads() -> None:
    assert parse_http_response(b"HTTP/1.1 204 No Content\r\n\r\n")[:2] == (204, "No Content")
    for bad in [
        b"HTTP/1.1 200 OK\r\n",
        b"HTTP/2 200 OK\r\n\r\n",
        b"HTTP/1.1 2x0 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nNoColon\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab",
    ]:
        with pytest.raises(ValueError):
            parse_http_response(bad)
