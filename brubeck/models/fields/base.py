"""DictShield 0.4.4's scalar fields on Python 3.

A field is a descriptor: ``doc.name = value`` stores ``field.coerce(value)`` in
``doc._data``. Coercion never raises: a value it cannot convert is kept as it
is, and :meth:`BaseField.check` reports it, with its path, when the document
is validated. So one validation pass sees every error.
"""

from __future__ import annotations

import datetime
import decimal
import math
import re
import uuid
import warnings
from collections.abc import Callable
from typing import Any

from brubeck import _native
from brubeck.errors import InvalidShield, ShieldException

__all__ = [
    "BaseField",
    "BooleanField",
    "DateTimeField",
    "DecimalField",
    "DictField",
    "EmailField",
    "FloatField",
    "GeoPointField",
    "IntField",
    "LongField",
    "MD5Field",
    "NumberField",
    "SHA1Field",
    "StringField",
    "URLField",
    "UUIDField",
    "parse_datetime",
    "parse_uuid",
]


def _check_option(name: str, value: Any, kinds: tuple[type, ...]) -> Any:
    """Field options come from code or from JSON Schemas: refuse the wrong type
    when the field is declared, not while validating a request."""
    if value is not None and (type(value) is bool or not isinstance(value, kinds)):
        raise InvalidShield(f"{name} must be one of {[k.__name__ for k in kinds]}, not {value!r}")
    return value


_NUMBERS = (int, float, decimal.Decimal)

# 0.4's naive form plus an optional UTC offset (Z or +HH:MM).
# ASCII digits only: fromisoformat() refuses others anyway, and [0-9] runs in
# two thirds of the time of \d, which must look each character up in Unicode.
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]"
    r"(?:\.[0-9]{1,6})?(?:Z|[+-][0-9][0-9]:[0-9][0-9])?"
)


_CANONICAL_UUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_UUID = uuid.UUID
_SAFE_UNKNOWN = uuid.SafeUUID.unknown
_set = object.__setattr__


def parse_uuid(value: str) -> uuid.UUID | None:
    """``uuid.UUID(value)``, or None where that would raise ValueError.

    Canonical text (what clients send) skips ``UUID.__init__``'s general
    parsing: the same object, built the way ``__init__`` builds it (UUID's
    slots are ``int`` and ``is_safe``), in half the time.
    """
    if len(value) == 36 and _CANONICAL_UUID.fullmatch(value):
        made = object.__new__(_UUID)
        _set(made, "int", int(value.replace("-", ""), 16))
        _set(made, "is_safe", _SAFE_UNKNOWN)
        return made
    try:
        return _UUID(value)
    except ValueError:
        return None


# The shapes _DATETIME matches, with every ASCII digit written as 0: a text
# matches the pattern exactly when its UTF-8 bytes, digits turned to 0, are
# one of them (other bytes are kept, and no shape holds a non-ASCII byte).
_DIGITS_TO_0 = bytes(48 if 48 <= byte <= 57 else byte for byte in range(256))
_DATETIME_SHAPES = frozenset(
    ("0000-00-00T00:00:00" + fraction + zone).encode()
    for fraction in ("", *("." + "0" * n for n in range(1, 7)))
    for zone in ("", "Z", "+00:00", "-00:00")
)


_c_parse_datetime = _native.parse_datetime


def parse_datetime(value: str) -> datetime.datetime | None:
    """The datetime an ISO 8601 text (as ``_DATETIME`` has it) names, or None."""
    if _c_parse_datetime is not None:  # the usual text, naive or UTC, in one C call
        made = _c_parse_datetime(value)
        if made is not None:
            return made
    # The pattern's check (tests/models/test_fields.py), in less than half the time.
    if value.encode("utf-8", "surrogatepass").translate(_DIGITS_TO_0) in _DATETIME_SHAPES:
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


class BaseField:
    """A typed attribute of a document.

    Args:
        uniq_field: The key the value is serialized under (default: the
            attribute name; ``"_id"`` for an ``id_field``).
        field_name: Set by the document class to the attribute name.
        required: ``None`` and ``""`` count as missing.
        default: A value, or a callable returning one; used while the stored
            value is ``None`` (and then stored, so mutating it sticks).
        id_field: This field is the document's id (replaces the default ``id``).
        validation: A callable that must return a truthy value.
        choices: The allowed values.
        description: Shown in the JSON Schema.
        minimized_field_name: A short name, accepted by the constructor and
            used by the owner/public views.
    """

    _jsonschema_type: str | None = "any"

    def __init__(
        self,
        uniq_field: str | None = None,
        field_name: str | None = None,
        required: bool = False,
        default: Any = None,
        id_field: bool = False,
        validation: Callable[[Any], Any] | None = None,
        choices: Any = None,
        description: str | None = None,
        minimized_field_name: str | None = None,
    ) -> None:
        if validation is not None and not callable(validation):
            raise ValueError("validation argument must be a callable.")
        self.uniq_field = uniq_field
        self._uniq_given = uniq_field is not None  # else the class names it
        self.field_name = field_name
        self.required = required
        self.default = default
        self.id_field = id_field
        self.validation = validation
        self.choices = choices
        self.description = description
        self.minimized_field_name = minimized_field_name
        self.owner_document: type | None = None

    # -- descriptor -----------------------------------------------------------

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        name = self.field_name
        value = instance._data.get(name)
        if value is None and self.default is not None:
            value = self.default() if callable(self.default) else self.default
            instance._data[name] = value
        return value

    #: Whether ``""`` is a value of this type (strings) or means "missing" (the rest).
    _keeps_empty_text = False

    def __set__(self, instance: Any, value: Any) -> None:
        if value is None or (type(value) is str and not value and not self._keeps_empty_text):
            instance._data[self.field_name] = None  # "" is missing: stored as such
        else:
            instance._data[self.field_name] = self.coerce(value)

    # -- conversion -----------------------------------------------------------

    def coerce(self, value: Any) -> Any:
        """Convert a value being stored; return it unchanged if it will not convert."""
        return value

    def for_python(self, value: Any) -> Any:
        """The value in :meth:`Document.to_python` output."""
        return value

    def for_json(self, value: Any) -> Any:
        """The value in :meth:`Document.to_json` output (JSON types only)."""
        return value

    def for_primitive(self, value: Any) -> Any:
        """The value in :meth:`Document.to_primitive` output (JSON types only)."""
        return self.for_json(value)

    # -- validation -----------------------------------------------------------

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "validate" in cls.__dict__:  # a DictShield-style field that raises
            cls._raises = True

    #: True for subclasses that override :meth:`validate` instead of :meth:`problem`.
    _raises = False

    def check(self, value: Any, path: str, errors: list[ShieldException]) -> None:
        """Append an error for ``value`` (not empty) to ``errors``, if it has one.

        Nothing is raised on the way: problems are data until a caller wants
        an exception, which keeps invalid input cheap to reject.
        """
        try:
            reason = self._problem(value)
        except ShieldException as error:  # from a subclass's own validate()
            error.path = path
            errors.append(error)
            return
        except (ValueError, TypeError, AttributeError, AssertionError):
            reason = "Invalid value"
        if reason is not None:
            errors.append(ShieldException(reason, self.field_name or "", value, path))

    def _problem(self, value: Any) -> str | None:
        """Choices, then the ``validation`` callable, then the type's own rules."""
        if self.choices is not None and value not in self.choices:
            return f"Value must be one of {self.choices}."
        if self.validation is not None and not self.validation(value):
            return "Value does not match customvalidation method."
        if self._raises:
            self.validate(value)
            return None
        return self.problem(value)

    def _validate(self, value: Any) -> None:
        """Raise the first problem of ``value`` (choices and ``validation`` included)."""
        reason = self._problem(value)
        if reason is not None:
            raise ShieldException(reason, self.field_name or "", value)

    def problem(self, value: Any) -> str | None:
        """What is wrong with ``value`` for this type, or None. Subclasses override this."""
        return None

    def validate(self, value: Any) -> None:
        """Raise :class:`ShieldException` if ``value`` is not valid for this type
        (DictShield's API; subclasses may override it instead of :meth:`problem`)."""
        reason = self.problem(value)
        if reason is not None:
            raise ShieldException(reason, self.field_name or "", value)

    def for_jsonschema(self) -> dict[str, Any]:
        """The field's DictShield-style JSON Schema."""
        from brubeck.models.jsonschema import field_schema  # it imports the fields

        return field_schema(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.field_name or '(unbound)'}>"


class UUIDField(BaseField):
    """A UUID; text is parsed. ``auto_fill`` fills an empty value with ``uuid4()``."""

    _jsonschema_type = "string"

    def __init__(self, auto_fill: bool = False, **kwargs: Any) -> None:
        self.auto_fill = auto_fill
        super().__init__(**kwargs)

    def __set__(self, instance: Any, value: Any) -> None:
        if not value and self.auto_fill:
            value = uuid.uuid4()
        super().__set__(instance, value)

    def coerce(self, value: Any) -> Any:
        if isinstance(value, str):
            parsed = parse_uuid(value)
            return value if parsed is None else parsed
        return value

    def problem(self, value: Any) -> str | None:
        if not isinstance(value, uuid.UUID):
            return "Not a valid UUID value"
        return None

    def for_json(self, value: Any) -> Any:
        return str(value)


class StringField(BaseField):
    """Text, with optional ``regex`` (matched at the start), ``min_length`` and ``max_length``."""

    _jsonschema_type = "string"
    _keeps_empty_text = True

    def __init__(
        self,
        regex: str | None = None,
        max_length: int | None = None,
        min_length: int | None = None,
        **kwargs: Any,
    ) -> None:
        self.regex = re.compile(regex) if regex is not None else None
        self.max_length = _check_option("max_length", max_length, (int,))
        self.min_length = _check_option("min_length", min_length, (int,))
        super().__init__(**kwargs)

    def problem(self, value: Any) -> str | None:
        if not isinstance(value, str):
            return "Invalid value"
        if self.max_length is not None and len(value) > self.max_length:
            return "String value is too long"
        if self.min_length is not None and len(value) < self.min_length:
            return "String value is too short"
        if self.regex is not None and self.regex.match(value) is None:
            return "String value did not match validation regex"
        return None


# Django 1.3's patterns, which DictShield used: http(s) only, a TLD of 2-6
# letters, localhost, or an IPv4 address; an optional port and path.
_URL = re.compile(
    r"^https?://"
    r"(?:(?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\.)+[A-Z]{2,6}\.?|localhost|\d{1,3}(?:\.\d{1,3}){3})"
    r"(?::\d+)?(?:/?|[/?]\S+)\Z",  # \Z: "$" would also match before a final newline
    re.IGNORECASE,
)
_EMAIL = re.compile(
    r"(^[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*"
    r'|^"([\001-\010\013\014\016-\037!#-\[\]-\177]|\\[\001-011\013\014\016-\177])*")'
    r"@(?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\.)+[A-Z]{2,6}\.?\Z",
    re.IGNORECASE,
)


class URLField(StringField):
    """An http(s) URL. ``verify_exists`` is accepted and ignored, with a warning:
    fetching URLs from inside validation let clients make the server send
    requests (SSRF)."""

    def __init__(self, verify_exists: bool = False, **kwargs: Any) -> None:
        if verify_exists:
            warnings.warn(
                "URLField(verify_exists=True) is ignored: validation never makes network requests",
                UserWarning,
                stacklevel=2,
            )
        self.verify_exists = False
        super().__init__(**kwargs)

    def problem(self, value: Any) -> str | None:
        reason = super().problem(value)
        if reason is not None:
            return reason
        if not _URL.match(value):
            return "Invalid URL"
        return None


class EmailField(StringField):
    """An e-mail address."""

    def problem(self, value: Any) -> str | None:
        reason = super().problem(value)
        if reason is not None:
            return reason
        if not _EMAIL.match(value):
            return "Invalid email address"
        return None


class NumberField(BaseField):
    """A number of ``number_class``, with optional bounds.

    Coercion converts text (``"34"``) and, for integers, integral floats;
    booleans, fractional floats for integers, and non-finite floats are left
    as they are, so validation refuses them.
    """

    _jsonschema_type = "number"

    def __init__(
        self,
        number_class: type,
        number_type: str,
        min_value: Any = None,
        max_value: Any = None,
        **kwargs: Any,
    ) -> None:
        self.number_class = number_class
        self.number_type = number_type
        self.min_value = _check_option("min_value", min_value, _NUMBERS)
        self.max_value = _check_option("max_value", max_value, _NUMBERS)
        super().__init__(**kwargs)

    def coerce(self, value: Any) -> Any:
        kind = type(value)
        if kind is self.number_class or kind is bool:
            return value
        try:
            number = self.number_class(value)
        except (TypeError, ValueError, OverflowError):
            return value
        if isinstance(number, float) and not math.isfinite(number):
            return value
        if kind is not str and number != value and self.number_class is not float:
            return value  # 34.7 or Decimal("34.7") is not an integer; floats round, as in JSON
        return number

    def problem(self, value: Any) -> str | None:
        if type(value) is bool or not isinstance(value, self.number_class):
            return f"Not {self.number_type}"
        if isinstance(value, float) and not math.isfinite(value):
            return f"Not {self.number_type}"
        if self.min_value is not None and value < self.min_value:
            return f"{self.number_type} value below min_value: {self.min_value}"
        if self.max_value is not None and value > self.max_value:
            return f"{self.number_type} value above max_value: {self.max_value}"
        return None


class IntField(NumberField):
    """An integer."""

    _jsonschema_type = "integer"

    def __init__(self, min_value: Any = None, max_value: Any = None, **kwargs: Any) -> None:
        super().__init__(int, "Int", min_value, max_value, **kwargs)


class LongField(NumberField):
    """An integer (Python 3 has one integer type; kept for DictShield models)."""

    _jsonschema_type = "integer"

    def __init__(self, min_value: Any = None, max_value: Any = None, **kwargs: Any) -> None:
        super().__init__(int, "Long", min_value, max_value, **kwargs)


class FloatField(NumberField):
    """A finite float; integers are accepted and converted."""

    def __init__(self, min_value: Any = None, max_value: Any = None, **kwargs: Any) -> None:
        super().__init__(float, "Float", min_value, max_value, **kwargs)


class DecimalField(BaseField):
    """A :class:`decimal.Decimal`; numbers and text are converted."""

    _jsonschema_type = "number"

    def __init__(self, min_value: Any = None, max_value: Any = None, **kwargs: Any) -> None:
        self.min_value = _check_option("min_value", min_value, _NUMBERS)
        self.max_value = _check_option("max_value", max_value, _NUMBERS)
        super().__init__(**kwargs)

    def coerce(self, value: Any) -> Any:
        if isinstance(value, decimal.Decimal) or not isinstance(value, int | float | str):
            return value  # a list would be read as a (sign, digits, exponent) tuple
        if type(value) is bool:
            return value
        try:
            number = decimal.Decimal(str(value) if isinstance(value, float) else value)
        except (ArithmeticError, TypeError, ValueError):
            return value
        return number if number.is_finite() else value

    def problem(self, value: Any) -> str | None:
        if not isinstance(value, decimal.Decimal) or not value.is_finite():
            return "Could not convert to decimal"
        if self.min_value is not None and value < self.min_value:
            return f"Decimal value below min_value: {self.min_value}"
        if self.max_value is not None and value > self.max_value:
            return f"Decimal value above max_value: {self.max_value}"
        return None

    def for_json(self, value: Any) -> Any:
        return str(value)


class _HashField(StringField):
    hash_length = 0
    hash_name = ""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_length", self.hash_length)
        kwargs.setdefault("max_length", self.hash_length)
        super().__init__(**kwargs)

    def problem(self, value: Any) -> str | None:
        if not isinstance(value, str):
            return "Invalid value"
        if len(value) != self.hash_length:
            return f"{self.hash_name} value is wrong length"
        if not re.fullmatch(r"[0-9a-fA-F]*", value):
            return f"{self.hash_name} value is not hex"
        return None


class MD5Field(_HashField):
    """A hex MD5 digest (32 characters)."""

    hash_length = 32
    hash_name = "MD5"


class SHA1Field(_HashField):
    """A hex SHA-1 digest (40 characters)."""

    hash_length = 40
    hash_name = "SHA1"


class BooleanField(BaseField):
    """``True`` or ``False`` (nothing else: not 0, 1 or ``"true"``)."""

    _jsonschema_type = "boolean"

    def problem(self, value: Any) -> str | None:
        if not isinstance(value, bool):
            return "Not a boolean"
        return None


class DateTimeField(BaseField):
    """A datetime. Text in ISO 8601 is parsed (``YYYY-MM-DDTHH:MM:SS[.ffffff]``
    with an optional ``Z`` or ``+HH:MM``; an offset gives an aware datetime).

    Args:
        format: How :meth:`for_json` renders it: a ``strftime`` pattern or a
            callable; default ISO 8601, with the offset when there is one.
    """

    _jsonschema_type = "string"

    def __init__(
        self, format: str | Callable[[datetime.datetime], str] | None = None, **kwargs: Any
    ) -> None:
        self.format = format
        super().__init__(**kwargs)

    def coerce(self, value: Any) -> Any:
        if isinstance(value, str):
            parsed = parse_datetime(value)
            return value if parsed is None else parsed
        return value

    def problem(self, value: Any) -> str | None:
        if not isinstance(value, datetime.datetime):
            return "Not a datetime"
        return None

    def for_json(self, value: Any) -> Any:
        if self.format is None:
            return value.isoformat()
        if callable(self.format):
            return self.format(value)
        return value.strftime(self.format)


class DictField(BaseField):
    """A dict with keys free of ``.`` and ``$`` (MongoDB's rule). ``field``, if
    given, validates every value (``DictField(field=StringField())``)."""

    _jsonschema_type = "object"

    def __init__(self, basecls: Any = None, field: BaseField | None = None, **kwargs: Any) -> None:
        self.basecls = basecls
        self.field = field
        kwargs.setdefault("default", dict)
        super().__init__(**kwargs)

    def coerce(self, value: Any) -> Any:
        if self.field is not None and type(value) is dict:
            coerce = self.field.coerce
            return {k: item if item is None else coerce(item) for k, item in value.items()}
        return value

    def check(self, value: Any, path: str, errors: list[ShieldException]) -> None:
        size = len(errors)
        super().check(value, path, errors)
        if self.field is not None and len(errors) == size:
            for key, item in value.items():
                item_path = f"{path}.{key}"
                if item is None:
                    errors.append(ShieldException("Invalid value", key, item, item_path))
                else:
                    self.field.check(item, item_path, errors)

    def _values(self, value: Any, method: str) -> Any:
        if self.field is None:
            return value
        convert = getattr(self.field, method)
        return {k: item if item is None else convert(item) for k, item in value.items()}

    def for_python(self, value: Any) -> Any:
        return self._values(value, "for_python")

    def for_json(self, value: Any) -> Any:
        return self._values(value, "for_json")

    def for_primitive(self, value: Any) -> Any:
        return self._values(value, "for_primitive")

    def problem(self, value: Any) -> str | None:
        if not isinstance(value, dict):
            return "Only dictionaries may be used in a DictField"
        for key in value:
            if not isinstance(key, str) or "." in key or "$" in key:
                return f"Invalid dictionary key name - {key}"
        return None


class GeoPointField(BaseField):
    """A point: two numbers, as a list, a tuple or a dict of two values."""

    _jsonschema_type = "array"

    def problem(self, value: Any) -> str | None:
        if not isinstance(value, list | tuple | dict):
            return "GeoPointField can only accept tuples, lists, or dicts"
        if len(value) != 2:
            return "Value must be a two-dimensional point"
        points = value.values() if isinstance(value, dict) else value
        if not all(isinstance(p, int | float) and not isinstance(p, bool) for p in points):
            return "Both values in point must be float or int"
        return None
