"""How a :class:`~brubeck.connections.client.ServiceClient` reads and writes
its socket (a DEALER, or a PUSH for one-way requests only): from green
threads, or from plain blocking code.

Both hand every reply they read to ``dispatch`` (the client's), which settles
the call it answers; both wait for one call until its deadline.

* :class:`GreenIO`: one plain pyzmq socket, read by one reader green thread
  that waits on the hub (:class:`~brubeck.connections._frames.FrameSocket`;
  none for a PUSH socket, which cannot read); a waiter parks in the hub under
  the backend's timeout (never ``RCVTIMEO``, which gevent ignores, nor a
  ``Poller``, which eventlet's blocks the hub with), and the calls settled
  in one batch are resumed by one hub callback.
* :class:`BlockingIO`: plain pyzmq, one socket per OS thread, no thread of
  its own: the caller waiting polls its socket, in slices, so that another
  thread sending on the same socket never waits long for it.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from brubeck.concurrency import Backend, Task
from brubeck.connections._frames import FrameSocket
from brubeck.connections.base import terminate
from brubeck.errors import ServiceTimeout

if TYPE_CHECKING:
    from brubeck.connections.client import ReplyFuture
    from brubeck.connections.curve import CurveClient

__all__ = ["BlockingIO", "GreenIO", "SocketSpec"]

log = logging.getLogger("brubeck.connections")

#: Longest a blocking caller holds a socket while waiting, so that another
#: thread's send on it waits no longer than this.
_SLICE = 0.05

Dispatch = Callable[[list[bytes]], None]


class SocketSpec:
    """How to make the client's socket: its type, where it connects, its security."""

    __slots__ = ("addr", "curve", "linger", "socket_type")

    def __init__(self, addr: str, socket_type: str, linger: float, curve: CurveClient | None):
        self.addr = addr
        self.socket_type = socket_type  # "DEALER" (calls and one-way) or "PUSH" (one-way only)
        self.linger = linger
        self.curve = curve

    @property
    def replies(self) -> bool:
        """Whether replies come back on this socket (a DEALER's do; a PUSH cannot read)."""
        return self.socket_type == "DEALER"

    def make(self, zmq: Any, context: Any) -> Any:
        """A plain pyzmq socket in ``context`` (whatever its module: a green
        eventlet socket would hold a hub listener on its descriptor)."""
        socket = zmq.Socket(context, getattr(zmq, self.socket_type))
        socket.setsockopt(zmq.LINGER, int(self.linger * 1000))
        if self.curve is not None:
            self.curve.secure(socket)  # before connecting: the handshake uses the keys
        socket.connect(self.addr)
        return socket


class _Closed(BaseException):
    """Thrown into the reader green thread to end it (nothing catches it by accident)."""


class GreenIO:
    """One plain DEALER (or PUSH) socket read by one reader green thread,
    which settles every call; waiting on the hub, never through a green wrapper."""

    def __init__(
        self,
        spec: SocketSpec,
        timeout: float,
        dispatch: Dispatch,
        backend: Backend,
        context: Any,
    ) -> None:
        zmq = self.zmq = backend.raw_zmq
        self.backend = backend
        self.dispatch = dispatch
        self.own_context = context is None
        self.context = zmq.Context() if context is None else context
        self.socket = FrameSocket(backend, spec.make(zmq, self.context))
        self.timeout = timeout
        self.started = False
        self.reader = backend.spawn(self._read) if spec.replies else None
        # Waiting calls the sweeper times out, by a key of their own.
        self.timed: dict[int, ReplyFuture] = {}
        self.keys = itertools.count()
        self.sweeping = self.closing = False
        self.sweep_at = time.monotonic()  # the sweeper's next wake (none before it runs)
        self.sweeper = backend.spawn(self._sweep) if spec.replies else None
        from greenlet import getcurrent  # only now: importing Brubeck imports no greenlet

        self.getcurrent = getcurrent
        # Calls settled since the hub's last turn, whose waiters it resumes next.
        self.ready: list[ReplyFuture] = []
        self.wake_pending = False

    def _read(self) -> None:
        self.started = True
        recv = self.socket.recv
        try:
            while True:
                self._settle(recv())
        except _Closed:
            return
        except self.zmq.ZMQError as exc:  # the context was terminated under us
            log.warning("the service client stopped reading: %s", exc)

    def _settle(self, frames: list[bytes]) -> None:
        try:
            self.dispatch(frames)
        except Exception:  # a bug: never let it end the reader
            log.exception("could not settle a service reply")

    def send(self, frames: list[bytes], future: ReplyFuture | None) -> None:
        socket = self.socket
        try:
            socket.send(frames)
        except self.zmq.Again:  # the queue is full (no server for a while): wait, for a while
            deadline = future.deadline if future is not None else time.monotonic() + self.timeout
            self._send_later(frames, deadline)
        # The send may have taken the signal the waiting reader needs (see
        # _frames.py): read what it made readable, here and now.
        if socket.waiting and socket.readable():
            while (replies := socket.recv_nowait()) is not None:
                self._settle(replies)

    def _send_later(self, frames: list[bytes], deadline: float) -> None:
        # Not by waiting on the socket: its reader does. Rare: back off and retry.
        delay = 0.001
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ServiceTimeout("the request could not be sent in time")
            self.backend.sleep(min(delay, remaining))
            delay = min(2 * delay, _SLICE)
            try:
                self.socket.send(frames)
                return
            except self.zmq.Again:
                continue

    def wait(self, future: ReplyFuture) -> None:
        remaining = future.deadline - time.monotonic()
        if remaining <= 0:
            return
        if future.deadline < self.sweep_at or self.closing:
            try:  # due before the sweeper wakes: a timer of its own
                with self.backend.timeout(remaining):
                    self._park(future)
            except TimeoutError:
                return
        else:  # the sweeper times it out
            key = next(self.keys)
            self.timed[key] = future
            try:
                self._park(future)
            finally:
                self.timed.pop(key, None)

    def _park(self, future: ReplyFuture) -> None:
        """Wait in the hub until the call is settled. The green threads parked
        on a call are listed on it (``_waiter``), so that :meth:`_wake_ready`
        switches only into a green thread that still waits right here."""
        parked: list[Any] | None = future._waiter
        if parked is None:
            parked = future._waiter = []
        current = self.getcurrent()
        parked.append(current)
        try:
            while not future.done():
                self.backend.park()
        finally:
            parked.remove(current)

    def _sweep(self) -> None:
        """Time out the calls waited for whose deadline passed, then sleep
        until the next one's deadline (the client's timeout at most).

        One timer for the client rather than one per call (a timer is added
        to the hub and cancelled again for each call otherwise, ~2.3 µs).
        A call is left to the sweeper only when its deadline is no earlier
        than the sweeper's next wake (:attr:`sweep_at`): calls with the
        client's timeout always are, so the sweeper is never woken early.
        """
        self.sweeping = True
        timed, backend, clock = self.timed, self.backend, time.monotonic
        try:
            while True:
                now = clock()
                due = now + self.timeout
                for key, future in list(timed.items()):
                    if future.deadline <= now:
                        del timed[key]
                        self._expire(future)
                    elif future.deadline < due:
                        due = future.deadline
                self.sweep_at = due
                backend.sleep(due - now)
        except _Closed:
            return

    def wake(self, future: ReplyFuture) -> None:
        # One hub callback for every call settled before the hub's next turn
        # (a reader settles a batch of replies), not a timer per call.
        self.ready.append(future)
        if not self.wake_pending:
            self.wake_pending = True
            self.backend.call_soon(self._wake_ready)

    def _wake_ready(self) -> None:
        """In the hub: resume the green threads parked on the settled calls."""
        self.wake_pending = False
        ready, self.ready = self.ready, []
        for index, future in enumerate(ready):
            try:
                self._resume(future)
            except BaseException:  # e.g. SystemExit out of one: still wake the others
                for later in ready[index + 1 :]:
                    self.wake(later)
                raise

    @staticmethod
    def _resume(future: ReplyFuture) -> None:
        parked = future._waiter
        for waiter in list(parked or ()):
            if parked and waiter in parked:  # still parked on this call
                try:
                    waiter.switch()
                except Exception:  # its own failure, not the others' wake-up
                    log.exception("a green thread failed while resuming a service call")

    def _expire(self, future: ReplyFuture) -> None:
        try:
            future._client._expire(future)  # settles the call: wakes its waiter
        except Exception:  # a bug: never let it end the sweeper
            log.exception("could not time out a service call")

    def _end(self, task: Task | None, started: Callable[[], bool]) -> None:
        if task is None:
            return
        # Throwing into a green thread that never ran would kill its parent,
        # the hub: let it start (and block) first.
        for _ in range(10):
            if started() or task.dead():
                break
            self.backend.sleep(0)
        task.kill(_Closed())
        task.join(1.0)

    def close(self) -> None:
        self.closing = True
        self._end(self.sweeper, lambda: self.sweeping)
        self._end(self.reader, lambda: self.started)
        self.socket.close()
        if self.own_context:
            terminate(self.context, self.backend)


class _Channel:
    """One OS thread's socket, and the lock for whoever uses it."""

    __slots__ = ("lock", "socket")

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.lock = threading.Lock()


class BlockingIO:
    """Plain pyzmq sockets, one per OS thread; the caller waiting reads its socket."""

    def __init__(self, spec: SocketSpec, timeout: float, dispatch: Dispatch, context: Any) -> None:
        import zmq  # plain pyzmq, only now: importing Brubeck imports no zmq

        self.zmq = zmq
        self.spec = spec
        self.timeout = timeout
        self.dispatch = dispatch
        self.context = zmq.Context.instance() if context is None else context
        self.local = threading.local()
        self.channels: list[_Channel] = []

    def _channel(self) -> _Channel:
        channel: _Channel | None = getattr(self.local, "channel", None)
        if channel is None:
            channel = _Channel(self.spec.make(self.zmq, self.context))
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
