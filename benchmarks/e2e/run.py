"""End-to-end HTTP benchmark: wrk against every stack, in one run.

    ./dev bench e2e [--duration 10] [--connections 32] [--only NAME ...] [--longpoll 10000]

Stacks (``apps.py``, ``floor.py``): Brubeck behind Mongrel2 (eventlet and
gevent); a bare single-process pyzmq handler behind the same Mongrel2 (the
floor); Brubeck's WSGI callable and Falcon, both on bjoern; FastAPI with
pydantic on uvicorn. Endpoints: ``GET /hello?name=x`` and ``POST /signup``
(the yardstick document, validated, echoed back). Every stack's answers are
checked before it is timed (the same bodies; an invalid signup is a 4xx).

The server side (Mongrel2 and its handler, or the HTTP server) runs on core
0 and wrk on core 1, as in the reference run of issue 6. Then one process
holds ``--longpoll`` concurrent requests that each sleep 5 s, and its peak
RSS is reported.

Needs: wrk and Mongrel2 (Debian: ``apt-get install wrk mongrel2-core``), and
``requirements/e2e.txt`` (bjoern needs ``libev-dev`` to build); a missing
server only skips its rows.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))

from models import INVALID, VALID, VALID_JSON  # noqa: E402

from brubeck.deploy import LocalMongrel2, Mongrel2Config  # noqa: E402

PY = sys.executable
SERVER_CORE, CLIENT_CORE = 0, 1
HELLO = "/hello?name=x"

#: Issue 6's reference run on this machine kind (not this run), for context.
REFERENCE = {"Brubeck 0.4 behind Mongrel2 (Py 2.7)": (7_800, 2_600)}


@dataclass(frozen=True)
class Stack:
    name: str
    group: str  # "mongrel2" or "http"
    command: Callable[[int, tuple[str, str]], list[str]]
    needs: tuple[str, ...] = ()


def _brubeck_m2(backend: str) -> Callable[[int, tuple[str, str]], list[str]]:
    def command(port: int, pair: tuple[str, str]) -> list[str]:
        return [
            PY,
            "-m",
            "brubeck",
            "run",
            "apps:brubeck_app",
            "--mongrel2",
            ",".join(pair),
            "--concurrency",
            backend,
        ]

    return command


STACKS = [
    Stack("m2-floor", "mongrel2", lambda port, pair: [PY, "floor.py", *pair], ("tnetstring",)),
    Stack("m2-brubeck-eventlet", "mongrel2", _brubeck_m2("eventlet")),
    Stack("m2-brubeck-gevent", "mongrel2", _brubeck_m2("gevent"), ("gevent",)),
    Stack(
        "bjoern-falcon",
        "http",
        lambda p, _: [PY, "serve.py", "falcon", str(p)],
        ("bjoern", "falcon"),
    ),
    Stack(
        "bjoern-brubeck", "http", lambda p, _: [PY, "serve.py", "brubeck_wsgi", str(p)], ("bjoern",)
    ),
    Stack(
        "uvicorn-fastapi",
        "http",
        lambda p, _: [PY, "serve.py", "fastapi", str(p)],
        ("fastapi", "uvicorn"),
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def pinning() -> bool:
    return len(os.sched_getaffinity(0)) >= 2


def pin_process(pid: int, core: int) -> None:
    """Pin every thread of ``pid`` (ZeroMQ's I/O threads too) to ``core``."""
    if not pinning():
        return
    for task in Path(f"/proc/{pid}/task").iterdir():
        os.sched_setaffinity(int(task.name), {core})


def _on_core(core: int) -> Callable[[], None] | None:
    return (lambda: os.sched_setaffinity(0, {core})) if pinning() else None


def request(port: int, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            if request(port, "GET", HELLO)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not answer in time")


def check_answers(port: int) -> None:
    """The same answers from every stack, or its numbers mean nothing."""
    status, body = request(port, "GET", HELLO)
    assert (status, body) == (200, b"Hello x"), (status, body)
    status, body = request(port, "POST", "/signup", VALID_JSON)
    echoed = json.loads(body)
    echoed["created_at"] = echoed["created_at"].replace("Z", "+00:00")
    assert status == 200 and echoed == {**VALID, "currency": "USD"}, (status, body[:300])
    status, body = request(port, "POST", "/signup", json.dumps(INVALID).encode())
    assert 400 <= status < 500, (status, body[:300])


@contextmanager
def mongrel2(run_dir: Path, port: int, **settings: int | str) -> Iterator[tuple[str, str]]:
    config = Mongrel2Config(
        port=port,
        protocol="tnetstring",
        settings=dict(settings),
        send_spec=f"tcp://127.0.0.1:{free_port()}",
        recv_spec=f"tcp://127.0.0.1:{free_port()}",
    )
    server = LocalMongrel2(run_dir, config)
    pid = server.start()
    pin_process(pid, SERVER_CORE)
    try:
        yield config.pair
    finally:
        server.stop()


@contextmanager
def serving(stack: Stack, work: Path) -> Iterator[tuple[int, int]]:
    """Start the stack (its Mongrel2 too); yields (HTTP port, handler pid)."""
    port = free_port()
    with mongrel2(work / stack.name, port) if stack.group == "mongrel2" else _none() as pair:
        log = (work / f"{stack.name}.log").open("wb")
        process = subprocess.Popen(
            stack.command(port, pair or ("", "")),
            cwd=HERE,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_on_core(SERVER_CORE),
        )
        try:
            wait_ready(port, process)
            pin_process(process.pid, SERVER_CORE)  # threads started since
            yield port, process.pid
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


@contextmanager
def _none() -> Iterator[None]:
    yield None


def wrk(
    port: int, path: str, seconds: int, connections: int, script: Path | None
) -> dict[str, float]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script:
        command += ["-s", str(script)]
    command.append(f"http://127.0.0.1:{port}{path}")
    out = subprocess.run(
        command, capture_output=True, text=True, check=True, preexec_fn=_on_core(CLIENT_CORE)
    ).stdout
    return parse_wrk(out)


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def parse_wrk(out: str) -> dict[str, float]:
    def latency(percent: str) -> float:
        found = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(found.group(1)) * _UNITS[found.group(2)] if found else float("nan")

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(rate.group(1)) if rate else 0.0,
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": (int(bad.group(1)) if bad else 0)
        + (sum(int(n) for n in errors.groups()) if errors else 0),
    }


def post_script(work: Path) -> Path:
    script = work / "post_signup.lua"
    body = VALID_JSON.decode()
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = [[{body}]]\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    return script


def missing(stack: Stack) -> str | None:
    if stack.group == "mongrel2" and shutil.which("mongrel2") is None:
        return "mongrel2 (apt-get install mongrel2-core)"
    for module in stack.needs:
        try:
            __import__(module)
        except ImportError:
            return f"{module} (pip install -r requirements/e2e.txt)"
    return None


def measure(
    stacks: list[Stack], args: argparse.Namespace, work: Path
) -> dict[str, dict[str, dict[str, float]]]:
    script = post_script(work)
    results: dict[str, dict[str, dict[str, float]]] = {}
    for stack in stacks:
        reason = missing(stack)
        if reason:
            print(f"-- {stack.name}: skipped, needs {reason}", flush=True)
            continue
        print(f"-- {stack.name}", flush=True)
        with serving(stack, work) as (port, _pid):
            check_answers(port)
            results[stack.name] = {}
            for endpoint, path, lua in (
                ("GET /hello", HELLO, None),
                ("POST /signup", "/signup", script),
            ):
                wrk(port, path, 2, args.connections, lua)  # warm up
                row = wrk(port, path, args.duration, args.connections, lua)
                results[stack.name][endpoint] = row
                print(
                    f"   {endpoint:<13} {row['rps']:>9,.0f} req/s  p50 {row['p50']:.2f} ms  "
                    f"p99 {row['p99']:.2f} ms  errors {row['errors']:.0f}",
                    flush=True,
                )
    return results


def report(results: dict[str, dict[str, dict[str, float]]]) -> None:
    base = {
        "m2-brubeck-eventlet": "m2-floor",
        "m2-brubeck-gevent": "m2-floor",
        "bjoern-brubeck": "bjoern-falcon",
    }
    print(
        "\n| stack | GET /hello req/s | p50 / p99 ms | POST /signup req/s | p50 / p99 ms "
        "| × its baseline (GET, POST) | × FastAPI (GET, POST) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    fastapi = results.get("uvicorn-fastapi")
    for name, rows in results.items():
        get, post = rows["GET /hello"], rows["POST /signup"]
        cells = [
            f"{get['rps']:,.0f}",
            f"{get['p50']:.2f} / {get['p99']:.2f}",
            f"{post['rps']:,.0f}",
            f"{post['p50']:.2f} / {post['p99']:.2f}",
        ]
        ref = results.get(base.get(name, ""))
        cells.append(_ratios(rows, ref) + (f" vs {base[name]}" if ref else ""))
        cells.append(_ratios(rows, fastapi) if fastapi and name != "uvicorn-fastapi" else "")
        print(f"| {name} | " + " | ".join(cells) + " |")
    for name, (get_rps, post_rps) in REFERENCE.items():
        print(
            f"| {name} (issue 6's reference run, not this run) "
            f"| {get_rps:,} | | {post_rps:,} | | | |"
        )


def _ratios(rows: dict[str, dict[str, float]], ref: dict[str, dict[str, float]] | None) -> str:
    if not ref:
        return ""
    get = rows["GET /hello"]["rps"] / ref["GET /hello"]["rps"]
    post = rows["POST /signup"]["rps"] / ref["POST /signup"]["rps"]
    return f"{get:.2f}×, {post:.2f}×"


def longpoll(count: int, work: Path, backend: str) -> None:
    """``count`` requests held at once by one Brubeck process behind Mongrel2."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = count + 1000
    if hard < need:
        print(f"-- long-poll: skipped, the open-file limit is {hard} (needs {need})")
        return
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, need), hard))  # children inherit it
    port = free_port()
    with mongrel2(work / f"longpoll-{backend}", port, **{"superpoll.max_fd": need + 1000}) as pair:
        command = [
            PY,
            "-m",
            "brubeck",
            "run",
            "apps:brubeck_longpoll_app",
            "--mongrel2",
            ",".join(pair),
            "--concurrency",
            backend,
        ]
        log = (work / f"longpoll-{backend}.log").open("wb")
        process = subprocess.Popen(command, cwd=HERE, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_ready(port, process)
            out = subprocess.run(
                [PY, "longpoll.py", "127.0.0.1", str(port), str(count)],
                cwd=HERE,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            result = json.loads(out)
            rss = _peak_rss_mb(process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(30)
            log.close()
    print(
        f"-- long-poll ({backend}): {result['answered']:,}/{result['requests']:,} answered 200, "
        f"peak {result['peak_in_flight']:,} in flight, {result['seconds']} s, "
        f"handler peak RSS {rss:.0f} MB (aim ≤ 300)"
        + (f"; errors: {result['errors']}" if result["failed"] else "")
    )


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--only", nargs="*", help="stack names (default: all)")
    parser.add_argument("--longpoll", type=int, default=10_000, help="0 skips it")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk not found: apt-get install wrk", file=sys.stderr)
        return 1
    stacks = [s for s in STACKS if not args.only or s.name in args.only]
    print(
        f"Python {sys.version.split()[0]}; server on core {SERVER_CORE}, wrk on core {CLIENT_CORE}"
        if pinning()
        else "one core: nothing pinned"
    )
    with tempfile.TemporaryDirectory(prefix="brubeck-e2e-") as tmp:
        work = Path(tmp)
        results = measure(stacks, args, work)
        if results:
            report(results)
        if args.longpoll and shutil.which("mongrel2"):
            for backend in ("eventlet", "gevent"):
                longpoll(args.longpoll, work, backend)
    return 0


if __name__ == "__main__":
    sys.exit(main())
