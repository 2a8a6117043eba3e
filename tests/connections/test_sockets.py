"""brubeck.connections.sockets.GreenSocket: plain pyzmq sockets, waiting on the hub."""

from __future__ import annotations

import itertools

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
    pull.close(linger=0)
    push.close()
    assert push.closed
