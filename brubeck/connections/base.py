"""What every connection is: receives messages for an app, sends its replies.

A connection never imports the app (the app hands itself to :meth:`serve`),
and never chooses its green-thread library: the backend is injected, and with
it the green ``zmq`` module the sockets come from.
"""

from __future__ import annotations

import abc
import logging
import time
import uuid
from typing import Any

from brubeck.concurrency import Backend, WorkerPool

__all__ = ["Connection", "terminate"]

log = logging.getLogger("brubeck.connections")


def terminate(context: Any, backend: Backend | None) -> None:
    """``context.term()``, which blocks until queued messages are sent (up to
    each socket's linger): in an OS thread under a backend, so the other green
    threads go on meanwhile."""
    if backend is not None:
        backend.run_in_thread(context.term)
    else:
        context.term()


class Connection(abc.ABC):
    """Brubeck 0.4's ``Connection``: a ``sender_id`` unique to this process,
    and the serving lifecycle :meth:`open`, :meth:`serve`, :meth:`stop`.

    Attributes:
        sender_id: This process's identity on the reply socket.
    """

    #: Seconds the messages in flight get to finish when serving stops.
    shutdown_timeout: float = 10.0

    def __init__(self, sender_id: str | None = None) -> None:
        self.sender_id = sender_id or uuid.uuid4().hex
        self.backend: Backend | None = None
        self._in_flight = 0  # this connection's messages running (the pool may be shared)

    def _wait_in_flight(self, backend: Backend) -> None:
        """Give this connection's messages in flight ``shutdown_timeout`` seconds."""
        deadline = time.monotonic() + self.shutdown_timeout
        while self._in_flight and time.monotonic() < deadline:
            backend.sleep(0.005)
        if self._in_flight:
            log.warning(
                "%s: %d messages still running after %s s",
                type(self).__name__,
                self._in_flight,
                self.shutdown_timeout,
            )

    @abc.abstractmethod
    def open(self, backend: Backend) -> None:
        """Create and connect the sockets, with ``backend``'s green ``zmq``."""

    @abc.abstractmethod
    def serve(self, app: Any, pool: WorkerPool) -> None:
        """Receive and answer messages until :meth:`stop`; each message runs
        in ``pool``. Returns once stopped, drained and shut down."""

    @abc.abstractmethod
    def stop(self) -> None:
        """Ask :meth:`serve` to finish (from any green thread; returns at once)."""

    @abc.abstractmethod
    def shutdown(self) -> None:
        """Close the sockets (replies already queued are still sent, up to the linger time)."""
