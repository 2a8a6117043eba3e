"""The codec layer in one screen: encode a Mongrel2-style header dict with each
codec, negotiate codecs from HTTP headers, and watch hostile input get refused.

Run it with ``./dev demo`` (or ``python examples/codecs_demo.py`` in the venv).
"""

from __future__ import annotations

import datetime
import uuid

from brubeck import codecs
from brubeck.errors import CodecError

HEADERS = {
    "PATH": "/api/signup",
    "METHOD": "POST",
    "VERSION": "HTTP/1.1",
    "host": "localhost:6767",
    "content-type": "application/json",
    "cookie": ["a=1", "b=2"],
    "REMOTE_ADDR": "127.0.0.1",
}
REPLY = {"id": uuid.UUID(int=42), "at": datetime.datetime(2026, 11, 25, tzinfo=datetime.UTC)}


def main() -> None:
    print(f"Brubeck codecs (tnetstring accelerated: {codecs.tnetstring.ACCELERATED})\n")
    for codec in codecs.default_registry:
        wire = codec.encode(HEADERS)
        back = codec.decode(wire)
        if codec.name == "tnetstring":
            back = codecs.tnetstring.decode(wire, text=True)
        print(f"{codec.name:>10}: {len(wire):3d} bytes, round trip ok: {back == HEADERS}")
        print(f"{'':>10}  {wire[:72]!r}...")
        print(f"{'':>10}  a reply with a UUID and a datetime: {codec.encode(REPLY)!r}")

    print("\nNegotiation:")
    for header in ["application/problem+json", "application/x-msgpack; charset=binary"]:
        print(f"  Content-Type {header!r:45} -> {codecs.for_content_type(header).name}")
    for header in ["application/msgpack;q=0.5, application/json;q=0.4", "text/html, */*;q=0.1"]:
        print(f"  Accept {header!r:51} -> {codecs.for_accept(header).name}")

    print("\nHostile input is refused with a DecodeError and the failing offset:")
    for name, data in [
        ("tnetstring", b"5:hello,trailing"),
        ("tnetstring", b"99999999:x,"),
        ("tnetstring", b"[" * 3 + b"0:]"),
        ("json", b'{"a": 1,}'),
        ("msgpack", b"\xdb\xff\xff\xff\xffabc"),
    ]:
        try:
            codecs.get(name).decode(data)
        except CodecError as exc:
            print(f"  {name:>10} {data[:20]!r:26} -> {exc}")


if __name__ == "__main__":
    main()
