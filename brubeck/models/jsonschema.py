"""JSON Schema for documents, in two flavours.

* DictShield's (``for_jsonschema``/``to_jsonschema``/``from_jsonschema``): the
  format 0.4 users stored and exchanged, with ``required`` on each property.
  It round-trips: ``from_jsonschema(for_jsonschema())`` builds a class whose
  schema is the same.
* Draft 2020-12 (``json_schema``): a schema standard validators accept, for
  API descriptions and clients. Embedded documents go to ``$defs``.
"""

from __future__ import annotations

import json
from typing import Any

from brubeck.errors import InvalidShield
from brubeck.models import fields as f

__all__ = [
    "DRAFT_2020_12",
    "DictFieldNotFound",
    "document_schema",
    "draft_2020_12",
    "from_jsonschema",
    "schema_kwargs_to_dictshield",
]

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"

#: DictShield's renaming of schema keywords to field options.
schema_kwargs_to_dictshield = {
    "maxLength": "max_length",
    "minLength": "min_length",
    "pattern": "regex",
    "minimum": "min_value",
    "maximum": "max_value",
}


class DictFieldNotFound(InvalidShield):
    """No field class matches a schema's ``type`` and ``format``."""


# (type, format) -> the field a DictShield schema property becomes.
_FIELDS_FOR_SCHEMA: dict[tuple[str, str | None], type[f.BaseField]] = {
    ("string", None): f.StringField,
    ("string", "phone"): f.StringField,
    ("string", "email"): f.EmailField,
    ("string", "url"): f.URLField,
    ("string", "date-time"): f.DateTimeField,
    ("string", "date"): f.DateTimeField,
    ("string", "time"): f.DateTimeField,
    ("string", "uuid"): f.UUIDField,
    ("integer", None): f.IntField,
    ("number", None): f.FloatField,
    ("boolean", None): f.BooleanField,
    ("object", None): f.DictField,
    ("any", None): f.BaseField,
}
_FORMATS: list[tuple[type[f.BaseField], str]] = [
    (f.EmailField, "email"),
    (f.URLField, "url"),
    (f.DateTimeField, "date-time"),
    (f.UUIDField, "uuid"),
]


# -- DictShield's flavour -------------------------------------------------------


def field_schema(field: f.BaseField, _open: tuple[Any, ...] = ()) -> dict[str, Any]:
    """A field's DictShield-style schema: type, title, default, description,
    required (only when true), and the type's own keywords."""
    if isinstance(field, f.EmbeddedDocumentField):
        schema = document_schema(field.document_type, _open)
    else:
        schema = {"type": field._jsonschema_type or "any", "title": field.field_name}
    if field.default is not None and not callable(field.default):
        schema["default"] = field.default
    if field.description:
        schema["description"] = field.description
    if field.required:
        schema["required"] = True
    if field.choices is not None:
        schema["enum"] = list(field.choices)
    schema.update(_keywords(field, _open))
    return schema


def _keywords(field: f.BaseField, _open: tuple[Any, ...]) -> dict[str, Any]:
    keywords: dict[str, Any] = {}
    for kind, name in _FORMATS:
        if isinstance(field, kind):
            keywords["format"] = name
    if isinstance(field, f.StringField):
        _put(keywords, maxLength=field.max_length, minLength=field.min_length)
        if field.regex is not None:
            keywords["pattern"] = field.regex.pattern
    elif isinstance(field, f.NumberField | f.DecimalField):
        _put(keywords, minimum=field.min_value, maximum=field.max_value)
    elif isinstance(field, f.ListField):
        keywords["items"] = [field_schema(item, _open) for item in field.fields]
        _put(keywords, minItems=field.min_length, maxItems=field.max_length)
    elif isinstance(field, f.GeoPointField):
        keywords.update(items={"type": "number"}, minItems=2, maxItems=2)
    return keywords


def _put(target: dict[str, Any], **values: Any) -> None:
    target.update((key, value) for key, value in values.items() if value is not None)


def document_schema(cls: Any, _open: tuple[Any, ...] = ()) -> dict[str, Any]:
    """DictShield's ``for_jsonschema()``: ``_public_fields`` if set, else all
    fields; the id is keyed ``_id``.

    The format has no references, so a document inside itself (``"self"``)
    appears there as ``{"type": "object", "title": name}`` only.
    """
    if cls in _open:
        return {"type": "object", "title": cls.__name__}
    names = cls._public_fields or list(cls._fields)
    properties = {}
    for name in names:
        field = cls._fields.get(name)
        if field is not None:
            key = "_id" if name == "id" or field.id_field else name
            properties[key] = field_schema(field, (*_open, cls))
    return {"type": "object", "title": cls.__name__, "properties": properties}


def from_jsonschema(schema: dict[str, Any] | str, base: Any) -> Any:
    """Build a document class (a subclass of ``base``) from a DictShield schema."""
    if isinstance(schema, str):
        schema = json.loads(schema)
    assert isinstance(schema, dict)
    if "title" not in schema:
        raise AttributeError("JSON Schema missing Document title")
    from brubeck.models.document import BaseDocument

    title = str(schema["title"])
    if not title.isidentifier():
        raise InvalidShield(f"document title {title!r} is not a Python identifier")
    attrs: dict[str, Any] = {}
    for key, prop in schema.get("properties", {}).items():
        if key == "_id":  # a Document gets its id anyway
            continue
        # Properties become class attributes: they must not replace the
        # document's own machinery (validate, _fields, ...).
        if not key.isidentifier() or key.startswith("_") or hasattr(BaseDocument, key):
            raise InvalidShield(f"property name {key!r} cannot be a field")
        attrs[key] = _field_from_schema(prop, title)
    return type(title, (base,), attrs)


def _field_from_schema(prop: dict[str, Any], owner: str) -> f.BaseField:  # noqa: C901 - a table
    from brubeck.models.document import EmbeddedDocument

    kind, fmt = prop.get("type", "any"), prop.get("format")
    options: dict[str, Any] = {
        schema_kwargs_to_dictshield.get(k, k): v
        for k, v in prop.items()
        if k in (*schema_kwargs_to_dictshield, "description", "default", "required")
    }
    if "enum" in prop:
        options["choices"] = prop["enum"]
    if kind == "object" and "properties" in prop:
        return f.EmbeddedDocumentField(from_jsonschema(prop, EmbeddedDocument), **options)
    if kind == "object" and prop.get("title") == owner:  # how "self" is written
        return f.EmbeddedDocumentField(f.RECURSIVE_REFERENCE_CONSTANT, **options)
    if kind == "array":
        if "items" not in prop:
            raise DictFieldNotFound("an array property needs items")
        if (
            prop["items"] == {"type": "number"}
            and prop.get("minItems") == prop.get("maxItems") == 2
        ):
            return f.GeoPointField(**options)
        items = prop["items"] if isinstance(prop["items"], list) else [prop["items"]]
        options.update(min_length=prop.get("minItems"), max_length=prop.get("maxItems"))
        return f.ListField([_field_from_schema(item, owner) for item in items], **options)
    field_class = _FIELDS_FOR_SCHEMA.get((kind, fmt)) or _FIELDS_FOR_SCHEMA.get((kind, None))
    if field_class is None:
        raise DictFieldNotFound(f"no field for type {kind!r} with format {fmt!r}")
    return field_class(**options)


# -- draft 2020-12 ------------------------------------------------------------------


def draft_2020_12(cls: Any) -> dict[str, Any]:
    """A draft 2020-12 schema describing what ``cls.from_primitive`` accepts."""
    defs: dict[str, Any] = {}
    body = _object(cls, defs)
    schema = {"$schema": DRAFT_2020_12, **body}
    if defs:
        schema["$defs"] = defs
    return schema


def _object(cls: Any, defs: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, field in cls._fields.items():
        key = field.uniq_field or name
        properties[key] = _property(field, defs)
        if field.required:
            required.append(key)
    schema: dict[str, Any] = {"title": cls.__name__, "type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _property(field: f.BaseField, defs: dict[str, Any]) -> dict[str, Any]:
    schema = _value_schema(field, defs)
    if field.description:
        schema["description"] = field.description
    if field.default is not None and not callable(field.default):
        schema["default"] = field.default
    if field.choices is not None:
        schema["enum"] = list(field.choices)
    if field.required and schema.get("type") == "string" and "minLength" not in schema:
        schema["minLength"] = 1  # "" counts as missing
    if not field.required:  # None counts as missing, so null is accepted
        schema = {"anyOf": [schema, {"type": "null"}]}
    return schema


def _value_schema(field: f.BaseField, defs: dict[str, Any]) -> dict[str, Any]:  # noqa: C901 - a table
    if isinstance(field, f.EmbeddedDocumentField):
        return _ref(field.document_type, defs)
    if isinstance(field, f.ListField):
        items = [_value_schema(item, defs) for item in field.fields]
        schema: dict[str, Any] = {
            "type": "array",
            "items": items[0] if len(items) == 1 else {"anyOf": items},
        }
        _put(schema, minItems=field.min_length, maxItems=field.max_length)
        return schema
    if isinstance(field, _HashTypes):
        return {"type": "string", "pattern": f"^[0-9a-fA-F]{{{field.hash_length}}}$"}
    if isinstance(field, f.StringField):
        schema = {"type": "string"}
        _put(schema, minLength=field.min_length, maxLength=field.max_length)
        if field.regex is not None:  # re.match is anchored at the start only
            schema["pattern"] = f"^(?:{field.regex.pattern})"
        if isinstance(field, f.EmailField):
            schema["format"] = "email"
        elif isinstance(field, f.URLField):
            schema["format"] = "uri"
        return schema
    if isinstance(field, f.NumberField | f.DecimalField):
        kind = "integer" if field._jsonschema_type == "integer" else "number"
        schema = {"type": kind}
        _put(schema, minimum=field.min_value, maximum=field.max_value)
        return schema
    for kind_class, kind_schema in _SIMPLE.items():
        if isinstance(field, kind_class):
            return dict(kind_schema)
    if isinstance(field, f.DictField):
        schema = {"type": "object", "propertyNames": {"pattern": "^[^.$]*$"}}
        if field.field is not None:
            schema["additionalProperties"] = _value_schema(field.field, defs)
        return schema
    return {}


def _ref(cls: Any, defs: dict[str, Any]) -> dict[str, Any]:
    name = cls._class_name
    if name not in defs:
        defs[name] = {}  # placeholder first: a document may contain itself
        defs[name] = _object(cls, defs)
    return {"$ref": f"#/$defs/{name}"}


_HashTypes = (f.MD5Field, f.SHA1Field)
# Fields whose draft 2020-12 schema is fixed.
_SIMPLE: dict[type[f.BaseField], dict[str, Any]] = {
    f.BooleanField: {"type": "boolean"},
    f.UUIDField: {"type": "string", "format": "uuid"},
    f.DateTimeField: {"type": "string", "format": "date-time"},
    f.GeoPointField: {
        "type": "array",
        "items": {"type": "number"},
        "minItems": 2,
        "maxItems": 2,
    },
    f.MultiValueDictField: {"type": "object"},
}
