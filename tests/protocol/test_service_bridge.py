"""brubeck.protocol.service_bridge: service requests as the app's requests, and
the app's HTTP-shaped replies as service replies, in the requester's codec."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brubeck.codecs import default_registry, json, msgpack, tnetstring
from brubeck.errors import DecodeError
from brubeck.protocol.request import Request
from brubeck.protocol.service import ServiceProtocolError, ServiceRequest, format_reply
from brubeck.protocol.service_bridge import (
    message_from_service,
    service_reply,
    service_reply_frames,
)

JSON, MSGPACK, TNET = json.CODEC, msgpack.CODEC, tnetstring.CODEC


def service_request(codec: Any = MSGPACK, **headers: str) -> ServiceRequest:
    return ServiceRequest(codec, b"id-1", "PUT", "/todos/1?x", headers, codec.encode({"n": 1}))


def reply(
    status: int, headers: list[tuple[str, str]], body: bytes, codec: Any = MSGPACK
) -> tuple[int, dict[str, str], Any]:
    answer = service_reply(service_request(codec), status, headers, body, default_registry)
    assert answer.request_id == b"id-1" and answer.codec is codec
    if codec is TNET and answer.body:
        return answer.status, answer.headers, tnetstring.decode(answer.body, text=True)
    value = answer.decode_body()
    return answer.status, answer.headers, value


# -- in ---------------------------------------------------------------------------------


def test_the_app_sees_a_mongrel2_shaped_request() -> None:
    message = message_from_service(service_request(**{"X-User": "ann", "x-trace": "t"}))
    request = Request(message)
    assert (request.method, request.path, request.version) == ("PUT", "/todos/1?x", "BRB1")
    assert request.query_string == ""  # no query strings in BRB1: "?" is part of the path
    assert request.content_type == request.accept == "application/msgpack"
    assert request.headers["x-user"] == "ann" and request.headers["X-Trace"] == "t"
    assert request.body == msgpack.encode({"n": 1})


def test_a_client_cannot_replace_what_the_frames_say() -> None:
    spoofed = {"METHOD": "DELETE", "PATH": "/admin", "content-type": "text/plain"}
    request = Request(message_from_service(service_request(JSON, **spoofed)))
    assert (request.method, request.path, request.content_type) == (
        "PUT",
        "/todos/1?x",
        "application/json",
    )
    assert request.headers.get_all("method") == ["PUT"]  # as behind Mongrel2: the server's own


# -- out --------------------------------------------------------------------------------


def test_a_body_in_the_requesters_codec_is_passed_through() -> None:
    body = msgpack.encode({"id": 1})
    answer = service_reply(
        service_request(), 201, [("Content-Type", "application/msgpack")], body, default_registry
    )
    assert answer.body is body and answer.headers == {}


@pytest.mark.parametrize("codec", [JSON, MSGPACK, TNET], ids=lambda codec: codec.name)
def test_other_codecs_and_text_are_transcoded(codec: Any) -> None:
    payload = json.encode({"status_code": 200, "items": [1, "two", None]})
    assert reply(200, [("Content-Type", "application/json")], payload, codec)[2] == {
        "status_code": 200,
        "items": [1, "two", None],
    }
    tnet = tnetstring.encode({"name": "ann"})
    assert reply(200, [("Content-Type", "application/x-tnetstring")], tnet, codec)[2] == {
        "name": "ann"
    }
    latin = "café".encode("latin-1")
    assert reply(200, [("Content-Type", "text/plain; charset=latin-1")], latin, codec)[2] == "café"
    assert reply(200, [], b"hello", codec)[2] == "hello"  # 0.4's set_body, no type: text
    assert reply(204, [], b"", codec)[2] is None


def test_opaque_bytes_stay_bytes_and_say_what_they_are() -> None:
    png = b"\x89PNG\r\n\x1a\n"
    assert reply(200, [("Content-Type", "image/png")], png) == (
        200,
        {"content-type": "image/png"},
        png,
    )
    assert reply(200, [], b"\xff\xfe") == (200, {}, b"\xff\xfe")  # not UTF-8, no type


def test_headers_lose_what_only_http_needs() -> None:
    headers = [
        ("Content-Type", "text/plain"),
        ("Content-Length", "5"),
        ("Set-Cookie", "a=1"),
        ("Connection", "close"),
        ("X-Trace", "t"),
        ("Vary", "Accept"),
        ("vary", "Cookie"),
    ]
    assert reply(200, headers, b"hello")[1] == {"x-trace": "t", "vary": "Accept, Cookie"}


def test_a_2xx_body_that_does_not_decode_is_the_apps_bug() -> None:
    with pytest.raises(DecodeError):
        reply(200, [("Content-Type", "application/json")], b"{nope")
    with pytest.raises(ServiceProtocolError, match="status"):
        reply(600, [], b"")


# -- errors -----------------------------------------------------------------------------


def test_the_apps_problem_bodies_pass_through_in_json_and_are_transcoded_otherwise() -> None:
    problem = {"type": "about:blank", "title": "Bad Request", "status": 400, "errors": []}
    body = json.encode(problem)
    headers = [("Content-Type", "application/problem+json")]
    answer = service_reply(service_request(JSON), 400, headers, body, default_registry)
    assert answer.body is body
    assert reply(400, headers, body) == (400, {}, problem)


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        ([], b"", {}),
        ([("Content-Type", "text/plain; charset=utf-8")], b"404 Not Found\n", {}),
        (
            [("Content-Type", "text/plain")],
            b"404 Not Found\nno such todo\n",
            {"detail": "no such todo"},
        ),
        ([("Content-Type", "text/html")], b"<p>gone</p>", {"detail": "<p>gone</p>"}),
        ([("Content-Type", "application/json")], b'{"status_code":404}', {"status_code": 404}),
        ([("Content-Type", "application/json")], b"{broken", {"detail": "{broken"}),
        ([("Content-Type", "application/octet-stream")], b"\x00\x01", {"body": b"\x00\x01"}),
    ],
)
def test_every_error_carries_a_problem_map(
    headers: list[tuple[str, str]], body: bytes, expected: dict[str, Any]
) -> None:
    problem = {"type": "about:blank", "title": "Not Found", "status": 404, **expected}
    assert reply(404, headers, body) == (404, {}, problem)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=12,
    )
)
def test_a_json_reply_reaches_a_msgpack_client_unchanged(value: Any) -> None:
    assert reply(200, [("Content-Type", "application/json")], json.encode(value))[2] == value


def test_a_handlers_error_map_cannot_change_the_status_or_break_type_and_title() -> None:
    body = json.encode({"status": 200, "title": 7, "type": "https://example.com/gone", "x": 1})
    problem = {"type": "https://example.com/gone", "title": "Gone", "status": 410, "x": 1}
    assert reply(410, [("Content-Type", "application/json")], body) == (410, {}, problem)


# -- the frames at once -------------------------------------------------------------------


def frames_or_error(function: Any, *args: Any) -> Any:
    try:
        return function(*args)
    except (ServiceProtocolError, DecodeError) as exc:
        return type(exc), str(exc)


MEDIA_TYPES = st.sampled_from(
    [
        "application/msgpack",
        "application/x-msgpack",
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "image/png",
        "APPLICATION/MSGPACK",
    ]
)
HEADER_NAMES = st.sampled_from(["Content-Type", "content-type", "X-Trace", "Set-Cookie"])


@given(
    codec=st.sampled_from([JSON, MSGPACK, TNET]),
    status=st.sampled_from([100, 200, 201, 204, 302, 399, 400, 404, 500, 599]),
    headers=st.lists(st.tuples(HEADER_NAMES, MEDIA_TYPES), max_size=2),
    value=st.none() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=5),
    request_id=st.sampled_from([b"id-1", b""]),
)
def test_reply_frames_are_the_two_steps(
    codec: Any, status: int, headers: list[tuple[str, str]], value: Any, request_id: bytes
) -> None:
    body = b"" if value is None else codec.encode(value)
    request = ServiceRequest(codec, request_id, "POST", "/x", {}, codec.encode(1))

    def two_steps() -> list[bytes]:
        return format_reply(service_reply(request, status, headers, body, default_registry))

    expected = frames_or_error(two_steps)
    got = frames_or_error(service_reply_frames, request, status, headers, body, default_registry)
    assert got == expected


def test_reply_frames_of_the_common_reply() -> None:
    request = service_request()
    body = MSGPACK.encode({"n": 2})
    frames = service_reply_frames(
        request, 201, [("Content-Type", "application/msgpack")], body, default_registry
    )
    assert frames == [b"BRB1", b"msgpack", b"id-1", b"201", b"", body]
