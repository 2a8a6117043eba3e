"""brubeck.models.views: owner and public views, validating plain dicts."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from brubeck.models import Document, EmbeddedDocument, ShieldException
from brubeck.models.fields import (
    EmbeddedDocumentField,
    IntField,
    ListField,
    StringField,
)


class ViewAddress(EmbeddedDocument):
    street = StringField()
    secret_code = StringField()
    _private_fields = ["secret_code"]
    _public_fields = ["street"]


class ViewUser(Document):
    name = StringField(required=True, minimized_field_name="n")
    password = StringField()
    age = IntField(min_value=0)
    address = EmbeddedDocumentField(ViewAddress)
    history = ListField(EmbeddedDocumentField(ViewAddress))
    _private_fields = ["password"]
    _public_fields = ["name", "address", "history"]


class ViewNoPublic(Document):
    name = StringField()


USER_ID = uuid.UUID(int=3)


def make_user() -> ViewUser:
    return ViewUser(
        id=USER_ID,
        name="alice",
        password="hash",
        age=30,
        address=ViewAddress(street="Main", secret_code="1234"),
        history=[ViewAddress(street="Old", secret_code="9")],
    )


def test_owner_view_hides_internal_and_private_fields_at_every_level() -> None:
    assert ViewUser.make_ownersafe(make_user()) == {
        "n": "alice",
        "age": 30,
        "address": {"street": "Main"},
        "history": [{"street": "Old"}],
    }


def test_public_view_shows_only_public_fields_at_every_level() -> None:
    assert ViewUser.make_publicsafe(make_user()) == {
        "n": "alice",
        "address": {"street": "Main"},
        "history": [{"street": "Old"}],
    }


def test_public_view_without_public_fields_shows_nothing() -> None:
    # DictShield 0.4.4 leaked the id here.
    doc = ViewNoPublic(id=USER_ID, name="x")
    assert ViewNoPublic.make_publicsafe(doc) == {}
    assert ViewNoPublic.make_ownersafe(doc) == {"name": "x"}


def test_views_accept_dicts_and_lists_and_never_mutate_them() -> None:
    data: dict[str, Any] = {"name": "bob", "password": "p", "age": 2, "unknown": 1}
    snapshot = dict(data)
    # A ListField defaults to [], which is shown (as DictShield did).
    assert ViewUser.make_ownersafe(data) == {"n": "bob", "age": 2, "history": []}
    assert data == snapshot
    both = ViewUser.make_ownersafe([make_user(), data])
    assert [view["n"] for view in both] == ["alice", "bob"]


def test_json_views() -> None:
    owner = ViewUser.make_json_ownersafe(make_user())
    assert json.loads(owner)["address"] == {"street": "Main"}
    public = ViewUser.make_json_publicsafe([make_user()], encode=False)
    assert public[0]["n"] == "alice"
    assert list(json.loads(ViewUser.make_json_ownersafe(make_user(), sort_keys=True))) == [
        "address",
        "age",
        "history",
        "n",
    ]


# -- validating dicts -----------------------------------------------------------


def test_a_missing_required_field_is_a_shield_exception_not_a_key_error() -> None:
    with pytest.raises(ShieldException) as caught:
        ViewUser.validate_class_fields({"age": 3})
    assert (caught.value.reason, caught.value.path) == ("Required field missing", "$.name")


def test_validate_class_fields_never_mutates_the_callers_dict() -> None:
    values: dict[str, Any] = {"name": "x", "rogue": 1, "_cls": "ViewUser"}
    assert ViewUser.validate_class_fields(values) is True
    assert values == {"name": "x", "rogue": 1, "_cls": "ViewUser"}


def test_validate_class_fields_collects_errors_with_validate_all() -> None:
    errors = ViewUser.validate_class_fields({"age": -1, "n": ""}, validate_all=True)
    assert [(e.path, e.reason) for e in errors] == [
        ("$.name", "Required field missing"),
        ("$.age", "Int value below min_value: 0"),
    ]


def test_validate_class_partial_checks_only_what_is_present() -> None:
    assert ViewUser.validate_class_partial({"age": 5}) is True
    with pytest.raises(ShieldException, match="below min_value"):
        ViewUser.validate_class_partial({"age": -5})


@pytest.mark.parametrize("key", ["id", "_id", "password"])
def test_internal_and_private_fields_cannot_be_overwritten(key: str) -> None:
    with pytest.raises(ShieldException) as caught:
        ViewUser.validate_class_partial({key: "value"})
    assert caught.value.reason == "Overwrite of internal fields attempted"
    assert caught.value.field_value == "value"  # DictShield reported the field object
