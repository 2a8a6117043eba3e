"""The floor: a bare single-process pyzmq handler behind the same Mongrel2.

No framework, no green threads: blocking PULL/PUB sockets, tnetstring3 for the
headers, msgspec for validation, one bytes format for the reply. It answers
the same endpoints as ``apps.py`` with the same bodies, so what Brubeck costs
on top of it is the framework.

    python floor.py PULL_ADDR PUB_ADDR
"""

from __future__ import annotations

import signal
import sys
import uuid
from pathlib import Path
from urllib.parse import parse_qs

import msgspec
import tnetstring
import zmq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models import MSignup  # noqa: E402

decode_signup = msgspec.json.Decoder(MSignup).decode
encode = msgspec.json.Encoder().encode


def http(status: bytes, content_type: bytes, body: bytes) -> bytes:
    return b"HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s" % (
        status,
        content_type,
        len(body),
        body,
    )


def answer(path: bytes, headers: dict[bytes, bytes], body: bytes) -> bytes:
    if path == b"/hello":
        query = parse_qs(headers.get(b"QUERY", b"").decode())
        name = query.get("name", ["world"])[-1]
        return http(b"200 OK", b"text/plain", ("Hello " + name).encode())
    if path == b"/signup" and headers.get(b"METHOD") == b"POST":
        try:
            out = encode(decode_signup(body))
        except msgspec.ValidationError as exc:
            return http(b"400 Bad Request", b"application/json", encode({"errors": [str(exc)]}))
        return http(b"200 OK", b"application/json", out)
    return http(b"404 Not Found", b"text/plain", b"not found")


def main(pull_addr: str, pub_addr: str) -> None:
    context = zmq.Context()
    pull = context.socket(zmq.PULL)
    pull.connect(pull_addr)
    pub = context.socket(zmq.PUB)
    pub.setsockopt(zmq.IDENTITY, str(uuid.uuid4()).encode())
    pub.connect(pub_addr)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    recv, send = pull.recv, pub.send
    while True:
        sender, conn_id, path, rest = recv().split(b" ", 3)
        headers, rest = tnetstring.pop(rest)
        if not isinstance(headers, dict) or headers.get(b"METHOD") == b"JSON":
            continue  # a disconnect notice: never answered
        body, _ = tnetstring.pop(rest)
        reply = answer(path, headers, body)
        send(b"%s %d:%s, %s" % (sender, len(conn_id), conn_id, reply))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
