"""Time as Brubeck stores it: integer milliseconds since the epoch, in UTC.

Brubeck 0.4's helpers, with their time-zone bugs fixed:

* :func:`datetime_to_millis` reads a naive datetime as UTC and converts an
  aware one; 0.4 used ``time.mktime`` (the server's local time), dropped the
  microseconds, and returned a float.
* :func:`millis_to_datetime` returns an aware UTC datetime; 0.4 returned a
  naive datetime in the server's local time.
* :func:`datestring_to_millis` parses ISO 8601 with the standard library;
  0.4 needed ``python-dateutil``, which is now only a fallback for other
  formats when it happens to be installed.
* :func:`prettydate` accepts aware datetimes and milliseconds, never prints
  ``"2.5 minutes ago"``, and treats a date a few seconds ahead (clock skew)
  as ``"just now"``.

:class:`MillisecondField` is a :class:`~brubeck.models.fields.LongField` that
also accepts datetimes and date strings.
"""

from __future__ import annotations

import datetime
import importlib
import re
import time
from typing import Any

from brubeck.models.fields import LongField

__all__ = [
    "MillisecondField",
    "curtime",
    "datestring_to_millis",
    "datetime_to_millis",
    "millis_to_datetime",
    "prettydate",
]

UTC = datetime.UTC
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = datetime.timedelta(milliseconds=1)


def curtime() -> int:
    """The time now, in integer milliseconds since the epoch (UTC)."""
    return time.time_ns() // 1_000_000


# -- conversions ----------------------------------------------------------------------


def datetime_to_millis(dt: datetime.datetime) -> int:
    """Milliseconds since the epoch of ``dt`` (an int, rounded down).

    A naive datetime is taken as UTC; an aware one is converted. (0.4 read
    every datetime as local time and returned a float.)
    """
    if dt.tzinfo is None or dt.utcoffset() is None:
        dt = dt.replace(tzinfo=UTC)
    return (dt - EPOCH) // _MILLISECOND  # exact: no float on the way


def millis_to_datetime(ms: float) -> datetime.datetime:
    """The aware UTC datetime ``ms`` milliseconds after the epoch.

    (0.4 returned a naive datetime in the server's local time.)
    """
    return EPOCH + datetime.timedelta(milliseconds=ms)


def datestring_to_millis(ds: str) -> int:
    """Milliseconds since the epoch of a date string.

    ISO 8601 (what :meth:`datetime.datetime.fromisoformat` reads, such as
    ``2013-10-13``, ``2013-10-13T12:30:00`` or ``2013-10-13T12:30:00.250+02:00``)
    always works; a string without an offset is UTC. Other formats parse only
    when ``python-dateutil`` is installed.

    Raises:
        ValueError: The string is not a date this can read.
    """
    text = ds.strip()
    try:
        dt = datetime.datetime.fromisoformat(text)
    except ValueError:
        dt = _parse_with_dateutil(text)
    return datetime_to_millis(dt)


def _parse_with_dateutil(text: str) -> datetime.datetime:
    """0.4's parser, when it is installed; Brubeck does not depend on it."""
    try:
        parser: Any = importlib.import_module("dateutil.parser")
    except ImportError:
        raise ValueError(
            f"{text!r} is not an ISO 8601 date (install python-dateutil to parse other formats)"
        ) from None
    try:
        parsed: datetime.datetime = parser.parse(text)
    except (ValueError, OverflowError) as exc:  # dateutil's ParserError is a ValueError
        raise ValueError(f"{text!r} is not a date: {exc}") from None
    return parsed


# -- relative dates ---------------------------------------------------------------------

#: Under a day: (below this many seconds, text, seconds per unit of the number).
_WITHIN_A_DAY: tuple[tuple[int, str, int], ...] = (
    (2, "just now", 1),
    (60, "{} seconds ago", 1),
    (120, "a minute ago", 60),
    (3600, "{} minutes ago", 60),
    (7200, "an hour ago", 3600),
    (86400, "{} hours ago", 3600),
)

#: How far ahead a date may be and still read as "just now" (clock skew).
FUTURE_SKEW = datetime.timedelta(minutes=1)

_DATE_FORMAT = "%d %b %y"


def prettydate(d: datetime.datetime | int, now: datetime.datetime | None = None) -> str:
    """How long before ``now`` ``d`` was, in words: ``"just now"``,
    ``"N seconds ago"``, ``"a minute ago"``, ``"N minutes ago"``,
    ``"an hour ago"``, ``"N hours ago"``, ``"Yesterday"``, ``"N days ago"``,
    and the date (``"13 Oct 13"``, ``%d %b %y``) beyond seven days.

    Args:
        d: An aware datetime, a naive one (taken as UTC), or milliseconds
            since the epoch.
        now: The time to compare with (default: the time now); naive is UTC.

    A date less than :data:`FUTURE_SKEW` ahead is ``"just now"``; one further
    ahead is shown as its date.
    """
    when = _aware(millis_to_datetime(d) if isinstance(d, int) else d)
    diff = _aware(now or datetime.datetime.now(UTC)) - when
    if diff < datetime.timedelta(0):
        return "just now" if -diff < FUTURE_SKEW else when.strftime(_DATE_FORMAT)
    if diff.days > 7:
        return when.strftime(_DATE_FORMAT)
    if diff.days == 1:
        return "Yesterday"
    if diff.days > 1:
        return f"{diff.days} days ago"
    seconds = diff.seconds
    text, unit = next((text, unit) for limit, text, unit in _WITHIN_A_DAY if seconds < limit)
    return text.format(seconds // unit)


def _aware(dt: datetime.datetime) -> datetime.datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


# -- the field ------------------------------------------------------------------------

_DIGITS = re.compile(r"[+-]?\d+")


class MillisecondField(LongField):
    """Milliseconds since the epoch (UTC), stored as an int.

    Besides what :class:`~brubeck.models.fields.LongField` takes (ints, and
    text of digits), it converts datetimes (:func:`datetime_to_millis`) and
    date strings (:func:`datestring_to_millis`). As with every field,
    conversion never raises: a string that is not a date is kept, and
    validation reports it with its path. (0.4's ``__set__`` raised on such a
    string at assignment, and bypassed the field's own conversion.)

    The JSON Schema is an integer's, with a description saying the unit
    unless one is given.
    """

    def __init__(self, min_value: Any = None, max_value: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("description", "Milliseconds since the epoch (UTC)")
        super().__init__(min_value, max_value, **kwargs)

    def coerce(self, value: Any) -> Any:
        """A datetime or date string in milliseconds; the rest as ``LongField`` does."""
        if isinstance(value, datetime.datetime):
            return datetime_to_millis(value)
        if isinstance(value, str) and not _DIGITS.fullmatch(value.strip()):
            try:
                return datestring_to_millis(value)
            except (ValueError, OverflowError):
                return value
        return super().coerce(value)

    def problem(self, value: Any) -> str | None:
        """A string left unconverted is named as a bad date; the rest as ``LongField`` does."""
        if isinstance(value, str):
            return "Not milliseconds or a date"
        return super().problem(value)
