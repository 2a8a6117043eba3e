"""``Backend.watch``: one descriptor watched from its first wait to its close."""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Iterator

import pytest

from brubeck.concurrency import Backend, Task, Watcher, get_backend
from brubeck.concurrency.base import _Waits

BACKENDS = ["eventlet", "gevent"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    return get_backend(request.param)


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    read_fd, write_fd = os.pipe()
    yield read_fd, write_fd
    for fd in (read_fd, write_fd):
        try:
            os.close(fd)
        except OSError:
            pass  # the test closed it


def outcome_of(backend: Backend, watcher: Watcher) -> tuple[Task, list[object]]:
    """A green thread waiting on ``watcher``, and what its wait ended with."""
    outcome: list[object] = []

    def wait() -> None:
        try:
            watcher.wait()
            outcome.append("woken")
        except OSError as exc:
            outcome.append(exc)

    return backend.spawn(wait), outcome


def test_waits_follow_each_other_on_one_watcher(backend: Backend, pipe: tuple[int, int]) -> None:
    read_fd, write_fd = pipe
    watcher = backend.watch(read_fd)
    try:
        for round_ in range(5):
            task, outcome = outcome_of(backend, watcher)
            backend.sleep(0.01)
            assert outcome == [], f"round {round_}: woken with nothing to read"
            os.write(write_fd, b"x")
            assert task.join(5), f"round {round_}: the wait never woke"
            assert outcome == ["woken"]
            assert os.read(read_fd, 10) == b"x"
    finally:
        watcher.close()


def test_every_green_thread_waiting_is_woken(backend: Backend, pipe: tuple[int, int]) -> None:
    read_fd, write_fd = pipe
    watcher = backend.watch(read_fd)
    try:
        waits = [outcome_of(backend, watcher) for _ in range(3)]
        backend.sleep(0.01)
        os.write(write_fd, b"x")
        for task, outcome in waits:
            assert task.join(5)
            assert outcome == ["woken"]
    finally:
        watcher.close()


def test_close_wakes_the_waiters_with_an_os_error(backend: Backend, pipe: tuple[int, int]) -> None:
    read_fd, write_fd = pipe
    watcher = backend.watch(read_fd)
    waits = [outcome_of(backend, watcher) for _ in range(2)]
    backend.sleep(0.01)
    watcher.close()
    for task, outcome in waits:
        assert task.join(5), "a waiter was never woken"
        assert len(outcome) == 1 and isinstance(outcome[0], OSError)
        assert outcome[0].errno == errno.EBADF
    with pytest.raises(OSError):
        watcher.wait()
    watcher.close()  # twice is fine
    # Nothing of the watcher is left on the descriptor: a one-off wait, which
    # takes nothing over (eventlet refuses a second reader), works.
    task = backend.spawn(backend.wait_readable, read_fd)
    backend.sleep(0.01)
    os.write(write_fd, b"x")
    assert task.join(5)


def test_close_wakes_every_waiter_even_when_one_dies_of_it(
    backend: Backend, pipe: tuple[int, int]
) -> None:
    """Waiters that do not catch the error end with it (eventlet re-raises
    that into the hub): the others are still woken."""
    watcher = backend.watch(pipe[0])
    tasks = [backend.spawn(watcher.wait) for _ in range(3)]
    backend.sleep(0.01)
    watcher.close()
    assert all(task.join(5) for task in tasks), "a waiter was never woken"


def test_a_watcher_closed_before_its_first_wait(backend: Backend, pipe: tuple[int, int]) -> None:
    watcher = backend.watch(pipe[0])
    watcher.close()
    with pytest.raises(OSError):
        watcher.wait()


def test_a_readable_descriptor_nobody_waits_on_does_not_spin_the_hub(
    backend: Backend, pipe: tuple[int, int]
) -> None:
    read_fd, write_fd = pipe
    watcher = backend.watch(read_fd)
    try:
        os.write(write_fd, b"x")
        watcher.wait()  # readable: returns; nobody reads, nobody waits any more
        started = time.process_time()
        backend.sleep(0.3)  # the hub runs, with the descriptor still readable
        spent = time.process_time() - started
        # A hub polling a readable descriptor in a loop burns the whole 0.3 s;
        # an idle one next to nothing.
        assert spent < 0.15, f"the hub spun: {spent:.3f} s of CPU in a 0.3 s sleep"
        watcher.wait()  # still readable: a new wait returns at once
    finally:
        watcher.close()


def test_a_number_left_watched_by_a_descriptor_closed_without_close_is_taken_over(
    backend: Backend,
) -> None:
    first_read, first_write = os.pipe()
    old = backend.watch(first_read)
    os.write(first_write, b"x")
    old.wait()  # the watch stays registered...
    os.close(first_read)  # ...and its descriptor is closed under it, without old.close()
    os.close(first_write)
    second_read, second_write = os.pipe()  # the lowest free numbers: the old ones
    if second_read != first_read:
        os.close(second_read)
        os.close(second_write)
        pytest.skip("the system gave the new pipe other numbers")
    new = backend.watch(second_read)
    try:
        task, outcome = outcome_of(backend, new)
        backend.sleep(0.01)
        os.write(second_write, b"x")
        assert task.join(5), "the wait on the new descriptor never woke"
        assert outcome == ["woken"]
    finally:
        new.close()
        os.close(second_read)
        os.close(second_write)


def test_the_default_watcher_waits_with_wait_readable(pipe: tuple[int, int]) -> None:
    """A backend without a watcher of its own gets one made of wait_readable and notify_close."""
    calls: list[tuple[str, int]] = []

    class Plain:
        def wait_readable(self, fd: int) -> None:
            calls.append(("wait", fd))

        def notify_close(self, fd: int) -> None:
            calls.append(("close", fd))

    watcher = _Waits(Plain(), pipe[0])  # type: ignore[arg-type]
    watcher.wait()
    watcher.wait()
    watcher.close()
    watcher.close()
    assert calls == [("wait", pipe[0]), ("wait", pipe[0]), ("close", pipe[0])]
    with pytest.raises(OSError):
        watcher.wait()


def test_an_idle_gevent_watch_does_not_keep_the_loop_alive(pipe: tuple[int, int]) -> None:
    """libev counts started watchers as work left for the loop (gevent.wait()
    returns, LoopExit is raised, only when there is none): a watch nobody
    waits on must not count."""
    backend = get_backend("gevent")
    import gevent

    loop = gevent.get_hub().loop
    before = loop.activecnt
    watcher = backend.watch(pipe[0])
    try:
        os.write(pipe[1], b"x")
        backend.spawn(watcher.wait).join(5)  # the watch stays started after this
        assert loop.activecnt == before
        task = backend.spawn(watcher.wait)  # readable still: returns at once...
        assert task.join(5)
        waiting = backend.spawn(watcher.wait)
        os.read(pipe[0], 1)
        backend.sleep(0.01)  # ...and now one waits: that one counts
        assert loop.activecnt == before + 1
        watcher.close()
        assert waiting.join(5)
    finally:
        watcher.close()
