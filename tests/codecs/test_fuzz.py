"""Random and mutated bytes into every decoder: only DecodeError comes out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brubeck import codecs
from brubeck.codecs import json, msgpack, tnetstring
from brubeck.errors import DecodeError

DECODERS: dict[str, Callable[[bytes], Any]] = {
    "json": json.decode,
    "json-lenient": lambda data: json.decode(data, lenient=True),
    "msgpack": msgpack.decode,
    "tnetstring": tnetstring.decode,
    "tnetstring-text": lambda data: tnetstring.decode(data, text=True),
}
ENCODERS = {"json": json.encode, "msgpack": msgpack.encode, "tnetstring": tnetstring.encode}

values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=12,
)


def decode_or_refuse(decode: Callable[[Any], Any], data: bytes | str) -> None:
    try:
        decode(data)
    except DecodeError:
        pass


@pytest.mark.parametrize("name", DECODERS)
@settings(max_examples=1000)
@given(data=st.binary(max_size=96))
def test_random_bytes(name: str, data: bytes) -> None:
    decode_or_refuse(DECODERS[name], data)


@pytest.mark.parametrize("name", DECODERS)
@settings(max_examples=1000)
@given(
    value=values, edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=4)
)
def test_mutated_encodings(name: str, value: Any, edits: list[tuple[int, int]]) -> None:
    wire = bytearray(ENCODERS[name.split("-")[0]](value))
    for position, byte in edits:
        wire[position % len(wire)] = byte
    decode_or_refuse(DECODERS[name], bytes(wire))


@pytest.mark.parametrize("codec", list(codecs.default_registry), ids=lambda codec: codec.name)
@settings(max_examples=300)
@given(data=st.binary(max_size=64))
def test_truncations_of_valid_messages(codec: codecs.Codec, data: bytes) -> None:
    wire = codec.encode({"payload": data.hex(), "n": len(data)})
    for cut in range(len(wire)):
        decode_or_refuse(codec.decode, wire[:cut])
