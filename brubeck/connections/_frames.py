"""Multipart messages on plain pyzmq sockets, from green threads, at one libzmq call a frame.

A ``BRB1`` message is seven frames (``docs/protocol.md``). The green ZeroMQ
modules wrap each frame's ``send`` and ``recv`` in Python that checks
``ZMQ_EVENTS``, takes locks and wakes other waiters, and pyzmq's
``send_multipart`` and ``recv_multipart`` add flag arithmetic on Python enums
per frame: measured behind a service ROUTER, two thirds of the server's CPU
per call. :class:`FrameSocket` calls libzmq's ``send`` and ``recv`` through
pyzmq's Cython socket directly, with integer flags, never blocking; only
when a receive would block does the green thread wait on the hub for the
socket's ``ZMQ_FD`` (as :mod:`brubeck.connections.sockets` does for Mongrel2).

``ZMQ_FD`` signals only that the socket's command mailbox has something
(``zmq_getsockopt(3)``, ZMQ_FD): *any* call on the socket may process those
commands and so take the signal that a reader waiting on the descriptor
needed. Hence the rule its users keep: a socket is read by one green thread,
and whoever else uses it while that reader waits (:attr:`FrameSocket.waiting`)
must not leave a message behind: the service server relays its replies
through a peer socket instead, and the client reads what its send made
readable (:meth:`FrameSocket.readable`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from brubeck.concurrency import Backend
from brubeck.connections.sockets import wait_for_socket

__all__ = ["FrameSocket"]


class FrameSocket:
    """A plain pyzmq socket (any context's) read and written a message at a time.

    Attributes:
        socket: The pyzmq socket (set options, bind and connect on it directly).
        waiting: True while the reader waits on the hub for the socket.
    """

    __slots__ = (
        "_again",
        "_backend",
        "_events",
        "_get",
        "_noblock",
        "_pollin",
        "_recv",
        "_send",
        "_sndmore",
        "_watcher",
        "socket",
        "waiting",
    )

    def __init__(self, backend: Backend, socket: Any) -> None:
        zmq = backend.raw_zmq
        base = zmq.backend.Socket  # the Cython socket: no Python wrapper per call
        self.socket = socket
        self.waiting = False
        self._watcher = backend.watch(socket.getsockopt(zmq.FD))
        self._backend = backend
        self._send, self._recv, self._get = base.send, base.recv, base.get
        self._again: type[Exception] = zmq.Again
        # Plain ints: an enum's | and & are Python calls, per frame.
        self._noblock = int(zmq.NOBLOCK)
        self._sndmore = int(zmq.NOBLOCK | zmq.SNDMORE)
        # ...but the option itself as the enum member: pyzmq's get() turns
        # its argument into a SocketOption, which is quickest for a member.
        self._events = zmq.EVENTS
        self._pollin = int(zmq.POLLIN)

    def recv(self) -> list[bytes]:
        """The next message, waiting (green) for one. One reader at a time."""
        socket, recv, noblock, again = self.socket, self._recv, self._noblock, self._again
        # A receive tried first, and Again when there is none: Again costs
        # about 3 µs, but once per wait, where asking ZMQ_EVENTS first costs
        # 1.2 µs per message (pyzmq converts the option to an enum), and a
        # reader under load takes several messages per wake-up. Either call
        # processes the socket's commands, so the descriptor signals the
        # next arrival.
        while True:
            try:
                frame = recv(socket, noblock, False)
            except again:
                self.waiting = True
                try:
                    wait_for_socket(self._watcher, socket, self._backend.raw_zmq)
                finally:
                    self.waiting = False
                continue
            frames = [frame.bytes]
            while frame.more:  # a message arrives whole: the rest is there
                frame = recv(socket, noblock, False)
                frames.append(frame.bytes)
            return frames

    def recv_nowait(self) -> list[bytes] | None:
        """The next message if one is queued, else None (never waits)."""
        if not self._get(self.socket, self._events) & self._pollin:
            return None
        return self._take()

    def _take(self) -> list[bytes]:
        """The frames of the message queued (a message arrives whole: all are there).

        Each frame is received as a ``zmq.Frame`` (``copy=False``) for its
        ``more`` flag, read in C as it is received: ``getsockopt(RCVMORE)``
        from Python builds a ``SocketOption`` enum per call (pyzmq 27), about
        0.25 µs a frame, more than the frame itself costs.
        """
        socket, recv, noblock = self.socket, self._recv, self._noblock
        frame = recv(socket, noblock, False)
        frames = [frame.bytes]
        while frame.more:
            frame = recv(socket, noblock, False)
            frames.append(frame.bytes)
        return frames

    def send(self, frames: Sequence[bytes]) -> None:
        """Send one message now.

        Raises:
            zmq.Again: The socket cannot take it now (its queue is full, or a
                PUSH or DEALER has no peer yet); nothing was sent.
        """
        socket, send, more = self.socket, self._send, self._sndmore
        last = len(frames) - 1
        for index in range(last):
            send(socket, frames[index], more)
        send(socket, frames[last], self._noblock)

    def readable(self) -> bool:
        """Whether a message is queued (this processes the socket's commands)."""
        return bool(self._get(self.socket, self._events) & self._pollin)

    @property
    def closed(self) -> bool:
        """Whether the socket is closed."""
        return bool(self.socket.closed)

    def close(self, linger: int | None = None) -> None:
        """Close the socket (``linger`` in milliseconds, as pyzmq's ``close``);
        a green thread still waiting in :meth:`recv` raises ``zmq.ZMQError``
        (``ENOTSOCK``)."""
        if self.socket.closed:
            return
        self._watcher.close()  # before the descriptor can be reused
        self.socket.close(linger=linger)
