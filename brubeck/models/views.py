"""The owner and public views of documents, and validating plain dicts
against a document class (DictShield's ``SafeableMixin``)."""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

from brubeck.errors import ShieldException

__all__ = ["SafeableMixin"]


def _is_document(value: Any) -> bool:
    return hasattr(value, "_fields") and hasattr(value, "_data")


class SafeableMixin:
    """Class methods that filter documents for an audience and check dicts."""

    #: Never shown in the owner view.
    _internal_fields: ClassVar[list[str]] = ["_id", "id", "_cls", "_types"]
    #: Also hidden from the owner view.
    _private_fields: ClassVar[list[str] | None] = None
    #: The only fields of the public view; without it the public view is empty.
    _public_fields: ClassVar[list[str] | None] = None

    _fields: ClassVar[dict[str, Any]]
    _input_keys: ClassVar[dict[str, str]]

    @classmethod
    def _get_internal_fields(cls) -> set[str]:
        return set(cls._internal_fields) | set(cls._private_fields or ())

    # -- views ----------------------------------------------------------------

    @classmethod
    def make_ownersafe(cls, doc: Any) -> Any:
        """What the document's owner may see: everything but internal and
        private fields. Takes a document, a dict, or a list of either."""
        return cls._safe(doc, public=False, json=False)

    @classmethod
    def make_json_ownersafe(cls, doc: Any, encode: bool = True, sort_keys: bool = False) -> Any:
        """:meth:`make_ownersafe` with JSON values; a JSON ``str`` unless ``encode=False``."""
        return cls._encode(cls._safe(doc, public=False, json=True), encode, sort_keys)

    @classmethod
    def make_publicsafe(cls, doc: Any) -> Any:
        """What anyone may see: only ``_public_fields`` (nothing if unset)."""
        return cls._safe(doc, public=True, json=False)

    @classmethod
    def make_json_publicsafe(cls, doc: Any, encode: bool = True, sort_keys: bool = False) -> Any:
        """:meth:`make_publicsafe` with JSON values; a JSON ``str`` unless ``encode=False``."""
        return cls._encode(cls._safe(doc, public=True, json=True), encode, sort_keys)

    @staticmethod
    def _encode(view: Any, encode: bool, sort_keys: bool) -> Any:
        if not encode:
            return view
        return msgspec.json.encode(view, order="sorted" if sort_keys else None).decode()

    @classmethod
    def _safe(cls, doc: Any, public: bool, json: bool) -> Any:
        if isinstance(doc, list | tuple):
            return [cls._safe(item, public, json) for item in doc]
        if not _is_document(doc):
            doc = cls._from_dict(dict(doc))  # type: ignore[attr-defined]
        return _view(doc, public, json)

    # -- validating dicts -----------------------------------------------------

    @classmethod
    def validate_class_fields(cls, values: dict[str, Any], validate_all: bool = False) -> Any:
        """Check a dict as a whole document: required fields must be present.

        Unknown keys are ignored and ``values`` is never modified. Returns
        True; with ``validate_all`` and errors, returns the list of errors.

        Raises:
            ShieldException: Without ``validate_all``, the first error.
        """
        return cls._validate_dict(values, validate_all, partial=False)

    @classmethod
    def validate_class_partial(cls, values: dict[str, Any], validate_all: bool = False) -> Any:
        """Like :meth:`validate_class_fields`, checking only the keys present."""
        return cls._validate_dict(values, validate_all, partial=True)

    @classmethod
    def _validate_dict(cls, values: dict[str, Any], validate_all: bool, partial: bool) -> Any:
        errors: list[ShieldException] = []
        internal = cls._get_internal_fields()
        keys = cls._input_keys
        present = {keys[key]: value for key, value in values.items() if key in keys}
        for name, field in cls._fields.items():
            path = f"$.{field.uniq_field or name}"
            value = present.get(name)
            if value is None or value == "":
                if field.required and not partial:
                    errors.append(ShieldException("Required field missing", name, value, path))
                continue
            if name in internal or field.uniq_field in internal:
                reason = "Overwrite of internal fields attempted"
                errors.append(ShieldException(reason, name, value, path))
                continue
            field.check(field.coerce(value), path, errors)
        if errors:
            if validate_all:
                return errors
            raise errors[0]
        return True


def _view(doc: Any, public: bool, json: bool) -> dict[str, Any]:
    cls = type(doc)
    shown = set(cls._public_fields or ()) if public else None
    hidden = set() if public else cls._get_internal_fields()
    out: dict[str, Any] = {}
    for name, field in cls._fields.items():
        key = field.uniq_field or name
        if shown is not None and name not in shown and key not in shown:
            continue
        if name in hidden or key in hidden:
            continue
        value = field.__get__(doc)
        if value is not None:
            out[field.minimized_field_name or key] = _view_value(field, value, public, json)
    return out


def _view_value(field: Any, value: Any, public: bool, json: bool) -> Any:
    if _is_document(value):
        return _view(value, public, json)
    if isinstance(value, list) and any(_is_document(item) for item in value):
        return [_view(item, public, json) if _is_document(item) else item for item in value]
    return field.for_json(value) if json else field.for_python(value)
