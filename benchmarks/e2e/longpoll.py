"""Long-poll client: open N connections, send ``GET /poll`` on each, wait for every answer.

    python longpoll.py HOST PORT N

Prints one JSON line: how many answered 200, how many failed (and the first
few reasons), the peak number of requests in flight at once (from each
request's send and answer times), and the wall time.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

REQUEST = b"GET /poll HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
#: Connections opened at once; more would overflow the listen backlog.
BATCH = 500


async def one(host: str, port: int, spans: list[tuple[float, float]], errors: list[str]) -> bool:
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError as exc:
        errors.append(f"connect: {exc}")
        return False
    try:
        sent = time.monotonic()
        writer.write(REQUEST)
        await writer.drain()
        status = await asyncio.wait_for(reader.readline(), timeout=60)
        await reader.read()  # to the close
        spans.append((sent, time.monotonic()))
        if not status.startswith(b"HTTP/1.1 200"):
            errors.append(f"status: {status[:40]!r}")
            return False
        return True
    except (TimeoutError, OSError) as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
        return False
    finally:
        writer.close()


def peak_in_flight(spans: list[tuple[float, float]]) -> int:
    events = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    peak = current = 0
    for _, step in events:
        current += step
        peak = max(peak, current)
    return peak


async def main(host: str, port: int, count: int) -> None:
    spans: list[tuple[float, float]] = []
    errors: list[str] = []
    started = time.monotonic()
    tasks = []
    for index in range(count):
        tasks.append(asyncio.create_task(one(host, port, spans, errors)))
        if index % BATCH == BATCH - 1:
            await asyncio.sleep(0.05)
    results = await asyncio.gather(*tasks)
    report = {
        "requests": count,
        "answered": sum(results),
        "failed": count - sum(results),
        "errors": sorted(set(errors))[:5],
        "peak_in_flight": peak_in_flight(spans),
        "seconds": round(time.monotonic() - started, 2),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
