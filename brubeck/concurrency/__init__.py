"""Concurrency backends: green threads from eventlet (the default) or gevent.

Importing this package imports neither library and patches nothing. A backend
is chosen by name, by the app (``Brubeck(concurrency="gevent")``) or the
``brubeck`` command, and only then imported::

    from brubeck import concurrency

    backend = concurrency.get_backend("gevent")
    pool = concurrency.WorkerPool(backend, size=1000)

Handlers that wait call :func:`sleep`, which sleeps in the backend the app
runs on. :func:`monkey_patch` is the explicit opt-in that makes blocking
libraries (database drivers, HTTP clients) yield to other requests.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from brubeck import blocking
from brubeck.concurrency.base import Backend, Lock, Queue, Task, Watcher, WSGIServer
from brubeck.concurrency.pool import DEFAULT_POOL_SIZE, WorkerPool

__all__ = [
    "BACKENDS",
    "DEFAULT_BACKEND",
    "DEFAULT_POOL_SIZE",
    "Backend",
    "Lock",
    "Queue",
    "Task",
    "WSGIServer",
    "Watcher",
    "WorkerPool",
    "active_backend",
    "get_backend",
    "monkey_patch",
    "run_blocking",
    "sleep",
    "use",
]

#: The backends by name, and the module that implements each.
BACKENDS = {"eventlet": "brubeck.concurrency.eventlet", "gevent": "brubeck.concurrency.gevent"}
#: The backend used when none is named (Brubeck 0.4's choice).
DEFAULT_BACKEND = "eventlet"

_active: Backend | None = None
T = TypeVar("T")


def get_backend(name: str | Backend | None = None) -> Backend:
    """The backend called ``name`` (``"eventlet"`` or ``"gevent"``), imported now.

    A :class:`Backend` instance is returned as is; None means the active
    backend, or :data:`DEFAULT_BACKEND` when none is active yet.

    Raises:
        ValueError: for an unknown name.
        ImportError: when the library is not installed (the message says what to install).
    """
    if isinstance(name, Backend):
        return name
    if name is None:
        return _active if _active is not None else get_backend(DEFAULT_BACKEND)
    module_name = BACKENDS.get(name)
    if module_name is None:
        known = ", ".join(sorted(BACKENDS))
        raise ValueError(f"unknown concurrency backend {name!r} (known: {known})")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and exc.name.split(".")[0] in (name, "zmq"):
            extra = " (pip install 'brubeck[gevent]')" if name == "gevent" else ""
            raise ImportError(f"the {name} backend needs {exc.name}{extra}") from exc
        raise
    backend: Backend = module.BACKEND
    return backend


def use(name: str | Backend | None = None) -> Backend:
    """Make ``name`` the active backend (the one :func:`sleep` and
    :func:`run_blocking` use) and return it."""
    global _active
    _active = get_backend(name)
    blocking.install(run_blocking)
    return _active


def active_backend() -> Backend | None:
    """The backend the app serves with, or None before one was chosen."""
    return _active


def run_blocking(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)``, without holding up the other requests while it runs.

    For CPU-heavy calls that release the GIL (``hashlib.scrypt``, zlib on
    large data, ...): in an OS thread of the active backend's pool while the
    calling green thread waits, green. With no backend active (plain code,
    the in-process test client), or off the main thread (whose hub the app
    runs), it is a plain call.
    """
    backend = _active
    if backend is None or threading.current_thread() is not threading.main_thread():
        return function(*args)
    import greenlet  # a backend is active: greenlet is imported already

    if greenlet.getcurrent() is backend.hub():
        return function(*args)  # the hub itself must not wait
    result: T = backend.run_in_thread(function, *args)
    return result


def sleep(seconds: float = 0) -> None:
    """Pause the calling request for ``seconds``, letting others run.

    In the active backend; with none active (plain code, the in-process test
    client) this is :func:`time.sleep`.
    """
    if _active is None:
        time.sleep(seconds)
    else:
        _active.sleep(seconds)


def monkey_patch(name: str | Backend | None = None) -> Backend:
    """Patch the standard library for backend ``name`` and make it active.

    Call it first thing, before importing the libraries it should make green;
    ``brubeck run --monkey-patch`` does it for you.
    """
    backend = use(name)
    backend.monkey_patch()
    return backend
