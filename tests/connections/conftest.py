"""What the service tests share: both backends, a test app, a server in a green
thread, a bare green DEALER, and ways to run green and blocking code side by side."""

from __future__ import annotations

import socket
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from brubeck.app import Brubeck
from brubeck.concurrency import Backend, WorkerPool, get_backend
from brubeck.connections import ServiceConnection
from brubeck.handlers import JSONMessageHandler, WebMessageHandler, typed
from brubeck.models import Document
from brubeck.models.fields import IntField, StringField

BACKENDS = ["eventlet", "gevent"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each test once on eventlet and once on gevent."""
    return get_backend(request.param)


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A directory for ipc:// sockets (their paths must stay under ~100 bytes)."""
    with tempfile.TemporaryDirectory(prefix="brb", dir="/tmp") as name:
        yield Path(name)


def run_green(backend: Backend, body: Callable[[], Any], timeout: float = 30.0) -> Any:
    """``body()`` in a green thread: its result, or its exception re-raised."""
    outcome: dict[str, Any] = {}

    def wrapper() -> None:
        try:
            outcome["value"] = body()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc

    assert backend.spawn(wrapper).join(timeout), "the green thread did not finish"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def in_thread(backend: Backend, body: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Blocking ``body()`` in an OS thread while this green thread lets the hub
    (and the server in it) run: its result, or its exception re-raised."""
    outcome: dict[str, Any] = {}

    def wrapper() -> None:
        try:
            outcome["value"] = body()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc

    thread = threading.Thread(target=wrapper, daemon=True)
    thread.start()
    waited = 0.0
    while thread.is_alive() and waited < timeout:
        backend.sleep(0.005)
        waited += 0.005
    assert not thread.is_alive(), "the thread did not finish"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


class Todo(Document):
    title = StringField(required=True, max_length=20)
    priority = IntField(min_value=0)


def make_app(backend: Backend) -> tuple[Brubeck, list[Any]]:
    """An app for the service tests, and the list its ``/record`` handler fills."""
    seen: list[Any] = []

    class Echo(WebMessageHandler):
        def post(self) -> Any:
            self.headers["Content-Type"] = self.message.content_type
            self.set_body(self.message.body)
            return self.render()

        put = post

    class Headers(JSONMessageHandler):
        def get(self) -> Any:
            headers = self.message.headers
            self.add_to_payload("seen", {k: v for k, v in headers.items() if k.startswith("x-")})
            self.add_to_payload("verb", self.message.method)
            self.set_status(200)
            return self.render()

    class Todos(JSONMessageHandler):
        @typed(body=Todo, reply=Todo, status=201)
        def post(self, todo: Todo) -> Todo:
            if todo.title == "boom":
                raise RuntimeError("boom")
            return todo

    class Sleep(WebMessageHandler):
        def post(self, milliseconds: str) -> Any:
            backend.sleep(int(milliseconds) / 1000)
            self.set_body(f"slept {milliseconds}")
            return self.render()

    class Record(WebMessageHandler):
        def post(self) -> Any:
            seen.append(self.message.body)
            self.set_body("recorded")
            return self.render()

    class Text(WebMessageHandler):
        def get(self) -> Any:
            self.set_body("hello")
            return self.render()

    class Boom(WebMessageHandler):
        def post(self) -> Any:
            raise RuntimeError("boom")

    routes: list[tuple[str, Any]] = [
        (r"^/echo$", Echo),
        (r"^/headers$", Headers),
        (r"^/todos$", Todos),
        (r"^/sleep/(\d+)$", Sleep),
        (r"^/record$", Record),
        (r"^/text$", Text),
        (r"^/boom$", Boom),
    ]
    return Brubeck(handler_tuples=routes), seen


class Server:
    """``app`` served on a :class:`ServiceConnection` in a green thread (open at once)."""

    def __init__(
        self, backend: Backend, app: Brubeck, addr: str = "tcp://127.0.0.1:*", **options: Any
    ) -> None:
        options.setdefault("drain_quiet", 0.02)
        self.backend = backend
        self.conn = ServiceConnection(addr, **options)
        self.conn.open(backend)
        self.pool = WorkerPool(backend, 100)
        self.task = backend.spawn(self.conn.serve, app, self.pool)

    @property
    def endpoint(self) -> str:
        return self.conn.endpoint

    def stop(self, timeout: float = 10.0) -> None:
        self.conn.stop()
        assert self.task.join(timeout), "the server did not stop"


class Dealer:
    """A bare green DEALER socket: frames out, frames in."""

    def __init__(self, backend: Backend, endpoint: str, context: Any = None) -> None:
        zmq_green = backend.zmq
        self.backend = backend
        self.own = context is None
        self.context = zmq_green.Context() if context is None else context
        self.socket = self.context.socket(zmq_green.DEALER)
        self.socket.setsockopt(zmq_green.LINGER, 0)
        self.socket.connect(endpoint)

    def send(self, frames: list[bytes]) -> None:
        self.socket.send_multipart(frames)

    def recv(self, timeout: float = 5.0) -> list[bytes]:
        with self.backend.timeout(timeout):
            return list(self.socket.recv_multipart())

    def silent(self, wait: float = 0.2) -> bool:
        try:
            self.recv(wait)
        except TimeoutError:
            return True
        return False

    def close(self) -> None:
        self.socket.close()
        if self.own:
            self.context.term()


def request(
    codec: bytes, request_id: bytes, verb: bytes, path: bytes, body: bytes = b""
) -> list[bytes]:
    return [b"BRB1", codec, request_id, verb, path, b"", body]
