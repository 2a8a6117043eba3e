"""Handler processes come and go while Mongrel2 runs: restarts, several
workers, a graceful stop under load, and a handler that starts first."""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from typing import Any

import pytest

BACKENDS = ["eventlet", "gevent"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_killed_handler_restarted_serves_again(make_server: Any, backend: str) -> None:
    server = make_server("json", backend)
    first = server.start_app()
    assert server.request("GET", "/hello?name=one")[2] == b"Hello one"
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)

    answers: list[bytes] = []
    waiting = threading.Thread(
        target=lambda: answers.append(server.request("GET", "/hello?name=queued")[2])
    )
    waiting.start()  # no handler now: Mongrel2 keeps the request for the next one
    time.sleep(0.3)
    second = server.start_app()
    waiting.join(timeout=15)
    assert answers == [b"Hello queued"]
    assert server.request("GET", "/hello?name=two")[2] == b"Hello two"
    assert server.stop_app(second)[0] == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_handler_started_before_mongrel2_waits_for_it(make_server: Any, backend: str) -> None:
    server = make_server("tnetstring", backend)
    server.mongrel2.stop()
    process = server.start_app(wait=False)
    time.sleep(1.0)
    assert process.poll() is None  # still waiting, not crashed
    server.mongrel2.start()
    server.wait_ready(process)
    assert server.request("GET", "/hello?name=late")[2] == b"Hello late"
    assert server.stop_app(process)[0] == 0


def test_two_workers_share_the_load(make_server: Any) -> None:
    server = make_server("json", "eventlet")
    workers = [server.start_app(), server.start_app()]
    conn = server.connection()  # keep-alive: no disconnect messages between requests
    seen: Counter[str] = Counter()
    for _ in range(40):
        conn.request("GET", "/ready")
        seen[conn.getresponse().read().decode()] += 1
    conn.close()
    assert set(seen) == {str(worker.pid) for worker in workers}
    assert min(seen.values()) >= 10  # Mongrel2 round-robins between them
    for worker in workers:
        assert server.stop_app(worker)[0] == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_sigterm_under_load_answers_every_request(make_server: Any, backend: str) -> None:
    """A rolling restart: a second worker runs, the first gets SIGTERM while
    eight clients keep sending. Every request is answered; nothing times out."""
    server = make_server("json", backend)
    leaving = server.start_app()
    staying = server.start_app()
    stop = threading.Event()
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def client(index: int) -> None:
        conn = server.connection(timeout=10)
        n = 0
        while not stop.is_set():
            path = "/slow?s=0.2" if n % 5 == 0 else f"/hello?name={index}-{n}"
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
                ok = response.status == 200 and body in (b"slept", f"Hello {index}-{n}".encode())
                outcome = "ok" if ok else f"bad {response.status}"
            except Exception as exc:  # a timeout here is a lost request
                outcome = f"error {type(exc).__name__}"
                conn.close()
                conn = server.connection(timeout=10)
            with lock:
                outcomes[outcome] += 1
            n += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    code, out = server.stop_app(leaving)
    time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert code == 0
    assert int(out.split()[-1]) > 0  # it did serve before leaving
    assert outcomes["ok"] > 50
    assert set(outcomes) == {"ok"}, (outcomes, out)
    assert server.stop_app(staying)[0] == 0
