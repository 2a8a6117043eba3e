"""brubeck.handlers.web: WebMessageHandler, render() and http_response()."""

from __future__ import annotations

import time
from typing import Any

import pytest

from brubeck.app import Brubeck
from brubeck.errors import ProtocolError
from brubeck.handlers import WebMessageHandler, http_response, render
from brubeck.handlers.base import MessageHandler
from brubeck.protocol.cookies import cookie_encode
from brubeck.testing import TestClient, parse_http_response

SECRET = "a secret long enough"


class Page(WebMessageHandler):
    def get(self) -> Any:
        name = self.get_argument("name", "nobody")
        self.set_body(f"hello {name}", headers={"Content-Type": "text/plain"})
        return self.render()

    def post(self) -> Any:
        self.set_body(",".join(self.get_arguments("x")), status_code=201)
        return self.render()


class Default(WebMessageHandler):
    def get(self) -> Any:
        return self.render()  # no set_status: 0.4's default is an error


class Redirect(WebMessageHandler):
    def get(self) -> Any:
        return self.redirect("/elsewhere")

    def post(self) -> Any:
        return self.redirect("/moved", status_code=301)


class Cookies(WebMessageHandler):
    def get(self) -> Any:
        self.set_cookie("plain", "v1")
        self.set_cookie("signed", {"user": "alice"}, secret=SECRET)
        self.set_body(str(self.get_cookie("incoming", "none")))
        return self.render()

    def post(self) -> Any:
        value = self.get_cookie("signed", "rejected", secret=SECRET)
        self.set_body(repr(value))
        return self.render()

    def delete(self) -> Any:
        self.delete_cookies()
        self.set_body("")
        return self.render()


class Secure(WebMessageHandler):
    def get(self) -> Any:
        self.set_secure_cookie("session", 42)
        return self.render(status_code=200)

    def post(self) -> Any:
        self.set_body(repr(self.get_secure_cookie("session")))
        return self.render()


def client(**kwargs: Any) -> TestClient:
    routes = [
        (r"^/page$", Page),
        (r"^/default$", Default),
        (r"^/redirect$", Redirect),
        (r"^/cookies$", Cookies),
        (r"^/secure$", Secure),
    ]
    return TestClient(Brubeck(handler_tuples=routes, **kwargs))


def test_set_body_status_and_arguments() -> None:
    test = client()
    response = test.get("/page", params={"name": " brubeck "})
    assert (response.status, response.text) == (200, "hello brubeck")
    assert response.headers["Content-Type"] == "text/plain"
    created = test.post("/page?x=1", data={"x": ["2", "3"]})
    assert (created.status, created.reason, created.text) == (201, "Created", "1,2,3")


def test_render_before_set_status_is_a_500_as_in_04() -> None:
    assert client().get("/default").status == 500


def test_redirect() -> None:
    test = client()
    found = test.get("/redirect")
    assert (found.status, found.reason, found.headers["Location"]) == (302, "Found", "/elsewhere")
    moved = test.post("/redirect", body=b"")
    assert (moved.status, moved.headers["Location"]) == (301, "/moved")


def test_redirect_refuses_header_injection() -> None:
    class Evil(WebMessageHandler):
        def get(self) -> Any:
            return self.redirect("/x\r\nSet-Cookie: a=b")

    with pytest.raises(ValueError):
        TestClient(Brubeck(handler_tuples=[(r"^/", Evil)])).get("/")


def test_set_header_checks_names_and_values() -> None:
    handler = WebMessageHandler(Brubeck(), None)
    handler.set_header("X-Count", 3)
    assert handler.headers["X-Count"] == "3"
    for name, value in [("X-Bad", "a\nb"), ("Bad Name", "v"), ("X-Nul", "a\x00")]:
        with pytest.raises(ValueError):
            handler.set_header(name, value)
    handler.clear_header("X-Count")
    assert "X-Count" not in handler.headers


def test_each_cookie_gets_its_own_set_cookie_line() -> None:
    test = client()
    response = test.get("/cookies", cookies={"incoming": "hi"})
    assert response.text == "hi"
    lines = response.headers.get_all("Set-Cookie")
    assert len(lines) == 2
    assert lines[0] == "plain=v1; Path=/; SameSite=Lax; HttpOnly"
    assert lines[1].startswith("signed=!") and "?" in lines[1]
    raw = b"".join(response.messages)
    assert raw.count(b"\r\nSet-Cookie: ") == 2


def test_signed_cookies_round_trip_and_refuse_forgeries() -> None:
    test = client()
    test.get("/cookies")  # the client keeps the cookies it is given
    assert test.post("/cookies", body=b"").text == "{'user': 'alice'}"
    test.cookies["signed"] = test.cookies["signed"][:-4] + "AAA="
    assert test.post("/cookies", body=b"").text == "'rejected'"


def test_a_signed_cookie_is_bound_to_its_name() -> None:
    test = client()
    test.get("/cookies")
    stolen = cookie_encode(["other", {"user": "admin"}], SECRET)
    assert test.post("/cookies", body=b"", cookies={"signed": stolen}).text == "'rejected'"


def test_signed_cookies_expire() -> None:
    test = client(cookie_max_age=60)
    old = cookie_encode(["signed", "v"], SECRET, issued_at=time.time() - 120)
    assert test.post("/cookies", body=b"", cookies={"signed": old}).text == "'rejected'"
    fresh = cookie_encode(["signed", "v"], SECRET, issued_at=time.time() - 30)
    assert test.post("/cookies", body=b"", cookies={"signed": fresh}).text == "'v'"


def test_a_pickle_cookie_from_04_is_never_unpickled() -> None:
    pickled = "!c2lnbmF0dXJl?gAJYBQAAAGhlbGxvcQAu"
    assert client().post("/cookies", body=b"", cookies={"signed": pickled}).text == "'rejected'"


def test_secure_cookies_use_the_app_secret() -> None:
    test = client(cookie_secret=SECRET)
    test.get("/secure")
    assert test.post("/secure", body=b"").text == "42"
    with pytest.raises(RuntimeError, match="cookie_secret"):
        client().get("/secure")


def test_delete_cookies_expires_every_request_cookie() -> None:
    test = client()
    test.cookies.update({"a": "1", "b": "2"})
    response = test.delete("/cookies")
    lines = response.headers.get_all("Set-Cookie")
    assert [line.split("=")[0] for line in lines] == ["a", "b"]
    assert all("Max-Age=0" in line and "Expires=Thu, 01 Jan 1970" in line for line in lines)
    assert test.cookies == {}


def test_set_cookie_rules() -> None:
    handler = WebMessageHandler(Brubeck(), None)
    with pytest.raises(TypeError, match="Secret missing"):
        handler.set_cookie("n", 5)
    with pytest.raises(ValueError):
        handler.set_cookie("bad name", "v")
    with pytest.raises(ValueError):
        handler.set_cookie("n", "v", samesite="none")  # SameSite=None needs Secure
    with pytest.raises(ValueError):
        handler.set_cookie("n", "dark; Domain=example.com")
    handler.set_cookie("n", "hello", httponly=False, samesite="strict", secure=True)
    assert handler.cookies["n"] == "n=hello; Path=/; SameSite=Strict; Secure"
    assert handler.convert_cookies() == [handler.cookies["n"]]


def test_render_returns_04s_dict() -> None:
    handler = WebMessageHandler(Brubeck(), None)
    handler.set_body("body", status_code=404)
    assert handler.render() == {
        "body": "body",
        "status_code": 404,
        "status_msg": "Not found",
        "headers": {},
    }
    assert handler.render(http_200=True)["status_code"] == 200
    assert render("b", 201, "Created", {"A": "1"}) == {
        "body": "b",
        "status_code": 201,
        "status_msg": "Created",
        "headers": {"A": "1"},
    }


def test_http_response_builds_the_whole_response() -> None:
    data = http_response("héllo", 201, "Created", {"Content-Type": "text/plain"})
    assert data == (
        b"HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\n"
        + "héllo".encode()
    )
    assert parse_http_response(http_response(None, 204, None, {}))[0] == 204
    with pytest.raises(ProtocolError):
        http_response("x", 200, "OK\r\nX: y", {})
    with pytest.raises(ProtocolError):
        http_response("x", 200, "OK", {"X": "a\nb"})


def test_redirect_takes_status_and_status_code() -> None:
    class Moves(WebMessageHandler):
        def get(self) -> Any:
            return self.redirect("/a", status=301)

        def post(self) -> Any:
            return self.redirect("/b", status_code=307)

    test = TestClient(Brubeck(handler_tuples=[(r"^/", Moves)]))
    assert test.get("/").status == 301
    assert test.post("/", body=b"").status == 307


def test_delete_cookies_skips_names_it_cannot_set() -> None:
    test = client()
    response = test.delete("/cookies", headers={"Cookie": "session=abc; cart[items]=3"})
    assert [line.split("=")[0] for line in response.headers.get_all("Set-Cookie")] == ["session"]


def test_status_messages_default_to_the_standard_phrase() -> None:
    handler = WebMessageHandler(Brubeck(), None)
    handler.set_status(201)
    assert handler.status_msg == "Created"
    handler.set_status(404)
    assert handler.status_msg == "Not found"  # 0.4's own table first


# -- construction: MessageHandler.__init__ inline, unless a mixin's comes between ----


class CountingInit(MessageHandler):
    """A mixin whose own __init__ lies between WebMessageHandler's and MessageHandler's."""

    def __init__(self, application: Any, message: Any, *args: Any, **kwargs: Any) -> None:
        self.mixin_saw = (args, kwargs)
        super().__init__(application, message, *args, **kwargs)


class WithMixin(WebMessageHandler, CountingInit):
    pass


class BelowMixin(WithMixin):
    pass


class Unrelated:
    def __init__(self) -> None:
        raise AssertionError("after MessageHandler in the MRO: never called")


class AfterBase(WebMessageHandler, Unrelated):
    """A plain class after MessageHandler in the MRO: its __init__ was never called."""


class Plain(WebMessageHandler):
    def initialize(self) -> None:
        super().initialize()
        self.initialized = True


def _request() -> Any:
    from brubeck.protocol import mongrel2
    from brubeck.protocol.request import Request

    raw = mongrel2.format_request("sender", 7, "/", {"METHOD": "GET", "VERSION": "HTTP/1.1"}, b"")
    return Request(mongrel2.parse(raw))


def test_inline_init_builds_what_messagehandlers_init_builds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app, request = Brubeck(), _request()
    monkeypatch.setattr(time, "time", lambda: 1234.5678)
    assert Plain._plain_base_init
    inline = Plain(app, request)
    general = Plain.__new__(Plain)
    general._set_cookies = {}
    MessageHandler.__init__(general, app, request)
    assert inline.__dict__ == general.__dict__
    assert inline.initialized and inline.timestamp == 1234567
    assert list(inline.__dict__) == list(general.__dict__)


def test_a_mixins_init_between_is_still_called() -> None:
    assert not WithMixin._plain_base_init and not BelowMixin._plain_base_init
    assert AfterBase._plain_base_init and Plain._plain_base_init
    AfterBase(Brubeck(), _request())
    for cls in (WithMixin, BelowMixin):
        handler = cls(Brubeck(), _request(), "extra", flag=True)
        assert handler.mixin_saw == (("extra",), {"flag": True})
        assert handler.headers == {} and handler._set_cookies == {} and handler.body == ""
        assert handler._url_args == () and handler.timestamp > 0
