"""brubeck.routing: Brubeck 0.4's ordered regex routes, with verbs and 405s."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any

import pytest

from brubeck.routing import Match, Route, Router, normalize_methods


def router(*rules: tuple[str | re.Pattern[str], Any, str | Iterable[str] | None]) -> Router:
    """A router holding ``(pattern, target, methods)`` rules in order."""
    table = Router()
    for pattern, target, methods in rules:
        table.add(pattern, target, methods)
    return table


def matched(table: Router, path: str, method: str | None = "GET") -> Match:
    """The match for ``path``, failing the test when there is none."""
    found = table.resolve(path, method)
    assert isinstance(found, Match), found
    return found


# -- normalize_methods -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_methods", "expected"),
    [
        ("get", frozenset({"GET"})),
        ("GET", frozenset({"GET"})),
        ("Post", frozenset({"POST"})),
        ("DELETE", frozenset({"DELETE"})),  # a str is one verb, not its characters
        (["GET", "post"], frozenset({"GET", "POST"})),
        (("put",), frozenset({"PUT"})),
        ({"get", "GET"}, frozenset({"GET"})),
        (frozenset({"patch"}), frozenset({"PATCH"})),
        ((verb for verb in ["get", "head"]), frozenset({"GET", "HEAD"})),
        (None, None),
    ],
)
def test_normalize_methods(given_methods: Any, expected: frozenset[str] | None) -> None:
    assert normalize_methods(given_methods) == expected


def test_normalize_methods_returns_a_frozenset() -> None:
    assert isinstance(normalize_methods(["get"]), frozenset)
    assert normalize_methods("get") != frozenset("GET")  # not {"G", "E", "T"}


@pytest.mark.parametrize(
    "bad",
    [[], (), set(), "", [""], ["GET", ""], [1], ["GET", None], [b"GET"], b"GET", [["GET"]]],
)
def test_normalize_methods_refuses_invalid_input(bad: Any) -> None:
    with pytest.raises(ValueError):
        normalize_methods(bad)


@pytest.mark.parametrize("bad", [5, 1.5, object()])
def test_normalize_methods_refuses_a_non_iterable(bad: Any) -> None:
    with pytest.raises(ValueError):
        normalize_methods(bad)


# -- Router.add and Route ---------------------------------------------------------------


def test_add_compiles_and_returns_the_route() -> None:
    table = Router()
    target = object()
    route = table.add(r"^/x$", target, "get")
    assert table.routes == [route]
    assert isinstance(route, Route)
    assert route.regex.pattern == r"^/x$"
    assert route.target is target
    assert route.methods == frozenset({"GET"})


def test_add_accepts_a_precompiled_pattern() -> None:
    pattern = re.compile(r"^/users/(?P<name>\w+)$", re.IGNORECASE)
    table = Router()
    route = table.add(pattern, "users")
    assert route.regex is pattern
    assert matched(table, "/USERS/bob").kwargs == {"name": "bob"}


def test_add_without_methods_takes_any() -> None:
    route = Router().add(r"^/", "any")
    assert route.methods is None
    assert route.takes("GET")
    assert route.takes("BREW")
    assert route.takes(None)


@pytest.mark.parametrize("pattern", [r"^/(unclosed", r"^/[a-", r"(?P<bad name>x)", r"*x"])
def test_add_refuses_an_invalid_regex(pattern: str) -> None:
    table = Router()
    with pytest.raises(re.error):
        table.add(pattern, "t")
    assert table.routes == []


@pytest.mark.parametrize("methods", [[], "", [1]])
def test_add_refuses_invalid_methods_and_keeps_nothing(methods: Any) -> None:
    table = Router()
    with pytest.raises(ValueError):
        table.add(r"^/", "t", methods)
    assert table.routes == []


def test_route_takes() -> None:
    route = Route(re.compile("^/"), "t", frozenset({"GET", "HEAD"}))
    assert route.takes("GET")
    assert route.takes("HEAD")
    assert not route.takes("POST")
    assert route.takes(None)  # not an HTTP message: any route serves it


def test_routes_and_matches_are_frozen() -> None:
    route = Router().add(r"^/", "t")
    with pytest.raises(dataclasses.FrozenInstanceError):
        route.target = "other"  # type: ignore[misc]
    match = Match(route, (), {})
    assert match.args == ()
    assert match.kwargs == {}
    with pytest.raises(AttributeError):  # a NamedTuple: immutable too
        match.args = ("x",)  # type: ignore[misc]


# -- resolve: order and re.match semantics -------------------------------------------------


def test_first_match_wins_in_insertion_order() -> None:
    table = router((r"^/a", "first", None), (r"^/a/b$", "second", None), (r"^/", "catch", None))
    assert matched(table, "/a/b").route.target == "first"
    assert matched(table, "/z").route.target == "catch"


def test_insertion_order_not_specificity() -> None:
    table = router((r"^/", "catch", None), (r"^/a$", "exact", None))
    assert matched(table, "/a").route.target == "catch"


@pytest.mark.parametrize(
    ("path", "hit"),
    [
        ("/opt", True),
        ("/optXYZ", True),  # anchored at the start only, as in 0.4
        ("/opt/more", True),
        ("/op", False),
        ("x/opt", False),  # re.match, not re.search
        ("/OPT", False),
    ],
)
def test_re_match_semantics(path: str, hit: bool) -> None:
    table = router((r"^/opt", "opt", None))
    assert isinstance(table.resolve(path, "GET"), Match) is hit


def test_a_pattern_without_caret_is_still_anchored_at_the_start() -> None:
    table = router((r"/opt", "opt", None))
    assert isinstance(table.resolve("/opt", "GET"), Match)
    assert table.resolve("/x/opt", "GET") == frozenset()


def test_dollar_anchors_the_end() -> None:
    table = router((r"^/opt$", "opt", None))
    assert isinstance(table.resolve("/opt", "GET"), Match)
    assert table.resolve("/optXYZ", "GET") == frozenset()


def test_routes_match_the_raw_path() -> None:
    table = router((r"^/caf%C3%A9$", "raw", None), (r"^/caf\u00e9$", "decoded", None))
    assert matched(table, "/caf%C3%A9").route.target == "raw"


def test_an_empty_router_finds_nothing() -> None:
    assert Router().resolve("/", "GET") == frozenset()


# -- resolve: captured arguments ----------------------------------------------------------------


def test_named_groups_become_kwargs() -> None:
    table = router((r"^/(?P<user>\w+)/posts/(?P<post>\d+)$", "post", None))
    found = matched(table, "/bob/posts/42")
    assert found.kwargs == {"user": "bob", "post": "42"}
    assert found.args == ()


@pytest.mark.parametrize(
    ("path", "kwargs"),
    [
        ("/list/7", {"page": "7"}),
        ("/list/", {}),  # empty group: left out, so the target's default applies
        ("/list", {}),  # unmatched group (None): left out
    ],
)
def test_empty_and_missing_named_groups_are_left_out(path: str, kwargs: dict[str, str]) -> None:
    table = router((r"^/list(?:/(?P<page>\d*))?$", "list", None))
    assert matched(table, path).kwargs == kwargs


def test_named_groups_win_over_positional_ones() -> None:
    # As in Tornado: with any named group, unnamed ones are not passed.
    table = router((r"^/(\w+)/(?P<id>\d+)$", "mixed", None))
    found = matched(table, "/things/3")
    assert found.kwargs == {"id": "3"}
    assert found.args == ()


def test_positional_groups_become_args() -> None:
    table = router((r"^/(\w+)/(\d+)$", "pos", None))
    found = matched(table, "/bob/42")
    assert found.args == ("bob", "42")
    assert found.kwargs == {}


def test_positional_none_and_empty_groups_are_kept() -> None:
    table = router((r"^/a(?:/(x))?/(\w*)$", "pos", None))
    assert matched(table, "/a/").args == (None, "")
    assert matched(table, "/a/x/y").args == ("x", "y")


def test_no_groups_no_arguments() -> None:
    found = matched(router((r"^/static$", "s", None)), "/static")
    assert (found.args, found.kwargs) == ((), {})


@pytest.mark.parametrize("raw", ["caf%C3%A9", "a%20b", "..%2F..%2Fetc", "%00admin", "100%"])
def test_captured_values_are_the_raw_path_text(raw: str) -> None:
    # As in 0.4: decoding after matching would let %2F or %00 slip past [^/]+.
    table = router((r"^/n/(?P<name>[^/]+)$", "named", None), (r"^/p/([^/]+)$", "pos", None))
    assert matched(table, f"/n/{raw}").kwargs == {"name": raw}
    assert matched(table, f"/p/{raw}").args == (raw,)


# -- resolve: methods ---------------------------------------------------------------------------


def test_a_route_that_does_not_take_the_verb_is_skipped() -> None:
    table = router((r"^/x$", "reader", "GET"), (r"^/x$", "writer", ["POST", "PUT"]))
    assert matched(table, "/x", "GET").route.target == "reader"
    assert matched(table, "/x", "POST").route.target == "writer"
    assert matched(table, "/x", "PUT").route.target == "writer"


def test_a_later_catch_all_serves_other_verbs() -> None:
    table = router((r"^/x$", "reader", "GET"), (r"^/", "fallback", None))
    assert matched(table, "/x", "DELETE").route.target == "fallback"
    assert matched(table, "/x", "GET").route.target == "reader"


def test_an_exclusive_route_answers_405_instead_of_falling_through() -> None:
    table = Router()
    table.add(r"^/items$", "Items", ["GET", "HEAD"], exclusive=True)
    table.add(r"^/", "catch_all", None)
    assert table.resolve("/items", "POST") == frozenset({"GET", "HEAD"})
    assert matched(table, "/other", "POST").route.target == "catch_all"


def test_no_route_takes_the_verb_gives_the_allowed_verbs() -> None:
    table = router(
        (r"^/x$", "reader", ["GET", "HEAD"]),
        (r"^/x", "writer", "post"),
        (r"^/other$", "other", "DELETE"),  # does not match: not allowed
    )
    assert table.resolve("/x", "PATCH") == frozenset({"GET", "HEAD", "POST"})
    assert table.resolve("/xyz", "PATCH") == frozenset({"POST"})


def test_no_match_gives_an_empty_frozenset() -> None:
    table = router((r"^/x$", "x", "GET"))
    found = table.resolve("/y", "GET")
    assert found == frozenset()
    assert isinstance(found, frozenset)
    assert isinstance(table.resolve("/x", "POST"), frozenset)


def test_method_none_is_taken_by_any_route() -> None:
    # WebSocket frames, JSON socket messages...: not HTTP verbs.
    table = router((r"^/ws$", "ws", "GET"))
    assert matched(table, "/ws", None).route.target == "ws"


def test_a_route_without_methods_takes_every_verb() -> None:
    table = router((r"^/any$", "any", None))
    for verb in ("GET", "POST", "BREW", "WEBSOCKET"):
        assert matched(table, "/any", verb).route.target == "any"


def test_verbs_are_compared_exactly() -> None:
    # Routes store uppercase verbs; resolve takes Mongrel2's METHOD as sent.
    table = router((r"^/x$", "x", "get"))
    assert table.resolve("/x", "get") == frozenset({"GET"})


def test_the_matching_arguments_belong_to_the_route_that_serves() -> None:
    table = router((r"^/(?P<a>\w+)$", "reader", "GET"), (r"^/(\w+)$", "writer", "POST"))
    found = matched(table, "/thing", "POST")
    assert found.route.target == "writer"
    assert found.args == ("thing",)
    assert found.kwargs == {}
