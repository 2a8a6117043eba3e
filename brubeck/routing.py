"""URL routing: an ordered table of ``(regex, target)`` rules.

Brubeck 0.4's rules, with its bugs fixed: routes are tried in order and
``regex.match`` (anchored at the start only) runs on the raw path; the first
route that matches wins. An *exclusive* route (a handler class: it owns its
URL) that lacks the verb ends the search with a 405. A function route
registered for some verbs only is skipped for others, so ``GET /x`` and
``POST /x`` may go to different functions. Named groups become keyword
arguments (empty ones are left out, so the target's defaults apply);
otherwise groups are positional. Captured values are the raw text of the
path, percent-escapes kept, as in 0.4: decoding after matching would let
``%2F`` or ``%00`` slip past a pattern's ``[^/]+``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

__all__ = ["Match", "Route", "Router", "normalize_methods"]


def normalize_methods(method: str | Iterable[str] | None) -> frozenset[str] | None:
    """``"get"`` -> ``{"GET"}``; ``["GET", "post"]`` -> ``{"GET", "POST"}``; ``None`` -> any."""
    if method is None:
        return None
    try:
        names = [method] if isinstance(method, str) else list(method)
    except TypeError:
        raise ValueError(f"methods must be a verb or a list of verbs, not {method!r}") from None
    if not names or not all(isinstance(name, str) and name for name in names):
        raise ValueError(f"methods must be non-empty strings, not {method!r}")
    return frozenset(name.upper() for name in names)


@dataclass(frozen=True, slots=True)
class Route:
    """One rule: a compiled pattern, its target, and the verbs it takes.

    Attributes:
        regex: The compiled pattern.
        target: A handler class or a function.
        methods: Uppercase verbs the target takes; ``None`` for any.
        exclusive: When the pattern matches, this route answers, with a 405
            if it lacks the verb (later routes are not tried).
    """

    regex: re.Pattern[str]
    target: Any
    methods: frozenset[str] | None = None
    exclusive: bool = False

    def takes(self, method: str | None) -> bool:
        """Whether this route serves ``method`` (``None``: any message)."""
        return method is None or self.methods is None or method in self.methods


class Match(NamedTuple):
    """A route and the arguments its pattern captured (a tuple: built per request)."""

    route: Route
    args: tuple[str | None, ...]
    kwargs: dict[str, str]


class Router:
    """Routes in insertion order; :meth:`resolve` finds the first that serves a request."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(
        self,
        pattern: str | re.Pattern[str],
        target: Any,
        methods: str | Iterable[str] | None = None,
        exclusive: bool = False,
    ) -> Route:
        """Append a rule (``pattern`` compiled unless it already is).

        Raises:
            re.error: The pattern is not a valid regular expression.
        """
        regex = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern)
        route = Route(regex, target, normalize_methods(methods), exclusive)
        self.routes.append(route)
        return route

    def resolve(self, path: str, method: str | None) -> Match | frozenset[str]:
        """The route that serves ``path`` and ``method``.

        Returns:
            A :class:`Match`; or, when no route serves it, the verbs that
            the routes matching the path do serve (empty: nothing matches, 404).
        """
        allowed: set[str] | None = None
        for route in self.routes:
            found = route.regex.match(path)
            if found is None:
                continue
            methods = route.methods
            if method is None or methods is None or method in methods:  # route.takes(method)
                if route.regex.groups:
                    return _match(route, found)
                return _new_match(Match, (route, (), {}))  # Match(...), without its __new__
            if allowed is None:
                allowed = set()
            allowed.update(methods)
            if route.exclusive:
                break
        return _NOTHING if allowed is None else frozenset(allowed)


_NOTHING: frozenset[str] = frozenset()
_new_match = tuple.__new__


def _match(route: Route, found: re.Match[str]) -> Match:
    named = found.groupdict()
    if named:
        return _new_match(Match, (route, (), {k: v for k, v in named.items() if v}))
    return _new_match(Match, (route, found.groups(), {}))
