"""brubeck.codecs.negotiation"""

from __future__ import annotations

import pytest

from brubeck.codecs.negotiation import (
    MediaRange,
    match_specificity,
    parse_accept,
    parse_media_type,
    quality,
)


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("application/json", ("application", "json")),
        (" Application/JSON ; charset=UTF-8", ("application", "json")),
        ("text/*", ("text", "*")),
        ("application", None),
        ("/json", None),
        ("application/", None),
        ("a/b/c", None),
        ("application/js on", None),
        ("", None),
    ],
)
def test_parse_media_type(value: str, parsed: tuple[str, str] | None) -> None:
    assert parse_media_type(value) == parsed


def test_parse_accept() -> None:
    header = "text/html, application/json;q=0.5;level=1, */json, bad, image/png;q=7, */*;Q=0"
    assert parse_accept(header) == [
        MediaRange("text", "html", 1.0),
        MediaRange("application", "json", 0.5),
        MediaRange("*", "*", 0.0),
    ]


def test_parse_accept_respects_quoted_parameters() -> None:
    header = 'application/json;x="a,b;q=1";q=0, application/msgpack;y="\\"";q=0.5'
    assert parse_accept(header) == [
        MediaRange("application", "json", 0.0),
        MediaRange("application", "msgpack", 0.5),
    ]


@pytest.mark.parametrize(
    ("media_range", "expected"),
    [
        (MediaRange("application", "json", 1), 2),
        (MediaRange("application", "*", 1), 1),
        (MediaRange("*", "*", 1), 0),
        (MediaRange("application", "vnd.api+json", 1), -1),  # no suffix matching in Accept
        (MediaRange("text", "json", 1), -1),
        (MediaRange("application", "xml", 1), -1),
    ],
)
def test_match_specificity(media_range: MediaRange, expected: int) -> None:
    assert match_specificity(media_range, "application", "json") == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("application/json;q=0.3, */*;q=0.9", 0.3),  # the most specific range decides
        ("*/*;q=0.9, application/*;q=0.2", 0.2),
        ("application/json;q=0, application/json;q=0.4", 0.4),  # equally specific: best
        ("text/html", 0.0),
        ("application/vnd.x+json;q=0.5", 0.0),
    ],
)
def test_quality(header: str, expected: float) -> None:
    assert quality(parse_accept(header), "application", "json") == expected
