"""brubeck.protocol.cookies"""

from __future__ import annotations

import base64
import hashlib
import hmac
import pickle
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brubeck.protocol.cookies import (
    MAX_COOKIE_SIZE,
    cookie_decode,
    cookie_encode,
    cookie_is_encoded,
)

SECRET = "s3cret"
NOW = 1_700_000_000


def test_layout_is_brubeck_04s_with_hmac_sha256_and_json() -> None:
    cookie = cookie_encode({"user": "alice"}, SECRET, issued_at=NOW)
    assert cookie.startswith("!") and cookie_is_encoded(cookie)
    signature_b64, payload_b64 = cookie[1:].split("?")
    assert base64.b64decode(payload_b64) == b'{"t":1700000000,"v":{"user":"alice"}}'
    expected = hmac.new(SECRET.encode(), payload_b64.encode(), hashlib.sha256).digest()
    assert base64.b64decode(signature_b64) == expected


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3)
    ),
    max_leaves=8,
)


@given(json_values)
def test_round_trip(value: Any) -> None:
    assert cookie_decode(cookie_encode(value, SECRET, issued_at=NOW), SECRET, now=NOW) == value


def test_wrong_secret_tampering_and_garbage_give_none() -> None:
    cookie = cookie_encode("alice", SECRET, issued_at=NOW)
    assert cookie_decode(cookie, "other", now=NOW) is None
    signature, payload = cookie[1:].split("?")
    forged = base64.b64encode(b'{"t":1700000000,"v":"admin"}').decode()
    assert cookie_decode(f"!{signature}?{forged}", SECRET, now=NOW) is None
    for garbage in ["", "alice", "!?", "!abc", "!@@@?xyz", f"!{signature}?", "?" * 10, "!é?é"]:
        assert cookie_decode(garbage, SECRET, now=NOW) is None


def test_expiry_and_future_cookies() -> None:
    cookie = cookie_encode("alice", SECRET, issued_at=NOW)
    assert cookie_decode(cookie, SECRET, max_age=60, now=NOW + 60) == "alice"
    assert cookie_decode(cookie, SECRET, max_age=60, now=NOW + 61) is None
    assert cookie_decode(cookie, SECRET, now=NOW - 3600) is None  # issued an hour ahead


def test_a_pickle_payload_is_never_unpickled_even_when_correctly_signed() -> None:
    class Boom:
        def __reduce__(self) -> Any:
            return (pytest.fail, ("unpickled!",))

    payload_b64 = base64.b64encode(pickle.dumps(Boom())).decode()
    signature = base64.b64encode(
        hmac.new(SECRET.encode(), payload_b64.encode(), hashlib.sha256).digest()
    ).decode()
    assert cookie_decode(f"!{signature}?{payload_b64}", SECRET, now=NOW) is None


def test_payloads_of_the_wrong_shape_give_none() -> None:
    def signed(payload: bytes) -> str:
        payload_b64 = base64.b64encode(payload).decode()
        digest = hmac.new(SECRET.encode(), payload_b64.encode(), hashlib.sha256).digest()
        return f"!{base64.b64encode(digest).decode()}?{payload_b64}"

    for payload in [
        b"[1]",
        b'{"v":1}',
        b'{"t":"x","v":1}',
        b'{"t":1e999,"v":1}',
        b'{"t":1}',
        b"\xff",
    ]:
        assert cookie_decode(signed(payload), SECRET, now=NOW) is None


def test_limits() -> None:
    assert cookie_decode("!" + "a" * MAX_COOKIE_SIZE + "?b", SECRET) is None
    with pytest.raises(ValueError):
        cookie_encode("x", "")
    with pytest.raises(ValueError):
        cookie_decode("!a?b", b"")
    with pytest.raises(ValueError):  # NaN has no JSON form
        cookie_encode(float("nan"), SECRET)


@given(st.text(max_size=80) | st.text(alphabet="!?+/=abcdefAB0123", max_size=80))
def test_any_text_decodes_to_none_or_a_value_never_an_exception(data: str) -> None:
    assert cookie_decode(data, SECRET, max_age=10, now=NOW) is None


def test_a_boolean_issue_time_is_refused() -> None:
    payload_b64 = base64.b64encode(b'{"t":true,"v":1}').decode()
    digest = hmac.new(SECRET.encode(), payload_b64.encode(), hashlib.sha256).digest()
    assert (
        cookie_decode(f"!{base64.b64encode(digest).decode()}?{payload_b64}", SECRET, now=NOW)
        is None
    )
