"""A login page and a signed session: Brubeck 0.4's ``demo_login`` on this API.

``/`` needs a user (``@web_authenticated``): without one it redirects (302)
to the app's ``login_url``, ``/login``. Signing in as ``jd`` (password ``foo``)
sets a signed session cookie that holds the user name and its issue time
(HMAC-SHA256 with the app's ``cookie_secret``; ``HttpOnly``, ``SameSite=Lax``;
refused after ``cookie_max_age``), then redirects to ``/``. ``/logout``
deletes the cookie. 0.4's demo kept the **password** in a plain cookie and
checked it on every request; here the password is checked once, at sign-in.

Run it with ``python examples/login_demo.py`` (requests through the in-process
client), or serve it with ``brubeck run examples.login_demo:app --wsgi 127.0.0.1:6767``
and open http://127.0.0.1:6767/. Set ``BRUBECK_COOKIE_SECRET`` to keep sessions
across restarts (and for more than one worker). Needs Jinja2:
``pip install 'brubeck[templates-jinja2]'``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from brubeck.app import Brubeck
from brubeck.auth import UserHandlingMixin, web_authenticated
from brubeck.models import User
from brubeck.templating import Jinja2Rendering, load_jinja2_env
from brubeck.testing import TestClient

TEMPLATES = Path(__file__).parent / "templates" / "login"
SESSION = "session"

demo_user = User.create_user("jd", "foo")
USERS = {demo_user.username: demo_user}


class SessionMixin(UserHandlingMixin, Jinja2Rendering):
    """The current user is the one the signed session cookie names."""

    def get_current_user(self) -> Any:
        return USERS.get(self.get_secure_cookie(SESSION) or "")


class LandingHandler(SessionMixin):
    @web_authenticated
    def get(self) -> Any:
        """The landing page, for signed-in users only."""
        return self.render_template("landing.html", user=self.current_user)


class LoginHandler(SessionMixin):
    def get(self) -> Any:
        """The login form."""
        return self.render_template("login.html", username="", error=None)

    def post(self) -> Any:
        """Check the credentials once; on success start a session."""
        username = (self.get_argument("username") or "").lower()
        user = USERS.get(username)
        if user is None or not user.check_password(self.get_argument("password") or ""):
            error = "Wrong username or password."
            return self.render_template(
                "login.html", _status_code=403, username=username, error=error
            )
        self.set_secure_cookie(SESSION, user.username)  # the name only, signed
        return self.redirect("/")


class LogoutHandler(SessionMixin):
    def get(self) -> Any:
        """End the session and go back to the login form."""
        self.delete_cookie(SESSION)
        return self.redirect("/login")


app = Brubeck(
    handler_tuples=[
        (r"^/login$", LoginHandler),
        (r"^/logout$", LogoutHandler),
        (r"^/$", LandingHandler),
    ],
    template_loader=load_jinja2_env(TEMPLATES),
    base_handler=Jinja2Rendering,
    login_url="/login",
    cookie_secret=os.environ.get("BRUBECK_COOKIE_SECRET") or secrets.token_urlsafe(32),
    cookie_max_age=8 * 3600,
)


def show(label: str, response: Any, client: TestClient) -> None:
    print(f"--- {label} -> {response.status} {response.reason}")
    for name in ("Location", "Set-Cookie"):
        for value in response.headers.get_all(name):
            print(f"  {name}: {value}")
    for line in response.text.splitlines():
        if "<h1>" in line or 'class="error"' in line:
            print(f"  {line.strip()}")
    print(f"  cookies kept by the client: {sorted(client.cookies)}")


def main() -> None:
    client = TestClient(app)
    show("GET /", client.get("/"), client)
    show("GET /login", client.get("/login"), client)
    wrong = {"username": "jd", "password": "bar"}
    show("POST /login (jd, bar)", client.post("/login", data=wrong), client)
    right = {"username": "jd", "password": "foo"}
    show("POST /login (jd, foo)", client.post("/login", data=right), client)
    show("GET /", client.get("/"), client)
    show("GET /logout", client.get("/logout"), client)
    show("GET /", client.get("/"), client)


if __name__ == "__main__":
    main()
