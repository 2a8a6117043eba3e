"""brubeck.models.users: Brubeck 0.4's User and UserProfile documents."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from brubeck import passwords
from brubeck.models import ShieldDocException, ShieldException, User, UserProfile

try:
    import bcrypt
except ImportError:  # pragma: no cover - bcrypt is in requirements/dev.txt
    bcrypt = None


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash with cheap parameters: the defaults cost 0.1 s a hash."""
    real = passwords.hash_password

    def cheap(raw: str, **kwargs: Any) -> str:
        return real(raw, **{"ln": 4, **kwargs})

    monkeypatch.setattr(passwords, "hash_password", cheap)


def test_create_user_as_in_04() -> None:
    before = int(time.time() * 1000)
    user = User.create_user("JD", "foo", email=" JD@Example.com ")
    assert user.username == "jd"
    assert user.email == "jd@example.com"  # 0.4 dropped it: User had no email field
    assert user.is_active is False
    assert user.date_joined >= before and user.last_login >= before
    assert user.id is None  # the store assigns it, as in 0.4
    assert user.validate()


def test_the_password_is_hashed_never_stored() -> None:
    user = User.create_user("jd", "foo")
    assert user.password.startswith("$scrypt$")
    assert "foo" not in user.password
    assert user.check_password("foo")
    assert not user.check_password("bar")
    assert not user.check_password("")


def test_set_password_replaces_the_hash() -> None:
    user = User.create_user("jd", "foo")
    old = user.password
    user.set_password("bar")
    assert user.password != old
    assert user.check_password("bar") and not user.check_password("foo")
    with pytest.raises(ValueError):
        user.set_password("")


def test_check_password_updates_last_login_on_success_only() -> None:
    user = User.create_user("jd", "foo")
    user.last_login = 1
    assert not user.check_password("wrong")
    assert user.last_login == 1
    assert user.check_password("foo")
    assert user.last_login > 1


def test_a_user_without_a_password_matches_nothing() -> None:
    assert not User(username="nobody").check_password("")
    assert not User(username="nobody").check_password("anything")


def test_a_damaged_stored_password_is_an_error() -> None:
    user = User(username="jd", password="plaintext")
    with pytest.raises(ValueError):
        user.check_password("plaintext")


@pytest.mark.parametrize("username", ["bad name", "semi;colon", "ünïcode", ""])
def test_create_user_checks_the_username_characters(username: str) -> None:
    with pytest.raises(ValueError, match="username_regex"):
        User.create_user(username, "foo")


def test_create_user_checks_the_username_length() -> None:
    with pytest.raises(ValueError, match="shorter than 2"):
        User.create_user("j", "foo")
    with pytest.raises(ShieldException):
        User.create_user("j" * 31, "foo")


def test_create_user_validates_the_email() -> None:
    with pytest.raises(ShieldException):
        User.create_user("jd", "foo", email="not an email")


def test_the_owner_view_hides_the_password() -> None:
    user = User.create_user("jd", "foo", email="jd@example.com")
    view = User.make_ownersafe(user)
    assert "password" not in view and "is_active" not in view
    assert view["username"] == "jd"
    assert User.make_publicsafe(user) == {}


def test_a_user_round_trips_through_json() -> None:
    user = User.create_user("jd", "foo")
    again = User.from_json(user.to_json())
    assert again.check_password("foo")
    assert again.username == "jd"


@pytest.mark.skipif(bcrypt is None, reason="bcrypt is not installed")
def test_a_04_user_logs_in_and_is_upgraded_to_scrypt() -> None:
    salt = bcrypt.gensalt(rounds=4)
    line = passwords.build_passwd_line(
        "bcrypt", salt.decode(), bcrypt.hashpw(b"foo", salt).decode()
    )
    user = User(username="jd", password=line)  # as 0.4 stored it
    assert not user.check_password("bar")
    assert user.password == line
    assert user.check_password("foo")
    assert user.password.startswith("$scrypt$")  # save the user to keep the new hash
    assert user.check_password("foo")


def test_user_profile_fields() -> None:
    owner = User.create_user("jd", "foo")
    owner.id = uuid.uuid4()
    profile = UserProfile(
        owner_id=owner.id,
        owner_username=owner.username,
        name="J. D.",
        email="jd@example.com",
        website="https://example.com/jd",
        bio="Takes five.",
        location_text="Concord, CA",
        avatar_url="https://example.com/jd.png",
    )
    assert profile.validate()
    assert (profile.created_at, profile.updated_at) == (0, 0)
    assert str(profile) == "J. D."
    assert "owner_id" not in UserProfile.make_ownersafe(profile)
    assert UserProfile.make_ownersafe(profile)["owner_username"] == "jd"


def test_user_profile_needs_an_owner_and_valid_urls() -> None:
    with pytest.raises(ShieldDocException) as caught:
        UserProfile(name="x", website="not a url").validate(validate_all=True)
    paths = {error.path for error in caught.value.error_list}
    assert paths == {"$.owner_id", "$.owner_username", "$.website"}
