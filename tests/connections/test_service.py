"""ServiceConnection on real ZeroMQ sockets (tcp, ipc, inproc) under eventlet
and gevent: the examples of docs/protocol.md answered byte for byte, what is
refused or dropped, fuzzed frames, graceful stop, and clients with no Brubeck
in them (bare pyzmq DEALER and REQ sockets, and the client the page shows)."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import msgpack
import pytest
import zmq

from brubeck import concurrency
from brubeck.codecs import default_registry, json, tnetstring
from brubeck.concurrency import Backend
from brubeck.connections import Mongrel2Connection, ServiceConnection
from brubeck.protocol import service
from tests.connections.conftest import (
    Dealer,
    Server,
    free_port,
    in_thread,
    make_app,
    request,
    run_green,
)
from tests.connections.test_mongrel2 import FakeMongrel2
from tests.protocol.test_service import EXAMPLES

PAGE = Path(__file__).parents[2] / "docs" / "protocol.md"


@pytest.mark.parametrize("transport", ["tcp", "ipc", "inproc"])
def test_the_pages_echo_example_on_each_transport(
    backend: Backend, transport: str, short_dir: Path
) -> None:
    app, _ = make_app(backend)

    def body() -> None:
        context = backend.zmq.Context() if transport == "inproc" else None
        addr = {
            "tcp": "tcp://127.0.0.1:*",
            "ipc": f"ipc://{short_dir}/s",
            "inproc": "inproc://service-test",
        }[transport]
        server = Server(backend, app, addr, context=context)
        dealer = Dealer(backend, server.endpoint, context)
        dealer.send(EXAMPLES["echo_request"])
        assert dealer.recv() == EXAMPLES["echo_reply"]
        dealer.close()
        server.stop()
        assert (server.conn.received, server.conn.sent, server.conn.dropped) == (1, 1, 0)
        if context is not None:
            context.term()

    run_green(backend, body)


def test_refusals_and_app_errors_as_the_page_shows_them(backend: Backend) -> None:
    app, _ = make_app(backend)
    cases = [
        (EXAMPLES["unknown_codec_request"], EXAMPLES["unknown_codec_reply"]),
        (EXAMPLES["unknown_version_request"], EXAMPLES["unknown_version_reply"]),
        (EXAMPLES["bad_verb_request"], EXAMPLES["bad_verb_reply"]),
        (request(b"json", b"req-11", b"GET", b"/nowhere"), EXAMPLES["not_found_reply"]),
        (request(b"json", b"req-12", b"POST", b"/todos", b"{}"), EXAMPLES["invalid_body_reply"]),
    ]

    def body() -> None:
        server = Server(backend, app)
        dealer = Dealer(backend, server.endpoint)
        for frames, expected in cases:
            dealer.send(frames)
            assert dealer.recv() == expected
        dealer.close()
        server.stop()

    run_green(backend, body)


@pytest.mark.parametrize("name", ["json", "msgpack", "tnetstring"])
def test_every_codec_reaches_the_handler_and_comes_back(backend: Backend, name: str) -> None:
    app, _ = make_app(backend)
    codec = default_registry.get(name)
    wire = name.encode()
    headers = codec.encode({"x-user": "ann", "x-trace": "t1"})

    def decode(data: bytes) -> Any:
        return tnetstring.decode(data, text=True) if name == "tnetstring" else codec.decode(data)

    def body() -> None:
        server = Server(backend, app)
        dealer = Dealer(backend, server.endpoint)
        value = codec.encode({"text": "x", "n": [1, 2]})
        dealer.send(request(wire, b"1", b"PUT", b"/echo", value))
        assert dealer.recv() == [b"BRB1", wire, b"1", b"200", b"", value]
        dealer.send([b"BRB1", wire, b"2", b"GET", b"/headers", headers, b""])
        *_, status, _, reply = dealer.recv()
        decoded = decode(reply)
        assert (status, decoded["seen"], decoded["verb"]) == (
            b"200",
            {"x-user": "ann", "x-trace": "t1"},
            "GET",
        )
        dealer.send(request(wire, b"3", b"GET", b"/text"))
        assert dealer.recv()[-1] == codec.encode("hello")
        dealer.close()
        server.stop()

    run_green(backend, body)


def test_what_cannot_be_answered_is_dropped_and_counted(backend: Backend) -> None:
    app, seen = make_app(backend)
    unanswerable = [
        [b"BRB1", b"json", b"1", b"GET", b"/echo", b""],  # six frames
        request(b"json", b"x" * 256, b"GET", b"/echo"),  # request id too long
        request(b"json", b"", b"get", b"/record"),  # one-way, bad verb
        request(b"yaml", b"", b"POST", b"/record"),  # one-way, unknown codec
        [b"BRB2", b"json", b"", b"POST", b"/record", b"", b""],  # one-way, unknown version
    ]

    def body() -> None:
        server = Server(backend, app)
        dealer = Dealer(backend, server.endpoint)
        for frames in unanswerable:
            dealer.send(frames)
        assert dealer.silent()
        assert server.conn.dropped == len(unanswerable) and seen == []
        dealer.send(EXAMPLES["echo_request"])
        assert dealer.recv() == EXAMPLES["echo_reply"]
        dealer.close()
        server.stop()

    run_green(backend, body)


def test_one_way_requests_run_and_get_no_reply(backend: Backend) -> None:
    app, seen = make_app(backend)

    def body() -> None:
        server = Server(backend, app)
        dealer = Dealer(backend, server.endpoint)
        dealer.send(request(b"json", b"", b"POST", b"/record", b'{"n":1}'))
        dealer.send(request(b"json", b"", b"POST", b"/nowhere", b'{"n":2}'))  # a 404, unsent
        dealer.send(request(b"json", b"", b"POST", b"/boom"))  # a 500, unsent
        assert dealer.silent()
        assert seen == [b'{"n":1}']
        assert (server.conn.received, server.conn.sent, server.conn.dropped) == (3, 0, 0)
        dealer.close()
        server.stop()

    run_green(backend, body)


def test_a_message_over_the_size_limit_gets_a_413(backend: Backend) -> None:
    app, _ = make_app(backend)
    big = b"0" * (service.MAX_MESSAGE_SIZE + 1)

    def body() -> None:
        server = Server(backend, app)
        dealer = Dealer(backend, server.endpoint)
        dealer.send(request(b"msgpack", b"big", b"POST", b"/echo", big))
        *_, status, _, reply = dealer.recv(20)
        assert status == b"413" and msgpack.unpackb(reply)["status"] == 413
        dealer.close()
        server.stop()

    run_green(backend, body, 60)


def test_a_frame_over_max_message_size_disconnects_its_sender(backend: Backend) -> None:
    app, _ = make_app(backend)

    def body() -> None:
        server = Server(backend, app, max_message_size=4096)
        greedy = Dealer(backend, server.endpoint)
        greedy.send(request(b"json", b"1", b"POST", b"/echo", b'"' + b"x" * 8000 + b'"'))
        assert greedy.silent()
        other = Dealer(backend, server.endpoint)
        other.send(EXAMPLES["echo_request"])
        assert other.recv() == EXAMPLES["echo_reply"]
        assert server.conn.received == 1  # the large one never reached the app
        greedy.close()
        other.close()
        server.stop()

    run_green(backend, body)


def test_a_failing_handler_or_app_never_ends_the_loop(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _ = make_app(backend)
    handle = app.handle_service

    def flaky(frames: list[bytes], raise_errors: bool = False) -> list[bytes] | None:
        if frames[-3] == b"/bug":
            raise RuntimeError("a bug in the app")
        return handle(frames, raise_errors)

    monkeypatch.setattr(app, "handle_service", flaky)

    def body() -> None:
        server = Server(backend, app)
        dealer = Dealer(backend, server.endpoint)
        dealer.send(request(b"json", b"1", b"POST", b"/boom"))
        *_, status, _, reply = dealer.recv()
        assert (status, json.decode(reply)["title"]) == (b"500", "Internal Server Error")
        dealer.send(request(b"json", b"2", b"POST", b"/bug"))
        assert dealer.silent()
        dealer.send(EXAMPLES["echo_request"])
        assert dealer.recv() == EXAMPLES["echo_reply"]
        dealer.close()
        server.stop()

    run_green(backend, body)


def _fuzzed(rng: random.Random, valid: list[bytes]) -> list[bytes]:
    kind = rng.randrange(4)
    if kind == 0:
        return [rng.randbytes(rng.randrange(40)) for _ in range(rng.randrange(1, 12))]
    frames = list(valid)
    index = rng.randrange(len(frames))
    if kind == 1:
        frames[index] = rng.randbytes(rng.randrange(40))
    elif kind == 2 and frames[index]:
        where = rng.randrange(len(frames[index]))
        flipped = frames[index][where] ^ (1 << rng.randrange(8))
        frames[index] = frames[index][:where] + bytes([flipped]) + frames[index][where + 1 :]
    elif rng.random() < 0.5:
        frames.insert(index, rng.randbytes(rng.randrange(8)))
    else:
        del frames[index]
    return frames


def test_fuzzed_frames_never_stop_the_server(backend: Backend) -> None:
    app, _ = make_app(backend)
    rng = random.Random(20261107)
    valid = [EXAMPLES["echo_request"], EXAMPLES["todo_request"], EXAMPLES["tnet_request"]]
    messages = [_fuzzed(rng, rng.choice(valid)) for _ in range(600)]

    def body() -> None:
        server = Server(backend, app)
        dealer = Dealer(backend, server.endpoint)
        for frames in messages:
            dealer.send(frames)
        replies = []
        try:
            while True:
                replies.append(dealer.recv(0.5))
        except TimeoutError:
            pass
        for reply in replies:  # whatever came in, what goes out keeps the protocol
            service.parse_reply(reply[-service.REPLY_FRAMES :])  # after a fuzzed envelope
        assert server.conn.received == 600 and server.conn.dropped > 0
        dealer.send(request(b"msgpack", b"after", b"POST", b"/echo", b"\xc0"))
        assert dealer.recv() == [b"BRB1", b"msgpack", b"after", b"200", b"", b"\xc0"]
        dealer.close()
        server.stop()

    run_green(backend, body)


def test_stop_answers_what_was_sent_and_what_is_in_flight(backend: Backend) -> None:
    app, _ = make_app(backend)

    def body() -> None:
        conn = ServiceConnection("tcp://127.0.0.1:*", drain_quiet=0.05)
        conn.open(backend)
        dealer = Dealer(backend, conn.endpoint)
        for n in range(10):
            dealer.send(request(b"json", b"%d" % n, b"POST", b"/sleep/100"))
        backend.sleep(0.1)  # all ten wait in the socket
        conn.stop()  # before serving even starts: they are still answered
        task = backend.spawn(conn.serve, app, concurrency.WorkerPool(backend, 100))
        answered = sorted(dealer.recv()[2] for _ in range(10))
        assert answered == sorted(b"%d" % n for n in range(10))
        assert task.join(5) and conn.sent == 10
        dealer.close()

    run_green(backend, body)


def test_a_server_that_connects_to_a_bound_client(backend: Backend) -> None:
    app, _ = make_app(backend)
    port = free_port()

    def body() -> None:
        zmq_green = backend.zmq
        context = zmq_green.Context()
        dealer = context.socket(zmq_green.DEALER)
        dealer.bind(f"tcp://127.0.0.1:{port}")
        server = Server(backend, app, f"tcp://127.0.0.1:{port}", bind=False)
        dealer.send_multipart(EXAMPLES["echo_request"])
        with backend.timeout(5):
            assert dealer.recv_multipart() == EXAMPLES["echo_reply"]
        server.stop()
        dealer.close(linger=0)
        context.term()

    run_green(backend, body)


def test_one_app_serves_mongrel2_and_a_service_socket_at_once(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(concurrency, "_active", None)  # run() makes its backend active
    fake = FakeMongrel2(backend)
    m2 = Mongrel2Connection(fake.pull_addr, fake.pub_addr, drain_quiet=0.02, handover_delay=0.01)
    svc = ServiceConnection(f"tcp://127.0.0.1:{free_port()}", drain_quiet=0.02)
    app, _ = make_app(backend)
    app.msg_conn = [m2, svc]
    app.concurrency = backend

    def body() -> None:
        runner = backend.spawn(app.run)
        fake.request(1, "/text")
        assert fake.reply()[2].endswith(b"\r\n\r\nhello")
        dealer = Dealer(backend, svc.endpoint)
        dealer.send(request(b"json", b"1", b"GET", b"/text"))
        assert dealer.recv()[-1] == b'"hello"'
        m2.stop()
        svc.stop()
        assert runner.join(10)
        dealer.close()

    try:
        run_green(backend, body)
    finally:
        fake.close()


# -- clients without Brubeck: plain pyzmq in an OS thread, the server in the hub ------


def _bare_dealer_calls(endpoint: str, count: int) -> dict[bytes, Any]:
    """Many calls in flight on one DEALER, matched by request id (pyzmq and msgpack only)."""
    context = zmq.Context()
    sock = context.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(endpoint)
    for n in range(count):
        body = msgpack.packb({"n": n})
        sock.send_multipart(
            [b"BRB1", b"msgpack", n.to_bytes(4, "big"), b"POST", b"/echo", b"", body]
        )
    answers = {}
    while len(answers) < count and sock.poll(5000):
        version, codec, request_id, status, headers, body = sock.recv_multipart()
        assert (version, codec, status, headers) == (b"BRB1", b"msgpack", b"200", b"")
        answers[request_id] = msgpack.unpackb(body)
    sock.close()
    context.term()
    return answers


def _bare_req_call(endpoint: str) -> list[bytes]:
    context = zmq.Context()
    sock = context.socket(zmq.REQ)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(endpoint)
    sock.send_multipart(EXAMPLES["echo_request"])
    reply = sock.recv_multipart() if sock.poll(5000) else []
    sock.close()
    context.term()
    return list(reply)


def _client_from_the_page() -> Any:
    """The ``call`` function of docs/protocol.md's "Writing a client", as printed."""
    text = PAGE.read_text(encoding="utf-8")
    section = text.split("## Writing a client", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code is not None and "brubeck" not in code.group(1)
    namespace: dict[str, Any] = {}
    exec(compile(code.group(1), str(PAGE), "exec"), namespace)
    return namespace["call"]


def test_clients_written_from_the_page_alone(backend: Backend) -> None:
    app, _ = make_app(backend)
    call = _client_from_the_page()

    def body() -> None:
        server = Server(backend, app)
        endpoint = server.endpoint
        assert in_thread(backend, lambda: call(endpoint, "/echo", {"text": "x"})) == (
            200,
            {"text": "x"},
        )
        assert in_thread(backend, lambda: call(endpoint, "/nowhere"))[0] == 404
        answers = in_thread(backend, lambda: _bare_dealer_calls(endpoint, 50))
        assert answers == {n.to_bytes(4, "big"): {"n": n} for n in range(50)}
        assert in_thread(backend, lambda: _bare_req_call(endpoint)) == EXAMPLES["echo_reply"]
        server.stop()

    run_green(backend, body)
