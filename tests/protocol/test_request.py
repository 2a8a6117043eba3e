"""brubeck.protocol.request: the Request a handler sees, built from real wire bytes."""

from __future__ import annotations

import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

import brubeck.request
from brubeck.errors import ProtocolError
from brubeck.protocol.mongrel2 import Headers, MessageKind, format_request
from brubeck.protocol.multipart import MAX_PARTS, UploadedFile
from brubeck.protocol.request import CookieValue, Request
from tests.helpers import DATA

SENDER = "54c6755b-9628-40a4-9a2d-cc82a816345e"
CAPTURE_DIR = DATA / "mongrel2"
PROTOCOLS = pytest.mark.parametrize("protocol", ["json", "tnet"])
WIRE_PROTOCOLS = pytest.mark.parametrize("wire", ["tnetstring", "json"])
BOUNDARY = "----brubeckAcceptanceBoundary7MA4YWxkTrZu0gW"
GET_QUERY = "name=brubeck&a=1&a=2&empty=&sp=hello%20world&plus=a+b"


def capture(name: str, protocol: str, trusted_proxies: int = 0) -> Request:
    """The Request of one real Mongrel2 capture (``protocol``: ``json`` or ``tnet``)."""
    data = (CAPTURE_DIR / f"{name}.{protocol}.bin").read_bytes()
    return Request.parse_msg(data, trusted_proxies=trusted_proxies)


def make(
    path: str = "/",
    headers: Headers | None = None,
    body: bytes = b"",
    protocol: str = "tnetstring",
    trusted_proxies: int = 0,
    method: str = "GET",
) -> Request:
    """A Request from a message built as Mongrel2 builds one (server headers in
    UPPERCASE, client headers lowercased)."""
    wire: Headers = {
        "METHOD": method,
        "VERSION": "HTTP/1.1",
        "PATH": path,
        "URL_SCHEME": "http",
        "REMOTE_ADDR": "10.0.0.1",
        "host": "example.com",
    }
    wire.update(headers or {})
    message = format_request(SENDER, 7, path, wire, body, protocol)
    return Request.parse_msg(message, trusted_proxies=trusted_proxies)


def form(body: bytes, query: str = "", protocol: str = "tnetstring") -> Request:
    """A urlencoded POST."""
    headers: Headers = {"content-type": "application/x-www-form-urlencoded"}
    if query:
        headers["QUERY"] = query
    return make("/form", headers, body, protocol, method="POST")


def multipart_body(fields: list[tuple[str, str]], boundary: str = BOUNDARY) -> bytes:
    """A ``multipart/form-data`` body of text fields."""
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields
    ]
    return ("".join(parts) + f"--{boundary}--\r\n").encode()


def multipart(body: bytes, content_type: str, query: str = "") -> Request:
    """A multipart POST."""
    headers: Headers = {"content-type": content_type}
    if query:
        headers["QUERY"] = query
    return make("/upload", headers, body, method="POST")


# -- the request line ------------------------------------------------------------


@PROTOCOLS
def test_request_line_of_a_real_get(protocol: str) -> None:
    request = capture("get_query", protocol)
    assert request.method == "GET"
    assert request.version == "HTTP/1.1"
    assert request.path == "/get/caf%C3%A9"  # raw: what routes match
    assert request.decoded_path == "/get/caf\u00e9"
    assert request.query_string == GET_QUERY
    assert request.scheme == "http"
    assert request.sender == SENDER
    assert request.conn_id == "3"
    assert request.kind is MessageKind.HTTP
    assert request.body == b""


@PROTOCOLS
def test_url_and_url_parts_of_a_real_get(protocol: str) -> None:
    request = capture("get_query", protocol)
    assert request.url == f"http://127.0.0.1:6780/get/caf%C3%A9?{GET_QUERY}"
    parts = request.url_parts
    assert parts.scheme == "http"
    assert parts.netloc == "127.0.0.1:6780"
    assert parts.hostname == "127.0.0.1"
    assert parts.port == 6780
    assert parts.path == "/get/caf%C3%A9"
    assert parts.query == GET_QUERY


def test_url_without_a_query_has_no_question_mark() -> None:
    request = make("/plain")
    assert request.query_string == ""
    assert request.url == "http://example.com/plain"
    assert request.url_parts.query == ""


def test_url_uses_the_scheme_mongrel2_reports() -> None:
    request = make("/s", {"URL_SCHEME": "https", "QUERY": "x=1"})
    assert request.scheme == "https"
    assert request.url == "https://example.com/s?x=1"


@PROTOCOLS
def test_http10_request_without_host(protocol: str) -> None:
    request = capture("http10", protocol)
    assert request.version == "HTTP/1.0"
    assert request.path == "/old"
    assert request.query_string == "x=1"
    assert "host" not in request.headers
    # No Host: the URL has an empty authority (nothing better is known).
    assert request.url == "http:///old?x=1"
    assert request.url_parts.path == "/old"


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("/plain", "/plain"),
        ("/a%20b", "/a b"),
        ("/caf%C3%A9", "/caf\u00e9"),
        ("/bad%FF", "/bad\ufffd"),  # invalid UTF-8 escape: replaced, not an error
        ("/slash%2Fin", "/slash/in"),
        ("/plus+stays", "/plus+stays"),  # + is a space only in query strings
    ],
)
def test_decoded_path(raw: str, decoded: str) -> None:
    request = make(raw)
    assert request.path == raw
    assert request.decoded_path == decoded


def test_decoded_path_of_raw_utf8_bytes() -> None:
    # Mongrel2's parser lets bytes >= 0x80 through in the path ("national" chars).
    assert make("/caf\u00e9").decoded_path == "/caf\u00e9"


def test_decoded_path_replaces_a_raw_invalid_byte() -> None:
    request = make("/caf\udce9")  # the raw byte 0xE9 on the wire
    assert request.decoded_path == "/caf\ufffd"


def test_missing_server_headers_have_defaults() -> None:
    message = format_request(SENDER, 1, "/x", {"METHOD": "GET"}, b"")
    request = Request.parse_msg(message)
    assert request.version is None
    assert request.query_string == ""
    assert request.scheme == "http"
    assert request.remote_addr is None
    assert request.content_type is None
    assert request.accept is None
    assert request.url == "http:///x"
    assert request.should_close() is False


def test_repr_names_method_path_and_connection() -> None:
    assert repr(make("/r")) == "<Request GET /r conn=7>"


# -- headers -----------------------------------------------------------------------


@PROTOCOLS
def test_content_type_and_accept_from_captures(protocol: str) -> None:
    assert capture("get_query", protocol).accept == "text/html"
    assert capture("get_query", protocol).content_type is None
    assert capture("post_form", protocol).content_type == "application/x-www-form-urlencoded"
    assert capture("multipart", protocol).content_type == (
        f"multipart/form-data; boundary={BOUNDARY}"
    )
    assert capture("post_form", protocol).accept is None


@PROTOCOLS
def test_headers_are_case_insensitive(protocol: str) -> None:
    headers = capture("get_query", protocol).headers
    assert headers["Accept"] == headers["accept"] == headers["ACCEPT"] == "text/html"
    assert headers["User-Agent"] == "brubeck-acceptance-capture/1.0"
    assert "X-Forwarded-For" in headers
    assert "x-missing" not in headers
    assert headers.get("X-Missing") is None
    with pytest.raises(KeyError):
        headers["X-Missing"]


@PROTOCOLS
def test_repeated_headers_join_and_get_all(protocol: str) -> None:
    headers = capture("repeated_headers", protocol).headers
    assert headers["X-Foo"] == "one, two"
    assert headers.get_all("x-foo") == ["one", "two"]
    assert headers["Cookie"] == "a=1; b=2"  # RFC 6265 §5.4: cookies join with "; "
    assert headers.get_all("COOKIE") == ["a=1", "b=2"]
    assert headers.get_all("x-missing") == []


def test_get_all_returns_a_copy() -> None:
    request = make(headers={"x-foo": ["one", "two"]})
    request.headers.get_all("x-foo").append("three")
    assert request.headers.get_all("x-foo") == ["one", "two"]


def test_a_repeated_accept_is_joined() -> None:
    request = make(headers={"accept": ["text/html", "application/json"]})
    assert request.accept == "text/html, application/json"


@PROTOCOLS
def test_weird_header_values_survive(protocol: str) -> None:
    request = capture("weird_header", protocol)
    headers = request.headers
    assert headers["X-Quote"] == 'say "hi" \\o/'
    assert headers["X-Tab"] == "a\tb"
    # A non-UTF-8 byte is obs-text: read as Latin-1, text a handler can echo.
    assert headers["X-Latin1"] == "caf\u00e9"
    assert request.message.headers["x-latin1"].encode("utf-8", "surrogateescape") == b"caf\xe9"


def test_headers_iterate_their_names() -> None:
    request = make(headers={"x-one": "1"})
    assert "x-one" in list(request.headers)
    assert "METHOD" in list(request.headers)
    assert len(request.headers) == len(request.message.headers)


# -- remote_addr ---------------------------------------------------------------------


@PROTOCOLS
def test_remote_addr_of_a_capture(protocol: str) -> None:
    assert capture("get_query", protocol).remote_addr == "127.0.0.1"
    assert capture("get_query", protocol, trusted_proxies=1).remote_addr == "127.0.0.1"


def test_remote_addr_ignores_x_forwarded_for_by_default() -> None:
    request = make(headers={"x-forwarded-for": "6.6.6.6"})
    assert request.trusted_proxies == 0
    assert request.remote_addr == "10.0.0.1"


XFF = ["1.1.1.1, 2.2.2.2", "3.3.3.3"]  # two headers: the hops, left to right


@pytest.mark.parametrize(
    ("trusted", "expected"),
    [
        (0, "10.0.0.1"),
        (-1, "10.0.0.1"),
        (1, "3.3.3.3"),
        (2, "2.2.2.2"),
        (3, "1.1.1.1"),
        (4, "1.1.1.1"),  # fewer hops than trusted proxies: the leftmost
        (100, "1.1.1.1"),
    ],
)
@WIRE_PROTOCOLS
def test_remote_addr_with_trusted_proxies(wire: str, trusted: int, expected: str) -> None:
    request = make(headers={"x-forwarded-for": XFF}, protocol=wire, trusted_proxies=trusted)
    assert request.remote_addr == expected


def test_remote_addr_skips_blank_hops_and_spaces() -> None:
    request = make(headers={"x-forwarded-for": " 1.1.1.1 ,, 2.2.2.2 , "}, trusted_proxies=1)
    assert request.remote_addr == "2.2.2.2"


@pytest.mark.parametrize("value", ["", " , ", ","])
def test_remote_addr_falls_back_to_remote_addr_without_hops(value: str) -> None:
    request = make(headers={"x-forwarded-for": value}, trusted_proxies=2)
    assert request.remote_addr == "10.0.0.1"


def test_remote_addr_without_any_header_and_trusted_proxies() -> None:
    assert make(trusted_proxies=1).remote_addr == "10.0.0.1"


@pytest.mark.parametrize("trusted", [0, 1])
@WIRE_PROTOCOLS
def test_a_client_remote_addr_header_never_wins(wire: str, trusted: int) -> None:
    # A client sending "REMOTE_ADDR: 6.6.6.6" reaches us lowercased (Mongrel2
    # lowercases client header names); only Mongrel2's own UPPERCASE one counts.
    request = make(headers={"remote_addr": "6.6.6.6"}, protocol=wire, trusted_proxies=trusted)
    assert request.remote_addr == "10.0.0.1"


def test_client_headers_cannot_forge_server_headers() -> None:
    request = make(
        "/real",
        {"method": "DELETE", "version": "HTTP/1.0", "query": "evil=1", "url_scheme": "https"},
    )
    assert request.method == "GET"
    assert request.version == "HTTP/1.1"
    assert request.query_string == ""
    assert request.scheme == "http"
    assert request.arguments == {}


@given(
    hops=st.lists(st.ip_addresses().map(str), min_size=1, max_size=6),
    trusted=st.integers(min_value=1, max_value=8),
)
def test_remote_addr_is_always_one_of_the_hops(hops: list[str], trusted: int) -> None:
    request = make(headers={"x-forwarded-for": ", ".join(hops)}, trusted_proxies=trusted)
    assert request.remote_addr == hops[max(len(hops) - trusted, 0)]


# -- connection handling and message kinds ---------------------------------------------


@PROTOCOLS
@pytest.mark.parametrize(
    ("name", "closes"),
    [("http10", True), ("connection_close", True), ("get_query", False), ("post_form", False)],
)
def test_should_close_on_captures(protocol: str, name: str, closes: bool) -> None:
    assert capture(name, protocol).should_close() is closes


@pytest.mark.parametrize(
    ("version", "connection", "closes"),
    [
        ("HTTP/1.1", None, False),
        ("HTTP/1.1", "close", True),
        ("HTTP/1.1", "Close", True),
        ("HTTP/1.1", "keep-alive", False),
        ("HTTP/1.1", "Upgrade, close", True),
        ("HTTP/1.0", None, True),
        ("HTTP/1.0", "keep-alive", False),
        ("HTTP/1.0", "Keep-Alive", False),
        ("HTTP/1.0", "keep-alive, close", True),
    ],
)
def test_should_close(version: str, connection: str | None, closes: bool) -> None:
    headers: Headers = {"VERSION": version}
    if connection is not None:
        headers["connection"] = connection
    assert make(headers=headers).should_close() is closes


KIND_CHECKS = ("is_disconnect", "is_upload_start", "is_upload_done", "is_websocket")


@PROTOCOLS
@pytest.mark.parametrize(
    ("name", "true_check"),
    [
        ("get_query", None),
        ("post_form", None),
        ("disconnect", "is_disconnect"),
        ("upload_start", "is_upload_start"),
        ("upload_done", "is_upload_done"),
        ("websocket_frame", "is_websocket"),
        ("websocket_handshake", "is_websocket"),
        ("websocket_close", "is_websocket"),
    ],
)
def test_kind_checks_on_captures(protocol: str, name: str, true_check: str | None) -> None:
    request = capture(name, protocol)
    for check in KIND_CHECKS:
        assert getattr(request, check)() is (check == true_check), check


@PROTOCOLS
def test_upload_done_carries_the_temp_file_headers(protocol: str) -> None:
    start, done = capture("upload_start", protocol), capture("upload_done", protocol)
    temp = start.headers["x-mongrel2-upload-start"]
    assert temp.startswith("/tmp/mongrel2.upload.")
    assert done.headers["X-Mongrel2-Upload-Start"] == temp
    assert done.headers["X-Mongrel2-Upload-Done"] == temp
    assert start.body == done.body == b""
    assert done.headers["content-length"] == "65536"
    assert start.conn_id == done.conn_id


@PROTOCOLS
def test_websocket_frame(protocol: str) -> None:
    request = capture("websocket_frame", protocol)
    assert request.method == "WEBSOCKET"
    assert request.headers["FLAGS"] == "0x81"
    assert request.body == b"hello websocket"
    assert request.data == {}  # not a JSON message


@PROTOCOLS
def test_disconnect(protocol: str) -> None:
    request = capture("disconnect", protocol)
    assert request.path == "@*"
    assert request.method == "JSON"
    assert request.data == {"type": "disconnect"}
    assert request.arguments == {}
    assert request.cookies == {}
    assert request.remote_addr is None


# -- data ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "data"),
    [
        (b'{"msg": "hi", "n": [1, 2]}', {"msg": "hi", "n": [1, 2]}),
        (b"[1, 2]", [1, 2]),
        (b"{bad json", {}),  # undecodable: an empty dict, not an error
        (b"", {}),
    ],
)
@WIRE_PROTOCOLS
def test_data_of_a_json_socket_message(wire: str, body: bytes, data: object) -> None:
    request = make("@chat", {"METHOD": "JSON"}, body, wire)
    assert request.kind is MessageKind.JSON_SOCKET
    assert request.data == data


@PROTOCOLS
def test_data_is_empty_for_http_even_with_a_json_body(protocol: str) -> None:
    request = capture("json_post", protocol)
    assert request.content_type == "application/json"
    assert request.body.startswith(b'{"title": "Watch more bsg"')
    assert request.data == {}


# -- arguments -----------------------------------------------------------------------------


@PROTOCOLS
def test_query_arguments_of_a_real_get(protocol: str) -> None:
    request = capture("get_query", protocol)
    assert request.arguments == {
        "name": ["brubeck"],
        "a": ["1", "2"],
        "empty": [""],
        "sp": ["hello world"],
        "plus": ["a b"],
    }
    assert request.files == {}
    assert request.get_argument("a") == "2"  # the last value
    assert request.get_arguments("a") == ["1", "2"]
    assert request.get_argument("empty") == ""  # blank kept, not the default
    assert request.get_argument("empty", "dflt") == ""
    assert request.get_argument("sp") == "hello world"
    assert request.get_argument("plus") == "a b"


@PROTOCOLS
def test_form_arguments_merge_after_the_query(protocol: str) -> None:
    request = capture("post_form", protocol)
    assert request.arguments == {
        "q": ["query"],
        "name": ["brubeck"],
        "x": ["1", "2"],
        "blank": [""],
        "msg": ["take five!"],
    }
    assert request.files == {}


@WIRE_PROTOCOLS
def test_query_values_come_before_form_values(wire: str) -> None:
    request = form(b"x=form&y=2", query="x=query", protocol=wire)
    assert request.arguments == {"x": ["query", "form"], "y": ["2"]}
    assert request.get_argument("x") == "form"
    assert request.get_arguments("x") == ["query", "form"]


def test_form_content_type_with_parameters_and_case() -> None:
    headers: Headers = {"content-type": "Application/X-WWW-Form-Urlencoded; charset=UTF-8"}
    request = make("/f", headers, b"a=1", method="POST")
    assert request.arguments == {"a": ["1"]}


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/json"])
def test_other_bodies_are_not_arguments(content_type: str | None) -> None:
    headers: Headers = {"QUERY": "q=1"}
    if content_type is not None:
        headers["content-type"] = content_type
    request = make("/f", headers, b"a=1&b=2", method="POST")
    assert request.arguments == {"q": ["1"]}
    assert request.files == {}


def test_get_argument_default_and_missing() -> None:
    request = make(headers={"QUERY": "a=1"})
    assert request.get_argument("missing") is None
    assert request.get_argument("missing", "fallback") == "fallback"
    assert request.get_arguments("missing") == []
    assert request.get_arguments("missing") is not None


def test_get_argument_strips_by_default() -> None:
    request = make(headers={"QUERY": "a=%20%20padded%20&a=+last+"})
    assert request.get_argument("a") == "last"
    assert request.get_argument("a", strip=False) == " last "
    assert request.get_arguments("a") == ["padded", "last"]
    assert request.get_arguments("a", strip=False) == ["  padded ", " last "]


@pytest.mark.parametrize(
    ("query", "cleaned"),
    [
        ("v=a%00b", "a b"),
        ("v=a%01%08b", "a  b"),
        ("v=a%1Fb", "a b"),
        ("v=a%0Eb", "a b"),
        # Brubeck 0.4 (like Tornado) kept TAB, LF, VT, FF, CR and DEL.
        ("v=a%09b%0Ac", "a\tb\nc"),
        ("v=a%7Fb", "a\x7fb"),
    ],
)
def test_control_characters_become_spaces(query: str, cleaned: str) -> None:
    request = make(headers={"QUERY": query})
    assert request.get_argument("v") == cleaned
    assert request.get_arguments("v") == [cleaned]


def test_control_characters_at_the_ends_are_stripped() -> None:
    request = make(headers={"QUERY": "v=%00x%1F"})
    assert request.get_argument("v") == "x"
    assert request.get_argument("v", strip=False) == " x "


@pytest.mark.parametrize(
    ("query", "value"),
    [
        ("v=%FF", "\ufffd"),
        ("v=caf%C3%A9%FF", "caf\u00e9\ufffd"),
        ("v=%C3", "\ufffd"),
        ("v=%ED%A0%80", "\ufffd\ufffd\ufffd"),  # an encoded surrogate is not UTF-8
        ("v=caf%C3%A9", "caf\u00e9"),
    ],
)
@WIRE_PROTOCOLS
def test_invalid_utf8_escapes_are_replaced(wire: str, query: str, value: str) -> None:
    request = make(headers={"QUERY": query}, protocol=wire)
    assert request.get_argument("v") == value
    assert request.get_arguments("v") == [value]


def test_invalid_utf8_in_a_form_body_is_replaced() -> None:
    request = form(b"v=%FF%FEok")
    assert request.get_argument("v") == "\ufffd\ufffdok"


def test_raw_utf8_in_a_form_body() -> None:
    request = form("v=caf\u00e9".encode())
    assert request.get_argument("v") == "caf\u00e9"


def test_too_many_form_fields_is_a_protocol_error() -> None:
    request = form(b"&".join(b"f%d=1" % i for i in range(1001)))
    with pytest.raises(ProtocolError):
        request.arguments  # noqa: B018 - the property does the parsing


def test_too_many_query_fields_is_a_protocol_error() -> None:
    request = make(headers={"QUERY": "&".join(f"q{i}=1" for i in range(1001))})
    with pytest.raises(ProtocolError):
        request.get_argument("q0")


def test_a_thousand_fields_are_fine() -> None:
    request = form(b"&".join(b"f%d=%d" % (i, i) for i in range(1000)))
    assert len(request.arguments) == 1000
    assert request.get_argument("f999") == "999"


def test_arguments_are_parsed_once() -> None:
    request = make(headers={"QUERY": "a=1"})
    assert request.arguments is request.arguments


@given(st.text(max_size=60))
def test_get_argument_never_crashes_on_any_query(query: str) -> None:
    request = make(headers={"QUERY": query})
    for name in request.arguments:
        values = request.get_arguments(name, strip=False)
        assert len(values) == len(request.arguments[name])
        for value in values:
            value.encode("utf-8")  # no lone surrogates left
            assert not any(ord(char) < 0x20 and char not in "\t\n\x0b\x0c\r" for char in value)
        assert request.get_argument(name, strip=False) == values[-1]


@given(st.binary(max_size=60))
def test_get_argument_never_crashes_on_any_form_body(body: bytes) -> None:
    request = form(body)
    for name in request.arguments:
        for value in request.get_arguments(name):
            value.encode("utf-8")


@given(st.text(min_size=1, max_size=30))
def test_any_text_round_trips_through_a_query(text: str) -> None:
    query = urllib.parse.urlencode({"v": text})
    expected = text.translate({code: " " for code in [*range(0x09), *range(0x0E, 0x20)]})
    assert make(headers={"QUERY": query}).get_argument("v", strip=False) == expected


# -- multipart -------------------------------------------------------------------------------


@PROTOCOLS
def test_multipart_capture_keeps_the_query_arguments(protocol: str) -> None:
    # Brubeck 0.4 replaced the query arguments with the multipart fields.
    request = capture("multipart", protocol)
    assert request.arguments == {"q": ["query"], "title": ["hello multipart"]}
    assert request.get_argument("q") == "query"
    assert request.get_argument("title") == "hello multipart"


@PROTOCOLS
def test_multipart_capture_files(protocol: str) -> None:
    files = capture("multipart", protocol).files
    assert set(files) == {"data", "blob"}
    (text,) = files["data"]
    assert isinstance(text, UploadedFile)
    assert text.filename == "hello.txt"
    assert text.content_type == "text/plain"
    assert text.body == b"Take five, file!\nsecond line\n"
    (blob,) = files["blob"]
    assert blob.filename == "blob.bin"
    assert blob.content_type == "application/octet-stream"
    assert blob.body == bytes(range(256)) * 4


@PROTOCOLS
def test_multipart_files_allow_0_4_dict_access(protocol: str) -> None:
    (text,) = capture("multipart", protocol).files["data"]
    assert text["filename"] == "hello.txt"
    assert text["body"] == b"Take five, file!\nsecond line\n"
    assert text["content_type"] == "text/plain"
    assert text.get("filename") == "hello.txt"
    assert text.get("nope") is None
    assert text.get("nope", "x") == "x"
    with pytest.raises(KeyError):
        text["nope"]


def test_multipart_fields_merge_after_the_query() -> None:
    body = multipart_body([("x", "part"), ("y", "")])
    request = multipart(body, f"multipart/form-data; boundary={BOUNDARY}", query="x=query")
    assert request.arguments == {"x": ["query", "part"], "y": [""]}
    assert request.get_argument("x") == "part"
    assert request.files == {}


def test_multipart_quoted_boundary() -> None:
    body = multipart_body([("a", "1")], boundary="b c")
    request = multipart(body, 'multipart/form-data; boundary="b c"')
    assert request.arguments == {"a": ["1"]}


def test_multipart_field_controls_and_invalid_utf8_are_cleaned() -> None:
    body = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="v"\r\n\r\n'.encode()
        + b" a\x00b\xff \r\n"
        + f"--{BOUNDARY}--\r\n".encode()
    )
    request = multipart(body, f"multipart/form-data; boundary={BOUNDARY}")
    assert request.get_argument("v") == "a b\ufffd"


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "multipart/form-data; charset=utf-8",
        "multipart/form-data; boundary=" + "x" * 71,  # RFC 2046: at most 70 characters
    ],
)
def test_multipart_without_a_valid_boundary_is_a_protocol_error(content_type: str) -> None:
    request = multipart(multipart_body([("a", "1")]), content_type)
    with pytest.raises(ProtocolError):
        request.arguments  # noqa: B018 - the property does the parsing
    with pytest.raises(ProtocolError):
        request.files  # noqa: B018


def test_multipart_with_too_many_fields_is_a_protocol_error() -> None:
    body = multipart_body([(f"f{i}", "v") for i in range(MAX_PARTS + 1)])
    request = multipart(body, f"multipart/form-data; boundary={BOUNDARY}")
    with pytest.raises(ProtocolError):
        request.arguments  # noqa: B018 - the property does the parsing


def test_multipart_with_the_maximum_of_fields_is_fine() -> None:
    body = multipart_body([(f"f{i}", "v") for i in range(MAX_PARTS)])
    request = multipart(body, f"multipart/form-data; boundary={BOUNDARY}")
    assert len(request.arguments) == MAX_PARTS


def test_truncated_multipart_is_a_protocol_error() -> None:
    body = multipart_body([("a", "1")])[:-10]
    request = multipart(body, f"multipart/form-data; boundary={BOUNDARY}")
    with pytest.raises(ProtocolError):
        request.get_argument("a")


def test_a_bad_multipart_body_does_not_break_the_rest_of_the_request() -> None:
    request = multipart(b"garbage", f"multipart/form-data; boundary={BOUNDARY}", query="q=1")
    assert request.method == "POST"
    assert request.query_string == "q=1"
    with pytest.raises(ProtocolError):
        request.arguments  # noqa: B018
    with pytest.raises(ProtocolError):  # not cached as a success the second time
        request.arguments  # noqa: B018


# -- cookies -------------------------------------------------------------------------------------


@PROTOCOLS
def test_cookies_from_every_cookie_header(protocol: str) -> None:
    cookies = capture("repeated_headers", protocol).cookies
    assert cookies == {"a": "1", "b": "2"}
    assert all(isinstance(value, CookieValue) for value in cookies.values())


def test_cookie_value_is_a_str_with_value() -> None:
    request = make(headers={"cookie": "session=abc123; theme=dark"})
    session = request.cookies["session"]
    assert isinstance(session, str)
    assert session == "abc123"
    assert session.value == "abc123"
    assert type(session.value) is str
    assert session.upper() == "ABC123"
    assert request.cookies["theme"].value == "dark"


@pytest.mark.parametrize(
    ("header", "cookies"),
    [
        ('q="quoted value"', {"q": "quoted value"}),
        ('q=""', {"q": ""}),
        ('q="', {"q": '"'}),
        ("a=1;b=2 ; c = 3 ", {"a": "1", "b": "2", "c": "3"}),
        ("a=1; a=2", {"a": "1"}),  # the first (most specific) wins
        ("flag; a=1; =x", {"a": "1"}),  # no name or no "=": skipped
        ("a=b=c", {"a": "b=c"}),
        ("", {}),
    ],
)
@WIRE_PROTOCOLS
def test_cookie_parsing(wire: str, header: str, cookies: dict[str, str]) -> None:
    request = make(headers={"cookie": header}, protocol=wire)
    assert request.cookies == cookies
    assert {name: value.value for name, value in request.cookies.items()} == cookies


def test_no_cookie_header_no_cookies() -> None:
    assert make().cookies == {}


def test_cookies_across_headers_first_wins() -> None:
    request = make(headers={"cookie": ["a=1; b=2", "a=3; c=4"]})
    assert request.cookies == {"a": "1", "b": "2", "c": "4"}


# -- the 0.4 entry point and errors ----------------------------------------------------------------


def test_brubeck_0_4_entry_point() -> None:
    assert brubeck.request.Request is Request
    assert brubeck.request.CookieValue is CookieValue
    data = (CAPTURE_DIR / "get_query.tnet.bin").read_bytes()
    request = brubeck.request.Request.parse_msg(data)
    assert isinstance(request, Request)
    assert request.get_argument("name") == "brubeck"
    proxied = brubeck.request.Request.parse_msg(
        format_request(SENDER, 1, "/", {"METHOD": "GET", "x-forwarded-for": "9.9.9.9"}),
        trusted_proxies=1,
    )
    assert proxied.remote_addr == "9.9.9.9"


@pytest.mark.parametrize(
    "data",
    [b"", b"garbage", b"sender 1 /path 2:{},0:,", b"sender x /p 2:{},0:,", b"s 1 / 0:}0:,extra"],
)
def test_parse_msg_refuses_malformed_messages(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        Request.parse_msg(data)


def test_request_wraps_a_message() -> None:
    request = make("/w", {"QUERY": "a=1"})
    again = Request(request.message, trusted_proxies=2)
    assert again.message is request.message
    assert (again.path, again.body, again.kind) == ("/w", b"", MessageKind.HTTP)
    assert again.trusted_proxies == 2


def test_a_client_header_never_mixes_into_mongrel2s_own() -> None:
    headers = {"PATH": "/", "METHOD": "GET", "REMOTE_ADDR": "10.0.0.1", "remote_addr": "6.6.6.6"}
    request = Request.parse_msg(format_request("s", 1, "/", headers))
    assert request.headers["REMOTE_ADDR"] == "10.0.0.1"
    assert request.headers.get_all("remote_addr") == ["10.0.0.1"]
