"""Every DictShield field, importable from one place."""

from __future__ import annotations

from brubeck.models.fields.base import (
    BaseField,
    BooleanField,
    DateTimeField,
    DecimalField,
    DictField,
    EmailField,
    FloatField,
    GeoPointField,
    IntField,
    LongField,
    MD5Field,
    NumberField,
    SHA1Field,
    StringField,
    URLField,
    UUIDField,
)
from brubeck.models.fields.compound import (
    RECURSIVE_REFERENCE_CONSTANT,
    EmbeddedDocumentField,
    ListField,
    MultiValueDictField,
    SortedListField,
)

__all__ = [
    "RECURSIVE_REFERENCE_CONSTANT",
    "BaseField",
    "BooleanField",
    "DateTimeField",
    "DecimalField",
    "DictField",
    "EmailField",
    "EmbeddedDocumentField",
    "FloatField",
    "GeoPointField",
    "IntField",
    "ListField",
    "LongField",
    "MD5Field",
    "MultiValueDictField",
    "NumberField",
    "SHA1Field",
    "SortedListField",
    "StringField",
    "URLField",
    "UUIDField",
]
