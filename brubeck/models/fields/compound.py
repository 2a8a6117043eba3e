"""DictShield's compound fields: lists, embedded documents, multi-value dicts."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from brubeck.errors import InvalidShield, ShieldException
from brubeck.models import _registry
from brubeck.models.datastructures import MultiValueDict
from brubeck.models.fields.base import BaseField, _check_option

__all__ = [
    "RECURSIVE_REFERENCE_CONSTANT",
    "EmbeddedDocumentField",
    "ListField",
    "MultiValueDictField",
    "SortedListField",
]

RECURSIVE_REFERENCE_CONSTANT = "self"


class ListField(BaseField):
    """A list whose items each satisfy ``fields`` (one field, or a list of
    fields any of which may match). ``min_length``/``max_length`` bound its size."""

    _jsonschema_type = "array"

    def __init__(
        self,
        fields: BaseField | list[BaseField],
        min_length: int | None = None,
        max_length: int | None = None,
        **kwargs: Any,
    ) -> None:
        choices = fields if isinstance(fields, list) else [fields]
        if not choices or not all(isinstance(f, BaseField) for f in choices):
            raise InvalidShield("ListField needs a field instance or a list of field instances")
        self.fields = choices
        self.field = choices[0] if len(choices) == 1 else None
        self.min_length = _check_option("min_length", min_length, (int,))
        self.max_length = _check_option("max_length", max_length, (int,))
        kwargs.setdefault("default", list)
        super().__init__(**kwargs)

    def coerce(self, value: Any) -> Any:
        if isinstance(value, tuple):
            value = list(value)
        if self.field is not None and isinstance(value, list):
            coerce = self.field.coerce
            return [item if item is None else coerce(item) for item in value]
        return value

    def problem(self, value: Any) -> str | None:
        if not isinstance(value, list | tuple):
            return "Only lists and tuples may be used in a list field"
        if self.min_length is not None and len(value) < self.min_length:
            return "List is too short"
        if self.max_length is not None and len(value) > self.max_length:
            return "List is too long"
        return None

    def check(self, value: Any, path: str, errors: list[ShieldException]) -> None:
        size = len(errors)
        super().check(value, path, errors)
        if len(errors) != size:
            return
        for index, item in enumerate(value):
            item_path = f"{path}[{index}]"
            if self.field is not None:
                self.field.check(item, item_path, errors)
            elif not any(self._item_ok(field, item, item_path) for field in self.fields):
                name = self.field_name or ""
                errors.append(ShieldException("Invalid ListField item", name, item, item_path))

    @staticmethod
    def _item_ok(field: BaseField, item: Any, path: str) -> bool:
        found: list[ShieldException] = []
        field.check(item, path, found)
        return not found

    def _item_field(self, item: Any) -> BaseField:
        if self.field is not None:
            return self.field
        return next((f for f in self.fields if self._item_ok(f, item, "$")), self.fields[0])

    def for_python(self, value: Any) -> Any:
        return [self._item_field(item).for_python(item) for item in value]

    def for_json(self, value: Any) -> Any:
        return [self._item_field(item).for_json(item) for item in value]

    def for_primitive(self, value: Any) -> Any:
        return [self._item_field(item).for_primitive(item) for item in value]


class SortedListField(ListField):
    """A :class:`ListField` serialized in order (of ``ordering``, an item key, if given)."""

    def __init__(self, field: BaseField, ordering: str | None = None, **kwargs: Any) -> None:
        self.ordering = ordering
        super().__init__(field, **kwargs)

    def _sorted(self, value: Any) -> list[Any]:
        """Sorted by ``ordering`` (missing values last), or by the items
        themselves; items Python cannot compare keep their order."""
        get = itemgetter(self.ordering) if self.ordering else None
        try:
            if get is None:
                return sorted(value)
            return sorted(value, key=lambda item: (get(item) is None, get(item)))
        except TypeError:
            return list(value)

    def for_python(self, value: Any) -> Any:
        return super().for_python(self._sorted(value))

    def for_json(self, value: Any) -> Any:
        return super().for_json(self._sorted(value))

    def for_primitive(self, value: Any) -> Any:
        return super().for_primitive(self._sorted(value))


class EmbeddedDocumentField(BaseField):
    """A document inside a document: a class, ``"self"``, or a class name."""

    _jsonschema_type = "object"

    def __init__(self, document_type: Any, **kwargs: Any) -> None:
        if not isinstance(document_type, str) and not hasattr(document_type, "_fields"):
            raise InvalidShield("EmbeddedDocumentField needs a document class or a class name")
        self._document_type = document_type
        super().__init__(**kwargs)

    @property
    def document_type(self) -> Any:
        """The document class, resolving ``"self"`` and class names on first use."""
        kind = self._document_type
        if isinstance(kind, str):
            if kind == RECURSIVE_REFERENCE_CONSTANT:
                kind = self.owner_document
            else:
                kind = _registry.resolve(kind, self.owner_document)
            if kind is None:
                raise InvalidShield(
                    f"unknown or ambiguous document class {self._document_type!r}"
                    " (name it as module.Class, or pass the class)"
                )
            self._document_type = kind
        return kind

    def coerce(self, value: Any) -> Any:
        if isinstance(value, dict):
            return self.document_type._from_dict(value)
        return value

    def problem(self, value: Any) -> str | None:
        if not isinstance(value, self.document_type):
            return "Invalid embedded document instance provided to an EmbeddedDocumentField"
        return None

    def check(self, value: Any, path: str, errors: list[ShieldException]) -> None:
        size = len(errors)
        super().check(value, path, errors)
        if len(errors) == size:
            value._check(path, errors)

    def for_python(self, value: Any) -> Any:
        return value.to_python()

    def for_json(self, value: Any) -> Any:
        return value.to_json(encode=False)

    def for_primitive(self, value: Any) -> Any:
        return value.to_primitive()


class MultiValueDictField(BaseField):
    """A :class:`MultiValueDict`; a plain dict is converted."""

    _jsonschema_type = "object"

    def __init__(self, basecls: Any = None, **kwargs: Any) -> None:
        self.basecls = basecls
        kwargs.setdefault("default", MultiValueDict)
        super().__init__(**kwargs)

    def coerce(self, value: Any) -> Any:
        if isinstance(value, dict) and not isinstance(value, MultiValueDict):
            return MultiValueDict(value)
        return value

    def problem(self, value: Any) -> str | None:
        if not isinstance(value, MultiValueDict):
            return "Only dictionaries may be used in a MultiValueDictField"
        return None

    def for_json(self, value: Any) -> Any:
        return dict(value.lists())
