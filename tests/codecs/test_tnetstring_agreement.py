"""The pure-Python tnetstring parser and tnetstring3 give the same answers.

Each input is decoded by both backends; both must return equal values (by
``repr``, so NaN compares) or both must raise DecodeError.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brubeck.codecs import tnetstring
from brubeck.errors import DecodeError
from tests.helpers import MONGREL2_CAPTURES, split_mongrel2_message

pytestmark = pytest.mark.skipif(not tnetstring.ACCELERATED, reason="tnetstring3 not installed")


@contextmanager
def pure_backend() -> Iterator[None]:
    saved = tnetstring._c_pop, tnetstring._c_dumps
    tnetstring._c_pop = tnetstring._c_dumps = None
    try:
        yield
    finally:
        tnetstring._c_pop, tnetstring._c_dumps = saved


def outcome(function: Callable[[], Any]) -> tuple[str, str]:
    try:
        return "ok", repr(function())
    except DecodeError:
        return "error", ""


def assert_agree(data: bytes, **options: Any) -> tuple[str, str]:
    accelerated = outcome(lambda: tnetstring.decode(data, **options))
    with pure_backend():
        pure = outcome(lambda: tnetstring.decode(data, **options))
    assert pure == accelerated, data
    return pure


# Lax or odd forms, with the answer both must give (None: refused).
CORNERS: list[tuple[bytes, Any]] = [
    (b"3:+12#", 12),
    (b"4:0012#", 12),
    (b"2:-0#", 0),
    (b"25:1_000_000_000_000_000_000#", 10**18),  # >= 19 bytes: CPython's int()
    (b"20:1000000000000000000 #", 10**18),
    (b"20: 100000000000000000#", None),
    (b"20:+_00000000000000000#", None),
    (b"19:\xd9\xa30000000000000000#", None),
    (b"2:\xd9\xa3#", None),
    (b"4:0x10^", 16.0),
    (b"8:0x1.8p+1^", 3.0),
    (b"4:0x.8^", 0.5),
    (b"3:0x.^", None),
    (b"9:0x1p99999^", math.inf),
    (b"5:0x1p^", None),
    (b"3:inf^", math.inf),
    (b"8:Infinity^", math.inf),
    (b"4:-INF^", -math.inf),
    (b"3:nan^", math.nan),
    (b"4:+NaN^", math.nan),
    (b"8:nan(123)^", math.nan),
    (b"5:nan(x^", None),
    (b"2:1.^", 1.0),
    (b"2:.5^", 0.5),
    (b"1:.^", None),
    (b"5:1e999^", math.inf),
    (b"6:-.5e-3^", -0.0005),
    (b"5:1_0.0^", None),
    (b"4: 1.5^", None),
    (b"10:4:true!0:~}", {True: None}),
    (b"9:3:1.5^0:~}", {1.5: None}),
    (b"6:0:~0:~}", {None: None}),
    (b"8:1:1#1:2#}", {1: 2}),
    (b"16:1:a,1:1#1:a,1:2#}", {b"a": 2}),
    (b"3:1:a}", None),
    (b"0:", None),
    (b"1:", None),
    (b"2:0:", None),
]


@pytest.mark.parametrize(("data", "expected"), CORNERS)
def test_corner_cases_agree_on_the_right_answer(data: bytes, expected: Any) -> None:
    result = assert_agree(data)
    assert result == (("error", "") if expected is None else ("ok", repr(expected)))


@pytest.mark.parametrize("capture", MONGREL2_CAPTURES, ids=lambda path: path.name)
def test_real_mongrel2_headers_agree(capture: Any) -> None:
    rest = split_mongrel2_message(capture.read_bytes())[3]
    accelerated = tnetstring.pop(rest)
    with pure_backend():
        pure = tnetstring.pop(rest)
    assert repr(pure) == repr(accelerated)
    headers, body_netstring = pure
    if capture.name.endswith(".tnet.bin"):
        assert isinstance(headers, dict)
        assert assert_agree(rest[: len(rest) - len(body_netstring)])[0] == "ok"
    else:  # JSON headers travel as a netstring of JSON text
        assert isinstance(headers, bytes)
        assert headers.startswith(b"{")


@settings(max_examples=1500)
@given(st.binary(max_size=64))
def test_random_bytes_agree(data: bytes) -> None:
    assert_agree(data)


def _container(parts: list[bytes], tag: bytes) -> bytes:
    body = b"".join(parts)
    return b"%d:%s%s" % (len(body), body, tag)


scalars = st.none() | st.booleans() | st.integers() | st.binary(max_size=8) | st.floats()
# Built as wire bytes, since only the wire can repeat a dict key; tiny binary
# keys repeat often, and binary strings are often invalid UTF-8 (for text=True).
wires = st.recursive(
    scalars.map(tnetstring.encode),
    lambda children: (
        st.lists(children, max_size=4).map(lambda parts: _container(parts, b"]"))
        | st.lists(
            st.tuples(st.binary(max_size=1).map(tnetstring.encode), children), max_size=4
        ).map(lambda pairs: _container([key + value for key, value in pairs], b"}"))
    ),
    max_leaves=12,
)


@settings(max_examples=1500)
@given(wires, st.data())
def test_mutated_encodings_agree(original: bytes, data: st.DataObject) -> None:
    assert_agree(original, text=True)
    wire = bytearray(original)
    for _ in range(data.draw(st.integers(1, 3))):
        position = data.draw(st.integers(0, len(wire)))
        action = data.draw(st.sampled_from(["flip", "insert", "delete"]))
        byte = data.draw(st.sampled_from(list(b"0123456789:,#^!~}]-+.e") + [0, 255]))
        if action == "insert" or position == len(wire):
            wire.insert(position, byte)
        elif action == "flip":
            wire[position] = byte
        else:
            del wire[position]
    assert_agree(bytes(wire))
    assert_agree(bytes(wire), text=True)
    assert_agree(bytes(wire), text=True, errors="surrogateescape")


comparable_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.binary() | st.floats(allow_nan=False),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.binary(max_size=4), children, max_size=4)
    ),
    max_leaves=12,
)


@given(comparable_values)
def test_both_encoders_decode_alike(value: Any) -> None:
    # tnetstring3 writes dict entries in reverse order; order carries no meaning.
    accelerated = tnetstring.encode(value)
    with pure_backend():
        pure = tnetstring.encode(value)
        assert tnetstring.decode(pure) == tnetstring.decode(accelerated) == value
    assert tnetstring.decode(pure) == tnetstring.decode(accelerated) == value
