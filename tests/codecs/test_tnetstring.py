"""brubeck.codecs.tnetstring, run on both backends (pure Python and tnetstring3)."""

from __future__ import annotations

import datetime
import decimal
import enum
import math
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brubeck.codecs import tnetstring
from brubeck.errors import CodecError, DecodeError, EncodeError

pytestmark = pytest.mark.usefixtures("tnet_backend")

# Written out by hand from the spec: LENGTH ":" DATA TAG.
GOLDEN = [
    (b"0:~", None),
    (b"4:true!", True),
    (b"5:false!", False),
    (b"1:0#", 0),
    (b"2:42#", 42),
    (b"3:-17#", -17),
    (b"20:18446744073709551616#", 2**64),
    (b"3:1.5^", 1.5),
    (b"4:-0.5^", -0.5),
    (b"6:1e+100^", 1e100),
    (b"0:,", b""),
    (b"5:hello,", b"hello"),
    (b"6:a:b,c},", b"a:b,c}"),
    (b"0:]", []),
    (b"0:}", {}),
    (b"12:5:hello,1:1#]", [b"hello", 1]),
    (b"16:5:hello,5:world,}", {b"hello": b"world"}),
    (b"22:1:a,14:1:1#7:1:b,0:~}]}", {b"a": [1, {b"b": None}]}),
    # Mongrel2's disconnect message headers in tnetstring mode (inventory 3.4).
    (b"16:6:METHOD,4:JSON,}", {b"METHOD": b"JSON"}),
]


@pytest.mark.parametrize(("wire", "value"), GOLDEN)
def test_decode_golden(wire: bytes, value: Any) -> None:
    assert tnetstring.decode(wire) == value
    assert type(tnetstring.decode(wire)) is type(value)


@pytest.mark.parametrize(("wire", "value"), GOLDEN)
def test_encode_golden(wire: bytes, value: Any) -> None:
    assert tnetstring.encode(value) == wire


# (input, offset of the error): every one must be refused, by both backends.
HOSTILE = [
    (b"", 0),  # nothing at all
    (b"5:hello", 0),  # missing type tag
    (b"5:hell", 0),  # length beyond the data
    (b"5:hello,x", 8),  # trailing garbage
    (b"5:hello,5:hello,", 8),  # two values where one is expected
    (b"05:hello,", 0),  # leading zero in the length
    (b"a:b,", 0),  # non-digit length
    (b"-1:x,", 0),  # negative length
    (b" 1:x,", 0),  # whitespace in the length
    (b"1234567890:x,", 0),  # ten-digit length: the spec caps it at nine
    (b"999999999:x,", 0),  # nine digits but far beyond the data
    (b"hello", 0),  # no colon
    (b"3:abc?", 5),  # unknown tag
    (b"3:abc", 0),  # tag missing at the very end
    (b"4:True!", 2),  # booleans are lowercase
    (b"1:x~", 2),  # null carries no data
    (b"3:1a2#", 2),  # not an integer
    (b"1:-#", 2),  # a sign alone
    (b"4:1_00#", 2),  # no underscores in short integers
    (b"3:1.5#", 2),  # a float is not an integer
    (b"4:1.5e^", 2),  # exponent without digits
    (b"4:1.5 ^", 2),  # whitespace in a float
    (b"4:1:a,}", 2),  # a dict key without a value
    (b"10:4:1:a,]0:~}", 3),  # a list cannot be a dict key
    (b"5:1:a,x]", 6),  # garbage inside a list
    (b"5:3:ab,]", 2),  # an item running past its container
    (b"2:1:]", 2),  # an item cut short by its container
]


@pytest.mark.parametrize(("data", "offset"), HOSTILE)
def test_decode_refuses_hostile_input(data: bytes, offset: int) -> None:
    with pytest.raises(DecodeError) as caught:
        tnetstring.decode(data)
    assert caught.value.offset == offset
    assert isinstance(caught.value, CodecError)


def _nested_lists(depth: int) -> bytes:
    wire = b"0:]"
    for _ in range(depth - 1):
        wire = b"%d:%s]" % (len(wire), wire)
    return wire


def test_nesting_limit_is_512_containers() -> None:
    value = tnetstring.decode(_nested_lists(512))
    for _ in range(511):
        value = value[0]
    assert value == []
    with pytest.raises(DecodeError, match="deeper than max_depth"):
        tnetstring.decode(_nested_lists(513))


def test_nesting_far_beyond_the_limit_is_a_decode_error_not_recursion() -> None:
    with pytest.raises(DecodeError):
        tnetstring.decode(_nested_lists(50_000))


@pytest.mark.parametrize("body", [b"1" * 1_000_000 + b"x", b"0x" + b"1" * 1_000_000 + b"x"])
def test_a_megabyte_long_bad_float_is_refused_in_linear_time(body: bytes) -> None:
    # A backtracking float pattern took minutes on a few hundred KB; this
    # input would hang the suite if that came back.
    with pytest.raises(DecodeError, match="invalid float"):
        tnetstring.decode(b"%d:%s^" % (len(body), body))


def test_a_megabyte_long_float_decodes() -> None:
    body = b"1" * 1_000_000 + b".5"
    assert tnetstring.decode(b"%d:%s^" % (len(body), body)) == math.inf


def test_text_from_deep_in_the_stack_is_a_decode_error_not_recursion() -> None:
    wire = b"1:a,"
    for _ in range(499):
        wire = b"%d:%s]" % (len(wire), wire)

    def nest(levels: int) -> Any:
        return nest(levels - 1) if levels else tnetstring.decode(wire, text=True)

    depth = 0
    while True:  # find how deep the stack still lets a decode succeed, then go deeper
        try:
            nest(depth)
        except DecodeError:
            break
        depth += 50
    with pytest.raises(DecodeError):
        nest(depth)


def test_max_depth_option() -> None:
    assert tnetstring.decode(_nested_lists(3), max_depth=3) == [[[]]]
    with pytest.raises(DecodeError):
        tnetstring.decode(_nested_lists(4), max_depth=3)


def test_max_size_is_checked_before_parsing() -> None:
    assert tnetstring.decode(b"5:hello,", max_size=8) == b"hello"
    with pytest.raises(DecodeError, match="exceeds the limit"):
        tnetstring.decode(b"5:hello,", max_size=7)


def test_accepts_bytearray_and_memoryview() -> None:
    assert tnetstring.decode(bytearray(b"1:x,")) == b"x"
    assert tnetstring.decode(memoryview(b"1:x,")) == b"x"


def test_pop_returns_the_rest_of_a_stream() -> None:
    stream = b"5:hello,1:1#0:~"
    first, rest = tnetstring.pop(stream)
    second, rest = tnetstring.pop(rest)
    third, rest = tnetstring.pop(rest)
    assert (first, second, third, rest) == (b"hello", 1, None, b"")
    with pytest.raises(DecodeError):
        tnetstring.pop(b"5:hel")


def test_pop_text_option() -> None:
    assert tnetstring.pop(b"5:caf\xc3\xa9,rest", text=True) == ("café", b"rest")


def test_aliases() -> None:
    assert tnetstring.dumps is tnetstring.encode
    assert tnetstring.loads is tnetstring.decode


# -- text policy --------------------------------------------------------------

UTF8_DICT = b"19:1:k,5:caf\xc3\xa9,1:l,0:,}"


def test_text_decodes_keys_and_values_as_utf8() -> None:
    assert tnetstring.decode(UTF8_DICT) == {b"k": "café".encode(), b"l": b""}
    assert tnetstring.decode(UTF8_DICT, text=True) == {"k": "café", "l": ""}


def test_text_strict_refuses_invalid_utf8_at_its_offset() -> None:
    with pytest.raises(DecodeError, match="invalid UTF-8") as caught:
        tnetstring.decode(b"11:1:k,4:caf\xe9,}", text=True)
    assert caught.value.offset == 12


def test_text_surrogateescape_keeps_the_bytes_recoverable() -> None:
    value = tnetstring.decode(b"11:1:k,4:caf\xe9,}", text=True, errors="surrogateescape")
    assert value == {"k": "caf\udce9"}
    assert tnetstring.encode(value) == b"11:1:k,4:caf\xe9,}"


def test_text_ignores_a_value_a_repeated_key_replaced() -> None:
    # The first value of "a" is invalid UTF-8, but the second replaces it.
    assert tnetstring.decode(b"15:1:a,1:\xff,1:a,0:,}", text=True) == {"a": ""}


def test_text_replace() -> None:
    assert tnetstring.decode(b"4:caf\xe9,", text=True, errors="replace") == "caf\ufffd"


def test_text_leaves_other_types_alone() -> None:
    wire = tnetstring.encode([1, 2.5, True, None, {b"a": [b"b"]}])
    assert tnetstring.decode(wire, text=True) == [1, 2.5, True, None, {"a": ["b"]}]


# -- encoding -----------------------------------------------------------------


class Colour(enum.IntEnum):
    RED = 1


class Plan(enum.StrEnum):
    PRO = "pro"


@pytest.mark.parametrize(
    ("value", "decoded"),
    [
        ("café", "café".encode()),
        ((1, 2), [1, 2]),
        (bytearray(b"ab"), b"ab"),
        (memoryview(b"ab"), b"ab"),
        (Colour.RED, 1),
        (Plan.PRO, b"pro"),
        (uuid.UUID(int=1), b"00000000-0000-0000-0000-000000000001"),
        (decimal.Decimal("1.10"), b"1.10"),
        (datetime.datetime(2024, 5, 17, 12, 0, tzinfo=datetime.UTC), b"2024-05-17T12:00:00Z"),
        (datetime.date(2024, 5, 17), b"2024-05-17"),
        ({"k": {1, 2}}, {b"k": [1, 2]}),
        ({1: "x"}, {1: b"x"}),
    ],
)
def test_encode_converts_to_wire_types(value: Any, decoded: Any) -> None:
    assert tnetstring.decode(tnetstring.encode(value)) == decoded


@pytest.mark.parametrize(
    "value",
    [object(), 1 + 2j, {"a": [object()]}, "\ud800", {(1, 2): 3}, {frozenset([1]): 1}],
)
def test_encode_refuses_unsupported_values(value: Any) -> None:
    with pytest.raises(EncodeError):
        tnetstring.encode(value)


def test_encode_refuses_cycles_and_excess_depth() -> None:
    cycle: list[Any] = []
    cycle.append(cycle)
    with pytest.raises(EncodeError):
        tnetstring.encode(cycle)
    deep: list[Any] = []
    for _ in range(512):
        deep = [deep]
    with pytest.raises(EncodeError):
        tnetstring.encode(deep)
    assert tnetstring.decode(tnetstring.encode(deep[0])) == deep[0]


@pytest.mark.parametrize("special", [math.inf, -math.inf])
def test_non_finite_floats_round_trip(special: float) -> None:
    assert tnetstring.decode(tnetstring.encode(special)) == special


def test_nan_round_trips() -> None:
    assert math.isnan(tnetstring.decode(tnetstring.encode(math.nan)))


def test_codec_factory_applies_options() -> None:
    assert tnetstring.codec() is tnetstring.CODEC
    text_codec = tnetstring.codec(text=True)
    assert text_codec.decode(b"1:x,") == "x"
    assert text_codec.encode("x") == b"1:x,"
    small = tnetstring.codec(max_size=3)
    with pytest.raises(DecodeError):
        small.decode(b"1:x,")


# -- properties ---------------------------------------------------------------

scalars = st.none() | st.booleans() | st.integers() | st.binary() | st.floats(allow_nan=False)
keys = st.binary() | st.integers()
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(keys, children, max_size=5),
    max_leaves=30,
)


@given(values)
def test_round_trip(value: Any) -> None:
    assert tnetstring.decode(tnetstring.encode(value)) == value


text_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(), children),
    max_leaves=30,
)


@given(text_values)
def test_text_round_trip(value: Any) -> None:
    assert tnetstring.decode(tnetstring.encode(value), text=True) == value
