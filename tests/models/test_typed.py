"""brubeck.models._typed: the typed JSON decoder only accepts what the generic
path accepts, with the same values; the checker accepts exactly what the
decoder accepts."""

from __future__ import annotations

import copy
import datetime
import pickle
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brubeck.codecs import json as json_codec
from brubeck.errors import ShieldDocException
from brubeck.models import Document, EmbeddedDocument
from brubeck.models._typed import checker_for, decoder_for
from brubeck.models.fields import (
    BooleanField,
    DateTimeField,
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


class TypedItem(EmbeddedDocument):
    sku = StringField(required=True, max_length=4, regex="[A-Z]")
    qty = IntField(required=True, min_value=1, max_value=9)
    price = FloatField(min_value=0)
    made = DateTimeField()  # a check in Python, inside embedded documents and lists


class TypedDoc(Document):
    name = StringField(required=True, min_length=2, max_length=5)
    plan = StringField(choices=["free", "pro"])
    age = IntField(min_value=0, max_value=150)
    ratio = FloatField(required=True, min_value=-1, max_value=1)
    flag = BooleanField()
    email = EmailField()
    site = URLField()
    ref = UUIDField(required=True)
    when = DateTimeField()
    tags = DictField(field=StringField(max_length=3))
    blob = DictField()
    items = ListField(EmbeddedDocumentField(TypedItem), min_length=1)
    main = EmbeddedDocumentField(TypedItem)
    note = StringField(default="n/a", minimized_field_name="nt")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=6,
)
item = st.fixed_dictionaries(
    {},
    optional={
        "sku": st.sampled_from(["A", "ABCD", "ABCDE", "", "a1", 5]),
        "qty": st.sampled_from([0, 1, 9, 10, 2.0, True, None]),
        "price": st.sampled_from([0.0, -1.0, 2.5, 3, 2**53 + 1, None]),
        "made": st.sampled_from(["2024-05-17T12:34:56", "2024-02-30T00:00:00", "x", None]),
    },
)
FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "name": st.sampled_from(["ab", "abcde", "abcdef", "a", "", 12, None]),
    "plan": st.sampled_from(["free", "pro", "gold", "", None]),
    "age": st.sampled_from([0, 150, 151, -1, 34.0, True, None, 2**70]),
    "ratio": st.sampled_from([0.5, 1.0, 1.5, 1, 0, -1, "0.5", False, None]),
    "flag": st.sampled_from([True, False, 1, None]),
    "email": st.sampled_from(["a@example.com", "a@", "A@EXAMPLE.COM", "a@example.com\n"]),
    "site": st.sampled_from(["https://example.com/x", "ftp://x", "HTTP://LOCALHOST:80", ""]),
    "ref": st.sampled_from(
        ["c9bf9e57-1685-4c89-bafb-ff5af830be8a", "C9BF9E5716854C89BAFBFF5AF830BE8A", "nope", "", 7]
    ),
    "when": st.sampled_from(
        [
            "2024-05-17T12:34:56",
            "2024-05-17T12:34:56.5Z",
            "2024-13-45T99:00:00",
            "2024-05-17",
            "2024-05-17T12:34:56.000001+00:00",
            "2024-05-17T12:34:56.123-07:30",
            "2024-05-17 12:34:56+05:45",
            "0001-01-01T00:00:00Z",
        ]
    ),
    "tags": st.dictionaries(st.sampled_from(["a", "b.c", "$d", "e\n"]), json_values, max_size=3),
    "blob": json_values,
    "items": st.lists(item | json_values, max_size=3) | json_values,
    "main": item | json_values,
    "note": st.sampled_from(["x", "", None]),
    "nt": st.sampled_from(["y"]),
    "_id": st.sampled_from(["c9bf9e57-1685-4c89-bafb-ff5af830be8a"]),
    "id": st.sampled_from(["c9bf9e57-1685-4c89-bafb-ff5af830be8a", "x", None]),
    "extra": json_values,
}
random_documents = st.fixed_dictionaries({}, optional=FIELDS)


def _deep(value: Any) -> Any:
    if hasattr(value, "_fields") and hasattr(value, "_data"):
        return {"class": type(value).__name__, **{k: _deep(v) for k, v in value._data.items()}}
    if isinstance(value, list):
        return [_deep(v) for v in value]
    if isinstance(value, dict):
        return {k: _deep(v) for k, v in value.items()}
    return repr(value)


VALID = {
    "name": "abc",
    "ratio": 0.5,
    "ref": "c9bf9e57-1685-4c89-bafb-ff5af830be8a",
    "when": "2024-05-17T12:34:56+02:00",
    "tags": {"a": "x"},
    "items": [{"sku": "A", "qty": 2, "price": 1.5}],
    "main": {"sku": "B", "qty": 1},
}


def _near_valid(changes: list[tuple[str, Any]]) -> dict[str, Any]:
    return {**VALID, **dict(changes)}


# Random documents almost never pass: the valid one with a field or two
# replaced reaches the typed path about a quarter of the time.
field_change = st.sampled_from(sorted(FIELDS)).flatmap(
    lambda key: FIELDS[key].map(lambda value: (key, value))
)
documents = st.one_of(
    st.lists(field_change, min_size=1, max_size=2).map(_near_valid), random_documents
)


@settings(max_examples=2000)
@given(documents)
def test_typed_decoder_accepts_only_what_the_generic_path_accepts(data: dict[str, Any]) -> None:
    decode = decoder_for(TypedDoc)
    assert decode is not None
    wire = msgspec.json.encode(data)
    typed = decode(wire)
    if typed is None:
        return  # the generic path decides; nothing to compare
    generic = TypedDoc.from_primitive(msgspec.json.decode(wire))  # raises if it disagrees
    assert _deep(typed) == _deep(generic)


@settings(max_examples=2000)
@given(documents)
def test_the_checker_accepts_exactly_what_the_typed_decoder_accepts(data: dict[str, Any]) -> None:
    decode, check = decoder_for(TypedDoc), checker_for(TypedDoc)
    assert decode is not None and check is not None
    wire = msgspec.json.encode(data)
    assert check(wire) is (decode(wire) is not None)
    assert TypedDoc._typed_accepts_json(wire) is check(wire)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"when": "2024-02-30T00:00:00"},  # msgspec takes the text; the datetime check refuses it
        {"tags": {"a.b": "x"}},  # a key the dict check refuses
        {"items": [{"sku": "A", "qty": 1, "made": "2024-02-30T00:00:00"}]},  # in a list
        {"main": {"sku": "B", "qty": 1, "made": "2024-02-30T00:00:00"}},  # in an embedded one
        {"main": {"sku": "B", "qty": 1, "made": "2024-02-28T00:00:00"}},
        {"nt": "x"},  # an alternative key: only the generic path maps it
    ],
)
def test_the_checker_runs_the_checks_msgspec_cannot(changes: dict[str, Any]) -> None:
    check = checker_for(TypedDoc)
    assert check is not None
    wire = msgspec.json.encode({**VALID, **changes})
    assert check(wire) is (decoder_for(TypedDoc)(wire) is not None)  # type: ignore[misc]
    valid = changes in ({}, {"main": {"sku": "B", "qty": 1, "made": "2024-02-28T00:00:00"}})
    assert check(wire) is valid


class TypedRequired(EmbeddedDocument):
    when = DateTimeField(required=True)
    tags = DictField(required=True)
    main = EmbeddedDocumentField(TypedItem, required=True)
    items = ListField(EmbeddedDocumentField(TypedItem), required=True)


REQUIRED_VALID = {
    "when": "2024-05-17T12:34:56",
    "tags": {"a": 1},
    "main": {"sku": "A", "qty": 1, "made": "2024-05-17T12:34:56"},
    "items": [{"sku": "A", "qty": 1, "made": "2024-05-17T12:34:56"}],
}


@pytest.mark.parametrize(
    ("changes", "valid"),
    [
        ({}, True),
        ({"when": "2024-02-30T00:00:00"}, False),
        ({"tags": {"$a": 1}}, False),
        ({"main": {"sku": "A", "qty": 1, "made": "2024-02-30T00:00:00"}}, False),
        ({"items": [{"sku": "A", "qty": 1}, {"sku": "A", "qty": 1, "made": "x"}]}, False),
    ],
)
def test_the_checker_checks_required_fields_too(changes: dict[str, Any], valid: bool) -> None:
    wire = msgspec.json.encode({**REQUIRED_VALID, **changes})
    assert TypedRequired._typed_accepts_json(wire) is valid
    assert (TypedRequired._typed_from_json(wire) is not None) is valid


def test_text_that_is_not_unicode_is_refused_not_raised() -> None:
    text = '{"name": "\ud800"}'  # a lone surrogate
    assert decoder_for(TypedDoc)(text) is None  # type: ignore[misc]
    assert checker_for(TypedDoc)(text) is False  # type: ignore[misc]
    with pytest.raises(ShieldDocException):
        TypedDoc.from_json(text)


def test_the_typed_decoder_is_used_for_valid_documents() -> None:
    decode = decoder_for(TypedDoc)
    assert decode is not None
    typed = decode(msgspec.json.encode(VALID))
    assert typed is not None
    assert _deep(typed) == _deep(TypedDoc.from_primitive(VALID))
    assert _deep(TypedDoc.from_json(msgspec.json.encode(VALID))) == _deep(typed)


@pytest.mark.parametrize(
    "changes",
    [
        {"items": [{"sku": "A", "qty": 0}]},
        {"_id": "c9bf9e57-1685-4c89-bafb-ff5af830be8a"},
        {"nt": "x"},
    ],
)
def test_refusals_and_alternative_keys_go_to_the_generic_path(changes: dict[str, Any]) -> None:
    decode = decoder_for(TypedDoc)
    assert decode is not None
    assert decode(msgspec.json.encode({**VALID, **changes})) is None


class TypedCustom(Document):
    odd = IntField(validation=lambda value: value % 2 == 1)


class TypedSelf(EmbeddedDocument):
    kids = ListField(EmbeddedDocumentField("self"))


class TypedBadChoice(Document):
    code = StringField(max_length=2, choices=["ok", "too long"])


@pytest.mark.parametrize("cls", [TypedCustom, TypedSelf, TypedBadChoice])
def test_no_typed_decoder_where_msgspec_cannot_check_exactly(cls: Any) -> None:
    assert decoder_for(cls) is None
    assert decoder_for(cls) is None  # and the answer is kept
    assert checker_for(cls) is None
    assert not cls._typed_accepts_json(b"{}")


@settings(max_examples=2000)
@given(st.uuids().map(str) | st.text(alphabet="0123456789abcdefABCDEF-{}:urnid ", max_size=40))
def test_msgspec_uuids_are_a_subset_of_uuid_uuid(text: str) -> None:
    import uuid

    try:
        decoded = msgspec.json.decode(msgspec.json.encode(text), type=uuid.UUID)
    except msgspec.ValidationError:
        return
    assert decoded == uuid.UUID(text)


# -- lazy documents and their untouched JSON ------------------------------------


_PLUS_TWO = datetime.timezone(datetime.timedelta(hours=2))


def _general_reply(doc: Any) -> bytes:
    """What the general reply path sends for ``doc`` (built by the generic path)."""
    from brubeck.handlers.typed import TypedSpec, encode_reply

    return encode_reply(TypedSpec(None, type(doc), 200, True), json_codec, doc)


@settings(max_examples=2000)
@given(documents)
def test_unchanged_json_is_what_the_general_reply_path_sends(data: dict[str, Any]) -> None:
    wire = msgspec.json.encode(data)
    typed = TypedDoc._typed_from_json(wire)
    if typed is None:
        return
    text = typed._unchanged_json()
    generic = TypedDoc.from_primitive(msgspec.json.decode(wire))
    # The general path validates the reply too: it must accept what the fast one sends.
    assert text is None or text == _general_reply(generic)


def test_a_lazy_document_builds_its_data_on_first_use() -> None:
    doc = TypedDoc.from_json(msgspec.json.encode(VALID))
    assert "_data" not in doc.__dict__ and "_wire" in doc.__dict__
    assert doc.name == "abc"
    assert "_data" in doc.__dict__
    assert _deep(doc) == _deep(TypedDoc.from_primitive(VALID))
    # Read, not changed: still what was checked, still written from the struct.
    assert doc._unchanged_json() == _general_reply(TypedDoc.from_primitive(VALID))
    doc.name = "xyz"
    assert doc._unchanged_json() is None


_SAME_INSTANT = datetime.datetime(2024, 5, 17, 12, 34, 56, tzinfo=_PLUS_TWO)
OPERATIONS: list[tuple[str, Any]] = [
    ("read", "name"),
    ("read", "note"),  # stores the default
    ("read", "tags"),
    ("read", "blob"),  # stores an empty dict
    ("read", "items"),
    ("set", ("name", "xy")),
    ("set", ("name", "toolong")),
    ("set", ("age", 200)),
    ("set", ("ratio", 0.5)),
    ("set", ("when", _SAME_INSTANT)),  # equal, same offset: the same text
    ("set", ("when", _SAME_INSTANT.astimezone(datetime.UTC))),  # equal, other text
    ("set", ("note", "n/a")),
    ("set", ("note", None)),
    ("tags", ("a", "x")),
    ("tags", ("b.c", "x")),
    ("tags", ("z", "toolong")),
    ("clear_tags", None),
    ("blob", ("k", [1])),
    ("append_item", {"sku": "A", "qty": 1}),
    ("append_item", {"sku": "A", "qty": 0}),
    ("item", ("qty", 0)),
    ("item", ("qty", 2)),
    ("main", ("sku", "zz")),
    ("pop_item", None),
]


def _apply(doc: Any, operation: tuple[str, Any]) -> None:
    kind, arg = operation
    if kind == "read":
        getattr(doc, arg)
    elif kind == "set":
        setattr(doc, *arg)
    elif kind == "tags" and isinstance(doc.tags, dict):
        doc.tags[arg[0]] = arg[1]
    elif kind == "clear_tags" and isinstance(doc.tags, dict):
        doc.tags.clear()
    elif kind == "blob" and isinstance(doc.blob, dict):
        doc.blob[arg[0]] = arg[1]
    elif kind == "append_item" and isinstance(doc.items, list):
        doc.items.append(TypedItem(**arg))
    elif kind == "item" and isinstance(doc.items, list) and doc.items:
        setattr(doc.items[0], *arg)
    elif kind == "main" and doc.main is not None:
        setattr(doc.main, *arg)
    elif kind == "pop_item" and isinstance(doc.items, list) and doc.items:
        doc.items.pop()


def _outcome(doc: Any) -> Any:
    from brubeck.handlers.typed import ReplyValidationError

    try:
        return _general_reply(doc)
    except ReplyValidationError:
        return "invalid"


@settings(max_examples=2000)
@given(documents, st.lists(st.sampled_from(OPERATIONS), max_size=3))
def test_a_reply_after_reads_and_changes_is_what_the_general_path_sends(
    data: dict[str, Any], operations: list[tuple[str, Any]]
) -> None:
    wire = msgspec.json.encode(data)
    typed = TypedDoc._typed_from_json(wire)
    if typed is None:
        return
    generic = TypedDoc.from_primitive(msgspec.json.decode(wire))
    for operation in operations:
        _apply(typed, operation)
        _apply(generic, operation)
    assert _outcome(typed) == _outcome(generic)  # typed may take the struct's path


def test_a_change_after_decoding_reaches_the_reply() -> None:
    doc = TypedDoc.from_json(msgspec.json.encode(VALID))
    doc.items.append(TypedItem(sku="ZZZZZ", qty=0))  # invalid: the check must see it
    from brubeck.handlers.typed import ReplyValidationError

    with pytest.raises(ReplyValidationError):
        _general_reply(doc)
    other = TypedDoc.from_json(msgspec.json.encode(VALID))
    other.name = "xyz"
    assert msgspec.json.decode(_general_reply(other))["name"] == "xyz"


def _pickled(doc: Any) -> Any:
    return pickle.loads(pickle.dumps(doc))  # noqa: S301 - our own bytes


@pytest.mark.parametrize("copier", [copy.copy, copy.deepcopy, _pickled])
def test_copies_of_a_lazy_document_do_not_share_its_wire(copier: Any) -> None:
    doc = TypedDoc.from_json(msgspec.json.encode(VALID))
    twin = copier(doc)
    assert "_wire" not in twin.__dict__
    assert twin == doc and _deep(twin) == _deep(doc)


def test_unknown_attributes_of_a_lazy_document_are_still_errors() -> None:
    doc = TypedDoc.from_json(msgspec.json.encode(VALID))
    with pytest.raises(AttributeError, match="'TypedDoc' object has no attribute 'nope'"):
        doc.nope  # noqa: B018
    assert "_wire" in doc.__dict__  # and the data is still not built


class TypedFormat(Document):
    when = DateTimeField(format="%Y")


class TypedCallableDefault(Document):
    name = StringField(default=lambda: "x")


class TypedAutoId(Document):
    ref = UUIDField(auto_fill=True)


class TypedBadDefault(Document):
    code = StringField(max_length=2, default="toolong")


@pytest.mark.parametrize(
    ("cls", "data"),
    [
        (TypedFormat, {"when": "2024-05-17T12:34:56"}),  # written with its format
        (TypedCallableDefault, {}),  # a default to call
        (TypedAutoId, {}),  # an id to fill with uuid4: the document's own
        (TypedBadDefault, {}),  # a default the reply check refuses
        (TypedDoc, {k: v for k, v in VALID.items() if k != "items"}),  # [] is too short
    ],
)
def test_documents_the_wire_cannot_write_take_the_general_path(
    cls: Any, data: dict[str, Any]
) -> None:
    doc = cls._typed_from_json(msgspec.json.encode(data))
    assert doc is not None
    assert doc._unchanged_json() is None
    assert "_wire" in doc.__dict__  # the general path builds it when it needs it


def test_a_fast_path_for_the_values_it_can_write() -> None:
    ref = "c9bf9e57-1685-4c89-bafb-ff5af830be8a"
    doc = TypedAutoId._typed_from_json(msgspec.json.encode({"ref": ref}))
    assert doc is not None
    text = doc._unchanged_json()
    assert text == b'{"ref":"%s"}' % ref.encode()
    assert text == _general_reply(TypedAutoId.from_primitive({"ref": ref}))


class TypedOwnGetattr(Document):
    name = StringField(required=True)

    def __getattr__(self, name: str) -> Any:
        if name == "shout":
            return self.name.upper()
        raise AttributeError(name)


def test_a_class_with_its_own_getattr_gets_documents_built_at_once() -> None:
    doc = TypedOwnGetattr._typed_from_json(b'{"name": "ab"}')
    assert doc is not None and "_data" in doc.__dict__ and "_wire" not in doc.__dict__
    assert doc.shout == "AB"
    assert doc._unchanged_json() is None


def test_a_dict_in_another_order_is_a_change() -> None:
    data = {**VALID, "tags": {"a": "x", "b": "y"}}
    typed = TypedDoc.from_json(msgspec.json.encode(data))
    generic = TypedDoc.from_primitive(data)
    for doc in (typed, generic):
        doc.tags = dict(reversed(list(doc.tags.items())))
    assert _outcome(typed) == _outcome(generic)
    assert b'"tags":{"b":"y","a":"x"}' in _outcome(typed)


class TypedOwnPrimitive(Document):
    name = StringField(required=True)

    def to_primitive(self) -> dict[str, Any]:
        return {**super().to_primitive(), "extra": 1}


class TypedLower(EmbeddedDocument):
    sku = StringField(required=True)

    def to_primitive(self) -> dict[str, Any]:
        return {"sku": self.sku.lower()}


class TypedOuter(Document):
    inner = EmbeddedDocumentField(TypedLower, required=True)


@pytest.mark.parametrize(
    ("cls", "data"),
    [(TypedOwnPrimitive, {"name": "ab"}), (TypedOuter, {"inner": {"sku": "AB"}})],
)
def test_a_class_that_writes_itself_is_written_by_its_own_to_primitive(
    cls: Any, data: dict[str, Any]
) -> None:
    typed = cls.from_json(msgspec.json.encode(data))
    assert "_wire" in typed.__dict__ and typed._unchanged_json() is None
    assert _general_reply(typed) == _general_reply(cls.from_primitive(data))


def test_long_texts_are_not_remembered_as_datetimes() -> None:
    from brubeck.models import _typed

    _typed._DATETIMES.clear()
    assert _typed._datetime("x" * 100_000) is None
    assert _typed._datetime("2024-05-17T12:34:56") is not None
    assert list(_typed._DATETIMES) == ["2024-05-17T12:34:56"]
