"""brubeck.cli and brubeck.supervisor: arguments, app loading, the demo, workers."""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import zmq
import zmq.auth

from brubeck.cli import (
    CALL_FAILED,
    CALL_TIMED_OUT,
    CommandError,
    _mongrel2_connection,
    _parser,
    _worker_command,
    load_app,
    main,
)
from brubeck.concurrency import Backend, get_backend
from brubeck.connections import CurveServer, Mongrel2Connection
from brubeck.demo import make_app
from brubeck.testing import TestClient
from tests.connections.conftest import Server, in_thread, run_green
from tests.connections.conftest import make_app as make_service_app

ROOT = Path(__file__).parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def app_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "cliapp.py").write_text(
        textwrap.dedent(
            """
            from brubeck.app import Brubeck
            from brubeck.connections import Mongrel2Connection
            app = Brubeck()
            behind = Brubeck(msg_conn=Mongrel2Connection("tcp://h:1", "tcp://h:2", upload_dir="/u"))
            not_an_app = 42
            """
        )
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    return "cliapp"


def test_load_app_finds_the_attribute(app_module: str) -> None:
    assert load_app(f"{app_module}:app").msg_conn is None


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("cliapp", "expected MODULE:APP"),
        ("no_such_module_here:app", "no module named"),
        ("cliapp:missing", "has no 'missing'"),
        ("cliapp:not_an_app", "not a Brubeck app"),
    ],
)
def test_load_app_errors_are_clear(app_module: str, spec: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        load_app(spec)


def test_command_errors_exit_2_without_a_traceback(
    app_module: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "cliapp:not_an_app"]) == 2
    assert "not a Brubeck app" in capsys.readouterr().err


def namespace(**values: object) -> argparse.Namespace:
    defaults = {"app": "m:app", "wsgi": None, "mongrel2": None, "concurrency": None,
                "upload_dir": None, "dir": "mongrel2", "monkey_patch": False,
                "workers": 3, "verbose": False}  # fmt: skip
    return argparse.Namespace(**{**defaults, **values})


def test_mongrel2_addresses_come_from_the_flag_the_app_or_the_run_dir(
    app_module: str, tmp_path: Path
) -> None:
    flag = _mongrel2_connection("tcp://a:1,tcp://a:2", namespace(), load_app("cliapp:app"))
    assert (flag.pull_addr, flag.pub_addr) == ("tcp://a:1", "tcp://a:2")
    from_app = _mongrel2_connection("", namespace(), load_app("cliapp:behind"))
    assert (from_app.pull_addr, from_app.upload_dir) == ("tcp://h:1", "/u")
    (tmp_path / "mongrel2" / "tmp").mkdir(parents=True)
    default = _mongrel2_connection("", namespace(), load_app("cliapp:app"))
    assert isinstance(default, Mongrel2Connection)
    assert (
        default.pair == ("tcp://127.0.0.1:9999", "tcp://127.0.0.1:9998")
        if hasattr(default, "pair")
        else (default.pull_addr, default.pub_addr)
        == ("tcp://127.0.0.1:9999", "tcp://127.0.0.1:9998")
    )
    assert default.upload_dir == str((tmp_path / "mongrel2" / "tmp").resolve())
    with pytest.raises(CommandError, match="PULL,PUB"):
        _mongrel2_connection("tcp://only-one", namespace(), load_app("cliapp:app"))


def test_worker_command_runs_one_worker_with_the_same_options() -> None:
    command = _worker_command(namespace(mongrel2="tcp://a:1,tcp://a:2", concurrency="gevent"))
    assert command[:6] == [sys.executable, "-m", "brubeck", "run", "m:app", "--workers"]
    assert command[6] == "1"
    assert "--mongrel2" in command and "tcp://a:1,tcp://a:2" in command
    assert command[command.index("--concurrency") + 1] == "gevent"


@pytest.mark.parametrize("verbose", [True, False])
def test_worker_command_passes_verbose_on(verbose: bool) -> None:
    command = _worker_command(namespace(verbose=verbose, wsgi="8000"))
    worker = _parser().parse_args(command[3:])  # what the worker process parses
    assert worker.verbose is verbose
    assert (worker.command, worker.app, worker.workers, worker.wsgi) == ("run", "m:app", 1, "8000")


def test_the_demo_app_serves_a_typed_api() -> None:
    client = TestClient(make_app())
    assert client.get("/hello?name=you").text == "Hello you"
    created = client.post("/todos", json={"title": "Take five", "order": 1})
    assert created.status == 201 and created.json()["id"] == 1
    assert client.get("/todos/1").json()["title"] == "Take five"
    assert client.get("/todos/9").status == 404
    invalid = client.post("/todos", json={"title": "", "order": -1})
    assert invalid.status == 400
    assert {error["path"] for error in invalid.json()["errors"]} == {"$.title", "$.order"}
    assert "POST /todos" in client.get("/").text


def wait_for_http(url: str, process: subprocess.Popen[str], timeout: float = 20.0) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - loopback
                return bytes(response.read())
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"{url} did not answer")


@pytest.mark.parametrize("backend", ["eventlet", "gevent"])
def test_brubeck_demo_serves_until_interrupted(backend: str) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "brubeck", "demo", "--port", str(port), "--concurrency", backend],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        assert wait_for_http(f"http://127.0.0.1:{port}/hello?name=demo", process) == b"Hello demo"
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert f"http://127.0.0.1:{port}/" in out
    assert "Eventlet is deprecated" not in err


@pytest.mark.parametrize("backend", ["eventlet", "gevent"])
def test_brubeck_run_wsgi_with_two_workers_restarts_a_dead_one(
    app_module: str, backend: str
) -> None:
    Path("two.py").write_text(
        textwrap.dedent(
            """
            import os
            from brubeck.app import Brubeck
            from brubeck.handlers import WebMessageHandler
            class Pid(WebMessageHandler):
                def get(self):
                    self.set_body(str(os.getpid()))
                    return self.render()
            app = Brubeck(handler_tuples=[(r"^/pid$", Pid)])
            """
        )
    )
    port = free_port()
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.getcwd()}"}
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "brubeck", "run", "two:app", "--wsgi", str(port), "--workers", "2",
         "--concurrency", backend],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        first = int(wait_for_http(f"http://127.0.0.1:{port}/pid", supervisor))
        os.kill(first, signal.SIGKILL)  # a worker this test started (through the supervisor)
        deadline = time.monotonic() + 20
        pids = set()
        while time.monotonic() < deadline and len(pids - {first}) < 2:
            try:
                pids.add(int(wait_for_http(f"http://127.0.0.1:{port}/pid", supervisor)))
            except ValueError:
                pass
        assert len(pids - {first}) == 2  # the other worker and the replacement
    finally:
        supervisor.send_signal(signal.SIGTERM)
        _, err = supervisor.communicate(timeout=40)
    assert supervisor.returncode == 0, err
    assert "restarting" in err


# -- brubeck call: a service in green threads here, the command in an OS thread ---------


@pytest.fixture(params=["eventlet", "gevent"])
def service(request: pytest.FixtureRequest) -> Iterator[tuple[Backend, Server]]:
    """A service (the tests' app) served from this thread's hub."""
    backend = get_backend(request.param)
    app, _ = make_service_app(backend)
    box: dict[str, Server] = {}
    run_green(backend, lambda: box.setdefault("server", Server(backend, app)))
    yield backend, box["server"]
    run_green(backend, box["server"].stop)


def call(service: tuple[Backend, Server], *argv: str) -> int:
    backend, server = service
    status: int = in_thread(backend, lambda: main(["call", server.endpoint, *argv]))
    return status


def test_call_prints_the_reply_as_json(
    service: tuple[Backend, Server], capsys: pytest.CaptureFixture[str]
) -> None:
    assert call(service, "/echo", "--json", '{"text": "é", "n": [1, 2]}') == 0
    assert json.loads(capsys.readouterr().out) == {"text": "é", "n": [1, 2]}
    assert call(service, "/echo", "--json", '"x"', "--codec", "tnetstring", "--verb", "put") == 0
    assert json.loads(capsys.readouterr().out) == "x"
    assert call(service, "/headers", "-H", "X-User=ann", "--codec", "json") == 0  # GET: no body
    assert json.loads(capsys.readouterr().out)["seen"] == {"x-user": "ann"}


def test_call_lists_the_routes(
    service: tuple[Backend, Server], capsys: pytest.CaptureFixture[str]
) -> None:
    assert call(service, "/_brubeck/routes") == 0
    routes = json.loads(capsys.readouterr().out)["routes"]
    todos = next(route for route in routes if route["pattern"] == r"^/todos$")
    assert todos["verbs"]["POST"]["body"]["required"] == ["title"]


def test_call_exits_non_zero_for_errors_and_timeouts(
    service: tuple[Backend, Server], capsys: pytest.CaptureFixture[str]
) -> None:
    assert call(service, "/nowhere") == CALL_FAILED
    out, err = capsys.readouterr()
    assert json.loads(out)["status"] == 404 and "404 Not Found" in err
    assert call(service, "/todos", "--json", '{"priority": -1}') == CALL_FAILED
    assert json.loads(capsys.readouterr().out)["errors"][0]["path"] == "$.title"
    assert call(service, "/sleep/500", "--verb", "POST", "--timeout", "0.1") == CALL_TIMED_OUT
    assert "no reply from tcp://127.0.0.1:" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["/echo", "--json", "{nope"], "--json is not valid JSON"),
        (["/echo", "-H", "no-equals"], "NAME=VALUE"),
        (["no-slash"], "path: the path must start with /"),
        (["/echo", "--verb", "g e t"], "verb:"),
        (["/echo", "--timeout", "0"], "--timeout must be positive"),
        (["/echo", "--server-key", "k"], "both --server-key and --secret-key"),
        (["/echo", "--server-key", "nope.key", "--secret-key", "nope"], "nope"),
    ],
)
def test_call_usage_errors_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["call", "tcp://127.0.0.1:1", *argv]) == 2
    assert message in capsys.readouterr().err


def test_brubeck_call_on_the_command_line(service: tuple[Backend, Server]) -> None:
    backend, server = service
    command = [sys.executable, "-m", "brubeck", "call", server.endpoint, "/echo", "--json", "[1]"]
    done = in_thread(
        backend,
        lambda: subprocess.run(command, capture_output=True, text=True, timeout=30, cwd=ROOT),
    )
    assert (done.returncode, json.loads(done.stdout)) == (0, [1]), done.stderr


@pytest.mark.skipif(not zmq.has("curve"), reason="libzmq was built without CURVE")
def test_call_with_curve_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    backend = get_backend("gevent")
    (tmp_path / "clients").mkdir()
    for name in ("server", "ann"):
        zmq.auth.create_certificates(tmp_path, name)
    (tmp_path / "clients" / "ann.key").write_bytes((tmp_path / "ann.key").read_bytes())
    app, _ = make_service_app(backend)
    curve = CurveServer(tmp_path / "server.key_secret", tmp_path / "clients")
    server = run_green(backend, lambda: Server(backend, app, curve=curve))
    keys = ["--server-key", str(tmp_path / "server.key")]
    argv = ["call", server.endpoint, "/echo", "--json", "1", *keys]
    assert (
        in_thread(backend, lambda: main([*argv, "--secret-key", str(tmp_path / "ann.key_secret")]))
        == 0
    )
    assert capsys.readouterr().out.strip() == "1"
    server_secret = str(tmp_path / "server.key_secret")  # a key pair the server does not allow
    assert (
        in_thread(backend, lambda: main([*argv, "--secret-key", server_secret, "--timeout", "0.3"]))
        == CALL_TIMED_OUT
    )
    run_green(backend, server.stop)
