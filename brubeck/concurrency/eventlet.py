"""The eventlet backend (Brubeck's default, as in 0.4).

Eventlet ≥ 0.39 warns at import that it is "deprecated … in bugfix mode".
Choosing this backend is the user's decision, made through Brubeck, so that one
notice (and nothing else) is silenced while Brubeck imports eventlet; see
docs/concurrency.md. gevent is the actively maintained alternative.

Eventlet's green ``zmq.Poller`` is not green (it blocks the hub): this backend
never polls, it waits on one socket per green thread.
"""

from __future__ import annotations

import errno
import logging
import sys
import warnings
from collections.abc import Callable
from typing import Any

with warnings.catch_warnings():
    # Only eventlet's import-time notice; every other warning still shows.
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated", category=Warning)
    import eventlet
    import eventlet.green.zmq as green_zmq
    import eventlet.hubs
    import eventlet.hubs.hub
    import eventlet.queue
    import eventlet.semaphore
    import eventlet.tpool
    import eventlet.wsgi
    import zmq as raw_zmq
    from greenlet import getcurrent

from brubeck.concurrency.base import Backend, Lock, Queue, Watcher, WSGIServer, _GreenWatcher

__all__ = ["EventletBackend"]

log = logging.getLogger("brubeck.concurrency")


def _nothing() -> None:
    pass


class _Task:
    __slots__ = ("_thread",)

    def __init__(self, thread: Any) -> None:
        self._thread = thread

    def kill(self, exception: BaseException) -> None:
        self._thread.kill(exception)

    def join(self, timeout: float | None = None) -> bool:
        timer = eventlet.Timeout(timeout)
        try:
            self._thread.wait()
        except eventlet.Timeout as exc:
            if exc is not timer:
                raise
            return False
        except BaseException:  # noqa: S110 - it ended; how is its own business
            pass
        finally:
            timer.cancel()
        return True

    def dead(self) -> bool:
        return bool(self._thread.dead)


_READ = eventlet.hubs.hub.READ


class _Alive:
    """What a :class:`_Watcher`'s hub listener names as its green thread.

    The hub throws into a listener's green thread only while that one is
    alive (``BaseHub.close_one``); the green thread that added the listener
    may have ended while others wait on it now, and the watcher's own
    :meth:`_Watcher._throw` reaches those."""

    dead = False


_ALIVE = _Alive()


class _Watcher(_GreenWatcher):
    """One hub listener kept for a descriptor's life, not one per wait.

    ``trampoline`` adds a listener for each wait (``epoll_ctl`` ADD, and a
    listener object) and removes it after (DEL): about 4 µs a wait, measured
    on an inproc ping-pong. Here the listener stays while waits follow each
    other. When the descriptor signals with nobody waiting, the listener is
    removed (epoll reports a readable descriptor on every loop of the hub
    until someone reads it: with nobody to read, the hub would spin), and the
    next wait adds it again.

    Adding it first tells the hub that the number is ours now
    (``mark_as_reopened``): a listener still registered on it is left over
    from a descriptor closed without :meth:`close`. A watcher belongs to the
    OS thread (and so the hub) of its first wait.
    """

    __slots__ = ("_hub", "_listener", "_readers")

    def __init__(self, fd: int) -> None:
        super().__init__(fd)
        self._hub: Any = None
        self._readers: dict[int, Any] = {}
        self._listener: Any = None

    def wait(self) -> None:
        listener = self._listener
        # Still ours in the hub? (The hub drops listeners of descriptors it
        # finds invalid or obsolete.)
        if listener is None or self._readers.get(self._fd) is not listener:
            self._listen()
        current = getcurrent()
        waiters = self._waiters
        waiters.append(current)
        try:
            self._hub.switch()
        finally:
            try:
                waiters.remove(current)
            except ValueError:
                pass

    def _listen(self) -> None:
        if self._closed:
            raise OSError(errno.EBADF, "the watcher was closed")
        hub = self._hub
        if hub is None:
            hub = self._hub = eventlet.hubs.get_hub()
            self._readers = hub.listeners[_READ]
        hub.mark_as_reopened(self._fd)
        listener = hub.add(_READ, self._fd, self._fire, self._throw, None)
        listener.greenlet = _ALIVE
        self._listener = listener

    def _fire(self, fd: int) -> None:
        """The hub's callback (in the hub): the descriptor is readable."""
        waiters = self._waiters
        if not waiters:
            listener, self._listener = self._listener, None
            if listener is not None and self._readers.get(fd) is listener:
                self._hub.remove(listener)
        elif len(waiters) == 1:
            self._resume(waiters[0], None)
        else:
            self._resume_all(None)

    def _resume(self, waiter: Any, error: BaseException | None) -> None:
        # A green thread that ends with an exception raises it here, in the
        # hub (eventlet's GreenThread re-raises): reported, and the other
        # waiters are still woken.
        try:
            if error is None:
                waiter.switch()
            else:
                waiter.throw(error)
        except self._hub.SYSTEM_EXCEPTIONS:
            raise
        except BaseException:
            self._hub.squelch_generic_exception(sys.exc_info())

    def _throw(self, error: BaseException) -> None:
        """The hub's throwback (in the hub): the number was reused, so the
        descriptor was closed without :meth:`close`."""
        self._listener = None
        self._resume_all(error)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        listener, self._listener = self._listener, None
        hub = self._hub
        if hub is None:
            return
        if listener is not None and self._readers.get(self._fd) is listener:
            hub.remove(listener)
        if self._waiters:  # thrown into from the hub, at its next turn
            hub.schedule_call_global(0, self._closed_under_waiters)


class _WSGIServer:
    def __init__(self, host: str, port: int, application: Callable[..., Any], size: int) -> None:
        # reuse_port: several worker processes share the port (the kernel spreads them).
        self._socket = eventlet.listen((host, port), reuse_port=True)
        self.address: tuple[str, int] = self._socket.getsockname()[:2]
        self._application = application
        self._size = size
        self._thread: Any = None

    def serve_forever(self) -> None:
        self._thread = eventlet.getcurrent()
        # eventlet.wsgi.server stops on SystemExit, closes idle keep-alive
        # connections, then waits for the requests in flight.
        try:
            eventlet.wsgi.server(
                self._socket, self._application, max_size=self._size, log_output=False, debug=False
            )
        except SystemExit:  # the second one, from stop(): requests ran out of time
            log.warning("requests still running at shutdown were cut off")

    def stop(self, timeout: float) -> None:
        thread = self._thread
        if thread is None:
            return
        eventlet.kill(thread, SystemExit)

        def cut_off() -> None:
            eventlet.sleep(timeout)
            if not thread.dead:
                eventlet.kill(thread, SystemExit)

        eventlet.spawn(cut_off)


class EventletBackend(Backend):
    """Green threads from eventlet; ZeroMQ from ``eventlet.green.zmq``."""

    name = "eventlet"
    zmq = green_zmq
    raw_zmq = raw_zmq

    def spawn(self, function: Callable[..., Any], *args: Any) -> _Task:
        return _Task(eventlet.spawn(function, *args))

    def sleep(self, seconds: float = 0) -> None:
        eventlet.sleep(seconds)

    def queue(self) -> Queue:
        return eventlet.queue.LightQueue()  # type: ignore[no-any-return]

    def semaphore(self, value: int) -> Lock:
        return eventlet.semaphore.Semaphore(value)  # type: ignore[no-any-return]

    def wait_readable(self, fd: int) -> None:
        eventlet.hubs.trampoline(fd, read=True)

    def watch(self, fd: int) -> Watcher:
        return _Watcher(fd)

    def notify_close(self, fd: int) -> None:
        # The hub's notify_close does nothing (eventlet 0.41); notify_opened
        # drops the listeners on fd now, and raises IOClosed (an OSError) in
        # their green threads at the top of the hub's next loop. The timer
        # makes that loop come now, not after a long wait for other events.
        eventlet.hubs.notify_opened(fd)
        eventlet.hubs.get_hub().schedule_call_global(0, _nothing)

    def run_in_thread(self, function: Callable[..., Any], *args: Any) -> Any:
        return eventlet.tpool.execute(function, *args)

    def hub(self) -> Any:
        return eventlet.hubs.get_hub().greenlet

    def park(self) -> Any:
        return eventlet.hubs.get_hub().switch()

    def call_soon(self, function: Callable[[], Any]) -> None:
        eventlet.hubs.get_hub().schedule_call_global(0, function)

    def _timer(self, seconds: float) -> Any:
        return eventlet.Timeout(seconds)

    def wsgi_server(
        self, host: str, port: int, application: Callable[..., Any], size: int
    ) -> WSGIServer:
        return _WSGIServer(host, port, application, size)

    def monkey_patch(self) -> None:
        eventlet.monkey_patch()


BACKEND = EventletBackend()
