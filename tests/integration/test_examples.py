"""The main examples served for real: a real Mongrel2 in front, the example's
``app`` in its own process by the real command (``python -m brubeck run
examples.NAME:app --mongrel2 PULL,PUB --concurrency BACKEND``), real HTTP
through Mongrel2's port, and a clean SIGTERM at the end.

Each test class is one example; its class-scoped ``served`` fixture starts one
Mongrel2 and one app per backend (eventlet behind the JSON header protocol,
gevent behind tnetstrings), shared by the class's tests. The in-process
behaviours of the same examples are in tests/test_examples.py.
"""

from __future__ import annotations

import http.client
import http.cookies
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from brubeck.protocol.cookies import cookie_decode
from tests.integration.conftest import ROOT, Server, require_mongrel2

#: (backend, header protocol): both backends, and both protocols on the way.
BACKENDS = [("eventlet", "json"), ("gevent", "tnetstring")]
COOKIE_SECRET = secrets.token_urlsafe(32)
Reply = tuple[int, http.client.HTTPMessage, bytes]


class ExampleServer(Server):
    """A real Mongrel2 and ``examples.NAME:app`` run by ``python -m brubeck run``.

    Reuses conftest's :class:`Server` (Mongrel2, requests, log tails) with
    another command line and readiness check: the examples have no ``/ready``.
    """

    def __init__(self, run_dir: Path, backend: str, protocol: str, example: str) -> None:
        super().__init__(run_dir, protocol, backend)
        self.example = example

    def __repr__(self) -> str:
        return f"<Mongrel2 {self.config.protocol} + examples.{self.example} on {self.backend}>"

    def start_app(self, wait: bool = True) -> subprocess.Popen[str]:
        log = open(self.run_dir / f"app-{len(self.apps)}.log", "w")  # noqa: SIM115
        self._logs.append(log)
        command = [
            sys.executable, "-m", "brubeck", "run", f"examples.{self.example}:app",
            "--mongrel2", ",".join(self.config.pair), "--concurrency", self.backend,
            "--upload-dir", self.mongrel2.upload_dir,
        ]  # fmt: skip
        env = {**os.environ, "BRUBECK_COOKIE_SECRET": COOKIE_SECRET}  # login_demo's secret
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=log, text=True, cwd=ROOT, env=env
        )
        self.apps.append(process)
        if wait:
            self.wait_ready(process)
        return process

    def wait_ready(self, process: subprocess.Popen[str], timeout: float = 20.0) -> None:
        """Wait until ``GET /`` through Mongrel2 gets any answer from the app.

        Short timeouts and retries: a reply published before the app's PUB
        socket has joined Mongrel2's SUB is lost (ZeroMQ's slow joiner).
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the app exited with {process.returncode}\n{self.log_tail()}")
            try:
                self.request("GET", "/", timeout=1.0)  # any status: the app is there
            except OSError:
                time.sleep(0.05)
                continue
            return
        raise RuntimeError(f"the app did not answer within {timeout} s\n{self.log_tail()}")

    def check(self, reply: Reply, status: int) -> Reply:
        """``reply`` if its status is ``status``; else fail with the logs."""
        assert reply[0] == status, f"{reply[0]} != {status}: {reply[2]!r}\n{self.log_tail()}"
        return reply

    def assert_stops_cleanly(self) -> None:
        """SIGTERM stops the app with exit status 0."""
        (process,) = self.apps
        code, _ = self.stop_app(process)
        assert code == 0, f"exit status {code}\n{self.log_tail()}"


@pytest.fixture(scope="class", params=BACKENDS, ids=lambda p: f"{p[0]}-{p[1]}")
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ExampleServer]:
    """One Mongrel2 and the class's ``EXAMPLE`` served behind it, per backend."""
    require_mongrel2()
    backend, protocol = request.param
    example = request.cls.EXAMPLE
    run_dir = tmp_path_factory.mktemp(f"{example}-{backend}")
    server = ExampleServer(run_dir, backend, protocol, example)
    server.start()
    try:
        server.start_app()
        yield server
    finally:
        server.close()


@pytest.fixture
def server(served: ExampleServer, request: pytest.FixtureRequest) -> ExampleServer:
    """``served``, with its logs in the report of a failing test (conftest's hook)."""
    request.node._brubeck_servers = [served]
    return served


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}


def text(reply: Reply) -> str:
    return reply[2].decode()


# -- one class per example; each ends with the SIGTERM check --------------------------------


class TestMinimalDemo:
    EXAMPLE = "minimal_demo"

    def test_takes_five(self, server: ExampleServer) -> None:
        # The app's own Mongrel2Connection (0.4's ports) is replaced by --mongrel2's.
        reply = server.check(server.request("GET", "/brubeck"), 200)
        assert text(reply) == "Take five, dude!"
        reply = server.check(server.request("GET", "/brubeck?name=you"), 200)
        assert text(reply) == "Take five, you!"
        assert reply[1]["Content-Length"] == str(len(reply[2]))

    def test_no_route_is_404(self, server: ExampleServer) -> None:
        server.check(server.request("GET", "/brubeck/more"), 404)

    def test_sigterm_exits_0(self, server: ExampleServer) -> None:
        server.assert_stops_cleanly()


class TestNoclassesDemo:
    EXAMPLE = "noclasses_demo"

    def test_get_and_post_go_to_two_functions(self, server: ExampleServer) -> None:
        got = server.check(server.request("GET", "/brubeck?name=you"), 200)
        assert text(got) == "Take five, you!"
        assert got[1]["Content-Type"] == "text/plain; charset=utf-8"
        posted = server.check(server.request("POST", "/brubeck", b"name=you", FORM), 200)
        assert text(posted) == "you posted: take five!"

    def test_head_has_no_body(self, server: ExampleServer) -> None:
        assert server.check(server.request("HEAD", "/brubeck"), 200)[2] == b""

    def test_other_verbs_are_405_listing_both(self, server: ExampleServer) -> None:
        refused = server.check(server.request("DELETE", "/brubeck"), 405)
        assert refused[1]["Allow"] == "GET, POST, HEAD"

    def test_sigterm_exits_0(self, server: ExampleServer) -> None:
        server.assert_stops_cleanly()


class TestUrlargsDemo:
    EXAMPLE = "urlargs_demo"

    @pytest.mark.parametrize(
        ("path", "expected"),
        [
            ("/", "Take five!"),
            ("/class/james", "Take five, james!"),  # a class, a positional group
            ("/fun/jimmy", "Take five, jimmy!"),  # a function, a named group
            ("/deco/jd", "Take five, jd!"),  # @app.add_route, an optional named group
            ("/deco", "Take five, dude!"),  # the group left out: the default
        ],
    )
    def test_groups_become_arguments(self, server: ExampleServer, path: str, expected: str) -> None:
        assert text(server.check(server.request("GET", path), 200)) == expected

    def test_raw_paths_only(self, server: ExampleServer) -> None:
        server.check(server.request("GET", "/class/a%20b"), 404)  # \w+ never sees a space
        server.check(server.request("GET", "/fun/"), 404)

    def test_sigterm_exits_0(self, server: ExampleServer) -> None:
        server.assert_stops_cleanly()


class TestJinja2Demo:
    EXAMPLE = "jinja2_demo"

    def test_renders_escaped_html(self, server: ExampleServer) -> None:
        path = "/brubeck?name=%3Cscript%3Ealert(1)%3C/script%3E"
        page = server.check(server.request("GET", path), 200)
        assert page[1]["Content-Type"] == "text/html; charset=utf-8"
        assert "<h1>Take five, &lt;script&gt;alert(1)&lt;/script&gt;!</h1>" in text(page)
        assert "<script>" not in text(page)
        assert "<h1>Take five, dude!</h1>" in text(server.request("GET", "/brubeck"))

    def test_404_is_an_html_error_page(self, server: ExampleServer) -> None:
        missing = server.check(server.request("GET", "/nowhere"), 404)
        assert missing[1]["Content-Type"] == "text/html; charset=utf-8"
        assert "<h1>404: Not found</h1>" in text(missing)

    def test_405_is_an_html_error_page(self, server: ExampleServer) -> None:
        refused = server.check(server.request("POST", "/brubeck", b"", FORM), 405)
        assert refused[1]["Content-Type"] == "text/html; charset=utf-8"
        assert refused[1]["Allow"] == "GET, HEAD, OPTIONS"
        assert "<h1>405: Method not allowed</h1>" in text(refused)

    def test_sigterm_exits_0(self, server: ExampleServer) -> None:
        server.assert_stops_cleanly()


def session_of(reply: Reply) -> http.cookies.Morsel[str]:
    """The ``session`` cookie a reply sets (its only Set-Cookie)."""
    (line,) = reply[1].get_all("Set-Cookie") or []
    jar: http.cookies.SimpleCookie = http.cookies.SimpleCookie(line)
    return jar["session"]


class TestLoginDemo:
    EXAMPLE = "login_demo"

    def test_a_signed_session_from_login_to_logout(self, server: ExampleServer) -> None:
        first = server.check(server.request("GET", "/"), 302)
        assert first[1]["Location"] == "/login"
        form = server.check(server.request("GET", "/login"), 200)
        assert form[1]["Content-Type"] == "text/html; charset=utf-8"

        wrong = server.request("POST", "/login", b"username=jd&password=bar", FORM)
        assert "Wrong username or password." in text(server.check(wrong, 403))
        assert wrong[1].get_all("Set-Cookie") is None

        signed_in = server.request("POST", "/login", b"username=jd&password=foo", FORM)
        assert server.check(signed_in, 302)[1]["Location"] == "/"
        (line,) = signed_in[1].get_all("Set-Cookie") or []
        assert "foo" not in line and "password" not in line  # the name only, signed
        assert "HttpOnly" in line and "SameSite=Lax" in line
        session = session_of(signed_in).value
        assert cookie_decode(session, COOKIE_SECRET) == ["session", "jd"]

        cookie = {"Cookie": f"session={session}"}
        landing = server.check(server.request("GET", "/", headers=cookie), 200)
        assert "<h1>Welcome, jd!</h1>" in text(landing)
        forged = session[:5] + ("A" if session[5] != "A" else "B") + session[6:]
        server.check(server.request("GET", "/", headers={"Cookie": f"session={forged}"}), 302)

        signed_out = server.check(server.request("GET", "/logout", headers=cookie), 302)
        assert signed_out[1]["Location"] == "/login"
        deleted = session_of(signed_out)
        assert deleted.value == "" and (deleted["max-age"] == "0" or deleted["expires"])
        server.check(server.request("GET", "/"), 302)  # the browser dropped the cookie

    def test_sigterm_exits_0(self, server: ExampleServer) -> None:
        server.assert_stops_cleanly()


class TestLongpollingDemo:
    EXAMPLE = "longpolling_demo"

    def test_several_polls_in_flight_are_all_answered(self, server: ExampleServer) -> None:
        posted = server.request("POST", "/feed", b"text=first", FORM)
        cursor = json.loads(server.check(posted, 200)[2])["next"]
        answers: list[Reply | BaseException] = []

        def poll() -> None:
            try:  # under POLL_SECONDS (20 s): a poll that timed out with [] fails too
                answers.append(server.request("GET", f"/feed?since={cursor}", timeout=15))
            except BaseException as exc:  # noqa: BLE001 - reported by the test below
                answers.append(exc)

        polls = [threading.Thread(target=poll) for _ in range(6)]
        for thread in polls:
            thread.start()
        time.sleep(0.5)
        # While they wait, the app still answers other requests.
        server.check(server.request("GET", "/", timeout=10), 200)
        assert answers == []  # nothing new yet: they are all still waiting
        news = server.request("POST", "/feed", b"text=news", FORM)
        assert json.loads(server.check(news, 200)[2])["next"] == cursor + 1
        for thread in polls:
            thread.join(timeout=20)
        assert len(answers) == len(polls), f"{len(answers)} answered\n{server.log_tail()}"
        for answer in answers:
            assert not isinstance(answer, BaseException), f"{answer!r}\n{server.log_tail()}"
            feed = json.loads(server.check(answer, 200)[2])
            assert (feed["messages"], feed["next"]) == (["news"], cursor + 1)

    def test_what_came_after_the_cursor_at_once(self, server: ExampleServer) -> None:
        feed = json.loads(server.check(server.request("GET", "/feed?since=0"), 200)[2])
        assert feed["messages"][:1] == ["first"] and feed["next"] == len(feed["messages"])
        server.check(server.request("GET", "/feed?since=x"), 400)

    def test_sigterm_exits_0(self, server: ExampleServer) -> None:
        server.assert_stops_cleanly()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"  # not UTF-8 text


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> Any:
    """A ``multipart/form-data`` body and its headers, as a browser sends them."""
    boundary = uuid.uuid4().hex
    parts = [
        f'Content-Disposition: form-data; name="{name}"\r\n\r\n{value}'.encode()
        for name, value in fields.items()
    ]
    for name, (filename, data, content_type) in files.items():
        head = f'name="{name}"; filename="{filename}"\r\nContent-Type: {content_type}'
        parts.append(f"Content-Disposition: form-data; {head}\r\n\r\n".encode() + data)
    body = b"".join(b"--%s\r\n%s\r\n" % (boundary.encode(), part) for part in parts)
    body += b"--%s--\r\n" % boundary.encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


class TestMultipartDemo:
    EXAMPLE = "multipart_demo"

    def test_an_upload_is_kept_and_sent_back(self, server: ExampleServer) -> None:
        body, headers = multipart(
            {"note": "<b>a word</b>"}, {"data": ("../../word.png", PNG, "image/png")}
        )
        sent = server.check(server.request("POST", "/", body, headers), 302)
        assert sent[1]["Location"] == "/"
        page = text(server.check(server.request("GET", "/"), 200))
        assert '<a href="/files/word.png">word.png</a> (18 bytes, image/png)' in page  # no path
        assert "&lt;b&gt;a word&lt;/b&gt;" in page and "<b>" not in page
        back = server.check(server.request("GET", "/files/word.png"), 200)
        assert back[2] == PNG
        assert back[1]["Content-Type"] == "application/octet-stream"
        assert back[1]["Content-Disposition"] == "attachment"
        server.check(server.request("GET", "/files/other.png"), 404)

    def test_no_file_is_400(self, server: ExampleServer) -> None:
        body, headers = multipart({"note": "no file"}, {})
        server.check(server.request("POST", "/", body, headers), 400)

    def test_a_body_mongrel2_spools_is_refused_with_413(self, server: ExampleServer) -> None:
        # Over limits.content_length (20 KiB here): Mongrel2 writes it to a temp
        # file and announces the upload; the demo's upload_start refuses it.
        big = bytes(range(256)) * 120
        assert len(big) > server.config.content_length
        body, headers = multipart({}, {"data": ("big.bin", big, "application/octet-stream")})
        refused = server.check(server.request("POST", "/", body, headers), 413)
        assert text(refused) == "That file is too large."

    def test_sigterm_exits_0(self, server: ExampleServer) -> None:
        server.assert_stops_cleanly()


@pytest.mark.skipif(
    not (ROOT / "examples" / "autoapi_demo.py").exists(), reason="no examples/autoapi_demo.py"
)
class TestAutoapiDemo:
    EXAMPLE = "autoapi_demo"

    def test_todos_over_rest(self, server: ExampleServer) -> None:
        made = server.request("POST", "/todo/", json.dumps({"title": "milk"}).encode(), JSON)
        todo = json.loads(server.check(made, 201)[2])
        assert made[1]["Content-Type"].startswith("application/json")
        assert (todo["title"], todo["completed"]) == ("milk", False)
        tid = todo["id"]
        uuid.UUID(tid)

        listed = json.loads(server.check(server.request("GET", "/todo/"), 200)[2])
        assert [(item["id"], item["title"]) for item in listed] == [(tid, "milk")]
        one = json.loads(server.check(server.request("GET", f"/todo/{tid}"), 200)[2])
        assert (one["id"], one["title"]) == (tid, "milk")

        change = json.dumps({"title": "oat milk", "completed": True}).encode()
        server.check(server.request("PUT", f"/todo/{tid}", change, JSON), 200)
        one = json.loads(server.check(server.request("GET", f"/todo/{tid}"), 200)[2])
        assert (one["title"], one["completed"]) == ("oat milk", True)

        server.check(server.request("DELETE", f"/todo/{tid}"), 200)
        server.check(server.request("GET", f"/todo/{tid}"), 404)
        assert json.loads(server.check(server.request("GET", "/todo/"), 200)[2]) == []

    def test_an_invalid_todo_is_400_with_the_path(self, server: ExampleServer) -> None:
        bad = server.request("POST", "/todo/", json.dumps({"title": ""}).encode(), JSON)
        errors = json.loads(server.check(bad, 400)[2])["errors"]
        assert [error["path"] for error in errors] == ["$.title"]

    def test_manifest_and_page(self, server: ExampleServer) -> None:
        (schema,) = json.loads(server.check(server.request("GET", "/manifest.json"), 200)[2])
        assert schema["title"] == "Todo"
        assert {"title", "completed", "order"} <= set(schema["properties"])
        page = server.check(server.request("GET", "/"), 200)
        assert page[1]["Content-Type"] == "text/html; charset=utf-8"
        assert "<h1>Todos</h1>" in text(page)

    def test_sigterm_exits_0(self, server: ExampleServer) -> None:
        server.assert_stops_cleanly()
