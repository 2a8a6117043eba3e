"""Brubeck 0.4's ``User`` and ``UserProfile`` documents.

``User`` keeps only what authentication needs; passwords are stored as
:func:`brubeck.passwords.hash_password` strings (scrypt), and 0.4's
``bcrypt|||salt|||hash`` lines still check when bcrypt is installed (and are
replaced by a scrypt hash on the first successful check). ``UserProfile``
holds what a user shows others, apart from the private data.
"""

from __future__ import annotations

import re
import time
from typing import Any, ClassVar, TypeVar

from brubeck import passwords
from brubeck.models.document import Document
from brubeck.models.fields import (
    BooleanField,
    EmailField,
    LongField,
    StringField,
    URLField,
    UUIDField,
)

__all__ = ["User", "UserProfile"]

U = TypeVar("U", bound="User")


def now_millis() -> int:
    """The time now, in milliseconds since the epoch (UTC)."""
    return int(time.time() * 1000)


class User(Document):
    """The bare minimum to have the concept of a user.

    The owner view hides ``password`` and ``is_active``.
    """

    username = StringField(max_length=30, required=True)
    password = StringField(max_length=128)
    email = EmailField(max_length=100)  # 0.4's create_user took an email and dropped it
    is_active = BooleanField(default=False)
    last_login = LongField(default=now_millis)
    date_joined = LongField(default=now_millis)

    _private_fields: ClassVar[list[str] | None] = ["password", "is_active"]

    username_regex: ClassVar[re.Pattern[str]] = re.compile(r"^[A-Za-z0-9._]+$")
    username_min_length: ClassVar[int] = 2

    def __str__(self) -> str:
        return str(self.username)

    def set_password(self, raw_password: str) -> None:
        """Store a new scrypt hash of ``raw_password`` (never the password).

        Raises:
            ValueError: An empty password.
        """
        self.password = passwords.hash_password(raw_password)

    def check_password(self, raw_password: str) -> bool:
        """Whether ``raw_password`` is this user's password (a constant-time
        comparison). On success ``last_login`` is updated, and a hash with
        old parameters or from 0.4 (bcrypt) is replaced: save the user after.

        Raises:
            ValueError: The stored password is not a hash Brubeck knows.
            ImportError: It is a 0.4 bcrypt line and bcrypt is not installed.
        """
        stored = self.password
        if not stored:
            return False
        if not passwords.verify_password(raw_password, stored):
            return False
        self.last_login = now_millis()
        if passwords.needs_rehash(stored):
            self.set_password(raw_password)
        return True

    @classmethod
    def create_user(cls: type[U], username: str, password: str, email: str = "") -> U:
        """A new user (not saved) with a lowercase ``username`` and a hashed password.

        Raises:
            ValueError: The username has characters outside ``username_regex``,
                or fewer than ``username_min_length``; an empty password.
            ShieldException: The username or email does not validate.
        """
        username = username.lower()
        email = email.strip().lower()
        if not cls.username_regex.fullmatch(username):
            raise ValueError("Username failed character validation - username_regex")
        if len(username) < cls.username_min_length:
            raise ValueError(f"Username shorter than {cls.username_min_length} characters")
        values: dict[str, Any] = {"username": username, "email": email}
        cls.validate_class_partial(values)
        user = cls(username=username, email=email or None, date_joined=now_millis())
        user.set_password(password)
        return user


class UserProfile(Document):
    """The things a user profile tends to carry, kept apart from private data.

    The owner fields (``owner_id``, ``owner_username``) and the stream fields
    (``created_at``, ``updated_at``, milliseconds) are 0.4's
    ``OwnedModelMixin`` and ``StreamedModelMixin``. The owner view hides ``owner_id``.
    """

    owner_id = UUIDField(required=True)
    owner_username = StringField(max_length=30, required=True)
    created_at = LongField(default=0)
    updated_at = LongField(default=0)

    name = StringField(max_length=255)
    email = EmailField(max_length=100)
    website = URLField(max_length=255)
    bio = StringField(max_length=100)
    location_text = StringField(max_length=100)
    avatar_url = URLField(max_length=255)

    _private_fields: ClassVar[list[str] | None] = ["owner_id"]

    def __str__(self) -> str:
        return str(self.name)
