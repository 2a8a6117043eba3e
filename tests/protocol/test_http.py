"""brubeck.protocol.http"""

from __future__ import annotations

import contextlib
import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brubeck.errors import BadRequestError, ProtocolError
from brubeck.protocol import http, mongrel2
from tests.helpers import DATA


@pytest.mark.parametrize(
    ("status", "phrase"),
    [
        (200, "OK"),
        (201, "Created"),
        (204, "No Content"),
        (404, "Not Found"),
        (405, "Method Not Allowed"),
        (413, "Content Too Large"),  # RFC 9110, whatever the Python version
        (415, "Unsupported Media Type"),
        (418, "I'm a teapot"),
        (422, "Unprocessable Content"),
        (599, "Unknown"),
    ],
)
def test_reason_phrases(status: int, phrase: str) -> None:
    assert http.reason_phrase(status) == phrase


def test_format_response() -> None:
    response = http.format_response(
        201, [("Content-Type", "text/plain"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")], b"hi"
    )
    assert response == (
        b"HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\n"
        b"Set-Cookie: b=2\r\nContent-Length: 2\r\n\r\nhi"
    )


def test_head_204_304_and_close() -> None:
    assert http.format_response(200, {}, b"hello", method="HEAD") == (
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
    )
    assert http.format_response(204, {}, b"ignored") == b"HTTP/1.1 204 No Content\r\n\r\n"
    assert http.format_response(304, {}, b"x") == b"HTTP/1.1 304 Not Modified\r\n\r\n"
    assert http.format_response(200, {}, b"", version="HTTP/1.0", close=True) == (
        b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )


def test_a_given_content_length_is_replaced_by_the_real_one() -> None:
    assert http.format_response(200, {"Content-Length": "999"}, b"ab") == (
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab"
    )


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Evil": "a\r\nSet-Cookie: admin=1"},
        {"X-Evil": "a\nb"},
        {"X-Evil": "a\x00b"},
        {"Bad Name": "x"},
        {"Bad\r\nName": "x"},
        {"": "x"},
        {"X-Snowman": "\u2603"},
    ],
)
def test_header_injection_is_refused(headers: dict[str, str]) -> None:
    with pytest.raises(ProtocolError):
        http.format_response(200, headers, b"")


def test_a_name_seen_before_does_not_let_a_bad_value_through() -> None:
    assert http.format_response(200, {"X-Seen": "fine\tvalue"}, b"")
    for bad in ("a\r\nSet-Cookie: admin=1", "a\x00", "\u2603"):
        with pytest.raises(ProtocolError):
            http.format_response(200, {"X-Seen": bad}, b"")


@pytest.mark.parametrize("status", [99, 1000, -1])
def test_bad_statuses(status: int) -> None:
    with pytest.raises(ProtocolError):
        http.format_response(status)


@given(st.text(max_size=12), st.text(max_size=12))
def test_no_header_value_can_split_a_response(name: str, value: str) -> None:
    try:
        response = http.format_response(200, {name: value}, b"")
    except ProtocolError:
        return
    head = response.split(b"\r\n\r\n", 1)[0]
    assert len(head.split(b"\r\n")) == 3  # status line, the header, Content-Length


def test_headers_are_case_insensitive_and_keep_every_value() -> None:
    headers = http.Headers({"cookie": ["a=1", "b=2"], "x-foo": ["one", "two"], "METHOD": "GET"})
    assert headers["Cookie"] == "a=1; b=2"
    assert headers["X-FOO"] == "one, two"
    assert headers.get_all("x-foo") == ["one", "two"]
    assert headers.get_all("missing") == []
    assert headers.get("method") == "GET"
    assert "Method" in headers and "nope" not in headers
    assert sorted(headers) == ["METHOD", "cookie", "x-foo"]
    with pytest.raises(KeyError):
        headers["missing"]


def test_headers_from_a_real_capture() -> None:
    message = mongrel2.parse((DATA / "mongrel2" / "repeated_headers.json.bin").read_bytes())
    headers = http.Headers(message.headers)
    assert http.parse_cookies(headers.get_all("cookie")) == {"a": "1", "b": "2"}
    assert headers["x-foo"] == "one, two"


def test_parse_query_from_the_real_capture() -> None:
    message = mongrel2.parse((DATA / "mongrel2" / "get_query.tnet.bin").read_bytes())
    assert http.parse_query(message.headers["QUERY"]) == {
        "name": ["brubeck"],
        "a": ["1", "2"],
        "empty": [""],
        "sp": ["hello world"],
        "plus": ["a b"],
    }


def test_parse_form_body_from_the_real_capture() -> None:
    message = mongrel2.parse((DATA / "mongrel2" / "post_form.json.bin").read_bytes())
    assert http.parse_query(message.body) == {
        "name": ["brubeck"],
        "x": ["1", "2"],
        "blank": [""],
        "msg": ["take five!"],
    }


def test_parse_query_details() -> None:
    assert http.parse_query("") == {}
    assert http.parse_query("a=caf%C3%A9&b=%E9") == {"a": ["café"], "b": ["\udce9"]}
    with pytest.raises(ProtocolError):
        http.parse_query("&".join(f"k{i}=v" for i in range(http.MAX_FIELDS + 1)))
    assert len(http.parse_query("a=1&b=2", max_fields=2)) == 2


def test_parse_cookies() -> None:
    assert http.parse_cookies(['a=1; b="quoted value"; broken; =x', "a=2; c=3"]) == {
        "a": "1",
        "b": "quoted value",
        "c": "3",
    }


@pytest.mark.parametrize(
    ("version", "connection", "closes"),
    [
        ("HTTP/1.1", None, False),
        ("HTTP/1.1", "close", True),
        ("HTTP/1.1", "keep-alive, Close", True),
        ("HTTP/1.0", None, True),
        ("HTTP/1.0", "Keep-Alive", False),
    ],
)
def test_should_close(version: str, connection: str | None, closes: bool) -> None:
    assert http.should_close(version, connection) is closes


def test_a_custom_reason_phrase_is_checked() -> None:
    assert http.format_response(200, reason="Fine").startswith(b"HTTP/1.1 200 Fine\r\n")
    for bad in ["a\r\nb", "caf\u00e9", "nul\x00"]:
        with pytest.raises(ProtocolError):
            http.format_response(200, reason=bad)


def test_set_cookie_values() -> None:
    assert http.set_cookie_value("a", "1") == "a=1"
    assert http.set_cookie_value(
        "s",
        "!sig+/=?payload",
        max_age=60,
        expires="Thu, 01 Jan 1970 00:00:00 GMT",
        path="/",
        domain="example.com",
        secure=True,
        httponly=True,
        samesite="none",
    ) == (
        "s=!sig+/=?payload; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; "
        "Domain=example.com; SameSite=None; Secure; HttpOnly"
    )
    for name, value, extra in [
        ("q", "two words", {}),
        ("q", "dark; Domain=example.com", {}),  # no attribute injection through the value
        ("bad name", "v", {}),
        ("n", 'quote"inside', {}),
        ("n", "new\nline", {}),
        ("n", "v", {"path": "/a;b"}),
        ("n", "v", {"samesite": "sometimes"}),
        ("n", "v", {"samesite": "None"}),
    ]:
        with pytest.raises(ValueError):
            http.set_cookie_value(name, value, **extra)


@given(
    st.lists(
        st.tuples(st.text(alphabet="ab=&;%+2Fé \x00", max_size=6), st.text(max_size=6)), max_size=6
    ).map(lambda pairs: "&".join(f"{name}={value}" for name, value in pairs))
    | st.text(alphabet="ab=&;%+2Fé", max_size=20)
)
def test_parse_query_agrees_with_parse_qsl(text: str) -> None:
    # The fast path for text without escapes must give what urllib's parser gives.
    expected: dict[str, list[str]] = {}
    pairs = urllib.parse.parse_qsl(text, keep_blank_values=True, errors="surrogateescape")
    for name, value in pairs:
        expected.setdefault(name, []).append(value)
    assert http.parse_query(text) == expected


def test_the_unescaped_fast_path_keeps_the_field_limit() -> None:
    with pytest.raises(BadRequestError):
        http.parse_query("&".join("k=v" for _ in range(http.MAX_FIELDS + 1)))
    assert http.parse_query("a&&b=&c=1=2") == {"a": [""], "b": [""], "c": ["1=2"]}


def _written(
    status: int, headers: list[tuple[str, str]], body: bytes, method: str, version: str, close: bool
) -> bytes:
    """An HTTP/1.x response, written the plain way (no remembered names or lines)."""
    lines = [f"{version} {status} {http.reason_phrase(status)}"]
    for name, value in headers:
        if not http.is_token(name) or any(c in value for c in "\r\n\x00"):
            raise ProtocolError("bad header")
        value.encode("latin-1")  # UnicodeEncodeError: refused below as well
        if name.lower() != "content-length":
            lines.append(f"{name}: {value}")
    no_body = status < 200 or status in (204, 304)
    if not no_body:
        lines.append(f"Content-Length: {len(body)}")
    if close:
        lines.append("Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head if no_body or method == "HEAD" else head + body


_NAMES = st.sampled_from(["Content-Type", "X-A", "content-length", "Content-Length", "Set-Cookie"])
_VALUES = st.sampled_from(
    ["text/plain", "a=1", "12", "", "tab\there", "é", "\u2603", "a\r\nb", "\x00"]
)


@given(
    st.sampled_from([100, 200, 201, 204, 304, 404, 418, 599, 999]),
    st.lists(st.tuples(_NAMES | st.text(max_size=6), _VALUES | st.text(max_size=6)), max_size=5),
    st.binary(max_size=8),
    st.sampled_from(["GET", "HEAD", "POST"]),
    st.sampled_from(["HTTP/1.1", "HTTP/1.0"]),
    st.booleans(),
)
def test_responses_are_written_as_the_plain_way_writes_them(
    status: int,
    headers: list[tuple[str, str]],
    body: bytes,
    method: str,
    version: str,
    close: bool,
) -> None:
    # Cold (no name remembered), then warm: every token name remembered.
    http._NAMES_SEEN.clear()
    for warm in (False, True):
        if warm:
            for name, _ in headers:
                with contextlib.suppress(ProtocolError):
                    http.format_response(200, [(name, "v")])
        try:
            expected: bytes | None = _written(status, headers, body, method, version, close)
        except (ProtocolError, UnicodeEncodeError):
            expected = None
        try:
            got: bytes | None = http.format_response(status, headers, body, method, version, close)
        except ProtocolError:
            got = None
        assert got == expected
