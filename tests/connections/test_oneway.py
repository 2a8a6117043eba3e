"""PullConnection and SubscriberConnection, with ServiceClient(kind="push") and
Publisher, on real sockets under eventlet and gevent: one-way requests and events
reach the handlers, nothing ever comes back, bad messages are dropped and counted,
and tests wait for subscriptions instead of sleeping."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from brubeck.app import Brubeck
from brubeck.concurrency import Backend, WorkerPool
from brubeck.connections import (
    Publisher,
    PullConnection,
    ServiceClient,
    ServiceConnection,
    SubscriberConnection,
)
from brubeck.connections.oneway import topic_bytes
from brubeck.errors import ServiceTimeout
from brubeck.handlers import WebMessageHandler
from brubeck.protocol import service
from tests.connections.conftest import Server, in_thread, make_app, request, run_green
from tests.protocol.test_service import EXAMPLES


class Served:
    """``app`` served on ``conn`` in a green thread (open at once)."""

    def __init__(self, backend: Backend, app: Brubeck, conn: Any) -> None:
        self.conn = conn
        conn.open(backend)
        self.task = backend.spawn(conn.serve, app, WorkerPool(backend, 100))

    def stop(self) -> None:
        self.conn.stop()
        assert self.task.join(10), "the connection did not stop"


def wait_until(backend: Backend, done: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Let the hub run until ``done()``; False if ``timeout`` passed first."""
    waited = 0.0
    while not done():
        if waited >= timeout:
            return False
        backend.sleep(0.002)
        waited += 0.002
    return True


def event_app() -> tuple[Brubeck, list[tuple[str, str, Any]]]:
    """An app whose handlers record (topic, path, body) for every event."""
    seen: list[tuple[str, str, Any]] = []

    class Created(WebMessageHandler):
        def post(self) -> Any:
            seen.append((self.message.headers["TOPIC"], self.message.path, self.message.body))
            self.set_body("ignored")
            return self.render()

    class Boom(WebMessageHandler):
        def post(self) -> Any:
            raise RuntimeError("boom")

    return Brubeck(handler_tuples=[(r"^/todos/\w+$", Created), (r"^/boom$", Boom)]), seen


# -- PUSH/PULL ------------------------------------------------------------------------


def test_push_client_to_a_pull_server(backend: Backend) -> None:
    app, seen = make_app(backend)

    def body() -> None:
        served = Served(backend, app, PullConnection("tcp://127.0.0.1:*", drain_quiet=0.02))
        with ServiceClient(served.conn.endpoint, "json", backend=backend, kind="push") as client:
            for n in range(20):
                client.send("/record", {"n": n})
            client.send("/nowhere", {"n": -1})  # a 404: discarded
            client.send("/boom")  # a 500: discarded
            assert wait_until(backend, lambda: len(seen) == 20 and served.conn.received == 22)
            with pytest.raises(RuntimeError, match="one-way"):
                client.call("/echo", 1)
        served.stop()
        assert seen == [b'{"n":%d}' % n for n in range(20)]
        assert (served.conn.received, served.conn.sent, served.conn.dropped) == (22, 0, 0)

    run_green(backend, body)


def test_a_pull_server_never_replies_and_drops_what_breaks_the_protocol(backend: Backend) -> None:
    app, seen = make_app(backend)
    bad = [
        [b"BRB1", b"json", b"", b"POST", b"/record", b""],  # six frames
        request(b"json", b"", b"get", b"/record"),  # a bad verb
        request(b"yaml", b"", b"POST", b"/record"),  # an unknown codec
        [b"routing", *request(b"json", b"", b"POST", b"/record")],  # eight frames
    ]

    def body() -> None:
        served = Served(backend, app, PullConnection("tcp://127.0.0.1:*", drain_quiet=0.02))
        context = backend.zmq.Context()
        push = context.socket(backend.zmq.PUSH)
        push.setsockopt(backend.zmq.LINGER, 0)
        push.connect(served.conn.endpoint)
        for frames in bad:
            push.send_multipart(frames)
        push.send_multipart(request(b"json", b"has-an-id", b"POST", b"/record", b"1"))  # handled
        assert wait_until(backend, lambda: served.conn.received == 5 and len(seen) == 1)
        served.stop()
        assert seen == [b"1"] and served.conn.dropped == 4 and served.conn.sent == 0
        push.close()
        context.term()

    run_green(backend, body)


def test_push_spreads_requests_among_pull_servers(backend: Backend) -> None:
    app, seen = make_app(backend)

    def body() -> None:
        first = Served(backend, app, PullConnection("tcp://127.0.0.1:*", drain_quiet=0.02))
        second = Served(backend, app, PullConnection("tcp://127.0.0.1:*", drain_quiet=0.02))
        with ServiceClient(first.conn.endpoint, backend=backend, kind="push") as client:
            client._io.socket.socket.connect(second.conn.endpoint)  # a work queue of two
            for n in range(40):
                client.send("/record", n)
            assert wait_until(backend, lambda: len(seen) == 40)
        first.stop()
        second.stop()
        assert first.conn.received + second.conn.received == 40
        assert first.conn.received and second.conn.received

    run_green(backend, body)


def test_one_way_send_reaches_a_router_and_a_pull_server_alike(backend: Backend) -> None:
    app, seen = make_app(backend)

    def body() -> None:
        router = Server(backend, app)
        pull = Served(backend, app, PullConnection("tcp://127.0.0.1:*", drain_quiet=0.02))
        with ServiceClient(router.endpoint, backend=backend) as dealer:
            dealer.send("/record", "to the router")
            assert dealer.call("/echo", "after").body == "after"  # so the send arrived
        with ServiceClient(pull.conn.endpoint, backend=backend, kind="push") as push:
            push.send("/record", "to the pull server")
            assert wait_until(backend, lambda: len(seen) == 2)
        router.stop()
        pull.stop()
        assert sorted(seen) == sorted([b"\xadto the router", b"\xb2to the pull server"])

    run_green(backend, body)


def test_a_blocking_push_client(backend: Backend) -> None:
    app, seen = make_app(backend)

    def body() -> None:
        served = Served(backend, app, PullConnection("tcp://127.0.0.1:*", drain_quiet=0.02))
        endpoint = served.conn.endpoint

        def push() -> None:
            with ServiceClient(endpoint, "tnetstring", kind="push") as client:
                for n in range(5):
                    client.send("/record", n)

        in_thread(backend, push)
        assert wait_until(backend, lambda: len(seen) == 5)
        served.stop()

    run_green(backend, body)


def test_stopping_a_pull_server_handles_what_was_sent(backend: Backend) -> None:
    app, seen = make_app(backend)

    def body() -> None:
        conn = PullConnection("tcp://127.0.0.1:*", drain_quiet=0.05)
        conn.open(backend)
        with ServiceClient(conn.endpoint, backend=backend, kind="push") as client:
            for n in range(10):
                client.send("/record", n)
            backend.sleep(0.1)  # all ten wait in the socket
            conn.stop()  # before serving even starts: they are still handled
            task = backend.spawn(conn.serve, app, WorkerPool(backend, 100))
            assert task.join(5)
        assert len(seen) == 10 and conn.received == 10

    run_green(backend, body)


def test_a_kind_the_client_does_not_know() -> None:
    with pytest.raises(ValueError, match="'dealer' or 'push'"):
        ServiceClient("tcp://127.0.0.1:1", kind="pull")


# -- PUB/SUB --------------------------------------------------------------------------


def test_events_reach_their_subscribers_by_topic(backend: Backend) -> None:
    app, seen = event_app()

    def body() -> None:
        with Publisher("tcp://127.0.0.1:*", "json", backend=backend) as events:
            conn = SubscriberConnection(events.endpoint, ["todos."], drain_quiet=0.02)
            served = Served(backend, app, conn)
            events.wait_for_subscriptions(topic="todos.created")
            events.publish("todos.created", "/todos/created", {"id": 1})
            events.publish("users.created", "/todos/created", {"id": 2})  # not subscribed
            events.publish("todos.deleted", "/todos/deleted", {"id": 3})
            events.publish("todos.x", "/boom")  # a 500, discarded
            events.publish("todos.x", "/nowhere")  # a 404, discarded
            assert wait_until(backend, lambda: conn.received == 4)
            served.stop()
            assert events.published == 5
        assert seen == [
            ("todos.created", "/todos/created", b'{"id":1}'),
            ("todos.deleted", "/todos/deleted", b'{"id":3}'),
        ]
        assert (conn.received, conn.sent, conn.dropped) == (4, 0, 0)

    run_green(backend, body)


def test_every_subscriber_gets_every_event(backend: Backend) -> None:
    def body() -> None:
        apps = [event_app() for _ in range(3)]
        with Publisher("tcp://127.0.0.1:*", backend=backend) as events:
            conns = [SubscriberConnection(events.endpoint, [""], drain_quiet=0.02) for _ in apps]
            served = [
                Served(backend, app, conn) for (app, _), conn in zip(apps, conns, strict=True)
            ]
            events.wait_for_subscriptions(count=3, topic="todos.created")
            assert events.subscriptions("todos.created") >= 3
            for n in range(10):
                events.publish("todos.created", "/todos/created", n)
            assert wait_until(backend, lambda: all(conn.received == 10 for conn in conns))
            for one in served:
                one.stop()
        assert all(len(seen) == 10 for _, seen in apps)

    run_green(backend, body)


def test_the_pages_event_example_and_malformed_events(backend: Backend) -> None:
    app, seen = event_app()

    def body() -> None:
        context = backend.zmq.Context()
        pub = context.socket(backend.zmq.XPUB)
        pub.setsockopt(backend.zmq.LINGER, 0)
        port = pub.bind_to_random_port("tcp://127.0.0.1")
        conn = SubscriberConnection(f"tcp://127.0.0.1:{port}", [b"todos."], drain_quiet=0.02)
        served = Served(backend, app, conn)
        with backend.timeout(5):  # its subscriptions (and its wake token's): no slow joiner
            assert b"\x01todos." in {pub.recv(), pub.recv()}
        pub.send_multipart(EXAMPLES["event"])
        pub.send_multipart([b"todos.x", *request(b"json", b"an-id", b"POST", b"/todos/x")])
        pub.send_multipart([b"todos.x", b"BRB1"])  # two frames
        pub.send_multipart([b"todos.x", *request(b"json", b"", b"get", b"/todos/x")])
        assert wait_until(backend, lambda: conn.received == 4)
        served.stop()
        assert seen == [("todos.created", "/todos/created", b'{"id":1}')]
        assert conn.dropped == 3
        pub.close()
        context.term()

    run_green(backend, body)


def test_a_subscription_that_never_comes_times_out(backend: Backend) -> None:
    def body() -> None:
        with Publisher("tcp://127.0.0.1:*", backend=backend) as events:
            assert events.subscriptions() == 0
            with pytest.raises(ServiceTimeout, match="0 of 1 subscriptions"):
                events.wait_for_subscriptions(timeout=0.1)

    run_green(backend, body)


def test_unsubscribing_is_counted(backend: Backend) -> None:
    app, _ = event_app()

    def body() -> None:
        with Publisher("tcp://127.0.0.1:*", backend=backend) as events:
            served = Served(backend, app, SubscriberConnection(events.endpoint, ["a", "b"]))
            events.wait_for_subscriptions(topic="a")
            events.wait_for_subscriptions(topic="b")
            assert events.subscriptions("ab") == 1 and events.subscriptions("c") == 0
            served.stop()  # the subscriber goes: its subscriptions too
            assert wait_until(backend, lambda: events.subscriptions("a") == 0)

    run_green(backend, body)


def test_a_publisher_from_plain_blocking_code(backend: Backend) -> None:
    app, seen = event_app()

    def body() -> None:
        port: list[str] = []
        ready = threading.Event()

        def publish() -> None:
            with Publisher("tcp://127.0.0.1:*", "msgpack") as events:
                port.append(events.endpoint)
                ready.set()
                events.wait_for_subscriptions(topic="todos.created", timeout=10)
                events.publish(b"todos.created", "/todos/created", [1, 2])

        thread = threading.Thread(target=publish)
        thread.start()
        assert wait_until(backend, ready.is_set)
        conn = SubscriberConnection(port[0], ["todos."], drain_quiet=0.02)
        served = Served(backend, app, conn)
        assert wait_until(backend, lambda: not thread.is_alive() and conn.received == 1)
        served.stop()
        assert seen == [("todos.created", "/todos/created", b"\x92\x01\x02")]

    run_green(backend, body)


def test_a_publisher_cannot_stop_its_subscribers_with_their_wake_token(backend: Backend) -> None:
    app, _ = event_app()

    def body() -> None:
        context = backend.zmq.Context()
        pub = context.socket(backend.zmq.XPUB)
        pub.setsockopt(backend.zmq.LINGER, 0)
        port = pub.bind_to_random_port("tcp://127.0.0.1")
        conn = SubscriberConnection(f"tcp://127.0.0.1:{port}", ["todos."], drain_quiet=0.02)
        served = Served(backend, app, conn)
        notices = set()
        with backend.timeout(5):
            while len(notices) < 2:
                notices.add(pub.recv()[1:])
        (token,) = notices - {b"todos."}  # the subscriber's private subscription
        pub.send(token)  # the wake message, from outside
        pub.send_multipart([token, *request(b"json", b"", b"POST", b"/todos/x")])
        pub.send_multipart(EXAMPLES["event"])
        assert wait_until(backend, lambda: conn.received == 1)
        assert not served.task.dead() and conn.dropped == 1
        served.stop()
        pub.close()
        context.term()

    run_green(backend, body)


def test_topics_are_checked() -> None:
    assert topic_bytes("todos.") == b"todos." and topic_bytes(b"\xff") == b"\xff"
    with pytest.raises(ValueError, match="255 bytes"):
        topic_bytes("t" * 256)
    with pytest.raises(TypeError, match="a list of topics"):
        SubscriberConnection("tcp://127.0.0.1:1", "todos.")
    with pytest.raises(ValueError, match="at least one topic"):
        SubscriberConnection("tcp://127.0.0.1:1", [])
    with Publisher("tcp://127.0.0.1:*") as events:
        with pytest.raises(ValueError, match="255 bytes"):
            events.publish("t" * 256, "/x")
        with pytest.raises(service.ServiceProtocolError):
            events.publish("t", "no-slash")
        assert "blocking" in repr(events)
    with pytest.raises(RuntimeError, match="closed"):
        events.publish("t", "/x")


def test_reprs() -> None:
    assert repr(PullConnection("tcp://127.0.0.1:5")) == "PullConnection('tcp://127.0.0.1:5', bind)"
    sub = SubscriberConnection("tcp://127.0.0.1:5", ["a"])
    assert repr(sub) == "SubscriberConnection('tcp://127.0.0.1:5', connect)"
    router = ServiceConnection("tcp://127.0.0.1:5")
    assert repr(router) == "ServiceConnection('tcp://127.0.0.1:5', bind)"


@pytest.mark.parametrize("transport", ["tcp", "ipc", "inproc"])
def test_each_transport(backend: Backend, transport: str, short_dir: Any) -> None:
    app, seen = make_app(backend)
    events_app, heard = event_app()
    addrs = {
        "tcp": ("tcp://127.0.0.1:*", "tcp://127.0.0.1:*"),
        "ipc": (f"ipc://{short_dir}/pull", f"ipc://{short_dir}/pub"),
        "inproc": ("inproc://oneway-pull", "inproc://oneway-pub"),
    }[transport]

    def body() -> None:
        context = backend.zmq.Context() if transport == "inproc" else None
        pull = Served(backend, app, PullConnection(addrs[0], context=context, drain_quiet=0.02))
        with ServiceClient(
            pull.conn.endpoint, backend=backend, kind="push", context=context
        ) as client:
            client.send("/record", "job")
            assert wait_until(backend, lambda: seen == [b"\xa3job"])
        pull.stop()
        with Publisher(addrs[1], backend=backend, context=context) as events:
            conn = SubscriberConnection(events.endpoint, [""], context=context, drain_quiet=0.02)
            served = Served(backend, events_app, conn)
            events.wait_for_subscriptions(topic="todos.created")
            events.publish("todos.created", "/todos/created")
            assert wait_until(backend, lambda: len(heard) == 1)
            served.stop()
        if context is not None:
            context.term()

    run_green(backend, body)
