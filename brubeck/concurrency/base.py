"""The interface every concurrency backend implements.

A backend is a green-thread library (eventlet, gevent) seen through the few
operations Brubeck's connections need. Nothing here imports the library: the
backend modules do, when they are chosen.
"""

from __future__ import annotations

import abc
import errno
from collections.abc import Callable
from contextlib import AbstractContextManager
from types import ModuleType
from typing import Any, Protocol

__all__ = ["Backend", "Lock", "Queue", "Task", "WSGIServer", "Watcher"]


class Task(Protocol):
    """A running green thread."""

    def kill(self, exception: BaseException) -> None:
        """Raise ``exception`` inside the green thread (where it blocks)."""

    def join(self, timeout: float | None = None) -> bool:
        """Wait until it ends; False when ``timeout`` passed first."""

    def dead(self) -> bool:
        """True once it has ended."""


class Queue(Protocol):
    """An unbounded FIFO queue between green threads."""

    def put(self, item: Any) -> None:
        """Add ``item``; never blocks."""

    def get(self) -> Any:
        """Take the oldest item, waiting (green) for one."""


class Lock(Protocol):
    """A counting semaphore between green threads."""

    def acquire(self) -> bool:
        """Take one unit, waiting (green) while there is none."""

    def release(self) -> None:
        """Give one unit back."""

    def locked(self) -> bool:
        """True while no unit is left (an :meth:`acquire` now would wait)."""


class Watcher(Protocol):
    """One file descriptor watched for readability, for as long as its owner
    keeps it (:meth:`Backend.watch`): a socket's ``ZMQ_FD``, from its first
    wait to its close."""

    def wait(self) -> None:
        """Wait (green) until the descriptor is readable. It may also return
        early (callers check again what they wait for). Several green threads
        may wait at once: all are woken.

        Raises:
            OSError: :meth:`close` was called (also: while this waited).
        """

    def close(self) -> None:
        """Stop watching, before the descriptor is closed: green threads
        waiting raise :class:`OSError`, and the hub forgets the number, which
        the system may give to a new file."""


class WSGIServer(Protocol):
    """A listening WSGI server of the backend's own (eventlet.wsgi, gevent.pywsgi)."""

    address: tuple[str, int]

    def serve_forever(self) -> None:
        """Accept and serve until :meth:`stop`; returns once in-flight requests finished."""

    def stop(self, timeout: float) -> None:
        """Stop accepting; give requests in flight ``timeout`` seconds."""


class Backend(abc.ABC):
    """Green threads, their primitives, and the matching green ``zmq`` module.

    Attributes:
        name: The name users choose it by (``"eventlet"``, ``"gevent"``).
        zmq: The green pyzmq module: its sockets block only the calling green thread.
        raw_zmq: pyzmq itself, for sockets driven by :meth:`wait_readable`
            (``brubeck.connections.sockets``: the hot path without green wrappers).
    """

    name: str
    zmq: ModuleType
    raw_zmq: ModuleType

    @abc.abstractmethod
    def spawn(self, function: Callable[..., Any], *args: Any) -> Task:
        """Run ``function(*args)`` in a new green thread."""

    @abc.abstractmethod
    def sleep(self, seconds: float = 0) -> None:
        """Pause the calling green thread (0 lets others run)."""

    @abc.abstractmethod
    def queue(self) -> Queue:
        """A new unbounded queue."""

    @abc.abstractmethod
    def semaphore(self, value: int) -> Lock:
        """A new counting semaphore holding ``value`` units."""

    @abc.abstractmethod
    def wait_readable(self, fd: int) -> None:
        """Wait (green) until file descriptor ``fd`` is readable. At most one
        green thread may wait on one ``fd`` at a time."""

    @abc.abstractmethod
    def notify_close(self, fd: int) -> None:
        """Wake every green thread waiting in :meth:`wait_readable` on ``fd``:
        there the wait raises :class:`OSError`. Call it just before closing
        ``fd`` if it was ever waited on: a descriptor closed under a waiter
        never signals it, and the hub would go on watching a number the
        system may give to a new file."""

    def watch(self, fd: int) -> Watcher:
        """A :class:`Watcher` of ``fd``, for repeated waits on one descriptor.

        The default waits with :meth:`wait_readable` each time; the backends
        keep one registration with their hub for the watcher's life instead,
        which a wait then costs nothing to set up (eventlet's ``trampoline``
        adds and removes the descriptor from epoll, about 4 µs a wait).
        """
        return _Waits(self, fd)

    @abc.abstractmethod
    def run_in_thread(self, function: Callable[..., Any], *args: Any) -> Any:
        """``function(*args)`` in an OS thread of the library's pool; its result
        (or exception). The calling green thread waits (green): for blocking
        calls that release the GIL, like ``zmq.Context.term``, which would
        otherwise hold up every green thread until it returns."""

    @abc.abstractmethod
    def hub(self) -> Any:
        """The hub: the greenlet that runs the event loop (in this OS thread)."""

    @abc.abstractmethod
    def park(self) -> Any:
        """Switch to the hub until some green thread switches back; what it passed."""

    @abc.abstractmethod
    def call_soon(self, function: Callable[[], Any]) -> None:
        """Run ``function()`` in the hub at its next turn (from any green thread)."""

    @abc.abstractmethod
    def _timer(self, seconds: float) -> Any:
        """The library's own timeout object, started (raised where the green thread waits)."""

    @abc.abstractmethod
    def wsgi_server(
        self, host: str, port: int, application: Callable[..., Any], size: int
    ) -> WSGIServer:
        """A WSGI server bound to ``(host, port)`` (port 0: any free one) running
        at most ``size`` requests at once."""

    @abc.abstractmethod
    def monkey_patch(self) -> None:
        """Make the standard library's blocking calls green (an explicit opt-in)."""

    def timeout(self, seconds: float | None) -> AbstractContextManager[None]:
        """A ``with`` block that raises :class:`TimeoutError` after ``seconds``
        (never, for None). Works where socket timeouts do not: gevent ignores
        ``RCVTIMEO`` on green ZeroMQ sockets."""
        return _Deadline(self, seconds)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


class _Waits:
    """:meth:`Backend.watch` for any backend: one :meth:`Backend.wait_readable` per wait."""

    __slots__ = ("_backend", "_closed", "_fd")

    def __init__(self, backend: Backend, fd: int) -> None:
        self._backend = backend
        self._fd = fd
        self._closed = False

    def wait(self) -> None:
        if self._closed:
            raise OSError(errno.EBADF, "the watcher was closed")
        self._backend.wait_readable(self._fd)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._backend.notify_close(self._fd)


class _GreenWatcher:
    """What the backends' watchers share: the green threads waiting on one
    descriptor, all woken at once. Subclasses register with their hub and
    say how a waiter is resumed (:meth:`_resume`)."""

    __slots__ = ("_closed", "_fd", "_waiters")

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._waiters: list[Any] = []
        self._closed = False

    def _resume(self, waiter: Any, error: BaseException | None) -> None:
        """Switch to ``waiter`` (in the hub), or throw ``error`` into it."""
        raise NotImplementedError

    def _resume_all(self, error: BaseException | None) -> None:
        waiters = self._waiters
        for waiter in tuple(waiters):
            if waiter in waiters:  # not gone meanwhile (one woken first may kill another)
                self._resume(waiter, error)

    def _closed_under_waiters(self) -> None:
        self._resume_all(OSError(errno.EBADF, "the descriptor was closed while waiting"))


class _Deadline:
    """Turns the library's timeout (a BaseException of its own) into ``TimeoutError``."""

    __slots__ = ("_backend", "_seconds", "_timer")

    def __init__(self, backend: Backend, seconds: float | None) -> None:
        self._backend = backend
        self._seconds = seconds
        self._timer: Any = None

    def __enter__(self) -> None:
        if self._seconds is not None:
            self._timer = self._backend._timer(self._seconds)

    def __exit__(self, kind: Any, exc: BaseException | None, traceback: Any) -> None:
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
            if exc is timer:
                raise TimeoutError(f"timed out after {self._seconds} s") from None
