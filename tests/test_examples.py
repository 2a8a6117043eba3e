"""Every example in examples/ runs to the end (a smoke test, in a fresh interpreter)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from brubeck.protocol.cookies import cookie_decode
from brubeck.testing import TestClient

EXAMPLES_DIR = Path(__file__).parent.parent / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda path: path.name)
def test_example_runs(script: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()


def test_the_todos_demo_shows_every_kind_of_answer() -> None:
    script = EXAMPLES_DIR / "todos_demo.py"
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    for status in ("201 Created", "200 OK", "404 Not Found", "400 Bad Request", "415", "405"):
        assert status in out


# -- the 0.4 demos, rewritten: their behaviours through the in-process client ----------------


def load_example(name: str) -> ModuleType:
    """Import examples/NAME.py as a module of its own (the examples are not a package)."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TEMPLATE_DEMOS = ["jinja2_demo", "mako_demo", "mustache_demo", "tornado_demo"]


@pytest.mark.parametrize("name", TEMPLATE_DEMOS)
def test_a_template_demo_renders_and_escapes(name: str) -> None:
    client = TestClient(load_example(name).app)
    page = client.get("/brubeck", params={"name": "<script>alert(1)</script>"})
    assert page.status == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>Take five, &lt;script&gt;alert(1)&lt;/script&gt;!</h1>" in page.text
    assert "<script>" not in page.text
    assert "<h1>Take five, dude!</h1>" in client.get("/brubeck").text


@pytest.mark.parametrize("name", TEMPLATE_DEMOS)
def test_a_template_demo_has_html_error_pages(name: str) -> None:
    client = TestClient(load_example(name).app)
    missing = client.get("/nowhere")
    assert missing.status == 404 and "<h1>404: Not found</h1>" in missing.text
    refused = client.post("/brubeck")
    assert refused.status == 405 and "<h1>405: Method not allowed</h1>" in refused.text
    assert refused.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_the_auth_demo_answers_401_without_the_right_credentials() -> None:
    client = TestClient(load_example("auth_demo").app)
    ok = client.post("/brubeck", data={"username": "jd", "password": "foo"})
    assert (ok.status, ok.text) == (200, "jd logged in successfully!")
    assert client.post("/brubeck", data={"username": "jd", "password": "bar"}).status == 401
    assert client.post("/brubeck", data={"username": "jo", "password": "foo"}).status == 401
    assert client.post("/brubeck").status == 401


def test_the_login_demo_keeps_a_signed_session_never_the_password() -> None:
    demo = load_example("login_demo")
    client = TestClient(demo.app)
    first = client.get("/")
    assert (first.status, first.headers["Location"]) == (302, "/login")
    assert client.get("/login").status == 200

    wrong = client.post("/login", data={"username": "jd", "password": "bar"})
    assert wrong.status == 403 and "Wrong username or password." in wrong.text
    assert client.cookies == {}

    signed_in = client.post("/login", data={"username": "jd", "password": "foo"})
    assert (signed_in.status, signed_in.headers["Location"]) == (302, "/")
    (line,) = signed_in.headers.get_all("Set-Cookie")
    assert "foo" not in line and "password" not in line
    assert "HttpOnly" in line and "SameSite=Lax" in line
    session = client.cookies["session"]
    assert cookie_decode(session, demo.app.cookie_secret) == ["session", "jd"]

    landing = client.get("/")
    assert landing.status == 200 and "<h1>Welcome, jd!</h1>" in landing.text

    forged = session[:5] + ("A" if session[5] != "A" else "B") + session[6:]
    assert client.get("/", cookies={"session": forged}).status == 302

    signed_out = client.get("/logout")
    assert (signed_out.status, signed_out.headers["Location"]) == (302, "/login")
    assert "session" not in client.cookies
    assert client.get("/").status == 302


def test_the_login_demo_escapes_what_the_user_typed() -> None:
    client = TestClient(load_example("login_demo").app)
    page = client.post("/login", data={"username": '"><script>x</script>', "password": "x"})
    assert page.status == 403
    assert "<script>" not in page.text and "&#34;&gt;&lt;script&gt;" in page.text


def test_the_service_demo_calls_its_typed_handler() -> None:
    script = EXAMPLES[0].parent / "service_demo.py"
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    for expected in ("201: {'title': 'take five', 'priority': 1}", "400: Invalid Todo",
                     "from an OS thread: {'title': 'call me'}", "route ^/todos$ ['POST',",
                     "event heard: ['todos.created']", "stopped after 4 requests"):  # fmt: skip
        assert expected in out
