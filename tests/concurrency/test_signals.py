"""brubeck.concurrency.signals.stop_on_signals: SIGTERM and SIGINT call ``stop`` from
a green thread, once; the handlers that were there before come back.

Every test first installs a harmless handler of its own ("the previous handler"),
so a signal that stop_on_signals fails to catch is recorded instead of ending
pytest, and restores the real handlers afterwards.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

import greenlet
import pytest

from brubeck import concurrency
from brubeck.concurrency import Backend
from brubeck.concurrency.signals import STOP_SIGNALS, stop_on_signals

BACKENDS = ["eventlet", "gevent"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each test once on eventlet and once on gevent."""
    return concurrency.get_backend(request.param)


class Previous:
    """A harmless handler standing in for whatever was installed before."""

    def __init__(self) -> None:
        self.received: list[int] = []

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.received.append(signum)


@pytest.fixture
def previous() -> Iterator[Previous]:
    """Our own handler on SIGTERM, SIGINT and SIGUSR1 during the test; the real ones after."""
    handler = Previous()
    numbers = (*STOP_SIGNALS, signal.SIGUSR1)
    saved = {number: signal.getsignal(number) for number in numbers}
    try:
        for number in numbers:
            signal.signal(number, handler)
        yield handler
    finally:
        for number, original in saved.items():
            signal.signal(number, original)


class Stopper:
    """A ``stop`` callable that records the green threads it is called in."""

    def __init__(self) -> None:
        self.threads: list[Any] = []

    def __call__(self) -> None:
        self.threads.append(greenlet.getcurrent())


def installed(number: int) -> Any:
    """The handler of signal ``number`` now."""
    return signal.getsignal(number)


def wait_for(backend: Backend, condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Sleep (green) until ``condition()``; False when ``timeout`` passed first."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        backend.sleep(0.01)
    return True


def send(backend: Backend, number: int) -> None:
    """Send ``number`` to this process from a green thread."""
    assert backend.spawn(os.kill, os.getpid(), number).join(5)


def test_stop_signals() -> None:
    assert STOP_SIGNALS == (signal.SIGTERM, signal.SIGINT)


@pytest.mark.parametrize("number", STOP_SIGNALS, ids=lambda n: signal.Signals(n).name)
def test_signal_calls_stop_in_a_green_thread(
    backend: Backend,
    previous: Previous,
    number: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    stop = Stopper()
    main = greenlet.getcurrent()
    with caplog.at_level(logging.INFO, logger="brubeck.concurrency"):
        with stop_on_signals(backend, stop, poll=0.01):
            assert installed(number) is not previous  # ours now
            send(backend, number)
            assert wait_for(backend, lambda: bool(stop.threads))
            assert len(stop.threads) == 1
            assert stop.threads[0] is not main
            assert previous.received == []  # caught by stop_on_signals, not passed on
    assert f"{signal.Signals(number).name}: stopping" in caplog.text


def test_stop_is_called_soon_with_the_default_poll(backend: Backend, previous: Previous) -> None:
    stop = Stopper()
    with stop_on_signals(backend, stop):
        started = time.monotonic()
        send(backend, signal.SIGTERM)
        assert wait_for(backend, lambda: bool(stop.threads), timeout=5)
        assert time.monotonic() - started < 2
    assert len(stop.threads) == 1


def test_after_the_first_signal_the_previous_handlers_are_back(
    backend: Backend, previous: Previous
) -> None:
    stop = Stopper()
    with stop_on_signals(backend, stop, poll=0.01):
        send(backend, signal.SIGTERM)
        assert wait_for(backend, lambda: bool(stop.threads))
        assert installed(signal.SIGTERM) is previous
        assert installed(signal.SIGINT) is previous
        send(backend, signal.SIGINT)  # the second one is not ours to catch
        send(backend, signal.SIGTERM)
        backend.sleep(0.05)
        assert previous.received == [signal.SIGINT, signal.SIGTERM]
    assert len(stop.threads) == 1  # once only


def test_previous_handlers_restored_after_the_block(backend: Backend, previous: Previous) -> None:
    stop = Stopper()
    with stop_on_signals(backend, stop, poll=0.01):
        assert installed(signal.SIGTERM) is not previous
        assert installed(signal.SIGINT) is not previous
        backend.sleep(0.03)
    assert installed(signal.SIGTERM) is previous
    assert installed(signal.SIGINT) is previous
    send(backend, signal.SIGTERM)  # after the block: the previous handler gets it
    backend.sleep(0.05)
    assert previous.received == [signal.SIGTERM]
    assert stop.threads == []


def test_previous_default_handlers_restored(backend: Backend, previous: Previous) -> None:
    """Restoring works for the default handlers too, not only Python functions."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with stop_on_signals(backend, Stopper(), poll=0.01):
        assert installed(signal.SIGTERM) is not signal.SIG_DFL
    assert installed(signal.SIGTERM) is signal.SIG_DFL
    assert installed(signal.SIGINT) is signal.default_int_handler


def test_handlers_restored_when_the_block_raises(backend: Backend, previous: Previous) -> None:
    stop = Stopper()
    with pytest.raises(RuntimeError, match="inside"):
        with stop_on_signals(backend, stop, poll=0.01):
            raise RuntimeError("inside")
    assert installed(signal.SIGTERM) is previous
    assert installed(signal.SIGINT) is previous
    backend.sleep(0.05)  # the watcher ended: it never calls stop
    assert stop.threads == []


def test_no_signal_no_stop(backend: Backend, previous: Previous) -> None:
    stop = Stopper()
    with stop_on_signals(backend, stop, poll=0.01):
        backend.sleep(0.05)
    backend.sleep(0.05)
    assert stop.threads == []


def test_only_the_given_signals(backend: Backend, previous: Previous) -> None:
    stop = Stopper()
    with stop_on_signals(backend, stop, signals=(signal.SIGUSR1,), poll=0.01):
        assert installed(signal.SIGTERM) is previous  # not touched
        send(backend, signal.SIGTERM)
        backend.sleep(0.05)
        assert stop.threads == []
        assert previous.received == [signal.SIGTERM]
        send(backend, signal.SIGUSR1)
        assert wait_for(backend, lambda: bool(stop.threads))
    assert installed(signal.SIGUSR1) is previous


def test_outside_the_main_thread_the_block_only_runs(
    backend: Backend, previous: Previous, caplog: pytest.LogCaptureFixture
) -> None:
    stop = Stopper()
    seen: dict[str, Any] = {}

    def in_thread() -> None:
        try:
            with stop_on_signals(backend, stop, poll=0.01):
                seen["ran"] = True
                seen["inside"] = {n: installed(n) for n in STOP_SIGNALS}
        except BaseException as exc:  # reported to the test below
            seen["error"] = exc

    with caplog.at_level(logging.DEBUG, logger="brubeck.concurrency"):
        thread = threading.Thread(target=in_thread)
        thread.start()
        thread.join(10)
    assert not thread.is_alive()
    assert "error" not in seen, seen.get("error")
    assert seen["ran"] is True
    assert seen["inside"] == {number: previous for number in STOP_SIGNALS}
    assert installed(signal.SIGTERM) is previous
    assert stop.threads == []
    assert "not the main thread" in caplog.text
