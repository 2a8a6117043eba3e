"""How a :class:`~brubeck.connections.client.ServiceClient` reads and writes
its DEALER socket: from green threads, or from plain blocking code.

Both hand every reply they read to ``dispatch`` (the client's), which settles
the call it answers; both wait for one call until its deadline.

* :class:`GreenIO`: one socket of the backend's green ``zmq``; one reader
  green thread; a waiter parks on a green semaphore under the backend's
  timeout (never ``RCVTIMEO``, which gevent ignores, nor a ``Poller``, which
  eventlet's blocks the hub with).
* :class:`BlockingIO`: plain pyzmq, one socket per OS thread, no thread of
  its own: the caller waiting polls its socket, in slices, so that another
  thread sending on the same socket never waits long for it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from brubeck.concurrency import Backend
from brubeck.errors import ServiceTimeout

if TYPE_CHECKING:
    from brubeck.connections.client import ReplyFuture

__all__ = ["BlockingIO", "GreenIO"]

log = logging.getLogger("brubeck.connections")

#: Longest a blocking caller holds a socket while waiting, so that another
#: thread's send on it waits no longer than this.
_SLICE = 0.05

Dispatch = Callable[[list[bytes]], None]


def _dealer(zmq: Any, context: Any, addr: str, linger: float) -> Any:
    socket = context.socket(zmq.DEALER)
    socket.setsockopt(zmq.LINGER, int(linger * 1000))
    socket.connect(addr)
    return socket


class _Closed(BaseException):
    """Thrown into the reader green thread to end it (nothing catches it by accident)."""


class GreenIO:
    """One green DEALER socket; one reader green thread settles every call."""

    def __init__(  # noqa: PLR0913
        self,
        addr: str,
        timeout: float,
        dispatch: Dispatch,
        backend: Backend,
        context: Any,
        linger: float,
    ) -> None:
        zmq = self.zmq = backend.zmq
        self.backend = backend
        self.dispatch = dispatch
        self.own_context = context is None
        self.context = zmq.Context() if context is None else context
        self.socket = _dealer(zmq, self.context, addr, linger)
        self.timeout = timeout
        self.started = False
        self.reader = backend.spawn(self._read)

    def _read(self) -> None:
        self.started = True
        recv, dispatch = self.socket.recv_multipart, self.dispatch
        try:
            while True:
                frames = recv()
                try:
                    dispatch(frames)
                except Exception:  # a bug: never let it end the reader
                    log.exception("could not settle a service reply")
        except _Closed:
            return
        except self.zmq.ZMQError as exc:  # the context was terminated under us
            log.warning("the service client stopped reading: %s", exc)

    def send(self, frames: list[bytes], future: ReplyFuture | None) -> None:
        zmq, socket = self.zmq, self.socket
        try:
            socket.send_multipart(frames, zmq.NOBLOCK)
            return
        except zmq.Again:  # the queue is full (no server for a while): wait, for a while
            pass
        deadline = future.deadline if future is not None else time.monotonic() + self.timeout
        try:
            with self.backend.timeout(max(0.0, deadline - time.monotonic())):
                socket.send_multipart(frames)
        except TimeoutError:
            raise ServiceTimeout("the request could not be sent in time") from None

    def wait(self, future: ReplyFuture) -> None:
        waiter = future._waiter
        if waiter is None:
            waiter = future._waiter = self.backend.semaphore(0)
        remaining = future.deadline - time.monotonic()
        if remaining <= 0:
            return
        try:
            with self.backend.timeout(remaining):
                waiter.acquire()
        except TimeoutError:
            return
        waiter.release()  # for anyone else waiting on the same call

    def wake(self, future: ReplyFuture) -> None:
        future._waiter.release()

    def close(self) -> None:
        # Throwing into a green thread that never ran would kill its parent,
        # the hub: let the reader start (and block on the socket) first.
        for _ in range(10):
            if self.started or self.reader.dead():
                break
            self.backend.sleep(0)
        self.reader.kill(_Closed())
        self.reader.join(1.0)
        self.socket.close()
        if self.own_context:
            self.context.term()


class _Channel:
    """One OS thread's socket, and the lock for whoever uses it."""

    __slots__ = ("lock", "socket")

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.lock = threading.Lock()


class BlockingIO:
    """Plain pyzmq sockets, one per OS thread; the caller waiting reads its socket."""

    def __init__(
        self, addr: str, timeout: float, dispatch: Dispatch, context: Any, linger: float
    ) -> None:
        import zmq  # plain pyzmq, only now: importing Brubeck imports no zmq

        self.zmq = zmq
        self.addr = addr
        self.linger = linger
        self.timeout = timeout
        self.dispatch = dispatch
        self.context = zmq.Context.instance() if context is None else context
        self.local = threading.local()
        self.channels: list[_Channel] = []

    def _channel(self) -> _Channel:
        channel: _Channel | None = getattr(self.local, "channel", None)
        if channel is None:
            channel = _Channel(_dealer(self.zmq, self.context, self.addr, self.linger))
            self.local.channel = channel
            self.channels.append(channel)
        return channel

    def send(self, frames: list[bytes], future: ReplyFuture | None) -> None:
        zmq, channel = self.zmq, self._channel()
        deadline = future.deadline if future is not None else time.monotonic() + self.timeout
        if future is not None:
            future._channel = channel
        with channel.lock:
            socket = channel.socket
            try:
                socket.send_multipart(frames, zmq.NOBLOCK)
                return
            except zmq.Again:  # the queue is full (no server for a while): wait, for a while
                pass
            if not socket.poll(_milliseconds(deadline - time.monotonic()), zmq.POLLOUT):
                raise ServiceTimeout("the request could not be sent in time")
            socket.send_multipart(frames, zmq.NOBLOCK)

    def wait(self, future: ReplyFuture) -> None:
        channel: _Channel = future._channel
        while not future.done():
            remaining = future.deadline - time.monotonic()
            if remaining <= 0:
                return
            # Held for a slice at most: another thread may be sending on it.
            if channel.lock.acquire(timeout=min(remaining, _SLICE)):
                try:
                    if not future.done():
                        self._read(channel.socket, min(remaining, _SLICE))
                finally:
                    channel.lock.release()

    def _read(self, socket: Any, seconds: float) -> None:
        zmq = self.zmq
        if not socket.poll(_milliseconds(seconds)):
            return
        while True:
            try:
                frames = socket.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            self.dispatch(frames)

    def wake(self, future: ReplyFuture) -> None:
        """Nothing to do: a blocked waiter notices within a slice."""

    def close(self) -> None:
        for channel in self.channels:
            with channel.lock:
                channel.socket.close()
        self.channels.clear()


def _milliseconds(seconds: float) -> int:
    return max(1, int(seconds * 1000 + 0.999))
