"""Caches keyed by string, for sessions and the like: in memory or in Redis.

Both stores take the same calls: ``save(key, data, expire=None)``, where
``expire`` is an absolute time in epoch seconds (``time.time() + 3600`` for
an hour), ``load(key)``, ``delete(key)`` and ``delete_expired()``.

Changes from Brubeck 0.4:

* :func:`generate_session_id` uses :mod:`secrets` (0.4's
  ``os.urandom(32).encode('hex')`` only ran on Python 2).
* ``load`` returns None only for a missing or expired key; 0.4 swallowed
  every exception.
* ``delete_expired`` deletes (0.4 called ``map()`` for its side effects,
  which does nothing on Python 3).
* ``expire`` is None for "never"; any number is a time, so ``0`` is 1970 and
  already past (0.4 read every falsy value as "never").
* Saving with an ``expire`` already past deletes the key in both stores, so
  a later ``load`` is None. 0.4's Redis store asserted instead, and for an
  expiry under a second sent ``EXPIRE key 0``, which deleted the key it had
  just set.

The ``redis`` package is optional (``pip install brubeck[redis]``) and only
imported when a :class:`RedisCacheStore` makes its own connection.
"""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Callable
from typing import Any

__all__ = ["BaseCacheStore", "RedisCacheStore", "generate_session_id"]

#: A clock: the time now in epoch seconds, like :func:`time.time`.
Clock = Callable[[], float]


def generate_session_id() -> str:
    """A new random session id: 64 hex characters (32 bytes from :mod:`secrets`)."""
    return secrets.token_hex(32)


class BaseCacheStore:
    """An in-memory cache: a dict of key to data and expiry time.

    Any object may be stored; it is kept as it is (not copied). Expired
    entries are removed when loaded, or all at once by :meth:`delete_expired`.

    Args:
        clock: The time now in epoch seconds (default :func:`time.time`);
            tests pass their own.
        **kwargs: Passed on to the next class (0.4's stores were mixins).
    """

    def __init__(self, *, clock: Clock = time.time, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clock = clock
        self._cache_store: dict[str, tuple[Any, float | None]] = {}

    def save(self, key: str, data: Any, expire: float | None = None) -> None:
        """Store ``data`` under ``key`` until ``expire`` (epoch seconds; None: no expiry).

        An ``expire`` at or before now deletes the key instead.
        """
        if expire is not None and expire <= self.clock():
            self.delete(key)
            return
        self._cache_store[key] = (data, expire)

    def load(self, key: str) -> Any:
        """The data stored under ``key``, or None if it is missing or expired
        (an expired entry is removed)."""
        entry = self._cache_store.get(key)
        if entry is None:
            return None
        data, expire = entry
        if expire is not None and expire <= self.clock():
            del self._cache_store[key]
            return None
        return data

    def delete(self, key: str) -> None:
        """Remove ``key``, if it is stored."""
        self._cache_store.pop(key, None)

    def delete_expired(self) -> int:
        """Remove every expired entry; return how many were removed."""
        now = self.clock()
        expired = [
            key
            for key, (_, expire) in self._cache_store.items()
            if expire is not None and expire <= now
        ]
        for key in expired:
            del self._cache_store[key]
        return len(expired)


def _connect() -> Any:
    try:
        import redis
    except ImportError:
        raise ImportError(
            "RedisCacheStore needs the redis package: pip install brubeck[redis]"
        ) from None
    return redis.Redis()


#: What a Redis value may be; anything else (a dict, None, a bool) is a TypeError.
_VALUE_TYPES = (bytes, str, int, float)


class RedisCacheStore(BaseCacheStore):
    """A cache in Redis, with Redis expiring the keys.

    Values are stored as given: ``bytes`` or ``str`` (or a number, which
    Redis keeps as its text). Nothing is pickled: encode structured data
    yourself (with :mod:`brubeck.codecs`, say). :meth:`load` returns what the
    client returns, ``bytes`` unless it was made with ``decode_responses=True``.

    Keys live in Redis's flat namespace (an expiry cannot be set on a hash
    field), so give each application its own ``prefix`` or database.

    The redis client blocks; under green threads, patch the standard library
    (:func:`brubeck.concurrency.monkey_patch`) so other requests keep running.

    Args:
        redis_connection: A ``redis.Redis`` client (default: ``redis.Redis()``,
            on localhost).
        prefix: Put before every key (``"sessions:"``).
        clock: The time now in epoch seconds, used to turn ``expire`` into
            the relative expiry Redis takes.
        **kwargs: Passed on to the next class.
    """

    def __init__(
        self,
        redis_connection: Any = None,
        *,
        prefix: str = "",
        clock: Clock = time.time,
        **kwargs: Any,
    ) -> None:
        super().__init__(clock=clock, **kwargs)
        self.redis = redis_connection if redis_connection is not None else _connect()
        self.prefix = prefix

    def save(self, key: str, data: Any, expire: float | None = None) -> None:
        """``SET`` ``data`` under ``key``, with ``PX`` milliseconds until ``expire``.

        The expiry is rounded up to a whole millisecond, so it is never zero;
        an ``expire`` at or before now deletes the key instead.

        Raises:
            TypeError: ``data`` is not bytes, str, int or float.
        """
        if type(data) is bool or not isinstance(data, _VALUE_TYPES):
            raise TypeError(
                f"RedisCacheStore stores bytes or str, not {type(data).__name__}; encode it first"
            )
        name = self.prefix + key
        if expire is None:
            self.redis.set(name, data)
            return
        millis = math.ceil((expire - self.clock()) * 1000)
        if millis <= 0:
            self.redis.delete(name)
            return
        self.redis.set(name, data, px=millis)

    def load(self, key: str) -> Any:
        """``GET`` ``key``: its value, or None if it is missing or Redis expired it."""
        return self.redis.get(self.prefix + key)

    def delete(self, key: str) -> None:
        """``DEL`` ``key``."""
        self.redis.delete(self.prefix + key)

    def delete_expired(self) -> int:
        """Nothing to do: Redis removes expired keys itself. Returns 0.

        (0.4 raised ``NotImplementedError``, so code written for either store
        could not call it.)
        """
        return 0
