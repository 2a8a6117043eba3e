"""brubeck.timekeeping: UTC milliseconds, date parsing, prettydate, MillisecondField."""

from __future__ import annotations

import datetime
import sys
import time
import types
from collections.abc import Iterator

import pytest

from brubeck.errors import ShieldDocException
from brubeck.models import Document
from brubeck.timekeeping import (
    MillisecondField,
    curtime,
    datestring_to_millis,
    datetime_to_millis,
    millis_to_datetime,
    prettydate,
)

UTC = datetime.UTC
PLUS_TWO = datetime.timezone(datetime.timedelta(hours=2))
# 2013-10-13 12:00:00 UTC, the day of Brubeck 0.4's last code change.
NOON = datetime.datetime(2013, 10, 13, 12, 0, tzinfo=UTC)
NOON_MS = 1381665600000


@pytest.fixture
def far_from_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run with the process in a time zone far from UTC (0.4's bugs used local time)."""
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is POSIX only")
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    if time.localtime(0).tm_hour != 9:
        pytest.skip("no tz database for Asia/Tokyo")
    yield
    monkeypatch.undo()
    time.tzset()


# -- curtime ----------------------------------------------------------------------------


def test_curtime_is_int_milliseconds_now() -> None:
    before = time.time_ns() // 1_000_000
    now = curtime()
    after = time.time_ns() // 1_000_000
    assert type(now) is int
    assert before <= now <= after


# -- datetime_to_millis -----------------------------------------------------------------


def test_datetime_to_millis_reads_naive_as_utc_and_returns_an_int() -> None:
    millis = datetime_to_millis(datetime.datetime(2013, 10, 13, 12, 0))
    assert millis == NOON_MS
    assert type(millis) is int  # 0.4 returned a float


def test_datetime_to_millis_converts_aware_datetimes() -> None:
    assert datetime_to_millis(datetime.datetime(2013, 10, 13, 14, 0, tzinfo=PLUS_TWO)) == NOON_MS


def test_datetime_to_millis_keeps_the_milliseconds() -> None:
    # 0.4 went through timetuple(), which drops them.
    dt = datetime.datetime(2013, 10, 13, 12, 0, 0, 250_999)
    assert datetime_to_millis(dt) == NOON_MS + 250


def test_datetime_to_millis_before_the_epoch_rounds_down() -> None:
    assert datetime_to_millis(datetime.datetime(1969, 12, 31, 23, 59, 59, 999_500)) == -1


@pytest.mark.usefixtures("far_from_utc")
def test_datetime_to_millis_ignores_the_local_time_zone() -> None:
    # 0.4 used time.mktime: nine hours off in Tokyo.
    assert datetime_to_millis(datetime.datetime(2013, 10, 13, 12, 0)) == NOON_MS


# -- millis_to_datetime -----------------------------------------------------------------


def test_millis_to_datetime_is_aware_utc() -> None:
    dt = millis_to_datetime(NOON_MS + 250)
    assert dt == datetime.datetime(2013, 10, 13, 12, 0, 0, 250_000, tzinfo=UTC)
    assert dt.utcoffset() == datetime.timedelta(0)


@pytest.mark.usefixtures("far_from_utc")
def test_millis_to_datetime_ignores_the_local_time_zone() -> None:
    # 0.4 used fromtimestamp: Tokyo's naive local time.
    assert millis_to_datetime(0) == datetime.datetime(1970, 1, 1, tzinfo=UTC)
    assert millis_to_datetime(0).hour == 0


@pytest.mark.parametrize("millis", [0, 1, -1, NOON_MS, NOON_MS + 999, 253402300799999])
def test_millis_round_trip(millis: int) -> None:
    assert datetime_to_millis(millis_to_datetime(millis)) == millis


# -- datestring_to_millis ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2013-10-13T12:00:00",
        "2013-10-13 12:00:00",
        "2013-10-13T12:00:00Z",
        "2013-10-13T12:00:00+00:00",
        "2013-10-13T14:00:00+02:00",
        "2013-10-13T12:00:00.000",
        "  2013-10-13T12:00  ",
    ],
)
def test_datestring_to_millis_reads_iso_8601(text: str) -> None:
    assert datestring_to_millis(text) == NOON_MS


def test_datestring_to_millis_reads_a_date_as_midnight_utc() -> None:
    assert datestring_to_millis("2013-10-13") == NOON_MS - 12 * 3600 * 1000


def test_datestring_to_millis_without_dateutil_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "dateutil", None)  # import dateutil fails
    with pytest.raises(ValueError, match="python-dateutil"):
        datestring_to_millis("Sun Oct 13 12:00:00 2013")
    with pytest.raises(ValueError, match="not an ISO 8601 date"):
        datestring_to_millis("")


def test_datestring_to_millis_falls_back_to_dateutil(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    def parse(text: str) -> datetime.datetime:
        seen.append(text)
        if text != "Sun Oct 13 12:00:00 2013":
            raise ValueError("Unknown string format")
        return datetime.datetime(2013, 10, 13, 12, 0)

    package = types.ModuleType("dateutil")
    parser = types.ModuleType("dateutil.parser")
    parser.parse = parse  # type: ignore[attr-defined]
    package.parser = parser  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "dateutil", package)
    monkeypatch.setitem(sys.modules, "dateutil.parser", parser)
    assert datestring_to_millis("Sun Oct 13 12:00:00 2013") == NOON_MS
    assert datestring_to_millis("2013-10-13T12:00:00") == NOON_MS  # ISO never reaches dateutil
    with pytest.raises(ValueError, match="is not a date"):
        datestring_to_millis("not a date")
    assert seen == ["Sun Oct 13 12:00:00 2013", "not a date"]


# -- prettydate -------------------------------------------------------------------------

AGO = [
    (datetime.timedelta(0), "just now"),
    (datetime.timedelta(seconds=1), "just now"),
    (datetime.timedelta(seconds=2), "2 seconds ago"),
    (datetime.timedelta(seconds=59), "59 seconds ago"),
    (datetime.timedelta(seconds=60), "a minute ago"),
    (datetime.timedelta(seconds=119), "a minute ago"),
    (datetime.timedelta(seconds=150), "2 minutes ago"),  # 0.4 on py3: "2.5 minutes ago"
    (datetime.timedelta(minutes=59, seconds=59), "59 minutes ago"),
    (datetime.timedelta(hours=1), "an hour ago"),
    (datetime.timedelta(hours=1, minutes=59), "an hour ago"),
    (datetime.timedelta(hours=2, minutes=30), "2 hours ago"),
    (datetime.timedelta(hours=23, minutes=59), "23 hours ago"),
    (datetime.timedelta(days=1), "Yesterday"),
    (datetime.timedelta(days=1, hours=23), "Yesterday"),
    (datetime.timedelta(days=2), "2 days ago"),
    (datetime.timedelta(days=7, hours=23), "7 days ago"),
    (datetime.timedelta(days=8), "05 Oct 13"),
    (datetime.timedelta(days=400), "08 Sep 12"),
]


@pytest.mark.parametrize(("ago", "text"), AGO)
def test_prettydate_texts(ago: datetime.timedelta, text: str) -> None:
    assert prettydate(NOON - ago, now=NOON) == text


def test_prettydate_accepts_naive_utc_aware_and_millis() -> None:
    ago = NOON - datetime.timedelta(minutes=5)
    assert prettydate(ago.replace(tzinfo=None), now=NOON) == "5 minutes ago"
    assert prettydate(ago.astimezone(PLUS_TWO), now=NOON) == "5 minutes ago"
    assert prettydate(datetime_to_millis(ago), now=NOON) == "5 minutes ago"
    assert prettydate(ago, now=NOON.replace(tzinfo=None)) == "5 minutes ago"


def test_prettydate_defaults_to_now() -> None:
    assert prettydate(datetime.datetime.now(UTC) - datetime.timedelta(hours=3)) == "3 hours ago"
    assert prettydate(curtime() - 3 * 86400 * 1000) == "3 days ago"
    # 0.4 subtracted an aware datetime from utcnow(): TypeError.
    assert prettydate(datetime.datetime.now(PLUS_TWO) - datetime.timedelta(days=2)) == "2 days ago"


def test_prettydate_future_dates() -> None:
    # A little clock skew is "just now" (0.4 printed the date); further is the date.
    assert prettydate(NOON + datetime.timedelta(seconds=30), now=NOON) == "just now"
    assert prettydate(NOON + datetime.timedelta(minutes=5), now=NOON) == "13 Oct 13"
    assert prettydate(NOON + datetime.timedelta(days=30), now=NOON) == "12 Nov 13"


# -- MillisecondField -------------------------------------------------------------------


class Event(Document):
    at = MillisecondField()
    due = MillisecondField(required=True, description="When it is due")


@pytest.mark.parametrize(
    "value",
    [
        NOON_MS,
        str(NOON_MS),
        float(NOON_MS),
        datetime.datetime(2013, 10, 13, 12, 0),
        datetime.datetime(2013, 10, 13, 14, 0, tzinfo=PLUS_TWO),
        "2013-10-13T12:00:00Z",
        "2013-10-13T14:00:00+02:00",
    ],
)
def test_millisecond_field_converts(value: object) -> None:
    event = Event(at=value, due=value)
    assert (event.at, event.due) == (NOON_MS, NOON_MS)
    assert type(event.at) is int
    assert event.validate()


def test_millisecond_field_from_primitive_and_json() -> None:
    event = Event.from_primitive({"at": "2013-10-13T12:00:00", "due": NOON_MS})
    assert event.to_primitive()["at"] == NOON_MS
    assert Event.from_json(b'{"due": "2013-10-13T12:00:00Z"}').due == NOON_MS


def test_millisecond_field_reports_a_bad_date_with_its_path() -> None:
    # 0.4's __set__ raised from dateutil at assignment; now validation reports it.
    event = Event(at="next tuesday", due=NOON_MS)
    assert event.at == "next tuesday"
    with pytest.raises(ShieldDocException) as info:
        Event.from_primitive({"at": "next tuesday", "due": True})
    assert info.value.to_primitive() == [
        {"path": "$.at", "reason": "Not milliseconds or a date", "value": "next tuesday"},
        {"path": "$.due", "reason": "Not Long", "value": True},
    ]


def test_millisecond_field_json_schema() -> None:
    properties = Event.for_jsonschema()["properties"]
    assert properties["at"]["type"] == "integer"
    assert properties["at"]["description"] == "Milliseconds since the epoch (UTC)"
    assert properties["due"]["description"] == "When it is due"
    draft = Event.json_schema()["properties"]
    assert draft["due"] == {"type": "integer", "description": "When it is due"}
