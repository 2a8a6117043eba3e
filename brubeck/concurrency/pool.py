"""A bounded pool of long-lived green workers: one green thread per request,
without paying for a new green thread per request.

Spawning costs 16–24 µs on eventlet and gevent; handing work to a waiting
worker through a queue costs well under one (../shared reference
green-zmq-notes.md, and benchmarks/concurrency.py). Each request still runs in
a green thread of its own while it runs, so it may block (sleep, wait on a
socket) without holding up the others.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from brubeck.concurrency.base import Backend

__all__ = ["DEFAULT_POOL_SIZE", "WorkerPool"]

log = logging.getLogger("brubeck.concurrency")

#: Requests in flight per process by default (the issue's "low thousands").
DEFAULT_POOL_SIZE = 2000
#: Idle workers kept for the next burst; more than this exit when done.
DEFAULT_MAX_IDLE = 256


class WorkerPool:
    """Runs at most ``size`` calls at once, each in a green thread.

    :meth:`submit` waits (green) while ``size`` calls are running: a receive
    loop that submits each message stops reading, and ZeroMQ's high-water mark
    pushes back on the sender.
    """

    def __init__(
        self, backend: Backend, size: int = DEFAULT_POOL_SIZE, max_idle: int = DEFAULT_MAX_IDLE
    ) -> None:
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"a pool needs a size of at least 1, not {size!r}")
        self.backend = backend
        self.size = size
        self.max_idle = max(0, min(max_idle, size))
        self._slots = backend.semaphore(size)
        self._queue = backend.queue()
        self._idle = 0  # workers waiting on the queue, not yet promised work
        self._running = 0  # calls submitted and not finished

    @property
    def running(self) -> int:
        """Calls submitted and not finished yet."""
        return self._running

    @property
    def free(self) -> int:
        """How many more calls :meth:`submit` would start without waiting."""
        return self.size - self._running

    def submit(self, function: Callable[..., Any], *args: Any) -> None:
        """Run ``function(*args)`` in a green thread, once one of the ``size``
        slots is free. Its exceptions are logged; they never reach the caller."""
        self._slots.acquire()
        self._running += 1
        if self._idle:
            # No green switch happens between a worker counting itself idle and
            # blocking on the queue, so the promise is always kept.
            self._idle -= 1
            self._queue.put((function, args))
        else:
            self.backend.spawn(self._work, function, args)

    def _work(self, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
        queue, slots = self._queue, self._slots
        while True:
            try:
                function(*args)
            except Exception:
                log.exception("uncaught error in a pooled green thread")
            finally:
                self._running -= 1
                slots.release()
            if self._idle >= self.max_idle:
                return
            self._idle += 1
            function, args = queue.get()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait (green) until no call is running; False if ``timeout`` passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._running:
            if deadline is not None and time.monotonic() >= deadline:
                return False
            self.backend.sleep(0.005)
        return True

    def __repr__(self) -> str:
        return f"<WorkerPool {self._running}/{self.size} running, {self._idle} idle>"
