"""brubeck.models.fields (base and compound) and brubeck.models.datastructures.

The reference is DictShield 0.4.4 (inventory sections 2.3 and 2.4) plus the
port's documented decisions: setters never raise, coercion keeps what it cannot
convert, validation reports every error with its path.
"""

from __future__ import annotations

import copy
import datetime
import decimal
import hashlib
import itertools
import math
import pickle
import re
import socket
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brubeck.models import (
    Document,
    EmbeddedDocument,
    InvalidShield,
    ShieldDocException,
    ShieldException,
)
from brubeck.models.datastructures import MultiValueDict, MultiValueDictKeyError
from brubeck.models.fields import (
    RECURSIVE_REFERENCE_CONSTANT,
    BaseField,
    BooleanField,
    DateTimeField,
    DecimalField,
    DictField,
    EmailField,
    EmbeddedDocumentField,
    FloatField,
    GeoPointField,
    IntField,
    ListField,
    LongField,
    MD5Field,
    MultiValueDictField,
    NumberField,
    SHA1Field,
    SortedListField,
    StringField,
    URLField,
    UUIDField,
)
from brubeck.models.fields import base as fields_base
from brubeck.models.fields.base import parse_datetime

UTC = datetime.UTC
D = decimal.Decimal
SAMPLE_UUID = uuid.UUID("12345678-1234-5678-1234-567812345678")


def errors_of(field: BaseField, value: Any, path: str = "$.f") -> list[tuple[str, str]]:
    """``(path, reason)`` of every error ``field.check`` reports for ``value``."""
    errors: list[ShieldException] = []
    field.check(value, path, errors)
    assert all(isinstance(error, ShieldException) for error in errors)
    return [(error.path, error.reason) for error in errors]


def reasons_of(field: BaseField, value: Any) -> list[str]:
    return [reason for _, reason in errors_of(field, value)]


def doc_errors(cls: Any, data: dict[str, Any]) -> list[dict[str, Any]]:
    """What ``cls.from_primitive(data)`` reports (``[]`` when it is valid)."""
    try:
        cls.from_primitive(data)
    except ShieldDocException as exc:
        return exc.to_primitive()
    return []


# -- documents used by the tests (names are global: all start with "Fld") ------------


class FldOrderItem(EmbeddedDocument):
    sku = StringField(max_length=4)
    qty = IntField(min_value=1)


class FldOrder(Document):
    items = ListField(EmbeddedDocumentField(FldOrderItem))
    tags = DictField(field=StringField(max_length=5))


_counter = itertools.count(1)


class FldDefaults(EmbeddedDocument):
    status = StringField(default="new")
    count = IntField(default=0)
    serial = IntField(default=_counter.__next__)
    tags = DictField()
    items = ListField(StringField())
    form = MultiValueDictField()


class FldRequired(EmbeddedDocument):
    name = StringField(required=True)
    count = IntField(required=True)
    tags = ListField(StringField(), required=True)
    flag = BooleanField(required=True)


class FldNames(EmbeddedDocument):
    title = StringField(uniq_field="t", minimized_field_name="ti", max_length=2)


class FldKeyed(Document):
    key = StringField(id_field=True)


class FldStamp(EmbeddedDocument):
    when = DateTimeField()
    uid = UUIDField()


class FldRank(EmbeddedDocument):
    rank = IntField()
    label = StringField()


class FldLaterHolder(EmbeddedDocument):
    part = EmbeddedDocumentField("FldLaterPart")


class FldLaterPart(EmbeddedDocument):
    size = IntField(max_value=3)


class FldTree(EmbeddedDocument):
    name = StringField(max_length=3)
    child = EmbeddedDocumentField(RECURSIVE_REFERENCE_CONSTANT)


class FldForest(EmbeddedDocument):
    name = StringField(max_length=4)
    children = ListField(EmbeddedDocumentField("self"))
    by_name = DictField(field=EmbeddedDocumentField("self"))


class FldAutoId(EmbeddedDocument):
    key = UUIDField(auto_fill=True)
    plain = UUIDField()


class FldNumbers(EmbeddedDocument):
    n = IntField(min_value=13)
    price = DecimalField()
    ratio = FloatField()


class FldPrices(EmbeddedDocument):
    prices = DictField(field=DecimalField())


class FldForm(EmbeddedDocument):
    data = MultiValueDictField()


# -- BaseField: options, descriptor, defaults -----------------------------------------


def test_validation_must_be_callable() -> None:
    with pytest.raises(ValueError, match=r"^validation argument must be a callable\.$"):
        StringField(validation="not callable")


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (StringField(choices=["a", "b"]), "c", ["Value must be one of ['a', 'b']."]),
        (StringField(choices=["a", "b"]), "a", []),
        (IntField(choices=(1, 2)), 3, ["Value must be one of (1, 2)."]),
        (IntField(choices=(1, 2)), 2, []),
        (BaseField(choices=[None, 0]), 1, ["Value must be one of [None, 0]."]),
        # choices come first, then validation, then the type's own checks
        (IntField(choices=[1], validation=lambda v: False), "x", ["Value must be one of [1]."]),
        (
            IntField(validation=lambda v: False),
            "x",
            ["Value does not match customvalidation method."],
        ),
        (
            StringField(validation=str.isupper),
            "abc",
            ["Value does not match customvalidation method."],
        ),
        (StringField(validation=str.isupper), "ABC", []),
        (StringField(validation=str.isupper, max_length=2), "ABC", ["String value is too long"]),
        # a validation callable that raises on a wrong type is an invalid value
        (IntField(validation=lambda v: v.startswith("x")), 5, ["Invalid value"]),
        (IntField(validation=lambda v: v > 3), "text", ["Invalid value"]),
    ],
)
def test_choices_and_validation(field: BaseField, value: Any, expected: list[str]) -> None:
    assert reasons_of(field, value) == expected


def test_validate_checks_the_type_only_and_underscore_validate_checks_everything() -> None:
    field = IntField(choices=[1, 2], min_value=0)
    field.validate(5)  # choices are not the type's business
    with pytest.raises(ShieldException) as caught:
        field._validate(5)
    assert caught.value.reason == "Value must be one of [1, 2]."
    assert caught.value.field_value == 5
    with pytest.raises(ShieldException, match="Int value below min_value: 0"):
        field.validate(-1)


def test_check_records_path_name_and_value() -> None:
    errors: list[ShieldException] = []
    FldOrderItem.qty.check(0, "$.items[3].qty", errors)
    [error] = errors
    assert (error.path, error.reason, error.field_name, error.field_value) == (
        "$.items[3].qty",
        "Int value below min_value: 1",
        "qty",
        0,
    )
    assert str(error) == "Int value below min_value: 1 - qty:0"


def test_field_repr_and_class_access() -> None:
    assert repr(StringField()) == "<StringField (unbound)>"
    assert repr(FldOrderItem.sku) == "<StringField sku>"
    assert isinstance(FldOrderItem.sku, StringField)
    assert FldOrderItem.qty.owner_document is FldOrderItem
    assert FldOrderItem.qty.uniq_field == "qty"


def test_base_field_accepts_anything_and_passes_values_through() -> None:
    field = BaseField()
    marker = object()
    assert errors_of(field, marker) == []
    assert field.coerce(marker) is marker
    assert field.for_python(marker) is marker
    assert field.for_json(marker) is marker
    assert field.for_primitive(marker) is marker


def test_setter_coerces_and_stores_none_as_none() -> None:
    doc = FldNumbers()
    doc.n = "34"
    assert doc.n == 34 and type(doc.n) is int
    doc.n = None
    assert doc.n is None and doc._data["n"] is None


def test_value_default_and_none_brings_it_back() -> None:
    doc = FldDefaults()
    assert (doc.status, doc.count) == ("new", 0)  # a falsy default is still a default
    doc.status = "done"
    assert doc.status == "done"
    doc.status = None
    assert doc.status == "new"
    assert FldDefaults(status="old", count=7).to_python()["status"] == "old"


def test_callable_default_is_called_once_and_stored() -> None:
    first, second = FldDefaults(), FldDefaults()
    value = first.serial
    assert first.serial == value  # stored on the first read, not called again
    assert first._data["serial"] == value
    assert second.serial == value + 1


def test_mutable_default_sticks_and_is_not_shared() -> None:
    doc = FldDefaults()
    doc.tags["a"] = "b"
    doc.items.append("x")
    doc.form.appendlist("k", "v")
    out = doc.to_json(encode=False)
    assert (out["tags"], out["items"], out["form"]) == ({"a": "b"}, ["x"], {"k": ["v"]})
    other = FldDefaults()
    assert (other.tags, other.items, dict(other.form)) == ({}, [], {})


def test_required_counts_none_and_empty_string_as_missing() -> None:
    assert doc_errors(FldRequired, {"name": "", "tags": [], "flag": False}) == [
        {"path": "$.name", "reason": "Required field missing", "value": ""},
        {"path": "$.count", "reason": "Required field missing", "value": None},
    ]
    assert doc_errors(FldRequired, {"name": "x", "count": 0, "tags": [], "flag": False}) == []


def test_uniq_field_and_minimized_field_name() -> None:
    doc = FldNames(ti="abc")  # the short name is accepted by the constructor
    assert doc.title == "abc"
    assert doc.to_python()["t"] == "abc"
    assert doc_errors(FldNames, {"t": "abc"}) == [
        {"path": "$.t", "reason": "String value is too long", "value": "abc"}
    ]


def test_id_field_replaces_the_default_id() -> None:
    assert "id" not in FldKeyed._fields
    assert FldKeyed._fields["key"].uniq_field == "_id"
    assert FldKeyed(key="k1").to_python()["_id"] == "k1"


# -- UUIDField --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (str(SAMPLE_UUID), SAMPLE_UUID),
        (str(SAMPLE_UUID).upper(), SAMPLE_UUID),
        (SAMPLE_UUID.hex, SAMPLE_UUID),
        ("{" + str(SAMPLE_UUID) + "}", SAMPLE_UUID),
        (f"urn:uuid:{SAMPLE_UUID}", SAMPLE_UUID),
        (SAMPLE_UUID, SAMPLE_UUID),
        ("not-a-uuid", "not-a-uuid"),
        (str(SAMPLE_UUID)[:-1], str(SAMPLE_UUID)[:-1]),
        (SAMPLE_UUID.int, SAMPLE_UUID.int),
        (SAMPLE_UUID.bytes, SAMPLE_UUID.bytes),
    ],
)
def test_uuid_coercion_never_raises(value: Any, expected: Any) -> None:
    field = UUIDField()
    coerced = field.coerce(value)
    assert coerced == expected and type(coerced) is type(expected)
    valid = isinstance(expected, uuid.UUID)
    assert reasons_of(field, coerced) == ([] if valid else ["Not a valid UUID value"])


@given(st.uuids())
def test_uuid_text_round_trip(value: uuid.UUID) -> None:
    field = UUIDField()
    assert field.coerce(str(value)) == value
    assert field.for_json(value) == str(value)
    assert field.for_primitive(value) == str(value)
    assert field.for_python(value) is value


def test_uuid_auto_fill() -> None:
    doc = FldAutoId()
    assert isinstance(doc.key, uuid.UUID)
    assert doc.plain is None
    assert FldAutoId(key="").key != FldAutoId(key="").key  # a falsy value is filled too
    assert FldAutoId(key=str(SAMPLE_UUID)).key == SAMPLE_UUID


def test_uuid_in_a_document() -> None:
    assert doc_errors(FldAutoId, {"plain": "nope"}) == [
        {"path": "$.plain", "reason": "Not a valid UUID value", "value": "nope"}
    ]
    doc = FldAutoId.from_primitive({"plain": str(SAMPLE_UUID)})
    assert doc.plain == SAMPLE_UUID
    assert doc.to_primitive()["plain"] == str(SAMPLE_UUID)


# -- StringField ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (StringField(), "", []),
        (StringField(), "anything", []),
        (StringField(max_length=3), "abc", []),
        (StringField(max_length=3), "abcd", ["String value is too long"]),
        (StringField(min_length=2), "ab", []),
        (StringField(min_length=2), "a", ["String value is too short"]),
        (StringField(min_length=2), "", ["String value is too short"]),
        (StringField(regex=r"\d+"), "123", []),
        (StringField(regex=r"\d+"), "12ab", []),  # re.match: anchored at the start only
        (StringField(regex=r"\d+"), "ab12", ["String value did not match validation regex"]),
        (StringField(regex=r"\d+$"), "12ab", ["String value did not match validation regex"]),
        (StringField(max_length=2, regex=r"\d"), "abc", ["String value is too long"]),
        (StringField(), 5, ["Invalid value"]),
        (StringField(), b"bytes", ["Invalid value"]),
        (StringField(), None, ["Invalid value"]),
        (StringField(), ["a"], ["Invalid value"]),
        (StringField(max_length=1), 12345, ["Invalid value"]),
    ],
)
def test_string_field(field: StringField, value: Any, expected: list[str]) -> None:
    assert reasons_of(field, value) == expected


def test_string_regex_reason_is_a_string_and_regex_is_compiled() -> None:
    field = StringField(regex=r"[a-z]+")
    assert field.regex is not None and field.regex.pattern == "[a-z]+"
    with pytest.raises(ShieldException) as caught:
        field.validate("123")
    assert caught.value.reason == "String value did not match validation regex"
    assert StringField().coerce(5) == 5  # no coercion to text


# -- URLField and EmailField -------------------------------------------------------------

VALID_URLS = [
    "http://example.com",
    "https://example.com/",
    "http://www.example.co.uk/path/to?q=1&r=2",
    "HTTP://EXAMPLE.COM",
    "http://example.museum",
    "http://example.com.",
    "http://sub-domain.example.com/a#frag",
    "http://localhost",
    "http://localhost:8000/admin",
    "http://127.0.0.1:8080/",
    "https://example.com?q=1",
]
INVALID_URLS = [
    "",
    "example.com",
    "ftp://example.com",
    "javascript:alert(1)",
    "http://",
    "http://example",
    "http://example.c",
    "http://example.toolong",
    "http://-example.com",
    "http://exa mple.com",
    "http://example.com/has space",
    "http://1.2.3/",
    "http://example.com:port/",
]


@pytest.mark.parametrize("url", VALID_URLS)
def test_valid_urls(url: str) -> None:
    assert reasons_of(URLField(), url) == []


@pytest.mark.parametrize("url", INVALID_URLS)
def test_invalid_urls(url: str) -> None:
    assert reasons_of(URLField(), url) == ["Invalid URL"]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (URLField(), 42, ["Invalid value"]),
        (URLField(max_length=10), "http://example.com", ["String value is too long"]),
        (
            URLField(regex="https"),
            "http://example.com",
            ["String value did not match validation regex"],
        ),
    ],
)
def test_url_field_is_a_string_field(field: URLField, value: Any, expected: list[str]) -> None:
    assert reasons_of(field, value) == expected


def test_url_with_trailing_newline_is_invalid() -> None:
    assert reasons_of(URLField(), "http://example.com\n") == ["Invalid URL"]


def test_url_verify_exists_warns_and_never_touches_the_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        calls.append(repr(args))
        raise RuntimeError("network access attempted")

    monkeypatch.setattr(urllib.request, "urlopen", forbidden)
    monkeypatch.setattr(socket, "getaddrinfo", forbidden)
    monkeypatch.setattr(socket, "create_connection", forbidden)
    with pytest.warns(UserWarning, match=r"verify_exists=True\) is ignored"):
        field = URLField(verify_exists=True)
    assert field.verify_exists is False
    assert reasons_of(field, "http://does-not-exist.invalid.example.com/") == []
    assert reasons_of(field, "nope") == ["Invalid URL"]
    assert calls == []


def test_url_without_verify_exists_does_not_warn() -> None:
    # pytest turns warnings into errors: constructing must be silent.
    assert URLField(verify_exists=False).verify_exists is False


VALID_EMAILS = [
    "user@example.com",
    "first.last+tag@sub.example.org",
    "USER@EXAMPLE.COM",
    "o'brien@example.ie",
    "a@b.museum",
    '"quoted.name"@example.com',
    "x@example.com.",
]
INVALID_EMAILS = [
    "",
    "plainaddress",
    "@example.com",
    "user@",
    "user@example",
    "user@example.c",
    "user@example.toolong",
    ".user@example.com",
    "user..dots@example.com",
    "user name@example.com",
    '"quoted name"@example.com',  # Django 1.3's qtext has no space
    "user@exa_mple.com",
    "user@-example.com",
]


@pytest.mark.parametrize("email", VALID_EMAILS)
def test_valid_emails(email: str) -> None:
    assert reasons_of(EmailField(), email) == []


@pytest.mark.parametrize("email", INVALID_EMAILS)
def test_invalid_emails(email: str) -> None:
    assert reasons_of(EmailField(), email) == ["Invalid email address"]


def test_email_field_is_a_string_field() -> None:
    assert reasons_of(EmailField(), 7) == ["Invalid value"]
    assert reasons_of(EmailField(max_length=5), "user@example.com") == ["String value is too long"]


def test_email_with_trailing_newline_is_invalid() -> None:
    assert reasons_of(EmailField(), "user@example.com\n") == ["Invalid email address"]


# -- Number fields ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (IntField(), "34", 34),
        (IntField(), "-7", -7),
        (IntField(), " 34 ", 34),
        (IntField(), 34.0, 34),
        (IntField(), -0.0, 0),
        (IntField(), 34.7, 34.7),
        (IntField(), "34.0", "34.0"),
        (IntField(), "abc", "abc"),
        (IntField(), "", ""),
        (IntField(), True, True),
        (IntField(), False, False),
        (IntField(), [3], [3]),
        (IntField(), 12, 12),
        (LongField(), "34", 34),
        (LongField(), 2.0**70, 2**70),
        (LongField(), True, True),
        (FloatField(), 3, 3.0),
        (FloatField(), "2.5", 2.5),
        (FloatField(), "1e3", 1000.0),
        (FloatField(), 2.5, 2.5),
        (FloatField(), True, True),
        (FloatField(), "nan", "nan"),
        (FloatField(), "inf", "inf"),
        (FloatField(), "-Infinity", "-Infinity"),
        (FloatField(), "1" * 400, "1" * 400),
        (FloatField(), 10**400, 10**400),
        (FloatField(), "x", "x"),
        (NumberField(int, "Int"), "5", 5),
    ],
)
def test_number_coercion(field: NumberField, value: Any, expected: Any) -> None:
    coerced = field.coerce(value)
    assert coerced == expected and type(coerced) is type(expected)


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_int_field_keeps_non_finite_floats(value: float) -> None:
    field = IntField()
    coerced = field.coerce(value)
    assert coerced is value
    assert reasons_of(field, coerced) == ["Not Int"]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (IntField(), 34, []),
        (IntField(), 34.7, ["Not Int"]),
        (IntField(), "34", ["Not Int"]),  # check() does not coerce: the setter does
        (IntField(), True, ["Not Int"]),
        (IntField(), None, ["Not Int"]),
        (LongField(), 2**80, []),
        (LongField(), False, ["Not Long"]),
        (LongField(), "x", ["Not Long"]),
        (FloatField(), 1.5, []),
        (FloatField(), True, ["Not Float"]),
        (FloatField(), "nan", ["Not Float"]),
        (FloatField(), 10**400, ["Not Float"]),
        (IntField(min_value=13), 13, []),
        (IntField(min_value=13), 12, ["Int value below min_value: 13"]),
        (IntField(max_value=20), 20, []),
        (IntField(max_value=20), 21, ["Int value above max_value: 20"]),
        (IntField(min_value=0, max_value=0), -1, ["Int value below min_value: 0"]),
        (IntField(min_value=0, max_value=0), 1, ["Int value above max_value: 0"]),
        (LongField(max_value=5), 6, ["Long value above max_value: 5"]),
        (FloatField(min_value=0.5), 0.25, ["Float value below min_value: 0.5"]),
        (FloatField(max_value=1), 1.5, ["Float value above max_value: 1"]),
        (NumberField(float, "Ratio", min_value=0), -1.0, ["Ratio value below min_value: 0"]),
    ],
)
def test_number_validation(field: NumberField, value: Any, expected: list[str]) -> None:
    assert reasons_of(field, value) == expected


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_float_field_refuses_non_finite_floats(value: float) -> None:
    assert reasons_of(FloatField(), FloatField().coerce(value)) == ["Not Float"]


def test_int_field_does_not_truncate_fractional_decimals() -> None:
    assert IntField().coerce(D("34.7")) == D("34.7")


def test_int_field_converts_integral_decimals() -> None:
    coerced = IntField().coerce(D("34"))
    assert coerced == 34 and type(coerced) is int


@given(st.integers(min_value=-(10**100), max_value=10**100))
def test_int_field_coerces_any_integer_text(number: int) -> None:
    field = IntField()
    coerced = field.coerce(str(number))
    assert coerced == number and type(coerced) is int
    assert reasons_of(field, coerced) == []


@given(st.integers(min_value=-(2**53), max_value=2**53))
def test_int_field_coerces_integral_floats(number: int) -> None:
    coerced = IntField().coerce(float(number))
    assert coerced == number and type(coerced) is int


@given(st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: not x.is_integer()))
def test_int_field_keeps_fractional_floats(number: float) -> None:
    field = IntField()
    assert field.coerce(number) is number
    assert reasons_of(field, number) == ["Not Int"]


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_field_coerces_float_text(number: float) -> None:
    coerced = FloatField().coerce(repr(number))
    assert coerced == number and type(coerced) is float


def test_numbers_in_a_document() -> None:
    doc = FldNumbers.from_primitive({"n": "34", "price": "1.50", "ratio": 2})
    assert (doc.n, doc.price, doc.ratio) == (34, D("1.50"), 2.0)
    assert type(doc.ratio) is float
    assert doc_errors(FldNumbers, {"n": 34.7, "price": True, "ratio": True}) == [
        {"path": "$.n", "reason": "Not Int", "value": 34.7},
        {"path": "$.price", "reason": "Could not convert to decimal", "value": True},
        {"path": "$.ratio", "reason": "Not Float", "value": True},
    ]
    assert doc_errors(FldNumbers, {"n": "12"}) == [
        {"path": "$.n", "reason": "Int value below min_value: 13", "value": 12}
    ]


# -- DecimalField -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.10", D("1.10")),
        (" 2.5 ", D("2.5")),
        ("-0", D("-0")),
        ("1e3", D("1E+3")),
        (3, D(3)),
        (1.1, D("1.1")),  # through str(): not 1.100000000000000088817841970012523...
        (D("7.25"), D("7.25")),
        (True, True),
        (False, False),
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
        ("-inf", "-inf"),
        ("abc", "abc"),
        ("", ""),
        ({"a": 1}, {"a": 1}),
    ],
)
def test_decimal_coercion(value: Any, expected: Any) -> None:
    coerced = DecimalField().coerce(value)
    assert type(coerced) is type(expected)
    assert str(coerced) == str(expected)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_decimal_keeps_non_finite_floats(value: float) -> None:
    field = DecimalField()
    assert field.coerce(value) is value
    assert reasons_of(field, value) == ["Could not convert to decimal"]


def test_decimal_does_not_convert_arrays() -> None:
    field = DecimalField()
    assert field.coerce([0, [1, 2], -1]) == [0, [1, 2], -1]
    assert doc_errors(FldNumbers, {"price": [0, [1, 2], -1]}) == [
        {"path": "$.price", "reason": "Could not convert to decimal", "value": "[0, [1, 2], -1]"}
    ]


def test_decimal_coercion_never_raises() -> None:
    value = [2**63, None, None]
    assert DecimalField().coerce(value) == value
    assert doc_errors(FldNumbers, {"price": value})[0]["reason"] == "Could not convert to decimal"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (DecimalField(), D("1.5"), []),
        (DecimalField(), 1.5, ["Could not convert to decimal"]),  # check() does not coerce
        (DecimalField(), "1.5", ["Could not convert to decimal"]),
        (DecimalField(), D("NaN"), ["Could not convert to decimal"]),
        (DecimalField(), D("sNaN"), ["Could not convert to decimal"]),
        (DecimalField(), D("-Infinity"), ["Could not convert to decimal"]),
        (DecimalField(min_value=D("1.5")), D("1.5"), []),
        (DecimalField(min_value=D("1.5")), D("1.49"), ["Decimal value below min_value: 1.5"]),
        (DecimalField(max_value=10), D("10"), []),
        (DecimalField(max_value=10), D("10.01"), ["Decimal value above max_value: 10"]),
    ],
)
def test_decimal_validation(field: DecimalField, value: Any, expected: list[str]) -> None:
    assert reasons_of(field, value) == expected


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimal_text_round_trip(number: decimal.Decimal) -> None:
    field = DecimalField()
    coerced = field.coerce(str(number))
    assert coerced == number and isinstance(coerced, decimal.Decimal)
    assert field.for_json(coerced) == str(number)
    assert field.for_primitive(coerced) == str(number)
    assert field.for_python(coerced) is coerced


# -- MD5Field and SHA1Field ------------------------------------------------------------

MD5 = hashlib.md5(b"brubeck").hexdigest()
SHA1 = hashlib.sha1(b"brubeck").hexdigest()


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (MD5Field(), MD5, []),
        (MD5Field(), MD5.upper(), []),
        (MD5Field(), MD5[:-1], ["MD5 value is wrong length"]),
        (MD5Field(), MD5 + "0", ["MD5 value is wrong length"]),
        (MD5Field(), "", ["MD5 value is wrong length"]),
        (MD5Field(), SHA1, ["MD5 value is wrong length"]),
        (MD5Field(), "g" * 32, ["MD5 value is not hex"]),
        (MD5Field(), MD5[:-1] + " ", ["MD5 value is not hex"]),
        (MD5Field(), 12345, ["Invalid value"]),
        (MD5Field(), MD5.encode(), ["Invalid value"]),
        (SHA1Field(), SHA1, []),
        (SHA1Field(), MD5, ["SHA1 value is wrong length"]),
        (SHA1Field(), "z" * 40, ["SHA1 value is not hex"]),
        (SHA1Field(), None, ["Invalid value"]),
        (MD5Field(choices=[MD5]), "0" * 32, [f"Value must be one of ['{MD5}']."]),
    ],
)
def test_hash_fields(field: StringField, value: Any, expected: list[str]) -> None:
    assert reasons_of(field, value) == expected


def test_hash_fields_have_fixed_lengths() -> None:
    assert (MD5Field().min_length, MD5Field().max_length) == (32, 32)
    assert (SHA1Field().min_length, SHA1Field().max_length) == (40, 40)


@given(st.binary())
def test_hash_fields_accept_real_digests(data: bytes) -> None:
    assert reasons_of(MD5Field(), hashlib.md5(data).hexdigest()) == []
    assert reasons_of(SHA1Field(), hashlib.sha1(data).hexdigest()) == []


# -- BooleanField -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, []),
        (False, []),
        (0, ["Not a boolean"]),
        (1, ["Not a boolean"]),
        ("true", ["Not a boolean"]),
        ("", ["Not a boolean"]),
        (None, ["Not a boolean"]),
        ([], ["Not a boolean"]),
    ],
)
def test_boolean_field(value: Any, expected: list[str]) -> None:
    field = BooleanField()
    assert field.coerce(value) is value  # no coercion: 'true' stays text
    assert reasons_of(field, value) == expected


# -- DateTimeField ----------------------------------------------------------------------


def _tz(hours: int, minutes: int = 0) -> datetime.timezone:
    return datetime.timezone(datetime.timedelta(hours=hours, minutes=minutes))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2012-03-04T05:06:07", datetime.datetime(2012, 3, 4, 5, 6, 7)),
        ("2012-03-04T05:06:07.5", datetime.datetime(2012, 3, 4, 5, 6, 7, 500000)),
        ("2012-03-04T05:06:07.123456", datetime.datetime(2012, 3, 4, 5, 6, 7, 123456)),
        ("2012-03-04T05:06:07Z", datetime.datetime(2012, 3, 4, 5, 6, 7, tzinfo=UTC)),
        ("2012-03-04T05:06:07+00:00", datetime.datetime(2012, 3, 4, 5, 6, 7, tzinfo=UTC)),
        (
            "2012-03-04T05:06:07.25+05:30",
            datetime.datetime(2012, 3, 4, 5, 6, 7, 250000, tzinfo=_tz(5, 30)),
        ),
        ("2012-03-04T05:06:07-01:00", datetime.datetime(2012, 3, 4, 5, 6, 7, tzinfo=_tz(-1))),
    ],
)
def test_datetime_parses_iso_text(text: str, expected: datetime.datetime) -> None:
    field = DateTimeField()
    parsed = field.coerce(text)
    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()
    assert reasons_of(field, parsed) == []


@pytest.mark.parametrize(
    "value",
    [
        "2012-03-04 05:06:07",
        "2012-03-04",
        "2012-03-04T05:06",
        "05:06:07",
        "2012-3-4T05:06:07",
        "2012-13-01T00:00:00",
        "2012-02-30T00:00:00",
        "2012-03-04T24:00:00",
        "2012-03-04T05:06:07.1234567",
        "2012-03-04T05:06:07+25:00",
        "2012-03-04T05:06:07+0530",
        "2012-03-04T05:06:07 Z",
        "x2012-03-04T05:06:07",
        "2012-03-04T05:06:07Zjunk",
        "now",
        "",
        1330837567,
        datetime.date(2012, 3, 4),
    ],
)
def test_datetime_keeps_what_it_cannot_parse(value: Any) -> None:
    field = DateTimeField()
    assert field.coerce(value) is value
    assert reasons_of(field, value) == ["Not a datetime"]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (DateTimeField(), datetime.datetime(2012, 3, 4, 5, 6, 7), "2012-03-04T05:06:07"),
        (
            DateTimeField(),
            datetime.datetime(2012, 3, 4, 5, 6, 7, 8, tzinfo=_tz(-3)),
            "2012-03-04T05:06:07.000008-03:00",
        ),
        (
            DateTimeField(),
            datetime.datetime(2012, 3, 4, tzinfo=UTC),
            "2012-03-04T00:00:00+00:00",
        ),
        (DateTimeField(format="%Y/%m/%d"), datetime.datetime(2012, 3, 4, 5), "2012/03/04"),
        (
            DateTimeField(format=lambda dt: str(int(dt.timestamp()))),
            datetime.datetime(2012, 3, 4, tzinfo=UTC),
            "1330819200",
        ),
    ],
)
def test_datetime_for_json(field: DateTimeField, value: datetime.datetime, expected: str) -> None:
    assert field.for_json(value) == expected
    assert field.for_primitive(value) == expected
    assert field.for_python(value) is value


_offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes))
)


@given(st.datetimes(timezones=st.none() | _offsets))
def test_datetime_isoformat_round_trip(value: datetime.datetime) -> None:
    field = DateTimeField()
    parsed = field.coerce(field.for_json(value))
    assert parsed == value
    assert parsed.utcoffset() == value.utcoffset()


# -- DictField --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({}, []),
        ({"a": 1, "b": [1, {"c.d": 2}]}, []),  # only the top level's keys are checked
        ([("a", 1)], ["Only dictionaries may be used in a DictField"]),
        ("{}", ["Only dictionaries may be used in a DictField"]),
        (MultiValueDict({"a": 1}), []),
        ({"a.b": 1}, ["Invalid dictionary key name - a.b"]),
        ({"ok": 1, "$set": 1}, ["Invalid dictionary key name - $set"]),
        ({1: "x"}, ["Invalid dictionary key name - 1"]),
    ],
)
def test_dict_field(value: Any, expected: list[str]) -> None:
    assert reasons_of(DictField(), value) == expected


def test_dict_field_default_and_options() -> None:
    field = DictField(basecls=str, description="tags")
    assert field.default is dict
    assert (field.basecls, field.description, field.field) == (str, "tags", None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"campaign": "spring"}, []),
        ({"campaign": "summer sale"}, [("$.tags.campaign", "String value is too long")]),
        (
            {"a": 1, "b": "ok", "c": None},
            [("$.tags.a", "Invalid value"), ("$.tags.c", "Invalid value")],
        ),
        # a bad key stops there: the values are not looked at
        ({"a.b": "much too long"}, [("$.tags", "Invalid dictionary key name - a.b")]),
        ("nope", [("$.tags", "Only dictionaries may be used in a DictField")]),
    ],
)
def test_dict_field_validates_each_value(value: Any, expected: list[tuple[str, str]]) -> None:
    field = DictField(field=StringField(max_length=6))
    assert errors_of(field, value, "$.tags") == expected


def test_dict_field_values_are_coerced_before_checking() -> None:
    field = DictField(field=IntField(max_value=5))
    value = field.coerce({"a": "3", "b": "9", "c": "x"})  # as a document's setter does
    assert value == {"a": 3, "b": 9, "c": "x"}
    assert errors_of(field, value, "$.d") == [
        ("$.d.b", "Int value above max_value: 5"),
        ("$.d.c", "Not Int"),
    ]


def test_dict_field_of_embedded_documents() -> None:
    field = DictField(field=EmbeddedDocumentField(FldOrderItem))
    value = field.coerce({"x": {"qty": 0}, "y": {"qty": 2}, "z": 5})  # as a setter does
    assert errors_of(field, value, "$.m") == [
        ("$.m.x.qty", "Int value below min_value: 1"),
        ("$.m.z", "Invalid embedded document instance provided to an EmbeddedDocumentField"),
    ]


def test_dict_field_in_a_document() -> None:
    assert doc_errors(FldOrder, {"tags": {"campaign": "summer", "src": "ad"}}) == [
        {"path": "$.tags.campaign", "reason": "String value is too long", "value": "summer"}
    ]
    assert doc_errors(FldOrder, {"tags": ["campaign"]}) == [
        {
            "path": "$.tags",
            "reason": "Only dictionaries may be used in a DictField",
            "value": "['campaign']",
        }
    ]


def test_dict_field_serializes_values_with_its_field() -> None:
    doc = FldPrices.from_primitive({"prices": {"a": D("1.5")}})
    assert doc.to_primitive() == {"prices": {"a": "1.5"}}
    doc = FldPrices.from_primitive({"prices": {"a": "1.5"}})
    assert doc.to_python()["prices"] == {"a": D("1.5")}


# -- GeoPointField ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([1, 2], []),
        ((1.5, -2), []),
        ({"lat": 1, "lng": 2.5}, []),
        ("1,2", ["GeoPointField can only accept tuples, lists, or dicts"]),
        (5, ["GeoPointField can only accept tuples, lists, or dicts"]),
        ({1, 2}, ["GeoPointField can only accept tuples, lists, or dicts"]),
        ([], ["Value must be a two-dimensional point"]),
        ([1], ["Value must be a two-dimensional point"]),
        ([1, 2, 3], ["Value must be a two-dimensional point"]),
        ({"lat": 1}, ["Value must be a two-dimensional point"]),
        ([1, "2"], ["Both values in point must be float or int"]),
        (["1", 2], ["Both values in point must be float or int"]),
        ([True, 1], ["Both values in point must be float or int"]),
        ([None, 1], ["Both values in point must be float or int"]),
        ({"lat": "a", "lng": 1}, ["Both values in point must be float or int"]),
        ([D(1), 1], ["Both values in point must be float or int"]),
    ],
)
def test_geo_point_field(value: Any, expected: list[str]) -> None:
    assert reasons_of(GeoPointField(), value) == expected


# -- ListField and SortedListField --------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [[], [StringField(), 5], "StringField", StringField, [StringField], None],
)
def test_list_field_needs_field_instances(fields: Any) -> None:
    with pytest.raises(InvalidShield):
        ListField(fields)


def test_list_field_options() -> None:
    one = ListField(IntField(), min_length=1, max_length=3)
    assert (one.field, one.fields, one.default) == (one.fields[0], [one.fields[0]], list)
    several = ListField([IntField(), StringField()])
    assert several.field is None and len(several.fields) == 2


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (ListField(IntField()), ("1", 2, None), [1, 2, None]),
        (ListField(IntField()), ["x", 2.5, 3.0], ["x", 2.5, 3]),
        (ListField(UUIDField()), [str(SAMPLE_UUID)], [SAMPLE_UUID]),
        (ListField(ListField(IntField())), [("1",), ["2"]], [[1], [2]]),
        (ListField([IntField(), StringField()]), ("1", 2), ["1", 2]),  # several: no coercion
        (ListField(IntField()), "123", "123"),
        (ListField(IntField()), {"a": "1"}, {"a": "1"}),
    ],
)
def test_list_field_coercion(field: ListField, value: Any, expected: Any) -> None:
    coerced = field.coerce(value)
    assert coerced == expected and type(coerced) is type(expected)


def test_list_field_coerces_dicts_into_embedded_documents() -> None:
    [item] = ListField(EmbeddedDocumentField(FldOrderItem)).coerce([{"sku": "A", "qty": "2"}])
    assert isinstance(item, FldOrderItem)
    assert (item.sku, item.qty) == ("A", 2)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (ListField(IntField()), [], []),
        (ListField(IntField()), (1, 2), []),
        (
            ListField(IntField()),
            "12",
            [("$.l", "Only lists and tuples may be used in a list field")],
        ),
        (
            ListField(IntField()),
            {1: 2},
            [("$.l", "Only lists and tuples may be used in a list field")],
        ),
        (ListField(IntField()), 7, [("$.l", "Only lists and tuples may be used in a list field")]),
        (ListField(IntField(), min_length=2), [1, 2], []),
        (ListField(IntField(), min_length=2), [1], [("$.l", "List is too short")]),
        (ListField(IntField(), max_length=2), [1, 2], []),
        (ListField(IntField(), max_length=2), [1, 2, 3], [("$.l", "List is too long")]),
        # the items are not looked at when the list itself is wrong
        (ListField(IntField(), max_length=1), ["a", "b"], [("$.l", "List is too long")]),
        (
            ListField(IntField(min_value=1)),
            [1, 0, "x", None],
            [
                ("$.l[1]", "Int value below min_value: 1"),
                ("$.l[2]", "Not Int"),
                ("$.l[3]", "Not Int"),
            ],
        ),
        (
            ListField(ListField(StringField(max_length=1))),
            [["a"], ["b", "cc"], "d"],
            [
                ("$.l[1][1]", "String value is too long"),
                ("$.l[2]", "Only lists and tuples may be used in a list field"),
            ],
        ),
        (
            ListField(DictField(field=IntField())),
            [{"a": 1}, {"b": "x"}],
            [("$.l[1].b", "Not Int")],
        ),
        (ListField([IntField(), StringField()]), [1, "a"], []),
        (
            ListField([IntField(), StringField(max_length=1)]),
            [1, "a", 2.5, "bb", None],
            [
                ("$.l[2]", "Invalid ListField item"),
                ("$.l[3]", "Invalid ListField item"),
                ("$.l[4]", "Invalid ListField item"),
            ],
        ),
        (
            ListField(StringField(), choices=[["a"]]),
            ["b"],
            [("$.l", "Value must be one of [['a']].")],
        ),
    ],
)
def test_list_field_validation(
    field: ListField, value: Any, expected: list[tuple[str, str]]
) -> None:
    assert errors_of(field, value, "$.l") == expected


def test_list_field_item_errors_carry_the_item_and_the_field_name() -> None:
    class FldNamedList(EmbeddedDocument):
        words = ListField([IntField(), BooleanField()])

    errors: list[ShieldException] = []
    FldNamedList.words.check([1, "x"], "$.words", errors)
    [error] = errors
    assert (error.reason, error.field_name, error.field_value, error.path) == (
        "Invalid ListField item",
        "words",
        "x",
        "$.words[1]",
    )
    errors = []
    FldOrder.items.check(["x"], "$.items", errors)
    assert [(e.field_name, e.path) for e in errors] == [("items", "$.items[0]")]


def test_list_of_embedded_documents_reports_every_item() -> None:
    # The example from the brief, then several errors in one pass.
    with pytest.raises(ShieldDocException) as caught:
        FldOrder.from_primitive({"items": [{"qty": 0}]})
    assert caught.value.to_primitive() == [
        {"path": "$.items[0].qty", "reason": "Int value below min_value: 1", "value": 0}
    ]
    data = {
        "items": [
            {"sku": "A", "qty": 1},
            {"sku": "TOOLONG", "qty": 1},
            {"sku": "B", "qty": "zero"},
            "not an item",
        ],
        "tags": {"x": 1},
    }
    assert doc_errors(FldOrder, data) == [
        {"path": "$.items[1].sku", "reason": "String value is too long", "value": "TOOLONG"},
        {"path": "$.items[2].qty", "reason": "Not Int", "value": "zero"},
        {
            "path": "$.items[3]",
            "reason": "Invalid embedded document instance provided to an EmbeddedDocumentField",
            "value": "not an item",
        },
        {"path": "$.tags.x", "reason": "Invalid value", "value": 1},
    ]


def test_list_field_serializes_each_item_with_its_field() -> None:
    when = datetime.datetime(2012, 3, 4, tzinfo=UTC)
    field = ListField(DateTimeField())
    assert field.for_python([when]) == [when]
    assert field.for_json([when]) == ["2012-03-04T00:00:00+00:00"]
    assert field.for_primitive([when]) == ["2012-03-04T00:00:00+00:00"]
    mixed = ListField([UUIDField(), DecimalField()])
    assert mixed.for_json([SAMPLE_UUID, D("1.5")]) == [str(SAMPLE_UUID), "1.5"]
    assert mixed.for_python([SAMPLE_UUID, D("1.5")]) == [SAMPLE_UUID, D("1.5")]
    docs = ListField(EmbeddedDocumentField(FldStamp))
    stamp = FldStamp(when=when, uid=SAMPLE_UUID)
    assert docs.for_primitive([stamp]) == [
        {"when": "2012-03-04T00:00:00+00:00", "uid": str(SAMPLE_UUID)}
    ]


def test_sorted_list_field() -> None:
    field = SortedListField(IntField(), max_length=3)
    assert field.max_length == 3 and field.ordering is None
    values = [3, 1, 2]
    assert field.for_python(values) == [1, 2, 3]
    assert field.for_json(values) == [1, 2, 3]
    assert field.for_primitive(values) == [1, 2, 3]
    assert values == [3, 1, 2]  # the stored list keeps its order
    assert errors_of(field, [4, 3, 2, 1], "$.s") == [("$.s", "List is too long")]


def test_sorted_list_field_with_ordering() -> None:
    field = SortedListField(EmbeddedDocumentField(FldRank), ordering="rank")
    assert field.ordering == "rank"
    ranks = [FldRank(rank=2, label="b"), FldRank(rank=1, label="a"), FldRank(rank=3, label="c")]
    assert [item["label"] for item in field.for_primitive(ranks)] == ["a", "b", "c"]
    assert [item["label"] for item in field.for_json(ranks)] == ["a", "b", "c"]
    assert [item["rank"] for item in field.for_python(ranks)] == [1, 2, 3]
    by_key = SortedListField(DictField(), ordering="k")
    assert by_key.for_json([{"k": 2}, {"k": 1}]) == [{"k": 1}, {"k": 2}]


# -- EmbeddedDocumentField --------------------------------------------------------------


@pytest.mark.parametrize("document_type", [42, None, dict, object()])
def test_embedded_document_field_needs_a_document_class_or_a_name(document_type: Any) -> None:
    with pytest.raises(InvalidShield):
        EmbeddedDocumentField(document_type)


def test_embedded_document_field_resolves_names() -> None:
    assert FldLaterHolder.part.document_type is FldLaterPart
    assert EmbeddedDocumentField(FldStamp).document_type is FldStamp
    assert EmbeddedDocumentField("FldStamp").document_type is FldStamp
    assert FldTree.child.document_type is FldTree


def test_embedded_document_field_unknown_names_fail_on_use() -> None:
    field = EmbeddedDocumentField("FldNoSuchDocument")  # declaring is fine
    with pytest.raises(InvalidShield, match="FldNoSuchDocument"):
        field.coerce({})
    unbound = EmbeddedDocumentField(RECURSIVE_REFERENCE_CONSTANT)  # not on a class
    with pytest.raises(InvalidShield):
        unbound.document_type  # noqa: B018


def test_embedded_document_field_coerces_dicts() -> None:
    field = EmbeddedDocumentField(FldOrderItem)
    item = field.coerce({"sku": "A", "qty": "3", "unknown": 1})
    assert isinstance(item, FldOrderItem)
    assert (item.sku, item.qty) == ("A", 3)
    assert not hasattr(item, "unknown")
    existing = FldOrderItem(sku="B")
    assert field.coerce(existing) is existing
    assert field.coerce("text") == "text"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (FldOrderItem(qty=1), []),
        (FldOrderItem(), []),
        (
            FldOrderItem(qty=0, sku="LONGER"),
            [("$.e.sku", "String value is too long"), ("$.e.qty", "Int value below min_value: 1")],
        ),
        (
            {"qty": 1},
            [("$.e", "Invalid embedded document instance provided to an EmbeddedDocumentField")],
        ),
        (
            FldRank(rank=1),
            [("$.e", "Invalid embedded document instance provided to an EmbeddedDocumentField")],
        ),
        ("x", [("$.e", "Invalid embedded document instance provided to an EmbeddedDocumentField")]),
    ],
)
def test_embedded_document_field_validation(value: Any, expected: list[tuple[str, str]]) -> None:
    assert errors_of(EmbeddedDocumentField(FldOrderItem), value, "$.e") == expected


def test_embedded_documents_by_name_and_self_in_a_document() -> None:
    holder = FldLaterHolder.from_primitive({"part": {"size": 2}})
    assert isinstance(holder.part, FldLaterPart) and holder.part.size == 2
    assert doc_errors(FldLaterHolder, {"part": {"size": 4}}) == [
        {"path": "$.part.size", "reason": "Int value above max_value: 3", "value": 4}
    ]
    assert doc_errors(FldLaterHolder, {"part": None}) == []  # None is ignored
    tree = {"name": "a", "child": {"name": "b", "child": {"name": "long"}}}
    assert doc_errors(FldTree, tree) == [
        {"path": "$.child.child.name", "reason": "String value is too long", "value": "long"}
    ]
    assert FldTree.from_primitive({"child": {"child": {"name": "c"}}}).child.child.name == "c"


def test_self_references_inside_list_and_dict_fields() -> None:
    forest = FldForest.from_primitive(
        {"name": "a", "children": [{"name": "b"}], "by_name": {"c": {"name": "c"}}}
    )
    assert isinstance(forest.children[0], FldForest)
    data = {"children": [{"children": [{"name": "toolong"}]}], "by_name": {"c": {"name": 5}}}
    assert doc_errors(FldForest, data) == [
        {
            "path": "$.children[0].children[0].name",
            "reason": "String value is too long",
            "value": "toolong",
        },
        {"path": "$.by_name.c.name", "reason": "Invalid value", "value": 5},
    ]


def test_embedded_document_field_serialization() -> None:
    when = datetime.datetime(2012, 3, 4, 5, 6, 7)
    stamp = FldStamp(when=when, uid=SAMPLE_UUID)
    field = EmbeddedDocumentField(FldStamp)
    classes = {"_cls": "FldStamp", "_types": ["FldStamp"]}
    assert field.for_python(stamp) == {"when": when, "uid": SAMPLE_UUID, **classes}
    assert field.for_json(stamp) == {
        "when": "2012-03-04T05:06:07",
        "uid": str(SAMPLE_UUID),
        **classes,
    }
    assert field.for_primitive(stamp) == {"when": "2012-03-04T05:06:07", "uid": str(SAMPLE_UUID)}


# -- MultiValueDictField ----------------------------------------------------------------


def test_multi_value_dict_field_coercion() -> None:
    field = MultiValueDictField(basecls=list)
    assert field.basecls is list and field.default is MultiValueDict
    coerced = field.coerce({"a": ["1", "2"], "b": "3"})
    assert isinstance(coerced, MultiValueDict)
    assert (coerced["a"], coerced.getlist("a"), coerced.getlist("b")) == ("2", ["1", "2"], ["3"])
    existing = MultiValueDict({"a": 1})
    assert field.coerce(existing) is existing
    assert field.coerce("text") == "text"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (MultiValueDict(), []),
        (MultiValueDict({"a": [1, 2]}), []),
        ({"a": [1]}, ["Only dictionaries may be used in a MultiValueDictField"]),  # not coerced
        ([("a", 1)], ["Only dictionaries may be used in a MultiValueDictField"]),
        ("a=1", ["Only dictionaries may be used in a MultiValueDictField"]),
    ],
)
def test_multi_value_dict_field_validation(value: Any, expected: list[str]) -> None:
    assert reasons_of(MultiValueDictField(), value) == expected


def test_multi_value_dict_field_in_a_document() -> None:
    doc = FldForm.from_primitive({"data": {"a": ["1", "2"], "b": "3"}})
    assert doc.data["a"] == "2"
    assert doc.to_json(encode=False)["data"] == {"a": ["1", "2"], "b": ["3"]}
    assert doc.to_primitive() == {"data": {"a": ["1", "2"], "b": ["3"]}}
    assert doc_errors(FldForm, {"data": ["a"]}) == [
        {
            "path": "$.data",
            "reason": "Only dictionaries may be used in a MultiValueDictField",
            "value": "['a']",
        }
    ]


# -- MultiValueDict ---------------------------------------------------------------------


def test_multi_value_dict_construction() -> None:
    assert dict(MultiValueDict().lists()) == {}
    from_mapping = MultiValueDict({"a": [1, 2], "b": (3,), "c": 4, "d": []})
    assert dict(from_mapping.lists()) == {"a": [1, 2], "b": [3], "c": [4], "d": []}
    from_pairs = MultiValueDict([("a", [1, 2]), ("b", 3)])
    assert dict(from_pairs.lists()) == {"a": [1, 2], "b": [3]}
    source = {"a": [1]}
    built = MultiValueDict(source)
    built.appendlist("a", 2)
    assert source == {"a": [1]}  # the input lists are copied


def test_multi_value_dict_item_access() -> None:
    mvd = MultiValueDict({"a": [1, 2, 3], "empty": []})
    assert mvd["a"] == 3
    assert mvd["empty"] == []
    with pytest.raises(MultiValueDictKeyError) as caught:
        mvd["missing"]  # noqa: B018
    assert isinstance(caught.value, KeyError)
    assert caught.value.args == ("missing",)
    mvd["a"] = 9
    assert mvd.getlist("a") == [9]
    assert "a" in mvd and "missing" not in mvd and len(mvd) == 2


@pytest.mark.parametrize(
    ("key", "default", "expected"),
    [
        ("a", None, 2),
        ("a", "d", 2),
        ("missing", None, None),
        ("missing", "d", "d"),
        ("empty", "d", "d"),
    ],
)
def test_multi_value_dict_get(key: str, default: Any, expected: Any) -> None:
    assert MultiValueDict({"a": [1, 2], "empty": []}).get(key, default) == expected


def test_multi_value_dict_getlist() -> None:
    mvd = MultiValueDict({"a": [1, 2]})
    values = mvd.getlist("a")
    values.append(3)
    assert mvd.getlist("a") == [1, 2]  # a copy
    assert mvd.getlist("missing") == []
    assert mvd.getlist("missing", ["d"]) == ["d"]


def test_multi_value_dict_setters() -> None:
    mvd = MultiValueDict()
    mvd.setlist("a", (1, 2))
    assert mvd.getlist("a") == [1, 2]
    mvd.appendlist("a", 3)
    mvd.appendlist("b", 4)
    assert dict(mvd.lists()) == {"a": [1, 2, 3], "b": [4]}
    live = mvd.setlistdefault("a", [0])
    live.append(5)  # the stored list itself
    assert mvd.getlist("a") == [1, 2, 3, 5]
    assert mvd.setlistdefault("c", [7, 8]) == [7, 8]
    assert mvd.setlistdefault("d") == [] and mvd.getlist("d") == []
    assert mvd.setdefault("a", 0) == 5
    assert mvd.setdefault("e", 6) == 6 and mvd.getlist("e") == [6]
    assert mvd.setdefault("f") is None and mvd.getlist("f") == [None]


def test_multi_value_dict_views() -> None:
    mvd = MultiValueDict({"a": [1, 2], "b": [3]})
    assert list(mvd.items()) == [("a", 2), ("b", 3)]
    assert list(mvd.values()) == [2, 3]
    assert list(mvd.lists()) == [("a", [1, 2]), ("b", [3])]
    assert list(mvd) == ["a", "b"]
    assert mvd.dict() == {"a": 2, "b": 3}
    assert type(mvd.dict()) is dict


def test_multi_value_dict_copy_method_is_independent() -> None:
    mvd = MultiValueDict({"a": [1, 2]})
    clone = mvd.copy()
    assert isinstance(clone, MultiValueDict)
    clone.appendlist("a", 3)
    clone["b"] = 4
    assert dict(mvd.lists()) == {"a": [1, 2]}
    assert dict(clone.lists()) == {"a": [1, 2, 3], "b": [4]}


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((MultiValueDict({"a": [3, 4], "c": [5]}),), {}, {"a": [1, 2, 3, 4], "b": [9], "c": [5]}),
        (({"a": 3, "c": [5]},), {}, {"a": [1, 2, 3], "b": [9], "c": [[5]]}),
        (([("a", 3), ("a", 4)],), {}, {"a": [1, 2, 3, 4], "b": [9]}),
        ((), {"b": 8, "c": 7}, {"a": [1, 2], "b": [9, 8], "c": [7]}),
        (({"a": 3},), {"a": 4}, {"a": [1, 2, 3, 4], "b": [9]}),
    ],
)
def test_multi_value_dict_update_adds_values(
    args: tuple[Any, ...], kwargs: dict[str, Any], expected: dict[str, list[Any]]
) -> None:
    mvd = MultiValueDict({"a": [1, 2], "b": [9]})
    mvd.update(*args, **kwargs)
    assert dict(mvd.lists()) == expected


@pytest.mark.parametrize(
    "clone",
    [copy.copy, copy.deepcopy, lambda mvd: pickle.loads(pickle.dumps(mvd))],
    ids=["copy", "deepcopy", "pickle"],
)
def test_multi_value_dict_copies_keep_every_value(
    clone: Callable[[MultiValueDict], MultiValueDict],
) -> None:
    assert dict(clone(MultiValueDict({"a": [1, 2]})).lists()) == {"a": [1, 2]}


_lists = st.dictionaries(
    st.text(max_size=5), st.lists(st.integers(), min_size=1, max_size=4), max_size=5
)


@given(_lists)
def test_multi_value_dict_properties(data: dict[str, list[int]]) -> None:
    mvd = MultiValueDict(data)
    assert dict(mvd.lists()) == data
    assert mvd.dict() == {key: values[-1] for key, values in data.items()}
    assert all(mvd[key] == values[-1] == mvd.get(key) for key, values in data.items())
    assert dict(mvd.copy().lists()) == data
    assert MultiValueDictField().for_json(mvd) == data
    doubled = mvd.copy()
    doubled.update(mvd)
    assert dict(doubled.lists()) == {key: values * 2 for key, values in data.items()}


# -- regressions from review ------------------------------------------------------


class FldSortItem(EmbeddedDocument):
    x = IntField()


class FldSorted(Document):
    plain = SortedListField(EmbeddedDocumentField(FldSortItem))
    ordered = SortedListField(EmbeddedDocumentField(FldSortItem), ordering="x")
    numbers = SortedListField(IntField())


def test_sorted_lists_of_documents_serialize() -> None:
    doc = FldSorted.from_primitive(
        {"plain": [{"x": 2}, {"x": 1}], "ordered": [{"x": 2}, {}, {"x": 1}], "numbers": [3, 1]}
    )
    primitive = doc.to_primitive()
    assert primitive["plain"] == [{"x": 2}, {"x": 1}]  # documents do not compare: order kept
    assert primitive["ordered"] == [{"x": 1}, {"x": 2}, {}]  # missing values last
    assert primitive["numbers"] == [1, 3]
    assert doc.to_json(encode=False)["ordered"][0]["x"] == 1


@pytest.mark.parametrize(
    "make",
    [
        lambda: StringField(max_length="3"),
        lambda: StringField(min_length=1.5),
        lambda: IntField(min_value="0"),
        lambda: FloatField(max_value=True),
        lambda: DecimalField(min_value=[1]),
        lambda: ListField(StringField(), max_length="2"),
    ],
)
def test_option_types_are_checked_when_fields_are_declared(make: Any) -> None:
    from brubeck.errors import InvalidShield

    with pytest.raises(InvalidShield):
        make()


class FldChoiceList(Document):
    picks = ListField(StringField(), choices=[["a"], ["b"]])
    names = StringField(choices={"x", "y"})


def test_unhashable_values_against_choices_are_reported_not_raised() -> None:
    assert FldChoiceList.from_primitive({"picks": ["a"]}).picks == ["a"]
    with pytest.raises(ShieldDocException) as caught:
        FldChoiceList.from_primitive({"names": ["x"]})
    assert caught.value.error_list[0].reason == "Invalid value"


# -- parse_datetime: ASCII digits only ------------------------------------------------

_UNICODE_DIGITS_FORM = re.compile(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)?"
)


def _with_unicode_digits(value: str) -> datetime.datetime | None:
    """parse_datetime as it was with ``\\d`` (any Unicode digit) in its pattern."""
    if _UNICODE_DIGITS_FORM.fullmatch(value):
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


_DIGITS = st.sampled_from("0123456789٠١٢٣٤٥٦٧٨٩０１２３４５６７８９")


@given(
    st.one_of(
        st.text(),
        st.builds(
            "{}-{}-{}T{}:{}:{}{}{}".format,
            *(st.text(_DIGITS, min_size=n, max_size=n) for n in (4, 2, 2, 2, 2, 2)),
            st.sampled_from(["", ".5", ".123456", ".١٢"]),
            st.sampled_from(["", "Z", "+01:00", "-٠٢:00"]),
        ),
    )
)
def test_parse_datetime_matches_the_unicode_digit_pattern(value: str) -> None:
    assert parse_datetime(value) == _with_unicode_digits(value)


def _with_the_pattern(value: str) -> datetime.datetime | None:
    """parse_datetime as written with the pattern's fullmatch."""
    if fields_base._DATETIME.fullmatch(value):
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


_ASCII_DIGITS = st.sampled_from("0123456789")
_SHAPE_PARTS = st.sampled_from(["0", "9", "5", "-", ":", "T", ".", "Z", "+", "z", " ", "٣", "a"])


@given(
    st.one_of(
        st.text(),
        st.text(_SHAPE_PARTS, max_size=34),
        st.builds(
            "{}-{}-{}T{}:{}:{}{}{}{}".format,
            *(st.text(_ASCII_DIGITS, min_size=n, max_size=n) for n in (4, 2, 2, 2, 2, 2)),
            st.sampled_from(["", ".", ".", "٣"]),
            st.text(_ASCII_DIGITS, max_size=8),
            st.sampled_from(["", "Z", "+01:00", "-02:30", "+0100", "-٠٢:00", "z", "+1:00", "+"]),
        ),
        st.builds(
            "{}{}".format,
            st.sampled_from(["2024-05-17T12:34:56", "1999-12-31T23:59:59.999999"]),
            st.text(_SHAPE_PARTS, max_size=8),
        ),
    )
)
def test_parse_datetime_checks_the_shape_as_the_pattern_does(value: str) -> None:
    assert parse_datetime(value) == _with_the_pattern(value)
    shape = value.encode("utf-8", "surrogatepass").translate(fields_base._DIGITS_TO_0)
    assert (shape in fields_base._DATETIME_SHAPES) == bool(fields_base._DATETIME.fullmatch(value))


def test_parse_datetime_checks_every_fraction_zone_and_character_as_the_pattern_does() -> None:
    zones = ["", "Z", "+01:00", "-02:30", "z", "+0100", "+1:00", "+", "-", "Z+01:00"]
    texts = [
        "2024-05-17T12:34:56" + ("." + "7" * digits if digits >= 0 else "") + zone
        for digits in range(-1, 9)
        for zone in zones
    ]
    assert sum(_with_the_pattern(text) is not None for text in texts) == 7 * 4  # the shapes
    whole = "2024-05-17T12:34:56.123456+01:00"
    characters = [chr(code) for code in range(256)] + ["٣", "０", "\ud800", "\U0001f600"]
    texts += [whole[:i] + c + whole[i + 1 :] for i in range(len(whole)) for c in characters]
    texts += [whole[:i] for i in range(len(whole))] + [whole + c for c in characters]
    for text in texts:
        assert parse_datetime(text) == _with_the_pattern(text), text
        shape = text.encode("utf-8", "surrogatepass").translate(fields_base._DIGITS_TO_0)
        assert (shape in fields_base._DATETIME_SHAPES) == bool(
            fields_base._DATETIME.fullmatch(text)
        ), text


def test_parse_datetime_refuses_non_ascii_digits() -> None:
    assert parse_datetime("٢٠٢٤-05-17T12:34:56") is None
    assert parse_datetime("2024-05-17T12:34:56") == datetime.datetime(2024, 5, 17, 12, 34, 56)
