"""brubeck.protocol.mongrel2, against the real Mongrel2 1.12 captures."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brubeck.codecs import json, tnetstring
from brubeck.errors import ProtocolError
from brubeck.protocol import mongrel2
from brubeck.protocol.mongrel2 import MessageKind
from tests.helpers import MONGREL2_CAPTURES

SENDER = "54c6755b-9628-40a4-9a2d-cc82a816345e"
CAPTURES = {path.name: path for path in MONGREL2_CAPTURES}


def capture(name: str, protocol: str) -> mongrel2.Message:
    return mongrel2.parse(CAPTURES[f"{name}.{protocol}.bin"].read_bytes())


PROTOCOLS = pytest.mark.parametrize("protocol", ["json", "tnet"])

# name: (kind, METHOD, path) from tests/data/mongrel2/index.md
EXPECTED = {
    "get_query": (MessageKind.HTTP, "GET", "/get/caf%C3%A9"),
    "repeated_headers": (MessageKind.HTTP, "GET", "/headers"),
    "post_form": (MessageKind.HTTP, "POST", "/form"),
    "multipart": (MessageKind.HTTP, "POST", "/upload"),
    "json_post": (MessageKind.HTTP, "POST", "/api/todo"),
    "disconnect_request": (MessageKind.HTTP, "GET", "/disconnect"),
    "disconnect": (MessageKind.DISCONNECT, "JSON", "@*"),
    "http10": (MessageKind.HTTP, "GET", "/old"),
    "connection_close": (MessageKind.HTTP, "GET", "/close"),
    "expect_continue": (MessageKind.HTTP, "POST", "/continue"),
    "websocket_handshake": (MessageKind.WEBSOCKET_HANDSHAKE, "WEBSOCKET_HANDSHAKE", "/ws"),
    "websocket_frame": (MessageKind.WEBSOCKET, "WEBSOCKET", "/ws"),
    "websocket_close": (MessageKind.WEBSOCKET, "WEBSOCKET", "/ws"),
    "upload_start": (MessageKind.UPLOAD_START, "POST", "/bigupload"),
    "upload_done": (MessageKind.UPLOAD_DONE, "POST", "/bigupload"),
    "weird_header": (MessageKind.HTTP, "GET", "/weird"),
}


@PROTOCOLS
@pytest.mark.parametrize("name", EXPECTED)
def test_every_capture_parses_to_its_kind(name: str, protocol: str) -> None:
    message = capture(name, protocol)
    assert (message.kind, message.method, message.path) == EXPECTED[name]
    assert message.sender == SENDER


@pytest.mark.parametrize("name", EXPECTED)
def test_json_and_tnetstring_captures_carry_the_same_message(name: str) -> None:
    from_json, from_tnet = capture(name, "json"), capture(name, "tnet")
    assert (from_json.kind, from_json.path, from_json.body) == (
        from_tnet.kind,
        from_tnet.path,
        from_tnet.body,
    )
    if not name.startswith("upload"):  # each upload capture made its own temp file
        assert from_json.headers == from_tnet.headers


@PROTOCOLS
def test_get_query_fields(protocol: str) -> None:
    message = capture("get_query", protocol)
    assert message.conn_id == "3"
    headers = message.headers
    assert headers["QUERY"] == "name=brubeck&a=1&a=2&empty=&sp=hello%20world&plus=a+b"
    assert (headers["PATTERN"], headers["URL_SCHEME"], headers["REMOTE_ADDR"]) == (
        "/",
        "http",
        "127.0.0.1",
    )
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert message.body == b""


@PROTOCOLS
def test_repeated_headers_are_lists(protocol: str) -> None:
    headers = capture("repeated_headers", protocol).headers
    assert headers["cookie"] == ["a=1", "b=2"]
    assert headers["x-foo"] == ["one", "two"]


@PROTOCOLS
def test_bodies_arrive_whole(protocol: str) -> None:
    assert capture("post_form", protocol).body == b"name=brubeck&x=1&x=2&blank=&msg=take+five%21"
    multipart = capture("multipart", protocol).body
    assert len(multipart) == 1519
    assert bytes(range(256)) * 4 in multipart
    assert json.decode(capture("json_post", protocol).body)["tags"] == ["scifi", "café"]
    assert capture("expect_continue", protocol).body == b"payload=" + b"x" * 2000


@PROTOCOLS
def test_disconnect_follows_its_request_on_the_same_connection(protocol: str) -> None:
    request, disconnect = capture("disconnect_request", protocol), capture("disconnect", protocol)
    assert disconnect.conn_id == request.conn_id
    assert disconnect.headers == {"METHOD": "JSON"}
    assert disconnect.body == b'{"type":"disconnect"}'


@PROTOCOLS
def test_http10_connection_close_and_websockets(protocol: str) -> None:
    http10 = capture("http10", protocol)
    assert http10.headers["VERSION"] == "HTTP/1.0"
    assert "host" not in http10.headers
    assert capture("connection_close", protocol).headers["connection"] == "close"
    assert capture("websocket_handshake", protocol).body == b"zi4ZejrichDyOv/0xS5c/4xRC08="
    frame = capture("websocket_frame", protocol)
    assert (frame.headers["FLAGS"], frame.body) == ("0x81", b"hello websocket")
    close = capture("websocket_close", protocol)
    assert (close.headers["FLAGS"], close.body) == ("0x88", b"\x03\xe8bye")


@PROTOCOLS
def test_uploads(protocol: str) -> None:
    start, done = capture("upload_start", protocol), capture("upload_done", protocol)
    assert start.headers["x-mongrel2-upload-start"].startswith("/tmp/mongrel2.upload.")
    assert done.headers["x-mongrel2-upload-done"] == done.headers["x-mongrel2-upload-start"]
    assert (start.body, done.body, start.conn_id) == (b"", b"", done.conn_id)


@PROTOCOLS
def test_weird_header_values_survive(protocol: str) -> None:
    headers = capture("weird_header", protocol).headers
    assert headers["x-quote"] == 'say "hi" \\o/'
    assert headers["x-tab"] == "a\tb"
    assert headers["x-latin1"] == "caf\udce9"  # the raw byte 0xe9, recoverable


# -- other kinds (no capture) ----------------------------------------------------------


def message(
    headers: dict[str, Any], body: bytes = b"", path: str = "/", json_headers: bool = True
) -> bytes:
    encoded = json.encode(headers) if json_headers else b""
    header_part = (
        b"%d:%s," % (len(encoded), encoded) if json_headers else tnetstring.encode(headers)
    )
    return b"%s 1 %s %s%d:%s," % (SENDER.encode(), path.encode(), header_part, len(body), body)


@pytest.mark.parametrize(
    ("headers", "body", "path", "kind"),
    [
        (
            {"METHOD": "JSON", "DOWNLOAD_CREDITS": "4096"},
            b'{"type":"credits"}',
            "@*",
            MessageKind.CREDITS,
        ),
        ({"METHOD": "JSON"}, b'{"hello":1}', "@chat", MessageKind.JSON_SOCKET),
        ({"METHOD": "XML"}, b"<x/>", "<x", MessageKind.XML_SOCKET),
        ({"UPLOAD_STREAM": "4096"}, b"chunk", "/", MessageKind.UPLOAD_STREAM),
        (
            {"METHOD": "POST", "UPLOAD_STREAM": "0", "PATH": "/up"},
            b"",
            "/up",
            MessageKind.UPLOAD_STREAM,
        ),
        ({"METHOD": "PATCH"}, b"", "/", MessageKind.HTTP),
    ],
)
@pytest.mark.parametrize("json_headers", [True, False])
def test_other_message_kinds(
    headers: dict[str, Any], body: bytes, path: str, kind: MessageKind, json_headers: bool
) -> None:
    assert mongrel2.parse(message(headers, body, path, json_headers)).kind is kind


BAD = [
    b"",
    b"sender 1 /",
    b"sender x / 2:{},0:,",  # the connection id is not a number
    b"sender 1 / 2:{}",  # no body
    b"sender 1 / 2:{},0:,x",  # trailing bytes
    b"sender 1 / 9:{},0:,",  # length beyond the data
    b"sender 1 / 2:[],0:,",  # headers not a dict
    b"sender 1 / 4:null,0:,",
    b"sender 1 / 2:{},0:,",  # no METHOD
    b'sender 1 / 12:{"METHOD":1},0:,',  # METHOD not text
    b'sender 1 / 16:{"METHOD":"GET"},0:]',  # body not a netstring
    b'sender 1 / 16:{"METHOD":"GET",0:,',  # truncated JSON
    b'sender 1 @* 17:{"METHOD":"JSON"},6:{"x":,',  # unknown control message
    b"sender 1 / 14:6:METHOD,1:1#}0:,",  # tnetstring METHOD not text
]


@pytest.mark.parametrize("data", BAD)
def test_malformed_messages_are_protocol_errors(data: bytes) -> None:
    with pytest.raises(ProtocolError) as caught:
        mongrel2.parse(data)
    assert caught.value.reason


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b"sender 1 / 9:{},0:,", b"9:{}"),  # the headers' netstring
        (b'sender 1 / 16:{"METHOD":"GET"},5:ab,', b"5:ab"),  # the body's: past the end
        (b'sender 1 / 16:{"METHOD":"GET"},x:,', b"x:,"),  # the body's: no length
    ],
)
def test_netstring_errors_point_at_the_bad_netstring(data: bytes, where: bytes) -> None:
    with pytest.raises(ProtocolError) as caught:
        mongrel2.parse(data)
    assert caught.value.offset == data.rindex(where)


@settings(max_examples=1500)
@given(
    st.sampled_from(sorted(CAPTURES)),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=4),
)
def test_mutated_captures_only_raise_protocol_errors(
    name: str, edits: list[tuple[int, int]]
) -> None:
    try:
        mongrel2.parse(_mutated(name, edits))
    except ProtocolError:
        pass


def _mutated(name: str, edits: list[tuple[int, int]]) -> bytes:
    """A capture with some bytes overwritten (positions wrap around)."""
    data = bytearray(CAPTURES[name].read_bytes())
    for position, byte in edits:
        data[position % len(data)] = byte
    return bytes(data)


def _general(rest: bytes) -> Any:
    try:
        return mongrel2._headers_and_body(rest, 0)
    except ProtocolError as exc:
        return exc.reason


@settings(max_examples=1500)
@given(
    st.sampled_from(sorted(name for name in CAPTURES if ".tnet" in name)),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=3),
)
def test_the_quick_headers_path_answers_as_the_general_one(
    name: str, edits: list[tuple[int, int]]
) -> None:
    parts = _mutated(name, edits).split(b" ", 3)
    if len(parts) < 4:
        return
    quick = mongrel2._quick_headers(parts[3])
    if quick is not None:  # None: the general path decides
        assert quick == _general(parts[3])


def test_the_quick_headers_path_takes_the_usual_message() -> None:
    rest = CAPTURES["json_post.tnet.bin"].read_bytes().split(b" ", 3)[3]
    assert mongrel2._quick_headers(rest) == _general(rest)
    for odd in (rest + b"x", b"4:\xff\xfe\xfd\xfc," + rest):  # trailing bytes; not a dict
        assert mongrel2._quick_headers(odd) is None


header_values = st.text(st.characters(blacklist_categories=["Cs"]), max_size=8)


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=6),
        header_values | st.lists(header_values, min_size=2, max_size=3),
        max_size=4,
    ),
    st.binary(max_size=40),
    st.booleans(),
)
def test_built_messages_round_trip(extra: dict[str, Any], body: bytes, json_headers: bool) -> None:
    headers = {**extra, "METHOD": "GET"}
    parsed = mongrel2.parse(message(headers, body, "/p", json_headers))
    assert (parsed.headers, parsed.body, parsed.path) == (headers, body, "/p")


# -- replies -----------------------------------------------------------------------------


def test_reply_format() -> None:
    assert mongrel2.format_reply(SENDER, [3], b"HTTP/1.1 200 OK\r\n\r\n") == (
        SENDER.encode() + b" 1:3, HTTP/1.1 200 OK\r\n\r\n"
    )
    assert mongrel2.format_reply("s", [1, "22", 333], b"x") == b"s 8:1 22 333, x"
    assert mongrel2.format_close("s", [7]) == b"s 1:7, "


def test_bulk_replies_are_split_at_128_ids() -> None:
    replies = mongrel2.format_replies("s", list(range(300)), b"x")
    assert len(replies) == 3
    counts = [len(reply.split(b":", 1)[1].split(b",", 1)[0].split()) for reply in replies]
    assert counts == [128, 128, 44]
    with pytest.raises(ProtocolError):
        mongrel2.format_reply("s", list(range(129)), b"x")


@pytest.mark.parametrize(
    ("sender", "ids"), [("s", []), ("s", ["x"]), ("s", [-1]), ("", [1]), ("a b", [1]), ("s", ["١"])]
)
def test_bad_replies_are_refused(sender: str, ids: list[Any]) -> None:
    with pytest.raises(ProtocolError):
        mongrel2.format_reply(sender, ids, b"x")


def test_extended_replies() -> None:
    assert mongrel2.keep_alive("s", [1, 2]) == b"s 5:X 1 2, 31:3:ctl,21:10:keep-alive,4:true!}]"
    assert mongrel2.credits("s", [1], 4096) == b"s 3:X 1, 27:3:ctl,17:7:credits,4:4096#}]"
    assert mongrel2.cancel("s", [1]) == b"s 3:X 1, 26:3:ctl,16:6:cancel,4:true!}]"
    assert mongrel2.sendfile("s", [1], "/srv/a.txt") == b"s 3:X 1, 25:8:sendfile,10:/srv/a.txt,]"
    assert tnetstring.decode(mongrel2.credits("s", [1], 10).split(b", ", 1)[1], text=True) == [
        "ctl",
        {"credits": 10},
    ]


# -- the server's side --------------------------------------------------------------------


@PROTOCOLS
def test_format_request_rebuilds_the_captures(protocol: str) -> None:
    original = capture("post_form", protocol)
    rebuilt = mongrel2.format_request(
        original.sender,
        original.conn_id,
        original.path,
        original.headers,
        original.body,
        "json" if protocol == "json" else "tnetstring",
    )
    assert mongrel2.parse(rebuilt) == original


@pytest.mark.parametrize(
    ("conn_id", "path", "protocol"),
    [("x", "/p", "json"), (1, "", "json"), (1, "/a b", "json"), (1, "/p", "xml")],
)
def test_format_request_refuses_what_would_not_survive(
    conn_id: Any, path: str, protocol: str
) -> None:
    with pytest.raises(ProtocolError):
        mongrel2.format_request("s", conn_id, path, {"METHOD": "GET"}, b"", protocol)


def test_parse_reply_splits_replies() -> None:
    assert mongrel2.parse_reply(mongrel2.format_reply("s", [1, 22], b"body")) == (
        "s",
        ["1", "22"],
        b"body",
    )
    assert mongrel2.parse_reply(mongrel2.format_close("s", [7])) == ("s", ["7"], b"")
    assert mongrel2.parse_reply(mongrel2.keep_alive("s", [3]))[1] == ["X", "3"]
    for bad in [b"s", b"s 3:1 2", b"s x:1, b", b"s 5:1, b", b" 1:1, b"]:
        with pytest.raises(ProtocolError):
            mongrel2.parse_reply(bad)


def test_reply_to_answers_the_connection_that_asked() -> None:
    message = capture("get_query", "tnet")
    assert mongrel2.reply_to(message, b"hi") == mongrel2.format_reply(
        message.sender, [message.conn_id], b"hi"
    )
    bad_ids: list[Any] = ["1 2", "", "\u0661\u0662", "\udcff", "12a", 12, b"12", None]
    bad_senders = ["", "a b", "\u2603"]
    for bad in [message._replace(conn_id=conn) for conn in bad_ids] + [
        message._replace(sender=sender) for sender in bad_senders
    ]:
        with pytest.raises(ProtocolError):
            mongrel2.reply_to(bad, b"hi")
    # A sender answered before is remembered, a bad one never is.
    for _ in range(2):
        assert mongrel2.reply_to(message, b"") == mongrel2.format_close(
            message.sender, [message.conn_id]
        )
        with pytest.raises(ProtocolError):
            mongrel2.reply_to(message._replace(sender="a b"), b"hi")
