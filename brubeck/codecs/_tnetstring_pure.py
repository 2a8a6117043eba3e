"""Pure-Python tnetstrings (https://tnetstrings.info), always available.

The grammar accepted is exactly the one of the ``tnetstring3`` C accelerator,
so both give the same answer for every input (the test suite checks this):

* ``LENGTH ":" DATA TAG``; ``LENGTH`` is 1 to 9 ASCII digits without leading
  zeros; ``TAG`` is one of ``, # ^ ! ~ } ]``.
* ``#`` integers: an optional sign and ASCII digits (longer literals follow
  Python's ``int()``, as tnetstring3 hands them to CPython's parser).
* ``^`` floats: what C's ``strtod`` accepts as a whole: decimal, hexadecimal
  (``0x1.8p1``), ``inf``/``infinity`` and ``nan``, in any case.
* ``!`` is ``true`` or ``false``; ``~`` has empty data.
* Dict keys may be any hashable value (the spec speaks of strings; Mongrel2
  only sends strings); a repeated key keeps its last value.
* Containers nest at most ``max_depth`` deep (512, tnetstring3's limit).
"""

from __future__ import annotations

import re
from typing import Any

from brubeck.codecs.base import to_builtins
from brubeck.errors import DecodeError, EncodeError

__all__ = ["MAX_DEPTH", "dump", "parse", "to_text", "to_wire"]

#: tnetstring3's nesting limit; the pure parser uses the same default.
MAX_DEPTH = 512

_COMMA, _HASH, _CARET, _BANG, _TILDE, _RBRACE, _RBRACKET = b",#^!~}]"
# Canonical length prefixes up to 999, parsed once: most lengths are small,
# and one dict lookup replaces validation plus int().
_LENGTHS = {str(n).encode(): n for n in range(1000)}
_INT = re.compile(rb"[+-]?[0-9]+")
# Every alternative is unambiguous (digits, then an optional "." and digits), so
# matching is linear: "[0-9]+\.?[0-9]*" would backtrack quadratically on a
# long run of digits that fails to match.
_FLOAT = re.compile(
    rb"[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e[+-]?[0-9]+)?"
    rb"|0x(?:[0-9a-f]+(?:\.[0-9a-f]*)?|\.[0-9a-f]+)(?:p[+-]?[0-9]+)?"
    rb"|inf(?:inity)?|nan(?:\([0-9a-z_]*\))?)",
    re.IGNORECASE,
)


def parse(  # noqa: C901 - the hot path, inlined on purpose: it runs once per value
    data: bytes, pos: int, limit: int, depth: int, text: bool, errors: str
) -> tuple[Any, int]:
    """Parse one value starting at ``pos`` that must end before ``limit``.

    Returns the value and the offset just past its tag. ``depth`` counts the
    containers still allowed around it.
    """
    # LENGTH ":" -- at most nine digits, so the colon lies within ten bytes.
    colon = data.find(b":", pos, pos + 10)
    if colon < 0 or colon >= limit:
        raise DecodeError("invalid or missing length prefix", offset=pos)
    size = _LENGTHS.get(data[pos:colon])
    if size is None:
        size = _long_length(data[pos:colon], pos)
    start = colon + 1
    end = start + size
    if end >= limit:
        raise DecodeError("length prefix runs past the end of the data", offset=pos)
    tag = data[end]
    if tag == _COMMA:
        if text:
            return _text(data[start:end], start, errors), end + 1
        return data[start:end], end + 1
    if tag == _RBRACKET or tag == _RBRACE:
        if depth <= 0:
            raise DecodeError("containers nested deeper than max_depth", offset=pos)
        # The loops live here, not in helpers, so that each nesting level costs
        # one Python frame: max_depth levels then fit in the default stack.
        pos, depth = start, depth - 1
        if tag == _RBRACKET:
            items = []
            while pos < end:
                item, pos = parse(data, pos, end, depth, text, errors)
                items.append(item)
            return items, end + 1
        mapping: dict[Any, Any] = {}
        while pos < end:
            key_at = pos
            key, pos = parse(data, pos, end, depth, text, errors)
            if pos >= end:
                raise DecodeError("dict key without a value", offset=key_at)
            mapping_value, pos = parse(data, pos, end, depth, text, errors)
            try:
                mapping[key] = mapping_value
            except TypeError:
                raise DecodeError("unhashable dict key", offset=key_at) from None
        return mapping, end + 1
    scalar = _SCALARS.get(tag)
    if scalar is None:
        raise DecodeError(f"unknown type tag {bytes([tag])!r}", offset=end)
    return scalar(data[start:end], start), end + 1


def _long_length(prefix: bytes, offset: int) -> int:
    """A length prefix of four digits or more (the common ones are cached)."""
    if not prefix.isdigit() or prefix[0] == 48:  # b"0": no leading zeros
        raise DecodeError("invalid length prefix", offset=offset)
    return int(prefix)


def _text(raw: bytes, offset: int, errors: str) -> str:
    try:
        return raw.decode("utf-8", errors)
    except UnicodeDecodeError as exc:
        raise DecodeError("invalid UTF-8 in a string", offset=offset + exc.start) from None


def _int(raw: bytes, offset: int) -> int:
    # tnetstring3 hand-parses literals under 19 bytes and gives longer ones,
    # once their first digit is checked, to CPython's int parser.
    if len(raw) < 19:
        if _INT.fullmatch(raw):
            return int(raw)
    elif raw[:1].isdigit() or (raw[:1] in (b"+", b"-") and raw[1:2].isdigit()):
        try:
            return int(raw)
        except ValueError:
            pass
    raise DecodeError(f"invalid integer literal {raw[:40]!r}", offset=offset)


def _float(raw: bytes, offset: int) -> float:
    if not _FLOAT.fullmatch(raw):
        raise DecodeError(f"invalid float literal {raw[:40]!r}", offset=offset)
    lowered = raw.lower()
    if b"x" in lowered:
        try:
            return float.fromhex(raw.decode("ascii"))
        except OverflowError:  # strtod gives +-HUGE_VAL where fromhex raises
            return float("-inf" if raw[:1] == b"-" else "inf")
    if b"n(" in lowered:  # nan(chars): the payload is ignored, as by strtod
        lowered = lowered[: lowered.index(b"(")]
    return float(lowered)


def _bool(raw: bytes, offset: int) -> bool:
    if raw == b"true":
        return True
    if raw == b"false":
        return False
    raise DecodeError("invalid boolean literal", offset=offset)


def _null(raw: bytes, offset: int) -> None:
    if raw:
        raise DecodeError("null must have empty data", offset=offset)


_SCALARS = {_HASH: _int, _CARET: _float, _BANG: _bool, _TILDE: _null}


# -- text -------------------------------------------------------------------


def to_text(value: Any, errors: str) -> Any:
    """Decode every byte string in a parsed value (dict keys too) as UTF-8.

    Both backends apply this after parsing, so they agree on which strings
    are decoded: a value a repeated key overwrote is never looked at.
    """
    kind = type(value)
    if kind is bytes:
        return value.decode("utf-8", errors)
    if kind is dict:  # loops, not comprehensions: one frame per level on 3.11
        mapping = {}
        for key, item in value.items():
            mapping[to_text(key, errors)] = to_text(item, errors)
        return mapping
    if kind is list:
        items = []
        for item in value:
            items.append(to_text(item, errors))
        return items
    return value


# -- encoding -----------------------------------------------------------------


def to_wire(obj: Any, depth: int) -> Any:  # noqa: C901 - hot path, str handled inline
    """Rewrite ``obj`` into the types tnetstring encodes natively: bytes, int,
    float, bool, None, dict (with scalar keys) and list.

    ``str`` becomes UTF-8 (``surrogateescape``); a ``str`` UTF-8 cannot carry
    raises UnicodeEncodeError, which the caller reports as EncodeError.
    """
    kind = type(obj)
    if kind is str:
        return obj.encode("utf-8", "surrogateescape")
    if kind is dict or kind is list or kind is tuple:
        if depth <= 0:
            raise EncodeError("containers nested deeper than max_depth")
        # Loops, not comprehensions (one frame per level on 3.11), with str
        # handled inline: header dicts are mostly str.
        depth -= 1
        if kind is dict:
            mapping = {}
            for key, value in obj.items():
                if type(key) is str:
                    key = key.encode("utf-8", "surrogateescape")
                elif type(key) is not bytes:
                    key = _wire_key(key, depth)
                if type(value) is str:
                    mapping[key] = value.encode("utf-8", "surrogateescape")
                else:
                    mapping[key] = to_wire(value, depth)
            return mapping
        items = []
        for item in obj:
            if type(item) is str:
                items.append(item.encode("utf-8", "surrogateescape"))
            else:
                items.append(to_wire(item, depth))
        return items
    if kind is bytes or kind is int or kind is float or obj is None or kind is bool:
        return obj
    return _to_wire_other(obj, depth)


def _wire_key(key: Any, depth: int) -> Any:
    wire = to_wire(key, depth)
    if type(wire) is list or type(wire) is dict:
        raise EncodeError(f"dict keys must be scalars, not {type(key).__name__}")
    return wire


def _to_wire_other(obj: Any, depth: int) -> Any:
    """Subclasses of the wire types and everything :func:`to_builtins` converts."""
    if isinstance(obj, bool):
        return bool(obj)
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return float(obj)
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return bytes(obj)
    if isinstance(obj, str):
        return obj.encode("utf-8", "surrogateescape")  # a subclass's (an enum's) own value
    if isinstance(obj, dict):
        return to_wire(dict(obj), depth)
    if isinstance(obj, (list, tuple)):
        return to_wire(list(obj), depth)
    converted = to_builtins(obj)  # raises EncodeError for what it cannot convert
    if type(converted) is type(obj):
        raise EncodeError(f"cannot encode {type(obj).__name__} as tnetstring")
    return to_wire(converted, depth)


def dump(wire: Any) -> bytes:
    """Encode a value made of wire types only (the output of :func:`to_wire`)."""
    parts: list[bytes] = []
    _dump(wire, parts)
    return b"".join(parts)


def _netstring(parts: list[bytes], payload: bytes, tag: bytes) -> None:
    parts += (b"%d:" % len(payload), payload, tag)


def _dump(wire: Any, parts: list[bytes]) -> None:
    kind = type(wire)
    if kind is bytes:
        _netstring(parts, wire, b",")
    elif kind is dict:
        inner: list[bytes] = []
        for key, value in wire.items():
            _dump(key, inner)
            _dump(value, inner)
        _netstring(parts, b"".join(inner), b"}")
    elif kind is list:
        inner = []
        for item in wire:
            _dump(item, inner)
        _netstring(parts, b"".join(inner), b"]")
    elif kind is int:
        _netstring(parts, b"%d" % wire, b"#")
    elif kind is float:
        _netstring(parts, repr(wire).encode(), b"^")
    elif wire is None:
        parts.append(b"0:~")
    else:
        parts.append(b"4:true!" if wire else b"5:false!")
