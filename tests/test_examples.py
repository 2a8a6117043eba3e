"""Every example in examples/ runs to the end (a smoke test, in a fresh interpreter)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
import wsgiref.util
import wsgiref.validate
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from brubeck import concurrency
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


def test_the_minimal_demo_takes_five() -> None:
    demo = load_example("minimal_demo")
    client = TestClient(demo.app)
    assert client.get("/brubeck").text == "Take five, dude!"
    assert client.get("/brubeck", params={"name": "you"}).text == "Take five, you!"
    assert client.get("/brubeck/more").status == 404
    conn = demo.app.msg_conn  # 0.4's configuration: a Mongrel2 connection, not yet open
    assert (conn.pull_addr, conn.pub_addr) == ("tcp://127.0.0.1:9999", "tcp://127.0.0.1:9998")


def test_the_noclasses_demo_routes_verbs_to_functions() -> None:
    client = TestClient(load_example("noclasses_demo").app)
    got = client.get("/brubeck", params={"name": "you"})
    assert (got.status, got.text) == (200, "Take five, you!")
    assert got.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert client.post("/brubeck", data={"name": "you"}).text == "you posted: take five!"
    head = client.head("/brubeck")
    assert (head.status, head.body) == (200, b"")
    refused = client.delete("/brubeck")
    assert (refused.status, refused.headers["Allow"]) == (405, "GET, POST, HEAD")


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/", "Take five!"),
        ("/class/james", "Take five, james!"),
        ("/fun/jimmy", "Take five, jimmy!"),
        ("/deco/jd", "Take five, jd!"),
        ("/deco", "Take five, dude!"),  # the empty named group is left out: the default
    ],
)
def test_the_urlargs_demo_passes_groups_as_arguments(path: str, text: str) -> None:
    response = TestClient(load_example("urlargs_demo").app).get(path)
    assert (response.status, response.text) == (200, text)


def test_the_urlargs_demo_matches_raw_paths_only() -> None:
    client = TestClient(load_example("urlargs_demo").app)
    assert client.get("/class/a%20b").status == 404  # \w+ never sees a decoded space
    assert client.get("/fun/").status == 404


def test_a_long_poll_waits_then_answers_with_nothing_new(monkeypatch: pytest.MonkeyPatch) -> None:
    demo = load_example("longpolling_demo")
    monkeypatch.setattr(demo, "POLL_SECONDS", 0.3)
    started = time.monotonic()
    response = TestClient(demo.app).get("/feed", params={"since": 0})
    assert time.monotonic() - started >= 0.29
    assert response.status == 200
    assert (response.json()["messages"], response.json()["next"]) == ([], 0)


def test_a_long_poll_answers_as_soon_as_a_message_is_posted() -> None:
    demo = load_example("longpolling_demo")
    client = TestClient(demo.app)
    backend = concurrency.get_backend()  # the one the demo's handler waits in
    answers: list[Any] = []
    started = time.monotonic()
    polling = backend.spawn(lambda: answers.append(client.get("/feed", params={"since": 0})))
    backend.sleep(0.2)
    assert answers == []  # still waiting
    assert client.post("/feed", data={"text": "take five"}).json()["next"] == 1
    assert polling.join(5)
    assert time.monotonic() - started < demo.POLL_SECONDS
    assert answers[0].json()["messages"] == ["take five"]
    assert demo.FEED.waiting == []


def test_a_long_poll_returns_what_came_after_its_cursor_at_once() -> None:
    demo = load_example("longpolling_demo")
    client = TestClient(demo.app)
    for text in ("one", "two", "three"):
        client.post("/feed", data={"text": text})
    started = time.monotonic()
    feed = client.get("/feed", params={"since": 1}).json()
    assert time.monotonic() - started < 1
    assert (feed["messages"], feed["next"]) == (["two", "three"], 3)
    assert client.get("/feed", params={"since": "x"}).status == 400
    assert client.post("/feed", data={"text": ""}).status == 400
    page = client.get("/")
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert 'fetch("/feed?since="' in page.text


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"  # not UTF-8 text


def test_the_multipart_demo_keeps_uploaded_files_as_bytes() -> None:
    client = TestClient(load_example("multipart_demo").app)
    files = {"data": ("../../word.png", PNG, "image/png")}
    sent = client.post("/", data={"note": "<b>a word</b>"}, files=files)
    assert (sent.status, sent.headers["Location"]) == (302, "/")
    page = client.get("/").text
    assert '<a href="/files/word.png">word.png</a> (18 bytes, image/png)' in page  # no path
    assert "&lt;b&gt;a word&lt;/b&gt;" in page and "<b>" not in page
    back = client.get("/files/word.png")
    assert (back.status, back.body) == (200, PNG)
    assert back.headers["Content-Type"] == "application/octet-stream"
    assert back.headers["Content-Disposition"] == "attachment"
    assert back.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/files/other.png").status == 404


def test_the_multipart_demo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    demo = load_example("multipart_demo")
    monkeypatch.setattr(demo, "KEEP", 2)
    client = TestClient(demo.app)
    too_big = {"data": ("big.bin", b"\0" * (demo.MAX_BODY + 1))}
    assert client.post("/", files=too_big).status == 413
    assert client.post("/", data={"note": "no file"}).status == 400
    for name in ("a.txt", "b.txt", "c.txt"):
        assert client.post("/", files={"data": (name, b"x")}).status == 302
    assert list(demo.UPLOADS) == ["b.txt", "c.txt"]
    # Mongrel2 spooling a big body to disk sends an upload-start message first.
    started = client.post("/", headers={"x-mongrel2-upload-start": "/tmp/upload.XXXX"})
    assert (started.status, started.closed) == (413, True)


def test_the_wsgi_demo_is_a_wsgi_app() -> None:
    app = load_example("wsgi_demo").app
    assert (app.msg_conn.host, app.msg_conn.port) == ("127.0.0.1", 6767)
    environ: dict[str, Any] = {}
    wsgiref.util.setup_testing_defaults(environ)
    environ.update(PATH_INFO="/brubeck", QUERY_STRING="name=you")
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
        started.append((status, headers))
        return lambda data: None

    result = wsgiref.validate.validator(app.wsgi)(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        result.close()  # type: ignore[attr-defined]  # the validator's iterator must be closed
    ((status, headers),) = started
    same = TestClient(app).get("/brubeck", params={"name": "you"})
    assert (status, body) == ("200 OK", same.body) == ("200 OK", b"Take five, you!")
    assert ("Content-Type", "text/plain; charset=utf-8") in headers


def test_the_autoapi_demo_serves_its_todos_and_page() -> None:
    demo = load_example("autoapi_demo")
    client = TestClient(demo.app)
    made = client.post("/todo/", json={"title": "milk", "order": 1})
    assert made.status == 201
    tid = made.json()["id"]  # hide_status: the item itself
    assert client.post("/todo/", json={"text": "0.4's docstring sent text"}).status == 400
    assert client.put(f"/todo/{tid}", json={"title": "milk", "completed": True}).status == 200
    assert client.get(f"/todo/{tid}").json()["completed"] is True
    assert [todo["title"] for todo in client.get("/todo/").json()] == ["milk"]
    assert client.delete(f"/todo/{tid}").status == 200
    assert client.get(f"/todo/{tid}").status == 404
    assert client.get("/manifest.json").json()[0]["title"] == "Todo"
    page = client.get("/")
    assert page.status == 200 and page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "fetch(path" in page.text and "textContent = todo.title" in page.text
