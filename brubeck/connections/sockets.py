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

Each socket waits through one :class:`~brubeck.concurrency.Watcher`, kept
from its first wait to its close (one hub registration, not one per wait).
Each socket here is read by one green thread (its connection's receive
loop), and senders that find the queue full wait in turn, behind a lock.

And while a sender waits on the descriptor, nobody else may touch the socket:
any call processes its commands, so a direct send (or a receive) that comes
first takes the signal that would have woken the waiting sender, and it waits
for ever. So a send or a receive that finds senders waiting queues behind them
(one attribute check on the fast path). The opposite case, a send while the
reader waits, is the rule the module's users keep: a socket both read and
written (Mongrel2's XPUB) is read only before its first reply.
"""

from __future__ import annotations

from typing import Any

from brubeck.concurrency import Backend, Watcher

__all__ = ["GreenSocket", "wait_for_socket"]


def wait_for_socket(watcher: Watcher, socket: Any, zmq: Any) -> None:
    """Wait (green) for ``socket``'s descriptor to signal (its ``watcher``).

    Raises:
        zmq.ZMQError: ``ENOTSOCK``, the socket was closed under the wait (or before it).
    """
    try:
        watcher.wait()
    except OSError:
        if not socket.closed:
            raise
        raise zmq.ZMQError(zmq.ENOTSOCK, "the socket was closed while waiting") from None


class GreenSocket:
    """A plain pyzmq socket (from ``backend.raw_zmq``) used from green threads.

    Attributes:
        socket: The pyzmq socket (set options and bind on it directly).
    """

    __slots__ = (
        "_again",
        "_backend",
        "_events",
        "_noblock",
        "_pollout",
        "_send_lock",
        "_senders",
        "_watcher",
        "socket",
    )

    def __init__(self, backend: Backend, socket: Any) -> None:
        zmq = backend.raw_zmq
        self.socket = socket
        self._backend = backend
        self._watcher = backend.watch(socket.getsockopt(zmq.FD))
        self._send_lock = backend.semaphore(1)
        # Senders in the slow path (waiting on the descriptor, or queued behind
        # the one that does): while there are any, nobody else touches the socket.
        self._senders = 0
        self._again: type[Exception] = zmq.Again
        self._noblock: int = zmq.NOBLOCK
        self._events: int = zmq.EVENTS
        self._pollout: int = zmq.POLLOUT

    def recv(self) -> bytes:
        """The next message, waiting (green) for one. One reader at a time."""
        if self._senders:
            self._after_senders()
        recv, again, noblock = self.socket.recv, self._again, self._noblock
        while True:
            try:
                return recv(noblock)  # type: ignore[no-any-return]
            except again:
                self._wait_fd()

    def recv_nowait(self) -> bytes | None:
        """The next message if one is queued, else None (never waits, except
        behind a sender that waits on the socket: see :meth:`recv`)."""
        if self._senders:
            self._after_senders()
        try:
            return self.socket.recv(self._noblock)  # type: ignore[no-any-return]
        except self._again:
            return None

    def recv_multipart(self) -> list[bytes]:
        """The next multipart message, waiting (green) for one. One reader at a time."""
        if self._senders:
            self._after_senders()
        while True:
            try:
                return self.socket.recv_multipart(self._noblock)  # type: ignore[no-any-return]
            except self._again:
                self._wait_fd()

    def _after_senders(self) -> None:
        """Wait until no sender waits on the socket: a receive now would process
        the socket's commands, taking the signal the sender waits for."""
        lock = self._send_lock
        while self._senders:
            lock.acquire()
            lock.release()

    def send(self, data: bytes) -> None:
        """Send ``data``; waits (green) only while the socket's queue is full.

        Raises:
            zmq.ZMQError: The socket was closed (also: while this waited).
        """
        if self._senders:  # queue behind them: a send now would take their wake-up
            self._send_when_writable(data)
            return
        try:
            self.socket.send(data, self._noblock)
        except self._again:
            self._send_when_writable(data)

    def _send_when_writable(self, data: bytes) -> None:
        lock, socket = self._send_lock, self.socket
        self._senders += 1
        try:
            lock.acquire()
            try:
                while True:
                    try:
                        socket.send(data, self._noblock)
                        return
                    except self._again:
                        if not socket.getsockopt(self._events) & self._pollout:
                            self._wait_fd()
            finally:
                lock.release()
        finally:
            self._senders -= 1

    def _wait_fd(self) -> None:
        wait_for_socket(self._watcher, self.socket, self._backend.raw_zmq)

    @property
    def closed(self) -> bool:
        """Whether the socket is closed."""
        return bool(self.socket.closed)

    def close(self, linger: int | None = None) -> None:
        """Close the socket (``linger`` in milliseconds, as pyzmq's ``close``).

        Green threads waiting on it (a reader, a sender at the high-water mark)
        are woken and raise ``zmq.ZMQError`` (``ENOTSOCK``); senders queued
        behind them raise it too, when their turn comes. Waiting for them to
        finish first is the caller's choice (a connection waits for its requests
        in flight before it closes).
        """
        if self.socket.closed:
            return
        self._watcher.close()  # before the descriptor can be reused
        self.socket.close(linger=linger)
