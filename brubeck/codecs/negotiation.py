"""Parsing ``Content-Type`` and ``Accept`` values (RFC 9110 §8.3, §12.5.1).

Pure functions over header text; :class:`brubeck.codecs.registry.Registry`
uses them to pick codecs.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["MediaRange", "match_specificity", "parse_accept", "parse_media_type"]


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


def parse_accept(value: str) -> list[MediaRange]:
    """Parse an ``Accept`` header into media ranges.

    Malformed ranges (no ``/``, ``*/json``, a ``q`` outside 0..1 or not a
    number) are skipped rather than failing the whole header.
    """
    ranges = []
    for item in value.split(","):
        essence, *params = item.split(";")
        parsed = parse_media_type(essence)
        if parsed is None or (parsed[0] == "*" and parsed[1] != "*"):
            continue
        quality = _quality(params)
        if quality is not None:
            ranges.append(MediaRange(parsed[0], parsed[1], quality))
    return ranges


def _quality(params: list[str]) -> float | None:
    for param in params:
        name, _, raw = param.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(raw.strip())
            except ValueError:
                return None
            return quality if 0.0 <= quality <= 1.0 else None
    return 1.0


def match_specificity(media_range: MediaRange, kind: str, subtype: str) -> int:
    """How specifically ``media_range`` matches ``kind/subtype``; -1 if it does not.

    3: exact; 2: a structured-syntax suffix (``application/vnd.x+json``
    matches ``application/json``); 1: ``type/*``; 0: ``*/*``.
    """
    if media_range.type == "*":
        return 0
    if media_range.type != kind:
        return -1
    if media_range.subtype == subtype:
        return 3
    if media_range.subtype == "*":
        return 1
    _, plus, suffix = media_range.subtype.rpartition("+")
    return 2 if plus and suffix == subtype else -1
