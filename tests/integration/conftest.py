"""Fixtures for tests against a real Mongrel2 (Debian ``mongrel2-core``) and
the app of ``app.py`` in its own process, on 127.0.0.1 and free ports.

Without Mongrel2 these tests are skipped, unless ``BRUBECK_REQUIRE_MONGREL2=1``
(CI sets it) turns the skip into a failure. A failing test prints the end of
Mongrel2's error log and the app's output; both stay in the test's tmp_path.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from brubeck.deploy import LocalMongrel2, Mongrel2Config

APP = Path(__file__).with_name("app.py")
ROOT = Path(__file__).parents[2]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.integration)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Any:
    report = yield
    if report.when == "call" and report.failed:
        for server in getattr(item, "_brubeck_servers", []):
            report.sections.append((f"log of {server!r}", server.log_tail()))
    return report


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def require_mongrel2() -> None:
    if shutil.which("mongrel2") and shutil.which("m2sh"):
        return
    message = "Mongrel2 is not installed (apt-get install mongrel2-core)"
    if os.environ.get("BRUBECK_REQUIRE_MONGREL2") == "1":
        pytest.fail(message)
    pytest.skip(message)


class Server:
    """A real Mongrel2 plus handler processes running tests/integration/app.py;
    with ``protocol="wsgi"``, no Mongrel2: the app serves HTTP itself."""

    def __init__(self, run_dir: Path, protocol: str, backend: str) -> None:
        self.backend = backend
        self.wsgi = protocol == "wsgi"
        self.config = Mongrel2Config(
            port=free_port(),
            send_spec=f"tcp://127.0.0.1:{free_port()}",
            recv_spec=f"tcp://127.0.0.1:{free_port()}",
            protocol="json" if protocol == "wsgi" else protocol,
            content_length=20480,
        )
        self.mongrel2 = LocalMongrel2(run_dir / "m2", self.config)
        self.run_dir = run_dir
        self.apps: list[subprocess.Popen[str]] = []
        self._logs: list[Any] = []

    def __repr__(self) -> str:
        front = "WSGI" if self.wsgi else f"Mongrel2 {self.config.protocol}"
        return f"<{front} + app on {self.backend}>"

    def start(self) -> None:
        if not self.wsgi:
            self.mongrel2.start()

    def start_app(self, wait: bool = True) -> subprocess.Popen[str]:
        log = open(self.run_dir / f"app-{len(self.apps)}.log", "w")  # noqa: SIM115
        self._logs.append(log)
        where = [f"wsgi:{self.config.port}"] if self.wsgi else list(self.config.pair)
        process = subprocess.Popen(
            [sys.executable, str(APP), *where, "--concurrency", self.backend,
             "--upload-dir", self.mongrel2.upload_dir],
            stdout=subprocess.PIPE, stderr=log, text=True, cwd=ROOT,
        )  # fmt: skip
        self.apps.append(process)
        if wait:
            self.wait_ready(process)
        return process

    def wait_ready(self, process: subprocess.Popen[str], timeout: float = 20.0) -> None:
        """Wait until ``process`` answers ``GET /ready``.

        One keep-alive connection polls: with a new connection per request,
        Mongrel2's disconnect message after each one takes the other
        worker's turn in the round-robin, and a second worker never gets a
        request.
        """
        deadline = time.monotonic() + timeout
        conn = None
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the app exited with {process.returncode}\n{self.log_tail()}")
            try:
                conn = conn or self.connection(timeout=1.0)
                conn.request("GET", "/ready")
                response = conn.getresponse()
                body = response.read()
            except OSError:
                if conn is not None:
                    conn.close()
                    conn = None
                time.sleep(0.05)
                continue
            if response.status == 200 and body.decode() == str(process.pid):
                conn.close()
                return
        raise RuntimeError(f"the app did not answer within {timeout} s\n{self.log_tail()}")

    def stop_app(self, process: subprocess.Popen[str], timeout: float = 20.0) -> tuple[int, str]:
        """SIGTERM it; its exit code and what it printed."""
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=timeout)
        return process.returncode, out

    def connection(self, timeout: float = 10.0) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.config.port, timeout=timeout)

    def request(
        self, method: str, path: str, body: bytes | None = None,
        headers: dict[str, str] | None = None, timeout: float = 10.0,
    ) -> tuple[int, http.client.HTTPMessage, bytes]:  # fmt: skip
        conn = self.connection(timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.headers, response.read()
        finally:
            conn.close()

    def log_tail(self) -> str:
        parts = [f"== Mongrel2 error log\n{self.mongrel2.log_tail()}"]
        for index, _ in enumerate(self.apps):
            path = self.run_dir / f"app-{index}.log"
            text = path.read_text(errors="replace") if path.exists() else ""
            parts.append(f"== app {index} stderr\n" + "\n".join(text.splitlines()[-30:]))
        return "\n".join(parts)

    def close(self) -> None:
        for process in self.apps:
            if process.poll() is None:
                process.kill()
            process.communicate(timeout=10)  # also closes its stdout pipe
        for log in self._logs:
            log.close()
        if not self.wsgi:
            self.mongrel2.stop()


@pytest.fixture
def make_server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """``make_server(protocol, backend)``: a started Mongrel2 (apps not started)."""
    require_mongrel2()
    servers: list[Server] = []
    request.node._brubeck_servers = servers

    def make(protocol: str = "json", backend: str = "eventlet") -> Server:
        server = Server(tmp_path / f"s{len(servers)}", protocol, backend)
        servers.append(server)
        server.start()
        return server

    yield make
    for server in servers:
        server.close()


MATRIX = [("json", "eventlet"), ("tnetstring", "gevent"), ("tnetstring", "eventlet"),
          ("json", "gevent"), ("wsgi", "eventlet"), ("wsgi", "gevent")]  # fmt: skip


@pytest.fixture(scope="module", params=MATRIX, ids=lambda p: f"{p[0]}-{p[1]}")
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """One Mongrel2 and one app process, shared by a module's tests, for each
    header protocol and backend; and the app on its own WSGI server."""
    protocol, backend = request.param
    if protocol != "wsgi":
        require_mongrel2()
    server = Server(tmp_path_factory.mktemp(f"{protocol}-{backend}"), protocol, backend)
    server.start()
    try:
        server.start_app()
        yield server
    finally:
        server.close()


@pytest.fixture
def server(served: Server, request: pytest.FixtureRequest) -> Server:
    request.node._brubeck_servers = [served]
    return served
