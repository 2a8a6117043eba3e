"""Raw ZeroMQ services: Brubeck against a bare pyzmq loop and zerorpc, in one run.

    ./dev bench services [--duration 3] [--rounds 3] [--only NAME ...]

Every stack answers ``echo(value)`` over tcp://127.0.0.1, its server in one
process pinned to core 0 and its client in another pinned to core 1 (as the
reference run of issue 7). Calls per second, and the p50 and p99 latency of
one call, for one call in flight at a time and for 64, with a tiny value
(``"x"``) and the 454-byte signup document (tests/data/signup.json). Every
row is measured in ``--rounds`` rounds over all the stacks; the round with
the median rate is reported.

Stacks:

* ``brubeck-eventlet``, ``brubeck-gevent``: a ``Brubeck`` app on a
  ``ServiceConnection`` (each request in a green thread of the pool) and
  ``ServiceClient`` (green, one socket; 64 green threads for 64 in flight),
  msgpack. The route is a function (``app.add_route``) that decodes the body
  with the request's codec and encodes it again, as the others do; a handler
  class (``WebMessageHandler``) costs about 4 µs more per call.
* ``floor``: a bare pyzmq ROUTER loop and DEALER client, the same ``BRB1``
  frames, msgpack: no framework, no green threads.
* ``zerorpc``: zerorpc 0.6.3 on gevent (requirements/bench.txt); its rows are
  skipped, with a note, when it is not installed.

Targets (issue 7): Brubeck one-in-flight >= 0.6x the floor; 64-in-flight
>= 5x zerorpc and >= 0.4x the floor (aim 0.6x).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIGNUP: dict[str, Any] = json.loads((ROOT / "tests" / "data" / "signup.json").read_text())
PAYLOADS: dict[str, Any] = {"tiny": "x", "signup": SIGNUP}
STACKS = ["brubeck-eventlet", "brubeck-gevent", "floor", "zerorpc"]
IN_FLIGHT = [1, 64]
SERVER_CORE, CLIENT_CORE = 0, 1
#: Issue 7's reference run on this machine kind (not this run), echo("x"), for context.
REFERENCE = {"floor": (6_300, 57_000), "zerorpc 0.6.3": (1_300, 3_300)}


def pin(core: int) -> None:
    if len(os.sched_getaffinity(0)) >= 2 and not os.environ.get("NOPIN"):
        os.sched_setaffinity(0, {core})


# -- servers (each in a process of its own) ------------------------------------------


def serve_brubeck(backend: str, addr: str) -> None:
    sys.path.insert(0, str(ROOT))
    from brubeck.app import Brubeck
    from brubeck.connections import ServiceConnection
    from brubeck.handlers import Reply

    app = Brubeck(msg_conn=ServiceConnection(addr), concurrency=backend)

    @app.add_route(r"^/echo$", method="POST")
    def echo(app: Brubeck, request: Any) -> Reply:
        codec = app.codecs.for_content_type(request.content_type)
        body = codec.encode(codec.decode(request.body))
        return Reply(200, [("Content-Type", codec.content_type)], body)

    app.run()  # until SIGTERM


def serve_floor(addr: str) -> None:
    import msgpack
    import zmq

    router = zmq.Context().socket(zmq.ROUTER)
    router.bind(addr)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    recv, send, pack, unpack = (
        router.recv_multipart,
        router.send_multipart,
        msgpack.packb,
        msgpack.unpackb,
    )
    while True:
        peer, _, codec, request_id, _, _, _, body = recv()
        send([peer, b"BRB1", codec, request_id, b"200", b"", pack(unpack(body))])


def serve_zerorpc(addr: str) -> None:
    import zerorpc

    class Service:
        def echo(self, value: Any) -> Any:
            return value

    server = zerorpc.Server(Service())
    server.bind(addr)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server.run()


# -- clients: (calls, seconds, latencies in seconds) ------------------------------------


Result = tuple[int, float, list[float]]


def _green_loop(
    spawn: Callable[..., Any],
    sleep: Callable[[float], None],
    one_call: Callable[[], Any],
    n: int,
    s: float,
) -> Result:
    """``n`` green threads each calling in a loop; the calls of ``s`` seconds
    after a warm-up are counted."""
    latencies: list[float] = []
    state = {"record": False, "stop": False}

    def caller() -> None:
        clock = time.perf_counter
        while not state["stop"]:
            started = clock()
            one_call()
            if state["record"]:
                latencies.append(clock() - started)

    threads = [spawn(caller) for _ in range(n)]
    sleep(0.3)  # warm-up
    state["record"] = True
    started = time.perf_counter()
    sleep(s)
    state["stop"] = True
    elapsed = time.perf_counter() - started
    calls = len(latencies)
    for thread in threads:
        (getattr(thread, "wait", None) or thread.join)()
    return calls, elapsed, latencies


def client_brubeck(backend_name: str, addr: str, value: Any, n: int, s: float) -> Result:
    sys.path.insert(0, str(ROOT))
    from brubeck.concurrency import get_backend
    from brubeck.connections import ServiceClient

    backend = get_backend(backend_name)
    client = ServiceClient(addr, "msgpack", timeout=30.0, backend=backend)
    assert client.call("/echo", value).body == value  # also: wait for the server
    spawn = _spawner(backend_name)
    try:
        return _green_loop(spawn, backend.sleep, lambda: client.call("/echo", value), n, s)
    finally:
        client.close()


def _spawner(name: str) -> Callable[..., Any]:
    if name == "eventlet":
        import eventlet

        return eventlet.spawn  # type: ignore[no-any-return]
    import gevent

    return gevent.spawn  # type: ignore[no-any-return]


def client_zerorpc(addr: str, value: Any, n: int, s: float) -> Result:
    import gevent
    import zerorpc

    client = zerorpc.Client(timeout=30)  # its defaults (heartbeat every 5 s), as users get it
    client.connect(addr)
    assert client.echo(value) == value
    try:
        return _green_loop(gevent.spawn, gevent.sleep, lambda: client.echo(value), n, s)
    finally:
        client.close()


def client_floor(addr: str, value: Any, n: int, s: float) -> Result:
    """A DEALER keeping ``n`` calls in flight, matched by request id."""
    import msgpack
    import zmq

    dealer = zmq.Context().socket(zmq.DEALER)
    dealer.connect(addr)
    body, clock = msgpack.packb(value), time.perf_counter
    send, recv = dealer.send_multipart, dealer.recv_multipart
    sent: dict[bytes, float] = {}
    ids = iter(range(1, 1 << 62))

    def call() -> None:
        request_id = next(ids).to_bytes(8, "big")
        sent[request_id] = clock()
        send([b"BRB1", b"msgpack", request_id, b"POST", b"/echo", b"", body])

    call()
    _, _, first, _, _, reply = recv()  # the server is up
    assert msgpack.unpackb(reply) == value
    del sent[first]
    latencies: list[float] = []
    for _ in range(n):
        call()
    start = clock()
    record_from, stop_at = start + 0.3, start + 0.3 + s
    while True:
        _, _, request_id, _, _, reply = recv()
        now = clock()
        msgpack.unpackb(reply)
        began = sent.pop(request_id)
        if now >= stop_at:
            break
        if began >= record_from:
            latencies.append(now - began)
        call()
    return len(latencies), s, latencies


def run_client(stack: str, addr: str, payload: str, n: int, s: float) -> dict[str, float]:
    value = PAYLOADS[payload]
    if stack.startswith("brubeck-"):
        calls, elapsed, latencies = client_brubeck(stack.split("-", 1)[1], addr, value, n, s)
    elif stack == "zerorpc":
        calls, elapsed, latencies = client_zerorpc(addr, value, n, s)
    else:
        calls, elapsed, latencies = client_floor(addr, value, n, s)
    cuts = statistics.quantiles(latencies, n=100)
    return {"rate": calls / elapsed, "p50": cuts[49] * 1e6, "p99": cuts[98] * 1e6}


# -- the parent: one server per stack, a client per row ------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def missing(stack: str) -> str | None:
    if stack == "zerorpc" and importlib.util.find_spec("zerorpc") is None:
        return "zerorpc (pip install -r requirements/bench.txt)"
    return None


def measure(stack: str, duration: float) -> dict[tuple[str, int], dict[str, float]]:
    addr = f"tcp://127.0.0.1:{free_port()}"
    me = [sys.executable, str(Path(__file__).resolve())]
    server = subprocess.Popen([*me, "--serve", stack, addr], cwd=ROOT)
    rows: dict[tuple[str, int], dict[str, float]] = {}
    try:
        for payload in PAYLOADS:
            for n in IN_FLIGHT:
                command = [*me, "--client", stack, addr, payload, str(n), str(duration)]
                out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
                if out.returncode != 0:
                    raise RuntimeError(f"{stack} client failed:\n{out.stderr}")
                rows[payload, n] = json.loads(out.stdout.strip().splitlines()[-1])
                row = rows[payload, n]
                print(
                    f"   {stack:17} {payload:6} {n:3} in flight: {row['rate']:9,.0f} calls/s"
                    f"  p50 {row['p50']:7.0f} µs  p99 {row['p99']:7.0f} µs",
                    flush=True,
                )
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return rows


def report(results: dict[str, dict[tuple[str, int], dict[str, float]]]) -> None:
    floor, zerorpc = results.get("floor"), results.get("zerorpc")
    print("\n| stack | payload | in flight | calls/s | p50 µs | p99 µs | × floor | × zerorpc |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for stack, rows in results.items():
        for (payload, n), row in rows.items():
            cells = [f"{row['rate']:,.0f}", f"{row['p50']:,.0f}", f"{row['p99']:,.0f}"]
            for ref in (floor, zerorpc):
                cells.append(f"{row['rate'] / ref[payload, n]['rate']:.2f}" if ref else "")
            print(f"| {stack} | {payload} | {n} | " + " | ".join(cells) + " |")
    print("\nTargets (issue 7, stated for echo('x'), the tiny payload): 1 in flight >= 0.6x")
    print("floor; 64 in flight >= 0.4x floor and >= 5x zerorpc.")
    for stack, rows in results.items():
        if stack.startswith("brubeck-") and floor:
            print(f"  {stack}: " + "; ".join(_verdicts(rows, floor, zerorpc)))
    print("Issue 7's reference run (echo('x'), not this run):")
    for name, (one, many) in REFERENCE.items():
        print(f"  {name}: {one:,} calls/s one at a time, {many:,} with 64 in flight")


def _verdicts(
    rows: dict[tuple[str, int], dict[str, float]],
    floor: dict[tuple[str, int], dict[str, float]],
    zerorpc: dict[tuple[str, int], dict[str, float]] | None,
) -> list[str]:
    def rate(table: dict[tuple[str, int], dict[str, float]], n: int) -> float:
        return table["tiny", n]["rate"]

    checks = [("1 in flight", rate(rows, 1) / rate(floor, 1), 0.6, "floor")]
    checks.append(("64 in flight", rate(rows, 64) / rate(floor, 64), 0.4, "floor"))
    if zerorpc:
        checks.append(("64 in flight", rate(rows, 64) / rate(zerorpc, 64), 5.0, "zerorpc"))
    return [
        f"{what} {ratio:.2f}x {ref} ({'met' if ratio >= target else 'MISSED'}, >= {target})"
        for what, ratio, target, ref in checks
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per row")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds over every stack; a row's median is reported"
    )
    parser.add_argument("--only", nargs="*", choices=STACKS, help="these stacks only")
    parser.add_argument("--serve", nargs=2, metavar=("STACK", "ADDR"), help=argparse.SUPPRESS)
    parser.add_argument("--client", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        pin(SERVER_CORE)
        stack, addr = args.serve
        if stack.startswith("brubeck-"):
            serve_brubeck(stack.split("-", 1)[1], addr)
        elif stack == "zerorpc":
            serve_zerorpc(addr)
        else:
            serve_floor(addr)
        return 0
    if args.client:
        pin(CLIENT_CORE)
        stack, addr, payload, n, seconds = args.client
        print(json.dumps(run_client(stack, addr, payload, int(n), float(seconds))))
        return 0
    if len(os.sched_getaffinity(0)) < 2:
        print("-- fewer than 2 cores: client and server are not pinned")
    stacks = []
    for stack in args.only or STACKS:
        reason = missing(stack)
        if reason:
            print(f"-- {stack}: skipped, needs {reason}", flush=True)
        else:
            stacks.append(stack)
    # Rounds interleave the stacks, so that the machine's drift (this kind
    # varies by +-20% within minutes) falls on all of them alike.
    runs: dict[str, list[dict[tuple[str, int], dict[str, float]]]] = {s: [] for s in stacks}
    for round_number in range(1, args.rounds + 1):
        for stack in stacks:
            print(f"-- {stack} (round {round_number} of {args.rounds})", flush=True)
            runs[stack].append(measure(stack, args.duration))
    report({stack: median_rows(rounds) for stack, rounds in runs.items()})
    return 0


def median_rows(
    rounds: list[dict[tuple[str, int], dict[str, float]]],
) -> dict[tuple[str, int], dict[str, float]]:
    """Each row from the round with the median rate (its latencies with it)."""
    return {
        key: sorted((one[key] for one in rounds), key=lambda row: row["rate"])[len(rounds) // 2]
        for key in rounds[0]
    }


if __name__ == "__main__":
    sys.exit(main())
