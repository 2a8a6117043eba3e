"""The whole handler pipeline against a hand-built reference stack.

One request: raw Mongrel2 message bytes (tnetstring headers as Mongrel2 1.12
writes them, the yardstick "signup" JSON body) -> parse -> route -> a JSON
handler whose body is declared with ``@typed(body=Signup, reply=Signup)`` ->
validate -> encode the reply -> HTTP response -> Mongrel2 reply bytes.

The reference (shared/reference/benchmarks.md, "Framework-layer cost of one
request", 11.7 µs there) does the least work that still gives the same
answer: tnetstring3 for the headers, ``msgspec.json.decode(body,
type=Struct)`` to validate, ``msgspec.json.encode`` and one bytes format.

Target (issue 5): Brubeck <= 2.0x the reference; aim 1.3x. A cProfile of the
Brubeck side follows the table.

Run: ``./dev bench pipeline`` or ``.venv/bin/python benchmarks/pipeline.py``.
"""

from __future__ import annotations

import cProfile
import io
import itertools
import pstats
import sys
from pathlib import Path
from typing import Any

import msgspec
import tnetstring as tnetstring3  # the C extension (the "speedups" extra)

sys.path.insert(0, str(Path(__file__).parent))

from models import VALID_JSON, MSignup, Signup, measure  # noqa: E402

from brubeck.app import Brubeck  # noqa: E402
from brubeck.handlers import JSONMessageHandler, Reply, WebMessageHandler, typed  # noqa: E402
from brubeck.protocol import mongrel2  # noqa: E402

SENDER = "54c6755b-9628-40a4-9a2d-cc82a816345e"
CAPTURE = Path(__file__).parent.parent / "tests" / "data" / "mongrel2" / "json_post.tnet.bin"


def request_bytes(body: bytes = VALID_JSON) -> bytes:
    """The json_post capture's headers (Mongrel2 1.12, tnetstring) with the signup body."""
    captured = mongrel2.parse(CAPTURE.read_bytes())
    headers = dict(captured.headers)
    headers.update({"PATH": "/signups", "URI": "/signups", "content-length": str(len(body))})
    headers["accept"] = "application/json"
    return mongrel2.format_request(SENDER, 42, "/signups", headers, body)


def signups(count: int) -> list[bytes]:
    """``count`` signup requests, each with its own ``created_at`` (real
    traffic does not repeat its values, and a server may remember some)."""
    base = VALID_JSON.decode()
    stamp = "2024-05-17T12:34:56.789000+00:00"
    assert stamp in base
    stamps = (f"2024-05-17T12:{i // 60 % 60:02}:{i % 60:02}.{i:06}Z" for i in range(count))
    return [request_bytes(base.replace(stamp, new).encode()) for new in stamps]


class Signups(JSONMessageHandler):
    @typed(body=Signup, reply=Signup)
    def post(self, signup: Signup) -> Signup:
        return signup


class SignupsUnchecked(JSONMessageHandler):
    @typed(body=Signup, reply=Signup, check_reply=False)
    def post(self, signup: Signup) -> Signup:
        return signup


class Echo(WebMessageHandler):
    """No models: the framework's own cost (parse, route, handler, reply)."""

    def post(self) -> Reply:
        return Reply(200, [("Content-Type", "application/json")], self.message.body)


APP = Brubeck(handler_tuples=[(r"^/signups$", Signups)])
APP_ECHO = Brubeck(handler_tuples=[(r"^/signups$", Echo)])
APP_UNCHECKED = Brubeck(handler_tuples=[(r"^/signups$", SignupsUnchecked)])
RAW = request_bytes()
#: The requests the stacks answer in turn: more than any cache of values in the path keeps.
RAWS = signups(4096)
next_request = itertools.cycle(RAWS).__next__


def brubeck_stack() -> list[bytes]:
    return APP.handle_message(next_request())


def brubeck_unchecked() -> list[bytes]:
    return APP_UNCHECKED.handle_message(next_request())


def reference_stack() -> bytes:
    return reference(next_request())


def reference(raw: bytes) -> bytes:
    """The least work that gives the same answer."""
    sender, conn_id, _path, rest = raw.split(b" ", 3)
    raw_headers, rest = tnetstring3.pop(rest)
    body, _ = tnetstring3.pop(rest)
    headers = {key.decode(): value.decode() for key, value in raw_headers.items()}
    if headers["METHOD"] != "POST":
        raise AssertionError("not a POST")
    signup = msgspec.json.decode(body, type=MSignup)
    out = msgspec.json.encode(signup)
    response = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
        % (len(out), out)
    )
    return b"%s %d:%s, %s" % (sender, len(conn_id), conn_id, response)


def check_equivalence() -> None:
    """Both stacks answer the same requests with the same status and body."""
    for raw in RAWS[:3]:
        _check_same_answer(APP.handle_message(raw), reference(raw))


def _check_same_answer(ours: list[bytes], theirs: bytes) -> None:
    if len(ours) != 1:
        raise AssertionError(f"expected one reply, got {ours!r}")
    ours_http = mongrel2.parse_reply(ours[0])[2]
    theirs_http = mongrel2.parse_reply(theirs)[2]
    if not ours_http.startswith(b"HTTP/1.1 200 OK\r\n"):
        raise AssertionError(ours_http[:200])
    ours_body = msgspec.json.decode(ours_http.partition(b"\r\n\r\n")[2])
    theirs_body = msgspec.json.decode(theirs_http.partition(b"\r\n\r\n")[2])
    for body in (ours_body, theirs_body):  # the same instant, written two ways
        body["created_at"] = body["created_at"].replace("+00:00", "Z")
    if ours_body != theirs_body:
        raise AssertionError(f"bodies differ:\n{ours_body}\n{theirs_body}")


def stages() -> dict[str, Any]:
    """Where Brubeck's time goes, stage by stage (each stage alone)."""
    from brubeck.protocol.request import Request

    request = Request(mongrel2.parse(RAW))
    reply = APP.handle(request)
    assert reply is not None
    return {
        "parse (mongrel2.parse + Request)": lambda: Request(mongrel2.parse(RAW)),
        "handle (route+handler+typed)": lambda: APP.handle(Request(mongrel2.parse(RAW))),
        "format (HTTP + envelope)": lambda: APP.format_reply(request, reply),
    }


def profile(calls: int = 20000) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        brubeck_stack()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(18)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    return "\n".join(lines[start:])


def main() -> int:
    print(
        f"# Pipeline benchmark: Python {sys.version.split()[0]}, msgspec {msgspec.__version__}; "
        f"request {len(RAW)} bytes; µs per request, best of 7 (median)"
    )
    check_equivalence()
    results = measure(
        {
            "brubeck (reply checked, default)": brubeck_stack,
            "brubeck (check_reply=False)": brubeck_unchecked,
            "brubeck, no models (echo body)": lambda: APP_ECHO.handle_message(next_request()),
            "reference": reference_stack,
        }
    )
    reference = results["reference"][0]
    for name, (best, median) in results.items():
        print(f"{name:34} {best:7.2f} ({median:6.2f})  {best / reference:5.2f}x")
    ratio = results["brubeck (reply checked, default)"][0] / reference
    target = "met" if ratio <= 2 else "MISSED"
    aim = "met" if ratio <= 1.3 else "not yet"
    print(f"\nbrubeck / reference: {ratio:.2f}x (target <= 2.0: {target}; aim 1.3: {aim})")
    print("\n## stages (each measured alone)")
    for name, (best, median) in measure(stages()).items():
        print(f"{name:34} {best:7.2f} ({median:6.2f})")
    print("\n## cProfile of the Brubeck stack, by own time (20,000 requests)")
    print(profile())
    return 0


if __name__ == "__main__":
    sys.exit(main())
