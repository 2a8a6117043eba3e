"""Real pyzmq sockets driven by the green-thread hub, without the green wrappers.

The green ZeroMQ modules (``eventlet.green.zmq``, ``zmq.green``) wrap every
``send`` and ``recv`` in Python that checks ``ZMQ_EVENTS``, takes locks and
wakes other waiters, on every call, also when a message is ready. Here the hot
path is one non-blocking call into libzmq; only when it would block does the
green thread wait on the hub for the socket's ``ZMQ_FD``. With the inline pool
(``brubeck.concurrency.pool``), this took the handler's CPU per GET behind a
fake Mongrel2 from about 38 to 31 µs on eventlet and from 43 to 34 µs on
gevent (``benchmarks/e2e/handler.py``).

``ZMQ_FD`` is edge-triggered and signals *some* change (``zmq_getsockopt(3)``,
ZMQ_FD): after a wake-up the state is read again with a non-blocking call,
never assumed. A receive that found nothing has drained the socket's command
mailbox, so the next arrival signals the descriptor again.

Only one green thread may wait on a descriptor at once (eventlet refuses a
second): each socket here is read by one green thread (its connection's
receive loop), and senders that find the queue full wait in turn, behind a lock.
"""

from __future__ import annotations

from typing import Any

from brubeck.concurrency import Backend

__all__ = ["GreenSocket"]


class GreenSocket:
    """A plain pyzmq socket (from ``backend.raw_zmq``) used from green threads.

    Attributes:
        socket: The pyzmq socket (set options and bind on it directly).
    """

    __slots__ = (
        "_again",
        "_events",
        "_fd",
        "_noblock",
        "_pollout",
        "_send_lock",
        "_wait",
        "socket",
    )

    def __init__(self, backend: Backend, socket: Any) -> None:
        zmq = backend.raw_zmq
        self.socket = socket
        self._fd: int = socket.getsockopt(zmq.FD)
        self._wait = backend.wait_readable
        self._send_lock = backend.semaphore(1)
        self._again: type[Exception] = zmq.Again
        self._noblock: int = zmq.NOBLOCK
        self._events: int = zmq.EVENTS
        self._pollout: int = zmq.POLLOUT

    def recv(self) -> bytes:
        """The next message, waiting (green) for one. One reader at a time."""
        recv, again, noblock = self.socket.recv, self._again, self._noblock
        while True:
            try:
                return recv(noblock)  # type: ignore[no-any-return]
            except again:
                self._wait(self._fd)

    def recv_nowait(self) -> bytes | None:
        """The next message if one is queued, else None (never waits)."""
        try:
            return self.socket.recv(self._noblock)  # type: ignore[no-any-return]
        except self._again:
            return None

    def recv_multipart(self) -> list[bytes]:
        """The next multipart message, waiting (green) for one. One reader at a time."""
        while True:
            try:
                return self.socket.recv_multipart(self._noblock)  # type: ignore[no-any-return]
            except self._again:
                self._wait(self._fd)

    def send(self, data: bytes) -> None:
        """Send ``data``; waits (green) only while the socket's queue is full."""
        try:
            self.socket.send(data, self._noblock)
        except self._again:
            self._send_when_writable(data)

    def _send_when_writable(self, data: bytes) -> None:
        lock, socket = self._send_lock, self.socket
        lock.acquire()
        try:
            while True:
                try:
                    socket.send(data, self._noblock)
                    return
                except self._again:
                    if not socket.getsockopt(self._events) & self._pollout:
                        self._wait(self._fd)
        finally:
            lock.release()

    @property
    def closed(self) -> bool:
        """Whether the socket is closed."""
        return bool(self.socket.closed)

    def close(self, linger: int | None = None) -> None:
        """Close the socket (``linger`` in milliseconds, as pyzmq's ``close``)."""
        self.socket.close(linger=linger)
