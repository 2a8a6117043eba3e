"""Running N worker processes of one command, and keeping them running.

Each worker is a fresh interpreter (never a fork of a process that imported
a green-thread library: eventlet warns that forking it is unsafe), with its
own Mongrel2 identity. A worker that dies unasked is started again, after a
pause that grows while it keeps dying young. SIGTERM and SIGINT are passed on
to every worker, each drains and exits, then the supervisor exits 0.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import time
from collections.abc import Sequence
from types import FrameType

__all__ = ["Supervisor"]

log = logging.getLogger("brubeck.supervisor")

#: A worker that lived less than this was "dying young": back off before restarting.
YOUNG = 5.0


class Supervisor:
    """Keeps ``workers`` copies of ``command`` running until told to stop.

    Args:
        command: The worker's command line.
        workers: How many to run.
        stop_timeout: How long workers get to drain after SIGTERM before SIGKILL.
    """

    def __init__(self, command: Sequence[str], workers: int, stop_timeout: float = 30.0) -> None:
        if workers < 1:
            raise ValueError("at least one worker")
        self.command = list(command)
        self.workers = workers
        self.stop_timeout = stop_timeout
        self.processes: list[subprocess.Popen[bytes] | None] = [None] * workers
        self.restarts = 0
        self._started = [0.0] * workers
        self._backoff = [0.0] * workers
        self._restart_at = [0.0] * workers
        self._stopping: int | None = None

    def _start(self, index: int) -> None:
        self.processes[index] = subprocess.Popen(self.command)  # noqa: S603 - our own command
        self._started[index] = time.monotonic()
        log.info("worker %d started (pid %d)", index, self.processes[index].pid)  # type: ignore[union-attr]

    def _signalled(self, signum: int, frame: FrameType | None) -> None:
        self._stopping = signum

    def run(self) -> int:
        """Run until SIGTERM or SIGINT; the exit status (0 when every worker stopped cleanly)."""
        previous = {
            sig: signal.signal(sig, self._signalled) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            for index in range(self.workers):
                self._start(index)
            while self._stopping is None:
                self._check()
                time.sleep(0.1)
            return self._stop_all(self._stopping)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _check(self) -> None:
        now = time.monotonic()
        for index, process in enumerate(self.processes):
            if process is None:
                if now >= self._restart_at[index]:
                    self._start(index)
                continue
            if process.poll() is None:
                continue
            lived = now - self._started[index]
            # Dying young again and again: wait longer each time (up to 30 s).
            backoff = min(max(self._backoff[index] * 2, 0.5), 30.0) if lived < YOUNG else 0.0
            self._backoff[index] = backoff
            log.warning(
                "worker %d (pid %d) exited with %s after %.1f s; restarting in %.1f s",
                index, process.pid, process.returncode, lived, backoff,
            )  # fmt: skip
            self.processes[index] = None
            self._restart_at[index] = now + backoff
            self.restarts += 1

    def _stop_all(self, signum: int) -> int:
        running = [p for p in self.processes if p is not None and p.poll() is None]
        for process in running:
            process.send_signal(signum)
        deadline = time.monotonic() + self.stop_timeout
        status = 0
        for process in running:
            try:
                code = process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("worker pid %d did not stop in time: killed", process.pid)
                process.kill()
                code = process.wait()
            if code != 0:
                status = 1
        return status
