"""Parsing ``Content-Type`` and ``Accept`` values (RFC 9110 §8.3, §12.5.1).

Pure functions over header text; :class:`brubeck.codecs.registry.Registry`
uses them to pick codecs.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["MediaRange", "match_specificity", "parse_accept", "parse_media_type", "quality"]


class MediaRange(NamedTuple):
    """One entry of an ``Accept`` header."""

    type: str
    subtype: str
    quality: float


def parse_media_type(value: str) -> tuple[str, str] | None:
    """Return ``(type, subtype)`` of a media type, lowercased, parameters dropped.

    ``None`` when ``value`` is not of the form ``type/subtype``.
    """
    essence = value.split(";", 1)[0].strip().lower()
    kind, slash, subtype = essence.partition("/")
    if not slash or not kind or not subtype or "/" in subtype or " " in essence:
        return None
    return kind, subtype


def _split(value: str, separator: str) -> list[str]:
    """Split on ``separator`` outside double-quoted strings (RFC 9110 §5.6.4)."""
    parts, start, quoted, escaped = [], 0, False, False
    for index, char in enumerate(value):
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append(value[start:index])
            start = index + 1
    parts.append(value[start:])
    return parts


def parse_accept(value: str) -> list[MediaRange]:
    """Parse an ``Accept`` header into media ranges.

    Parameters other than ``q`` are ignored (so ``application/json;
    charset=utf-8`` accepts plain JSON). Malformed ranges (no ``/``,
    ``*/json``, a ``q`` outside 0..1 or not a number) are skipped rather than
    failing the whole header.
    """
    ranges = []
    for item in _split(value, ","):
        essence, *params = _split(item, ";")
        parsed = parse_media_type(essence)
        if parsed is None or (parsed[0] == "*" and parsed[1] != "*"):
            continue
        weight = _weight(params)
        if weight is not None:
            ranges.append(MediaRange(parsed[0], parsed[1], weight))
    return ranges


def _weight(params: list[str]) -> float | None:
    """The ``q`` parameter: 1.0 when absent, None when malformed."""
    for param in params:
        name, _, raw = param.partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(raw.strip())
            except ValueError:
                return None
            return weight if 0.0 <= weight <= 1.0 else None
    return 1.0


def match_specificity(media_range: MediaRange, kind: str, subtype: str) -> int:
    """How specifically ``media_range`` matches ``kind/subtype``; -1 if it does not.

    2: exact; 1: ``type/*``; 0: ``*/*``.
    """
    if media_range.type == "*":
        return 0
    if media_range.type != kind:
        return -1
    if media_range.subtype == subtype:
        return 2
    return 1 if media_range.subtype == "*" else -1


def quality(ranges: list[MediaRange], kind: str, subtype: str) -> float:
    """The quality ``ranges`` give ``kind/subtype``: that of the most specific
    range matching it (RFC 9110 §12.5.1), 0 when none does."""
    specificity, weight = -1, 0.0
    for media_range in ranges:
        rank = match_specificity(media_range, kind, subtype)
        if rank > specificity or (rank == specificity >= 0 and media_range.quality > weight):
            specificity, weight = rank, media_range.quality
    return weight
