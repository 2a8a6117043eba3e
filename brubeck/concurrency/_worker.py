"""The pool's worker green thread (imported on first use: importing Brubeck
imports no greenlet). See :mod:`brubeck.concurrency.pool` for the design."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import greenlet

if TYPE_CHECKING:
    from brubeck.concurrency.pool import WorkerPool

__all__ = ["Worker", "getcurrent"]

log = logging.getLogger("brubeck.concurrency")
getcurrent = greenlet.getcurrent


class Worker(greenlet.greenlet):  # type: ignore[misc]
    """A green thread that runs one call after another for its pool.

    While it runs a call inline, ``submitter`` is the green thread waiting in
    :meth:`WorkerPool.submit` (also listed in the pool's ``_awaiting``); the
    first switch to the hub (``switch_out``) lets that one go. Its parent is
    the hub, except for the instant it exits inline (then it is the
    submitter, which the exit resumes).
    """

    def __init__(self, pool: WorkerPool) -> None:
        super().__init__(self._serve, parent=pool._hub)
        self.pool = pool
        self.submitter: Any = None
        self.job_pending = False  # set by submit() just before it switches in

    def switch_out(self) -> None:
        """Called by the hub's ``switch`` when this worker is about to block."""
        submitter = self.submitter
        if submitter is not None:
            self.submitter = None
            self.pool.backend.call_soon(functools.partial(self.pool._resume, submitter, self))

    def _serve(self, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            while True:
                self.job_pending = False
                self._run(function, args)
                job = self._next()
                if job is None:
                    return
                function, args = job
        except greenlet.GreenletExit:  # killed: end, but let a waiting submitter go
            self._leave()

    def _run(self, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
        pool = self.pool
        try:
            function(*args)
        except greenlet.GreenletExit:
            raise
        except BaseException:  # SystemExit, a stray Timeout: this call's problem only
            log.exception("uncaught error in a pooled green thread")
        finally:
            pool._running -= 1
            pool._slots.release()

    def _next(self) -> tuple[Callable[..., Any], tuple[Any, ...]] | None:
        """Let the submitter go on, then park until the next call (None: exit)."""
        pool = self.pool
        submitter, self.submitter = self.submitter, None
        waiting = submitter is not None and pool._awaiting.get(submitter) is self
        if waiting:
            del pool._awaiting[submitter]
        if len(pool._idle) >= pool.max_idle:
            if not waiting:
                return None  # to the hub, our parent
            try:
                self.parent = submitter  # returning resumes it
                return None
            except ValueError:  # the submitter descends from us: park instead
                pass
        pool._idle.append(self)
        while True:
            try:
                job = submitter.switch() if waiting else pool.backend.park()
            except greenlet.GreenletExit:
                raise
            except BaseException:  # e.g. a Timeout a handler started and leaked
                log.warning("a parked pool worker was interrupted", exc_info=True)
                job = None
            waiting = False
            if self.job_pending:
                return job  # type: ignore[no-any-return]
            if job is not None:
                log.warning("a parked pool worker was woken by something else: %r", job)

    def _leave(self) -> None:
        pool = self.pool
        if self in pool._idle:
            pool._idle.remove(self)
        submitter, self.submitter = self.submitter, None
        if submitter is not None and pool._awaiting.get(submitter) is self:
            del pool._awaiting[submitter]
            try:
                self.parent = submitter
            except ValueError:
                pool.backend.call_soon(submitter.switch)
