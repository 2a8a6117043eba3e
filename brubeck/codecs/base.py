"""What every codec shares: the :class:`Codec` value object, size limits, and
the one rule for types a wire format has no native form for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from brubeck.errors import DecodeError, EncodeError
from brubeck.types import Decoder, Encoder

__all__ = ["MAX_SIZE", "Codec", "check_size", "to_builtins"]

#: Default bound on the size of one encoded message, in bytes (16 MiB). It sits
#: above Brubeck's default body limit (10 MiB) so headers and framing fit too.
MAX_SIZE = 16 * 1024 * 1024

# Types each binary wire format carries natively, so the conversion hook must
# leave them alone (msgspec would otherwise turn bytes into base64 text).
_BINARY_TYPES = (bytes, bytearray, memoryview)
_SCALARS = (str, int, float)


@dataclass(frozen=True, slots=True)
class Codec:
    """A named wire format: how to encode values to bytes and back.

    Attributes:
        name: Short lowercase name, e.g. ``"json"``.
        content_types: Media types this codec answers to; the first one is
            what replies encoded with it are labelled with.
        encode: ``value -> bytes``, raising :class:`~brubeck.errors.EncodeError`.
        decode: ``bytes -> value``, raising :class:`~brubeck.errors.DecodeError`.
    """

    name: str
    content_types: tuple[str, ...]
    encode: Encoder
    decode: Decoder

    def __post_init__(self) -> None:
        if not self.name or self.name != self.name.lower() or "/" in self.name:
            raise ValueError(f"codec name must be lowercase, non-empty, without '/': {self.name!r}")
        for media_type in self.content_types:
            kind, _, subtype = media_type.partition("/")
            if not kind or not subtype or media_type != media_type.lower() or ";" in media_type:
                raise ValueError(f"content type must be a lowercase 'type/subtype': {media_type!r}")

    @property
    def content_type(self) -> str:
        """The media type to label encoded output with."""
        return self.content_types[0] if self.content_types else "application/octet-stream"


def check_size(data: bytes | bytearray | memoryview | str, max_size: int) -> None:
    """Raise :class:`DecodeError` when ``data`` is longer than ``max_size``."""
    if len(data) > max_size:
        raise DecodeError(f"message of {len(data)} bytes exceeds the limit of {max_size}")


def to_builtins(obj: Any) -> Any:
    """Convert a value a wire format lacks into one it has.

    The same rule serves every codec, so a handler's reply looks the same
    whichever codec the client picked: datetimes, dates and times become
    RFC 3339 text (``Z`` for UTC), UUIDs and Decimals become text, enums their
    value, dataclasses and msgspec Structs dicts, sets lists. Anything else
    (a plain object, ``complex``) raises :class:`EncodeError`.
    """
    try:
        return msgspec.to_builtins(obj, builtin_types=_BINARY_TYPES)
    except (TypeError, ValueError) as exc:
        for base in _SCALARS:  # a subclass of a wire type (a str with extra methods)
            if isinstance(obj, base):
                return base(obj)
        raise EncodeError(f"cannot encode {type(obj).__name__}: {exc}") from None
