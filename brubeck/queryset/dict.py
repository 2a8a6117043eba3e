"""``DictQueryset``: documents in a dict in this process (tests, demos, caches)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from brubeck.queryset.base import AbstractQueryset, Result

__all__ = ["DictQueryset"]


class DictQueryset(AbstractQueryset):
    """Keeps :meth:`Document.to_python` dicts keyed by the id as text.

    Nothing is shared between processes: behind several handler processes
    use :class:`~brubeck.queryset.RedisQueryset` (or a storage of your own).
    """

    def __init__(self, db_conn: dict[str, Any] | None = None, api_id: str = "id") -> None:
        super().__init__(db_conn={} if db_conn is None else db_conn, api_id=api_id)

    # Each method touches the dict without yielding, so green threads see
    # every change whole.

    def create_one(self, shield: Any) -> Result:
        key = self.key_of(shield)
        status = self.MSG_UPDATED if key in self.db_conn else self.MSG_CREATED
        self.db_conn[key] = shield.to_python()
        return (status, shield)

    def create_many(self, shields: Sequence[Any]) -> list[Result]:
        return [self.create_one(shield) for shield in shields]

    def read_all(self) -> list[Result]:
        return [(self.MSG_OK, datum) for datum in self.db_conn.values()]

    def read_one(self, iid: Any) -> Result:
        datum = self.db_conn.get(self.key_of(iid))
        if datum is None:
            return (self.MSG_NOTFOUND, iid)
        return (self.MSG_OK, datum)

    def read_many(self, ids: Sequence[Any]) -> list[Result]:
        return [self.read_one(iid) for iid in ids]

    def update_one(self, shield: Any) -> Result:
        key = self.key_of(shield)
        if key not in self.db_conn:
            return (self.MSG_NOTFOUND, shield)
        self.db_conn[key] = shield.to_python()
        return (self.MSG_UPDATED, shield)

    def update_many(self, shields: Sequence[Any]) -> list[Result]:
        return [self.update_one(shield) for shield in shields]

    def destroy_one(self, item_id: Any) -> Result:
        datum = self.db_conn.pop(self.key_of(item_id), None)
        if datum is None:
            return (self.MSG_NOTFOUND, item_id)
        return (self.MSG_UPDATED, datum)

    def destroy_many(self, item_ids: Sequence[Any]) -> list[Result]:
        return [self.destroy_one(item_id) for item_id in item_ids]
