"""Brubeck's exceptions, in one small module.

Errors are data: a codec error says what failed and where (``offset``), never
which HTTP status to send. Raw ZeroMQ services have no HTTP; the layer that
speaks HTTP maps these errors to statuses.
"""

from __future__ import annotations

__all__ = [
    "BrubeckError",
    "CodecError",
    "DecodeError",
    "EncodeError",
    "NotAcceptableError",
    "UnknownCodecError",
]


class BrubeckError(Exception):
    """Base class of every exception Brubeck raises on purpose."""


class CodecError(BrubeckError):
    """Encoding, decoding or choosing a codec failed.

    Attributes:
        reason: A human-readable explanation.
        offset: The byte offset in the input where decoding failed, when known.
    """

    def __init__(self, reason: str, offset: int | None = None) -> None:
        self.reason = reason
        self.offset = offset
        super().__init__(reason if offset is None else f"{reason} (at byte {offset})")


class EncodeError(CodecError):
    """A value could not be encoded (unsupported type, too deep, too large)."""


class DecodeError(CodecError):
    """Bytes could not be decoded: malformed, truncated, too deep or too large."""


class UnknownCodecError(CodecError):
    """No codec is registered under this name or media type."""


class NotAcceptableError(CodecError):
    """No registered codec satisfies an ``Accept`` header."""
