"""Querysets: where :mod:`brubeck.autoapi` keeps a model's documents.

:class:`AbstractQueryset` is the interface (create, read, update, destroy;
one, many or all), :class:`DictQueryset` keeps them in memory and
:class:`RedisQueryset` in Redis, one hash per model. See ``docs/autoapi.md``.
"""

from __future__ import annotations

from brubeck.queryset.base import AbstractQueryset, FourOhFourException, Result
from brubeck.queryset.dict import DictQueryset
from brubeck.queryset.redis import RedisQueryset

__all__ = [
    "AbstractQueryset",
    "DictQueryset",
    "FourOhFourException",
    "RedisQueryset",
    "Result",
]
