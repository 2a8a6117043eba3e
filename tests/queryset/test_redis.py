"""What is particular to RedisQueryset, against a real redis-server."""

from __future__ import annotations

import json
import uuid
import zlib
from typing import Any

import pytest

from brubeck.models import Document, StringField
from brubeck.queryset import RedisQueryset


class Todo(Document):
    title = StringField(required=True)


def test_one_hash_per_model_holding_the_documents_json(redis_conn: Any) -> None:
    queries = RedisQueryset(db_conn=redis_conn, model=Todo)
    doc = Todo(id=uuid.uuid4(), title="milk")
    queries.create(doc)
    assert queries.hash_name == "brubeck:Todo"
    assert redis_conn.keys("*") == [b"brubeck:Todo"]
    stored = redis_conn.hget("brubeck:Todo", str(doc.id))
    assert json.loads(stored) == json.loads(doc.to_json())


def test_hash_name_can_be_given(redis_conn: Any) -> None:
    queries = RedisQueryset(db_conn=redis_conn, hash_name="todos")
    queries.create(Todo(id=uuid.uuid4(), title="a"))
    assert redis_conn.keys("*") == [b"todos"]


def test_compressed_values_are_zlib_and_decompressed_once(redis_conn: Any) -> None:
    queries = RedisQueryset(compress=True, compress_level=9, db_conn=redis_conn, model=Todo)
    doc = Todo(id=uuid.uuid4(), title="x" * 200)
    queries.create(doc)
    raw = redis_conn.hget(queries.hash_name, str(doc.id))
    assert len(raw) < 100
    assert json.loads(zlib.decompress(raw)) == json.loads(doc.to_json())
    assert queries.read(str(doc.id))[1]["title"] == "x" * 200  # type: ignore[index]


def test_turning_compression_on_still_reads_plain_values(redis_conn: Any) -> None:
    plain = RedisQueryset(db_conn=redis_conn, model=Todo)
    old = Todo(id=uuid.uuid4(), title="old")
    plain.create(old)
    packed = RedisQueryset(compress=True, db_conn=redis_conn, model=Todo)
    new = Todo(id=uuid.uuid4(), title="new")
    packed.create(new)
    assert sorted(datum["title"] for _, datum in packed.read(None)) == ["new", "old"]
    assert sorted(datum["title"] for _, datum in plain.read(None)) == ["new", "old"]


def test_no_model_and_no_hash_name_is_a_clear_error(redis_conn: Any) -> None:
    queries = RedisQueryset(db_conn=redis_conn)
    with pytest.raises(RuntimeError, match="needs a model or a hash name"):
        queries.read(None)


def test_compress_level_is_checked(redis_conn: Any) -> None:
    with pytest.raises(ValueError, match="1 to 9"):
        RedisQueryset(compress=True, compress_level=0, db_conn=redis_conn)


def test_two_querysets_on_one_hash_see_each_other(redis_conn: Any, redis_server: Any) -> None:
    # As two handler processes would: separate clients, one hash.
    other = redis_server.client()
    try:
        mine = RedisQueryset(db_conn=redis_conn, model=Todo)
        theirs = RedisQueryset(db_conn=other, model=Todo)
        doc = Todo(id=uuid.uuid4(), title="shared")
        mine.create(doc)
        doc.title = "changed"
        assert theirs.update(doc)[0] == RedisQueryset.MSG_UPDATED
        assert mine.read(str(doc.id))[1]["title"] == "changed"  # type: ignore[index]
        assert theirs.destroy(str(doc.id))[0] == RedisQueryset.MSG_UPDATED
        assert mine.read(str(doc.id))[0] == RedisQueryset.MSG_NOTFOUND
    finally:
        other.close()
