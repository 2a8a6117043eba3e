"""A deterministic yardstick: instructions and cold-cache misses per request.

Timings of a hot loop on this machine kind vary by 10-30 % from one minute
to the next, and a hot loop hides what a request costs inside a server,
where the caches are cold (docs/benchmarks.md, "Why the server costs more
than its profile says"). This counts instead, under valgrind's cachegrind:

* ``Ir``: instructions per request, with the request's code hot;
* ``LL miss``: last-level cache misses per request when a buffer twice the
  size of the (simulated) last level is written between requests.

Each stack runs the same rounds twice per mode, with and without the request
(after the same warm-up), and the difference is divided by the rounds, so
start-up, imports and the buffer's own misses cancel out.
The reference is the pipeline benchmark's hand-built stack (tnetstring3 +
msgspec, the least work for the same answer).

Run: ``./dev bench cold`` or ``.venv/bin/python benchmarks/cold.py [stack ...]``.
Needs valgrind (``apt-get install -y valgrind``); without it, says so and exits 0.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).parent
WARMUP = 200
CALLS = {"hot": 2000, "cold": 100}
LL_CACHE = "8388608,16,64"  # the simulated last level: 8 MiB, 16-way, 64-byte lines
FLUSH_BYTES = 16 * 1024 * 1024  # twice that


def stacks() -> dict[str, Callable[[], object]]:
    sys.path.insert(0, str(HERE))
    import pipeline

    return {
        **service_stacks(),
        "pipeline: brubeck typed (default)": pipeline.brubeck_stack,
        "pipeline: brubeck, no models": lambda: pipeline.APP_ECHO.handle_message(
            pipeline.next_request()
        ),
        "pipeline: reference": pipeline.reference_stack,
    }


def service_stacks() -> dict[str, Callable[[], object]]:
    """``app.handle_service`` for the services benchmark's ``echo("x")`` call."""
    from brubeck.app import Brubeck
    from brubeck.codecs import default_registry
    from brubeck.handlers import Reply
    from brubeck.protocol import service

    app = Brubeck()

    @app.add_route(r"^/echo$", method="POST")
    def echo(app: Brubeck, request: object) -> Reply:
        codec = app.codecs.for_content_type(request.content_type)  # type: ignore[attr-defined]
        body = codec.encode(codec.decode(request.body))  # type: ignore[attr-defined]
        return Reply(200, [("Content-Type", codec.content_type)], body)

    msgpack = default_registry.get("msgpack")
    frames = [
        b"client-1",
        b"",
        *service.request_frames(msgpack, b"1", "POST", "/echo", {}, msgpack.encode("x")),
    ]
    return {"service: handle_service echo(x)": lambda: app.handle_service(frames)}


def child(name: str, calls: int, flush: bool, requests: bool) -> None:
    """``calls`` rounds (after the warm-up), each a flush if asked and a request if asked."""
    run = stacks()[name]
    buffer, zeros = bytearray(FLUSH_BYTES), bytes(FLUSH_BYTES)
    for _ in range(WARMUP):
        run()
    for _ in range(calls):
        if flush:
            buffer[:] = zeros  # reads and writes every line: the caches hold only the buffer
        if requests:
            run()


_COUNTS = re.compile(r"==\d+== (I\s+refs|LL misses):\s+([\d,]+)")


def counted(name: str, calls: int, flush: bool, requests: bool) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            "valgrind",
            "--tool=cachegrind",
            f"--cache-sim={'yes' if flush else 'no'}",
            f"--LL={LL_CACHE}",
            f"--cachegrind-out-file={os.path.join(tmp, 'out')}",
            sys.executable,
            __file__,
            "--child",
            name,
            str(calls),
            "flush" if flush else "hot",
            "requests" if requests else "none",
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
    return {
        key.split()[0]: int(value.replace(",", "")) for key, value in _COUNTS.findall(done.stderr)
    }


def per_request(name: str, mode: str) -> float:
    flush = mode == "cold"
    key = "LL" if flush else "I"
    calls = CALLS[mode]
    # The same rounds with and without the request: the difference is the requests'.
    both, alone = counted(name, calls, flush, True), counted(name, calls, flush, False)
    return (both[key] - alone[key]) / calls


def main(chosen: list[str]) -> int:
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install -y valgrind): nothing measured")
        return 0
    names = [name for name in stacks() if not chosen or any(c in name for c in chosen)]
    if any(name.startswith("pipeline") for name in names):  # pipeline ratios need it
        names = sorted(set(names) | {"pipeline: reference"}, key=list(stacks()).index)
    print("# Instructions (hot) and last-level misses (cold caches) per request, by cachegrind")
    rows = {name: (per_request(name, "hot"), per_request(name, "cold")) for name in names}
    reference = rows.get("pipeline: reference")
    for name, (instructions, misses) in rows.items():
        ratio = ""
        if reference is not None and name.startswith("pipeline"):
            ratio = f"  {instructions / reference[0]:5.2f}x  {misses / reference[1]:5.2f}x"
        print(f"{name:36} {instructions:9,.0f} Ir  {misses:7,.0f} LL miss{ratio}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], int(sys.argv[3]), sys.argv[4] == "flush", sys.argv[5] == "requests")
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
