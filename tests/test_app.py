"""brubeck.app: the Brubeck application, end to end through real wire bytes."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brubeck.app import Brubeck
from brubeck.connections import Mongrel2Connection
from brubeck.errors import HTTPError
from brubeck.handlers import Close, JSONMessageHandler, Reply, WebMessageHandler, render
from brubeck.protocol import mongrel2
from brubeck.protocol.request import Request
from brubeck.testing import TestClient, parse_http_response
from tests.helpers import MONGREL2_CAPTURES


class Hello(WebMessageHandler):
    def get(self) -> Any:
        self.set_body("hello")
        return self.render()


class Boom(WebMessageHandler):
    def get(self) -> Any:
        raise KeyError("boom")


class BadPrepare(WebMessageHandler):
    def prepare(self) -> None:
        raise RuntimeError("prepare failed")

    def get(self) -> Any:  # pragma: no cover - never reached
        return self.render(status_code=200)


class Patchable(WebMessageHandler):
    def patch(self) -> Any:
        self.set_body("patched")
        return self.render()


class Silent(WebMessageHandler):
    def get(self) -> None:
        return None  # long polling: no reply now


def make_app(**kwargs: Any) -> Brubeck:
    routes = [
        (r"^/hello$", Hello),
        (r"^/boom$", Boom),
        (r"^/prepare$", BadPrepare),
        (r"^/patch$", Patchable),
        (r"^/silent$", Silent),
    ]
    return Brubeck(handler_tuples=routes, **kwargs)


# -- construction ---------------------------------------------------------------------


def test_brubeck04_keywords_are_accepted_and_stored() -> None:
    db = object()
    app = Brubeck(
        msg_conn=None,
        handler_tuples=[],
        pool=None,
        no_handler=None,
        base_handler=None,
        template_loader=None,
        log_level=logging.DEBUG,
        login_url="/login",
        db_conn=db,
        cookie_secret="s3cret",
        api_base_url="/api/",
    )
    assert (app.login_url, app.db_conn, app.cookie_secret, app.api_base_url) == (
        "/login",
        db,
        "s3cret",
        "/api/",
    )
    assert logging.getLogger("brubeck").level == logging.DEBUG
    logging.getLogger("brubeck").setLevel(logging.NOTSET)


def test_unknown_keywords_are_an_error() -> None:
    with pytest.raises(TypeError):
        Brubeck(handler_tupels=[])  # type: ignore[call-arg]


def test_the_library_never_configures_logging() -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    Brubeck(log_level=logging.INFO)
    assert root.handlers == before
    logging.getLogger("brubeck").setLevel(logging.NOTSET)


def test_mongrel2_pair_builds_a_connection_and_msg_conn_wins() -> None:
    app = Brubeck(mongrel2_pair=("tcp://127.0.0.1:9999", "tcp://127.0.0.1:9998"))
    assert isinstance(app.msg_conn, Mongrel2Connection)
    assert (app.msg_conn.pull_addr, app.msg_conn.pub_addr) == (
        "tcp://127.0.0.1:9999",
        "tcp://127.0.0.1:9998",
    )
    mine = Mongrel2Connection("ipc://a", "ipc://b")
    assert Brubeck(msg_conn=mine, mongrel2_pair=("ipc://c", "ipc://d")).msg_conn is mine


def test_template_loader_is_called_once_and_must_load() -> None:
    calls: list[int] = []

    class Env:
        def get_template(self, name: str) -> Any:
            class Template:
                def render(self, **context: Any) -> str:
                    return f"{name}:{context['x']}"

            return Template()

    def loader() -> Env:
        calls.append(1)
        return Env()

    app = Brubeck(template_loader=loader)
    assert app.render_template("page.html", x=5) == "page.html:5"
    assert calls == [1]
    with pytest.raises(ValueError, match="template_env failed to load"):
        Brubeck(template_loader=lambda: None)


def test_routes_before_and_after_the_first_one() -> None:
    app = Brubeck()
    assert not hasattr(app, "_routes")  # 0.4's tests check exactly this
    app.add_route_rule(r"^/x$", Hello)
    assert [(regex.pattern, target) for regex, target in app._routes] == [(r"^/x$", Hello)]


# -- routing through the app ----------------------------------------------------------------


def test_a_request_with_no_route_is_404_with_a_problem_body() -> None:
    response = TestClient(make_app()).get("/nowhere")
    assert (response.status, response.reason) == (404, "Not Found")
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json() == {"type": "about:blank", "title": "Not Found", "status": 404}


def test_a_verb_the_handler_lacks_is_405_with_allow() -> None:
    response = TestClient(make_app()).post("/hello", body=b"x")
    assert response.status == 405
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_patch_is_a_verb() -> None:
    client = TestClient(make_app())
    assert client.patch("/patch", body=b"{}").text == "patched"
    assert client.get("/patch").headers["Allow"] == "PATCH, OPTIONS"


def test_options_lists_the_verbs_as_text() -> None:
    response = TestClient(make_app()).options("/hello")
    assert response.status == 200
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"


def test_head_runs_get_and_sends_no_body() -> None:
    response = TestClient(make_app()).head("/hello")
    assert response.status == 200
    assert response.headers["Content-Length"] == "5"
    assert response.body == b""


def test_function_routes_with_str_list_and_no_methods() -> None:
    app = Brubeck()

    @app.add_route(r"^/one$", method="GET")
    def one(application: Brubeck, request: Request) -> Any:
        return render("one", 200, "OK", {})

    @app.add_route(r"^/two$", method=["get", "post"])
    def two(application: Brubeck, request: Request) -> Any:
        return render(request.method, 200, "OK", {})

    @app.add_route(r"^/any$")
    def any_verb(application: Brubeck, request: Request) -> Any:
        return render(request.method, 200, "OK", {})

    client = TestClient(app)
    assert client.get("/one").text == "one"
    assert client.post("/one", body=b"").status == 405  # "GE" in "GET" is not a match here
    assert client.post("/two", body=b"").text == "POST"
    assert client.delete("/any").text == "DELETE"


def test_decorated_routes_take_named_groups() -> None:
    app = Brubeck()

    @app.add_route(r"^/deco/(?P<name>\w+)$", method="GET")
    def deco(application: Brubeck, request: Request, name: str) -> Any:
        return render(f"hi {name}", 200, "OK", {})

    assert TestClient(app).get("/deco/brubeck").text == "hi brubeck"


def test_same_pattern_different_verbs_go_to_different_functions() -> None:
    app = Brubeck()

    @app.add_route(r"^/item$", method="GET")
    def read(application: Brubeck, request: Request) -> Any:
        return render("read", 200, "OK", {})

    @app.add_route(r"^/item$", method="POST")
    def create(application: Brubeck, request: Request) -> Any:
        return render("created", 201, "Created", {})

    client = TestClient(app)
    assert client.get("/item").text == "read"
    created = client.post("/item", body=b"")
    assert (created.status, created.reason, created.text) == (201, "Created", "created")
    assert client.put("/item", body=b"").headers["Allow"] == "GET, POST, HEAD"


def test_route_message_returns_a_zero_argument_callable() -> None:
    app = make_app()
    request = Request.parse_msg(
        mongrel2.format_request("s", 1, "/hello", {"METHOD": "GET", "PATH": "/hello"})
    )
    result = app.route_message(request)()
    assert result["status_code"] == 200 and result["body"] == "hello"


def test_a_custom_base_handler_renders_404_and_405() -> None:
    class Base(JSONMessageHandler):
        pass

    app = Brubeck(handler_tuples=[(r"^/hello$", Hello)], base_handler=Base)
    client = TestClient(app)
    missing = client.get("/missing")
    assert missing.status == 404 and missing.json()["status_code"] == 404
    assert client.post("/hello", body=b"").status == 405


# -- errors ---------------------------------------------------------------------------------


def test_a_handler_exception_is_a_logged_500(caplog: pytest.LogCaptureFixture) -> None:
    client = TestClient(make_app(), raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="brubeck"):
        response = client.get("/boom")
    assert response.status == 500
    assert response.json() == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
    }
    assert "boom" not in response.text  # no internals leak to the client
    assert any(record.exc_info and record.exc_info[0] is KeyError for record in caplog.records)


def test_an_exception_in_prepare_is_a_500_too() -> None:
    client = TestClient(make_app(), raise_server_exceptions=False)
    assert client.get("/prepare").status == 500


def test_the_test_client_reraises_server_exceptions_by_default() -> None:
    with pytest.raises(KeyError, match="boom"):
        TestClient(make_app()).get("/boom")


def test_text_error_bodies() -> None:
    client = TestClient(make_app(error_format="text"), raise_server_exceptions=False)
    response = client.get("/boom")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.text == "500 Internal Server Error\n"
    with pytest.raises(ValueError):
        Brubeck(error_format="xml")


def test_error_handlers_are_found_along_the_mro() -> None:
    app = make_app()
    app.add_error_handler(LookupError, lambda request, exc: Reply(409, [], b"lookup"))
    client = TestClient(app)
    assert (client.get("/boom").status, client.get("/boom").text) == (409, "lookup")
    app.add_error_handler(KeyError, lambda request, exc: Reply(410, [], b"key"))
    assert client.get("/boom").status == 410  # the more specific handler wins
    with pytest.raises(TypeError):
        app.add_error_handler(int, lambda request, exc: None)  # type: ignore[arg-type]


def test_a_failing_error_handler_still_gives_a_500() -> None:
    app = make_app()

    def broken(request: Request, exc: BaseException) -> Reply:
        raise ValueError("handler bug")

    app.add_error_handler(KeyError, broken)
    assert TestClient(app, raise_server_exceptions=False).get("/boom").status == 500


def test_http_errors_carry_status_headers_and_detail() -> None:
    class Teapot(WebMessageHandler):
        def get(self) -> Any:
            raise HTTPError(418, "No coffee here", {"pot": "tea"}, [("Retry-After", "60")])

    response = TestClient(Brubeck(handler_tuples=[(r"^/", Teapot)])).get("/")
    assert (response.status, response.reason) == (418, "I'm a teapot")
    assert response.headers["Retry-After"] == "60"
    assert response.json() == {
        "type": "about:blank",
        "title": "I'm a teapot",
        "status": 418,
        "detail": "No coffee here",
        "pot": "tea",
    }


def test_a_header_that_would_split_the_response_is_a_500() -> None:
    class Splitter(WebMessageHandler):
        def get(self) -> Any:
            self.headers["X-Evil"] = "a\r\nSet-Cookie: pwned=1"
            return self.render(status_code=200)

    client = TestClient(Brubeck(handler_tuples=[(r"^/", Splitter)]), raise_server_exceptions=False)
    response = client.get("/")
    assert response.status == 500
    assert "pwned" not in response.headers.get("Set-Cookie", "")
    assert b"pwned" not in b"".join(response.messages)


# -- replies: none, close, exactly one ---------------------------------------------------------


def test_returning_none_means_no_reply_now() -> None:
    response = TestClient(make_app()).get("/silent")
    assert (response.replied, response.messages) == (False, [])


def test_http10_and_connection_close_get_a_close_after_the_reply() -> None:
    client = TestClient(make_app())
    response = client.get("/hello", headers={"Connection": "close"})
    assert response.status == 200 and response.closed
    assert response.headers["Connection"] == "close"
    assert len(response.messages) == 2 and response.messages[1].endswith(b", ")
    assert not client.get("/hello").closed


@pytest.mark.parametrize("protocol", ["tnet", "json"])
@pytest.mark.parametrize(
    ("capture", "closes"),
    [("http10", True), ("connection_close", True), ("get_query", False)],
)
def test_captured_http10_and_connection_close_requests_are_closed(
    protocol: str, capture: str, closes: bool
) -> None:
    """Mongrel2's own messages: HTTP/1.0 without keep-alive, and ``Connection: close``."""
    raw = (MONGREL2_CAPTURES[0].parent / f"{capture}.{protocol}.bin").read_bytes()
    app = Brubeck(handler_tuples=[(r"^/", Hello)])
    reply = app.handle(Request(mongrel2.parse(raw)))
    assert isinstance(reply, Reply) and reply.status == 200
    assert reply.close is closes
    messages = app.handle_message(raw)
    assert len(messages) == (2 if closes else 1)
    keep_alive = mongrel2.parse(raw)
    keep_alive.headers["connection"] = "keep-alive"  # HTTP/1.0 keep-alive stays open
    assert app.handle(Request(keep_alive)).close is False  # type: ignore[union-attr]


def test_a_body_over_the_limit_is_413() -> None:
    client = TestClient(make_app(max_body_size=10))
    assert client.post("/hello", body=b"x" * 11).status == 413
    assert client.post("/hello", body=b"x" * 10).status == 405


def test_a_handler_may_close_the_connection() -> None:
    class Closer(WebMessageHandler):
        def get(self) -> Close:
            return Close()

    response = TestClient(Brubeck(handler_tuples=[(r"^/", Closer)])).get("/")
    assert (response.replied, response.closed) == (False, True)


def test_a_handler_returning_something_else_is_a_500() -> None:
    class Odd(WebMessageHandler):
        def get(self) -> Any:
            return 42

    with pytest.raises(TypeError, match="int"):
        TestClient(Brubeck(handler_tuples=[(r"^/", Odd)])).get("/")


def test_malformed_messages_get_a_400_and_a_close_when_they_can() -> None:
    app = make_app()
    replies = app.handle_message(b"sender 42 /x 3:abc")  # truncated netstring
    assert len(replies) == 2
    sender, conn_ids, data = mongrel2.parse_reply(replies[0])
    assert (sender, conn_ids) == ("sender", ["42"])
    assert parse_http_response(data)[0] == 400
    assert mongrel2.parse_reply(replies[1])[2] == b""
    assert app.handle_message(b"garbage") == []


class Everything(WebMessageHandler):
    def get(self) -> Any:
        return self.render(status_code=200)

    post = put = websocket_handshake = get

    def websocket(self) -> Any:
        return Close()

    def json_message(self) -> Any:
        return Close()


@pytest.mark.parametrize("capture", MONGREL2_CAPTURES, ids=lambda path: path.name)
def test_every_capture_gets_exactly_the_replies_its_kind_needs(capture: Any) -> None:
    app = Brubeck(handler_tuples=[(r"^", Everything)])
    message = mongrel2.parse(capture.read_bytes())
    replies = app.handle_message(capture.read_bytes())
    if message.kind in (mongrel2.MessageKind.DISCONNECT, mongrel2.MessageKind.UPLOAD_START):
        assert replies == []
        return
    assert replies, "every request gets a reply"
    for reply in replies:
        sender, conn_ids, _ = mongrel2.parse_reply(reply)
        assert (sender, conn_ids) == (message.sender, [message.conn_id])


def test_trusted_proxies_must_be_a_count() -> None:
    for bad, error in [(True, TypeError), ("1", TypeError), (-1, ValueError)]:
        with pytest.raises(error):
            Brubeck(trusted_proxies=bad)
    client = TestClient(Brubeck(handler_tuples=[(r"^/", Hello)], trusted_proxies=1))
    assert client.get("/", headers={"X-Forwarded-For": "203.0.113.9"}).status == 200


# -- review findings: every path ends in exactly the right reply -------------------------------


def served(route: Any, path: str = "/", **client: Any) -> Any:
    return TestClient(Brubeck(handler_tuples=[(r"^/", route)]), **client)


def test_bad_reply_objects_are_500s_not_escapes() -> None:
    app = Brubeck()

    @app.add_route(r"^/str$")
    def str_body(application: Brubeck, request: Request) -> Reply:
        return Reply(200, [], "hello")  # type: ignore[arg-type]

    @app.add_route(r"^/int$")
    def int_body(application: Brubeck, request: Request) -> Any:
        return render(12, 200, "OK", {})  # type: ignore[arg-type]

    client = TestClient(app, raise_server_exceptions=False)
    assert client.get("/str").status == 500
    assert client.get("/int").status == 500


def test_error_handler_results_go_through_the_same_rules() -> None:
    app = make_app()
    app.add_error_handler(KeyError, lambda request, exc: render("gone", 410, "Gone", {}))
    app.add_error_handler(RuntimeError, lambda request, exc: 42)
    client = TestClient(app, raise_server_exceptions=False)
    assert (client.get("/boom").status, client.get("/boom").text) == (410, "gone")
    assert client.get("/prepare").status == 500


def test_an_empty_string_is_an_empty_200_and_only_none_means_no_reply() -> None:
    app = Brubeck()

    @app.add_route(r"^/empty$")
    def empty(application: Brubeck, request: Request) -> str:
        return ""

    response = TestClient(app).get("/empty")
    assert (response.status, response.body) == (200, b"")


def _control(kind: str) -> bytes:
    from brubeck.codecs import json

    body = json.encode({"type": kind})
    return mongrel2.format_request("s", 5, "@*", {"METHOD": "JSON", "PATH": "@*"}, body)


def test_credits_and_unknown_control_messages_get_no_reply() -> None:
    app = Brubeck(handler_tuples=[(r"^.*$", Hello)])
    assert app.handle_message(_control("credits")) == []
    assert app.handle_message(_control("ping")) == []


def test_socket_messages_without_a_handler_close_instead_of_speaking_http() -> None:
    app = Brubeck(handler_tuples=[(r"^/hello$", Hello)])
    chat = mongrel2.format_request(
        "s", 5, "@chat", {"METHOD": "JSON", "PATH": "@chat"}, b'{"msg": "hi"}'
    )
    frame = mongrel2.format_request(
        "s", 5, "/hello", {"METHOD": "WEBSOCKET", "PATH": "/hello", "FLAGS": "0x81"}, b"hi"
    )
    for message in (chat, frame):
        replies = app.handle_message(message)
        assert [mongrel2.parse_reply(reply)[2] for reply in replies] == [b""]


def test_uploads_are_routed_by_their_real_verb() -> None:
    calls: list[str] = []
    app = Brubeck()

    @app.add_route(r"^/up$", method="GET")
    def getter(application: Brubeck, request: Request) -> Any:
        calls.append(request.kind.value)
        return render("x", 200, "OK", {})

    start = mongrel2.format_request(
        "s",
        5,
        "/up",
        {"METHOD": "POST", "PATH": "/up", "x-mongrel2-upload-start": "/tmp/u"},
    )
    replies = app.handle_message(start)
    assert calls == []  # a GET-only function never sees a POST upload
    assert b" 405 " in replies[0] and mongrel2.parse_reply(replies[-1])[2] == b""  # refused


def test_the_first_matching_class_route_answers_405() -> None:
    class Everything(WebMessageHandler):
        def post(self) -> Any:  # pragma: no cover - must not be reached
            return self.render(status_code=200)

    app = Brubeck(handler_tuples=[(r"^/hello$", Hello), (r"^/", Everything)])
    response = TestClient(app).post("/hello", body=b"")
    assert (response.status, response.headers["Allow"]) == (405, "GET, HEAD, OPTIONS")


def test_a_base_handler_405_lists_the_routes_verbs() -> None:
    app = Brubeck(handler_tuples=[(r"^/hello$", Hello)], base_handler=WebMessageHandler)
    response = TestClient(app).post("/hello", body=b"")
    assert (response.status, response.headers["Allow"]) == (405, "GET, HEAD, OPTIONS")


def test_url_arguments_are_raw_path_text() -> None:
    class Files(WebMessageHandler):
        def get(self, name: str) -> Any:
            self.set_body(name)
            return self.render(status_code=200)

    app = Brubeck(handler_tuples=[(r"^/files/([^/]+)$", Files)])
    assert TestClient(app).get("/files/..%2Fetc%2Fpasswd").text == "..%2Fetc%2Fpasswd"


def test_codec_errors_in_server_code_are_500s_and_bad_forms_400s() -> None:
    from brubeck.codecs import json

    class Stored(WebMessageHandler):
        def get(self) -> Any:
            json.decode(b'{"broken')  # a corrupt stored row: the server's problem
            return None  # pragma: no cover

        def post(self) -> Any:
            self.set_body(str(self.get_argument("x")))
            return self.render(status_code=200)

    client = served(Stored, raise_server_exceptions=False)
    assert client.get("/").status == 500
    bad_form = client.post("/", body=b"--x\r\n", content_type="multipart/form-data; boundary=x")
    assert bad_form.status == 400
    assert bad_form.json()["detail"]


def test_latin1_header_bytes_can_be_echoed() -> None:
    class Echo(JSONMessageHandler):
        def get(self) -> Any:
            self.add_to_payload("agent", self.message.headers["user-agent"])
            return self.render(status_code=200)

    headers = {"METHOD": "GET", "PATH": "/", "user-agent": "caf\udce9"}
    replies = Brubeck(handler_tuples=[(r"^/", Echo)]).handle_message(
        mongrel2.format_request("s", 1, "/", headers)
    )
    body = parse_http_response(mongrel2.parse_reply(replies[0])[2])[3]
    assert b'"agent":"caf\xc3\xa9"' in body


def test_route_message_takes_04_style_messages() -> None:
    class MockMessage:
        path = "/hello"
        method = "GET"

    result = make_app().route_message(MockMessage())()  # type: ignore[arg-type]
    assert result["status_code"] == 200


def test_typed_function_routes() -> None:
    from brubeck.handlers import typed
    from brubeck.models import Document, StringField

    class Note(Document):
        text = StringField(required=True, max_length=5)

    app = Brubeck()

    @app.add_route(r"^/notes/(?P<book>\w+)$", method="POST")
    @typed(body=Note, reply=Note, status=201)
    def add(application: Brubeck, request: Request, note: Note, book: str) -> Note:
        return Note(text=f"{book}:{note.text}"[:5])

    client = TestClient(app)
    created = client.post("/notes/ab", json={"text": "hi"})
    assert (created.status, created.json()) == (201, {"text": "ab:hi"})
    assert client.post("/notes/ab", json={"text": "far too long"}).status == 400


# -- fuzz: no input bytes make an exception escape handle_message ------------------------------

FUZZ_APP = Brubeck(handler_tuples=[(r"^/hello", Hello), (r"^/boom", Boom), (r"^", Everything)])
CAPTURE_BYTES = [path.read_bytes() for path in MONGREL2_CAPTURES]


@settings(max_examples=800)
@given(
    st.sampled_from(CAPTURE_BYTES),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=4),
)
def test_mutated_captures_never_escape_handle_message(
    data: bytes, edits: list[tuple[int, int]]
) -> None:
    mutated = bytearray(data)
    for position, byte in edits:
        mutated[position % len(mutated)] = byte
    replies = FUZZ_APP.handle_message(bytes(mutated))
    assert len(replies) <= 2
    for reply in replies:
        mongrel2.parse_reply(reply)  # every reply is a well-formed Mongrel2 reply


@settings(max_examples=300)
@given(
    st.sampled_from(["GET", "POST", "HEAD", "PATCH", "JSON", "WEBSOCKET", "XML", "BREW"]),
    st.sampled_from(["/hello", "/boom", "/x", "@chat", "@*"]),
    st.dictionaries(st.sampled_from(["content-type", "accept", "connection", "cookie"]), st.text()),
    st.binary(max_size=64),
)
def test_built_messages_get_at_most_one_reply(
    method: str, path: str, extra: dict[str, str], body: bytes
) -> None:
    headers: dict[str, Any] = {**extra, "METHOD": method, "PATH": path, "VERSION": "HTTP/1.1"}
    replies = FUZZ_APP.handle_message(mongrel2.format_request("s", 9, path, headers, body))
    http_replies = [r for r in replies if mongrel2.parse_reply(r)[2]]
    assert len(http_replies) <= 1
