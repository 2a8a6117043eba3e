"""brubeck.connections.sockets.GreenSocket: plain pyzmq sockets, waiting on the hub."""

from __future__ import annotations

import itertools
import os
from typing import Any

import pytest

from brubeck import concurrency
from brubeck.concurrency import Backend
from brubeck.connections.sockets import GreenSocket

_names = itertools.count()


@pytest.fixture(params=["eventlet", "gevent"])
def backend(request: pytest.FixtureRequest) -> Backend:
    return concurrency.get_backend(request.param)


def pair(backend: Backend, kind: tuple[int, int]) -> tuple[GreenSocket, GreenSocket]:
    zmq = backend.raw_zmq
    context = zmq.Context.instance()
    addr = f"inproc://green-socket-{next(_names)}"
    left, right = context.socket(kind[0]), context.socket(kind[1])
    left.setsockopt(zmq.LINGER, 0)
    right.setsockopt(zmq.LINGER, 0)
    left.bind(addr)
    right.connect(addr)
    return GreenSocket(backend, left), GreenSocket(backend, right)


def test_recv_waits_green_while_others_run(backend: Backend) -> None:
    zmq = backend.raw_zmq
    pull, push = pair(backend, (zmq.PULL, zmq.PUSH))
    events: list[str] = []

    def reader() -> None:
        events.append("waiting")
        events.append(pull.recv().decode())

    task = backend.spawn(reader)
    backend.sleep(0.01)
    assert events == ["waiting"]  # blocked on the socket, not on the hub
    events.append("other green threads ran")
    push.send(b"message")
    assert task.join(5)
    assert events == ["waiting", "other green threads ran", "message"]
    pull.close()
    push.close()


def test_recv_nowait(backend: Backend) -> None:
    zmq = backend.raw_zmq
    pull, push = pair(backend, (zmq.PULL, zmq.PUSH))
    assert pull.recv_nowait() is None
    push.send(b"a")
    for _ in range(100):  # inproc delivery is immediate, but let the pipe attach
        data = pull.recv_nowait()
        if data is not None:
            break
        backend.sleep(0.001)
    assert data == b"a"
    assert pull.recv_nowait() is None
    pull.close()
    push.close()


def test_recv_multipart(backend: Backend) -> None:
    zmq = backend.raw_zmq
    router, dealer = pair(backend, (zmq.ROUTER, zmq.DEALER))
    dealer.socket.send_multipart([b"one", b"two"])
    frames = router.recv_multipart()
    assert frames[1:] == [b"one", b"two"]
    router.close()
    dealer.close()


def test_send_waits_while_the_queue_is_full(backend: Backend) -> None:
    zmq = backend.raw_zmq
    context = zmq.Context.instance()
    addr = f"inproc://green-socket-{next(_names)}"
    pull = context.socket(zmq.PULL)
    pull.setsockopt(zmq.RCVHWM, 1)
    pull.bind(addr)
    raw_push = context.socket(zmq.PUSH)
    raw_push.setsockopt(zmq.SNDHWM, 1)
    raw_push.setsockopt(zmq.LINGER, 0)
    raw_push.connect(addr)
    push = GreenSocket(backend, raw_push)
    sent: list[int] = []

    def writer() -> None:
        for index in range(20):
            push.send(b"%d" % index)
            sent.append(index)

    task = backend.spawn(writer)
    backend.sleep(0.05)
    assert len(sent) < 20  # the queues are full: the writer waits, green
    reader = GreenSocket(backend, pull)
    received = [reader.recv() for _ in range(20)]
    assert task.join(5)
    assert received == [b"%d" % index for index in range(20)]
    assert sent == list(range(20))
    reader.close(linger=0)  # through the wrapper: it ends the watch on the descriptor
    push.close()
    assert push.closed


# -- senders waiting at the high-water mark ------------------------------------------------


def full_pair(backend: Backend, kinds: tuple[int, int]) -> tuple[Any, GreenSocket]:
    """A raw peer (bound, high-water mark 1) and a green socket whose queue to it
    is full: the next send on the green socket waits."""
    zmq = backend.raw_zmq
    context = zmq.Context.instance()
    addr = f"inproc://green-socket-{next(_names)}"
    peer = context.socket(kinds[0])
    peer.setsockopt(zmq.RCVHWM, 1)
    peer.setsockopt(zmq.LINGER, 0)
    peer.bind(addr)
    raw = context.socket(kinds[1])
    raw.setsockopt(zmq.SNDHWM, 1)
    raw.setsockopt(zmq.LINGER, 0)
    raw.connect(addr)
    while True:
        try:
            raw.send(b"fill", zmq.NOBLOCK)
        except zmq.Again:
            break
    return peer, GreenSocket(backend, raw)


def drain(backend: Backend, peer: Any) -> list[bytes]:
    """Read what the peer has queued, without a green switch (the last frame of each)."""
    zmq = backend.raw_zmq
    messages = []
    while True:
        try:
            messages.append(peer.recv_multipart(zmq.NOBLOCK)[-1])
        except zmq.Again:
            return messages


def waiting_sender(backend: Backend, sock: GreenSocket, data: bytes) -> tuple[Any, list[Any]]:
    outcome: list[Any] = []

    def send() -> None:
        try:
            sock.send(data)
            outcome.append("sent")
        except backend.raw_zmq.ZMQError as exc:
            outcome.append(exc)

    task = backend.spawn(send)
    backend.sleep(0.05)
    assert outcome == [], "the sender should wait: the queue is full"
    return task, outcome


def test_a_direct_send_does_not_take_a_waiting_senders_wake_up(backend: Backend) -> None:
    zmq = backend.raw_zmq
    pull, push = full_pair(backend, (zmq.PULL, zmq.PUSH))
    task, outcome = waiting_sender(backend, push, b"waiting")
    try:
        assert drain(backend, pull)  # room again: the waiting sender's descriptor signals...
        push.send(b"direct")  # ...and a send from here, before the hub ran, must not take that
        assert task.join(5), "the waiting sender was never woken"
        assert outcome == ["sent"]
        received: list[bytes] = []
        for _ in range(200):
            received += drain(backend, pull)
            if len(received) == 2:
                break
            backend.sleep(0.005)
        assert received == [b"waiting", b"direct"]  # queued behind the one waiting
    finally:
        task.kill(RuntimeError("test over"))
        push.close()
        pull.close()


def test_a_receive_does_not_take_a_waiting_senders_wake_up(backend: Backend) -> None:
    zmq = backend.raw_zmq
    router, dealer = full_pair(backend, (zmq.ROUTER, zmq.DEALER))
    task, outcome = waiting_sender(backend, dealer, b"waiting")
    try:
        assert drain(backend, router)
        assert dealer.recv_nowait() is None  # waits behind the sender, then finds nothing
        assert task.join(5), "the waiting sender was never woken"
        assert outcome == ["sent"]
    finally:
        task.kill(RuntimeError("test over"))
        dealer.close()
        router.close()


def test_close_wakes_a_waiting_sender_with_an_error(backend: Backend) -> None:
    zmq = backend.raw_zmq
    pull, push = full_pair(backend, (zmq.PULL, zmq.PUSH))
    task, outcome = waiting_sender(backend, push, b"waiting")
    queued, queued_outcome = waiting_sender(backend, push, b"queued behind it")
    try:
        push.close()
        assert task.join(5), "the waiting sender was never woken"
        assert queued.join(5)
        for result in (outcome, queued_outcome):
            assert len(result) == 1 and isinstance(result[0], zmq.ZMQError)
            assert result[0].errno == zmq.ENOTSOCK
        assert push.closed
        push.close()  # twice is fine
    finally:
        task.kill(RuntimeError("test over"))
        queued.kill(RuntimeError("test over"))
        pull.close()


def test_close_wakes_a_waiting_reader_with_an_error(backend: Backend) -> None:
    zmq = backend.raw_zmq
    pull, push = pair(backend, (zmq.PULL, zmq.PUSH))
    errors: list[Exception] = []

    def reader() -> None:
        try:
            pull.recv()
        except zmq.ZMQError as exc:
            errors.append(exc)

    task = backend.spawn(reader)
    backend.sleep(0.02)
    pull.close()
    assert task.join(5), "the reader was never woken"
    assert [error.errno for error in errors] == [zmq.ENOTSOCK]
    push.close()


def test_close_ends_the_watch_so_a_green_socket_can_take_the_number(backend: Backend) -> None:
    """The socket's descriptor stays watched between waits; close() must end
    that before the number is reused (eventlet refuses a second reader of a
    number, and its green zmq sockets read theirs from the start)."""
    zmq = backend.raw_zmq
    pull, push = pair(backend, (zmq.PULL, zmq.PUSH))
    task = backend.spawn(pull.recv)
    backend.sleep(0.01)  # waiting: the watch is registered
    push.send(b"x")
    assert task.join(5)
    number = pull.socket.getsockopt(zmq.FD)
    pull.close()
    push.close()
    if backend.name == "eventlet":  # (gevent's green sockets do not check: a smoke test there)
        import eventlet.hubs

        assert number not in eventlet.hubs.get_hub().listeners["read"]
    _wait_until_closed(backend, number)  # libzmq's reaper thread frees it after the close
    context = zmq.Context.instance()  # started already: no descriptors of its own to take
    sockets = []  # new descriptors take the lowest free numbers: open until one is `number`
    try:
        while len(sockets) < 256:
            sockets.append(backend.zmq.Socket(context, zmq.PULL))
            if sockets[-1].getsockopt(zmq.FD) == number:
                break
        assert sockets[-1].getsockopt(zmq.FD) == number
    finally:
        for sock in sockets:
            sock.close(linger=0)


def _wait_until_closed(backend: Backend, number: int) -> None:
    """Wait (5 s at most) until nothing in the process holds descriptor `number`."""
    for _ in range(500):
        try:
            os.fstat(number)
        except OSError:
            return
        backend.sleep(0.01)
    raise AssertionError(f"descriptor {number} was never closed")
