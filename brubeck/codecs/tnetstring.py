"""tnetstring codec (https://tnetstrings.info): Mongrel2's header encoding.

Types: ``,`` bytes, ``#`` int (any size), ``^`` float, ``!`` bool, ``~`` null,
``}`` dict, ``]`` list. Byte strings decode as ``bytes`` unless ``text=True``;
``str`` encodes as UTF-8. Decoding is strict: trailing bytes, bad length
prefixes, lengths past the data, unknown tags, nesting beyond ``max_depth``
and input beyond ``max_size`` raise :class:`~brubeck.errors.DecodeError`.

The ``tnetstring3`` C extension is used when installed (``pip install
brubeck[speedups]``); the pure-Python parser in
:mod:`brubeck.codecs._tnetstring_pure` accepts exactly the same grammar and
also produces the precise error offset when the C parser rejects input.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, NoReturn

from brubeck.codecs import _tnetstring_pure as _pure
from brubeck.codecs.base import MAX_SIZE, Codec, check_size
from brubeck.errors import DecodeError, EncodeError

__all__ = [
    "ACCELERATED",
    "CODEC",
    "CONTENT_TYPES",
    "MAX_DEPTH",
    "NAME",
    "codec",
    "decode",
    "dumps",
    "encode",
    "loads",
    "pop",
]

NAME = "tnetstring"
CONTENT_TYPES = ("application/x-tnetstring", "application/tnetstring")
MAX_DEPTH = _pure.MAX_DEPTH

_Bytes = bytes | bytearray | memoryview

try:
    import tnetstring as _accelerator  # the tnetstring3 distribution
except ImportError:  # pragma: no cover - depends on the environment
    _accelerator = None

_c_dumps: Callable[[Any], bytes] | None = _accelerator and _accelerator.dumps
# pop raises TypeError for anything but bytes; decode() handles that.
_c_pop: Callable[[_Bytes], tuple[Any, bytes]] | None = _accelerator and _accelerator.pop

#: True when the tnetstring3 C extension does the work.
ACCELERATED = _c_pop is not None

# MemoryError is left out on purpose: it is the machine failing, not the input.
_C_ERRORS = (ValueError, TypeError, OverflowError, RecursionError)

#: The C extension's ``pop`` (None without it), for a hot path that calls
#: :func:`pop` instead whenever this one fails: it takes exact bytes only and
#: raises the extension's own exceptions (:data:`C_ERRORS`), not DecodeError.
c_pop = _c_pop
C_ERRORS = _C_ERRORS


def encode(obj: Any, max_depth: int = MAX_DEPTH) -> bytes:
    """Encode ``obj`` as a tnetstring.

    ``str`` is written as UTF-8 (``surrogateescape``, so text decoded with that
    handler gives back its original bytes), tuples as lists; other types follow
    :func:`brubeck.codecs.base.to_builtins`. Pass ``max_depth`` by keyword.

    Raises:
        EncodeError: Unsupported type, a dict key that is not a scalar, a
            ``str`` UTF-8 cannot carry, or nesting beyond ``max_depth``.
    """
    dumps = _c_dumps if max_depth <= MAX_DEPTH else None
    if dumps is not None and max_depth == MAX_DEPTH:
        try:
            return dumps(obj)
        except RecursionError:
            raise EncodeError("containers nested deeper than max_depth") from None
        except ValueError:
            pass  # not only wire types (str, tuple, datetime...): convert first
    # One conversion for both backends, so they accept and refuse alike.
    try:
        wire = _pure.to_wire(obj, max_depth)
    except RecursionError:
        raise EncodeError("containers nested too deeply for the stack") from None
    except UnicodeEncodeError as exc:
        raise EncodeError(f"string is not encodable as UTF-8: {exc.reason}") from None
    return dumps(wire) if dumps is not None else _pure.dump(wire)


def pop(
    data: _Bytes,
    text: bool = False,
    errors: str = "strict",
    max_depth: int = MAX_DEPTH,
) -> tuple[Any, bytes]:
    """Decode the first value of ``data``; return it and the bytes after it.

    For streams of concatenated tnetstrings. Options are those of :func:`decode`.
    """
    if type(data) is not bytes:  # exact bytes already (Mongrel2's messages): no call
        data = bytes(data)
    if _c_pop is not None and max_depth == MAX_DEPTH:
        try:
            value, rest = _c_pop(data)
        except _C_ERRORS:
            _raise_pure_error(data, max_depth)
    else:
        value, end = _parse(data, max_depth)
        rest = data[end:]
    return (_decode_text(value, data, errors, max_depth) if text else value), rest


def decode(
    data: _Bytes,
    text: bool = False,
    errors: str = "strict",
    max_size: int = MAX_SIZE,
    max_depth: int = MAX_DEPTH,
) -> Any:
    """Decode exactly one tnetstring.

    Options are ordinary parameters rather than keyword-only ones because
    CPython fills keyword-only defaults with a dict lookup each, which costs
    this hot path about 8%; pass them by keyword all the same.

    Args:
        data: The encoded value, with nothing after it.
        text: Decode byte strings (values and dict keys) to ``str`` as UTF-8.
        errors: How ``text`` handles invalid UTF-8: ``"strict"`` raises
            :class:`DecodeError` at the offending offset; ``"surrogateescape"``
            keeps the bytes recoverable; ``"replace"`` substitutes U+FFFD.
        max_size: Reject longer input before parsing it.
        max_depth: The deepest nesting of containers accepted.

    Raises:
        DecodeError: For anything that is not exactly one valid tnetstring.
    """
    if len(data) > max_size:  # check_size, inlined: this is the hot path
        check_size(data, max_size)
    if _c_pop is not None and max_depth == MAX_DEPTH:
        try:
            value, rest = _c_pop(data)
        except _C_ERRORS:
            if type(data) is not bytes:  # tnetstring3 takes only bytes
                return decode(bytes(data), text=text, errors=errors, max_depth=max_depth)
            _raise_pure_error(data, max_depth)
        if rest:
            raise DecodeError("trailing bytes after the value", offset=len(data) - len(rest))
    else:
        data = bytes(data)
        value, end = _parse(data, max_depth)
        if end != len(data):
            raise DecodeError("trailing bytes after the value", offset=end)
    return _decode_text(value, data, errors, max_depth) if text else value


def _parse(data: bytes, max_depth: int, text: bool = False, errors: str = "strict") -> Any:
    try:
        return _pure.parse(data, 0, len(data), max_depth, text, errors)
    except RecursionError:  # max_depth above what the interpreter's stack allows
        raise DecodeError("containers nested too deeply for the stack") from None


def _raise_pure_error(data: bytes, max_depth: int) -> NoReturn:
    """The C parser refused ``data``: re-parse in Python for a precise error."""
    _parse(data, max_depth)
    raise DecodeError("invalid tnetstring")  # pragma: no cover - the grammars agree


def _decode_text(value: Any, data: _Bytes, errors: str, max_depth: int) -> Any:
    try:
        return _pure.to_text(value, errors)
    except RecursionError:
        raise DecodeError("containers nested too deeply for the stack") from None
    except UnicodeDecodeError:
        # Locate a bad string: parsing with inline decoding reports its offset.
        _parse(bytes(data), max_depth, True, errors)
        raise DecodeError("invalid UTF-8 in a string") from None  # pragma: no cover


dumps = encode
loads = decode

CODEC = Codec(NAME, CONTENT_TYPES, encode, decode)


def codec(
    *,
    text: bool = False,
    errors: str = "strict",
    max_size: int = MAX_SIZE,
    max_depth: int = MAX_DEPTH,
) -> Codec:
    """Build a tnetstring :class:`Codec` with non-default decoding options."""
    if not text and errors == "strict" and max_size == MAX_SIZE and max_depth == MAX_DEPTH:
        return CODEC
    decoder = partial(decode, text=text, errors=errors, max_size=max_size, max_depth=max_depth)
    return Codec(NAME, CONTENT_TYPES, partial(encode, max_depth=max_depth), decoder)
