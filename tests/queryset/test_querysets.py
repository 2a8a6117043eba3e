"""The queryset contract, run on DictQueryset and on RedisQueryset against a
real redis-server (the ``redis_conn`` fixture)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from brubeck.models import BooleanField, Document, IntField, StringField
from brubeck.queryset import AbstractQueryset, DictQueryset, RedisQueryset

OK, CREATED, UPDATED, NOTFOUND = (
    AbstractQueryset.MSG_OK,
    AbstractQueryset.MSG_CREATED,
    AbstractQueryset.MSG_UPDATED,
    AbstractQueryset.MSG_NOTFOUND,
)


class Todo(Document):
    title = StringField(required=True)
    done = BooleanField(default=False)


class Note(Document):
    title = StringField(required=True)
    stars = IntField()


def todo(title: str, **kw: Any) -> Todo:
    return Todo(id=uuid.uuid4(), title=title, **kw)


Factory = Callable[..., AbstractQueryset]


@pytest.fixture(params=["dict", "redis", "redis-compressed"])
def make(request: pytest.FixtureRequest) -> Factory:
    """Builds a queryset bound to a model, on each storage."""
    if request.param == "dict":
        return lambda model=Todo: _bound(DictQueryset(), model)
    conn = request.getfixturevalue("redis_conn")
    compress = request.param == "redis-compressed"
    return lambda model=Todo: RedisQueryset(compress=compress, db_conn=conn, model=model)


def _bound(queries: AbstractQueryset, model: type[Document]) -> AbstractQueryset:
    queries.bind(model)
    return queries


def titles(results: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return sorted((status, datum["title"]) for status, datum in results)


def test_create_one_then_again_is_an_update(make: Factory) -> None:
    queries = make()
    doc = todo("milk")
    assert queries.create(doc) == (CREATED, doc)
    doc.title = "oat milk"
    assert queries.create(doc) == (UPDATED, doc)
    status, datum = queries.read(str(doc.id))
    assert status == OK and datum["title"] == "oat milk"


def test_create_many_reports_each_item(make: Factory) -> None:
    queries = make()
    first, second = todo("a"), todo("b")
    queries.create(first)
    assert queries.create([first, second]) == [(UPDATED, first), (CREATED, second)]


def test_read_all(make: Factory) -> None:
    queries = make()
    assert queries.read(None) == []
    queries.create([todo("a"), todo("b", done=True)])
    assert titles(queries.read(None)) == [(OK, "a"), (OK, "b")]  # type: ignore[arg-type]


def test_read_one_and_a_missing_id(make: Factory) -> None:
    queries = make()
    doc = todo("a")
    queries.create(doc)
    status, datum = queries.read(doc.id)  # an id value or its text: the same key
    assert status == OK
    assert Todo(**datum) == doc
    missing = str(uuid.uuid4())
    assert queries.read(missing) == (NOTFOUND, missing)


def test_read_many_keeps_order_and_marks_missing(make: Factory) -> None:
    queries = make()
    a, b = todo("a"), todo("b")
    queries.create([a, b])
    missing = str(uuid.uuid4())
    results = queries.read([str(b.id), missing, str(a.id)])
    assert isinstance(results, list)
    assert [status for status, _ in results] == [OK, NOTFOUND, OK]
    assert results[0][1]["title"] == "b" and results[2][1]["title"] == "a"
    assert results[1][1] == missing


def test_update_replaces_only_stored_documents(make: Factory) -> None:
    queries = make()
    doc = todo("a")
    queries.create(doc)
    doc.done = True
    assert queries.update(doc) == (UPDATED, doc)
    assert queries.read(str(doc.id))[1]["done"] is True  # type: ignore[index]
    stranger = todo("not stored")
    assert queries.update([doc, stranger]) == [(UPDATED, doc), (NOTFOUND, stranger)]
    assert queries.read(str(stranger.id))[0] == NOTFOUND  # update never creates


def test_destroy_returns_what_was_deleted(make: Factory) -> None:
    queries = make()
    keep, drop = todo("keep"), todo("drop")
    queries.create([keep, drop])
    status, datum = queries.destroy(str(drop.id))  # type: ignore[misc]
    assert status == UPDATED and datum["title"] == "drop"
    assert queries.read(str(drop.id)) == (NOTFOUND, str(drop.id))
    assert queries.read(str(keep.id))[0] == OK
    # 0.4: a missing id raised an unimported FourOhFourException (Dict) or
    # returned a bare string (Redis); now it is a result like the others.
    assert queries.destroy(str(drop.id)) == (NOTFOUND, str(drop.id))


def test_destroy_many_and_an_id_given_twice(make: Factory) -> None:
    queries = make()
    a, b = todo("a"), todo("b")
    queries.create([a, b])
    results = queries.destroy([str(a.id), str(a.id), str(b.id)])
    assert [status for status, _ in results] == [UPDATED, NOTFOUND, UPDATED]  # type: ignore[union-attr]
    assert queries.read(None) == []


def test_models_do_not_share_storage(make: Factory) -> None:
    # 0.4's RedisQueryset kept every model in one hash named "id".
    todos, notes = make(Todo), make(Note)
    same_id = uuid.uuid4()
    todos.create(Todo(id=same_id, title="todo"))
    notes.create(Note(id=same_id, title="note", stars=3))
    assert todos.read(str(same_id))[1]["title"] == "todo"  # type: ignore[index]
    assert notes.read(str(same_id))[1]["title"] == "note"  # type: ignore[index]


def test_a_queryset_stores_one_model() -> None:
    queries = DictQueryset()
    queries.bind(Todo)
    queries.bind(Todo)  # again: fine
    with pytest.raises(ValueError, match="stores Todo, not Note"):
        queries.bind(Note)


def test_abstract_methods_raise() -> None:
    queries = AbstractQueryset()
    with pytest.raises(NotImplementedError):
        queries.read(None)
    with pytest.raises(NotImplementedError):
        queries.create([todo("a")])
