"""brubeck.models.document: ids, class naming, validation, serialization."""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brubeck.models import (
    Document,
    EmbeddedDocument,
    ShieldDocException,
    ShieldException,
)
from brubeck.models.fields import (
    BooleanField,
    DateTimeField,
    EmbeddedDocumentField,
    IntField,
    ListField,
    StringField,
    UUIDField,
)

# -- ids --------------------------------------------------------------------


class DocPlain(Document):
    title = StringField()


class DocUnderscoreId(Document):
    title = StringField()

    class Meta:
        id_options = {"auto_fill": True}


class DocStringId(Document):
    class Meta:
        id_field = StringField


class DocOwnId(Document):
    username = StringField(id_field=True)
    title = StringField()


class DocEmbedded(EmbeddedDocument):
    title = StringField()


def test_a_document_always_has_an_id_field_serialized_as_id() -> None:
    assert isinstance(DocPlain._fields["id"], UUIDField)
    assert DocPlain.id is DocPlain._fields["id"]
    key = uuid.uuid4()
    doc = DocPlain(id=key, title="x")
    assert doc.to_python()["id"] == key
    assert "id" not in DocPlain(title="x").to_python()  # an empty id is left out


def test_underscore_id_maps_to_id() -> None:
    key = uuid.uuid4()
    assert DocPlain(_id=str(key)).id == key


def test_id_options_without_uniq_field_switch_the_key_to_underscore_id() -> None:
    doc = DocUnderscoreId(title="x")
    assert isinstance(doc.id, uuid.UUID)  # auto_fill
    python = doc.to_python()
    assert "_id" in python
    assert "id" not in python


def test_meta_id_field_sets_the_id_type() -> None:
    assert isinstance(DocStringId._fields["id"], StringField)
    assert DocStringId(id="abc").to_python()["id"] == "abc"


def test_a_field_can_be_the_id() -> None:
    assert "id" not in DocOwnId._fields
    doc = DocOwnId(username="alice", title="x")
    assert doc.to_python()["_id"] == "alice"
    assert DocOwnId(_id="bob").username == "bob"


def test_embedded_documents_have_no_id() -> None:
    assert "id" not in DocEmbedded._fields
    assert not hasattr(DocEmbedded, "id")


# -- class naming and Meta --------------------------------------------------


class NamedRoot(Document):
    a = StringField()


class NamedChild(NamedRoot):
    b = StringField()


class NamedMixin(Document):
    m = StringField()

    class Meta:
        mixin = True
        not_an_option = "ignored"


class NamedMixed(NamedMixin):
    c = StringField()


class NamedPrivate(Document):
    a = StringField()
    _meta = {"allow_inheritance": False}


def test_class_names_types_and_superclasses() -> None:
    assert NamedChild._class_name == "NamedRoot.NamedChild"
    assert NamedChild._superclasses == {"NamedRoot": NamedRoot}
    assert NamedChild._types == ["NamedRoot", "NamedRoot.NamedChild"]
    assert list(NamedChild._fields) == ["a", "id", "b"]
    python = NamedChild(a="1", b="2").to_python()
    assert python["_cls"] == "NamedRoot.NamedChild"
    assert python["_types"] == ["NamedRoot", "NamedRoot.NamedChild"]


def test_mixins_are_left_out_of_class_names_and_unknown_meta_keys_ignored() -> None:
    assert NamedMixed._class_name == "NamedMixed"
    assert NamedMixed._superclasses == {}
    assert {"m", "c"} <= set(NamedMixed._fields)
    assert not hasattr(NamedMixin._options, "not_an_option")


def test_allow_inheritance_false_leaves_out_cls_and_types() -> None:
    assert NamedPrivate(a="x").to_python() == {"a": "x"}


def test_subclasses() -> None:
    assert NamedRoot._get_subclasses() == {"NamedRoot.NamedChild": NamedChild}


# -- construction -------------------------------------------------------------


class Built(Document):
    title = StringField(minimized_field_name="t")
    count = IntField(default=0)


def test_minimized_names_are_accepted() -> None:
    assert Built(t="short").title == "short"


def test_unknown_keys_become_attributes_but_never_hide_class_attributes() -> None:
    doc = Built(title="x", extra=1, validate="evil", _secret=2)
    assert doc.extra == 1  # type: ignore[attr-defined]
    assert callable(doc.validate)
    assert not hasattr(doc, "_secret")
    assert "extra" not in doc.to_python()


def test_from_primitive_ignores_unknown_keys_entirely() -> None:
    doc = Built.from_primitive({"title": "x", "extra": 1, "validate": 2})
    assert not hasattr(doc, "extra")
    assert callable(doc.validate)


def test_defaults() -> None:
    assert Built().count == 0
    assert Built(count=5).count == 5


# -- validation -----------------------------------------------------------------


class Line(EmbeddedDocument):
    sku = StringField(required=True, max_length=8)
    qty = IntField(required=True, min_value=1)


class Box(EmbeddedDocument):
    lines = ListField(EmbeddedDocumentField(Line))


class Shipment(Document):
    name = StringField(required=True)
    boxes = ListField(EmbeddedDocumentField(Box))
    rush = BooleanField()


BAD_SHIPMENT: dict[str, Any] = {
    "name": "",
    "boxes": [{"lines": [{"sku": "ok", "qty": 1}]}, {"lines": [{"sku": "x" * 9, "qty": 0}]}],
    "rush": "yes",
}


def test_validate_raises_the_first_error() -> None:
    doc = Shipment(**BAD_SHIPMENT)
    with pytest.raises(ShieldException) as caught:
        doc.validate()
    assert caught.value.reason == "Required field missing"
    assert caught.value.path == "$.name"


def test_validate_all_collects_every_error_with_its_path() -> None:
    with pytest.raises(ShieldDocException) as caught:
        Shipment(**BAD_SHIPMENT).validate(validate_all=True)
    assert caught.value.to_primitive() == [
        {"path": "$.name", "reason": "Required field missing", "value": ""},
        {"path": "$.boxes[1].lines[0].sku", "reason": "String value is too long", "value": "x" * 9},
        {"path": "$.boxes[1].lines[0].qty", "reason": "Int value below min_value: 1", "value": 0},
        {"path": "$.rush", "reason": "Not a boolean", "value": "yes"},
    ]
    assert str(caught.value).startswith("Document had 4 errors - ['Required field missing - name:'")
    assert caught.value.doc == "Shipment"


def test_from_primitive_collects_every_error() -> None:
    with pytest.raises(ShieldDocException) as caught:
        Shipment.from_primitive(BAD_SHIPMENT)
    assert len(caught.value.error_list) == 4


def test_valid_documents_validate() -> None:
    doc = Shipment.from_primitive({"name": "n", "boxes": [{"lines": [{"sku": "a", "qty": 2}]}]})
    assert doc.validate() is True
    assert doc.boxes[0].lines[0].qty == 2


@pytest.mark.parametrize("data", [b"{", b"[1]", b'"text"', b"", "{\x00}"])
def test_from_json_refuses_what_is_not_a_json_object(data: Any) -> None:
    with pytest.raises(ShieldDocException) as caught:
        Shipment.from_json(data)
    assert [error.path for error in caught.value.error_list] == ["$"]


def test_from_json() -> None:
    assert Shipment.from_json('{"name": "n"}').name == "n"


# -- serialization ----------------------------------------------------------------


class Event(Document):
    title = StringField()
    when = DateTimeField()
    owner = UUIDField()
    note = StringField()
    _meta = {"allow_inheritance": False}


MOMENT = datetime.datetime(
    2024, 5, 17, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
)
OWNER = uuid.UUID(int=7)


def test_to_python_keeps_python_values_and_leaves_out_none() -> None:
    doc = Event(title="t", when=MOMENT, owner=OWNER)
    assert doc.to_python() == {"title": "t", "when": MOMENT, "owner": OWNER}


def test_to_json() -> None:
    doc = Event(title="t", when=MOMENT, owner=OWNER)
    expected = {"title": "t", "when": "2024-05-17T12:00:00+02:00", "owner": str(OWNER)}
    assert doc.to_json(encode=False) == expected
    assert json.loads(doc.to_json()) == expected
    assert list(json.loads(doc.to_json(sort_keys=True))) == ["owner", "title", "when"]


def test_to_primitive_has_no_class_markers() -> None:
    doc = NamedChild(a="1", b="2")
    assert doc.to_primitive() == {"a": "1", "b": "2"}


# -- dict-like access and equality -----------------------------------------------


def test_dict_like_access() -> None:
    doc = Event(title="t")
    assert list(doc) == ["title", "when", "owner", "note", "id"]
    assert doc["title"] == "t"
    doc["note"] = "n"
    assert doc.note == "n"
    assert "note" in doc
    assert "when" not in doc
    assert len(doc) == 2
    with pytest.raises(KeyError):
        doc["missing"]
    with pytest.raises(KeyError):
        doc["missing"] = 1


def test_equality_and_inequality_agree() -> None:
    one, same, other = Event(title="t"), Event(title="t"), Event(title="u")
    assert one == same
    assert not one != same
    assert one != other
    assert not one == other
    assert one != DocPlain(title="t")
    assert "Event" in repr(one)
    assert "'title': 't'" in repr(one)


# -- properties --------------------------------------------------------------------


class Roundtrip(Document):
    name = StringField()
    count = IntField()
    flag = BooleanField()
    when = DateTimeField()
    tags = ListField(StringField())


documents = st.builds(
    Roundtrip,
    name=st.none() | st.text(),
    count=st.none() | st.integers(),
    flag=st.none() | st.booleans(),
    when=st.none() | st.datetimes(),
    tags=st.lists(st.text(), max_size=3),
)


@given(documents)
def test_to_python_then_constructor_round_trips(doc: Roundtrip) -> None:
    assert Roundtrip(**doc.to_python()) == doc


@given(documents)
def test_to_json_then_from_json_round_trips(doc: Roundtrip) -> None:
    assert Roundtrip.from_json(doc.to_json()) == doc


class EvenField(IntField):
    """A DictShield-style field: it overrides validate() and raises."""

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value % 2:
            raise ShieldException("Not even", self.field_name or "", value)


class Evens(Document):
    n = EvenField(min_value=0)


def test_fields_that_override_validate_the_dictshield_way_still_work() -> None:
    assert Evens.from_primitive({"n": 4}).n == 4
    with pytest.raises(ShieldDocException) as caught:
        Evens.from_primitive({"n": 3})
    assert caught.value.to_primitive() == [{"path": "$.n", "reason": "Not even", "value": 3}]
    with pytest.raises(ShieldException, match="below min_value"):
        Evens(n=-2).validate()


# -- regressions from review ------------------------------------------------------


class Thread(Document):
    text = StringField()
    replies = ListField(EmbeddedDocumentField("self"))


def test_deep_recursive_documents_are_a_client_error_not_a_crash() -> None:
    depth = 2000
    body = '{"_id": null, "replies": [' * depth + "{}" + "]}" * depth
    with pytest.raises(ShieldDocException) as caught:
        Thread.from_json(body)
    assert caught.value.error_list[0].path == "$"
    nested: dict[str, Any] = {}
    for _ in range(depth):
        nested = {"replies": [nested]}
    with pytest.raises(ShieldDocException):
        Thread.from_primitive(nested)


def test_dict_subclasses_are_read_like_plain_dicts() -> None:
    from brubeck.models import MultiValueDict

    doc = Roundtrip.from_primitive(MultiValueDict({"tags": [], "count": [1, 2]}))
    assert doc.count == 2
    assert doc.tags == []


def test_a_key_naming_two_fields_is_refused() -> None:
    from brubeck.models import InvalidShield

    with pytest.raises(InvalidShield, match="names two fields"):

        class Clash(EmbeddedDocument):
            a = StringField(uniq_field="b")
            b = IntField()


shared_title = StringField()


class SharedOne(Document):
    first = shared_title


class SharedTwo(Document):
    second = shared_title


def test_one_field_object_in_two_classes_is_bound_to_each() -> None:
    assert SharedOne(first="x").to_primitive() == {"first": "x"}
    assert SharedTwo(second="y").to_primitive() == {"second": "y"}
    assert SharedOne._fields["first"] is not SharedTwo._fields["second"]


class EmptyText(Document):
    when = DateTimeField()
    count = IntField()
    title = StringField()


def test_empty_text_is_missing_for_non_string_fields_and_kept_for_strings() -> None:
    doc = EmptyText.from_primitive({"when": "", "count": "", "title": ""})
    assert (doc.when, doc.count, doc.title) == (None, None, "")
    assert doc.to_primitive() == {"title": ""}  # serializes (it crashed on "")
