"""Authentication: Brubeck 0.4's ``demo_auth`` on this API.

``POST /brubeck`` with ``username`` and ``password`` arguments: the
``@authenticated`` method runs only when ``get_current_user`` finds the user
(200), and the reply is a 401 otherwise. The demo user ``jd`` (password
``foo``) is a ``brubeck.models.User``: its password is stored as a scrypt
hash and checked in constant time (0.4 compared bcrypt hashes with ``==``).

Run it with ``python examples/auth_demo.py`` (requests through the in-process
client), or serve it with ``brubeck run examples.auth_demo:app --wsgi 127.0.0.1:6767``
and try ``curl -d username=jd -d password=foo http://127.0.0.1:6767/brubeck``.
"""

from __future__ import annotations

import logging
from typing import Any

from brubeck.app import Brubeck
from brubeck.auth import UserHandlingMixin, authenticated
from brubeck.handlers import WebMessageHandler
from brubeck.models import User
from brubeck.testing import TestClient

log = logging.getLogger("auth_demo")

demo_user = User.create_user("jd", "foo")


class DemoHandler(UserHandlingMixin, WebMessageHandler):
    def get_current_user(self) -> Any:
        """The user named by the request's credentials, if they are right."""
        username = self.get_argument("username")
        password = self.get_argument("password")
        if username != demo_user.username:
            log.info("Auth fail: username incorrect")
            return None
        if not demo_user.check_password(password or ""):
            log.info("Auth fail: password incorrect")
            return None
        return demo_user

    @authenticated
    def post(self) -> Any:
        """Needs a username and password."""
        self.set_body(f"{self.current_user.username} logged in successfully!")
        return self.render()


app = Brubeck(handler_tuples=[(r"^/brubeck$", DemoHandler)])


def show(label: str, response: Any) -> None:
    print(f"--- {label} -> {response.status} {response.reason}: {response.text!r}")


def main() -> None:
    client = TestClient(app)
    print(f"demo_user.password = {demo_user.password[:24]}... (a scrypt hash)")
    credentials = {"username": "jd", "password": "foo"}
    show("POST /brubeck (jd, foo)", client.post("/brubeck", data=credentials))
    wrong = {"username": "jd", "password": "bar"}
    show("POST /brubeck (jd, bar)", client.post("/brubeck", data=wrong))
    show("POST /brubeck (no credentials)", client.post("/brubeck"))


if __name__ == "__main__":
    main()
