"""``RedisQueryset``: documents in Redis, one hash per model.

Each model gets its own hash (``brubeck:<ClassName>`` unless named), with
the id as the field and the document's JSON (:meth:`Document.to_json`) as
the value, zlib-compressed when asked. Brubeck 0.4 kept every model in one
hash named after the id field, so two models with the same ids overwrote
each other. Writes that depend on what is stored (update only an existing
id, delete and return what was there) are atomic in Redis, so several
handler processes can share one queryset's hash.

The ``redis`` package is optional (``pip install brubeck[redis]``); the
client is blocking, so under green threads call
:func:`brubeck.concurrency.monkey_patch` for requests to keep running while
one waits for Redis.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

from brubeck.codecs import json
from brubeck.models.document import BaseDocument
from brubeck.queryset.base import AbstractQueryset, Result, keys

__all__ = ["RedisQueryset"]

# zlib streams start with 0x78 ("x"), which no JSON text can start with, so
# compressed and plain values tell themselves apart (and a hash written
# before compression was turned on still reads).
_ZLIB_MAGIC = 0x78

# HSET only when the field exists: update must not create.
_UPDATE_EXISTING = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
    redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
    return 1
end
return 0
"""


def _connect() -> Any:
    try:
        import redis
    except ImportError:
        raise ImportError(
            "RedisQueryset needs the redis package: pip install brubeck[redis]"
        ) from None
    return redis.Redis()


class RedisQueryset(AbstractQueryset):
    """A queryset on a Redis server.

    Args:
        compress: Store values zlib-compressed.
        compress_level: zlib's level, 1 (fast) to 9 (small).
        db_conn: A ``redis.Redis`` client (default: ``redis.Redis()``, localhost).
        api_id: The documents' id field.
        model: The model stored (or set later by :meth:`bind`; AutoAPI does).
        hash_name: The Redis hash (default ``brubeck:<model class name>``).
    """

    def __init__(
        self,
        compress: bool = False,
        compress_level: int = 1,
        db_conn: Any = None,
        api_id: str = "id",
        *,
        model: type[BaseDocument] | None = None,
        hash_name: str | None = None,
    ) -> None:
        if not 1 <= compress_level <= 9:
            raise ValueError("compress_level is from 1 to 9")
        super().__init__(db_conn=_connect() if db_conn is None else db_conn, api_id=api_id)
        self.compress = compress
        self.compress_level = compress_level
        self._hash_name = hash_name
        self._update_script: Any = None
        if model is not None:
            self.bind(model)

    @property
    def hash_name(self) -> str:
        """The Redis hash holding this queryset's documents.

        Raises:
            RuntimeError: Neither a model nor a hash name was given yet.
        """
        if self._hash_name is not None:
            return self._hash_name
        if self.model is None:
            raise RuntimeError(
                "RedisQueryset needs a model or a hash name: RedisQueryset(model=Todo), "
                "RedisQueryset(hash_name='todos'), or register it with an AutoAPI class"
            )
        return f"brubeck:{self.model._class_name}"

    # -- values -------------------------------------------------------------------

    def _dumps(self, shield: Any) -> bytes:
        data = shield.to_json(encode=True).encode("utf-8")
        if self.compress:
            return zlib.compress(data, self.compress_level)
        return bytes(data)

    @staticmethod
    def _loads(value: bytes) -> Any:
        if value[:1] == bytes((_ZLIB_MAGIC,)):
            value = zlib.decompress(value)
        return json.decode(value)

    def _read(self, iid: Any, value: bytes | None) -> Result:
        if value is None:
            return (self.MSG_NOTFOUND, iid)
        return (self.MSG_OK, self._loads(value))

    # -- the queryset -----------------------------------------------------------------

    def create_one(self, shield: Any) -> Result:
        added = self.db_conn.hset(self.hash_name, self.key_of(shield), self._dumps(shield))
        return (self.MSG_CREATED if added else self.MSG_UPDATED, shield)

    def create_many(self, shields: Sequence[Any]) -> list[Result]:
        pipe = self.db_conn.pipeline()
        for shield in shields:
            pipe.hset(self.hash_name, self.key_of(shield), self._dumps(shield))
        added = pipe.execute()
        return [
            (self.MSG_CREATED if new else self.MSG_UPDATED, shield)
            for new, shield in zip(added, shields, strict=True)
        ]

    def read_all(self) -> list[Result]:
        return [(self.MSG_OK, self._loads(value)) for value in self.db_conn.hvals(self.hash_name)]

    def read_one(self, iid: Any) -> Result:
        return self._read(iid, self.db_conn.hget(self.hash_name, self.key_of(iid)))

    def read_many(self, ids: Sequence[Any]) -> list[Result]:
        if not ids:
            return []
        values = self.db_conn.hmget(self.hash_name, keys(self, ids))
        return [self._read(iid, value) for iid, value in zip(ids, values, strict=True)]

    def update_one(self, shield: Any) -> Result:
        return self.update_many([shield])[0]

    def update_many(self, shields: Sequence[Any]) -> list[Result]:
        if self._update_script is None:
            self._update_script = self.db_conn.register_script(_UPDATE_EXISTING)
        pipe = self.db_conn.pipeline()
        for shield in shields:
            self._update_script(
                keys=[self.hash_name], args=[self.key_of(shield), self._dumps(shield)], client=pipe
            )
        done = pipe.execute()
        return [
            (self.MSG_UPDATED if ok else self.MSG_NOTFOUND, shield)
            for ok, shield in zip(done, shields, strict=True)
        ]

    def destroy_one(self, item_id: Any) -> Result:
        return self.destroy_many([item_id])[0]

    def destroy_many(self, item_ids: Sequence[Any]) -> list[Result]:
        if not item_ids:
            return []
        names = keys(self, item_ids)
        pipe = self.db_conn.pipeline()  # MULTI/EXEC: read and delete as one step
        pipe.hmget(self.hash_name, names)
        pipe.hdel(self.hash_name, *names)
        values, _deleted = pipe.execute()
        results: list[Result] = []
        seen: set[str] = set()
        for iid, name, value in zip(item_ids, names, values, strict=True):
            status, datum = self._read(iid, None if name in seen else value)
            seen.add(name)  # an id given twice is deleted once
            results.append((self.MSG_UPDATED if status == self.MSG_OK else status, datum))
        return results
