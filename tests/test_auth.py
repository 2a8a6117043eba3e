"""brubeck.auth: authenticated, web_authenticated, UserHandlingMixin, signed sessions."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest

from brubeck import auth, passwords
from brubeck.app import Brubeck
from brubeck.auth import UserHandlingMixin, authenticated, web_authenticated
from brubeck.handlers import JSONMessageHandler, WebMessageHandler
from brubeck.models import User
from brubeck.protocol.cookies import cookie_encode
from brubeck.templating import Jinja2Rendering, load_jinja2_env
from brubeck.testing import TestClient

SECRET = "a cookie secret for the tests"
ALICE = User(username="alice", password=passwords.hash_password("wonderland", ln=4))
USERS = {"alice": ALICE}


class SessionUser(UserHandlingMixin):
    """The user is named by a signed session cookie, or by ?user= in some tests."""

    lookups = 0

    def get_current_user(self) -> Any:
        SessionUser.lookups += 1
        name = self.get_secure_cookie("session") or self.get_argument("user")  # type: ignore[attr-defined]
        return USERS.get(name or "")


class Session(SessionUser, WebMessageHandler):
    pass


class Private(Session):
    @authenticated
    def get(self) -> Any:
        """Only for users."""
        self.set_body(f"hello {self.current_user.username}")
        return self.render()


class Challenging(Private):
    def auth_error(self) -> None:
        self.set_header("WWW-Authenticate", 'Cookie realm="brubeck"')


class Landing(Session):
    @web_authenticated
    def get(self) -> Any:
        self.set_body(f"welcome {self.current_user.username}")
        return self.render()


class Login(Session):
    def post(self) -> Any:
        user = USERS.get(self.get_argument("username") or "")
        if user is None or not user.check_password(self.get_argument("password") or ""):
            self.set_body("bad credentials", status_code=403)
            return self.render()
        self.set_secure_cookie("session", user.username)  # the name, never the password
        return self.redirect("/")


class Logout(Session):
    def get(self) -> Any:
        self.delete_cookie("session")
        return self.redirect("/login")


class JSONPrivate(SessionUser, JSONMessageHandler):
    @authenticated
    def get(self) -> Any:
        return self.render(status_code=200)


ROUTES = [
    (r"^/private$", Private),
    (r"^/challenge$", Challenging),
    (r"^/json$", JSONPrivate),
    (r"^/login$", Login),
    (r"^/logout$", Logout),
    (r"^/$", Landing),
]


def make_app(**kwargs: Any) -> Brubeck:
    return Brubeck(handler_tuples=ROUTES, cookie_secret=SECRET, **kwargs)


# -- authenticated ------------------------------------------------------------------------


def test_authenticated_without_a_user_is_a_401() -> None:
    response = TestClient(make_app()).get("/private")
    assert (response.status, response.body) == (401, b"")


def test_authenticated_with_a_user_runs_the_method() -> None:
    response = TestClient(make_app()).get("/private", params={"user": "alice"})
    assert (response.status, response.text) == (200, "hello alice")


def test_auth_error_hook_shapes_the_401() -> None:
    response = TestClient(make_app()).get("/challenge")
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == 'Cookie realm="brubeck"'


def test_authenticated_on_a_json_handler() -> None:
    client = TestClient(make_app())
    response = client.get("/json")
    assert response.status == 401
    assert response.json()["status_code"] == 401
    assert client.get("/json", params={"user": "alice"}).status == 200


def test_authenticated_on_a_template_handler_renders_the_error_page(tmp_path: Path) -> None:
    # 0.4: a TypeError in render_error, so no reply at all.
    (tmp_path / "errors.html").write_text("<h1>{{ error_code }} {{ status_msg }}</h1>")

    class Page(UserHandlingMixin, Jinja2Rendering):
        @authenticated
        def get(self) -> Any:  # pragma: no cover - never reached
            return self.render_template("page.html")

    app = Brubeck(handler_tuples=[(r"^/$", Page)], template_loader=load_jinja2_env(tmp_path))
    response = TestClient(app).get("/")
    assert (response.status, response.text) == (401, "<h1>401 Authentication failed</h1>")
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"


def test_the_decorators_keep_the_method_name_and_docstring() -> None:
    assert Private.get.__name__ == "get"
    assert Private.get.__doc__ == "Only for users."


# -- web_authenticated ----------------------------------------------------------------------


def test_web_authenticated_redirects_to_login_url() -> None:
    response = TestClient(make_app(login_url="/login")).get("/")
    assert response.status == 302
    assert response.headers["Location"] == "/login"


def test_web_authenticated_without_login_url_is_a_logged_401(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="brubeck.auth"):
        response = TestClient(make_app()).get("/")
    assert response.status == 401
    assert "login_url" in caplog.text


def test_web_authenticated_with_a_user_runs_the_method() -> None:
    response = TestClient(make_app(login_url="/login")).get("/", params={"user": "alice"})
    assert (response.status, response.text) == (200, "welcome alice")


# -- the login flow: a signed session cookie -------------------------------------------------


def test_login_flow_with_a_signed_session_cookie() -> None:
    client = TestClient(make_app(login_url="/login"))
    assert client.get("/").headers["Location"] == "/login"

    bad = client.post("/login", data={"username": "alice", "password": "nope"})
    assert bad.status == 403 and "session" not in client.cookies

    ok = client.post("/login", data={"username": "alice", "password": "wonderland"})
    assert (ok.status, ok.headers["Location"]) == (302, "/")
    (line,) = ok.headers.get_all("Set-Cookie")
    assert "HttpOnly" in line and "SameSite=Lax" in line
    assert "wonderland" not in line
    assert client.cookies["session"].startswith("!")  # signed: "!" + signature + "?" + payload

    assert client.get("/").text == "welcome alice"

    out = client.get("/logout")
    assert out.headers["Location"] == "/login"
    assert "session" not in client.cookies
    assert client.get("/").status == 302


def test_a_forged_or_foreign_session_cookie_is_nobody() -> None:
    client = TestClient(make_app(login_url="/login"))
    forged = cookie_encode(["session", "alice"], "another secret")
    assert client.get("/", cookies={"session": forged}).status == 302
    assert client.get("/", cookies={"session": "alice"}).status == 302
    other_name = cookie_encode(["other", "alice"], SECRET)
    assert client.get("/", cookies={"session": other_name}).status == 302
    genuine = cookie_encode(["session", "alice"], SECRET)
    assert client.get("/", cookies={"session": genuine}).status == 200


def test_an_expired_session_is_nobody() -> None:
    client = TestClient(make_app(login_url="/login", cookie_max_age=3600))
    old = cookie_encode(["session", "alice"], SECRET, issued_at=time.time() - 7200)
    assert client.get("/", cookies={"session": old}).status == 302


# -- UserHandlingMixin ----------------------------------------------------------------------


def test_current_user_is_looked_up_once_per_request() -> None:
    handler = Session(make_app(), None)
    handler.message = type("Message", (), {"cookies": {}, "get_argument": lambda *a: "alice"})()
    SessionUser.lookups = 0
    assert handler.current_user is ALICE
    assert handler.current_user is ALICE
    assert SessionUser.lookups == 1
    handler.current_user = None
    assert handler.current_user is None


def test_the_defaults_are_nobody() -> None:
    class Plain(UserHandlingMixin, WebMessageHandler):
        pass

    handler = Plain(make_app(), None)
    assert handler.current_user is None
    assert handler.current_userprofile is None
    assert handler.auth_error() is None


def test_the_04_password_helpers_are_reexported() -> None:
    for name in ("gen_hexdigest", "build_passwd_line", "split_passwd_line", "hash_password"):
        assert getattr(auth, name) is getattr(passwords, name)
