"""CurveZMQ on real sockets under eventlet and gevent: an allowed client key is
answered; a wrong key, or none, gets no connection and times out; the key files
of zmq.auth; the ZAP handler's answers."""

from __future__ import annotations

from pathlib import Path

import pytest
import zmq
import zmq.auth

from brubeck.concurrency import Backend
from brubeck.connections import (
    CurveClient,
    CurveServer,
    Publisher,
    PullConnection,
    ServiceClient,
    SubscriberConnection,
)
from brubeck.connections.curve import ZapHandler
from brubeck.errors import ServiceTimeout
from tests.connections.conftest import Server, in_thread, make_app, run_green
from tests.connections.test_oneway import Served, event_app, wait_until

pytestmark = pytest.mark.skipif(
    not zmq.has("curve"), reason="libzmq was built without CURVE (zmq.has('curve') is False)"
)


class Keys:
    """Key files made with zmq.auth: a server, an allowed client (ann), another (eve)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.clients = root / "clients"
        self.clients.mkdir()
        for name in ("server", "ann", "eve"):
            zmq.auth.create_certificates(root, name)
        (self.clients / "ann.key").write_bytes((root / "ann.key").read_bytes())

    def server(self) -> CurveServer:
        return CurveServer(self.root / "server.key_secret", self.clients)

    def client(self, name: str = "ann") -> CurveClient:
        return CurveClient(self.root / "server.key", self.root / f"{name}.key_secret")


@pytest.fixture
def keys(tmp_path: Path) -> Keys:
    return Keys(tmp_path)


def test_the_right_key_is_answered_and_a_wrong_one_times_out(backend: Backend, keys: Keys) -> None:
    app, _ = make_app(backend)

    def body() -> None:
        server = Server(backend, app, curve=keys.server())
        endpoint = server.endpoint
        with ServiceClient(endpoint, backend=backend, curve=keys.client()) as ann:
            assert ann.call("/echo", "secret").body == "secret"
        with ServiceClient(endpoint, backend=backend, timeout=0.3, curve=keys.client("eve")) as eve:
            with pytest.raises(ServiceTimeout):
                eve.call("/echo", "let me in")
        with ServiceClient(endpoint, backend=backend, timeout=0.3) as plain:
            with pytest.raises(ServiceTimeout):
                plain.call("/echo", "no keys at all")
        guard = server.conn._guard
        assert guard is not None and guard.accepted >= 1 and guard.refused >= 1
        server.stop()

    run_green(backend, body)


def test_a_blocking_client_with_keys(backend: Backend, keys: Keys) -> None:
    app, _ = make_app(backend)

    def body() -> None:
        server = Server(backend, app, curve=keys.server())
        endpoint = server.endpoint

        def calls() -> tuple[object, str]:
            with ServiceClient(endpoint, "json", curve=keys.client()) as ann:
                answer = ann.call("/echo", {"a": 1}).body
            with ServiceClient(endpoint, timeout=0.3, curve=keys.client("eve")) as eve:
                try:
                    eve.call("/echo", 1)
                except ServiceTimeout:
                    return answer, "timeout"
            return answer, "answered"

        assert in_thread(backend, calls) == ({"a": 1}, "timeout")
        server.stop()

    run_green(backend, body)


def test_keys_as_text_and_an_explicit_allow_list(backend: Backend, keys: Keys) -> None:
    app, _ = make_app(backend)
    server_public, _ = zmq.auth.load_certificate(keys.root / "server.key")
    eve_public, _ = zmq.auth.load_certificate(keys.root / "eve.key")

    def body() -> None:
        curve = CurveServer(keys.root / "server.key_secret", allowed_clients=[eve_public])
        server = Server(backend, app, curve=curve)
        eve = CurveClient(server_public.decode(), keys.root / "eve.key_secret")
        with ServiceClient(server.endpoint, backend=backend, curve=eve) as client:
            assert client.call("/echo", 1).body == 1
        with ServiceClient(server.endpoint, backend=backend, timeout=0.3, curve=keys.client()) as c:
            with pytest.raises(ServiceTimeout):
                c.call("/echo", 2)  # ann is not on this list
        server.stop()

    run_green(backend, body)


def test_any_client_when_asked(backend: Backend, keys: Keys) -> None:
    app, _ = make_app(backend)

    def body() -> None:
        curve = CurveServer(keys.root / "server.key_secret", allow_any_client=True)
        server = Server(backend, app, curve=curve)
        with ServiceClient(server.endpoint, backend=backend, curve=keys.client("eve")) as eve:
            assert eve.call("/echo", 3).body == 3
        server.stop()

    run_green(backend, body)


def test_one_way_and_events_with_keys(backend: Backend, keys: Keys) -> None:
    app, seen = make_app(backend)
    events_app, events_seen = event_app()

    def body() -> None:
        pull = Served(backend, app, PullConnection("tcp://127.0.0.1:*", curve=keys.server()))
        endpoint = pull.conn.endpoint
        with ServiceClient(endpoint, backend=backend, kind="push", curve=keys.client()) as c:
            c.send("/record", "pushed")
            assert wait_until(backend, lambda: len(seen) == 1)
        pull.stop()
        with Publisher("tcp://127.0.0.1:*", backend=backend, curve=keys.server()) as events:
            conn = SubscriberConnection(events.endpoint, ["todos."], curve=keys.client())
            served = Served(backend, events_app, conn)
            events.wait_for_subscriptions(topic="todos.created")
            events.publish("todos.created", "/todos/created", 1)
            assert wait_until(backend, lambda: len(events_seen) == 1)
            served.stop()

    run_green(backend, body)


def test_one_curve_server_per_context(backend: Backend, keys: Keys) -> None:
    app, _ = make_app(backend)

    def body() -> None:
        context = backend.raw_zmq.Context()
        first = Server(backend, app, "tcp://127.0.0.1:*", context=context, curve=keys.server())
        with pytest.raises(RuntimeError, match="already has a ZAP handler"):
            Server(backend, app, "tcp://127.0.0.1:*", context=context, curve=keys.server())
        first.stop()
        context.term()

    run_green(backend, body)


def test_key_files_are_checked(keys: Keys) -> None:
    with pytest.raises(ValueError, match="allow_any_client"):
        CurveServer(keys.root / "server.key_secret")
    with pytest.raises(ValueError, match="no secret key"):
        CurveServer(keys.root / "server.key", keys.clients)
    with pytest.raises(FileNotFoundError):
        CurveServer(keys.root / "server.key_secret", keys.root / "nowhere")
    with pytest.raises(OSError):
        CurveClient(keys.root / "missing.key", keys.root / "ann.key_secret")
    assert "CurveClient(" in repr(keys.client()) and "clients" in repr(keys.server())
    empty = keys.root / "empty"
    empty.mkdir()
    assert CurveServer(keys.root / "server.key_secret", empty).allowed() == frozenset()


def test_the_zap_handlers_answers(keys: Keys) -> None:
    context = zmq.Context()
    ann_public, _ = zmq.auth.load_certificate(keys.root / "ann.key")
    ann = zmq.utils.z85.decode(ann_public)
    handler = ZapHandler(context, frozenset({ann}), None)  # blocking: an OS thread
    request = [b"1.0", b"7", b"brubeck", b"127.0.0.1", b"", b"CURVE"]
    assert handler.answer([*request, ann]) == [b"1.0", b"7", b"200", b"OK", ann_public, b""]
    assert handler.answer([*request, b"\x00" * 32])[2:4] == [b"400", b"client key not allowed"]
    assert handler.answer([b"1.0", b"8", b"d", b"a", b"", b"NULL"])[2] == b"400"
    assert handler.answer([b"2.0", b"9"])[1:3] == [b"9", b"400"]
    assert handler.answer([])[2] == b"400"
    assert (handler.accepted, handler.refused) == (1, 4)
    handler.close()
    handler.close()  # twice is fine
    context.term()
