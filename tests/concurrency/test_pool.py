"""brubeck.concurrency.WorkerPool: at most ``size`` calls at once, each in a green
thread, on long-lived workers."""

from __future__ import annotations

import contextlib
import logging
import time
from collections import Counter
from typing import Any

import greenlet
import pytest

from brubeck import concurrency
from brubeck.concurrency import Backend, WorkerPool

BACKENDS = ["eventlet", "gevent"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each test once on eventlet and once on gevent."""
    return concurrency.get_backend(request.param)


class Gate:
    """Calls that wait until the test lets them through, one by one."""

    def __init__(self, backend: Backend) -> None:
        self._queue = backend.queue()
        self.started: list[Any] = []
        self.finished: list[Any] = []

    def call(self, label: Any) -> None:
        self.started.append(label)
        self._queue.get()
        self.finished.append(label)

    def open(self, count: int = 1) -> None:
        for _ in range(count):
            self._queue.put(None)


class Concurrency:
    """Counts the calls running at the same moment."""

    def __init__(self, backend: Backend, pause: float = 0.01) -> None:
        self.backend = backend
        self.pause = pause
        self.now = 0
        self.max = 0
        self.calls: list[int] = []

    def call(self, index: int) -> None:
        self.now += 1
        self.max = max(self.max, self.now)
        try:
            self.backend.sleep(self.pause)
            self.calls.append(index)
        finally:
            self.now -= 1


def test_defaults(backend: Backend) -> None:
    pool = WorkerPool(backend)
    assert pool.backend is backend
    assert pool.size == concurrency.DEFAULT_POOL_SIZE == 2000
    assert pool.max_idle == 256
    assert (pool.running, pool.free) == (0, 2000)
    assert repr(pool) == "<WorkerPool 0/2000 running, 0 idle>"


@pytest.mark.parametrize(("max_idle", "kept"), [(100, 10), (10, 10), (3, 3), (0, 0), (-5, 0)])
def test_max_idle_is_clamped(backend: Backend, max_idle: int, kept: int) -> None:
    assert WorkerPool(backend, size=10, max_idle=max_idle).max_idle == kept


@pytest.mark.parametrize("size", [0, -1, True, False, "3", 2.0, None])
def test_invalid_size(backend: Backend, size: Any) -> None:
    with pytest.raises(ValueError, match="a pool needs a size of at least 1"):
        WorkerPool(backend, size=size)


def test_size_one_is_valid(backend: Backend) -> None:
    pool = WorkerPool(backend, size=1)
    done: list[int] = []
    for index in range(5):
        pool.submit(done.append, index)
    assert pool.wait_idle(5)
    assert done == [0, 1, 2, 3, 4]


def test_every_call_runs_exactly_once(backend: Backend) -> None:
    pool = WorkerPool(backend, size=7, max_idle=3)
    calls: list[tuple[int, str]] = []

    def record(index: int, tag: str) -> None:
        if index % 3:
            backend.sleep(0.001 * (index % 5))
        calls.append((index, tag))

    for index in range(300):
        pool.submit(record, index, f"t{index}")
    assert pool.wait_idle(30)
    counts = Counter(calls)
    assert set(counts) == {(index, f"t{index}") for index in range(300)}
    assert set(counts.values()) == {1}
    assert (pool.running, pool.free) == (0, 7)


def test_at_most_size_run_at_once(backend: Backend) -> None:
    pool = WorkerPool(backend, size=5)
    tracker = Concurrency(backend)
    for index in range(40):
        pool.submit(tracker.call, index)
        assert pool.running <= 5
    assert pool.wait_idle(30)
    assert tracker.max == 5
    assert sorted(tracker.calls) == list(range(40))


def test_calls_run_in_parallel(backend: Backend) -> None:
    """Each call in a green thread of its own: ten 0.2 s sleeps take far less than 2 s."""
    pool = WorkerPool(backend, size=10)
    tracker = Concurrency(backend, pause=0.2)
    for index in range(10):
        pool.submit(tracker.call, index)
    assert pool.wait_idle(1.5)
    assert tracker.max == 10


def test_submit_blocks_when_full(backend: Backend) -> None:
    pool = WorkerPool(backend, size=2)
    gate = Gate(backend)
    pool.submit(gate.call, "first")
    pool.submit(gate.call, "second")
    backend.sleep(0.01)
    assert gate.started == ["first", "second"]
    assert (pool.running, pool.free) == (2, 0)

    steps: list[str] = []

    def third() -> None:
        steps.append("submitting")
        pool.submit(gate.call, "third")
        steps.append("submitted")

    submitter = backend.spawn(third)
    backend.sleep(0.1)
    assert steps == ["submitting"]  # still waiting in submit
    assert gate.started == ["first", "second"]
    assert not submitter.dead()

    gate.open()  # one of them ends, its slot goes to "third"
    assert submitter.join(5)
    backend.sleep(0.01)
    assert steps == ["submitting", "submitted"]
    assert gate.started == ["first", "second", "third"]
    assert len(gate.finished) == 1  # which one: the queue's choice
    assert pool.running == 2

    gate.open(2)
    assert pool.wait_idle(5)
    assert sorted(gate.finished) == ["first", "second", "third"]


def test_exceptions_are_logged_and_the_pool_keeps_working(
    backend: Backend, caplog: pytest.LogCaptureFixture
) -> None:
    pool = WorkerPool(backend, size=2)
    done: list[str] = []

    def fail(message: str) -> None:
        raise ValueError(message)

    with caplog.at_level(logging.ERROR, logger="brubeck.concurrency"):
        for index in range(4):
            pool.submit(fail, f"boom {index}")
        assert pool.wait_idle(5)
    records = [r for r in caplog.records if r.name == "brubeck.concurrency"]
    assert len(records) == 4
    for record in records:
        assert record.levelno == logging.ERROR
        assert record.getMessage() == "uncaught error in a pooled green thread"
        assert record.exc_info is not None and record.exc_info[0] is ValueError
    assert sorted(str(r.exc_info[1]) for r in records if r.exc_info) == [
        f"boom {index}" for index in range(4)
    ]
    assert (pool.running, pool.free) == (0, 2)

    for index in range(5):  # both slots came back
        pool.submit(done.append, f"ok {index}")
    assert pool.wait_idle(5)
    assert done == [f"ok {index}" for index in range(5)]


def test_an_error_does_not_reach_the_submitter(backend: Backend) -> None:
    pool = WorkerPool(backend, size=1)
    logger = logging.getLogger("brubeck.concurrency")
    disabled, logger.disabled = logger.disabled, True
    try:
        pool.submit(lambda: 1 / 0)
        backend.sleep(0.01)
        pool.submit(lambda: None)  # the slot was released despite the error
        assert pool.wait_idle(5)
    finally:
        logger.disabled = disabled


def test_workers_are_reused(backend: Backend) -> None:
    pool = WorkerPool(backend, size=10)
    threads: list[Any] = []  # the greenlets themselves: ids could be reused after GC
    for _ in range(100):
        pool.submit(lambda: threads.append(greenlet.getcurrent()))
        assert pool.wait_idle(5)
    assert len(threads) == 100
    main = greenlet.getcurrent()
    assert all(thread is not main for thread in threads)
    distinct = {id(thread) for thread in threads}
    assert len(distinct) <= 3, len(distinct)


def test_idle_workers_above_max_idle_exit(backend: Backend) -> None:
    pool = WorkerPool(backend, size=50, max_idle=2)
    threads: list[Any] = []
    gate = Gate(backend)  # held until all 50 run: no race with a slow machine

    def held(label: int) -> None:
        threads.append(greenlet.getcurrent())
        gate.call(label)

    for index in range(50):
        pool.submit(held, index)
    assert pool.running == 50
    gate.open(50)
    assert pool.wait_idle(10)
    backend.sleep(0.01)
    assert len({id(thread) for thread in threads}) == 50  # a burst: one worker per call
    assert pool.idle <= 2
    alive = [thread for thread in threads if not thread.dead]
    assert len(alive) <= 2
    assert len(alive) == pool.idle

    done: list[int] = []
    for index in range(20):  # still works, with the kept workers and new ones
        pool.submit(done.append, index)
    assert pool.wait_idle(5)
    backend.sleep(0.01)
    assert sorted(done) == list(range(20))
    assert pool.idle <= 2


def test_max_idle_zero_keeps_no_worker(backend: Backend) -> None:
    pool = WorkerPool(backend, size=5, max_idle=0)
    threads: list[Any] = []
    for _ in range(5):
        pool.submit(lambda: threads.append(greenlet.getcurrent()))
        assert pool.wait_idle(5)
    backend.sleep(0.01)
    assert pool.idle == 0
    assert all(thread.dead for thread in threads)
    assert len({id(thread) for thread in threads}) == 5


def test_wait_idle(backend: Backend) -> None:
    pool = WorkerPool(backend, size=3)
    assert pool.wait_idle(0) is True  # nothing running
    assert pool.wait_idle() is True
    gate = Gate(backend)
    pool.submit(gate.call, "held")
    assert pool.wait_idle(0.05) is False
    assert pool.running == 1
    gate.open()
    assert pool.wait_idle(5) is True
    assert pool.running == 0


def test_wait_idle_without_timeout_waits(backend: Backend) -> None:
    pool = WorkerPool(backend, size=3)
    done: list[bool] = []

    def nap() -> None:
        backend.sleep(0.05)
        done.append(True)

    pool.submit(nap)
    pool.submit(nap)
    assert pool.wait_idle() is True
    assert done == [True, True]


def test_wait_idle_from_another_green_thread(backend: Backend) -> None:
    pool = WorkerPool(backend, size=2)
    gate = Gate(backend)
    pool.submit(gate.call, 1)
    results: list[bool] = []
    waiter = backend.spawn(lambda: results.append(pool.wait_idle(5)))
    backend.sleep(0.02)
    assert results == []
    gate.open()
    assert waiter.join(5)
    assert results == [True]


def test_running_and_free(backend: Backend) -> None:
    pool = WorkerPool(backend, size=3)
    gate = Gate(backend)
    pool.submit(gate.call, "a")
    assert (pool.running, pool.free) == (1, 2)  # counted at once, before it starts
    pool.submit(gate.call, "b")
    backend.sleep(0.01)
    assert (pool.running, pool.free) == (2, 1)
    assert repr(pool) == "<WorkerPool 2/3 running, 0 idle>"
    gate.open()
    backend.sleep(0.01)
    assert (pool.running, pool.free) == (1, 2)
    assert repr(pool) == "<WorkerPool 1/3 running, 1 idle>"
    gate.open()
    assert pool.wait_idle(5)
    assert (pool.running, pool.free) == (0, 3)


# -- inline until the call blocks -------------------------------------------------------


def test_a_call_that_never_blocks_is_done_when_submit_returns(backend: Backend) -> None:
    pool = WorkerPool(backend, size=4)
    ran_in: list[Any] = []
    pool.submit(lambda: ran_in.append(greenlet.getcurrent()))
    assert len(ran_in) == 1  # no trip through the hub was needed
    assert ran_in[0] is not greenlet.getcurrent()  # still a green thread of its own
    assert (pool.running, pool.idle) == (0, 1)
    pool.submit(lambda: ran_in.append(greenlet.getcurrent()))
    assert ran_in[1] is ran_in[0]  # the parked worker again, no new one


def test_a_call_that_blocks_goes_on_by_itself(backend: Backend) -> None:
    pool = WorkerPool(backend, size=4)
    events: list[str] = []

    def slow() -> None:
        events.append("started")
        backend.sleep(0.02)
        events.append("finished")

    pool.submit(slow)
    assert events == ["started"]  # submit returned at its first block
    assert pool.running == 1
    events.append("submitter")
    assert pool.wait_idle(5)
    assert events == ["started", "submitter", "finished"]
    assert pool.idle == 1  # parked for the next call


def test_inline_and_blocking_calls_mix(backend: Backend) -> None:
    pool = WorkerPool(backend, size=100, max_idle=5)
    done: list[int] = []

    def call(index: int) -> None:
        if index % 3 == 0:
            backend.sleep(0.001 * (index % 7))
        done.append(index)

    for index in range(300):
        pool.submit(call, index)
    assert pool.wait_idle(10)
    backend.sleep(0.01)
    assert sorted(done) == list(range(300))
    assert pool.running == 0
    assert pool.idle <= 5


def test_nested_submits(backend: Backend) -> None:
    """A pooled call may submit to its own pool, blocking or not, at any depth."""
    pool = WorkerPool(backend, size=50, max_idle=4)
    done: list[tuple[int, int]] = []

    def leaf(depth: int, index: int) -> None:
        if index % 2:
            backend.sleep(0)
        done.append((depth, index))
        if depth < 3:
            for child in range(2):
                pool.submit(leaf, depth + 1, child)

    for _ in range(5):
        pool.submit(leaf, 0, 0)
        pool.submit(leaf, 0, 1)
    assert pool.wait_idle(10)
    assert len(done) == 10 * (1 + 2 + 4 + 8)


def test_timeouts_work_in_pooled_calls(backend: Backend) -> None:
    pool = WorkerPool(backend, size=4)
    outcome: list[str] = []

    def waits_too_long() -> None:
        try:
            with backend.timeout(0.01):
                backend.sleep(5)
        except TimeoutError:
            outcome.append("timed out")

    pool.submit(waits_too_long)
    assert pool.wait_idle(5)
    assert outcome == ["timed out"]


def test_an_inline_error_leaves_the_submitter_running(backend: Backend) -> None:
    pool = WorkerPool(backend, size=2)
    logger = logging.getLogger("brubeck.concurrency")
    disabled, logger.disabled = logger.disabled, True
    try:
        pool.submit(lambda: 1 / 0)
        assert pool.running == 0
        after: list[int] = []
        pool.submit(after.append, 1)
        assert after == [1]
    finally:
        logger.disabled = disabled


# -- hand-backs that must never go astray (found in review) ----------------------------


def _busy(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pass


def test_a_handler_that_kills_its_submitter(backend: Backend) -> None:
    pool = WorkerPool(backend, size=4)
    outcome: list[Any] = []
    task: Any = None

    def handler() -> None:
        task.kill(ValueError("stop"))
        backend.sleep(0.05)

    def submitter() -> None:
        try:
            pool.submit(handler)
            backend.sleep(0.5)
        except ValueError:
            started = time.monotonic()
            backend.sleep(0.2)
            outcome.append(time.monotonic() - started)

    task = backend.spawn(submitter)
    assert task.join(5)
    assert outcome and outcome[0] >= 0.19
    assert pool.wait_idle(5)


def test_a_leaked_timeout_does_not_kill_a_parked_worker(
    backend: Backend, caplog: pytest.LogCaptureFixture
) -> None:
    pool = WorkerPool(backend, size=2)
    ran: list[int] = []
    pool.submit(lambda: backend._timer(0.02))  # started, never cancelled: a handler bug
    backend.sleep(0.1)  # it fires into the parked worker
    for index in range(3):
        pool.submit(ran.append, index)
    assert ran == [0, 1, 2]
    assert (pool.running, pool.free) == (0, 2)
    assert "interrupted" in caplog.text


def test_nested_submits_with_max_idle_reached_resume_every_submitter(backend: Backend) -> None:
    pool = WorkerPool(backend, size=10, max_idle=1)
    log: list[str] = []

    def inner_blocks() -> None:
        backend.sleep(0.01)

    def fan_out() -> None:
        pool.submit(inner_blocks)
        pool.submit(lambda: None)
        log.append("fan_out done")

    def second_submitter() -> None:
        pool.submit(fan_out)
        log.append("second resumed")

    def first() -> None:
        backend.spawn(second_submitter)
        backend.sleep(0)

    def submitter() -> None:
        pool.submit(first)
        backend.sleep(0.2)

    assert backend.spawn(submitter).join(5)
    assert "second resumed" in log
    assert pool.wait_idle(5)


def test_a_base_exception_inline_never_reaches_the_submitter(backend: Backend) -> None:
    pool = WorkerPool(backend, size=4)

    class Boom(BaseException):
        pass

    def inline() -> None:
        raise Boom("inline")

    logger = logging.getLogger("brubeck.concurrency")
    disabled, logger.disabled = logger.disabled, True
    try:
        pool.submit(inline)  # would raise here if it leaked
        pool.submit(lambda: (backend.sleep(0.01), inline()))
        assert pool.wait_idle(5)
    finally:
        logger.disabled = disabled
    assert (pool.running, pool.free) == (0, 4)


def test_a_fan_out_under_a_timeout_leaves_no_dead_worker(backend: Backend) -> None:
    pool = WorkerPool(backend, size=8)
    ran: list[int] = []

    def inner() -> None:
        _busy(0.03)
        backend.sleep(0.05)

    def outer() -> None:
        with contextlib.suppress(TimeoutError), backend.timeout(0.01):
            pool.submit(inner)

    pool.submit(outer)
    backend.sleep(0.2)
    for index in range(3):
        pool.submit(lambda i=index: (ran.append(i), backend.sleep(0.02)))
    assert pool.wait_idle(5)
    assert sorted(ran) == [0, 1, 2]
    assert pool.free == 8
