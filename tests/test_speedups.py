"""brubeck._speedups (the optional C extension) against the Python
path it stands in for: the same results, on the captures and on fuzzed input.

Each C function answers None where it does not do the usual case; where it
answers, the answer must be what the Python code gives. Where the extension
is not built these tests skip, and the rest of the suite runs the Python path.
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brubeck import _native
from brubeck.codecs import tnetstring
from brubeck.models import _compile as model_compile
from brubeck.models.fields import base as fields_base
from brubeck.protocol import http, mongrel2, wsgi
from tests.helpers import MONGREL2_CAPTURES

speedups = _native.speedups
pytestmark = pytest.mark.skipif(speedups is None, reason="the C extension is not built")

CAPTURES = sorted(MONGREL2_CAPTURES)
SENDER = "54c6755b-9628-40a4-9a2d-cc82a816345e"


@pytest.fixture
def python_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Within the test, the modules run their Python path only."""
    monkeypatch.setattr(mongrel2, "_fast_parse", None)
    monkeypatch.setattr(mongrel2, "_fast_reply", None)
    monkeypatch.setattr(http, "_fast_response", None)
    monkeypatch.setattr(fields_base, "_c_parse_datetime", None)
    monkeypatch.setattr(model_compile, "_c_datetime_text", None)
    monkeypatch.setattr(wsgi, "_fast_headers", None)
    yield


def outcome(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """What a call gives: its value, or its error's type and text."""
    try:
        return ("value", function(*args, **kwargs))
    except Exception as exc:  # noqa: BLE001 - any error: both paths must raise the same
        return ("error", type(exc), str(exc))


def python_parse(data: bytes) -> Any:
    saved = mongrel2._fast_parse
    mongrel2._fast_parse = None
    try:
        return outcome(mongrel2.parse, data)
    finally:
        mongrel2._fast_parse = saved


def assert_same_parse(data: bytes) -> None:
    """Both paths give the same message (and the same header order and
    types), or the same error."""
    ours, theirs = outcome(mongrel2.parse, data), python_parse(data)
    assert ours == theirs
    if ours[0] == "value":
        assert list(ours[1].headers) == list(theirs[1].headers)
        assert [type(v) for v in ours[1].headers.values()] == [
            type(v) for v in theirs[1].headers.values()
        ]
    fast = speedups.parse_request(data)  # type: ignore[union-attr]
    if fast is not None:  # where the C parser answers, the Python parser gives the same
        sender, conn_id, path, rest = data.split(b" ", 3)
        assert sender and conn_id.isdigit()
        headers, body = mongrel2._headers_and_body(rest, 0)
        assert fast == (
            sender.decode("latin-1"),
            conn_id.decode("ascii"),
            path.decode("utf-8", "surrogateescape"),
            headers,
            body,
        )


# -- parse_request ------------------------------------------------------------------


@pytest.mark.parametrize("path", CAPTURES, ids=lambda path: path.name)
def test_captures_parse_the_same(path: Any) -> None:
    assert_same_parse(path.read_bytes())


def test_the_usual_capture_takes_the_c_path() -> None:
    data = next(path for path in CAPTURES if path.name == "json_post.tnet.bin").read_bytes()
    fast = speedups.parse_request(data)  # type: ignore[union-attr]
    assert fast is not None
    sender, conn_id, path, headers, body = fast
    assert (sender, path, headers["METHOD"]) == (SENDER, "/api/todo", "POST")
    message = mongrel2.parse(data)
    assert (message.sender, message.conn_id, message.path, message.headers, message.body) == fast


def test_json_headers_and_lists_are_left_to_python() -> None:
    by_name = {path.name: path.read_bytes() for path in CAPTURES}
    assert speedups.parse_request(by_name["json_post.json.bin"]) is None  # type: ignore[union-attr]
    assert speedups.parse_request(by_name["repeated_headers.tnet.bin"]) is None  # type: ignore[union-attr]
    assert speedups.parse_request(bytearray(by_name["json_post.tnet.bin"])) is None  # type: ignore[union-attr]


def test_known_header_names_are_the_interned_strings() -> None:
    message = mongrel2.parse(request(headers={"METHOD": "GET", "x-own": "1", "host": "h"}))
    names = {name: name for name in message.headers}
    assert names["METHOD"] is sys.intern("METHOD")
    assert names["host"] is sys.intern("host")
    assert message.headers == {"METHOD": "GET", "x-own": "1", "host": "h"}


def request(
    sender: str = SENDER,
    conn: str = "7",
    path: str = "/p",
    headers: dict[str, Any] | None = None,
    body: bytes = b"",
) -> bytes:
    head = tnetstring.encode(headers if headers is not None else {"METHOD": "GET"})
    return b"%s %s %s %s%s" % (
        sender.encode("latin-1"),
        conn.encode(),
        path.encode("utf-8", "surrogateescape"),
        head,
        tnetstring.encode(body),
    )


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"s 1 /p ",
        b" 1 /p 0:}0:,",
        b"s  /p 0:}0:,",
        b"s x /p 0:}0:,",
        b"s 1 /p",
        b"s 1 /p 0:}",
        b"s 1 /p 0:}0:,x",
        b"s 1 /p 0:}00:,",
        b"s 1 /p 00:}0:,",
        b"s 1 /p 1234567890:}0:,",
        b"s 1 /p 9:6:METHOD,}0:,",
        b"s 1 /p 15:6:METHOD,3:GET,}0:,",
        b"s 1 /p 20:6:METHOD,3:GET,2:ab,}0:,",  # a name without a value
        b"s 1 /p 19:6:METHOD,3:GET,1:a,}0:,",
        b"s 1 /p 23:6:METHOD,3:GET,1:\xff,0:,}0:,",  # invalid UTF-8 name
        b"s 1 /p 23:6:METHOD,3:GET,1:a,1:\xff,}0:,",  # invalid UTF-8 value
        b"s 1 /p 23:6:METHOD,3:GET,1:a,1:1#}0:,",  # a value of another type
        b"s 1 /p 30:6:METHOD,3:GET,6:METHOD,3:PUT,}0:,",  # a repeated name: the last value
        b"s 1 /p 15:6:METHOD,3:GET,}3:abc]",
        b"s 1 /\xff\xfe 15:6:METHOD,3:GET,}0:,",  # a path that is not UTF-8
        b"\xe9 1 /p 15:6:METHOD,3:GET,}0:,",  # a Latin-1 sender
        b"s 1 /p 15:6:METHOD,3:GET,}",
        b"s 1 /p 15:6:METHOD,3:GET,}5:ab,",
    ],
)
def test_edge_cases_parse_the_same(data: bytes) -> None:
    assert_same_parse(data)


def test_a_repeated_name_keeps_its_last_value_in_its_first_place() -> None:
    data = b"s 1 /p 38:6:METHOD,3:GET,1:a,1:1,6:METHOD,3:PUT,}0:,"
    assert speedups.parse_request(data) is not None  # type: ignore[union-attr]
    assert_same_parse(data)
    assert list(mongrel2.parse(data).headers.items()) == [("METHOD", "PUT"), ("a", "1")]


TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
HEADERS = st.dictionaries(
    st.one_of(TEXT, st.sampled_from(["METHOD", "PATH", "host", "accept", "content-type"])),
    st.one_of(TEXT, st.lists(TEXT, max_size=2), st.binary(max_size=4)),
    max_size=6,
)


@settings(max_examples=400, deadline=None)
@given(
    sender=st.one_of(st.just(SENDER), st.text(st.characters(max_codepoint=255), max_size=4)),
    conn=st.one_of(st.integers(0, 10**12).map(str), st.text("0123456789 a", max_size=3)),
    path=st.text(max_size=8).map(lambda text: text.replace(" ", "")),
    headers=HEADERS,
    method=st.one_of(st.none(), st.sampled_from(["GET", "POST", "JSON", "WEBSOCKET", ""])),
    body=st.binary(max_size=16),
)
def test_generated_messages_parse_the_same(
    sender: str, conn: str, path: str, headers: dict[str, Any], method: str | None, body: bytes
) -> None:
    if method is not None:
        headers = {"METHOD": method, **headers}
    raw_headers = {
        name.encode("utf-8", "surrogatepass"): (
            value if isinstance(value, bytes | list) else value.encode("utf-8", "surrogatepass")
        )
        for name, value in headers.items()
    }
    data = b"%s %s %s %s%s" % (
        sender.encode("latin-1"),
        conn.encode(),
        path.encode("utf-8", "surrogatepass"),
        tnetstring.encode(raw_headers),
        tnetstring.encode(body),
    )
    assert_same_parse(data)


@settings(max_examples=600, deadline=None)
@given(
    base=st.sampled_from([path.read_bytes() for path in CAPTURES if ".tnet." in path.name]),
    edits=st.lists(
        st.tuples(
            st.sampled_from(["flip", "cut", "insert"]), st.integers(0, 10**6), st.binary(max_size=3)
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_mutated_captures_parse_the_same(base: bytes, edits: list[tuple[str, int, bytes]]) -> None:
    data = bytearray(base)
    for action, at, extra in edits:
        at %= len(data) + 1
        if action == "flip" and at < len(data):
            data[at] = (data[at] + 1 + (extra[0] if extra else 0)) % 256
        elif action == "cut":
            del data[at:]
        else:
            data[at:at] = extra or b":"
        if not data:
            break
    assert_same_parse(bytes(data))


# -- format_response ----------------------------------------------------------------


def python_response(*args: Any, **kwargs: Any) -> Any:
    saved = http._fast_response
    http._fast_response = None
    try:
        return outcome(http.format_response, *args, **kwargs)
    finally:
        http._fast_response = saved


def test_the_usual_response_takes_the_c_path() -> None:
    http.format_response(200, [("Content-Type", "text/plain")], b"x")  # seen from now on
    line = http._STATUS_LINES[200]
    fast = speedups.format_response(  # type: ignore[union-attr]
        line, [("Content-Type", "text/plain")], http._NAMES_SEEN, b"hi", True, True, True
    )
    assert fast == (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
        b"Connection: close\r\n\r\nhi"
    )
    assert fast == python_response(200, [("Content-Type", "text/plain")], b"hi", close=True)[1]


def test_unseen_names_and_other_shapes_are_left_to_python() -> None:
    line, seen = http._STATUS_LINES[200], {"X-Seen"}
    call = speedups.format_response  # type: ignore[union-attr]
    assert call(line, [("X-Other", "v")], seen, b"", True, False, True) is None
    assert call(line, [("X-Seen", "caf\xe9")], seen, b"", True, False, True) is None
    assert call(line, [("X-Seen", "a\r\nb")], seen, b"", True, False, True) is None
    assert call(line, [["X-Seen", "v"]], seen, b"", True, False, True) is None
    assert call(line, (("X-Seen", "v"),), seen, b"", True, False, True) is None
    assert call(line, [("X-Seen", "v")], seen, bytearray(), True, False, True) is None
    assert call(line, [("X-Seen", "v")], seen, b"", True, False, True) is not None


class Meddling(str):
    """A name whose comparison empties the header list being written."""

    victim: list[tuple[str, str]] = []

    def __eq__(self, other: object) -> bool:
        Meddling.victim.clear()
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_a_header_list_changed_during_the_checks_is_safe() -> None:
    """A set entry's __eq__ may run Python code in the middle of the C checks:
    the C code works on a snapshot of the list (it used to read freed items)."""
    victim = [("X-Foo", "v" * 50), ("X-Foo", "w" * 50)]
    Meddling.victim = victim
    seen = {Meddling("X-Foo")}
    out = speedups.format_response(  # type: ignore[union-attr]
        "HTTP/1.1 200 OK", victim, seen, b"", True, False, True
    )
    assert victim == []  # the comparison ran
    assert out == (
        b"HTTP/1.1 200 OK\r\nX-Foo: "
        + b"v" * 50
        + b"\r\nX-Foo: "
        + b"w" * 50
        + b"\r\nContent-Length: 0\r\n\r\n"
    )


def test_names_seen_are_exact_strings() -> None:
    class Name(str):
        def __str__(self) -> str:
            return Name("x-sub-" + self)

    http.format_response(200, [(Name("X-Subclassed"), "v")])
    assert all(type(name) is str for name in http._NAMES_SEEN)
    assert all(type(name) is str for name in http._TOKENS_SEEN)


def test_only_exact_bools_take_the_c_path() -> None:
    call = speedups.format_response  # type: ignore[union-attr]
    assert call("HTTP/1.1 200 OK", [], set(), b"", 1, False, True) is None
    assert call("HTTP/1.1 200 OK", [], set(), b"", True, None, True) is None
    assert call("HTTP/1.1 200 OK", [], set(), b"", True, False, True) is not None


HEADER_NAMES = st.sampled_from(
    ["Content-Type", "X-A", "Set-Cookie", "content-length", "Content-Length", "Bad Name", "X\r\n"]
)
HEADER_VALUES = st.one_of(
    st.sampled_from(["text/plain", "a=b; Path=/", "", " spaced ", "caf\xe9", "a\r\nb", "\x00"]),
    st.text(max_size=6),
)


@settings(max_examples=500, deadline=None)
@given(
    status=st.sampled_from([100, 101, 200, 201, 204, 304, 404, 500, 599, 99, 1000]),
    headers=st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES), max_size=4),
    body=st.binary(max_size=12),
    method=st.sampled_from(["GET", "HEAD", "POST"]),
    close=st.booleans(),
    version=st.sampled_from(["HTTP/1.1", "HTTP/1.0"]),
)
def test_generated_responses_format_the_same(
    status: int, headers: list[tuple[str, str]], body: bytes, method: str, close: bool, version: str
) -> None:
    args = (status, headers, body, method, version, close)
    assert outcome(http.format_response, *args) == python_response(*args)


# -- reply_to -----------------------------------------------------------------------


def python_reply(message: mongrel2.Message, body: bytes) -> Any:
    saved = mongrel2._fast_reply
    mongrel2._fast_reply = None
    try:
        return outcome(mongrel2.reply_to, message, body)
    finally:
        mongrel2._fast_reply = saved


def message_from(sender: Any, conn_id: Any) -> mongrel2.Message:
    return mongrel2.Message(sender, conn_id, "/", {}, b"", mongrel2.MessageKind.HTTP)


def test_the_usual_reply_takes_the_c_path() -> None:
    fast = speedups.reply_to(SENDER, "42", b"HTTP/1.1 200 OK\r\n\r\n")  # type: ignore[union-attr]
    assert fast == SENDER.encode() + b" 2:42, HTTP/1.1 200 OK\r\n\r\n"
    assert fast == python_reply(message_from(SENDER, "42"), b"HTTP/1.1 200 OK\r\n\r\n")[1]


@pytest.mark.parametrize(
    ("sender", "conn_id"),
    [
        ("a b", "1"),  # a space would end the sender early
        (" ", "1"),
        ("", "1"),
        ("caf\xe9", "1"),  # Latin-1: the Python path
        ("\u20ac", "1"),
        ("s\t", "1"),
        (SENDER, ""),
        (SENDER, "1 2"),
        (SENDER, "\u0663"),  # a digit, but not an ASCII one
        (SENDER, 7),
    ],
)
def test_odd_senders_and_ids_reply_the_same(sender: Any, conn_id: Any) -> None:
    message = message_from(sender, conn_id)
    assert outcome(mongrel2.reply_to, message, b"x") == python_reply(message, b"x")


@settings(max_examples=400, deadline=None)
@given(
    sender=st.one_of(st.just(SENDER), st.text(max_size=5), st.binary(max_size=2)),
    conn_id=st.one_of(
        st.integers(0, 10**30).map(str), st.text("0123456789a ٣", max_size=4), st.integers()
    ),
    body=st.one_of(st.binary(max_size=8), st.builds(bytearray, st.binary(max_size=3))),
)
def test_generated_replies_are_the_same(sender: Any, conn_id: Any, body: bytes) -> None:
    message = message_from(sender, conn_id)
    assert outcome(mongrel2.reply_to, message, body) == python_reply(message, body)


# -- the fixture ---------------------------------------------------------------------


def test_python_only_fixture_really_turns_it_off(python_only: None) -> None:
    data = request(headers={"METHOD": "GET", "host": "h"})
    assert mongrel2._fast_parse is None
    assert mongrel2.parse(data).headers == {"METHOD": "GET", "host": "h"}


# -- parse_datetime and datetime_text -----------------------------------------------


def python_datetime(text: str) -> Any:
    saved = fields_base._c_parse_datetime
    fields_base._c_parse_datetime = None
    try:
        return fields_base.parse_datetime(text)
    finally:
        fields_base._c_parse_datetime = saved


def assert_same_datetime(text: str) -> None:
    """Where the C parser answers, the Python parser gives an equal value,
    of the same type, in the same zone object (None, or datetime.UTC)."""
    fast = speedups.parse_datetime(text)  # type: ignore[union-attr]
    theirs = python_datetime(text)
    if fast is not None:
        assert theirs is not None, text
        assert (type(fast), fast, fast.tzinfo) == (type(theirs), theirs, theirs.tzinfo)
        assert fast.tzinfo is theirs.tzinfo
    ours = fields_base.parse_datetime(text)
    assert (ours, getattr(ours, "tzinfo", None)) == (theirs, getattr(theirs, "tzinfo", None))


@pytest.mark.parametrize(
    "text",
    [
        "2024-05-17T12:34:56.789000+00:00",
        "2024-05-17T12:34:56.789Z",
        "2024-05-17T12:34:56Z",
        "2024-05-17T12:34:56",
        "2024-05-17T12:34:56-00:00",
        "2024-05-17T12:34:56.5",
        "2024-05-17T12:34:56.123456Z",
        "2024-05-17T12:34:56.1234567Z",  # seven digits: not a datetime here
        "2024-05-17T12:34:56.Z",
        "2024-05-17T12:34:56+05:30",  # another offset: the Python path
        "2024-05-17T12:34:56+00:60",
        "2024-05-17t12:34:56Z",
        "2024-05-17T12:34:56z",
        "2024-05-17 12:34:56",
        "2024-02-29T00:00:00",
        "2023-02-29T00:00:00",
        "1900-02-29T00:00:00",
        "2000-02-29T00:00:00",
        "0000-01-01T00:00:00",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999Z",
        "2024-04-31T00:00:00",
        "2024-13-01T00:00:00",
        "2024-00-10T00:00:00",
        "2024-01-00T00:00:00",
        "2024-01-01T24:00:00",
        "2024-01-01T23:60:00",
        "2024-01-01T23:59:60",
        "2024-01-01T23:59:59+00:00x",
        "2024-01-01T23:59",
        "２０２４-01-01T00:00:00",  # fullwidth digits
        "2024-01-01T00:00:0\u0663",
        "",
    ],
)
def test_datetime_edge_cases_parse_the_same(text: str) -> None:
    assert_same_datetime(text)


def test_the_usual_datetime_takes_the_c_path() -> None:
    made = speedups.parse_datetime("2024-05-17T12:34:56.789Z")  # type: ignore[union-attr]
    assert made == datetime.datetime(2024, 5, 17, 12, 34, 56, 789000, tzinfo=datetime.UTC)
    assert made.tzinfo is datetime.UTC  # type: ignore[union-attr]
    assert speedups.parse_datetime("2024-05-17T12:34:56") is not None  # type: ignore[union-attr]
    for leap_day in ("2000-02-29T00:00:00", "2024-02-29T00:00:00Z"):  # the C path knows them
        assert speedups.parse_datetime(leap_day) is not None  # type: ignore[union-attr]
    assert speedups.parse_datetime("2024-05-17T12:34:56+05:30") is None  # type: ignore[union-attr]
    assert speedups.parse_datetime(b"2024-05-17T12:34:56") is None  # type: ignore[union-attr]


@settings(max_examples=800, deadline=None)
@given(
    parts=st.tuples(
        st.integers(0, 10000),
        st.integers(0, 13),
        st.integers(0, 32),
        st.integers(0, 25),
        st.integers(0, 61),
        st.integers(0, 61),
    ),
    fraction=st.one_of(st.just(""), st.text("0123456789", max_size=8).map(lambda d: "." + d)),
    zone=st.sampled_from(["", "Z", "+00:00", "-00:00", "+01:00", "-23:59", "z", "+0000", " "]),
    separators=st.sampled_from(["--T::", "--t::", "-- ::", "/-T::"]),
)
def test_generated_datetimes_parse_the_same(
    parts: tuple[int, ...], fraction: str, zone: str, separators: str
) -> None:
    year, month, day, hour, minute, second = parts
    a, b, c, d, e = separators
    text = (
        f"{year:04}{a}{month:02}{b}{day:02}{c}{hour:02}{d}{minute:02}{e}{second:02}{fraction}{zone}"
    )
    assert_same_datetime(text)


@settings(max_examples=500, deadline=None)
@given(
    value=st.datetimes(
        timezones=st.sampled_from(
            [None, datetime.UTC, datetime.timezone(datetime.timedelta(hours=5, minutes=30))]
        )
    ),
    fold=st.integers(0, 1),
)
def test_generated_datetimes_write_the_same_text(value: datetime.datetime, fold: int) -> None:
    value = value.replace(fold=fold)
    fast = speedups.datetime_text(value)  # type: ignore[union-attr]
    if value.tzinfo is None or value.tzinfo is datetime.UTC:
        assert fast == value.isoformat()
    else:
        assert fast is None
    assert model_compile._datetime_text(value) == value.isoformat()


class OwnDatetime(datetime.datetime):
    def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:
        return "mine"


def test_datetime_subclasses_and_other_values_are_left_to_python() -> None:
    own = OwnDatetime(2024, 1, 1)
    assert speedups.datetime_text(own) is None  # type: ignore[union-attr]
    assert speedups.datetime_text("2024-01-01") is None  # type: ignore[union-attr]
    assert speedups.datetime_text(datetime.date(2024, 1, 1)) is None  # type: ignore[union-attr]
    utc_zero = datetime.timezone(datetime.timedelta(0), "zero")  # zero offset, not datetime.UTC
    assert speedups.datetime_text(datetime.datetime(2024, 1, 1, tzinfo=utc_zero)) is None  # type: ignore[union-attr]


# -- environ_headers ----------------------------------------------------------------


def python_message(environ: dict[str, Any]) -> Any:
    saved = wsgi._fast_headers
    wsgi._fast_headers = None
    try:
        return outcome(wsgi.message_from_environ, environ, b"")
    finally:
        wsgi._fast_headers = saved


def assert_same_message(environ: dict[str, Any]) -> None:
    for _ in range(2):  # the first call may teach the Python path new names
        ours, theirs = outcome(wsgi.message_from_environ, environ, b""), python_message(environ)
        assert ours == theirs
        if ours[0] == "value":
            assert list(ours[1].headers.items()) == list(theirs[1].headers.items())
            assert type(ours[1]) is wsgi.Message


USUAL_ENVIRON = {
    "REQUEST_METHOD": "GET",
    "PATH_INFO": "/hello",
    "QUERY_STRING": "name=x",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "REMOTE_ADDR": "127.0.0.1",
    "SCRIPT_NAME": "",
    "CONTENT_TYPE": "",
    "HTTP_HOST": "127.0.0.1:8080",
    "HTTP_USER_AGENT": "wrk",
    "wsgi.version": (1, 0),
    "wsgi.url_scheme": "http",
    "wsgi.input": None,
}


def test_the_usual_environ_takes_the_c_path() -> None:
    wsgi.message_from_environ(USUAL_ENVIRON, b"")  # its names are learnt
    fast = speedups.environ_headers(USUAL_ENVIRON, wsgi._NAMES, wsgi._SPECIAL)  # type: ignore[union-attr]
    assert fast == {"host": "127.0.0.1:8080", "user-agent": "wrk"}
    assert_same_message(USUAL_ENVIRON)


def test_unusual_environs_are_left_to_python() -> None:
    call = speedups.environ_headers  # type: ignore[union-attr]
    wsgi.message_from_environ(USUAL_ENVIRON, b"")
    names, special = wsgi._NAMES, wsgi._SPECIAL
    assert call({**USUAL_ENVIRON, "HTTP_HOST": "caf\xe9"}, names, special) is None  # Latin-1
    assert call({**USUAL_ENVIRON, "HTTP_HOST": None}, names, special) is None
    assert call({**USUAL_ENVIRON, "HTTP_X_NEVER_SEEN_1": "v"}, names, special) is None
    assert call(list(USUAL_ENVIRON.items()), names, special) is None


class OwnKey(str):
    __slots__ = ()


ENVIRON_KEYS = st.sampled_from(
    [
        "REQUEST_METHOD",
        "PATH_INFO",
        "QUERY_STRING",
        "CONTENT_TYPE",
        "CONTENT_LENGTH",
        "HTTP_HOST",
        "HTTP_X_FOO",
        "HTTP_CONTENT_TYPE",
        "HTTP_COOKIE",
        "SERVER_NAME",
        "wsgi.input",
        "RAW_URI",
    ]
)
ENVIRON_VALUES = st.one_of(
    st.sampled_from(["", "a", "/x", "text/plain", "caf\xe9", "\x00", "0"]),
    st.text(max_size=5),
    st.none(),
    st.integers(0, 3),
)


@settings(max_examples=400, deadline=None)
@given(
    pairs=st.lists(
        st.tuples(st.one_of(ENVIRON_KEYS, ENVIRON_KEYS.map(OwnKey)), ENVIRON_VALUES), max_size=8
    )
)
def test_generated_environs_give_the_same_message(pairs: list[tuple[str, Any]]) -> None:
    assert_same_message(dict(pairs))
