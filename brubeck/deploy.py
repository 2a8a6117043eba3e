"""Mongrel2 for an app: a ``mongrel2.conf`` that works, and a local server to run it.

:class:`Mongrel2Config` writes the configuration (host and port, the handler's
sockets, the header protocol, uploads to a temp store, limits);
:class:`LocalMongrel2` loads it with ``m2sh`` and runs a real Mongrel2 in a
run directory with the layout it needs (``run/``, ``logs/``, ``tmp/``). The
``brubeck mongrel2`` command and the integration tests use both.

Paths in the configuration are relative to the run directory, so they work
whether Mongrel2 chroots into it (when started as root) or not.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

__all__ = ["LocalMongrel2", "Mongrel2Config", "Mongrel2Error", "Mongrel2NotInstalled"]

#: The Debian package that provides ``mongrel2`` and ``m2sh``.
PACKAGE = "mongrel2-core"


class Mongrel2Error(RuntimeError):
    """Mongrel2 could not be configured, started or stopped (the message says why)."""


class Mongrel2NotInstalled(Mongrel2Error):
    """``mongrel2`` or ``m2sh`` is not on PATH."""


@dataclasses.dataclass(frozen=True)
class Mongrel2Config:
    """One Mongrel2 server with one handler for every path.

    Attributes:
        host: The address Mongrel2 listens on for HTTP.
        port: The HTTP port.
        send_spec: Where Mongrel2 pushes requests (the app's ``pull_addr``).
        recv_spec: Where Mongrel2 takes replies (the app's ``pub_addr``).
        protocol: The handler header protocol, ``"json"`` or ``"tnetstring"``.
        content_length: Bodies larger than this go to a temp file (an upload).
        server_uuid: The server's identity (default: a new one).
        send_ident: The identity Mongrel2 sends requests as (default: a new one).
        name: The server's name.
        settings: More Mongrel2 settings (``"superpoll.max_fd": 30000``, say),
            over the ones written by default (see the manual's "Tweakable
            Expert Settings").
    """

    host: str = "127.0.0.1"
    port: int = 6767
    send_spec: str = "tcp://127.0.0.1:9999"
    recv_spec: str = "tcp://127.0.0.1:9998"
    protocol: str = "json"
    content_length: int = 1024 * 1024
    server_uuid: str = dataclasses.field(default_factory=lambda: str(uuid.uuid4()))
    send_ident: str = dataclasses.field(default_factory=lambda: str(uuid.uuid4()))
    name: str = "brubeck"
    settings: dict[str, int | str] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.protocol not in ("json", "tnetstring"):
            raise ValueError(f"protocol is 'json' or 'tnetstring', not {self.protocol!r}")
        if not 0 < self.port < 65536:
            raise ValueError(f"not a port: {self.port}")
        for field in ("host", "send_spec", "recv_spec", "server_uuid", "send_ident", "name"):
            value = getattr(self, field)
            if not value or any(c in value for c in "\"'\\\r\n"):
                raise ValueError(f"{field} cannot be empty or hold quotes, backslashes or newlines")
        for key, value in self.settings.items():
            if not _SETTING_NAME.fullmatch(key):
                raise ValueError(f"not a Mongrel2 setting name: {key!r}")
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise ValueError(f"setting {key} must be an int or a str, not {value!r}")
            if isinstance(value, str) and any(c in value for c in "\"'\\\r\n"):
                raise ValueError(f"setting {key} cannot hold quotes, backslashes or newlines")

    @property
    def pair(self) -> tuple[str, str]:
        """``(pull_addr, pub_addr)`` for the app's :class:`Mongrel2Connection`."""
        return self.send_spec, self.recv_spec

    def render(self) -> str:
        """The ``mongrel2.conf`` text (m2sh's configuration language)."""
        settings: dict[str, int | str] = {
            "zeromq.threads": 1,
            "limits.content_length": self.content_length,
            "upload.temp_store": "tmp/mongrel2.upload.XXXXXX",
            "upload.temp_store_mode": "0600",
            **self.settings,
        }
        lines = ",\n    ".join(f"{_quote(k)}: {_quote(v)}" for k, v in settings.items())
        return f"""\
# Written by Brubeck (brubeck.deploy). Load it with: m2sh load -config mongrel2.conf
brubeck_handler = Handler(
    send_spec="{self.send_spec}",
    send_ident="{self.send_ident}",
    recv_spec="{self.recv_spec}",
    recv_ident="",
    protocol="{self.protocol}")

main = Server(
    uuid="{self.server_uuid}",
    name="{self.name}",
    chroot="./",
    access_log="logs/access.log",
    error_log="logs/error.log",
    pid_file="run/mongrel2.pid",
    bind_addr="{self.host}",
    port={self.port},
    default_host="localhost",
    hosts=[Host(name="localhost", routes={{"/": brubeck_handler}})])

settings = {{
    {lines}}}

servers = [main]
"""


_SETTING_NAME = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")


def _quote(value: int | str) -> str:
    return str(value) if isinstance(value, int) else f'"{value}"'


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise Mongrel2NotInstalled(
            f"{name} not found: install Mongrel2 (Debian: apt-get install {PACKAGE})"
        )
    return path


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists and has not exited (a zombie has)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[:1] not in (["Z"], ["X"])
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass  # it exists, as another user's
        return True


class LocalMongrel2:
    """A real Mongrel2 serving ``config`` from ``run_dir``.

    Attributes:
        run_dir: The run directory (Mongrel2's chroot when started as root).
        config: What it serves.
    """

    def __init__(self, run_dir: str | os.PathLike[str], config: Mongrel2Config) -> None:
        self.run_dir = Path(run_dir).resolve()
        self.config = config
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def upload_dir(self) -> str:
        """Where uploads land, for ``Mongrel2Connection(upload_dir=...)``."""
        return str(self.run_dir / "tmp")

    @property
    def pid_file(self) -> Path:
        """Mongrel2's pid file."""
        return self.run_dir / "run" / "mongrel2.pid"

    @property
    def error_log(self) -> Path:
        """Mongrel2's error log."""
        return self.run_dir / "logs" / "error.log"

    def prepare(self) -> None:
        """Create the layout, write ``mongrel2.conf`` and load it into ``config.sqlite``."""
        m2sh = _tool("m2sh")
        for sub in ("run", "logs", "tmp"):
            (self.run_dir / sub).mkdir(parents=True, exist_ok=True)
        (self.run_dir / "mongrel2.conf").write_text(self.config.render(), encoding="utf-8")
        database = self.run_dir / "config.sqlite"
        database.unlink(missing_ok=True)
        loaded = subprocess.run(  # noqa: S603 - a fixed tool, our own arguments
            [m2sh, "load", "-config", "mongrel2.conf", "-db", "config.sqlite"],
            cwd=self.run_dir,
            capture_output=True,
            text=True,
            env={**os.environ, "LOGNAME": os.environ.get("LOGNAME", "brubeck")},
            check=False,
        )
        if loaded.returncode != 0 or not database.exists():
            raise Mongrel2Error(f"m2sh load failed:\n{loaded.stdout}{loaded.stderr}")

    def pid(self) -> int | None:
        """The running server's pid, from its pid file, if that process lives."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _running(pid) else None

    def start(self, timeout: float = 10.0) -> int:
        """Start Mongrel2 and wait until it accepts HTTP connections; its pid.

        Mongrel2 started as root chroots and goes to the background; the pid
        comes from its pid file.
        """
        if self.pid() is not None:
            raise Mongrel2Error(f"Mongrel2 already runs from {self.run_dir} (pid {self.pid()})")
        if not (self.run_dir / "config.sqlite").exists():
            self.prepare()
        self.pid_file.unlink(missing_ok=True)
        process = subprocess.Popen(  # noqa: S603 - a fixed tool, our own arguments
            [_tool("mongrel2"), "config.sqlite", self.config.server_uuid],
            cwd=self.run_dir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._process = process  # reaped below, or by stop()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() not in (None, 0):
                raise Mongrel2Error(f"mongrel2 exited with {process.returncode}\n{self.log_tail()}")
            pid = self.pid()
            if pid is not None and self._accepts():
                if process.pid != pid:  # as root it forked into the background
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        process.wait(timeout=max(0.1, deadline - time.monotonic()))
                    if process.returncode is not None:
                        self._process = None  # the launcher, reaped (no zombie)
                return pid
            time.sleep(0.05)
        raise Mongrel2Error(f"Mongrel2 did not start within {timeout} s\n{self.log_tail()}")

    def _accepts(self) -> bool:
        try:
            with socket.create_connection((self.config.host, self.config.port), timeout=0.2):
                return True
        except OSError:
            return False

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server this run directory started (SIGTERM, then SIGKILL)."""
        pid = self.pid()
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            # Mongrel2 removes its pid file before it has exited: wait for the process.
            while _running(pid):
                if time.monotonic() >= deadline:
                    os.kill(pid, signal.SIGKILL)
                    break
                time.sleep(0.02)
            self.pid_file.unlink(missing_ok=True)
        process, self._process = self._process, None
        if process is not None:
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def log_tail(self, lines: int = 30) -> str:
        """The end of Mongrel2's error log (for error messages and failed tests)."""
        try:
            text = self.error_log.read_text(errors="replace")
        except OSError:
            return "(no error log)"
        return "\n".join(text.splitlines()[-lines:])
