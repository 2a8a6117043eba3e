"""Brubeck's codecs against the libraries they wrap, measured in the same run.

Two payloads: a Mongrel2 header dict (15 headers) and the ~450-byte "signup"
JSON API document of shared/reference/benchmarks.md. For each codec and
operation it prints µs per call (best of 7, median in brackets) for Brubeck and
for the raw library call it wraps, and the ratio Brubeck / raw.

Targets (issue 3): ratio <= 1.15 everywhere; pure-Python tnetstring decode of
the header dict <= 20 µs.

Run: ``./dev bench`` (all benchmarks) or ``.venv/bin/python benchmarks/codecs.py``.
"""

from __future__ import annotations

import json as stdlib_json
import platform
import statistics
import sys
import timeit
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgpack as raw_msgpack
import msgspec
import orjson
import tnetstring as raw_tnetstring

from brubeck.codecs import json, msgpack, tnetstring

HEADERS: dict[str, Any] = {
    "PATH": "/api/signup",
    "host": "localhost:6767",
    "user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
    "accept": "application/json, text/plain, */*",
    "accept-language": "en-US,en;q=0.5",
    "accept-encoding": "gzip, deflate, br",
    "content-type": "application/json",
    "content-length": "454",
    "cookie": ["session=8f14e45fceea167a5a36dedd4bea2543", "theme=dark"],
    "x-forwarded-for": "127.0.0.1",
    "METHOD": "POST",
    "VERSION": "HTTP/1.1",
    "URI": "/api/signup?ref=home",
    "QUERY": "ref=home",
    "REMOTE_ADDR": "127.0.0.1",
}

SIGNUP: dict[str, Any] = stdlib_json.loads(
    (Path(__file__).parent.parent / "tests" / "data" / "signup.json").read_text()
)


def as_bytes(value: Any) -> Any:
    """What Mongrel2 and tnetstring3 deal in: every str as UTF-8 bytes."""
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, dict):
        return {as_bytes(k): as_bytes(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_bytes(item) for item in value]
    return value


@contextmanager
def pure_tnetstring() -> Iterator[None]:
    saved = tnetstring._c_pop, tnetstring._c_dumps
    tnetstring._c_pop = tnetstring._c_dumps = None
    try:
        yield
    finally:
        tnetstring._c_pop, tnetstring._c_dumps = saved


def _timer(function: Callable[[], object]) -> tuple[timeit.Timer, int]:
    timer = timeit.Timer(function)
    number, _ = timer.autorange()  # also warms the function up
    return timer, max(1, number)


def measure(function: Callable[[], object]) -> tuple[float, float]:
    """(best, median) µs per call over 7 repeats of ~0.2 s each."""
    timer, number = _timer(function)
    runs = [t / number * 1e6 for t in timer.repeat(repeat=7, number=number)]
    return min(runs), statistics.median(runs)


def measure_pair(
    ours: Callable[[], object], raw: Callable[[], object]
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Like :func:`measure` for two calls, their repeats interleaved so that
    drift in machine speed hits both alike."""
    timers = [_timer(ours), _timer(raw)]
    runs: list[list[float]] = [[], []]
    for _ in range(7):
        for index, (timer, number) in enumerate(timers):
            runs[index].append(timer.timeit(number) / number * 1e6)
    return (min(runs[0]), statistics.median(runs[0])), (min(runs[1]), statistics.median(runs[1]))


Row = tuple[str, str, Callable[[], object], Callable[[], object] | None, str]


def rows() -> list[Row]:
    """(payload, operation, brubeck call, raw call or None, raw label)."""
    enc, dec = msgspec.json.Encoder().encode, msgspec.json.Decoder().decode
    table: list[Row] = []
    for label, payload in [("headers", HEADERS), ("signup", SIGNUP)]:
        as_json, as_msgpack = enc(payload), raw_msgpack.packb(payload, use_bin_type=True)
        wire_payload = as_bytes(payload)
        as_tnet = raw_tnetstring.dumps(wire_payload)
        table += [
            (
                label,
                "json encode",
                lambda p=payload: json.encode(p),
                lambda p=payload: enc(p),
                "msgspec",
            ),
            (
                label,
                "json decode",
                lambda b=as_json: json.decode(b),
                lambda b=as_json: dec(b),
                "msgspec",
            ),
            (
                label,
                "msgpack encode",
                lambda p=payload: msgpack.encode(p),
                lambda p=payload: raw_msgpack.packb(p, use_bin_type=True),
                "msgpack",
            ),
            (
                label,
                "msgpack decode",
                lambda b=as_msgpack: msgpack.decode(b),
                lambda b=as_msgpack: raw_msgpack.unpackb(b, raw=False),
                "msgpack",
            ),
            (
                label,
                "tnetstring encode (bytes)",
                lambda p=wire_payload: tnetstring.encode(p),
                lambda p=wire_payload: raw_tnetstring.dumps(p),
                "tnetstring3",
            ),
            (
                label,
                "tnetstring encode (str)",
                lambda p=payload: tnetstring.encode(p),
                lambda p=payload: raw_tnetstring.dumps(as_bytes(p)),
                "tnetstring3+walk",
            ),
            (
                label,
                "tnetstring decode",
                lambda b=as_tnet: tnetstring.decode(b),
                lambda b=as_tnet: raw_tnetstring.loads(b),
                "tnetstring3",
            ),
            (
                label,
                "tnetstring decode text=True",
                lambda b=as_tnet: tnetstring.decode(b, text=True),
                None,
                "",
            ),
        ]
    return table


def context_rows() -> list[tuple[str, str, Callable[[], object]]]:
    """Other libraries on the same payloads, for perspective (not targets)."""
    table = []
    for label, payload in [("headers", HEADERS), ("signup", SIGNUP)]:
        as_json = orjson.dumps(payload)
        table += [
            (
                label,
                "stdlib json encode",
                lambda p=payload: stdlib_json.dumps(p, separators=(",", ":")).encode(),
            ),
            (label, "stdlib json decode", lambda b=as_json: stdlib_json.loads(b)),
            (label, "orjson encode", lambda p=payload: orjson.dumps(p)),
            (label, "orjson decode", lambda b=as_json: orjson.loads(b)),
        ]
    return table


def check_equivalence() -> None:
    """Brubeck and the raw libraries produce the same values before anything is timed."""
    for payload in (HEADERS, SIGNUP):
        assert json.decode(json.encode(payload)) == payload
        assert msgpack.decode(msgpack.encode(payload)) == payload
        wire = as_bytes(payload)
        assert tnetstring.decode(tnetstring.encode(payload)) == wire
        assert raw_tnetstring.loads(tnetstring.encode(payload)) == wire
        with pure_tnetstring():
            assert tnetstring.decode(raw_tnetstring.dumps(wire)) == wire


def main() -> None:
    print(
        f"# Codec benchmark: Python {platform.python_version()}, {platform.machine()}, "
        f"msgspec {msgspec.__version__}, msgpack {'.'.join(map(str, raw_msgpack.version))}, "
        f"tnetstring3 {raw_tnetstring.__version__}, orjson {orjson.__version__}"
    )
    print(
        f"# payload sizes (JSON bytes): headers {len(json.encode(HEADERS))}, "
        f"signup {len(json.encode(SIGNUP))}"
    )
    check_equivalence()
    worst = 0.0
    print(
        f"\n{'payload':8} {'operation':30} {'brubeck µs':>18} {'raw µs':>18} "
        f"{'raw library':17} {'ratio':>6}"
    )
    for label, operation, ours, raw, raw_label in rows():
        if raw is None:
            best, median = measure(ours)
        else:
            (best, median), (raw_best, raw_median) = measure_pair(ours, raw)
        line = f"{label:8} {operation:30} {best:8.3f} ({median:7.3f})"
        if raw is not None:
            ratio = best / raw_best
            worst = max(worst, ratio)
            line += f" {raw_best:8.3f} ({raw_median:7.3f}) {raw_label:17} {ratio:6.2f}"
        print(line, flush=True)

    print("\npure-Python tnetstring (tnetstring3 disabled):")
    pure_headers = 0.0
    with pure_tnetstring():
        for label, payload in [("headers", HEADERS), ("signup", SIGNUP)]:
            wire = raw_tnetstring.dumps(as_bytes(payload))
            for operation, function in [
                ("decode", lambda w=wire: tnetstring.decode(w)),
                ("decode text=True", lambda w=wire: tnetstring.decode(w, text=True)),
                ("encode (str)", lambda p=payload: tnetstring.encode(p)),
            ]:
                best, median = measure(function)
                if (label, operation) == ("headers", "decode"):
                    pure_headers = best
                print(f"{label:8} {operation:30} {best:8.3f} ({median:7.3f})", flush=True)

    print("\ncontext (other libraries, same payloads):")
    for label, operation, function in context_rows():
        best, median = measure(function)
        print(f"{label:8} {operation:30} {best:8.3f} ({median:7.3f})", flush=True)

    print(
        f"\nworst Brubeck/raw ratio: {worst:.2f} (target <= 1.15): "
        f"{'met' if worst <= 1.15 else 'MISSED'}"
    )
    print(
        f"pure tnetstring decode of the header dict: {pure_headers:.1f} µs (target <= 20): "
        f"{'met' if pure_headers <= 20 else 'MISSED'}"
    )


if __name__ == "__main__":
    sys.exit(main())
