"""Mongrel2Connection on real ZeroMQ sockets, with this test playing Mongrel2
(a PUSH socket for requests and a SUB socket for replies, both bound)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from brubeck.app import Brubeck
from brubeck.concurrency import Backend, WorkerPool, get_backend
from brubeck.connections import Mongrel2Connection
from brubeck.handlers import WebMessageHandler
from brubeck.protocol import mongrel2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Hello(WebMessageHandler):
    def get(self) -> Any:
        self.set_body("Hello " + (self.get_argument("name") or "world"))
        return self.render()


class Boom(WebMessageHandler):
    def get(self) -> Any:
        raise RuntimeError("boom")


class FakeMongrel2:
    """Mongrel2's two sockets, bound on free ports."""

    def __init__(self, backend: Backend) -> None:
        zmq = backend.zmq
        self.backend = backend
        self.context = zmq.Context()
        self.push = self.context.socket(zmq.PUSH)
        self.sub = self.context.socket(zmq.SUB)
        self.sub.setsockopt(zmq.SUBSCRIBE, b"")
        self.pull_addr = f"tcp://127.0.0.1:{free_port()}"
        self.pub_addr = f"tcp://127.0.0.1:{free_port()}"
        self.push.bind(self.pull_addr)
        self.sub.bind(self.pub_addr)

    def request(self, conn_id: int, path: str, query: str = "") -> None:
        headers = {"METHOD": "GET", "PATH": path, "VERSION": "HTTP/1.1", "QUERY": query}
        self.push.send(mongrel2.format_request("m2", conn_id, path, headers, b""))

    def reply(self, timeout: float = 5.0) -> tuple[str, list[str], bytes]:
        with self.backend.timeout(timeout):
            return mongrel2.parse_reply(self.sub.recv())

    def close(self) -> None:
        self.push.close(linger=0)
        self.sub.close(linger=0)
        self.context.term()


@pytest.fixture(params=["eventlet", "gevent"])
def backend(request: pytest.FixtureRequest) -> Backend:
    return get_backend(request.param)


def in_green(backend: Backend, body: Callable[[], None]) -> None:
    """Run ``body`` in a green thread and re-raise what it raised."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            body()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            errors.append(exc)

    assert backend.spawn(run).join(30)
    if errors:
        raise errors[0]


@pytest.fixture
def mongrel2_and_conn(backend: Backend) -> Iterator[tuple[FakeMongrel2, Mongrel2Connection]]:
    fake = FakeMongrel2(backend)
    conn = Mongrel2Connection(fake.pull_addr, fake.pub_addr, drain_quiet=0.02, handover_delay=0.01)
    yield fake, conn
    if conn._context is not None:
        conn.shutdown()
    fake.close()


def test_replies_reach_mongrel2_in_its_format(
    backend: Backend, mongrel2_and_conn: tuple[FakeMongrel2, Mongrel2Connection]
) -> None:
    fake, conn = mongrel2_and_conn

    def body() -> None:
        conn.open(backend)  # returns once Mongrel2's SUB subscribed
        request = mongrel2.parse(
            mongrel2.format_request("m2", 7, "/x", {"METHOD": "GET", "PATH": "/x"}, b"")
        )
        conn.reply(request, "hi")
        assert fake.reply() == ("m2", ["7"], b"hi")
        conn.reply_bulk("m2", list(range(300)), b"all")
        chunks = [fake.reply() for _ in range(3)]
        assert [len(ids) for _, ids, _ in chunks] == [128, 128, 44]
        conn.close(request)
        assert fake.reply() == ("m2", ["7"], b"")
        conn.close_bulk("m2", [1, 2])
        assert fake.reply() == ("m2", ["1", "2"], b"")
        conn.ctl("m2", [3], {"keep-alive": True})
        sender, ids, payload = fake.reply()
        assert ids == ["X", "3"] and b"keep-alive" in payload
        conn.sendfile(request, "/srv/file.txt")
        assert fake.reply()[2].endswith(b"13:/srv/file.txt,]")
        assert conn.sent == 8

    in_green(backend, body)


def test_serve_answers_requests_and_stops_gracefully(
    backend: Backend, mongrel2_and_conn: tuple[FakeMongrel2, Mongrel2Connection]
) -> None:
    fake, conn = mongrel2_and_conn
    app = Brubeck(msg_conn=conn, handler_tuples=[(r"^/hello$", Hello), (r"^/boom$", Boom)])
    pool = WorkerPool(backend, 10)

    def body() -> None:
        server = backend.spawn(conn.serve, app, pool)
        fake.request(1, "/hello", "name=green")
        assert fake.reply()[2].endswith(b"\r\n\r\nHello green")
        fake.request(2, "/boom")  # a handler error is a 500, and the loop goes on
        assert fake.reply()[2].startswith(b"HTTP/1.1 500 ")
        fake.request(3, "/nowhere")
        assert fake.reply()[2].startswith(b"HTTP/1.1 404 ")
        conn.stop()
        assert server.join(10)
        assert conn.received == 3 and conn.sent == 3

    in_green(backend, body)


def test_requests_read_while_stopping_are_answered(
    backend: Backend, mongrel2_and_conn: tuple[FakeMongrel2, Mongrel2Connection]
) -> None:
    fake, conn = mongrel2_and_conn
    app = Brubeck(msg_conn=conn, handler_tuples=[(r"^/hello$", Hello)])
    pool = WorkerPool(backend, 10)

    def body() -> None:
        conn.open(backend)
        for conn_id in range(20):
            fake.request(conn_id, "/hello", f"name={conn_id}")
        backend.sleep(0.2)  # all twenty sit in the connection's queue
        conn.stop()  # before serving even starts: they must still be answered
        server = backend.spawn(conn.serve, app, pool)
        bodies = sorted(fake.reply()[2].rsplit(b" ", 1)[1] for _ in range(20))
        assert bodies == sorted(str(n).encode() for n in range(20))
        assert server.join(10)

    in_green(backend, body)


def test_stop_while_waiting_for_mongrel2_returns(backend: Backend) -> None:
    conn = Mongrel2Connection(f"tcp://127.0.0.1:{free_port()}", f"tcp://127.0.0.1:{free_port()}")
    app = Brubeck(msg_conn=conn)

    def body() -> None:
        server = backend.spawn(conn.serve, app, WorkerPool(backend, 2))
        backend.sleep(0.3)  # no Mongrel2: waiting for its subscription
        conn.stop()
        assert server.join(5)

    in_green(backend, body)


def test_a_drain_waits_only_for_its_own_requests(backend: Backend) -> None:
    """Two connections on one pool: stopping one does not wait for the other's requests."""
    fakes = [FakeMongrel2(backend), FakeMongrel2(backend)]
    conns = [
        Mongrel2Connection(fake.pull_addr, fake.pub_addr, drain_quiet=0.02, shutdown_timeout=60)
        for fake in fakes
    ]
    gate = backend.queue()

    class Wait(WebMessageHandler):
        def get(self) -> Any:
            gate.get()
            self.set_body("late")
            return self.render()

    apps = [
        Brubeck(msg_conn=conns[0], handler_tuples=[(r"^/hello$", Hello)]),
        Brubeck(msg_conn=conns[1], handler_tuples=[(r"^/wait$", Wait)]),
    ]
    pool = WorkerPool(backend, 10)

    def body() -> None:
        servers = [backend.spawn(c.serve, a, pool) for c, a in zip(conns, apps, strict=True)]
        fakes[0].request(1, "/hello")
        assert fakes[0].reply()[2].endswith(b"Hello world")
        fakes[1].request(2, "/wait")
        for _ in range(1000):
            if pool.running:
                break
            backend.sleep(0.005)
        assert pool.running == 1  # the other connection's request, waiting at the gate
        conns[0].stop()
        # Not the other's shutdown_timeout (60 s): only its own requests count.
        assert servers[0].join(15), "the drain waited for another connection's request"
        gate.put(None)
        assert fakes[1].reply()[2].endswith(b"late")
        conns[1].stop()
        assert servers[1].join(15)

    try:
        in_green(backend, body)
    finally:
        gate.put(None)
        for conn, fake in zip(conns, fakes, strict=True):
            if conn._context is not None:
                conn.shutdown()
            fake.close()


def test_shutdown_lets_other_green_threads_run_while_replies_flush(backend: Backend) -> None:
    """Closing with replies still queued waits up to ``linger`` in term(): not the hub."""
    zmq = backend.raw_zmq
    context = zmq.Context()
    stuck = context.socket(zmq.SUB)  # subscribes, then never reads: the replies stay queued
    stuck.setsockopt(zmq.RCVHWM, 1)
    stuck.setsockopt(zmq.RCVBUF, 4096)
    stuck.setsockopt(zmq.LINGER, 0)
    stuck.setsockopt(zmq.SUBSCRIBE, b"")
    pub_addr = f"tcp://127.0.0.1:{free_port()}"
    stuck.bind(pub_addr)
    conn = Mongrel2Connection(f"tcp://127.0.0.1:{free_port()}", pub_addr, linger=1.0)
    ticks = [0]
    during: list[int] = []

    def ticker() -> None:
        while not during:
            ticks[0] += 1
            backend.sleep(0.001)

    def poke() -> None:  # a bound socket attaches its peers when it is used
        while conn._pub is None or conn._pull is None:
            stuck.getsockopt(zmq.EVENTS)
            backend.sleep(0.005)

    def body() -> None:
        poker = backend.spawn(poke)
        conn.open(backend)
        assert poker.join(5)
        for _ in range(64):  # far more than the socket buffers between us take
            conn._pub.send(b"x" * 1_000_000)
        task = backend.spawn(ticker)
        backend.sleep(0.01)
        before = ticks[0]
        conn.shutdown()
        during.append(ticks[0] - before)
        assert task.join(5)

    try:
        in_green(backend, body)
        assert during[0] > 0, "no other green thread ran while the context terminated"
        assert conn._context is None
    finally:
        stuck.close()
        context.term()
