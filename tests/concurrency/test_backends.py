"""brubeck.concurrency: the eventlet and gevent backends behind one interface,
and the module-level choice of the active backend."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
import zmq

from brubeck import concurrency
from brubeck.concurrency import Backend

BACKENDS = ["eventlet", "gevent"]


class Stop(BaseException):
    """Thrown into a green thread to end it (not an Exception: nothing catches it by accident)."""


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each test once on eventlet and once on gevent."""
    return concurrency.get_backend(request.param)


@pytest.fixture
def no_active(monkeypatch: pytest.MonkeyPatch) -> None:
    """No active backend during the test; the previous one is restored after it."""
    monkeypatch.setattr(concurrency, "_active", None)


def run_green(backend: Backend, body: Callable[[], Any], timeout: float = 10.0) -> Any:
    """``body()`` in a green thread of ``backend``: its result, or its exception re-raised."""
    outcome: dict[str, Any] = {}

    def wrapper() -> None:
        try:
            outcome["value"] = body()
        except BaseException as exc:  # handed back to the test
            outcome["error"] = exc

    assert backend.spawn(wrapper).join(timeout), "the green thread did not finish"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def python(script: str, *options: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in a fresh interpreter (imports and warning filters of its own)."""
    return subprocess.run(
        [sys.executable, *options, "-c", script], capture_output=True, text=True, timeout=60
    )


class FakeBackend(Backend):
    """A backend that records what it is asked to do."""

    name = "fake"
    zmq = zmq
    raw_zmq = zmq

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def spawn(self, function: Callable[..., Any], *args: Any) -> Any:
        raise NotImplementedError

    def sleep(self, seconds: float = 0) -> None:
        self.calls.append(("sleep", seconds))

    def queue(self) -> Any:
        raise NotImplementedError

    def semaphore(self, value: int) -> Any:
        raise NotImplementedError

    def _timer(self, seconds: float) -> Any:
        raise NotImplementedError

    def hub(self) -> Any:
        raise NotImplementedError

    def call_soon(self, function: Callable[[], Any]) -> None:
        raise NotImplementedError

    def park(self) -> Any:
        raise NotImplementedError

    def wait_readable(self, fd: int) -> None:
        raise NotImplementedError

    def notify_close(self, fd: int) -> None:
        raise NotImplementedError

    def run_in_thread(self, function: Callable[..., Any], *args: Any) -> Any:
        raise NotImplementedError

    def wsgi_server(self, host: str, port: int, application: Any, size: int) -> Any:
        raise NotImplementedError

    def monkey_patch(self) -> None:
        self.calls.append(("monkey_patch", None))


# -- get_backend, use, active_backend, sleep ---------------------------------------------


@pytest.mark.parametrize("name", BACKENDS)
def test_get_backend_by_name(name: str) -> None:
    backend = concurrency.get_backend(name)
    assert isinstance(backend, Backend)
    assert backend.name == name
    assert concurrency.get_backend(name) is backend  # one instance per backend
    assert repr(backend) == f"<{type(backend).__name__} {name!r}>"


def test_the_two_backends_differ() -> None:
    eventlet, gevent = (concurrency.get_backend(name) for name in BACKENDS)
    assert type(eventlet) is not type(gevent)
    assert eventlet.zmq is not gevent.zmq


@pytest.mark.parametrize("name", ["nope", "", "Eventlet", "asyncio"])
def test_get_backend_unknown_name(name: str) -> None:
    with pytest.raises(ValueError, match=r"unknown concurrency backend") as caught:
        concurrency.get_backend(name)
    assert repr(name) in str(caught.value)
    assert "eventlet" in str(caught.value) and "gevent" in str(caught.value)


def test_get_backend_returns_an_instance_as_is() -> None:
    fake = FakeBackend()
    assert concurrency.get_backend(fake) is fake
    real = concurrency.get_backend("gevent")
    assert concurrency.get_backend(real) is real


def test_get_backend_none_is_the_default_when_none_is_active(no_active: None) -> None:
    backend = concurrency.get_backend(None)
    assert backend.name == concurrency.DEFAULT_BACKEND == "eventlet"
    assert concurrency.get_backend() is backend


def test_get_backend_none_is_the_active_one(no_active: None) -> None:
    fake = FakeBackend()
    concurrency.use(fake)
    assert concurrency.get_backend(None) is fake


@pytest.mark.parametrize("name", BACKENDS)
def test_use_makes_a_backend_active(no_active: None, name: str) -> None:
    assert concurrency.active_backend() is None
    backend = concurrency.use(name)
    assert backend.name == name
    assert concurrency.active_backend() is backend
    assert concurrency._active is backend


def test_use_none_activates_the_default(no_active: None) -> None:
    assert concurrency.use().name == "eventlet"
    assert concurrency.active_backend() is concurrency.get_backend("eventlet")


def test_use_an_unknown_name_changes_nothing(no_active: None) -> None:
    with pytest.raises(ValueError):
        concurrency.use("nope")
    assert concurrency.active_backend() is None


def test_sleep_without_active_backend_is_time_sleep(
    no_active: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(concurrency, "time", SimpleNamespace(sleep=slept.append))
    concurrency.sleep(0.25)
    concurrency.sleep()
    assert slept == [0.25, 0]


def test_sleep_without_active_backend_really_sleeps(no_active: None) -> None:
    started = time.monotonic()
    concurrency.sleep(0.05)
    assert time.monotonic() - started >= 0.045


def test_sleep_uses_the_active_backend(no_active: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(concurrency, "time", SimpleNamespace(sleep=None))  # must not be used
    fake = concurrency.use(FakeBackend())
    concurrency.sleep(0.5)
    concurrency.sleep()
    assert fake.calls == [("sleep", 0.5), ("sleep", 0)]  # type: ignore[attr-defined]


def test_sleep_in_an_active_real_backend_lets_green_threads_run(no_active: None) -> None:
    backend = concurrency.use("gevent")
    ran: list[str] = []
    task = backend.spawn(ran.append, "child")
    concurrency.sleep(0)
    assert ran == ["child"]
    assert task.join(1)


def test_monkey_patch_activates_and_patches(no_active: None) -> None:
    fake = FakeBackend()
    assert concurrency.monkey_patch(fake) is fake
    assert concurrency.active_backend() is fake
    assert fake.calls == [("monkey_patch", None)]


# -- imports and warnings ----------------------------------------------------------------


def test_importing_the_package_imports_no_green_library() -> None:
    result = python(
        "import brubeck.concurrency, sys\n"
        "loaded = [m for m in ('eventlet', 'gevent', 'greenlet') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", BACKENDS)
def test_get_backend_imports_only_its_library(name: str) -> None:
    other = "gevent" if name == "eventlet" else "eventlet"
    result = python(
        "import sys\n"
        "from brubeck import concurrency\n"
        f"assert concurrency.get_backend({name!r}).name == {name!r}\n"
        f"assert {name!r} in sys.modules\n"
        f"assert {other!r} not in sys.modules, 'imported the other backend'\n",
        "-W",
        "error",
    )
    assert result.returncode == 0, result.stderr


def test_importing_eventlet_directly_warns() -> None:
    """The premise of the next test: eventlet itself warns at import."""
    result = python("import eventlet", "-W", "error")
    assert result.returncode != 0
    assert "Eventlet is deprecated" in result.stderr


def test_eventlet_backend_import_hides_only_the_deprecation_notice() -> None:
    result = python(
        "import warnings\n"
        "filters = list(warnings.filters)\n"
        "import brubeck.concurrency.eventlet\n"
        "assert warnings.filters == filters, 'the warning filters changed'\n"
        "try:\n"
        "    warnings.warn('x', UserWarning)\n"
        "except UserWarning:\n"
        "    pass\n"
        "else:\n"
        "    raise SystemExit('a UserWarning was hidden')\n"
        "try:\n"
        "    warnings.warn('Eventlet is deprecated, again', DeprecationWarning)\n"
        "except DeprecationWarning:\n"
        "    pass\n"
        "else:\n"
        "    raise SystemExit('the notice stays hidden after the import')\n",
        "-W",
        "error",
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_a_missing_library_says_what_to_install() -> None:
    result = python(
        "import sys\n"
        "sys.modules['gevent'] = None  # as if it were not installed\n"
        "from brubeck import concurrency\n"
        "try:\n"
        "    concurrency.get_backend('gevent')\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
        "    assert isinstance(exc.__cause__, ModuleNotFoundError)\n"
        "else:\n"
        "    raise SystemExit('no ImportError')\n"
    )
    assert result.returncode == 0, result.stderr
    assert "the gevent backend needs gevent" in result.stdout
    assert "pip install 'brubeck[gevent]'" in result.stdout


# -- tasks -------------------------------------------------------------------------------


def test_spawn_runs_with_arguments_and_join_returns_true(backend: Backend) -> None:
    calls: list[tuple[int, str]] = []
    task = backend.spawn(lambda *args: calls.append(args), 1, "two")
    assert task.join() is True
    assert task.dead()
    assert calls == [(1, "two")]


def test_spawn_does_not_run_before_the_caller_yields(backend: Backend) -> None:
    ran: list[bool] = []
    task = backend.spawn(ran.append, True)
    assert ran == []
    assert not task.dead()
    assert task.join(5)
    assert ran == [True]


def test_join_waits_for_a_sleeping_task(backend: Backend) -> None:
    done: list[bool] = []

    def nap() -> None:
        backend.sleep(0.05)
        done.append(True)

    task = backend.spawn(nap)
    assert task.join(None) is True
    assert done == [True]


def test_join_timeout_then_kill(backend: Backend) -> None:
    caught: list[BaseException] = []

    def sleeper() -> None:
        try:
            backend.sleep(30)
        except Stop as exc:
            caught.append(exc)

    task = backend.spawn(sleeper)
    started = time.monotonic()
    assert task.join(0.1) is False
    assert time.monotonic() - started < 5
    assert not task.dead()
    stop = Stop()
    task.kill(stop)
    assert task.join(5) is True
    assert task.dead()
    assert caught == [stop]


def test_kill_with_an_uncaught_exception_ends_the_task(
    backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    task = backend.spawn(backend.sleep, 30)
    backend.sleep(0)
    task.kill(Stop())
    assert task.join(5) is True
    assert task.dead()
    capsys.readouterr()  # the hub's report of the killed thread


def test_join_a_task_that_raised(backend: Backend, capsys: pytest.CaptureFixture[str]) -> None:
    """It ended: join says so, and the task's error stays in the task."""

    def fail() -> None:
        raise ValueError("boom")

    task = backend.spawn(fail)
    assert task.join(5) is True
    assert task.dead()
    capsys.readouterr()


def test_join_from_a_green_thread(backend: Backend) -> None:
    def body() -> tuple[bool, bool]:
        slow = backend.spawn(backend.sleep, 0.5)
        fast = backend.spawn(backend.sleep, 0.01)
        timed_out = slow.join(0.05)
        finished = fast.join(5)
        slow.kill(Stop())
        slow.join(5)
        return timed_out, finished

    assert run_green(backend, body) == (False, True)


# -- sleep, queue, semaphore -------------------------------------------------------------


def test_sleep_zero_lets_others_run(backend: Backend) -> None:
    order: list[str] = []

    def body() -> None:
        backend.spawn(order.append, "child")
        order.append("before")
        backend.sleep(0)
        order.append("after")

    run_green(backend, body)
    assert order == ["before", "child", "after"]


def test_sleeping_green_threads_interleave(backend: Backend) -> None:
    order: list[str] = []

    def ticker(name: str, delay: float) -> None:
        backend.sleep(delay)
        order.append(name)

    tasks = [backend.spawn(ticker, "late", 0.1), backend.spawn(ticker, "early", 0.02)]
    assert all(task.join(5) for task in tasks)
    assert order == ["early", "late"]


def test_sleeps_run_in_parallel(backend: Backend) -> None:
    started = time.monotonic()
    tasks = [backend.spawn(backend.sleep, 0.2) for _ in range(10)]
    assert all(task.join(10) for task in tasks)
    assert time.monotonic() - started < 1.5  # 2 s one after the other


def test_queue_keeps_order_across_green_threads(backend: Backend) -> None:
    queue = backend.queue()
    received: list[int] = []

    def consumer() -> None:
        for _ in range(100):
            received.append(queue.get())

    def producer() -> None:
        for item in range(100):
            queue.put(item)
            if item % 7 == 0:
                backend.sleep(0)

    tasks = [backend.spawn(consumer), backend.spawn(producer)]
    assert all(task.join(10) for task in tasks)
    assert received == list(range(100))


def test_queue_get_waits_for_a_put(backend: Backend) -> None:
    queue = backend.queue()
    received: list[str] = []
    task = backend.spawn(lambda: received.append(queue.get()))
    backend.sleep(0.05)
    assert received == []
    assert not task.dead()
    queue.put("late")
    assert task.join(5)
    assert received == ["late"]


def test_queue_put_never_blocks(backend: Backend) -> None:
    queue = backend.queue()
    for item in range(1000):
        queue.put(item)  # no consumer yet: an unbounded queue
    assert [queue.get() for _ in range(1000)] == list(range(1000))


def test_semaphore_bounds_concurrency(backend: Backend) -> None:
    semaphore = backend.semaphore(3)
    state = {"now": 0, "max": 0}
    acquired: list[bool] = []

    def worker() -> None:
        acquired.append(semaphore.acquire())
        try:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
            backend.sleep(0.02)
            state["now"] -= 1
        finally:
            semaphore.release()

    tasks = [backend.spawn(worker) for _ in range(10)]
    assert all(task.join(10) for task in tasks)
    assert state == {"now": 0, "max": 3}
    assert acquired == [True] * 10


def test_semaphore_acquire_waits_for_a_release(backend: Backend) -> None:
    semaphore = backend.semaphore(1)
    assert semaphore.acquire()
    got: list[bool] = []
    task = backend.spawn(lambda: got.append(semaphore.acquire()))
    backend.sleep(0.05)
    assert got == []
    semaphore.release()
    assert task.join(5)
    assert got == [True]
    semaphore.release()


def test_semaphore_locked(backend: Backend) -> None:
    semaphore = backend.semaphore(1)
    assert not semaphore.locked()
    semaphore.acquire()
    assert semaphore.locked()
    semaphore.release()
    assert not semaphore.locked()


# -- waiting on a descriptor, and blocking calls in OS threads ----------------------------


def test_notify_close_wakes_a_waiter_with_an_os_error(backend: Backend) -> None:
    read_fd, write_fd = os.pipe()
    outcome: list[BaseException | None] = []

    def waiter() -> None:
        try:
            backend.wait_readable(read_fd)
            outcome.append(None)
        except OSError as exc:
            outcome.append(exc)

    try:
        task = backend.spawn(waiter)
        backend.sleep(0.05)
        assert outcome == []  # waiting: nothing to read
        backend.notify_close(read_fd)
        assert task.join(5), "the waiter was not woken"
        assert len(outcome) == 1 and isinstance(outcome[0], OSError)
        # Nothing of the old wait is left on the descriptor: a new wait works.
        again = backend.spawn(backend.wait_readable, read_fd)
        backend.sleep(0.01)
        os.write(write_fd, b"x")
        assert again.join(5)
    finally:
        os.close(read_fd)
        os.close(write_fd)


def test_notify_close_without_waiters_does_nothing(backend: Backend) -> None:
    read_fd, write_fd = os.pipe()
    try:
        backend.notify_close(read_fd)
        os.write(write_fd, b"x")
        backend.wait_readable(read_fd)  # still usable
    finally:
        os.close(read_fd)
        os.close(write_fd)


def test_a_closed_descriptor_number_reused_by_a_new_file_is_waited_on_afresh(
    backend: Backend,
) -> None:
    first_read, first_write = os.pipe()
    os.write(first_write, b"x")
    backend.wait_readable(first_read)  # leaves whatever the backend keeps between waits
    backend.notify_close(first_read)
    os.close(first_read)
    os.close(first_write)
    second_read, second_write = os.pipe()  # the lowest free numbers: the old ones
    try:
        task = backend.spawn(backend.wait_readable, second_read)
        backend.sleep(0.01)
        os.write(second_write, b"x")
        assert task.join(5), "the wait on the new descriptor never woke"
    finally:
        backend.notify_close(second_read)
        os.close(second_read)
        os.close(second_write)


def test_run_in_thread_lets_green_threads_run(backend: Backend) -> None:
    # The thread waits for an event only a green thread sets: were the hub
    # blocked meanwhile, the wait would time out.
    event = threading.Event()
    ticks = [0]

    def ticker() -> None:
        while not event.is_set():
            ticks[0] += 1
            if ticks[0] == 3:
                event.set()
            backend.sleep(0.001)

    task = backend.spawn(ticker)
    assert backend.run_in_thread(event.wait, 30) is True
    assert task.join(5)
    assert ticks[0] >= 3


def test_run_in_thread_returns_and_raises(backend: Backend) -> None:
    assert backend.run_in_thread(pow, 2, 10) == 1024
    assert backend.run_in_thread(threading.get_ident) != threading.get_ident()
    with pytest.raises(ZeroDivisionError):
        backend.run_in_thread(divmod, 1, 0)


# -- timeout -----------------------------------------------------------------------------


def test_timeout_raises_timeout_error(backend: Backend) -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError, match=r"timed out after 0\.05 s") as caught:
        with backend.timeout(0.05):
            backend.sleep(5)
    assert time.monotonic() - started < 2
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


def test_timeout_in_a_green_thread(backend: Backend) -> None:
    def body() -> None:
        with backend.timeout(0.05):
            backend.sleep(5)

    with pytest.raises(TimeoutError):
        run_green(backend, body)


def test_timeout_not_reached(backend: Backend) -> None:
    with backend.timeout(1):
        backend.sleep(0.01)
    backend.sleep(0.05)


def test_timeout_is_cancelled_when_the_block_ends(backend: Backend) -> None:
    """A finished block's timer must not fire later, elsewhere."""
    for _ in range(3):
        with backend.timeout(0.02):
            pass
    backend.sleep(0.1)  # well past the deadlines: nothing is raised here
    tasks = [backend.spawn(backend.sleep, 0.05) for _ in range(3)]
    assert all(task.join(5) for task in tasks)


def test_timeout_none_never_fires(backend: Backend) -> None:
    with backend.timeout(None):
        backend.sleep(0.05)


def test_timeout_lets_other_exceptions_through(backend: Backend) -> None:
    with pytest.raises(ValueError, match="mine"):
        with backend.timeout(1):
            backend.sleep(0.01)
            raise ValueError("mine")
    backend.sleep(0.01)


def test_timeout_lets_a_builtin_timeout_error_of_the_block_through(backend: Backend) -> None:
    error = TimeoutError("the block's own")
    with pytest.raises(TimeoutError) as caught:
        with backend.timeout(1):
            raise error
    assert caught.value is error


def test_nested_timeouts_outer_fires(backend: Backend) -> None:
    inner_reached: list[bool] = []
    with pytest.raises(TimeoutError, match=r"after 0\.05 s"):
        with backend.timeout(0.05):
            with backend.timeout(5):
                backend.sleep(2)
            inner_reached.append(True)
    assert inner_reached == []


def test_nested_timeouts_inner_fires(backend: Backend) -> None:
    with backend.timeout(5):
        with pytest.raises(TimeoutError, match=r"after 0\.02 s"):
            with backend.timeout(0.02):
                backend.sleep(2)
        backend.sleep(0.01)


# -- green zmq ---------------------------------------------------------------------------


def test_zmq_is_the_green_module(backend: Backend) -> None:
    assert isinstance(backend.zmq, ModuleType)
    assert backend.zmq is not zmq
    assert issubclass(backend.zmq.Context, zmq.Context)
    assert backend.zmq.Context is not zmq.Context
    context = backend.zmq.Context()
    try:
        socket = context.socket(backend.zmq.PULL)
        assert isinstance(socket, zmq.Socket)
        assert type(socket) is not zmq.Socket
        socket.close()
    finally:
        context.term()


def _rescue(context: zmq.Context[Any], address: str, delay: float) -> threading.Timer:
    """Send b"rescue" to ``address`` from an OS thread after ``delay`` seconds, so a
    recv that blocks the whole process (not green) ends the test instead of hanging it."""

    def send() -> None:
        plain: zmq.Context[zmq.Socket[bytes]] = zmq.Context.shadow(context.underlying)
        with plain.socket(zmq.PUSH) as push:
            push.connect(address)
            push.send(b"rescue")
            push.setsockopt(zmq.LINGER, 1000)

    timer = threading.Timer(delay, send)
    timer.daemon = True
    timer.start()
    return timer


def test_zmq_push_pull_round_trips_in_green_threads(backend: Backend) -> None:
    green = backend.zmq
    context = green.Context()
    address = f"inproc://brubeck-test-{backend.name}-roundtrip"
    pull = context.socket(green.PULL)
    pull.bind(address)
    push = context.socket(green.PUSH)
    push.connect(address)
    received: list[bytes] = []
    ticks: list[int] = []
    rescue = _rescue(context, address, 5.0)
    try:

        def receiver() -> None:
            for _ in range(3):
                received.append(pull.recv())

        def sender() -> None:
            backend.sleep(0.05)  # the receiver waits meanwhile, without blocking us
            ticks.append(len(received))
            for index in range(3):
                push.send(b"message %d" % index)

        tasks = [backend.spawn(receiver), backend.spawn(sender)]
        assert all(task.join(10) for task in tasks)
    finally:
        rescue.cancel()
        push.close(linger=0)
        pull.close(linger=0)
        context.term()
    assert ticks == [0]  # the sender ran while the receiver waited
    assert received == [b"message 0", b"message 1", b"message 2"]


def test_zmq_recv_times_out_with_backend_timeout(backend: Backend) -> None:
    """The gevent RCVTIMEO trap: only backend.timeout bounds a green recv on both."""
    green = backend.zmq
    context = green.Context()
    address = f"inproc://brubeck-test-{backend.name}-timeout"
    pull = context.socket(green.PULL)
    pull.bind(address)
    rescue = _rescue(context, address, 5.0)
    outcome: list[object] = []

    def receiver() -> None:
        try:
            with backend.timeout(0.1):
                outcome.append(pull.recv())
        except TimeoutError as exc:
            outcome.append(exc)

    try:
        started = time.monotonic()
        assert backend.spawn(receiver).join(10)
        elapsed = time.monotonic() - started
    finally:
        rescue.cancel()
        pull.close(linger=0)
        context.term()
    assert len(outcome) == 1 and isinstance(outcome[0], TimeoutError), outcome
    assert elapsed < 2


def test_zmq_socket_usable_after_a_timed_out_recv(backend: Backend) -> None:
    green = backend.zmq
    context = green.Context()
    address = f"inproc://brubeck-test-{backend.name}-after-timeout"
    pull = context.socket(green.PULL)
    pull.bind(address)
    push = context.socket(green.PUSH)
    push.connect(address)
    rescue = _rescue(context, address, 5.0)

    def body() -> bytes:
        with pytest.raises(TimeoutError):
            with backend.timeout(0.05):
                pull.recv()
        push.send(b"after")
        with backend.timeout(5):
            data: bytes = pull.recv()
        return data

    try:
        assert run_green(backend, body) == b"after"
    finally:
        rescue.cancel()
        push.close(linger=0)
        pull.close(linger=0)
        context.term()


def test_a_password_hash_lets_the_other_green_threads_run(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # scrypt takes tens of ms with the GIL released: with a backend active it
    # runs in the backend's thread pool, so the hub keeps serving meanwhile.
    from brubeck import blocking, passwords

    monkeypatch.setattr(concurrency, "_active", None)
    monkeypatch.setattr(blocking, "_runner", blocking._runner)
    concurrency.use(backend)
    ticks: list[float] = []
    done: list[bool] = []

    def ticker() -> None:
        while not done:
            ticks.append(time.monotonic())
            backend.sleep(0.001)

    def body() -> None:
        task = backend.spawn(ticker)
        backend.sleep(0.005)
        before = len(ticks)
        stored = passwords.hash_password("correct horse", ln=16)  # ~64 MB, tens of ms
        during = len(ticks) - before
        assert passwords.verify_password("correct horse", stored)
        done.append(True)
        task.join(1)
        assert during >= 3, f"the hub stood still while hashing ({during} ticks)"

    run_green(backend, body, timeout=30)


def test_blocking_calls_run_plainly_without_a_backend(no_active: None) -> None:
    assert concurrency.run_blocking(threading.get_ident) == threading.get_ident()
