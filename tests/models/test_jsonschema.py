"""brubeck.models.jsonschema: DictShield's schema flavour and draft 2020-12."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from brubeck.models import Document, EmbeddedDocument, InvalidShield, ShieldDocException
from brubeck.models.fields import (
    BooleanField,
    DateTimeField,
    DictField,
    EmailField,
    EmbeddedDocumentField,
    FloatField,
    GeoPointField,
    IntField,
    ListField,
    MD5Field,
    StringField,
    URLField,
    UUIDField,
)
from brubeck.models.jsonschema import DictFieldNotFound
from tests.helpers import DATA


class SchemaItem(EmbeddedDocument):
    sku = StringField(required=True, max_length=32)
    qty = IntField(required=True, min_value=1, max_value=1000)
    price = FloatField(required=True, min_value=0)


class SchemaSignup(Document):
    """The yardstick document of shared/reference/benchmarks.md."""

    username = StringField(required=True, min_length=3, max_length=32)
    age = IntField(required=True, min_value=13, max_value=130)
    balance = FloatField(required=True)
    is_active = BooleanField(required=True)
    email = EmailField(required=True)
    website = URLField(required=True)
    user_id = UUIDField(required=True)
    created_at = DateTimeField(required=True)
    plan = StringField(required=True, choices=["free", "pro", "enterprise"])
    items = ListField(
        EmbeddedDocumentField(SchemaItem), required=True, min_length=1, max_length=100
    )
    tags = DictField(required=True, field=StringField())
    currency = StringField(max_length=3, default="USD", description="ISO 4217 code")


VALID: dict[str, Any] = json.loads((DATA / "signup.json").read_text())


def _variant(path: list[Any], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    target: Any = data
    for step in path[:-1]:
        target = target[step]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


_DELETE = object()

# The rejection matrix of shared/reference/benchmarks.md (where we reject).
INVALID = {
    "items[2].qty = 0": _variant(["items", 2, "qty"], 0),
    "username 40 chars": _variant(["username"], "x" * 40),
    "age = 200": _variant(["age"], 200),
    "email = 'alice@'": _variant(["email"], "alice@"),
    "plan = 'gold'": _variant(["plan"], "gold"),
    "items = []": _variant(["items"], []),
    "tags = {'a': 1}": _variant(["tags"], {"a": 1}),
    "is_active missing": _variant(["is_active"], _DELETE),
    "is_active = 'yes'": _variant(["is_active"], "yes"),
    "sku too long": _variant(["items", 0, "sku"], "S" * 33),
}


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = SchemaSignup.json_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def test_draft_2020_12_schema_accepts_the_valid_document(validator: Draft202012Validator) -> None:
    assert list(validator.iter_errors(VALID)) == []
    SchemaSignup.from_primitive(VALID)


# Formats are annotations in draft 2020-12, and validators check "email" as
# loosely as they like (the jsonschema package only looks for an "@"): the
# model is stricter there than the schema can promise.
LOOSER_IN_SCHEMA = {"email = 'alice@'"}


@pytest.mark.parametrize("case", INVALID)
def test_draft_2020_12_schema_and_the_model_reject_alike(
    case: str, validator: Draft202012Validator
) -> None:
    with pytest.raises(ShieldDocException):
        SchemaSignup.from_primitive(INVALID[case])
    rejected = bool(list(validator.iter_errors(INVALID[case])))
    assert rejected is (case not in LOOSER_IN_SCHEMA), case


def test_draft_2020_12_shape() -> None:
    schema = SchemaSignup.json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "SchemaSignup"
    assert schema["required"] == [
        "username", "age", "balance", "is_active", "email", "website",
        "user_id", "created_at", "plan", "items", "tags",
    ]  # fmt: skip
    assert schema["properties"]["items"]["items"] == {"$ref": "#/$defs/SchemaItem"}
    assert schema["$defs"]["SchemaItem"]["required"] == ["sku", "qty", "price"]
    assert schema["properties"]["currency"] == {
        "anyOf": [
            {"type": "string", "maxLength": 3, "description": "ISO 4217 code", "default": "USD"},
            {"type": "null"},
        ]
    }


class SchemaPattern(Document):
    code = StringField(required=True, regex="[a-z]+")


@pytest.mark.parametrize(("code", "valid"), [("abc", True), ("abc1", True), ("1abc", False)])
def test_patterns_are_anchored_like_re_match(code: str, valid: bool) -> None:
    validator = Draft202012Validator(SchemaPattern.json_schema())
    assert validator.is_valid({"code": code}) is valid
    try:
        SchemaPattern.from_primitive({"code": code})
    except ShieldDocException:
        assert not valid
    else:
        assert valid


class SchemaTree(EmbeddedDocument):
    label = StringField()
    children = ListField(EmbeddedDocumentField("self"))


class SchemaForest(Document):
    root = EmbeddedDocumentField(SchemaTree)


def test_recursive_documents_use_refs() -> None:
    schema = SchemaForest.json_schema()
    Draft202012Validator.check_schema(schema)
    tree = schema["$defs"]["SchemaTree"]["properties"]["children"]
    assert tree["anyOf"][0]["items"] == {"$ref": "#/$defs/SchemaTree"}
    deep = {"root": {"label": "a", "children": [{"label": "b", "children": [{"label": 3}]}]}}
    assert not Draft202012Validator(schema).is_valid(deep)


# -- DictShield's flavour -------------------------------------------------------------


class SchemaOld(Document):
    name = StringField(required=True, max_length=10, regex="[a-z]+", description="who")
    count = IntField(min_value=0, default=1)
    where = GeoPointField()
    digest = MD5Field()
    home = URLField()
    parent = EmbeddedDocumentField("self")
    items = ListField(EmbeddedDocumentField(SchemaItem))


def test_dictshield_schema_format() -> None:
    schema = SchemaOld.for_jsonschema()
    assert schema["type"] == "object"
    assert schema["title"] == "SchemaOld"
    properties = schema["properties"]
    assert properties["name"] == {
        "type": "string",
        "title": "name",
        "description": "who",
        "required": True,
        "maxLength": 10,
        "pattern": "[a-z]+",  # the pattern text (0.4 put a compiled regex here)
    }
    assert properties["count"] == {"type": "integer", "title": "count", "default": 1, "minimum": 0}
    assert properties["where"]["items"] == {"type": "number"}
    assert properties["digest"]["minLength"] == properties["digest"]["maxLength"] == 32
    assert properties["home"]["format"] == "url"
    assert properties["_id"]["type"] == "string"
    assert properties["parent"] == {"type": "object", "title": "SchemaOld"}
    assert properties["items"]["items"][0]["title"] == "SchemaItem"
    assert json.loads(SchemaOld.to_jsonschema()) == schema


class SchemaPublic(Document):
    shown = StringField()
    hidden = StringField()
    _public_fields = ["shown"]


def test_dictshield_schema_uses_public_fields() -> None:
    assert list(SchemaPublic.for_jsonschema()["properties"]) == ["shown"]


@pytest.mark.parametrize("document", [SchemaOld, SchemaSignup, SchemaForest])
def test_from_jsonschema_round_trips(document: Any) -> None:
    rebuilt = document.from_jsonschema(document.to_jsonschema())
    assert rebuilt.for_jsonschema() == document.for_jsonschema()
    assert issubclass(rebuilt, document)


def test_a_class_built_from_a_schema_validates() -> None:
    built = Document.from_jsonschema(
        {
            "title": "SchemaBuilt",
            "properties": {
                "name": {"type": "string", "maxLength": 3, "required": True},
                "n": {"type": "integer", "minimum": 1},
            },
        }
    )
    assert built.from_primitive({"name": "abc", "n": 2}).n == 2
    with pytest.raises(ShieldDocException) as caught:
        built.from_primitive({"name": "abcd", "n": 0})
    assert [e.path for e in caught.value.error_list] == ["$.name", "$.n"]


@pytest.mark.parametrize(
    ("schema", "error"),
    [
        ({"properties": {}}, AttributeError),
        ({"title": "X", "properties": {"a": {"type": "array"}}}, DictFieldNotFound),
        ({"title": "X", "properties": {"a": {"type": "mystery"}}}, DictFieldNotFound),
        ({"title": "X", "properties": {"validate": {"type": "string"}}}, InvalidShield),
        ({"title": "X", "properties": {"_fields": {"type": "string"}}}, InvalidShield),
        ({"title": "X", "properties": {"a-b": {"type": "string"}}}, InvalidShield),
        ({"title": "not a name", "properties": {}}, InvalidShield),
    ],
)
def test_from_jsonschema_errors(schema: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        Document.from_jsonschema(schema)
