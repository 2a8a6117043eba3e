"""Stopping on SIGTERM and SIGINT, safely.

A Python signal handler runs between two bytecodes of whatever the main
thread was doing, possibly inside the green hub, so it only records the signal.
A green watcher notices it (within ``poll`` seconds) and calls ``stop`` from
an ordinary green thread. After the first signal the default handlers are
back, so a second Ctrl-C stops at once.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from brubeck.concurrency.base import Backend

__all__ = ["STOP_SIGNALS", "stop_on_signals"]

log = logging.getLogger("brubeck.concurrency")

#: The signals that stop a server gracefully.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def stop_on_signals(
    backend: Backend,
    stop: Callable[[], None],
    signals: tuple[signal.Signals, ...] = STOP_SIGNALS,
    poll: float = 0.05,
) -> Iterator[None]:
    """Within the block, the first of ``signals`` calls ``stop()`` in a green thread.

    Outside the main thread signals cannot be caught; the block then only runs.
    """
    if threading.current_thread() is not threading.main_thread():
        log.debug("not the main thread: signals are not handled")
        yield
        return
    received: list[int] = []
    previous: dict[int, Any] = {}

    def record(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        for number, handler in previous.items():
            signal.signal(number, handler)

    for wanted in signals:
        previous[wanted] = signal.signal(wanted, record)
    done = False

    def watch() -> None:
        while not received and not done:
            backend.sleep(poll)
        if received:
            log.info("%s: stopping", signal.Signals(received[0]).name)
            stop()

    watcher = backend.spawn(watch)
    try:
        yield
    finally:
        done = True
        watcher.join(poll * 4)
        if not received:
            for number, handler in previous.items():
                signal.signal(number, handler)
