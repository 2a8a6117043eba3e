"""brubeck.errors"""

from __future__ import annotations

from brubeck.errors import (
    BrubeckError,
    CodecError,
    DecodeError,
    EncodeError,
    NotAcceptableError,
    UnknownCodecError,
)


def test_hierarchy() -> None:
    for error in (EncodeError, DecodeError, UnknownCodecError, NotAcceptableError):
        assert issubclass(error, CodecError)
    assert issubclass(CodecError, BrubeckError)
    assert not issubclass(CodecError, ValueError)


def test_offset_is_data_and_shown() -> None:
    error = DecodeError("bad tag", offset=7)
    assert (error.reason, error.offset) == ("bad tag", 7)
    assert str(error) == "bad tag (at byte 7)"
    assert str(DecodeError("truncated")) == "truncated"
    assert DecodeError("truncated").offset is None
