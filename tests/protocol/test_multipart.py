"""brubeck.protocol.multipart"""

from __future__ import annotations

import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brubeck.errors import ProtocolError
from brubeck.protocol import mongrel2
from brubeck.protocol.multipart import (
    MAX_PART_HEADER_BYTES,
    MAX_PARTS,
    UploadedFile,
    boundary_of,
    parse_multipart,
)
from tests.helpers import DATA

Fields = dict[str, list[str]]
Files = dict[str, list[UploadedFile]]

# What Firefox sends for a form with two text inputs, a two-file <input multiple>,
# a file picked on Windows by an old browser and a name only filename* can carry.
BOUNDARY = "---------------------------9051914041544843365972754266"
BROWSER_BODY = (
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="title"\r\n'
    "\r\n"
    "Take Five\r\n"
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="note"\r\n'
    "\r\n"
    "caf\u00e9\r\nline two\r\n"
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="docs"; filename="a.txt"\r\n'
    "Content-Type: text/plain\r\n"
    "\r\n"
    "Content of a.txt.\n\r\n"
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="docs"; filename="b.html"\r\n'
    "Content-Type: text/html\r\n"
    "\r\n"
    "<!DOCTYPE html><title>b</title>\r\n"
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="legacy"; filename="C:\\Users\\dave\\take5.mid"\r\n'
    "Content-Type: audio/midi\r\n"
    "\r\n"
    "MThd\x00\x00\x00\x06\r\n"
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="intl"; filename="fallback.txt"; '
    "filename*=UTF-8''%E2%82%AC%20rates.txt\r\n"
    "\r\n"
    "\xff\xfe\r\n"
    f"--{BOUNDARY}--\r\n"
).encode()


def body_of(boundary: str, *parts: bytes, close: bytes = b"--\r\n") -> bytes:
    """A body with ``parts`` (header block, blank line, content) between delimiters."""
    dash = b"--" + boundary.encode("ascii")
    return b"".join(dash + b"\r\n" + part + b"\r\n" for part in parts) + dash + close


def field(name: str, value: bytes, *headers: str) -> bytes:
    head = [f'Content-Disposition: form-data; name="{name}"', *headers]
    return "\r\n".join(head).encode() + b"\r\n\r\n" + value


def test_a_browser_body() -> None:
    fields, files = parse_multipart(BROWSER_BODY, BOUNDARY)
    assert fields == {"title": ["Take Five"], "note": ["caf\u00e9\r\nline two"]}
    assert files["docs"] == [
        UploadedFile("a.txt", b"Content of a.txt.\n", "text/plain"),
        UploadedFile("b.html", b"<!DOCTYPE html><title>b</title>", "text/html"),
    ]
    assert files["legacy"] == [UploadedFile("take5.mid", b"MThd\0\0\0\x06", "audio/midi")]
    intl = files["intl"][0]
    assert intl.filename == "\u20ac rates.txt"  # filename* wins over filename
    assert intl.body == "\xff\xfe".encode()
    assert intl.content_type == "application/octet-stream"


def test_the_real_mongrel2_capture() -> None:
    message = mongrel2.parse((DATA / "mongrel2" / "multipart.json.bin").read_bytes())
    content_type = "multipart/form-data; boundary=----brubeckAcceptanceBoundary7MA4YWxkTrZu0gW"
    boundary = boundary_of(content_type)
    assert boundary is not None
    fields, files = parse_multipart(message.body, boundary)
    assert fields == {"title": ["hello multipart"]}
    assert files == {
        "data": [UploadedFile("hello.txt", b"Take five, file!\nsecond line\n", "text/plain")],
        "blob": [UploadedFile("blob.bin", bytes(range(256)) * 4, "application/octet-stream")],
    }


def test_preamble_and_epilogue_are_ignored() -> None:
    body = b"This is the preamble.\r\n" + body_of("b", field("x", b"1"), close=b"--\r\nepilogue")
    assert parse_multipart(body, "b") == ({"x": ["1"]}, {})
    # The close delimiter may end the body, and padding may follow a delimiter.
    assert parse_multipart(b"--b \t\r\n" + field("x", b"1") + b"\r\n--b--", "b") == (
        {"x": ["1"]},
        {},
    )


def test_an_empty_form() -> None:
    assert parse_multipart(b"--b--\r\n", "b") == ({}, {})


def test_false_delimiters_stay_in_the_content() -> None:
    # A delimiter is CRLF "--b", then "--", or padding and CRLF: none of these is.
    tricky = b"x--b\r\n--bb\r\n--b-x\r\n--b \tx\r\n-b\n--b\r--b--\r\n"
    body = body_of("b", field("x", tricky), field("y", b"x --b--"))
    assert parse_multipart(body, "b") == ({"x": [tricky.decode()], "y": ["x --b--"]}, {})


def test_repeated_names_keep_their_order() -> None:
    body = body_of("b", field("x", b"1"), field("y", b"2"), field("x", b"3"), field("x", b""))
    assert parse_multipart(body, "b") == ({"x": ["1", "3", ""], "y": ["2"]}, {})


def test_an_empty_file_input_is_skipped() -> None:
    empty = b'Content-Disposition: form-data; name="f"; filename=""\r\n\r\n'
    unnamed = b'Content-Disposition: form-data; name="f"; filename=""\r\n\r\ndata'
    dotdot = b'Content-Disposition: form-data; name="g"; filename="../.."\r\n\r\n\0'
    empty_file = b'Content-Disposition: form-data; name="h"; filename="e.txt"\r\n\r\n'
    _, files = parse_multipart(body_of("b", empty, unnamed, dotdot, empty_file), "b")
    assert files == {
        "f": [UploadedFile("", b"data")],
        "g": [UploadedFile("", b"\0")],
        "h": [UploadedFile("e.txt", b"")],
    }


def test_charset_and_invalid_bytes() -> None:
    body = body_of(
        "b",
        field(
            "latin", "caf\u00e9".encode("latin-1"), "Content-Type: text/plain; charset=ISO-8859-1"
        ),
        field("bad", b"caf\xe9"),
        field("unknown", b"caf\xc3\xa9", "Content-Type: text/plain; charset=no-such-codec"),
        field("binary", b"Y2Fm", 'Content-Type: text/plain; charset="base64"'),
    )
    fields, _ = parse_multipart(body, "b")
    assert fields == {
        "latin": ["caf\u00e9"],
        "bad": ["caf\udce9"],
        "unknown": ["caf\u00e9"],
        "binary": ["Y2Fm"],
    }
    assert fields["bad"][0].encode("utf-8", "surrogateescape") == b"caf\xe9"


def test_headers_are_lenient() -> None:
    part = (
        b"content-type: text/plain\n"
        b"X-Ignored\n"
        b"CONTENT-DISPOSITION: Form-Data;\n"
        b'\tNAME="x";FILENAME = "a\\"b\\\\c.txt" ; extra\n'
        b"Content-Disposition: form-data; name=ignored\n"
        b"\n"
        b"data"
    )
    _, files = parse_multipart(body_of("b", part), "b")
    assert files == {"x": [UploadedFile("c.txt", b"data", "text/plain")]}


@pytest.mark.parametrize(
    ("disposition", "filename"),
    [
        ('filename="/etc/passwd"', "passwd"),
        ('filename="C:\\\\x\\\\y.txt"', "y.txt"),  # properly escaped
        ('filename="\\\\server\\share\\z.txt"', "z.txt"),
        ("filename=plain.txt", "plain.txt"),
        ("filename*=UTF-8''..%2F..%2Fetc%2Fpasswd", "passwd"),
        ("filename*=utf-8'en'%C3%A9t%C3%A9.txt; filename=\"ete.txt\"", "\u00e9t\u00e9.txt"),
        ("filename*=ISO-8859-1''%E9t%E9.txt", "\u00e9t\u00e9.txt"),
        ('filename*=broken; filename="ok.txt"', "ok.txt"),
        ("filename=\"x.txt\"; filename*=nope''%E2%82%AC", "\u20ac"),
    ],
)
def test_file_names(disposition: str, filename: str) -> None:
    part = f'Content-Disposition: form-data; name="f"; {disposition}\r\n\r\n.'.encode()
    _, files = parse_multipart(body_of("b", part), "b")
    assert files["f"][0].filename == filename


END = -1  # the error is at the end of the body


@pytest.mark.parametrize(
    ("body", "reason", "offset"),
    [
        (b"", "no opening multipart delimiter", 0),
        (b"--bx\r\n" + field("x", b"1") + b"\r\n--b-", "no opening multipart delimiter", 0),
        (b"--b\r\n" + field("x", b"1"), "no close delimiter", END),
        (b"--b\r\n" + field("x", b"1") + b"\r\n--b", "no close delimiter", END),
        (b"--b\r\n" + field("x", b"1") + b"\r\n--b\n", "no close delimiter", END),
        (body_of("b", b"Content-Type: text/plain\r\n\r\nx"), "form-data name", 5),
        (body_of("b", b'Content-Disposition: attachment; name="x"\r\n\r\n'), "form-data name", 5),
        (body_of("b", b"Content-Disposition: form-data\r\n\r\n"), "form-data name", 5),
        (body_of("b", b"\r\nno headers"), "form-data name", 5),
        (body_of("b", field("x", b"")[:-4]), "without its blank line", 5),
        (body_of("b", b"X: " + b"y" * MAX_PART_HEADER_BYTES + b"\r\n\r\n"), "over 8192 bytes", 5),
    ],
)
def test_errors(body: bytes, reason: str, offset: int) -> None:
    with pytest.raises(ProtocolError, match=reason) as caught:
        parse_multipart(body, "b")
    assert caught.value.offset == (len(body) if offset == END else offset)


def header_block(size: int) -> bytes:
    """A part whose header block (before the blank line) is ``size`` bytes."""
    disposition = b'Content-Disposition: form-data; name="x"\r\n'
    padding = b"X: " + b"y" * (size - len(disposition) - 5) + b"\r\n"
    block = disposition + padding
    assert len(block) == size
    return block + b"\r\nvalue"


def test_the_header_block_limit_is_exact() -> None:
    assert parse_multipart(body_of("b", header_block(MAX_PART_HEADER_BYTES)), "b")[0] == {
        "x": ["value"]
    }
    with pytest.raises(ProtocolError, match="over 8192 bytes"):
        parse_multipart(body_of("b", header_block(MAX_PART_HEADER_BYTES + 1)), "b")


def test_too_many_parts() -> None:
    assert MAX_PARTS == 1000
    body = body_of("b", *[field("x", b"")] * 3)
    assert parse_multipart(body, "b", max_parts=3)[0] == {"x": ["", "", ""]}
    with pytest.raises(ProtocolError, match="more than 2 parts") as caught:
        parse_multipart(body, "b", max_parts=2)
    assert caught.value.offset == body.rindex(b"Content-Disposition")
    with pytest.raises(ProtocolError, match="more than 1000 parts"):
        parse_multipart(body_of("b", *[field("x", b"")] * 1001), "b")


@pytest.mark.parametrize(
    "boundary", ["", "x" * 71, "ends with space ", "caf\u00e9", "a\r\nb", "a;b"]
)
def test_invalid_boundaries(boundary: str) -> None:
    with pytest.raises(ProtocolError, match="invalid multipart boundary") as caught:
        parse_multipart(b"--x--", boundary)
    assert caught.value.offset is None


@pytest.mark.parametrize(
    ("content_type", "boundary"),
    [
        ("multipart/form-data; boundary=abc", "abc"),
        ('multipart/form-data; boundary="a b:c?"', "a b:c?"),
        ("Multipart/Form-Data ; BOUNDARY=abc ; charset=utf-8", "abc"),
        ("multipart/form-data;charset=utf-8;boundary=" + "x" * 70, "x" * 70),
        ('multipart/form-data; boundary="a;b"', None),
        ("multipart/form-data; boundary=" + "x" * 71, None),
        ('multipart/form-data; boundary=""', None),
        ('multipart/form-data; boundary="trailing "', None),
        ("multipart/form-data", None),
        ("multipart/form-data; charset=utf-8", None),
        ("multipart/mixed; boundary=abc", None),
        ("application/x-www-form-urlencoded", None),
        ("", None),
    ],
)
def test_boundary_of(content_type: str, boundary: str | None) -> None:
    assert boundary_of(content_type) == boundary


def test_uploaded_files_read_like_04_dicts() -> None:
    upload = UploadedFile("a.txt", b"hi", "text/plain")
    assert (upload["filename"], upload["body"], upload["content_type"]) == (
        "a.txt",
        b"hi",
        "text/plain",
    )
    assert upload.get("body") == b"hi"
    assert upload.get("size") is None
    assert upload.get("size", 0) == 0
    with pytest.raises(KeyError):
        upload["size"]
    assert UploadedFile("b", b"").content_type == "application/octet-stream"


def test_work_is_linear() -> None:
    # A million near-delimiters and a huge header block: fast, or this hangs.
    noise = b"\r\n--bx" * 1_000_000
    assert parse_multipart(body_of("b", field("x", noise)), "b")[0]["x"][0] == noise.decode()
    with pytest.raises(ProtocolError, match="over"):
        parse_multipart(body_of("b", b"X: " + b"y" * 10_000_000), "b")


# -- round trip and fuzzing ---------------------------------------------------------

BCHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'()+_,-./:=? "
boundaries = st.text(BCHARS, min_size=1, max_size=70).filter(lambda b: not b.endswith(" "))
header_text = st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=20)
file_names = header_text.filter(lambda n: n not in ("", ".", "..") and not set(n) & set("/\\"))


def quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def encode(boundary: str, parts: list[tuple[str, str | tuple[str, bytes, str, bool]]]) -> bytes:
    """A multipart body: each part a field ``(name, text)`` or a file
    ``(name, (filename, body, content type, as filename*))``."""
    chunks = [b"preamble\r\n"]
    for name, value in parts:
        disposition = f"form-data; name={quote(name)}"
        if isinstance(value, str):
            head, content = f"Content-Disposition: {disposition}", value.encode()
        else:
            filename, content, content_type, extended = value
            if extended:
                disposition += "; filename*=UTF-8''" + urllib.parse.quote(filename)
            else:
                disposition += f"; filename={quote(filename)}"
            head = f"Content-Disposition: {disposition}\r\nContent-Type: {content_type}"
        chunks.append(f"--{boundary}\r\n{head}\r\n\r\n".encode() + content + b"\r\n")
    chunks.append(f"--{boundary}--\r\nepilogue".encode())
    return b"".join(chunks)


def without_delimiter(content: bytes, boundary: str) -> bytes:
    """``content`` with every delimiter broken (an encoder picks a boundary that does
    not occur; the boundary itself may, which tests false delimiters)."""
    delimiter = b"\r\n--" + boundary.encode()
    return (b"\r\n" + content).replace(delimiter, b"\r\n-~-" + boundary.encode())[2:]


@st.composite
def forms(draw: st.DrawFn) -> tuple[str, list[tuple[str, str | tuple[str, bytes, str, bool]]]]:
    boundary = draw(boundaries)
    tricky = st.sampled_from([b"\r\n", b"--", b"\r\n--", boundary.encode(), b" ", b"\t"])
    contents = st.lists(tricky | st.binary(max_size=10), max_size=8).map(b"".join)
    texts = st.lists(st.sampled_from(["\r\n", "--", boundary]) | st.text(max_size=10), max_size=8)
    field_values = texts.map("".join)
    files = st.tuples(
        file_names, contents, st.sampled_from(["text/plain", "image/png"]), st.booleans()
    )
    parts = draw(st.lists(st.tuples(header_text, field_values | files), max_size=8))
    fixed: list[tuple[str, str | tuple[str, bytes, str, bool]]] = []
    for name, value in parts:
        if isinstance(value, str):
            fixed.append((name, without_delimiter(value.encode(), boundary).decode()))
        else:
            fixed.append((name, (value[0], without_delimiter(value[1], boundary), *value[2:])))
    return boundary, fixed


@given(forms())
def test_round_trip(form: tuple[str, list[tuple[str, str | tuple[str, bytes, str, bool]]]]) -> None:
    boundary, parts = form
    expected_fields: Fields = {}
    expected_files: Files = {}
    for name, value in parts:
        if isinstance(value, str):
            expected_fields.setdefault(name, []).append(value)
        else:
            expected_files.setdefault(name, []).append(UploadedFile(value[0], value[1], value[2]))
    assert parse_multipart(encode(boundary, parts), boundary) == (expected_fields, expected_files)
    assert boundary_of(f"multipart/form-data; boundary={quote(boundary)}") == boundary


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    boundary, parts = draw(forms())
    body = bytearray(encode(boundary, parts))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(body)))
        edit = draw(st.sampled_from(["cut", "flip", "insert", "delete"]))
        if edit == "cut":
            del body[at:]
        elif edit == "flip" and at < len(body):
            body[at] ^= draw(st.integers(1, 255))
        elif edit == "insert":
            tricky = [b"\r\n", b"\n", b"--", b'"', b"\\", b";", b"=", boundary.encode()]
            body[at:at] = draw(st.sampled_from(tricky) | st.binary(max_size=8))
        else:
            del body[at : at + draw(st.integers(1, 40))]
    return boundary, bytes(body)


@given(mutated(), st.integers(0, 10))
def test_mutated_bodies_raise_only_protocol_errors(form: tuple[str, bytes], max_parts: int) -> None:
    boundary, body = form
    try:
        fields, files = parse_multipart(body, boundary, max_parts)
    except ProtocolError:
        return
    assert all(isinstance(v, str) for values in fields.values() for v in values)
    for uploads in files.values():
        assert all(not set(upload.filename) & set("/\\") for upload in uploads)


@given(st.binary(max_size=200), st.text(max_size=80))
def test_any_bytes_and_boundary_raise_only_protocol_errors(body: bytes, boundary: str) -> None:
    try:
        parse_multipart(body, boundary)
    except ProtocolError:
        pass


@given(st.text(max_size=100))
def test_boundary_of_never_raises(content_type: str) -> None:
    boundary = boundary_of("multipart/form-data; " + content_type)
    assert boundary is None or 0 < len(boundary) <= 70


CHARSETS = [
    "utf-8",
    "utf-16",
    "utf-7",
    "punycode",
    "idna",
    "unicode_escape",
    "rot13",
    "zlib",
    "undefined",
]


@given(st.sampled_from(CHARSETS) | header_text, st.binary(max_size=30))
def test_any_charset_and_bytes_decode(charset: str, content: bytes) -> None:
    header = "Content-Type: text/plain; charset=" + quote(charset)
    body = body_of("b", field("x", without_delimiter(content, "b"), header))
    fields, _ = parse_multipart(body, "b")
    assert isinstance(fields["x"][0], str)


@pytest.mark.parametrize("charset", ["unicode_escape", "raw_unicode_escape", "utf-7", "punycode"])
def test_a_client_cannot_pick_an_escape_interpreting_codec(charset: str) -> None:
    header = "Content-Type: text/plain; charset=" + charset
    body = body_of("b", field("x", b"\\u0041+AEE-", header))
    fields, _ = parse_multipart(body, "b")
    assert fields["x"] == ["\\u0041+AEE-"]  # read as UTF-8, escapes left alone
