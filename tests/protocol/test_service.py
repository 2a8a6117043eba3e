"""brubeck.protocol.service, against every rule and example of docs/protocol.md.

The examples are read from the page itself (its Python blocks hold literals
only, and the hex in their comments is checked against the literals), so the
page and the code cannot drift apart.
"""

from __future__ import annotations

import ast
import dataclasses
import io
import re
import tokenize
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brubeck.codecs import Codec, Registry, default_registry, json, msgpack, tnetstring
from brubeck.errors import DecodeError, ProtocolError, ShieldDocException
from brubeck.models import Document
from brubeck.models.fields import StringField
from brubeck.protocol import service
from brubeck.protocol.service import (
    ServiceProtocolError,
    ServiceReply,
    ServiceRequest,
    format_event,
    format_reply,
    format_request,
    parse_event,
    parse_reply,
    parse_request,
    parse_routed,
    reply_to,
    reply_to_error,
    split_envelope,
)

PAGE = Path(__file__).parents[2] / "docs" / "protocol.md"
BLOCKS = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.DOTALL)
CODECS = {codec.name: codec for codec in (json.CODEC, msgpack.CODEC, tnetstring.CODEC)}
_HEX = re.compile(r"#\s+((?:[0-9a-f]{2} )*[0-9a-f]{2})(?:\s\s|$)")


def _literals() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for block in BLOCKS:
        for node in ast.parse(block).body:
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                try:
                    found[node.targets[0].id] = ast.literal_eval(node.value)
                except ValueError:  # code, not a literal
                    pass
    return found


def _annotations() -> list[tuple[bytes, bytes, str]]:
    """(literal, bytes its comment gives, line) for every commented bytes literal."""
    found = []
    for block in BLOCKS:
        tokens = list(tokenize.generate_tokens(io.StringIO(block).readline))
        for token in tokens:
            if token.type != tokenize.COMMENT:
                continue
            line = [t for t in tokens if t.type == tokenize.STRING and t.start[0] == token.start[0]]
            if len(line) != 1:
                continue
            literal = ast.literal_eval(line[0].string)
            match = _HEX.match(token.string)
            if match:
                found.append((literal, bytes.fromhex(match.group(1)), token.line))
            elif token.string.startswith("# (empty)"):
                found.append((literal, b"", token.line))
    return found


EXAMPLES = _literals()
ANNOTATIONS = _annotations()


def ex(name: str) -> list[bytes]:
    frames = EXAMPLES[name]
    assert isinstance(frames, list)
    return frames


def refused(frames: list[bytes], **options: Any) -> ServiceProtocolError:
    with pytest.raises(ServiceProtocolError) as caught:
        parse_request(frames, **options)
    assert isinstance(caught.value, ProtocolError) and caught.value.reason
    return caught.value


def request_frames(**frames: bytes) -> list[bytes]:
    """A valid JSON request, with some frames replaced."""
    base = {
        "version": b"BRB1",
        "codec": b"json",
        "request_id": b"r1",
        "verb": b"POST",
        "path": b"/x",
        "headers": b"",
        "body": b"",
    }
    base.update(frames)
    return list(base.values())


# -- the page's examples ---------------------------------------------------------------


def test_the_page_has_its_examples() -> None:
    names = {name for name in EXAMPLES if name.endswith(("_request", "_reply"))}
    assert len(names) >= 17 and "event" in EXAMPLES
    assert len(ANNOTATIONS) >= 100


@pytest.mark.parametrize(("literal", "hex_bytes", "line"), ANNOTATIONS)
def test_hex_in_the_page_matches_its_literals(literal: bytes, hex_bytes: bytes, line: str) -> None:
    assert literal == hex_bytes, line


VALID_REQUESTS = ["echo_request", "todo_request", "tnet_request", "one_way_request"]
VALID_REPLIES = [name for name in EXAMPLES if name.endswith("_reply") and "router" not in name]


@pytest.mark.parametrize("name", VALID_REQUESTS)
def test_example_requests_round_trip_byte_for_byte(name: str) -> None:
    assert format_request(parse_request(ex(name))) == ex(name)


@pytest.mark.parametrize("name", VALID_REPLIES)
def test_example_replies_round_trip_byte_for_byte(name: str) -> None:
    assert format_reply(parse_reply(ex(name))) == ex(name)


def test_echo_example() -> None:
    request = parse_request(ex("echo_request"))
    assert (request.codec, request.request_id, request.verb, request.path) == (
        msgpack.CODEC,
        b"\x00\x00\x00\x01",
        "POST",
        "/echo",
    )
    assert request.headers == {} and request.decode_body() == {"text": "x"}
    reply = reply_to(request, 200, msgpack.encode({"text": "x"}))
    assert format_reply(reply) == ex("echo_reply")
    assert parse_reply(ex("echo_reply")).decode_body() == {"text": "x"}


def test_todo_example_with_headers_and_no_body() -> None:
    request = parse_request(ex("todo_request"))
    assert request.headers == {"x-trace": "abc"}
    assert request.body == b"" and request.decode_body() is None
    body = json.encode({"id": 1, "title": "take five"})
    assert format_reply(reply_to(request, 200, body, request.headers)) == ex("todo_reply")


def test_tnetstring_example() -> None:
    request = parse_request(ex("tnet_request"))
    assert request.headers == {"x-user": "ann"}  # tnetstring byte strings become text
    assert request.decode_body() == {b"n": 5}
    assert format_reply(reply_to(request, 204)) == ex("tnet_reply")
    assert parse_reply(ex("tnet_reply")).decode_body() is None


def test_one_way_example() -> None:
    request = parse_request(ex("one_way_request"))
    assert request.one_way and request.decode_body() == {"image": 42}
    with pytest.raises(ServiceProtocolError):
        reply_to(request)


def test_event_example() -> None:
    topic, request = parse_event(ex("event"))
    assert (topic, request.path, request.decode_body()) == (
        b"todos.created",
        "/todos/created",
        {"id": 1},
    )
    assert format_event(topic, request) == ex("event")


@pytest.mark.parametrize(
    ("name", "frame", "status"),
    [
        ("unknown_codec", "codec", 415),
        ("unknown_version", "version", 505),
        ("bad_verb", "verb", 400),
    ],
)
def test_refused_examples_get_their_replies(name: str, frame: str, status: int) -> None:
    error = refused(ex(f"{name}_request"))
    assert (error.frame, error.status_hint, error.answerable) == (frame, status, True)
    answer = reply_to_error(error)
    assert answer is not None and format_reply(answer) == ex(f"{name}_reply")


def test_app_error_examples() -> None:
    assert format_reply(service.error_reply(b"req-11", 404)) == ex("not_found_reply")

    class Todo(Document):
        title = StringField(required=True)

    with pytest.raises(ShieldDocException) as caught:
        Todo.from_primitive({})
    reply = service.error_reply(b"req-12", 400, "Invalid Todo", caught.value.to_primitive())
    assert format_reply(reply) == ex("invalid_body_reply")


@pytest.mark.parametrize(
    ("name", "envelope"),
    [("router_request", [b"\x00k\x8bEg"]), ("req_router_request", [b"\x00k\x8bEh", b""])],
)
def test_envelope_examples(name: str, envelope: list[bytes]) -> None:
    got, frames = split_envelope(ex(name))
    assert (list(got), list(frames)) == (envelope, ex("echo_request"))
    reply = reply_to(parse_request(frames), 200, parse_request(frames).body)
    if name == "router_request":
        assert [*got, *format_reply(reply)] == ex("router_reply")


@pytest.mark.parametrize("name", CODECS)
def test_header_examples_in_each_codec(name: str) -> None:
    request = parse_request(
        request_frames(codec=name.encode(), headers=EXAMPLES[f"headers_{name}"])
    )
    assert request.headers == {"x-user": "ann"}
    assert format_request(request)[5] == EXAMPLES[f"headers_{name}"]


# -- the rules, frame by frame ----------------------------------------------------------


@pytest.mark.parametrize(
    "frames",
    [[], request_frames()[:6], [*request_frames(), b""], [b"BRB1"] * 3],
)
def test_a_wrong_frame_count_is_dropped(frames: list[bytes]) -> None:
    error = refused(frames)
    assert (error.frame, error.request_id, error.answerable) == ("message", None, False)
    assert reply_to_error(error) is None


def test_request_ids() -> None:
    assert parse_request(request_frames(request_id=b"\xff" * 255)).request_id == b"\xff" * 255
    assert parse_request(request_frames(request_id=b"")).one_way
    error = refused(request_frames(request_id=b"x" * 256, version=b"BRB9"))
    assert (error.frame, error.request_id, reply_to_error(error)) == ("request_id", None, None)


@pytest.mark.parametrize("version", [b"BRB2", b"", b"brb1", b"BRB1 ", b"BRB"])
def test_unknown_versions_get_505_in_json(version: bytes) -> None:
    error = refused(request_frames(version=version, codec=b"msgpack"))
    assert (error.status_hint, error.codec, error.request_id) == (505, None, b"r1")
    answer = reply_to_error(error)
    assert answer is not None and answer.codec is service.FALLBACK_CODEC
    assert answer.decode_body()["supported"] == ["BRB1"]


def test_a_one_way_request_with_an_error_gets_no_reply() -> None:
    error = refused(request_frames(version=b"BRB2", request_id=b""))
    assert (error.request_id, error.answerable, reply_to_error(error)) == (b"", False, None)


@pytest.mark.parametrize(
    "codec", [b"yaml", b"JSON", b" json", b"application/json", b"", b"j" * 33, b"\xffjson"]
)
def test_unknown_codecs_get_415_in_json(codec: bytes) -> None:
    error = refused(request_frames(codec=codec))
    assert (error.frame, error.status_hint, error.codec) == ("codec", 415, None)
    answer = reply_to_error(error)
    assert answer is not None and answer.codec is json.CODEC and answer.status == 415
    assert answer.decode_body()["supported"] == ["json", "msgpack", "tnetstring"]


def test_the_registry_decides_which_codecs_a_server_speaks() -> None:
    only_json = Registry([json.CODEC])
    error = refused(request_frames(codec=b"msgpack"), registry=only_json)
    answer = reply_to_error(error, only_json)
    assert answer is not None and answer.decode_body()["supported"] == ["json"]
    custom = Codec("x-json", ("application/x-test",), json.encode, json.decode)
    registry = Registry([custom])
    frames = request_frames(codec=b"x-json", headers=b'{"a":"b"}')
    request = parse_request(frames, registry=registry)
    assert request.codec is custom and format_request(request) == frames


def test_messages_above_the_size_limit_get_413_in_their_codec() -> None:
    frames = request_frames(codec=b"msgpack", body=msgpack.encode("x" * 100))
    size = sum(map(len, frames))
    assert parse_request(frames, max_size=size).body == frames[6]
    error = refused(frames, max_size=size - 1)
    assert (error.frame, error.status_hint, error.codec, error.value) == (
        "message",
        413,
        msgpack.CODEC,
        size,
    )
    answer = reply_to_error(error)
    assert answer is not None and answer.codec is msgpack.CODEC
    assert answer.decode_body()["errors"] == [
        {"path": "message", "reason": error.reason, "value": size}
    ]
    assert service.MAX_MESSAGE_SIZE == 16 * 1024 * 1024
    assert service.MAX_FRAME_SIZE == 32 * 1024 * 1024  # the page's ZMQ_MAXMSGSIZE


@pytest.mark.parametrize("verb", [b"GET", b"A" * 32, b"X-CUSTOM_1", b"Z9"])
def test_good_verbs(verb: bytes) -> None:
    assert parse_request(request_frames(verb=verb)).verb == verb.decode()


@pytest.mark.parametrize(
    "verb", [b"", b"get", b"Get", b"G ET", b"1GET", b"-X", b"A" * 33, b"\xc3\x89T", b"\xff"]
)
def test_bad_verbs_get_400(verb: bytes) -> None:
    error = refused(request_frames(verb=verb))
    assert (error.frame, error.status_hint, error.request_id) == ("verb", 400, b"r1")


@pytest.mark.parametrize(
    "path", [b"/", b"/" + b"a" * 4095, "/café/ß".encode(), b"/a b?c=%20&d", b"/\xc2\x80"]
)
def test_good_paths(path: bytes) -> None:
    assert parse_request(request_frames(path=path)).path == path.decode()


@pytest.mark.parametrize(
    "path",
    [
        b"",
        b"echo",
        b"/a\x00",
        b"/a\nb",
        b"/\x7f",
        b"/\x1f",
        b"/\xff",
        b"/\xed\xa0\x80",
        b"/" * 4097,
    ],
)
def test_bad_paths_get_400(path: bytes) -> None:
    error = refused(request_frames(path=path))
    assert (error.frame, error.status_hint, error.answerable) == ("path", 400, True)


def test_non_ascii_path_length_counts_bytes() -> None:
    path = "/" + "é" * 2047  # 4095 bytes
    assert parse_request(request_frames(path=path.encode())).path == path
    assert refused(request_frames(path=(path + "é").encode())).frame == "path"


@pytest.mark.parametrize(
    ("codec", "headers", "expected"),
    [
        (json, b"", {}),
        (json, b"{}", {}),
        (json, b'{"a":"","b":"\\u00e9"}', {"a": "", "b": "é"}),
        (msgpack, b"\x81\xc4\x01a\xc4\x01b", {"a": "b"}),  # bin holding UTF-8
        (tnetstring, b"0:}", {}),
        (tnetstring, tnetstring.encode({"é": "ß"}), {"é": "ß"}),
    ],
)
def test_good_headers(codec: Any, headers: bytes, expected: dict[str, str]) -> None:
    frames = request_frames(codec=codec.NAME.encode(), headers=headers)
    assert parse_request(frames).headers == expected


@pytest.mark.parametrize(
    ("codec", "headers"),
    [
        (json, b"{"),  # does not decode
        (json, b"[]"),  # not a map
        (json, b'"a"'),
        (json, b'{"a":1}'),  # a value that is not text
        (json, b'{"a":null}'),
        (json, b'{"":"x"}'),  # an empty name
        (msgpack, msgpack.encode({1: "a"})),
        (msgpack, b"\x81\xa1a\xc4\x01\xff"),  # bin that is not UTF-8
        (tnetstring, b"4:1:a,}"),  # a name without a value
        (tnetstring, tnetstring.encode({b"a": [b"b"]})),
        (tnetstring, tnetstring.encode({b"\xff": b"b"})),
    ],
)
def test_bad_headers_get_400(codec: Any, headers: bytes) -> None:
    error = refused(request_frames(codec=codec.NAME.encode(), headers=headers))
    assert (error.frame, error.status_hint, error.codec) == ("headers", 400, codec.CODEC)


def test_oversized_headers_get_431() -> None:
    limit = service.MAX_HEADERS_SIZE
    fits = json.encode({"a": "x" * (limit - 8)})
    assert len(fits) == limit and parse_request(request_frames(headers=fits)).headers
    error = refused(request_frames(headers=json.encode({"a": "x" * (limit - 7)})))
    assert (error.frame, error.status_hint) == ("headers", 431)
    request = ServiceRequest(json.CODEC, b"r", "GET", "/", {"a": "x" * limit})
    with pytest.raises(ServiceProtocolError) as caught:
        format_request(request)
    assert caught.value.status_hint == 431


def test_the_body_is_kept_as_it_came() -> None:
    frames = request_frames(body=b"not json at all")
    request = parse_request(frames)
    assert request.body is frames[6]  # no copy, and not decoded until asked
    with pytest.raises(DecodeError):
        request.decode_body()


def test_json_null_is_a_body_and_the_empty_frame_is_none() -> None:
    assert parse_request(request_frames(body=b"null")).body == b"null"
    assert parse_request(request_frames(body=b"")).decode_body() is None


# -- replies ----------------------------------------------------------------------------


def reply_frames(**frames: bytes) -> list[bytes]:
    base = {
        "version": b"BRB1",
        "codec": b"json",
        "request_id": b"r1",
        "status": b"200",
        "headers": b"",
        "body": b"",
    }
    base.update(frames)
    return list(base.values())


@pytest.mark.parametrize("status", [b"100", b"200", b"599"])
def test_good_statuses(status: bytes) -> None:
    assert parse_reply(reply_frames(status=status)).status == int(status)


@pytest.mark.parametrize(
    "status", [b"", b"20", b"2000", b"abc", b"099", b"600", b" 20", b"\xd9\xa0\xd9"]
)
def test_bad_statuses(status: bytes) -> None:
    with pytest.raises(ServiceProtocolError) as caught:
        parse_reply(reply_frames(status=status))
    assert (caught.value.frame, caught.value.request_id) == ("status", b"r1")


@pytest.mark.parametrize(
    ("frames", "frame", "request_id"),
    [
        (reply_frames()[:5], "message", None),
        (reply_frames(request_id=b""), "request_id", None),
        (reply_frames(request_id=b"x" * 256), "request_id", None),
        (reply_frames(version=b"BRB2"), "version", b"r1"),
        (reply_frames(codec=b"yaml"), "codec", b"r1"),
        (reply_frames(headers=b"[]"), "headers", b"r1"),
    ],
)
def test_bad_replies_name_the_call_when_they_can(
    frames: list[bytes], frame: str, request_id: bytes | None
) -> None:
    with pytest.raises(ServiceProtocolError) as caught:
        parse_reply(frames)
    assert (caught.value.frame, caught.value.request_id) == (frame, request_id)


def test_reply_size_limit() -> None:
    frames = reply_frames(body=b'"' + b"x" * 50 + b'"')
    with pytest.raises(ServiceProtocolError) as caught:
        parse_reply(frames, max_size=sum(map(len, frames)) - 1)
    assert caught.value.frame == "message"


def test_ok() -> None:
    assert parse_reply(reply_frames(status=b"204")).ok
    assert not parse_reply(reply_frames(status=b"301")).ok


# -- the value objects ------------------------------------------------------------------


def test_values_are_frozen_and_slotted() -> None:
    request = parse_request(ex("echo_request"))
    reply = parse_reply(ex("echo_reply"))
    for value in (request, reply):
        assert not hasattr(value, "__dict__")
        with pytest.raises(dataclasses.FrozenInstanceError):
            value.body = b""  # type: ignore[misc]
    assert "'msgpack'" in repr(request) and "<8 bytes>" in repr(reply)


@pytest.mark.parametrize(
    ("fields", "frame"),
    [
        ({"request_id": "r1"}, "request_id"),
        ({"request_id": b"x" * 256}, "request_id"),
        ({"codec": "json"}, "codec"),
        ({"codec": Codec("two words", (), json.encode, json.decode)}, "codec"),
        ({"verb": "get"}, "verb"),
        ({"verb": ["GET"]}, "verb"),
        ({"verb": "A" * 33}, "verb"),
        ({"path": "x"}, "path"),
        ({"path": None}, "path"),
        ({"path": "/\udcff"}, "path"),
        ({"path": "/é\x00"}, "path"),
        ({"path": "/" + "é" * 2048}, "path"),
        ({"headers": [("a", "b")]}, "headers"),
        ({"headers": {"a": 1}}, "headers"),
        ({"headers": {"": "a"}}, "headers"),
        ({"body": "text"}, "body"),
        ({"body": None}, "body"),
    ],
)
def test_requests_check_themselves(fields: dict[str, Any], frame: str) -> None:
    values: dict[str, Any] = {
        "codec": json.CODEC,
        "request_id": b"r1",
        "verb": "GET",
        "path": "/",
    }
    values.update(fields)
    with pytest.raises(ServiceProtocolError) as caught:
        ServiceRequest(**values)
    assert caught.value.frame == frame


@pytest.mark.parametrize(
    ("fields", "frame"),
    [
        ({"request_id": b""}, "request_id"),
        ({"status": 99}, "status"),
        ({"status": 600}, "status"),
        ({"status": "200"}, "status"),
        ({"status": True}, "status"),
        ({"headers": {"a": b"b"}}, "headers"),
        ({"body": bytearray(b"x")}, "body"),
    ],
)
def test_replies_check_themselves(fields: dict[str, Any], frame: str) -> None:
    values: dict[str, Any] = {"codec": json.CODEC, "request_id": b"r1", "status": 200}
    values.update(fields)
    with pytest.raises(ServiceProtocolError) as caught:
        ServiceReply(**values)
    assert caught.value.frame == frame


def test_unencodable_headers_are_refused_when_formatted() -> None:
    request = ServiceRequest(json.CODEC, b"r", "GET", "/", {"a": "\udcff"})
    with pytest.raises(ServiceProtocolError) as caught:
        format_request(request)
    assert (caught.value.frame, caught.value.request_id) == ("headers", b"r")


# -- envelopes, events, error replies ---------------------------------------------------------


@pytest.mark.parametrize("count", [0, 1, 7])
def test_too_few_frames_for_an_envelope_are_dropped(count: int) -> None:
    with pytest.raises(ServiceProtocolError) as caught:
        split_envelope([b"x"] * count)
    assert not caught.value.answerable


def test_proxies_grow_the_envelope() -> None:
    envelope, frames = split_envelope([b"\x00proxy", b"\x00client", *ex("echo_request")])
    assert list(envelope) == [b"\x00proxy", b"\x00client"]
    assert parse_request(frames).path == "/echo"


def test_events_are_one_way_with_short_topics() -> None:
    request = ServiceRequest(json.CODEC, b"", "POST", "/t")
    assert format_event(b"", request)[0] == b""
    assert parse_event(format_event(b"t" * 255, request))[0] == b"t" * 255
    with pytest.raises(ServiceProtocolError):
        format_event(b"t" * 256, request)
    with pytest.raises(ServiceProtocolError):
        format_event(b"t", dataclasses.replace(request, request_id=b"r"))
    for frames in (
        [b"t" * 256, *format_request(request)],
        [b"t", *request_frames(request_id=b"r")],
        format_request(request),
    ):
        with pytest.raises(ServiceProtocolError):
            parse_event(frames)


def test_error_reply_members() -> None:
    reply = service.error_reply(
        b"r", 409, members={"status": 1, "type": "x", "retry": True}, codec=msgpack.CODEC
    )
    assert reply.decode_body() == {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "retry": True,
    }
    tnet = service.error_reply(b"r", 400, "bad", [{"path": "$", "reason": "r", "value": None}])
    assert tnet.codec is json.CODEC
    in_tnet = service.error_reply(b"r", 500, codec=tnetstring.CODEC)
    assert in_tnet.decode_body() == {
        b"type": b"about:blank",
        b"title": b"Internal Server Error",
        b"status": 500,
    }


def test_error_values_are_short() -> None:
    error = refused(request_frames(path=b"x" * 1000))
    assert error.value == "x" * 64


# -- every codec, and round trips ---------------------------------------------------------


@pytest.mark.parametrize("name", CODECS)
def test_every_codec_round_trips(name: str) -> None:
    codec = CODECS[name]
    body = codec.encode({"k": [1, 2], "s": "é"})
    request = ServiceRequest(codec, b"\x00\x01", "PATCH", "/a/é", {"ü": "ß", "b": ""}, body)
    frames = format_request(request)
    assert frames[1] == name.encode()
    parsed = parse_request(frames)
    assert parsed == request
    assert parsed.decode_body() == codec.decode(body)
    reply = reply_to(parsed, 201, body, {"x": "y"})
    assert parse_reply(format_reply(reply)) == reply


TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
NAMES = st.text(st.characters(codec="utf-8"), min_size=1, max_size=12)
PATHS = st.text(st.characters(codec="utf-8"), max_size=40).map(
    lambda text: "/" + re.sub(r"[\x00-\x1f\x7f]", "", text)
)
VERBS = st.from_regex(r"[A-Z][A-Z0-9_-]{0,31}", fullmatch=True)
REQUESTS = st.builds(
    ServiceRequest,
    codec=st.sampled_from(list(CODECS.values())),
    request_id=st.binary(max_size=255),
    verb=VERBS,
    path=PATHS,
    headers=st.dictionaries(NAMES, TEXT, max_size=4),
    body=st.binary(max_size=40),
)


@settings(max_examples=300)
@given(request=REQUESTS)
def test_requests_round_trip(request: ServiceRequest) -> None:
    assert parse_request(format_request(request)) == request


@settings(max_examples=300)
@given(request=REQUESTS, status=st.integers(100, 599))
def test_replies_round_trip(request: ServiceRequest, status: int) -> None:
    if request.one_way:
        request = dataclasses.replace(request, request_id=b"r")
    reply = reply_to(request, status, request.body, request.headers)
    assert parse_reply(format_reply(reply)) == reply


@settings(max_examples=200)
@given(request=REQUESTS, topic=st.binary(max_size=255))
def test_events_round_trip(request: ServiceRequest, topic: bytes) -> None:
    request = dataclasses.replace(request, request_id=b"")
    assert parse_event(format_event(topic, request)) == (topic, request)


# -- fuzz: whatever the bytes, only ServiceProtocolError comes out --------------------------


def serve(frames: list[bytes]) -> None:
    """What a server does with frames: parse, then answer or drop."""
    try:
        request = parse_request(frames)
    except ServiceProtocolError as error:
        answer = reply_to_error(error)
        assert (answer is None) == (not error.answerable)
        if answer is not None:
            assert parse_reply(format_reply(answer)).request_id == error.request_id
        return
    try:
        request.decode_body()
    except DecodeError:
        pass


def read_anything(frames: list[bytes]) -> None:
    serve(frames)
    for parse in (parse_reply, parse_event, split_envelope):
        try:
            parse(frames)
        except ServiceProtocolError:
            pass


@settings(max_examples=1000)
@given(frames=st.lists(st.binary(max_size=24), max_size=9))
def test_random_frames(frames: list[bytes]) -> None:
    read_anything(frames)


GOOD = [ex(name) for name in VALID_REQUESTS + VALID_REPLIES] + [ex("event")]


@settings(max_examples=2000)
@given(
    base=st.sampled_from(GOOD),
    replaced=st.lists(st.tuples(st.integers(0, 7), st.binary(max_size=24)), max_size=2),
    edits=st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 10**4), st.integers(0, 255)), max_size=3
    ),
)
def test_mutated_frames(
    base: list[bytes], replaced: list[tuple[int, bytes]], edits: list[tuple[int, int, int]]
) -> None:
    read_anything(mutated(base, replaced, edits))


def mutated(
    base: list[bytes], replaced: list[tuple[int, bytes]], edits: list[tuple[int, int, int]]
) -> list[bytes]:
    """``base`` with whole frames replaced, then single bytes changed."""
    frames = list(base)
    for index, value in replaced:
        frames[index % len(frames)] = value
    for index, position, byte in edits:
        frame = bytearray(frames[index % len(frames)])
        if frame:
            frame[position % len(frame)] = byte
            frames[index % len(frames)] = bytes(frame)
    return frames


@settings(max_examples=500)
@given(
    codec=st.sampled_from(sorted(CODECS)),
    headers=st.binary(max_size=40),
    verb=st.binary(max_size=6),
    path=st.binary(max_size=12),
)
def test_random_frames_behind_a_good_start(
    codec: str, headers: bytes, verb: bytes, path: bytes
) -> None:
    serve(request_frames(codec=codec.encode(), headers=headers, verb=verb, path=path))


# -- parse_routed: the server's one step, the same answers as the two ---------------------


def two_steps(frames: list[bytes], max_size: int) -> Any:
    try:
        envelope, request_frames = split_envelope(frames)
        return list(envelope), parse_request(request_frames, default_registry, max_size)
    except ServiceProtocolError as exc:
        return (type(exc), exc.reason, exc.frame, exc.status_hint, exc.request_id, exc.codec)


def one_step(frames: list[bytes], max_size: int) -> Any:
    try:
        envelope, request = parse_routed(frames, default_registry, max_size)
        return list(envelope), request
    except ServiceProtocolError as exc:
        return (type(exc), exc.reason, exc.frame, exc.status_hint, exc.request_id, exc.codec)


def routed(request: ServiceRequest, peer: bytes = b"\x00peer") -> list[bytes]:
    return [peer, *format_request(request)]


@settings(max_examples=500)
@given(request=REQUESTS, peer=st.binary(max_size=8), max_size=st.sampled_from([40, 10**6]))
def test_parse_routed_agrees_with_the_two_steps(
    request: ServiceRequest, peer: bytes, max_size: int
) -> None:
    frames = routed(request, peer)
    assert one_step(frames, max_size) == two_steps(frames, max_size)


@settings(max_examples=1000)
@given(
    base=st.sampled_from([[b"\x00p", *ex(name)] for name in VALID_REQUESTS]),
    replaced=st.lists(st.tuples(st.integers(0, 7), st.binary(max_size=24)), max_size=2),
    edits=st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 10**4), st.integers(0, 255)), max_size=3
    ),
)
def test_parse_routed_agrees_on_mutated_frames(
    base: list[bytes], replaced: list[tuple[int, bytes]], edits: list[tuple[int, int, int]]
) -> None:
    frames = mutated(base, replaced, edits)
    assert one_step(frames, 100) == two_steps(frames, 100)


@pytest.mark.parametrize(
    "frames",
    [
        [b"\x00p", b"BRB1", b"msgpack", b"id", b"GET", b"/x", b"", b""],  # the quick way
        [b"\x00p", b"BRB2", b"msgpack", b"id", b"GET", b"/x", b"", b""],  # 505
        [b"\x00p", b"BRB1", b"MSGPACK", b"id", b"GET", b"/x", b"", b""],  # 415
        [b"\x00p", b"BRB1", b"json", b"id", b"get", b"/x", b"", b""],  # a bad verb
        [b"\x00p", b"BRB1", b"json", b"id", b"GET", b"x", b"", b""],  # a bad path
        [b"\x00p", b"BRB1", b"json", b"id", b"GET", b"/\x7f", b"", b""],
        [b"\x00p", b"BRB1", b"json", b"i" * 256, b"GET", b"/x", b"", b""],
        [b"\x00p", b"BRB1", b"json", b"id", b"GET", b"/x", b"", b"x" * 200],  # 413
        [b"\x00p", b"\x00q", b"BRB1", b"json", b"id", b"GET", b"/x", b"", b""],  # two hops
        [b"BRB1", b"json", b"id", b"GET", b"/x", b"", b""],  # no envelope: dropped
    ],
)
def test_parse_routed_cases(frames: list[bytes]) -> None:
    assert one_step(frames, 100) == two_steps(frames, 100)


def test_parse_routed_takes_the_quick_way_for_the_common_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frames = [b"\x00p", *ex("echo_request")]
    expected = parse_request(frames[1:])  # (the codec's name is learnt)

    def not_this_way(*args: Any) -> Any:
        raise AssertionError("the common message took the long way")

    monkeypatch.setattr(service, "parse_request", not_this_way)
    envelope, request = parse_routed(frames)
    assert list(envelope) == [b"\x00p"] and request == expected
    assert request.headers == {} and type(request.headers) is dict


@settings(max_examples=500)
@given(
    request=REQUESTS,
    verb=st.sampled_from(["GET", "POST", "get", "X", ""]),
    path=st.sampled_from(["/x", "x", "/é", "/\x7f", "/" + "a" * 5000]),
)
def test_request_frames_are_format_request(request: ServiceRequest, verb: str, path: str) -> None:
    for fields in (
        (request.codec, request.request_id, request.verb, request.path, request.headers),
        (request.codec, request.request_id, verb, path, {}),
    ):

        def two_steps(fields: Any = fields) -> list[bytes]:
            return format_request(service.new_request(*fields, request.body))

        expected = one_or_error(two_steps)
        got = one_or_error(lambda fields=fields: service.request_frames(*fields, request.body))
        assert got == expected


def one_or_error(function: Any) -> Any:
    try:
        return function()
    except ServiceProtocolError as exc:
        return (type(exc), exc.reason, exc.frame, exc.status_hint, exc.request_id)


def test_default_registry_is_the_default() -> None:
    assert parse_request(ex("echo_request"), default_registry).codec is msgpack.CODEC
