"""brubeck.codecs.json"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import math
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brubeck.codecs import json, tnetstring
from brubeck.errors import DecodeError, EncodeError
from tests.helpers import MONGREL2_CAPTURES, split_mongrel2_message


def test_encode_is_compact_utf8() -> None:
    assert json.encode({"a": [1, 2], "b": "café"}) == '{"a":[1,2],"b":"café"}'.encode()


@pytest.mark.parametrize(
    "data", [b'{"a":1}', '{"a":1}', bytearray(b'{"a":1}'), memoryview(b'{"a":1}'), b' {"a":1} ']
)
def test_decode_accepts_bytes_and_text(data: Any) -> None:
    assert json.decode(data) == {"a": 1}


@pytest.mark.parametrize("number", [2**64, -(2**100), 10**300])
def test_integers_of_any_size_stay_exact(number: int) -> None:
    assert json.encode(number) == str(number).encode()
    decoded = json.decode(json.encode([number]))
    assert decoded == [number]
    assert type(decoded[0]) is int


class Plan(enum.Enum):
    PRO = "pro"


@dataclasses.dataclass
class Point:
    x: int


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        ((1, 2), b"[1,2]"),
        (uuid.UUID(int=1), b'"00000000-0000-0000-0000-000000000001"'),
        (decimal.Decimal("1.10"), b'"1.10"'),
        (datetime.datetime(2024, 5, 17, 12, 0, tzinfo=datetime.UTC), b'"2024-05-17T12:00:00Z"'),
        (datetime.datetime(2024, 5, 17, 12, 0), b'"2024-05-17T12:00:00"'),
        (Plan.PRO, b'"pro"'),
        (Point(1), b'{"x":1}'),
        ({1: "a"}, b'{"1":"a"}'),
        (b"\x00\xff", b'"AP8="'),
        (math.nan, b"null"),
        (math.inf, b"null"),
    ],
)
def test_documented_conversions(value: Any, wire: bytes) -> None:
    assert json.encode(value) == wire


@pytest.mark.parametrize("value", [object(), 1j, {"k": object()}, "\ud800", {(1, 2): 3}])
def test_encode_refuses_unsupported_values(value: Any) -> None:
    with pytest.raises(EncodeError):
        json.encode(value)


def test_encode_refuses_cycles() -> None:
    cycle: list[Any] = []
    cycle.append(cycle)
    with pytest.raises(EncodeError):
        json.encode(cycle)


@pytest.mark.parametrize(
    ("data", "offset"),
    [
        (b'{"a": 1,}', 8),
        (b'{"a": 1} x', 9),
        (b"{}\x00", 2),
        (b"NaN", 0),
        (b"[1, 2", 5),  # truncated: it failed at the end
        (b"", 0),
        (b'"caf\xe9"', 4),
        (b'{"a":"caf\xe9"}', 9),
        (b'"\xff"', 1),
    ],
)
def test_decode_errors_carry_the_offset(data: bytes, offset: int) -> None:
    with pytest.raises(DecodeError) as caught:
        json.decode(data)
    assert caught.value.offset == offset


@pytest.mark.parametrize("data", [b"{}\x00", b'{"a": 1} x', b"[1, 2"])
def test_strict_and_lenient_report_the_same_offset(data: bytes) -> None:
    with pytest.raises(DecodeError) as strict:
        json.decode(data)
    with pytest.raises(DecodeError) as lenient:
        json.decode(data, lenient=True)
    assert strict.value.offset == lenient.value.offset


def test_text_with_a_lone_surrogate_is_a_decode_error() -> None:
    with pytest.raises(DecodeError, match="lone surrogate"):
        json.decode('"\ud800"')


@pytest.mark.parametrize("lenient", [False, True])
def test_numbers_beyond_float_range_are_refused(lenient: bool) -> None:
    with pytest.raises(DecodeError, match="out of range"):
        json.decode(b"[1e99999]", lenient=lenient)


@pytest.mark.parametrize("lenient", [False, True])
def test_deep_nesting_is_a_decode_error(lenient: bool) -> None:
    with pytest.raises(DecodeError):
        json.decode(b"[" * 100_000 + b"]" * 100_000, lenient=lenient)


def test_max_size() -> None:
    assert json.decode(b"[1]", max_size=3) == [1]
    with pytest.raises(DecodeError, match="exceeds the limit"):
        json.decode(b"[1] ", max_size=3)


# -- lenient mode (Mongrel2 headers) ------------------------------------------


def test_lenient_accepts_control_characters_and_invalid_utf8() -> None:
    data = b'{"x-tab":"a\tb","x-latin1":"caf\xe9"}'
    with pytest.raises(DecodeError):
        json.decode(data)
    value = json.decode(data, lenient=True)
    assert value == {"x-tab": "a\tb", "x-latin1": "caf\udce9"}
    assert value["x-latin1"].encode("utf-8", "surrogateescape") == b"caf\xe9"


@pytest.mark.parametrize(
    # Inputs whose error the stdlib reports alike on 3.11-3.13 (3.13 words a
    # trailing comma differently, at another offset).
    ("data", "offset"),
    [(b'{"a":"\xe9" 1}', 9), (b"NaN", None), (b'["\xe9" 1]', 5)],
)
def test_lenient_still_refuses_malformed_json(data: bytes, offset: int | None) -> None:
    with pytest.raises(DecodeError) as caught:
        json.decode(data, lenient=True)
    assert caught.value.offset == offset


def test_lenient_refuses_a_trailing_comma() -> None:
    with pytest.raises(DecodeError) as caught:
        json.decode(b'{"a":"\xe9", }', lenient=True)
    assert caught.value.offset in (8, 10)  # the comma (3.13) or the brace (3.11, 3.12)


def _json_headers(path: Path) -> bytes:
    headers, _ = tnetstring.pop(split_mongrel2_message(path.read_bytes())[3])
    assert isinstance(headers, bytes)
    return headers


JSON_CAPTURES = [path for path in MONGREL2_CAPTURES if path.name.endswith(".json.bin")]


@pytest.mark.parametrize("capture", JSON_CAPTURES, ids=lambda path: path.name)
def test_every_real_mongrel2_json_header_decodes_like_its_tnetstring_twin(capture: Path) -> None:
    from_json = json.decode(_json_headers(capture), lenient=True)
    twin = capture.with_name(capture.name.replace(".json.bin", ".tnet.bin"))
    tnet_rest = split_mongrel2_message(twin.read_bytes())[3]
    from_tnet, _ = tnetstring.pop(tnet_rest, text=True, errors="surrogateescape")
    for upload in ("x-mongrel2-upload-start", "x-mongrel2-upload-done"):
        # Each capture made its own temp file: compare presence, not the name.
        assert (upload in from_json) == (upload in from_tnet)
        from_json.pop(upload, None)
        from_tnet.pop(upload, None)
    assert from_json == from_tnet


def test_weird_header_capture_needs_lenient_mode() -> None:
    raw = _json_headers(Path(JSON_CAPTURES[0]).with_name("weird_header.json.bin"))
    with pytest.raises(DecodeError):
        json.decode(raw)
    headers = json.decode(raw, lenient=True)
    assert headers["x-tab"] == "a\tb"
    assert headers["x-quote"] == 'say "hi" \\o/'
    assert headers["x-latin1"] == "caf\udce9"


def test_codec_factory() -> None:
    assert json.codec() is json.CODEC
    lenient = json.codec(lenient=True)
    assert lenient.decode(b'"\t"') == "\t"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(), children),
    max_leaves=30,
)


@given(json_values)
def test_round_trip(value: Any) -> None:
    assert json.decode(json.encode(value)) == value
    assert json.decode(json.encode(value).decode()) == value
    assert json.decode(json.encode(value), lenient=True) == value
