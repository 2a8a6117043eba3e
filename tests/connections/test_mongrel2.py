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
