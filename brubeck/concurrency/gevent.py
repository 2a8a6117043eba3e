"""The gevent backend: actively maintained, and a first-class equal of eventlet.

gevent's green ZeroMQ sockets (``zmq.green``) ignore ``RCVTIMEO``; Brubeck
waits with :meth:`Backend.timeout` instead, which works on both.
"""

from __future__ import annotations

import errno
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

from brubeck.concurrency.base import Backend, Lock, Queue, WSGIServer

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
