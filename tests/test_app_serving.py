"""brubeck.app's serving parts without sockets: uploads, disconnects, pool
sizes, the WSGI callable (checked by wsgiref's validator), service frames."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import pytest

from brubeck.app import MAX_BODY_SIZE, Brubeck
from brubeck.codecs import json as json_codec
from brubeck.codecs import msgpack
from brubeck.concurrency import DEFAULT_POOL_SIZE
from brubeck.connections import Mongrel2Connection, WSGIConnection
from brubeck.handlers import JSONMessageHandler, WebMessageHandler
from brubeck.protocol import mongrel2, service
from brubeck.protocol.request import Request
from brubeck.protocol.service import ServiceProtocolError
from brubeck.testing import TestClient


class Upload(WebMessageHandler):
    def post(self) -> Any:
        path = self.message.upload_path
        self.set_body(Path(path).read_bytes() if path else b"no file")
        return self.render()


class Echo(JSONMessageHandler):
    def get(self) -> Any:
        self.add_to_payload("name", self.get_argument("name"))
        self.add_to_payload("path", self.message.path)
        self.add_to_payload("agent", self.message.headers.get("user-agent"))
        self.set_status(200)
        return self.render()

    def post(self) -> Any:
        self.add_to_payload("body", self.message.body.decode())
        self.set_status(201)
        return self.render()


class Later(WebMessageHandler):
    def get(self) -> Any:
        return None  # answers later, through the connection (long polling)


class BadHeader(WebMessageHandler):
    def get(self) -> Any:
        self.headers["X-Split"] = "a\r\nSet-Cookie: evil=1"
        self.set_body("x")
        return self.render()


def upload_done(path: str, done: str | None = None) -> bytes:
    headers = {
        "METHOD": "POST",
        "PATH": "/up",
        "x-mongrel2-upload-start": path,
        "x-mongrel2-upload-done": path if done is None else done,
    }
    return mongrel2.format_request("s", 7, "/up", headers, b"")


def status_of(replies: list[bytes]) -> bytes:
    return mongrel2.parse_reply(replies[0])[2].split(b"\r\n", 1)[0]


# -- uploads ----------------------------------------------------------------------


def test_an_upload_done_in_the_upload_dir_reaches_the_handler(tmp_path: Path) -> None:
    (tmp_path / "mongrel2.upload.Xy12Ab").write_bytes(b"big body")
    conn = Mongrel2Connection("tcp://a:1", "tcp://a:2", upload_dir=str(tmp_path))
    app = Brubeck(msg_conn=conn, handler_tuples=[(r"^/up$", Upload)])
    replies = app.handle_message(upload_done("/tmp/mongrel2.upload.Xy12Ab"))
    assert status_of(replies) == b"HTTP/1.1 200 OK"
    assert mongrel2.parse_reply(replies[0])[2].endswith(b"\r\n\r\nbig body")
    assert not (tmp_path / "mongrel2.upload.Xy12Ab").exists()  # Mongrel2 never deletes it


def test_a_handler_keeps_an_upload_by_moving_it(tmp_path: Path) -> None:
    (tmp_path / "mongrel2.upload.Xy12Ab").write_bytes(b"big body")
    kept = tmp_path / "kept"

    class Keep(WebMessageHandler):
        def post(self) -> Any:
            os.rename(self.message.upload_path, kept)
            self.set_body("kept")
            return self.render()

    conn = Mongrel2Connection("tcp://a:1", "tcp://a:2", upload_dir=str(tmp_path))
    app = Brubeck(msg_conn=conn, handler_tuples=[(r"^/up$", Keep)])
    assert status_of(app.handle_message(upload_done("/tmp/mongrel2.upload.Xy12Ab"))) == (
        b"HTTP/1.1 200 OK"
    )
    assert kept.read_bytes() == b"big body"


def test_an_upload_is_deleted_when_its_handler_fails(tmp_path: Path) -> None:
    (tmp_path / "mongrel2.upload.Xy12Ab").write_bytes(b"big body")

    class Broken(WebMessageHandler):
        def post(self) -> Any:
            raise RuntimeError("boom")

    conn = Mongrel2Connection("tcp://a:1", "tcp://a:2", upload_dir=str(tmp_path))
    app = Brubeck(msg_conn=conn, handler_tuples=[(r"^/up$", Broken)])
    replies = app.handle_message(upload_done("/tmp/mongrel2.upload.Xy12Ab"))
    assert status_of(replies) == b"HTTP/1.1 500 Internal Server Error"
    assert not (tmp_path / "mongrel2.upload.Xy12Ab").exists()


@pytest.mark.parametrize(
    ("path", "done"),
    [
        ("/etc/passwd", None),  # forged: not in the upload directory
        ("/tmp/mongrel2.upload.Xy12Ab", "/tmp/mongrel2.upload.Other"),  # start != done
        ("/tmp/mongrel2.upload.Missing", None),
    ],
)
def test_an_untrustworthy_upload_done_is_a_400(tmp_path: Path, path: str, done: str | None) -> None:
    (tmp_path / "mongrel2.upload.Xy12Ab").write_bytes(b"big body")
    conn = Mongrel2Connection("tcp://a:1", "tcp://a:2", upload_dir=str(tmp_path))
    app = Brubeck(msg_conn=conn, handler_tuples=[(r"^/up$", Upload)])
    replies = app.handle_message(upload_done(path, done))
    assert status_of(replies) == b"HTTP/1.1 400 Bad Request"
    assert b"root:" not in replies[0]
    problem = json.loads(mongrel2.parse_reply(replies[0])[2].split(b"\r\n\r\n", 1)[1])
    assert problem["detail"] == "The upload is not one this server received."
    assert "errors" not in problem
    assert (tmp_path / "mongrel2.upload.Xy12Ab").exists()  # a refused message deletes nothing


def test_without_an_upload_dir_every_upload_done_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mongrel2.upload.Xy12Ab").write_bytes(b"big body")
    app = Brubeck(handler_tuples=[(r"^/up$", Upload)])
    replies = app.handle_message(upload_done(str(tmp_path / "mongrel2.upload.Xy12Ab")))
    assert status_of(replies) == b"HTTP/1.1 400 Bad Request"


# -- disconnects --------------------------------------------------------------------


def test_disconnects_go_to_the_hook_and_are_never_answered() -> None:
    seen: list[str] = []
    app = Brubeck(on_disconnect=lambda request: seen.append(request.conn_id))
    message = mongrel2.format_request(
        "s", 42, "@*", {"METHOD": "JSON"}, b'{"type":"disconnect"}', protocol="json"
    )
    assert app.handle_message(message) == []
    assert seen == ["42"]


def test_a_failing_disconnect_hook_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    def hook(request: Request) -> None:
        raise RuntimeError("hook failed")

    app = Brubeck(on_disconnect=hook)
    message = mongrel2.format_request("s", 4, "@*", {"METHOD": "JSON"}, b'{"type":"disconnect"}')
    assert app.handle_message(message) == []
    assert "on_disconnect failed" in caplog.text


# -- settings -------------------------------------------------------------------------


def test_the_default_body_limit_is_10_mib() -> None:
    assert MAX_BODY_SIZE == 10 * 1024 * 1024
    assert Brubeck().max_body_size == MAX_BODY_SIZE


class _FakeGreenPool:  # what Brubeck 0.4 users pass: eventlet.GreenPool / gevent.pool.Pool
    def __init__(self, size: int = 321) -> None:
        self.size = size


@pytest.mark.parametrize(
    ("pool", "size"),
    [(None, DEFAULT_POOL_SIZE), (50, 50), (_FakeGreenPool, 321), (lambda: object(), 2000)],
)
def test_pool_is_a_size_or_a_04_factory(pool: Any, size: int) -> None:
    assert Brubeck(pool=pool).pool_size == size


@pytest.mark.parametrize("pool", [0, -3, "big"])
def test_a_bad_pool_is_an_error(pool: Any) -> None:
    with pytest.raises(ValueError, match="pool"):
        Brubeck(pool=pool)


def test_run_needs_a_connection() -> None:
    with pytest.raises(ValueError, match="No web server connection"):
        Brubeck().run()


def test_wsgi_connection_url_and_repr() -> None:
    conn = WSGIConnection(port=8080)
    assert conn.url == "http://127.0.0.1:8080/"
    assert repr(conn) == "WSGIConnection(port=8080, host='127.0.0.1')"


# -- WSGI --------------------------------------------------------------------------


def call_wsgi(
    app: Brubeck, path: str, method: str = "GET", body: bytes = b"", validate: bool = True,
    **extra: Any,
) -> tuple[str, list[tuple[str, str]], bytes]:  # fmt: skip
    environ: dict[str, Any] = {}
    setup_testing_defaults(environ)
    path_info, _, query = path.partition("?")
    environ.update(
        PATH_INFO=path_info,
        QUERY_STRING=query,
        REQUEST_METHOD=method,
        CONTENT_LENGTH=str(len(body)) if body else "",
    )
    environ["wsgi.input"] = io.BytesIO(body)
    environ.update(extra)
    result: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        result["status"], result["headers"] = status, headers
        return lambda data: None

    wsgi_app = validator(app.wsgi) if validate else app.wsgi
    chunks = wsgi_app(environ, start_response)
    try:
        data = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return result["status"], result["headers"], data


def test_wsgi_gives_handlers_the_same_request_as_mongrel2() -> None:
    app = Brubeck(handler_tuples=[(r"^/echo/", Echo)])
    status, headers, body = call_wsgi(
        app, "/echo/caf%C3%A9?name=x", HTTP_USER_AGENT="tests", RAW_URI="/echo/caf%C3%A9?name=x"
    )
    assert status == "200 OK"
    data = json.loads(body)
    assert (data["name"], data["path"], data["agent"]) == ("x", "/echo/caf%C3%A9", "tests")
    # The same request through Mongrel2's wire format gives the same reply.
    through_mongrel2 = TestClient(app).get(
        "/echo/caf%C3%A9?name=x", headers={"User-Agent": "tests"}
    )
    assert json.loads(through_mongrel2.body) | {"timestamp": 0} == data | {"timestamp": 0}
    assert dict(headers)["Content-Type"] == through_mongrel2.headers["Content-Type"]


def test_wsgi_requotes_a_decoded_path_when_the_server_gives_no_raw_one() -> None:
    app = Brubeck(handler_tuples=[(r"^/echo/", Echo)])
    decoded = "/echo/café".encode().decode("latin-1")  # PEP 3333: bytes as Latin-1
    _, _, body = call_wsgi(app, "/x", PATH_INFO=decoded)
    assert json.loads(body)["path"] == "/echo/caf%C3%A9"


def test_wsgi_posts_a_body_and_heads_send_none() -> None:
    app = Brubeck(handler_tuples=[(r"^/echo/", Echo)])
    status, _, body = call_wsgi(app, "/echo/", "POST", b"take five")
    assert status == "201 Created"
    assert json.loads(body)["body"] == "take five"
    status, headers, body = call_wsgi(app, "/echo/?name=a", "HEAD")
    assert status == "200 OK" and body == b""
    assert int(dict(headers)["Content-Length"]) > 0


def test_wsgi_errors_are_problem_replies() -> None:
    app = Brubeck(handler_tuples=[(r"^/echo/", Echo)])
    assert call_wsgi(app, "/nowhere")[0] == "404 Not Found"
    status, headers, _ = call_wsgi(app, "/echo/", "DELETE")
    assert status == "405 Method Not Allowed"
    assert dict(headers)["Allow"] == "GET, POST, HEAD, OPTIONS"


def test_wsgi_bounds_the_body_before_reading_it() -> None:
    app = Brubeck(handler_tuples=[(r"^/echo/", Echo)], max_body_size=8)
    status, _, _ = call_wsgi(app, "/echo/", "POST", b"123456789")
    assert status == "413 Content Too Large"
    status, _, _ = call_wsgi(app, "/echo/", "POST", b"12345678")
    assert status == "201 Created"
    # (wsgiref's validator itself rejects this environ: the server would not send it)
    status, _, _ = call_wsgi(app, "/echo/", "POST", b"", validate=False, CONTENT_LENGTH="12a")
    assert status == "400 Bad Request"


def test_wsgi_reads_a_chunked_body_up_to_the_limit() -> None:
    app = Brubeck(handler_tuples=[(r"^/echo/", Echo)], max_body_size=8)
    ok = call_wsgi(app, "/echo/", "POST", **{"wsgi.input": io.BytesIO(b"chunked"),
                                            "wsgi.input_terminated": True})  # fmt: skip
    assert ok[0] == "201 Created" and json.loads(ok[2])["body"] == "chunked"
    big = call_wsgi(app, "/echo/", "POST", **{"wsgi.input": io.BytesIO(b"x" * 9),
                                             "wsgi.input_terminated": True})  # fmt: skip
    assert big[0] == "413 Content Too Large"


def test_wsgi_answers_500_when_a_handler_sends_nothing(caplog: pytest.LogCaptureFixture) -> None:
    app = Brubeck(handler_tuples=[(r"^/later$", Later)])
    assert call_wsgi(app, "/later")[0] == "500 Internal Server Error"
    assert "WSGI needs one" in caplog.text


def test_wsgi_refuses_response_splitting() -> None:
    app = Brubeck(handler_tuples=[(r"^/bad$", BadHeader)])
    status, headers, _ = call_wsgi(app, "/bad")
    assert status == "500 Internal Server Error"
    assert all("evil" not in value for _, value in headers)


# -- raw ZeroMQ services (the frames a ServiceConnection reads) ------------------------------


def service_frames(
    verb: bytes, path: bytes, body: bytes = b"", request_id: bytes = b"r1", codec: bytes = b"json"
) -> list[bytes]:
    return [b"\x00k\x8bEg", b"BRB1", codec, request_id, verb, path, b"", body]


def test_service_frames_reach_the_same_handlers() -> None:
    app = Brubeck(handler_tuples=[(r"^/echo/", Echo)])
    envelope, *reply = app.handle_service(service_frames(b"POST", b"/echo/", b'"five"')) or []
    assert envelope == b"\x00k\x8bEg"
    assert reply[:5] == [b"BRB1", b"json", b"r1", b"201", b""]
    assert json.loads(reply[5])["body"] == '"five"'  # the raw body, as behind Mongrel2


def test_a_one_way_request_is_handled_and_gets_nothing() -> None:
    seen: list[bytes] = []

    class Record(WebMessageHandler):
        def post(self) -> Any:
            seen.append(self.message.body)
            return self.render()

    app = Brubeck(handler_tuples=[(r"^/record$", Record)])
    assert app.handle_service(service_frames(b"POST", b"/record", b"1", b"")) is None
    assert seen == [b"1"]


def test_what_cannot_be_answered_is_raised_for_the_connection_to_drop() -> None:
    app = Brubeck()
    with pytest.raises(ServiceProtocolError):
        app.handle_service(service_frames(b"POST", b"/x")[:-1])  # too few frames
    with pytest.raises(ServiceProtocolError):
        app.handle_service(service_frames(b"post", b"/x", request_id=b""))  # one-way, bad verb
    reply = app.handle_service(service_frames(b"post", b"/x")) or []
    assert reply[4] == b"400"


def test_a_service_call_that_gets_no_reply_is_a_500(caplog: pytest.LogCaptureFixture) -> None:
    app = Brubeck(handler_tuples=[(r"^/later$", Later)])
    assert (app.handle_service(service_frames(b"GET", b"/later")) or [])[4] == b"500"
    assert "a service call needs one" in caplog.text
    with pytest.raises(RuntimeError, match="a service call needs one"):
        app.handle_service(service_frames(b"GET", b"/later"), raise_errors=True)


def test_service_errors_are_problem_maps_whatever_the_error_format() -> None:
    app = Brubeck(handler_tuples=[(r"^/echo/", Echo)], error_format="text", max_body_size=4)
    missing = app.handle_service(service_frames(b"GET", b"/nowhere", codec=b"msgpack")) or []
    assert missing[1:5] == [b"BRB1", b"msgpack", b"r1", b"404"]
    assert msgpack.decode(missing[6]) == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
    }
    big = app.handle_service(service_frames(b"POST", b"/echo/", b'"12345"')) or []
    assert big[4] == b"413" and json.loads(big[6])["status"] == 413


def test_a_reply_the_protocol_cannot_carry_is_a_500(caplog: pytest.LogCaptureFixture) -> None:
    class Lying(WebMessageHandler):
        def get(self) -> Any:
            self.headers["Content-Type"] = "application/json"
            self.set_body(b"{not json")
            return self.render(status_code=200)

    app = Brubeck(handler_tuples=[(r"^/lying$", Lying)])
    passed = app.handle_service(service_frames(b"GET", b"/lying")) or []
    assert passed[4:] == [b"200", b"", b"{not json"]  # already JSON, as far as anyone can tell
    reply = app.handle_service(service_frames(b"GET", b"/lying", codec=b"msgpack")) or []
    assert reply[4] == b"500" and msgpack.decode(reply[6])["title"] == "Internal Server Error"
    assert "error serving" in caplog.text


class Recorder(WebMessageHandler):
    """Records (topic, body) of what it handles; its reply is never sent."""

    seen: list[tuple[str | None, bytes]] = []

    def post(self) -> Any:
        self.seen.append((self.message.headers.get("TOPIC"), self.message.body))
        return self.render()


def test_pull_frames_run_the_handler_and_return_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", "brubeck.app")
    Recorder.seen = []
    app = Brubeck(handler_tuples=[(r"^/record$", Recorder)])
    frames = service_frames(b"POST", b"/record", b"1", b"")[1:]
    assert app.handle_one_way(frames) is None
    assert app.handle_one_way(service_frames(b"POST", b"/record", b"2")[1:]) is None  # an id
    assert app.handle_one_way(service_frames(b"POST", b"/nowhere", b"3")[1:]) is None  # a 404
    assert Recorder.seen == [(None, b"1"), (None, b"2")]
    assert "404 POST /nowhere (one-way)" in caplog.text
    with pytest.raises(ServiceProtocolError):
        app.handle_one_way(service_frames(b"POST", b"/record"))  # eight frames
    with pytest.raises(ServiceProtocolError):
        app.handle_one_way(service_frames(b"post", b"/record")[1:])


def test_events_run_the_handler_with_their_topic() -> None:
    Recorder.seen = []
    app = Brubeck(handler_tuples=[(r"^/record$", Recorder)])
    event = [b"todos.created", *service_frames(b"POST", b"/record", b"1", b"")[1:]]
    assert app.handle_event(event) is None
    spoofed = service.format_request(
        service.ServiceRequest(json_codec.CODEC, b"", "POST", "/record", {"topic": "forged"})
    )
    assert app.handle_event([b"t\xff", *spoofed]) is None  # not UTF-8: replaced
    assert Recorder.seen == [("todos.created", b"1"), ("t\ufffd", b"")]
    with pytest.raises(ServiceProtocolError):
        app.handle_event(service_frames(b"POST", b"/record", b"1", b"r1"))  # an id: not an event
