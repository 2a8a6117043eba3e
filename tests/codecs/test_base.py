"""brubeck.codecs.base"""

from __future__ import annotations

import datetime
import uuid

import pytest

from brubeck.codecs.base import Codec, check_size, to_builtins
from brubeck.errors import DecodeError, EncodeError


def _identity(value: bytes) -> bytes:
    return value


@pytest.mark.parametrize(
    ("name", "types"),
    [
        ("", ()),
        ("JSON", ()),
        ("a/b", ()),
        ("ok", ("Text/Plain",)),
        ("ok", ("text",)),
        ("ok", ("text/plain; q=1",)),
    ],
)
def test_codec_checks_itself(name: str, types: tuple[str, ...]) -> None:
    with pytest.raises(ValueError):
        Codec(name, types, _identity, _identity)


def test_codec_content_type() -> None:
    assert Codec("raw", (), _identity, _identity).content_type == "application/octet-stream"
    assert Codec("x", ("a/b", "a/c"), _identity, _identity).content_type == "a/b"


def test_check_size() -> None:
    check_size(b"abc", 3)
    with pytest.raises(DecodeError):
        check_size(b"abcd", 3)


def test_to_builtins() -> None:
    assert to_builtins(uuid.UUID(int=0)) == "00000000-0000-0000-0000-000000000000"
    assert to_builtins(datetime.date(2020, 1, 2)) == "2020-01-02"
    assert to_builtins(b"raw") == b"raw"
    with pytest.raises(EncodeError, match="cannot encode object"):
        to_builtins(object())


def test_subclasses_of_wire_scalars_encode_as_the_scalar() -> None:
    from brubeck.codecs import json, msgpack, tnetstring

    class Text(str):
        pass

    class Number(int):
        pass

    value = {"a": Text("x"), "n": Number(3)}
    for codec in (json, msgpack, tnetstring):
        assert codec.decode(
            codec.encode(value), **({"text": True} if codec is tnetstring else {})
        ) == {
            "a": "x",
            "n": 3,
        }
