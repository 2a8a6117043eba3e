"""The gevent backend: actively maintained, and a first-class equal of eventlet.

gevent's green ZeroMQ sockets (``zmq.green``) ignore ``RCVTIMEO``; Brubeck
waits with :meth:`Backend.timeout` instead, which works on both.
"""

from __future__ import annotations

import errno
import sys
from collections.abc import Callable
from typing import Any

import gevent
import gevent.lock
import gevent.monkey
import gevent.pywsgi
import gevent.queue
import gevent.socket
import zmq as raw_zmq
import zmq.green as green_zmq
from greenlet import getcurrent

from brubeck.concurrency.base import Backend, Lock, Queue, Watcher, WSGIServer, _GreenWatcher

__all__ = ["GeventBackend"]


class _Task:
    __slots__ = ("_greenlet",)

    def __init__(self, greenlet: Any) -> None:
        self._greenlet = greenlet

    def kill(self, exception: BaseException) -> None:
        self._greenlet.kill(exception, block=False)

    def join(self, timeout: float | None = None) -> bool:
        self._greenlet.join(timeout)
        return bool(self._greenlet.dead)

    def dead(self) -> bool:
        return bool(self._greenlet.dead)


class _Watcher(_GreenWatcher):
    """One io watcher kept for a descriptor's life, not one per wait.

    Started while waits follow each other; stopped when the descriptor
    signals with nobody waiting (libev reports a readable descriptor on every
    loop until someone reads it: with nobody to read, the hub would spin),
    and started again by the next wait. A watcher belongs to the OS thread
    (and so the hub) of its first wait.
    """

    __slots__ = ("_hub", "_io")

    def __init__(self, fd: int) -> None:
        super().__init__(fd)
        self._hub: Any = None
        self._io: Any = None

    def wait(self) -> None:
        io = self._io
        if io is None or not io.active:
            io = self._start()
        current = getcurrent()
        waiters = self._waiters
        waiters.append(current)
        io.ref = True  # while someone waits, the watcher keeps the loop alive
        try:
            self._hub.switch()
        finally:
            try:
                waiters.remove(current)
            except ValueError:
                pass
            if not waiters and self._io is not None:
                self._io.ref = False  # an idle watch does not (gevent.wait() returns)

    def _start(self) -> Any:
        if self._closed:
            raise OSError(errno.EBADF, "the watcher was closed")
        if self._io is None:
            self._hub = gevent.get_hub()
            self._io = self._hub.loop.io(self._fd, 1)
        self._io.start(self._fire)
        return self._io

    def _fire(self) -> None:
        """The loop's callback (in the hub): the descriptor is readable."""
        waiters = self._waiters
        if not waiters:
            self._io.stop()
        elif len(waiters) == 1:
            self._resume(waiters[0], None)
        else:
            self._resume_all(None)

    def _resume(self, waiter: Any, error: BaseException | None) -> None:
        # gevent's Greenlet reports its own failures; a raw greenlet's would
        # come out here, in the hub: reported, and the other waiters still woken.
        try:
            if error is None:
                waiter.switch()
            else:
                waiter.throw(error)
        except self._hub.SYSTEM_ERROR:
            raise
        except BaseException:
            self._hub.handle_error(waiter, *sys.exc_info())

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        io, self._io = self._io, None
        if io is None:
            return
        io.stop()
        io.close()
        if self._waiters:  # thrown into from the hub, at its next turn
            self._hub.loop.run_callback(self._closed_under_waiters)


class _WSGIServer:
    def __init__(self, host: str, port: int, application: Callable[..., Any], size: int) -> None:
        # SO_REUSEPORT: several worker processes share the port (the kernel spreads them).
        listener = gevent.socket.socket(gevent.socket.AF_INET, gevent.socket.SOCK_STREAM)
        listener.setsockopt(gevent.socket.SOL_SOCKET, gevent.socket.SO_REUSEADDR, 1)
        listener.setsockopt(gevent.socket.SOL_SOCKET, gevent.socket.SO_REUSEPORT, 1)
        listener.bind((host, port))
        listener.listen(1024)
        self._server = gevent.pywsgi.WSGIServer(listener, application, spawn=size, log=None)
        self.address: tuple[str, int] = self._server.address[:2]

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self, timeout: float) -> None:
        self._server.stop(timeout)


class GeventBackend(Backend):
    """Green threads from gevent; ZeroMQ from ``zmq.green``."""

    name = "gevent"
    zmq = green_zmq
    raw_zmq = raw_zmq

    def __init__(self) -> None:
        # fd -> the io watchers of the green threads waiting on it, for notify_close
        # (gevent's cancel_wait takes a watcher; wait_read keeps its own to itself).
        self._watchers: dict[int, list[Any]] = {}

    def spawn(self, function: Callable[..., Any], *args: Any) -> _Task:
        return _Task(gevent.spawn(function, *args))

    def sleep(self, seconds: float = 0) -> None:
        gevent.sleep(seconds)

    def queue(self) -> Queue:
        return gevent.queue.SimpleQueue()  # type: ignore[no-any-return]

    def semaphore(self, value: int) -> Lock:
        return gevent.lock.Semaphore(value)  # type: ignore[no-any-return]

    def wait_readable(self, fd: int) -> None:
        # gevent.socket.wait_read, with the watcher kept where notify_close finds it.
        hub = gevent.get_hub()
        watcher = hub.loop.io(fd, 1)
        watchers = self._watchers.setdefault(fd, [])
        watchers.append(watcher)
        try:
            hub.wait(watcher)
        finally:
            watchers.remove(watcher)
            if not watchers:
                self._watchers.pop(fd, None)
            watcher.close()

    def watch(self, fd: int) -> Watcher:
        return _Watcher(fd)

    def notify_close(self, fd: int) -> None:
        hub = gevent.get_hub()
        for watcher in self._watchers.get(fd, ()):
            error = OSError(errno.EBADF, "the file descriptor was closed while waiting")
            hub.cancel_wait(watcher, error)

    def run_in_thread(self, function: Callable[..., Any], *args: Any) -> Any:
        return gevent.get_hub().threadpool.apply(function, args)

    def hub(self) -> Any:
        return gevent.get_hub()

    def park(self) -> Any:
        return gevent.get_hub().switch()

    def call_soon(self, function: Callable[[], Any]) -> None:
        gevent.get_hub().loop.run_callback(function)

    def _timer(self, seconds: float) -> Any:
        return gevent.Timeout.start_new(seconds)  # gevent.Timeout(...) alone is not started

    def wsgi_server(
        self, host: str, port: int, application: Callable[..., Any], size: int
    ) -> WSGIServer:
        return _WSGIServer(host, port, application, size)

    def monkey_patch(self) -> None:
        gevent.monkey.patch_all()


BACKEND = GeventBackend()
