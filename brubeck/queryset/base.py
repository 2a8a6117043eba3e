"""``AbstractQueryset``: create, read, update and destroy, one or many.

A queryset stores the documents of one model. The four verbs dispatch to
``*_one`` or ``*_many`` (and ``read_all``) as Brubeck 0.4's did, and every
answer is data: ``(status, datum)`` for one item, a list of them for many,
where ``status`` is one of the ``MSG_*`` texts. Nothing is raised for an id
that is not there: it is ``(MSG_NOTFOUND, id)``, so one missing item in a
batch never hides the answers for the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from brubeck.errors import HTTPError
from brubeck.models.document import BaseDocument

__all__ = ["AbstractQueryset", "FourOhFourException", "Result"]

#: One item's answer: ``(status, datum)``.
Result = tuple[str, Any]


class FourOhFourException(HTTPError):
    """Brubeck 0.4's "not found", for querysets of your own that raise it:
    the app answers 404. The querysets here answer ``MSG_NOTFOUND`` instead."""

    def __init__(self, reason: str = "Not Found") -> None:
        super().__init__(404, reason)


class AbstractQueryset:
    """The storage interface :class:`brubeck.autoapi.AutoAPIBase` talks to.

    Args:
        db_conn: The storage (a dict, a Redis client...), as in 0.4.
        api_id: The name of the documents' id field (``"id"``).

    Subclasses implement the ten ``*_one``/``*_many``/``read_all`` methods;
    stored data comes back as :meth:`Document.to_python` dicts.
    """

    MSG_OK = "OK"
    MSG_UPDATED = "Updated"
    MSG_CREATED = "Created"
    MSG_NOTFOUND = "Not Found"
    MSG_FAILED = "Failed"

    def __init__(self, db_conn: Any = None, api_id: str = "id") -> None:
        self.db_conn = db_conn
        self.api_id = api_id
        self.model: type[BaseDocument] | None = None

    def bind(self, model: type[BaseDocument]) -> None:
        """Tell the queryset which model it stores (AutoAPI does this when an
        API class is registered). A queryset stores one model only.

        Raises:
            ValueError: It already stores another model.
        """
        if self.model is not None and self.model is not model:
            raise ValueError(
                f"this queryset stores {self.model.__name__}, not {model.__name__}: "
                "give each model its own queryset"
            )
        self.model = model

    def key_of(self, shield: Any) -> str:
        """The storage key of a document (or of an id): its id as text."""
        if isinstance(shield, BaseDocument):
            shield = getattr(shield, self.api_id)
        return str(shield)

    # -- dispatch (0.4's) -----------------------------------------------------

    def create(self, shields: Any) -> Result | list[Result]:
        """Store new documents: a list goes to ``create_many``, one to ``create_one``."""
        if isinstance(shields, list):
            return self.create_many(shields)
        return self.create_one(shields)

    def read(self, ids: Any) -> Result | list[Result]:
        """Read documents: no ids reads all, a list many, else one."""
        if not ids:
            return self.read_all()
        if isinstance(ids, list):
            return self.read_many(ids)
        return self.read_one(ids)

    def update(self, shields: Any) -> Result | list[Result]:
        """Replace stored documents: a list goes to ``update_many``."""
        if isinstance(shields, list):
            return self.update_many(shields)
        return self.update_one(shields)

    def destroy(self, item_ids: Any) -> Result | list[Result]:
        """Delete documents by id: a list goes to ``destroy_many``."""
        if isinstance(item_ids, list):
            return self.destroy_many(item_ids)
        return self.destroy_one(item_ids)

    # -- what a storage implements ----------------------------------------------

    def create_one(self, shield: Any) -> Result:
        """``(MSG_CREATED, shield)``, or ``(MSG_UPDATED, shield)`` if its id was stored."""
        raise NotImplementedError

    def create_many(self, shields: Sequence[Any]) -> list[Result]:
        """:meth:`create_one` for each document, in order."""
        raise NotImplementedError

    def read_all(self) -> list[Result]:
        """``(MSG_OK, datum)`` for every stored document."""
        raise NotImplementedError

    def read_one(self, iid: Any) -> Result:
        """``(MSG_OK, datum)``, or ``(MSG_NOTFOUND, iid)``."""
        raise NotImplementedError

    def read_many(self, ids: Sequence[Any]) -> list[Result]:
        """:meth:`read_one` for each id, in order."""
        raise NotImplementedError

    def update_one(self, shield: Any) -> Result:
        """``(MSG_UPDATED, shield)``, or ``(MSG_NOTFOUND, shield)`` if its id is not stored."""
        raise NotImplementedError

    def update_many(self, shields: Sequence[Any]) -> list[Result]:
        """:meth:`update_one` for each document, in order."""
        raise NotImplementedError

    def destroy_one(self, item_id: Any) -> Result:
        """``(MSG_UPDATED, datum)`` with what was deleted, or ``(MSG_NOTFOUND, item_id)``."""
        raise NotImplementedError

    def destroy_many(self, item_ids: Sequence[Any]) -> list[Result]:
        """:meth:`destroy_one` for each id, in order."""
        raise NotImplementedError


def keys(queryset: AbstractQueryset, items: Iterable[Any]) -> list[str]:
    """The storage keys of documents or ids."""
    return [queryset.key_of(item) for item in items]
