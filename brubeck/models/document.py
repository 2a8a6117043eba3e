"""DictShield 0.4.4's documents on Python 3: ``Document`` (with an id) and
``EmbeddedDocument`` (without), their metaclass, serialization, the owner and
public views, and validation that reports every error with its path."""

from __future__ import annotations

import copy
import json
from typing import Any, ClassVar, TypeVar

import msgspec

from brubeck.errors import InvalidShield, ShieldDocException, ShieldException
from brubeck.models import _compile, _registry, _typed, jsonschema
from brubeck.models.fields import BaseField, UUIDField
from brubeck.models.views import SafeableMixin

__all__ = [
    "BaseDocument",
    "Document",
    "DocumentMetaclass",
    "EmbeddedDocument",
    "TopLevelDocumentMetaclass",
]

D = TypeVar("D", bound="BaseDocument")


class DocumentOptions:
    """What ``class Meta`` may set on an embedded document."""

    def __init__(self, parent: DocumentOptions | None = None) -> None:
        self.mixin = False


class TopLevelDocumentOptions(DocumentOptions):
    """What ``class Meta`` may set on a document; the id settings are inherited."""

    def __init__(self, parent: DocumentOptions | None = None) -> None:
        super().__init__(parent)
        self.id_field: type[BaseField] = getattr(parent, "id_field", UUIDField)
        self.id_options: dict[str, Any] = dict(getattr(parent, "id_options", {"uniq_field": "id"}))
        self.bucket: str | None = getattr(parent, "bucket", None)


class DocumentMetaclass(type):
    """Collects fields, reads ``Meta``, and names the class for ``_cls``/``_types``."""

    _options_class: ClassVar[type[DocumentOptions]] = DocumentOptions

    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> Any:
        meta = attrs.pop("Meta", None)
        klass: Any = super().__new__(mcs, name, bases, attrs)
        if attrs.get("_root"):
            return klass
        parent = next((b for b in bases if isinstance(b, DocumentMetaclass)), None)
        klass._options = options = mcs._options_class(getattr(parent, "_options", None))
        for key, value in vars(meta).items() if meta else ():
            if not key.startswith("_") and hasattr(options, key):  # unknown keys: ignored
                setattr(options, key, value)

        fields: dict[str, BaseField] = {}
        for base in reversed(klass.__mro__[1:]):
            fields.update(getattr(base, "_fields", {}))
        for attr, value in attrs.items():
            if isinstance(value, BaseField):
                if value.owner_document is not None:  # bound to another class already
                    value = copy.deepcopy(value)
                    if not value._uniq_given:
                        value.uniq_field = None
                    type.__setattr__(klass, attr, value)
                _bind(value, attr, klass)
                if value.uniq_field is None:
                    value.uniq_field = "_id" if value.id_field else attr
                fields[attr] = value
        klass._fields = fields
        mcs._add_id_field(klass, fields)
        mcs._name_class(klass, name)
        return klass

    @staticmethod
    def _add_id_field(klass: Any, fields: dict[str, BaseField]) -> None:
        """Embedded documents have no id."""

    @staticmethod
    def _name_class(klass: Any, name: str) -> None:
        ancestors = [
            c for c in klass.__mro__[1:] if "_class_name" in vars(c) and not c._options.mixin
        ]
        klass._superclasses = {c._class_name: c for c in ancestors}
        nearest = ancestors[0]._class_name + "." if ancestors else ""
        klass._class_name = nearest + name
        klass._types = [*reversed(list(klass._superclasses)), klass._class_name]
        keys: dict[str, str] = {}
        for attr, field in klass._fields.items():
            aliases = [attr, field.uniq_field or attr, field.minimized_field_name]
            if field.id_field or attr == "id":
                aliases.append("_id")  # DictShield maps a constructor's _id to the id
            for key in aliases:
                if key and keys.setdefault(key, attr) != attr:
                    raise InvalidShield(f"{name}: the key {key!r} names two fields")
        klass._input_keys = keys
        _registry.register(klass, name)


class TopLevelDocumentMetaclass(DocumentMetaclass):
    """A :class:`DocumentMetaclass` that gives every document an id field."""

    _options_class = TopLevelDocumentOptions

    @staticmethod
    def _add_id_field(klass: Any, fields: dict[str, BaseField]) -> None:
        if any(field.id_field for field in fields.values()) or "id" in fields:
            return
        options = klass._options
        id_options = {"uniq_field": "_id", **options.id_options}
        field = options.id_field(**id_options)
        field.field_name = "id"
        field.owner_document = klass
        fields["id"] = field
        klass.id = field


def _bind(field: BaseField, name: str, klass: Any) -> None:
    """Name a field and give it its class, and the fields inside it too (a
    ListField's items, a DictField's values), so ``"self"`` resolves there."""
    field.field_name = name
    field.owner_document = klass
    for inner in (*getattr(field, "fields", ()), getattr(field, "field", None)):
        if isinstance(inner, BaseField) and inner is not field:
            _bind(inner, name, klass)


def _is_empty(value: Any) -> bool:
    return value is None or (type(value) is str and not value)


class BaseDocument(SafeableMixin):
    """Shared instance API of documents."""

    _root = True
    _fields: ClassVar[dict[str, BaseField]]
    _options: ClassVar[DocumentOptions]
    _class_name: ClassVar[str]
    _superclasses: ClassVar[dict[str, type]]
    _types: ClassVar[list[str]]
    _input_keys: ClassVar[dict[str, str]]
    #: ``{"allow_inheritance": False}`` leaves ``_cls``/``_types`` out of ``to_python``.
    _meta: ClassVar[dict[str, Any]] = {}

    def __init__(self, **values: Any) -> None:
        """Set fields from keyword arguments (attribute names, serialized keys,
        minimized names, or ``_id`` for the id). Unknown names become plain
        attributes, as in DictShield, unless they would hide a class attribute."""
        keys = self._input_keys
        known: dict[str, Any] = {}
        for key, value in values.items():
            name = keys.get(key)
            if name is not None:
                known[name] = value
            elif not key.startswith("_") and not hasattr(type(self), key):
                object.__setattr__(self, key, value)
        self._data: dict[str, Any] = {}
        for name in self._fields:
            setattr(self, name, known.get(name))

    def __getattr__(self, name: str) -> Any:
        # Only for attributes not found otherwise: ``_data`` of a document the
        # typed decoder made lazily (it holds the checked wire struct), built now.
        if name == "_data":
            state = self.__dict__
            wire = state.get("_wire")
            if wire is not None:  # (kept: the reply compares the data with it)
                data: dict[str, Any] = state.setdefault("_data", _typed.materialize(self, wire))
                return data
        raise AttributeError(
            f"{type(self).__name__!r} object has no attribute {name!r}", name=name, obj=self
        )

    def __getstate__(self) -> dict[str, Any]:
        # copy, deepcopy and pickle see the built data, never the wire struct
        # (which a copy would otherwise share, and which does not pickle).
        self._data  # noqa: B018 - builds the data of a lazy document
        state = self.__dict__
        if "_wire" in state:
            state = {key: value for key, value in state.items() if key != "_wire"}
        return state

    @classmethod
    def _from_dict(cls: type[D], data: dict[str, Any]) -> D:
        """Build from untrusted data: known keys only, nothing else is touched."""
        doc = cls.__new__(cls)
        doc._data = {}
        keys, fields = cls._input_keys, cls._fields
        known = {keys[k]: v for k, v in data.items() if k in keys}
        for name, field in fields.items():
            field.__set__(doc, known.get(name))
        return doc

    # -- validation -----------------------------------------------------------

    def _check(self, path: str, errors: list[ShieldException]) -> None:
        for name, field in self._fields.items():
            self._check_field(name, field, f"{path}.{field.uniq_field or name}", errors)

    def _check_field(
        self, name: str, field: BaseField, path: str, errors: list[ShieldException]
    ) -> None:
        value = self._data.get(name)
        if value is None and field.default is not None:
            if not field.required:
                return  # absent and optional: its default is not input to check
            value = field.__get__(self)  # a default satisfies "required"
        if _is_empty(value):
            if field.required:
                errors.append(ShieldException("Required field missing", name, value, path))
            return
        field.check(value, path, errors)

    @classmethod
    def _build(
        cls: type[D],
        data: dict[str, Any],
        path: str,
        errors: list[ShieldException],
        index: int = -1,
    ) -> D:
        """Build and check from a dict, with this class's generated code."""
        doc: D = _compile.builder_for(cls)(data, path, errors, index)
        return doc

    def validate(self, validate_all: bool = False) -> bool:
        """Check every field; return True.

        Raises:
            ShieldException: The first error (each has ``.path``).
            ShieldDocException: With ``validate_all=True``, all of them.
        """
        errors: list[ShieldException] = []
        self._check("$", errors)
        if errors:
            if validate_all:
                raise ShieldDocException(self._class_name, errors)
            raise errors[0]
        return True

    @classmethod
    def from_primitive(cls: type[D], obj: Any) -> D:
        """Build a document from decoded data (a dict) and validate it.

        Unknown keys are ignored. Raises :class:`ShieldDocException` listing
        every error with its path.
        """
        if not isinstance(obj, dict):
            error = ShieldException("Expected an object", "", obj, "$")
            raise ShieldDocException(cls._class_name, [error])
        if type(obj) is not dict:  # a subclass may override get(); read it as the generic path does
            obj = dict(obj.items())
        errors: list[ShieldException] = []
        try:
            doc = cls._build(obj, "$", errors)
        except RecursionError:  # a deeply nested recursive model: a client error, not a crash
            error = ShieldException("Document nested too deeply", "", None, "$")
            raise ShieldDocException(cls._class_name, [error]) from None
        if errors:
            raise ShieldDocException(cls._class_name, errors)
        return doc

    @classmethod
    def from_json(cls: type[D], data: bytes | str) -> D:
        """Decode JSON and :meth:`from_primitive` it; malformed JSON is a
        :class:`ShieldDocException` too, with the error at ``$``."""
        # The class's typed decoder (_typed.decoder_for, without its call).
        checked: D | None = (cls.__dict__.get("_json_decoder") or _typed.build(cls)[0])(data)
        if checked is not None:
            return checked  # msgspec checked it in C; anything else: the generic path
        try:
            obj = msgspec.json.decode(data)
        except (msgspec.DecodeError, UnicodeError, RecursionError) as exc:
            error = ShieldException(f"Invalid JSON: {exc}", "", None, "$")
            raise ShieldDocException(cls._class_name, [error]) from None
        return cls.from_primitive(obj)

    @classmethod
    def _typed_from_json(cls: type[D], data: bytes | str) -> D | None:
        """The document, when the class's typed decoder (msgspec) accepts
        ``data``; None when it refuses or the class has none (then only the
        generic path can decide, and report)."""
        typed = _typed.decoder_for(cls)
        return None if typed is None else typed(data)

    @classmethod
    def _typed_accepts_json(cls, data: bytes | str) -> bool:
        """Whether the class's typed decoder accepts ``data`` (so
        :meth:`from_json` would), without building the document; False when
        it refuses or the class has none (only the generic path can tell)."""
        # The class's typed checker (_typed.checker_for, without its call).
        return (cls.__dict__.get("_json_checker") or _typed.build(cls)[1])(data)

    #: ``json.encode(doc.to_primitive())``, when the document came from the
    #: typed decoder and still holds what it checked (so it is valid as
    #: checked); None otherwise (``brubeck.handlers.typed``).
    _unchanged_json = _typed.unchanged_json

    # -- serialization --------------------------------------------------------

    def _serialize(self, method: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, field in self._fields.items():
            value = field.__get__(self)
            if value is not None:
                out[field.uniq_field or name] = getattr(field, method)(value)
        return out

    def _with_class(self, out: dict[str, Any]) -> dict[str, Any]:
        if self._meta.get("allow_inheritance", True):
            out["_cls"] = self._class_name
            out["_types"] = list(self._types)
        return out

    def to_python(self) -> dict[str, Any]:
        """A dict by serialized key, ``None`` values left out, with ``_cls`` and ``_types``."""
        return self._with_class(self._serialize("for_python"))

    def to_json(self, encode: bool = True, sort_keys: bool = False) -> Any:
        """:meth:`to_python` with JSON values; a JSON ``str`` unless ``encode=False``."""
        out = self._with_class(self._serialize("for_json"))
        if not encode:
            return out
        return msgspec.json.encode(out, order="sorted" if sort_keys else None).decode()

    def to_primitive(self) -> dict[str, Any]:
        """JSON-ready data for an API reply: UUIDs, datetimes and Decimals as
        text, ``None`` values and ``_cls``/``_types`` left out."""
        dump = type(self).__dict__.get("_dumper")  # dumper_for without its call, when built
        if dump is None:
            dump = _compile.dumper_for(type(self))
        return dump(self)

    # -- dict-like access -----------------------------------------------------

    def __iter__(self) -> Any:
        return iter(self._fields)

    def __getitem__(self, name: str) -> Any:
        if name not in self._fields:
            raise KeyError(name)
        return getattr(self, name)

    def __setitem__(self, name: str, value: Any) -> None:
        if name not in self._fields:
            raise KeyError(name)
        setattr(self, name, value)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._fields and getattr(self, name) is not None

    def __len__(self) -> int:
        return sum(1 for name in self._fields if getattr(self, name) is not None)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self._fields)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        values = {n: v for n in self._fields if (v := getattr(self, n)) is not None}
        return f"<{type(self).__name__}: {values}>"

    # -- JSON Schema ------------------------------------------------------------

    @classmethod
    def for_jsonschema(cls) -> dict[str, Any]:
        """DictShield's schema of the class, as a dict (see :mod:`brubeck.models.jsonschema`)."""
        return jsonschema.document_schema(cls)

    @classmethod
    def to_jsonschema(cls) -> str:
        """:meth:`for_jsonschema` as JSON text."""
        return json.dumps(cls.for_jsonschema())

    @classmethod
    def from_jsonschema(cls, schema: dict[str, Any] | str) -> Any:
        """A new subclass of this class, with the fields a DictShield schema describes."""
        return jsonschema.from_jsonschema(schema, cls)

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """A JSON Schema (draft 2020-12) of what :meth:`from_primitive` accepts."""
        return jsonschema.draft_2020_12(cls)

    @classmethod
    def _get_subclasses(cls) -> dict[str, type]:
        found: dict[str, type] = {}
        for sub in cls.__subclasses__():
            if "_class_name" in vars(sub):
                found[sub._class_name] = sub
            found.update(sub._get_subclasses())
        return found


class EmbeddedDocument(BaseDocument, metaclass=DocumentMetaclass):
    """A document without an id, stored inside another."""

    _root = True


class Document(BaseDocument, metaclass=TopLevelDocumentMetaclass):
    """A top-level document: it always has an id field (``Meta.id_field``,
    default :class:`UUIDField`, serialized as ``id``)."""

    _root = True
