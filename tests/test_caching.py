"""brubeck.caching: session ids, the in-memory store, and the Redis store on a real redis-server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from brubeck.caching import BaseCacheStore, RedisCacheStore, generate_session_id

ROOT = Path(__file__).resolve().parent.parent


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, now: float = 1_381_665_600.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# -- generate_session_id ----------------------------------------------------------------


def test_session_ids_are_64_hex_characters_and_differ() -> None:
    ids = {generate_session_id() for _ in range(50)}
    assert len(ids) == 50
    for session_id in ids:
        assert len(session_id) == 64
        assert int(session_id, 16) >= 0
        assert session_id == session_id.lower()


# -- BaseCacheStore ---------------------------------------------------------------------


def test_save_and_load_keep_the_object() -> None:
    store = BaseCacheStore()
    data = {"user": "alice"}
    store.save("k", data)
    assert store.load("k") is data
    assert store.load("missing") is None


def test_save_replaces_and_delete_removes() -> None:
    store = BaseCacheStore()
    store.save("k", 1)
    store.save("k", 2)
    assert store.load("k") == 2
    store.delete("k")
    store.delete("k")  # deleting a missing key is fine
    assert store.load("k") is None


def test_expiry_follows_the_clock_and_removes_on_load() -> None:
    clock = FakeClock()
    store = BaseCacheStore(clock=clock)
    store.save("k", "v", expire=clock.now + 10)
    clock.now += 9.999
    assert store.load("k") == "v"
    clock.now += 0.001  # the expire time itself is expired
    assert store.load("k") is None
    assert store.delete_expired() == 0  # load already removed it


def test_expiry_with_the_real_clock() -> None:
    store = BaseCacheStore()
    store.save("past", "v", expire=time.time() - 1)
    store.save("future", "v", expire=time.time() + 3600)
    assert store.load("past") is None
    assert store.load("future") == "v"


def test_saving_with_a_past_expiry_deletes_the_key() -> None:
    clock = FakeClock()
    store = BaseCacheStore(clock=clock)
    store.save("k", "old")
    store.save("k", "new", expire=clock.now - 1)
    assert store.load("k") is None


def test_expire_zero_is_a_time_not_never() -> None:
    # 0.4 read a falsy expire as "never".
    store = BaseCacheStore()
    store.save("k", "v", expire=0)
    assert store.load("k") is None


def test_delete_expired_deletes_only_expired_entries() -> None:
    # 0.4 deleted with map(), which does nothing on Python 3.
    clock = FakeClock()
    store = BaseCacheStore(clock=clock)
    store.save("forever", 1)
    store.save("soon", 2, expire=clock.now + 5)
    store.save("later", 3, expire=clock.now + 50)
    clock.now += 10
    assert store.delete_expired() == 1
    assert "soon" not in store._cache_store
    assert store.delete_expired() == 0
    assert (store.load("forever"), store.load("soon"), store.load("later")) == (1, None, 3)


def test_load_does_not_swallow_errors() -> None:
    # 0.4 returned None for any exception, hiding bugs like this one.
    store = BaseCacheStore()
    with pytest.raises(TypeError):
        store.load(["not", "hashable"])  # type: ignore[arg-type]


def test_stores_are_cooperative_mixins() -> None:
    class Tagged:
        def __init__(self, tag: str = "", **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.tag = tag

    class TaggedStore(BaseCacheStore, Tagged):
        pass

    assert TaggedStore(tag="sessions").tag == "sessions"


# -- RedisCacheStore --------------------------------------------------------------------


def test_redis_save_and_load_bytes_and_str(redis_conn: Any) -> None:
    store = RedisCacheStore(redis_conn)
    store.save("b", b"\x00\xffraw")
    store.save("s", "caf\u00e9")
    assert store.load("b") == b"\x00\xffraw"
    assert store.load("s") == "caf\u00e9".encode()
    assert store.load("missing") is None
    assert redis_conn.get("b") == b"\x00\xffraw"  # stored as given, not pickled


def test_redis_with_decode_responses_loads_str(redis_server: Any, redis_conn: Any) -> None:
    client = redis_server.client(decode_responses=True)
    try:
        store = RedisCacheStore(client)
        store.save("s", "caf\u00e9")
        assert store.load("s") == "caf\u00e9"
    finally:
        client.close()


def test_redis_refuses_values_it_would_have_to_pickle(redis_conn: Any) -> None:
    store = RedisCacheStore(redis_conn)
    for value in ({"a": 1}, None, True, object()):
        with pytest.raises(TypeError, match="encode it first"):
            store.save("k", value)
    assert redis_conn.exists("k") == 0


def test_redis_without_expiry_persists(redis_conn: Any) -> None:
    RedisCacheStore(redis_conn).save("k", b"v")
    assert redis_conn.pttl("k") == -1


def test_redis_ttl_is_what_was_asked(redis_conn: Any) -> None:
    store = RedisCacheStore(redis_conn)
    store.save("k", b"v", expire=time.time() + 100)
    ttl = redis_conn.pttl("k")
    assert 90_000 < ttl <= 100_000
    assert store.load("k") == b"v"


def test_redis_expires_no_earlier_than_asked(redis_conn: Any) -> None:
    # 0.4 sent EXPIRE int(seconds): 1 s for 1.5 s, and EXPIRE 0 (or an
    # AssertionError) for 0.5 s. PEXPIRETIME is the absolute time Redis holds;
    # the server shares this host's clock, and truncates it to milliseconds.
    store = RedisCacheStore(redis_conn)
    for seconds in (0.5, 1.5, 100.25):
        expire = time.time() + seconds
        store.save("k", b"v", expire=expire)
        at = redis_conn.pexpiretime("k")
        assert expire * 1000 - 1 <= at < expire * 1000 + 10_000  # the upper bound: a hung test


def test_redis_a_tiny_expiry_is_never_zero(redis_conn: Any) -> None:
    clock = FakeClock(time.time())
    store = RedisCacheStore(redis_conn, clock=clock)
    store.save("k", b"v", expire=clock.now + 0.0001)  # rounds up to PX 1
    assert redis_conn.pttl("k") in (-2, 0, 1)  # expiring or gone: never persistent


def test_redis_expires_keys_itself(redis_conn: Any) -> None:
    store = RedisCacheStore(redis_conn)
    store.save("k", b"v", expire=time.time() + 0.05)
    deadline = time.monotonic() + 10  # a limit for a hung test, not a speed check
    while store.load("k") is not None:
        assert time.monotonic() < deadline, "Redis never expired the key"
        time.sleep(0.01)
    assert redis_conn.exists("k") == 0


def test_redis_a_past_expiry_deletes_the_key(redis_conn: Any) -> None:
    store = RedisCacheStore(redis_conn)
    store.save("k", b"old")
    store.save("k", b"new", expire=time.time() - 1)  # 0.4: AssertionError
    assert store.load("k") is None
    assert redis_conn.exists("k") == 0
    store.save("k", b"v", expire=0)
    assert redis_conn.exists("k") == 0


def test_redis_delete_and_delete_expired(redis_conn: Any) -> None:
    store = RedisCacheStore(redis_conn)
    store.save("k", b"v")
    store.delete("k")
    store.delete("k")
    assert store.load("k") is None
    assert store.delete_expired() == 0  # 0.4 raised NotImplementedError


def test_redis_prefix(redis_conn: Any) -> None:
    sessions = RedisCacheStore(redis_conn, prefix="sessions:")
    plain = RedisCacheStore(redis_conn)
    sessions.save("abc", b"s", expire=time.time() + 100)
    plain.save("abc", b"p")
    assert sorted(redis_conn.keys("*")) == [b"abc", b"sessions:abc"]
    assert (sessions.load("abc"), plain.load("abc")) == (b"s", b"p")
    assert redis_conn.pttl("sessions:abc") > 0
    sessions.delete("abc")
    assert redis_conn.keys("*") == [b"abc"]


def test_redis_store_is_a_cache_store(redis_conn: Any) -> None:
    assert isinstance(RedisCacheStore(redis_conn), BaseCacheStore)


# -- the optional redis package ---------------------------------------------------------


def test_without_redis_the_module_imports_and_redis_store_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)  # import redis fails
    with pytest.raises(ImportError, match=r"pip install brubeck\[redis\]"):
        RedisCacheStore()


def test_import_brubeck_caching_does_not_import_redis() -> None:
    code = (
        "import sys; sys.modules['redis'] = None\n"
        "import brubeck.caching as c\n"
        "store = c.BaseCacheStore(); store.save('k', 1); assert store.load('k') == 1\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
