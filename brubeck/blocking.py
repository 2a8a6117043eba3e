"""Where CPU-heavy calls run: a hook the serving layer sets.

Low-level modules (``brubeck.passwords``) call :func:`run` for work that takes
milliseconds with the GIL released (``hashlib.scrypt``). By default that is a
plain call; once an app serves on a concurrency backend
(:func:`brubeck.concurrency.use`), :func:`run` hands the call to an OS thread
of the backend's pool while the calling green thread waits, so the other
requests go on meanwhile. The hook lives here, below everything, so that the
modules that need it do not depend on the concurrency layer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["install", "run"]

T = TypeVar("T")


def _direct(function: Callable[[], Any]) -> Any:
    return function()


_runner: Callable[[Callable[[], Any]], Any] = _direct


def run(function: Callable[[], T]) -> T:
    """``function()``, where the installed runner puts it (a plain call by default)."""
    result: T = _runner(function)
    return result


def install(runner: Callable[[Callable[[], Any]], Any] | None) -> None:
    """Make :func:`run` call ``runner(function)`` (None: plain calls again)."""
    global _runner
    _runner = _direct if runner is None else runner
