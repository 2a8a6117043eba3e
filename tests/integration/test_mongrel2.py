"""The app behind a real Mongrel2: each behaviour, under both header
protocols and both concurrency backends, and the same suite on the embedded
WSGI server (the ``served`` fixture's matrix)."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
import uuid

from tests.integration.conftest import Server

_STATUS_KEYS = ("status_code", "status_msg", "timestamp")


def payload(body: bytes) -> dict[str, object]:
    """A JSONMessageHandler's payload without the status fields 0.4 adds."""
    data = json.loads(body)
    assert data["status_code"] == 200
    return {key: value for key, value in data.items() if key not in _STATUS_KEYS}


def test_get_with_query(server: Server) -> None:
    status, headers, body = server.request("GET", "/hello?name=caf%C3%A9&x=1")
    assert (status, body) == (200, "Hello café".encode())
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert headers["Content-Length"] == str(len(body))


def test_post_form(server: Server) -> None:
    status, _, body = server.request(
        "POST", "/form?q=query", b"name=brubeck&x=1&x=2",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert status == 200
    assert payload(body) == {"name": "brubeck", "x": ["1", "2"], "q": "query"}


def test_post_json_valid_and_invalid(server: Server) -> None:
    signup = {"username": "dave", "email": "dave@example.com", "age": 30}
    status, headers, body = server.request(
        "POST", "/signup", json.dumps(signup).encode(), {"Content-Type": "application/json"}
    )
    assert status == 201
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(body) == signup

    bad = {"username": "da", "email": "nope", "age": 3}
    status, headers, body = server.request(
        "POST", "/signup", json.dumps(bad).encode(), {"Content-Type": "application/json"}
    )
    assert status == 400
    problem = json.loads(body)
    paths = {error["path"] for error in problem["errors"]}
    assert paths == {"$.username", "$.email", "$.age"}


def test_multipart_upload(server: Server) -> None:
    boundary = uuid.uuid4().hex
    blob = bytes(range(256)) * 8
    parts = [
        b'Content-Disposition: form-data; name="title"\r\n\r\nhello multipart',
        b'Content-Disposition: form-data; name="data"; filename="blob.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + blob,
    ]
    body = b"".join(b"--%s\r\n%s\r\n" % (boundary.encode(), part) for part in parts)
    body += b"--%s--\r\n" % boundary.encode()
    status, _, reply = server.request(
        "POST", "/upload", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    assert status == 200
    assert payload(reply) == {
        "title": "hello multipart",
        "files": {"data": [{"filename": "blob.bin", "sha256": hashlib.sha256(blob).hexdigest()}]},
    }


def test_large_upload_arrives_as_a_temp_file(server: Server) -> None:
    data = bytes(range(256)) * 400  # 102,400 bytes > limits.content_length (20 KiB)
    status, _, reply = server.request(
        "POST", "/bigupload", data, {"Content-Type": "application/octet-stream"}
    )
    assert status == 200
    assert payload(reply) == {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def test_forged_upload_headers_are_refused(server: Server) -> None:
    forged = {"x-mongrel2-upload-start": "/etc/passwd", "x-mongrel2-upload-done": "/etc/passwd"}
    status, _, reply = server.request("POST", "/bigupload", b"x", forged)
    assert b"root:" not in reply
    if server.wsgi:  # no upload protocol: the headers are only headers
        assert (status, payload(reply)["size"]) == (200, 1)
    else:
        assert status == 400


def test_cookies(server: Server) -> None:
    status, headers, body = server.request("GET", "/cookies?flavour=mint")
    assert status == 200
    assert body == b"cookie: none"
    assert headers.get_all("Set-Cookie")[0].startswith("flavour=mint;")
    status, _, body = server.request("GET", "/cookies", headers={"Cookie": "flavour=mint"})
    assert body == b"cookie: mint"


def test_head_has_no_body(server: Server) -> None:
    conn = server.connection()
    conn.request("HEAD", "/hello?name=x")
    response = conn.getresponse()
    assert response.status == 200
    assert response.headers["Content-Length"] == str(len("Hello x"))
    assert response.read() == b""
    conn.request("GET", "/hello?name=y")  # the connection is still usable
    assert conn.getresponse().read() == b"Hello y"
    conn.close()


def test_keep_alive_reuses_one_connection(server: Server) -> None:
    conn = server.connection()
    conn.request("GET", "/hello?name=a")
    first = conn.getresponse()
    assert first.read() == b"Hello a"
    sock = conn.sock
    for name in "bcde":
        conn.request("GET", f"/hello?name={name}")
        assert conn.getresponse().read() == f"Hello {name}".encode()
        assert conn.sock is sock
    conn.close()


def test_http10_is_closed_after_the_reply(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.config.port), timeout=10) as sock:
        sock.sendall(b"GET /hello?name=old HTTP/1.0\r\n\r\n")
        received = b""
        while chunk := sock.recv(65536):  # ends only when the server closes
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200 OK") or head.startswith(b"HTTP/1.1 200 OK")
    assert body == b"Hello old"


def test_connection_close_is_honoured(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.config.port), timeout=10) as sock:
        sock.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    assert received.endswith(b"\r\n\r\nHello world")  # and the server closed
    if not server.wsgi:  # a WSGI server writes its own connection headers
        assert b"Connection: close" in received


def test_not_found_and_not_allowed(server: Server) -> None:
    status, _, body = server.request("GET", "/nowhere")
    assert status == 404
    status, headers, _ = server.request("POST", "/only-get", b"")
    assert status == 405
    assert headers["Allow"] == "GET, HEAD, OPTIONS"


def test_handler_exception_is_a_500_and_the_process_lives(server: Server) -> None:
    status, headers, body = server.request("GET", "/boom")
    assert status == 500
    assert b"boom" not in body  # no internals leak to the client
    assert server.request("GET", "/hello")[0] == 200


def test_a_slow_handler_does_not_block_others(server: Server) -> None:
    results: list[tuple[float, int]] = []

    def slow() -> None:
        status, _, _ = server.request("GET", "/slow?s=1.5")
        results.append((time.monotonic(), status))

    started = time.monotonic()
    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.2)
    for _ in range(20):
        assert server.request("GET", "/hello")[0] == 200
    fast_done = time.monotonic()
    thread.join()
    assert fast_done - started < 1.4  # the 20 requests finished while the slow one slept
    assert results and results[0][1] == 200
