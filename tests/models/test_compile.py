"""brubeck.models._compile: generated code agrees with the generic path."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from brubeck.errors import ShieldException
from brubeck.models import Document, EmbeddedDocument
from brubeck.models._compile import builder
from brubeck.models.fields import (
    BooleanField,
    DateTimeField,
    DecimalField,
    DictField,
    EmailField,
    EmbeddedDocumentField,
    FloatField,
    IntField,
    ListField,
    StringField,
    URLField,
    UUIDField,
)


class CmpItem(EmbeddedDocument):
    sku = StringField(required=True, max_length=4)
    qty = IntField(required=True, min_value=1, max_value=9)
    price = FloatField(min_value=0)


class CmpDoc(Document):
    name = StringField(required=True, min_length=2, max_length=5, regex="[a-z]")
    plan = StringField(choices=["free", "pro"])
    age = IntField(min_value=0, max_value=150)
    ratio = FloatField(required=True, min_value=-1, max_value=1)
    flag = BooleanField()
    email = EmailField()
    site = URLField()
    ref = UUIDField(required=True)
    when = DateTimeField()
    cost = DecimalField()
    tags = DictField(field=StringField(max_length=3))
    words = ListField(StringField(max_length=3), min_length=1, max_length=3)
    items = ListField(EmbeddedDocumentField(CmpItem), min_length=1)
    main = EmbeddedDocumentField(CmpItem)
    odd = IntField(validation=lambda v: v % 2 == 1)
    note = StringField(default="n/a")


anything = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 200) | st.floats() | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=6,
)
items = st.fixed_dictionaries(
    {},
    optional={
        "sku": st.sampled_from(["A", "ABCD", "ABCDE", "", 5]),
        "qty": st.sampled_from([0, 1, 9, 10, "3", 2.0, True]),
        "price": st.sampled_from([0.0, -1.0, 2.5, 3, "x", float("nan")]),
    },
)
FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "name": st.sampled_from(["ab", "abcde", "abcdef", "a", "", "Ab", "1ab", 12]) | anything,
    "plan": st.sampled_from(["free", "pro", "gold", ""]),
    "age": st.sampled_from([0, 150, 151, -1, "34", 34.0, 34.5, True]) | anything,
    "ratio": st.sampled_from([0.5, 1.0, 1.5, 1, "0.5", float("inf"), False]) | anything,
    "flag": st.sampled_from([True, False, 1, "true"]),
    "email": st.sampled_from(["a@example.com", "a@", "a@example.com\n", 5]),
    "site": st.sampled_from(["https://example.com/x", "ftp://x", "http://localhost:80"]),
    "ref": st.sampled_from([str(uuid.UUID(int=5)), "nope", "", uuid.UUID(int=6), 7]),
    "when": st.sampled_from(
        ["2024-05-17T12:34:56", "2024-05-17T12:34:56Z", "2024-13-45T99:00:00", "x", 5]
    ),
    "cost": st.sampled_from(["1.10", 2, 1.5, "x", [1, 2]]),
    "tags": st.dictionaries(st.sampled_from(["a", "b.c", "$d"]), anything, max_size=3),
    "words": st.lists(st.sampled_from(["a", "abc", "abcd", "", 3]), max_size=4) | anything,
    "items": st.lists(items | anything, max_size=3) | anything,
    "main": items | anything,
    "odd": st.sampled_from([1, 2, "3", None]),
    "note": st.sampled_from(["x", "", None]),
    "_id": st.sampled_from([str(uuid.UUID(int=9)), "bad"]),
    "unknown": anything,
}
documents = st.fixed_dictionaries({}, optional=FIELD_VALUES)


def _errors(errors: list[ShieldException]) -> list[tuple[str, str, str]]:
    return [(e.path, e.reason, repr(e.field_value)) for e in errors]


def _values(doc: Any) -> dict[str, str]:
    return {name: repr(value) for name, value in doc._data.items()}


def _generic(data: dict[str, Any]) -> tuple[Any, list[ShieldException]]:
    errors: list[ShieldException] = []
    doc = CmpDoc._from_dict(data)
    doc._check("$", errors)
    return doc, errors


@settings(max_examples=1500)
@given(documents)
def test_generated_builder_agrees_with_the_generic_path(data: dict[str, Any]) -> None:
    generic, generic_errors = _generic(data)
    errors: list[ShieldException] = []
    built = CmpDoc._build(data, "$", errors)
    assert _values(built) == _values(generic)
    assert _errors(errors) == _errors(generic_errors)


@settings(max_examples=300)
@given(documents)
def test_generated_serializer_agrees_with_the_generic_one(data: dict[str, Any]) -> None:
    generic, generic_errors = _generic(data)
    if generic_errors:
        return
    assert generic.to_primitive() == generic._serialize("for_primitive")


VALID: dict[str, Any] = {
    "name": "abc",
    "ratio": 0.5,
    "ref": str(uuid.UUID(int=5)),
    "when": "2024-05-17T12:34:56+02:00",
    "cost": "1.10",
    "items": [{"sku": "A", "qty": 2, "price": 1.5}],
    "main": {"sku": "B", "qty": 1},
}


def test_valid_document_through_the_builder() -> None:
    doc = CmpDoc.from_primitive(VALID)
    assert doc.ref == uuid.UUID(int=5)
    assert doc.when == datetime.datetime(
        2024, 5, 17, 12, 34, 56, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
    )
    assert doc.cost == decimal.Decimal("1.10")
    assert doc.items[0].qty == 2
    assert doc.to_primitive()["note"] == "n/a"


class CmpAuto(Document):
    class Meta:
        id_options = {"auto_fill": True}

    title = StringField()


def test_auto_fill_ids_are_filled_by_the_builder_too() -> None:
    doc = CmpAuto.from_primitive({"title": "x"})
    assert isinstance(doc.id, uuid.UUID)


def test_builders_are_generated_once_per_class() -> None:
    CmpDoc.from_primitive(VALID)
    first = CmpDoc.__dict__["_builder"]
    CmpDoc.from_primitive(VALID)
    assert CmpDoc.__dict__["_builder"] is first
    assert "_builder" not in Document.__dict__
    assert callable(builder(CmpItem))


@given(st.uuids() | st.text(max_size=40))
def test_fast_uuid_parsing_equals_uuid_uuid(text: Any) -> None:
    from brubeck.models.fields.base import parse_uuid

    for form in (str(text), str(text).upper()):
        try:
            expected: uuid.UUID | None = uuid.UUID(form)
        except ValueError:
            expected = None
        parsed = parse_uuid(form)
        assert parsed == expected
        if parsed is not None:
            assert (str(parsed), hash(parsed), parsed.version) == (
                str(expected),
                hash(expected),
                expected.version,  # type: ignore[union-attr]
            )


# -- more declarations, compared deeply --------------------------------------------


class DiffNames(EmbeddedDocument):
    a = StringField(minimized_field_name="x", max_length=3)
    b = IntField(uniq_field="bee", min_value=0)


class DiffOwnId(Document):
    username = StringField(id_field=True, required=True)
    age = IntField(default=7, required=True)


class DiffAuto(Document):
    class Meta:
        id_options = {"auto_fill": True}

    when = DateTimeField()


class DiffBase(Document):
    a = StringField()


class DiffChild(DiffBase):
    b = FloatField(min_value=0)


class DiffTree(EmbeddedDocument):
    label = StringField(required=True)
    kids = ListField(EmbeddedDocumentField("self"), max_length=2)
    named = DictField(field=EmbeddedDocumentField(DiffNames))
    order = ListField(IntField(), choices=[[1, 2], [2, 1]])


DIFF_CLASSES = [DiffNames, DiffOwnId, DiffAuto, DiffChild, DiffTree]
KEYS = ["a", "x", "b", "bee", "_id", "id", "username", "age", "when", "label", "kids", "named"]
KEYS += ["order"]
values = st.one_of(
    anything,
    st.sampled_from(["2024-05-17T12:34:56", "abc", "", 3, -1, 2.5, [1, 2], [2, 1]]),
    st.lists(st.fixed_dictionaries({}, optional={"label": st.text(max_size=2), "kids": anything})),
    st.dictionaries(
        st.sampled_from(["k", "k.1"]),
        st.fixed_dictionaries({}, optional={"x": anything, "bee": anything}),
    ),
)


def _deep(value: Any) -> Any:
    if hasattr(value, "_fields") and hasattr(value, "_data"):
        data = {
            k: _deep(v) for k, v in value._data.items() if k != "id" or type(value) is not DiffAuto
        }
        return {"class": type(value).__name__, **data}
    if isinstance(value, list):
        return [_deep(item) for item in value]
    if isinstance(value, dict):
        return {k: _deep(v) for k, v in value.items()}
    return repr(value)


@settings(max_examples=400)
@given(st.sampled_from(DIFF_CLASSES), st.dictionaries(st.sampled_from(KEYS), values, max_size=6))
def test_more_declarations_agree(cls: Any, data: dict[str, Any]) -> None:
    generic_errors: list[ShieldException] = []
    generic = cls._from_dict(data)
    generic._check("$", generic_errors)
    errors: list[ShieldException] = []
    built = cls._build(data, "$", errors)
    assert _deep(built) == _deep(generic)
    assert _errors(errors) == _errors(generic_errors)
    if not errors:
        assert built.to_primitive() == generic._serialize("for_primitive") or cls is DiffAuto


# -- the fast text of UUIDs and datetimes in to_primitive -------------------------------------


class _Stamped(Document):
    ref = UUIDField()
    at = DateTimeField()


_ZONES = st.one_of(
    st.none(),
    st.just(datetime.UTC),
    st.timedeltas(
        min_value=datetime.timedelta(hours=-23, minutes=-59),
        max_value=datetime.timedelta(hours=23, minutes=59),
    ).map(datetime.timezone),  # sub-minute offsets too, which msgspec would round
)


@given(st.uuids(), st.datetimes(), _ZONES)
def test_to_primitive_writes_uuids_and_datetimes_as_str_and_isoformat(
    ref: uuid.UUID, at: datetime.datetime, zone: datetime.tzinfo | None
) -> None:
    at = at.replace(tzinfo=zone)
    out = _Stamped(ref=ref, at=at).to_primitive()
    assert out == {"ref": str(ref), "at": at.isoformat()}
