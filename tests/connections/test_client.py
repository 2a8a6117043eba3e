"""ServiceClient against a real ServiceConnection, from green threads (eventlet,
gevent) and from plain blocking code; and the parity of one handler class over
HTTP (TestClient) and over ZeroMQ."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from brubeck.concurrency import Backend
from brubeck.connections import ServiceClient
from brubeck.connections import client as client_module
from brubeck.errors import RemoteError, ServiceTimeout
from brubeck.protocol.service import ServiceProtocolError
from brubeck.testing import TestClient
from tests.connections.conftest import Server, in_thread, make_app, run_green

CODECS = ["json", "msgpack", "tnetstring"]


def outcome(call: Any) -> tuple[int, Any]:
    """(status, decoded body) of a call, whether it succeeded or not."""
    try:
        response = call()
    except RemoteError as error:
        return error.status, error.body
    return response.status, response.body


@pytest.mark.parametrize("codec", CODECS)
def test_calls_in_every_codec(backend: Backend, codec: str) -> None:
    app, _ = make_app(backend)

    def body() -> None:
        server = Server(backend, app)
        with ServiceClient(server.endpoint, codec, backend=backend) as client:
            value = {"text": "x", "items": [1, 2.5, None, True], "nested": {"a": "b"}}
            assert client.call("/echo", value).body == value
            assert client.call("/echo", "text", verb="PUT").body == "text"
            assert client.call("/echo").body is None  # no body, none back
            seen = client.call("/headers", verb="GET", headers={"x-user": "ann"}).body
            assert (seen["seen"], seen["verb"]) == ({"x-user": "ann"}, "GET")
            assert client.call("/text", verb="GET") == client_module.ServiceResponse(
                200, {}, "hello"
            )
        server.stop()

    run_green(backend, body)


def test_inproc_with_a_shared_context(backend: Backend) -> None:
    app, _ = make_app(backend)

    def body() -> None:
        context = backend.zmq.Context()
        server = Server(backend, app, "inproc://client-test", context=context)
        with ServiceClient("inproc://client-test", backend=backend, context=context) as client:
            assert client.call("/echo", [1, 2]).body == [1, 2]
        server.stop()
        context.term()

    run_green(backend, body)


def test_errors_are_raised_with_their_status_and_body(backend: Backend) -> None:
    app, _ = make_app(backend)

    def body() -> None:
        server = Server(backend, app)
        with ServiceClient(server.endpoint, backend=backend) as client:
            with pytest.raises(RemoteError) as missing:
                client.call("/nowhere")
            assert (missing.value.status, missing.value.title) == (404, "Not Found")
            assert str(missing.value) == "404 Not Found"
            with pytest.raises(RemoteError) as invalid:
                client.call("/todos", {"title": "x" * 30, "priority": -1})
            assert invalid.value.status == 400 and invalid.value.detail == "Invalid Todo"
            assert [e["path"] for e in invalid.value.errors] == ["$.title", "$.priority"]
            with pytest.raises(RemoteError) as not_allowed:
                client.call("/todos", verb="DELETE")
            assert not_allowed.value.status == 405
            assert not_allowed.value.headers == {"allow": "POST, OPTIONS"}
            with pytest.raises(RemoteError, match="500 Internal Server Error"):
                client.call("/boom")
        server.stop()

    run_green(backend, body)


@pytest.mark.parametrize("codec", CODECS)
def test_one_handler_class_answers_alike_over_http_and_zeromq(backend: Backend, codec: str) -> None:
    app, _ = make_app(backend)
    http = TestClient(app, raise_server_exceptions=False)
    cases: list[tuple[str, str, Any, int]] = [
        ("POST", "/todos", {"title": "take five", "priority": 1}, 201),
        ("POST", "/todos", {"title": "x" * 30, "priority": -1}, 400),
        ("POST", "/todos", {}, 400),
        ("POST", "/todos", ["not", "a", "map"], 400),
        ("POST", "/nowhere", {"title": "t"}, 404),
        ("DELETE", "/todos", None, 405),
        ("POST", "/todos", {"title": "boom"}, 500),
    ]

    def body() -> None:
        server = Server(backend, app)
        with ServiceClient(server.endpoint, codec, backend=backend) as client:
            for verb, path, value, status in cases:
                over_http = http.request(verb, path, json=value)
                over_zmq = outcome(lambda: client.call(path, value, verb))  # noqa: B023
                assert (over_http.status, over_http.json()) == over_zmq
                assert over_zmq[0] == status
        server.stop()

    run_green(backend, body)


def test_a_late_reply_is_discarded_after_its_timeout(backend: Backend) -> None:
    app, _ = make_app(backend)

    def body() -> None:
        server = Server(backend, app)
        with ServiceClient(server.endpoint, backend=backend) as client:
            started = time.monotonic()
            with pytest.raises(ServiceTimeout, match="POST /sleep/300 within 0.1 s"):
                client.call("/sleep/300", timeout=0.1)
            assert 0.1 <= time.monotonic() - started < 0.3
            backend.sleep(0.4)  # the reply comes, late
            assert client.discarded == 1
            assert client.call("/echo", "mine").body == "mine"
        server.stop()

    run_green(backend, body)


def test_many_green_threads_share_one_socket(backend: Backend) -> None:
    app, _ = make_app(backend)

    def body() -> None:
        server = Server(backend, app)
        with ServiceClient(server.endpoint, backend=backend) as client:
            results: list[bool] = []

            def caller(number: int) -> None:
                for call in range(10):
                    path = "/sleep/5" if call % 3 == 0 else "/echo"
                    reply = client.call(path, [number, call]).body
                    results.append(reply == ("slept 5" if call % 3 == 0 else [number, call]))

            tasks = [backend.spawn(caller, number) for number in range(30)]
            assert all(task.join(10) for task in tasks)
            assert results == [True] * 300 and client.discarded == 0
        server.stop()

    run_green(backend, body)


def test_futures_many_in_flight(backend: Backend) -> None:
    app, _ = make_app(backend)

    def body() -> None:
        server = Server(backend, app)
        with ServiceClient(server.endpoint, backend=backend) as client:
            slow = client.call_async("/sleep/50")
            futures = [client.call_async("/echo", n) for n in range(64)]
            assert not slow.done()
            assert [future.result().body for future in futures] == list(range(64))
            assert slow.result().body == "slept 50" and slow.done()
            failing = client.call_async("/nowhere")
            backend.sleep(0.05)
            assert failing.done()
            with pytest.raises(RemoteError):
                failing.result()
        server.stop()

    run_green(backend, body)


def test_green_threads_waiting_on_one_call_all_get_its_reply(backend: Backend) -> None:
    app, _ = make_app(backend)

    def body() -> None:
        server = Server(backend, app)
        with ServiceClient(server.endpoint, backend=backend) as client:
            shared = client.call_async("/sleep/20")
            quick = client.call_async("/sleep/200", timeout=0.01)  # times out: its waiter leaves
            got: list[Any] = []
            tasks = [backend.spawn(lambda: got.append(shared.result().body)) for _ in range(3)]
            with pytest.raises(ServiceTimeout):
                quick.result()
            assert all(task.join(5) for task in tasks)
            assert got == ["slept 20"] * 3
            assert client.call("/echo", 7).body == 7  # the socket still serves new calls
        server.stop()

    run_green(backend, body)


def test_unawaited_calls_expire(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_module, "_SWEEP_EVERY", 4)
    app, _ = make_app(backend)

    def body() -> None:
        server = Server(backend, app)
        with ServiceClient(server.endpoint, backend=backend) as client:
            forgotten = [client.call_async("/sleep/200", timeout=0.01) for _ in range(3)]
            backend.sleep(0.05)
            client.call_async("/echo")  # the fourth call sweeps
            assert all(future.done() for future in forgotten)
            assert not client._pending or len(client._pending) == 1
            with pytest.raises(ServiceTimeout):
                forgotten[0].result()
        server.stop()

    run_green(backend, body)


def test_one_way_messages(backend: Backend) -> None:
    app, seen = make_app(backend)

    def body() -> None:
        server = Server(backend, app)
        with ServiceClient(server.endpoint, "json", backend=backend) as client:
            client.send("/record", {"n": 1})
            client.send("/nowhere", {"n": 2})
            assert client.call("/echo", "after").body == "after"
            assert seen == [b'{"n":1}']
            assert (server.conn.sent, client.discarded) == (1, 0)
        server.stop()

    run_green(backend, body)


def test_close_fails_the_calls_in_flight(backend: Backend) -> None:
    app, _ = make_app(backend)

    def body() -> None:
        server = Server(backend, app)
        client = ServiceClient(server.endpoint, backend=backend)
        pending = client.call_async("/sleep/300")
        client.close()
        with pytest.raises(ServiceTimeout, match="closed"):
            pending.result()
        with pytest.raises(RuntimeError, match="closed"):
            client.call("/echo")
        client.close()  # twice is fine
        server.stop()

    run_green(backend, body)


def test_a_server_restart_while_a_client_waits(backend: Backend) -> None:
    app, _ = make_app(backend)

    def body() -> None:
        first = Server(backend, app, shutdown_timeout=2.0)
        endpoint = first.endpoint
        with ServiceClient(endpoint, backend=backend, timeout=1.0) as client:
            waiting = client.call_async("/sleep/200")
            backend.sleep(0.05)
            first.stop()  # graceful: the call in flight is answered
            assert waiting.result().body == "slept 200"
            second = Server(backend, app, endpoint, shutdown_timeout=0.0)
            assert client.call("/echo", 2).body == 2  # the socket reconnected
            lost = client.call_async("/sleep/300")
            backend.sleep(0.05)
            second.stop()  # no time for requests in flight: that reply is lost
            started = time.monotonic()
            with pytest.raises(ServiceTimeout):
                lost.result()
            assert time.monotonic() - started < 1.5
            third = Server(backend, app, endpoint)
            assert client.call("/echo", 3).body == 3
            third.stop()

    run_green(backend, body)


def test_replies_that_break_the_protocol(backend: Backend) -> None:
    def body() -> None:
        zmq_green = backend.zmq
        context = zmq_green.Context()
        router = context.socket(zmq_green.ROUTER)
        port = router.bind_to_random_port("tcp://127.0.0.1")
        with ServiceClient(f"tcp://127.0.0.1:{port}", "json", backend=backend) as client:
            first = client.call_async("/a", timeout=0.3)
            second = client.call_async("/b", timeout=0.3)
            for call in range(2):
                with backend.timeout(5):
                    peer, _, _, request_id, *_ = router.recv_multipart()
                reply = [b"BRB1", b"json", request_id, b"2x0", b"", b""] if call else [b"junk"]
                router.send_multipart([peer, *reply])
            with pytest.raises(ServiceTimeout):  # unreadable: dropped, so the call times out
                first.result()
            with pytest.raises(ServiceProtocolError, match="status"):
                second.result()
            assert client.discarded == 1
        router.close(linger=0)
        context.term()

    run_green(backend, body)


# -- plain blocking code: the client in OS threads, the server in the hub ----------


def test_blocking_calls_timeouts_and_futures(backend: Backend) -> None:
    app, _ = make_app(backend)

    def calls(endpoint: str) -> None:
        with ServiceClient(endpoint, "tnetstring") as client:
            assert client.call("/echo", {"text": "x"}).body == {"text": "x"}
            with pytest.raises(RemoteError) as missing:
                client.call("/nowhere")
            assert missing.value.body["title"] == "Not Found"
            with pytest.raises(ServiceTimeout):
                client.call("/sleep/300", timeout=0.1)
            futures = [client.call_async("/echo", n) for n in range(100)]
            assert [future.result().body for future in futures] == list(range(100))
            time.sleep(0.3)
            assert client.call("/echo", "after").body == "after"
            assert client.discarded == 1  # the late reply, read while waiting for "after"
            client.send("/record", "one way")

    def body() -> None:
        server = Server(backend, app)
        in_thread(backend, lambda: calls(server.endpoint))
        server.stop()

    run_green(backend, body)


def test_blocking_client_shared_by_threads(backend: Backend) -> None:
    app, _ = make_app(backend)

    def threads(endpoint: str) -> list[bool]:
        client = ServiceClient(endpoint)
        results: list[bool] = []

        def caller(number: int) -> None:
            for call in range(25):
                results.append(client.call("/echo", [number, call]).body == [number, call])

        workers = [threading.Thread(target=caller, args=(n,)) for n in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(20)
        made_here = client.call_async("/sleep/20")
        elsewhere: list[Any] = []
        waiter = threading.Thread(target=lambda: elsewhere.append(made_here.result().body))
        waiter.start()
        waiter.join(5)
        client.close()
        return [*results, elsewhere == ["slept 20"]]

    def body() -> None:
        server = Server(backend, app)
        assert in_thread(backend, lambda: threads(server.endpoint)) == [True] * 101
        server.stop()

    run_green(backend, body)


def test_blocking_client_across_a_server_restart(backend: Backend) -> None:
    app, _ = make_app(backend)
    endpoints: list[str] = []

    def calls() -> list[Any]:
        with ServiceClient(endpoints[0], timeout=0.5) as client:
            out = [client.call("/echo", 1).body]
            started = time.monotonic()
            try:
                out.append(client.call("/sleep/1000").body)
            except ServiceTimeout:
                out.append("timeout")
            out.append(time.monotonic() - started < 1.0)
            time.sleep(0.2)  # the server restarts meanwhile
            out.append(client.call("/echo", 2, timeout=3.0).body)
            return out

    def body() -> None:
        first = Server(backend, app, shutdown_timeout=0.0)
        endpoints.append(first.endpoint)
        thread_result: list[Any] = []
        runner = threading.Thread(target=lambda: thread_result.extend(calls()))
        runner.start()
        backend.sleep(0.2)
        first.stop()
        second = Server(backend, app, endpoints[0])
        while runner.is_alive():
            backend.sleep(0.01)
        assert thread_result == [1, "timeout", True, 2]
        second.stop()

    run_green(backend, body)
