"""Shared fixtures: hypothesis settings, the two tnetstring backends, and a
real Redis server."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from brubeck.codecs import tnetstring

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("default")


@pytest.fixture(params=["python", "c"])
def tnet_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run a test once on the pure-Python parser and once on tnetstring3."""
    if request.param == "python":
        monkeypatch.setattr(tnetstring, "_c_pop", None)
        monkeypatch.setattr(tnetstring, "_c_dumps", None)
    elif not tnetstring.ACCELERATED:
        pytest.skip("tnetstring3 is not installed (pip install brubeck[speedups])")
    yield request.param


# -- a real Redis (Debian redis-server) for brubeck.queryset and brubeck.caching --


class RedisServer:
    """A ``redis-server`` of our own on a Unix socket in a temp directory
    (no TCP port, nothing saved to disk), stopped by PID at the end."""

    def __init__(self, run_dir: Path) -> None:
        self.socket_path = str(run_dir / "redis.sock")
        self.log_path = run_dir / "redis.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port", "0",
                "--unixsocket", self.socket_path,
                "--save", "",
                "--appendonly", "no",
                "--dir", str(run_dir),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip

    def wait_ready(self, timeout: float = 10.0) -> None:
        import redis

        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited: {self.log_path.read_text()[-2000:]}")
            try:
                with redis.Redis(unix_socket_path=self.socket_path) as conn:
                    conn.ping()
                return
            except (redis.ConnectionError, FileNotFoundError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def client(self, **kwargs: Any) -> Any:
        """A new ``redis.Redis`` on this server."""
        import redis

        return redis.Redis(unix_socket_path=self.socket_path, **kwargs)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def _require_redis() -> None:
    missing = []
    if shutil.which("redis-server") is None:
        missing.append("redis-server (apt-get install redis-server)")
    try:
        import redis  # noqa: F401
    except ImportError:
        missing.append("the redis package (pip install brubeck[redis])")
    if not missing:
        return
    message = "Redis tests need " + " and ".join(missing)
    if os.environ.get("BRUBECK_REQUIRE_REDIS") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One real redis-server for the whole run (skipped, or failed under
    ``BRUBECK_REQUIRE_REDIS=1``, when it is not installed)."""
    _require_redis()
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_conn(redis_server: RedisServer) -> Iterator[Any]:
    """A ``redis.Redis`` on an empty database; closed after the test."""
    conn = redis_server.client()
    conn.flushdb()
    try:
        yield conn
    finally:
        conn.flushdb()
        conn.close()
