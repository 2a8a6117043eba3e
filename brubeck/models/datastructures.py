"""``MultiValueDict``: a dict whose keys hold lists (query strings, form data)."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["MultiValueDict", "MultiValueDictKeyError"]


class MultiValueDictKeyError(KeyError):
    """A key is missing from a :class:`MultiValueDict`."""


class MultiValueDict(dict[Any, list[Any]]):
    """Each key maps to a list; ``d[key]`` is the last value, ``getlist(key)`` all."""

    def __init__(self, mapping: Any = ()) -> None:
        super().__init__()
        items = mapping.items() if hasattr(mapping, "items") else mapping
        for key, values in items:
            self.setlist(key, list(values) if isinstance(values, list | tuple) else [values])

    def __getitem__(self, key: Any) -> Any:
        try:
            values = super().__getitem__(key)
        except KeyError:
            raise MultiValueDictKeyError(key) from None
        return values[-1] if values else []

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, [value])

    def get(self, key: Any, default: Any = None) -> Any:
        try:
            value = self[key]
        except KeyError:
            return default
        return default if value == [] else value

    def getlist(self, key: Any, default: list[Any] | None = None) -> list[Any]:
        """Every value of ``key`` (a copy); ``default`` or ``[]`` when missing."""
        if key in self:
            return list(super().__getitem__(key))
        return [] if default is None else default

    def setlist(self, key: Any, values: Iterable[Any]) -> None:
        super().__setitem__(key, list(values))

    def appendlist(self, key: Any, value: Any) -> None:
        self.setlistdefault(key).append(value)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def setlistdefault(self, key: Any, default: list[Any] | None = None) -> list[Any]:
        if key not in self:
            self.setlist(key, default or [])
        values: list[Any] = super().__getitem__(key)
        return values

    def items(self) -> Iterator[tuple[Any, Any]]:  # type: ignore[override]
        for key in self:
            yield key, self[key]

    def lists(self) -> Iterator[tuple[Any, list[Any]]]:
        yield from super().items()

    def values(self) -> Iterator[Any]:  # type: ignore[override]
        for key in self:
            yield self[key]

    def copy(self) -> MultiValueDict:
        return MultiValueDict(self.lists())

    def __copy__(self) -> MultiValueDict:
        return self.copy()

    def __deepcopy__(self, memo: dict[int, Any]) -> MultiValueDict:
        return MultiValueDict(
            [(copy.deepcopy(k, memo), copy.deepcopy(v, memo)) for k, v in self.lists()]
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # dict's own pickling would go through items(), which gives last values only.
        return (type(self), (list(self.lists()),))

    def update(self, *args: Any, **kwargs: Any) -> None:
        """Add values (extending lists), from a mapping or pairs and keywords."""
        for other in (*args, kwargs):
            pairs = (
                other.lists()
                if isinstance(other, MultiValueDict)
                else (other.items() if hasattr(other, "items") else other)
            )
            for key, value in pairs:
                if isinstance(other, MultiValueDict):
                    self.setlistdefault(key).extend(value)
                else:
                    self.setlistdefault(key).append(value)

    def dict(self) -> dict[Any, Any]:
        """A plain dict of the last values."""
        return {key: self[key] for key in self}
