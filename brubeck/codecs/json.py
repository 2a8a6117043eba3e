"""JSON codec: compact UTF-8 output, exact integers, and a lenient mode for
Mongrel2 headers.

Backed by msgspec, which keeps integers of any size exact in both directions
(orjson decodes integers beyond 64 bits as floats, silently).
"""

from __future__ import annotations

import json as _stdlib_json
import math
import re
from functools import partial
from typing import Any, NoReturn

import msgspec

from brubeck.codecs.base import MAX_SIZE, Codec, check_size, to_builtins
from brubeck.errors import DecodeError, EncodeError

__all__ = ["CODEC", "CONTENT_TYPES", "NAME", "codec", "decode", "encode"]

NAME = "json"
#: ``application/*+json`` types (RFC 6839 suffixes) resolve here through the registry.
CONTENT_TYPES = ("application/json",)

# The hook runs only for types msgspec lacks, so the common path pays nothing.
_encode = msgspec.json.Encoder(enc_hook=to_builtins).encode
_decode = msgspec.json.Decoder().decode
_BYTE_OFFSET = re.compile(r"\(byte (\d+)\)")


def encode(obj: Any) -> bytes:
    """Encode ``obj`` as compact JSON (UTF-8 bytes).

    Raises:
        EncodeError: For a type JSON cannot carry, or a ``str`` holding lone
            surrogates. Non-finite floats become ``null``, as in JavaScript.
    """
    try:
        return _encode(obj)
    except (TypeError, ValueError, RecursionError, msgspec.MsgspecError) as exc:
        raise EncodeError(f"cannot encode as JSON: {exc}") from None


def decode(
    data: bytes | bytearray | memoryview | str,
    lenient: bool = False,
    max_size: int = MAX_SIZE,
) -> Any:
    """Decode one JSON document from bytes or text.

    Options are ordinary parameters rather than keyword-only ones because
    CPython fills keyword-only defaults with a dict lookup each, which costs
    this hot path about 8%; pass them by keyword all the same.

    Args:
        data: The document; trailing whitespace is allowed, anything else is not.
        lenient: Accept raw control characters inside strings and invalid
            UTF-8, as Mongrel2 writes header values (it escapes only ``\\`` and
            ``"``). Invalid bytes decode with ``surrogateescape``, so
            ``s.encode("utf-8", "surrogateescape")`` gives the original bytes.
        max_size: Reject longer input before parsing it.

    Raises:
        DecodeError: Malformed, too deeply nested, or too large input; its
            ``offset`` is the byte where parsing stopped, when known.
    """
    if len(data) > max_size:  # check_size, inlined: this is the hot path
        check_size(data, max_size)
    try:
        return _decode(data)
    except (msgspec.DecodeError, UnicodeError, RecursionError) as exc:
        if lenient:
            return _decode_lenient(data)
        _raise_decode_error(exc, data)


def _raise_decode_error(exc: Exception, data: bytes | bytearray | memoryview | str) -> NoReturn:
    if isinstance(exc, UnicodeDecodeError):
        # msgspec counts from the start of the string; find the byte itself.
        raise DecodeError("invalid UTF-8", offset=_first_invalid_utf8(data)) from None
    if isinstance(exc, UnicodeEncodeError):  # str input holding lone surrogates
        raise DecodeError("text is not valid Unicode (lone surrogate)") from None
    if isinstance(exc, RecursionError):
        raise DecodeError("JSON nesting is too deep") from None
    message = str(exc)
    if "UTF-8" in message and not isinstance(data, str):
        # msgspec >= 0.20 reports invalid UTF-8 as a DecodeError naming no byte.
        raise DecodeError("invalid UTF-8", offset=_first_invalid_utf8(data)) from None
    found = _BYTE_OFFSET.search(message)
    offset: int | None = None
    if found:
        offset = int(found.group(1))
        if "trailing characters" in message:
            offset -= 1  # msgspec points just past the first trailing byte
    elif "truncated" in message:  # msgspec names no byte: it failed at the end
        offset = len(data)
    raise DecodeError(_BYTE_OFFSET.sub("", message).strip(), offset=offset) from None


def _first_invalid_utf8(data: bytes | bytearray | memoryview | str) -> int | None:
    if isinstance(data, str):
        return None
    try:
        bytes(data).decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return None


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e99999: refused by the strict parser too
        raise ValueError(f"number out of range: {text[:40]}")
    return number


_lenient_decoder = _stdlib_json.JSONDecoder(
    strict=False, parse_constant=_reject_constant, parse_float=_finite_float
)


def _decode_lenient(data: bytes | bytearray | memoryview | str) -> Any:
    text = data if isinstance(data, str) else bytes(data).decode("utf-8", "surrogateescape")
    try:
        return _lenient_decoder.decode(text)
    except _stdlib_json.JSONDecodeError as exc:
        offset = len(text[: exc.pos].encode("utf-8", "surrogateescape"))
        raise DecodeError(exc.msg, offset=offset) from None
    except RecursionError:
        raise DecodeError("JSON nesting is too deep") from None
    except ValueError as exc:  # NaN/Infinity literals, integers past int's digit limit
        raise DecodeError(str(exc)) from None


CODEC = Codec(NAME, CONTENT_TYPES, encode, decode)


def codec(*, lenient: bool = False, max_size: int = MAX_SIZE) -> Codec:
    """Build a JSON :class:`Codec` with non-default decoding options."""
    if not lenient and max_size == MAX_SIZE:
        return CODEC
    return Codec(NAME, CONTENT_TYPES, encode, partial(decode, lenient=lenient, max_size=max_size))
