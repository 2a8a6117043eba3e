"""A bounded pool of long-lived green workers: one green thread per request,
without paying for a new green thread, or a trip through the hub, per request.

Spawning costs 16–24 µs on eventlet and gevent; handing work to a waiting
worker through the library's queue costs a turn of the hub (a timer, a poll),
a cost that grows with the number of waiting workers (benchmarks/e2e/handler.py).
So :meth:`WorkerPool.submit` switches straight into an idle worker, which runs
the call at once, *inline*, while the submitter waits:

* If the call finishes without blocking (most handlers: parse, validate,
  reply), the worker switches straight back to the submitter and parks. Two
  greenlet switches, no hub.
* If the call blocks (sleeps, waits on a socket, a lock, a queue), it switches
  to the hub. Both libraries call the current greenlet's ``switch_out()``
  first (eventlet's ``BaseHub.switch``, gevent's ``Hub.switch``): the worker
  uses that moment to detach and ask the hub to resume the submitter at its
  next turn. The call goes on in its own green thread; the submitter goes back
  to reading requests.

Each request still runs in a green thread of its own, and may block without
holding up the others; only the order changes (a request runs before the
submitter reads the next one, which is also fairer to the clients waiting).
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


def _worker_module() -> Any:
    from brubeck.concurrency import _worker  # greenlet, on first use

    return _worker


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
        self._hub: Any = backend.hub()
        worker_module = _worker_module()
        self._worker_class = worker_module.Worker
        self._getcurrent = worker_module.getcurrent
        self._idle: list[Any] = []  # parked workers, the most recent last
        self._awaiting: dict[Any, Any] = {}  # submitter -> the worker running its call inline
        self._running = 0  # calls submitted and not finished

    @property
    def running(self) -> int:
        """Calls submitted and not finished yet."""
        return self._running

    @property
    def idle(self) -> int:
        """Workers parked, waiting for a call."""
        return len(self._idle)

    @property
    def free(self) -> int:
        """How many more calls :meth:`submit` would start without waiting."""
        return self.size - self._running

    def submit(self, function: Callable[..., Any], *args: Any) -> None:
        """Run ``function(*args)`` in a green thread, once one of the ``size``
        slots is free. It starts at once and returns when the call finishes or
        first blocks. Its exceptions are logged; they never reach the caller.
        Call it from a green thread, not from the hub."""
        self._slots.acquire()
        self._running += 1
        worker = None
        while self._idle:
            worker = self._idle.pop()
            if not worker.dead:
                break
            worker = None
        if worker is None:
            worker = self._worker_class(self)
        submitter = self._getcurrent()
        worker.submitter = submitter
        worker.job_pending = True
        self._awaiting[submitter] = worker
        try:
            worker.switch(function, args)
        finally:
            if self._awaiting.get(submitter) is worker:  # interrupted: a timeout, a kill
                del self._awaiting[submitter]

    def _resume(self, submitter: Any, worker: Any) -> None:
        """In the hub: resume ``submitter`` if it still waits for ``worker``."""
        if self._awaiting.get(submitter) is worker:
            del self._awaiting[submitter]
            submitter.switch()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait (green) until no call is running; False if ``timeout`` passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._running:
            if deadline is not None and time.monotonic() >= deadline:
                return False
            self.backend.sleep(0.005)
        return True

    def __repr__(self) -> str:
        return f"<WorkerPool {self._running}/{self.size} running, {len(self._idle)} idle>"
