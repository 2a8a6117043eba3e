"""brubeck.connections._frames.FrameSocket, and the rule its users keep: a reply
sent while the socket's reader waits is never left behind (relayed by the server,
read by the client that sent)."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest

from brubeck.concurrency import Backend
from brubeck.connections import ServiceClient, ServiceConnection
from brubeck.connections._frames import FrameSocket
from tests.connections.conftest import Server, make_app, run_green

_names = itertools.count()


def pair(backend: Backend, kinds: tuple[str, str]) -> tuple[FrameSocket, FrameSocket]:
    zmq = backend.raw_zmq
    context = zmq.Context.instance()
    addr = f"inproc://frame-socket-{next(_names)}"
    left, right = (zmq.Socket(context, getattr(zmq, kind)) for kind in kinds)
    for socket in (left, right):
        socket.setsockopt(zmq.LINGER, 0)
    left.bind(addr)
    right.connect(addr)
    return FrameSocket(backend, left), FrameSocket(backend, right)


def test_a_message_waits_green_and_arrives_whole(backend: Backend) -> None:
    pull, push = pair(backend, ("PULL", "PUSH"))
    events: list[Any] = []

    def reader() -> None:
        events.append(pull.waiting)
        events.append(pull.recv())

    def body() -> None:
        task = backend.spawn(reader)
        backend.sleep(0.01)
        assert events == [False] and pull.waiting  # blocked on the socket, not the hub
        push.send([b"a", b"", b"c"])
        assert task.join(5) and not pull.waiting
        assert events == [False, [b"a", b"", b"c"]]

    run_green(backend, body)
    pull.close()
    push.close()


def test_nowait_readable_and_a_full_queue(backend: Backend) -> None:
    zmq = backend.raw_zmq
    pull, push = pair(backend, ("PULL", "PUSH"))
    assert pull.recv_nowait() is None and not pull.readable()
    push.send([b"one"])
    assert pull.readable() and pull.recv_nowait() == [b"one"]
    lonely = FrameSocket(backend, zmq.Socket(zmq.Context.instance(), zmq.PUSH))
    with pytest.raises(zmq.Again):
        lonely.send([b"x", b"y"])  # no peer: nothing sent
    for sock in (pull, push, lonely):
        sock.close(linger=0)
    assert pull.closed


def test_replies_sent_while_the_reader_waits_are_never_lost(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Handlers that block (and so answer from their own green thread, while the
    server's reader may be waiting) mixed with handlers that answer at once."""
    relayed: list[int] = []
    original = ServiceConnection._relayed

    def counting(self: ServiceConnection, frames: list[bytes]) -> None:
        relayed.append(1)
        original(self, frames)

    monkeypatch.setattr(ServiceConnection, "_relayed", counting)
    app, _ = make_app(backend)
    rng = random.Random(7)
    plan = [[rng.choice(["/echo", "/sleep/0", "/sleep/1", "/sleep/3"]) for _ in range(40)]] * 25

    def body() -> None:
        server = Server(backend, app)
        with ServiceClient(server.endpoint, backend=backend, timeout=10.0) as client:
            results: list[bool] = []

            def caller(paths: list[str]) -> None:
                for n, path in enumerate(paths):
                    body = client.call(path, n).body
                    results.append(body == (n if path == "/echo" else f"slept {path[7:]}"))

            tasks = [backend.spawn(caller, paths) for paths in plan]
            assert all(task.join(30) for task in tasks)
            assert results == [True] * 1000 and client.discarded == 0
        server.stop()
        assert server.conn.sent == 1000

    run_green(backend, body, 60)
    assert relayed, "no reply went through the relay: the test did not test it"


def test_closing_wakes_a_waiting_reader_with_a_zmq_error(backend: Backend) -> None:
    pull, push = pair(backend, ("PULL", "PUSH"))
    zmq = backend.raw_zmq
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            pull.recv()
        except zmq.ZMQError as exc:
            errors.append(exc)

    def body() -> None:
        task = backend.spawn(reader)
        backend.sleep(0.02)
        assert pull.waiting
        pull.close()
        assert task.join(5), "the reader was not woken by close()"
        assert len(errors) == 1 and errors[0].errno == zmq.ENOTSOCK
        pull.close()  # a second close does nothing
        push.close()

    run_green(backend, body)
