"""The handler process alone: CPU per request behind a fake Mongrel2.

    .venv/bin/python benchmarks/e2e/handler.py [--requests 60000] [--in-flight 32]

A real Mongrel2 shares the machine with its handlers, so wrk's numbers mix
both (``run.py``). Here this script plays Mongrel2 itself: it binds the PUSH
and SUB sockets a Mongrel2 server binds, sends the request messages Mongrel2
1.12 sends (tnetstring headers), keeps ``--in-flight`` requests outstanding,
and reads the CPU time the handler process used per request from
``/proc/PID/task/*/stat``: its Python thread and ZeroMQ's I/O thread
separately. Stacks: the bare pyzmq floor (``floor.py``), Brubeck
(``brubeck run apps:brubeck_app --mongrel2``) on eventlet and gevent, and
Brubeck's serving layer alone (``serving-*``: ``trivial_app.py``, whose
pipeline does nothing).
The handler runs on core 0, this script on core 1.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import zmq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from models import VALID_JSON  # noqa: E402

from brubeck.protocol import mongrel2  # noqa: E402

PY = sys.executable
SENDER = "54c6755b-9628-40a4-9a2d-cc82a816345e"
STACKS = {
    "floor": [PY, "floor.py", "{pull}", "{pub}"],
    "brubeck-eventlet": [PY, "-m", "brubeck", "run", "apps:brubeck_app",
                         "--mongrel2", "{pull},{pub}", "--concurrency", "eventlet"],
    "brubeck-gevent": [PY, "-m", "brubeck", "run", "apps:brubeck_app",
                       "--mongrel2", "{pull},{pub}", "--concurrency", "gevent"],
    # The serving layer alone: an app whose handle_message does no work (trivial_app.py).
    "serving-eventlet": [PY, "-m", "brubeck", "run", "trivial_app:app",
                         "--mongrel2", "{pull},{pub}", "--concurrency", "eventlet"],
    "serving-gevent": [PY, "-m", "brubeck", "run", "trivial_app:app",
                       "--mongrel2", "{pull},{pub}", "--concurrency", "gevent"],
}  # fmt: skip


def request(endpoint: str, conn_id: int) -> bytes:
    """A request as Mongrel2 1.12 pushes it (the headers wrk sends, plus Mongrel2's)."""
    headers = {"PATH": "/hello", "METHOD": "GET", "VERSION": "HTTP/1.1", "URI": "/hello?name=x",
               "QUERY": "name=x", "PATTERN": "/", "host": "127.0.0.1:6767",
               "REMOTE_ADDR": "127.0.0.1"}  # fmt: skip
    body = b""
    if endpoint == "POST":
        del headers["QUERY"]
        headers.update(PATH="/signup", METHOD="POST", URI="/signup")
        headers["content-type"] = "application/json"
        headers["content-length"] = str(len(VALID_JSON))
        body = VALID_JSON
    return mongrel2.format_request(SENDER, conn_id, headers["PATH"], headers, body)


def free_addr() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"tcp://127.0.0.1:{sock.getsockname()[1]}"


def cpu_by_thread(pid: int) -> dict[str, float]:
    """Seconds of CPU per thread name (the Python thread is ``python``)."""
    ticks = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        stat = (task / "stat").read_text()
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat.rpartition(")")[2].split()
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return out


class FakeMongrel2:
    def __init__(self, in_flight: int) -> None:
        self.context = zmq.Context()
        self.push = self.context.socket(zmq.PUSH)
        self.pull_addr = free_addr()
        self.push.bind(self.pull_addr)
        self.sub = self.context.socket(zmq.SUB)
        self.pub_addr = free_addr()
        self.sub.bind(self.pub_addr)
        self.sub.setsockopt(zmq.SUBSCRIBE, b"")
        self.in_flight = in_flight

    def wait_for_handler(self, message: bytes, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            # Polling the SUB socket lets it attach the handler's connection
            # (libzmq attaches pipes when the socket is used) and subscribe it.
            self.sub.poll(100)
            if self.push.poll(100, zmq.POLLOUT):
                self.push.send(message)
                if self.sub.poll(500):
                    while self.sub.poll(200):
                        self.sub.recv()
                    return
        raise RuntimeError("the handler never answered")

    def run(self, messages: list[bytes], count: int) -> None:
        for message in messages[: self.in_flight]:
            self.push.send(message)
        sent = self.in_flight
        for received in range(count):
            if not self.sub.poll(5000):
                raise RuntimeError(f"no reply after {received} requests")
            self.sub.recv()
            if sent < count:
                self.push.send(messages[sent % len(messages)])
                sent += 1

    def close(self) -> None:
        self.context.destroy(linger=0)


def measure(stack: str, endpoint: str, count: int, in_flight: int) -> dict[str, float]:
    fake = FakeMongrel2(in_flight)
    command = [part.format(pull=fake.pull_addr, pub=fake.pub_addr) for part in STACKS[stack]]
    pin = len(os.sched_getaffinity(0)) >= 2
    process = subprocess.Popen(
        command, cwd=HERE, preexec_fn=(lambda: os.sched_setaffinity(0, {0})) if pin else None
    )  # noqa: E501
    if pin:
        os.sched_setaffinity(0, {1})
    try:
        messages = [request(endpoint, conn_id) for conn_id in range(in_flight)]
        fake.wait_for_handler(messages[0])
        fake.run(messages, 5000)  # warm up
        before, started = cpu_by_thread(process.pid), time.perf_counter()
        fake.run(messages, count)
        elapsed, after = time.perf_counter() - started, cpu_by_thread(process.pid)
    finally:
        process.terminate()
        process.wait(15)
        fake.close()
    python = 1e6 * (after["python"] - before["python"]) / count
    total = 1e6 * (sum(after.values()) - sum(before.values())) / count
    return {"rate": count / elapsed, "python": python, "zmq": total - python, "total": total}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=60_000)
    parser.add_argument("--in-flight", type=int, default=32)
    parser.add_argument("--only", nargs="*", choices=sorted(STACKS))
    args = parser.parse_args()
    rows = {}
    for endpoint in ("GET", "POST"):
        for stack in args.only or STACKS:
            rows[stack, endpoint] = row = measure(stack, endpoint, args.requests, args.in_flight)
            print(f"{stack:<17} {endpoint:<5} {row['rate']:>8,.0f} req/s  CPU per request: "
                  f"{row['python']:5.1f} µs Python + {row['zmq']:4.1f} µs ZeroMQ I/O = "
                  f"{row['total']:5.1f} µs", flush=True)  # fmt: skip
    print("\n| stack | GET µs CPU/request | POST µs CPU/request | × floor (GET, POST) |")
    print("|---|---:|---:|---:|")
    for stack in args.only or STACKS:
        get, post = rows[stack, "GET"]["total"], rows[stack, "POST"]["total"]
        ratio = ""
        if ("floor", "GET") in rows:
            ratio = f"{get / rows['floor', 'GET']['total']:.1f}×, "
            ratio += f"{post / rows['floor', 'POST']['total']:.1f}×"
        print(f"| {stack} | {get:.1f} | {post:.1f} | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
