"""brubeck.codecs.msgpack"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

import msgpack as raw_msgpack
import pytest
from hypothesis import given
from hypothesis import strategies as st

from brubeck.codecs import msgpack
from brubeck.errors import DecodeError, EncodeError


def test_str_and_bytes_stay_distinct() -> None:
    value = {"text": "café", "blob": b"caf\xc3\xa9"}
    assert msgpack.decode(msgpack.encode(value)) == value


def test_integer_and_bytes_keys_round_trip() -> None:
    value = {1: "one", b"k": "bytes key", "s": "str key"}
    assert msgpack.decode(msgpack.encode(value)) == value


@pytest.mark.parametrize(
    ("value", "decoded"),
    [
        ((1, 2), [1, 2]),
        (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
        (decimal.Decimal("1.10"), "1.10"),
        (datetime.datetime(2024, 5, 17, 12, 0, tzinfo=datetime.UTC), "2024-05-17T12:00:00Z"),
        ({"k": frozenset([1])}, {"k": [1]}),
        (bytearray(b"x"), b"x"),
    ],
)
def test_documented_conversions(value: Any, decoded: Any) -> None:
    assert msgpack.decode(msgpack.encode(value)) == decoded


@pytest.mark.parametrize("value", [object(), 1j, 2**64, -(2**63) - 1, "\ud800", [object()]])
def test_encode_refuses_unsupported_values(value: Any) -> None:
    with pytest.raises(EncodeError):
        msgpack.encode(value)


def test_timestamp_extension_decodes_to_an_aware_datetime() -> None:
    moment = datetime.datetime(2024, 5, 17, 12, 0, tzinfo=datetime.UTC)
    wire = raw_msgpack.packb(raw_msgpack.Timestamp.from_datetime(moment))
    assert msgpack.decode(wire) == moment


def test_other_extension_types_are_refused() -> None:
    with pytest.raises(DecodeError, match="extension type 5"):
        msgpack.decode(raw_msgpack.packb(raw_msgpack.ExtType(5, b"x")))


@pytest.mark.parametrize(
    ("data", "offset"),
    [
        (b"\x01\x02", 1),  # trailing bytes
        (b"\x92\x01", None),  # truncated array
        (b"\xc1", None),  # the one reserved byte
        (b"\x81\x91\x01\x01", None),  # a list as a map key
        (b"\xdb\xff\xff\xff\xffabc", None),  # a 4 GiB string in 8 bytes
        (b"\xdd\xff\xff\xff\xff", None),  # a 4-billion-item array in 5 bytes
        (b"", None),
    ],
)
def test_decode_refuses_malformed_input(data: bytes, offset: int | None) -> None:
    with pytest.raises(DecodeError) as caught:
        msgpack.decode(data)
    assert caught.value.offset == offset


def test_deep_nesting_is_a_decode_error() -> None:
    with pytest.raises(DecodeError):
        msgpack.decode(b"\x91" * 100_000 + b"\xc0")


def test_max_size() -> None:
    assert msgpack.decode(b"\x91\x01", max_size=2) == [1]
    with pytest.raises(DecodeError, match="exceeds the limit"):
        msgpack.decode(b"\x92\x01\x02", max_size=2)
    small = msgpack.codec(max_size=2)
    with pytest.raises(DecodeError):
        small.decode(b"\x92\x01\x02")
    assert msgpack.codec() is msgpack.CODEC


msgpack_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=False)
    | st.text()
    | st.binary(),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.text() | st.integers(-(2**63), 2**64 - 1), children, max_size=5)
    ),
    max_leaves=30,
)


@given(msgpack_values)
def test_round_trip(value: Any) -> None:
    assert msgpack.decode(msgpack.encode(value)) == value


# -- the reused Packer ---------------------------------------------------------------


def test_a_failed_encode_leaves_nothing_behind() -> None:
    with pytest.raises(EncodeError):
        msgpack.encode({"a": [1, 2, object()]})  # fails after "a" and 1, 2 were packed
    with pytest.raises(EncodeError):
        msgpack.encode(2**70)
    assert msgpack.encode("x") == raw_msgpack.packb("x")


def test_threads_encode_with_packers_of_their_own() -> None:
    import sys
    import threading

    # The default hook (a UUID here) runs Python, where the GIL may pass to
    # another thread: at once, with this interval. A shared Packer fails this.
    errors: list[str] = []
    barrier = threading.Barrier(4)

    def work(tag: int) -> None:
        barrier.wait()
        for index in range(300):
            value = {"tag": tag, "items": list(range(index % 7)), "at": uuid.UUID(int=index)}
            if msgpack.decode(msgpack.encode(value)) != {**value, "at": str(value["at"])}:
                errors.append(f"thread {tag}, message {index}")

    threads = [threading.Thread(target=work, args=(tag,)) for tag in range(4)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []


def test_a_large_message_does_not_keep_its_buffer() -> None:
    msgpack.encode("x")
    before = msgpack._packers.packer
    msgpack.encode(b"x" * (msgpack._KEEP_BUFFER + 1))
    assert msgpack._packers.packer is not before  # a fresh, small buffer for what follows
    assert msgpack.encode("y") == raw_msgpack.packb("y")
