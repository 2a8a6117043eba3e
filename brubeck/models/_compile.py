"""Generated per-class code for building, validating and serializing documents.

The generic path (:meth:`BaseDocument._from_dict` then ``_check``) defines
the semantics, one field object at a time. This module writes, for each
document class, one Python function that does the same work inline:

* for each field, a *fast condition* that holds only when the generic path
  would store the value as given and find nothing wrong with it (the exact
  type, within its bounds); the value is then stored directly;
* otherwise, that field alone goes through the generic path (coercion, then
  ``field.check``), so reasons and paths of errors are the generic ones.

Fields without a fast condition (custom ``validation`` callables, decimals,
hashes, ...) always take the generic path: correct, just not faster.
``tests/models/test_compile.py`` checks generated and generic results agree.
"""

from __future__ import annotations

import datetime
import math
import uuid
from collections.abc import Callable
from typing import Any

import msgspec

from brubeck import _native
from brubeck.errors import ShieldException
from brubeck.models import fields as f
from brubeck.models.fields.base import _EMAIL, _URL, parse_datetime, parse_uuid

__all__ = ["builder", "primitive_dumper"]

Builder = Callable[..., Any]  # (data, path, errors, index=-1) -> document


def _member(value: Any, choices: Any) -> bool:
    """``value in choices``; False where that raises (an unhashable value), so
    the generic path reports it."""
    try:
        return value in choices
    except TypeError:
        return False


def _literal(value: Any, ns: dict[str, Any], name: str) -> str:
    """Source text for a constant: a literal for plain numbers, else a global."""
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return repr(value)
    ns[name] = value
    return name


def _bounds(var: str, low: Any, high: Any, ns: dict[str, Any], tag: str) -> list[str]:
    """One chained comparison (``var`` evaluated once), or nothing."""
    if low is not None and high is not None:
        return [f"{_literal(low, ns, '_lo' + tag)} <= {var} <= {_literal(high, ns, '_hi' + tag)}"]
    if low is not None:
        return [f"{var} >= {_literal(low, ns, '_lo' + tag)}"]
    if high is not None:
        return [f"{var} <= {_literal(high, ns, '_hi' + tag)}"]
    return []


Condition = tuple[list[str], str]  # (parts joined by "and", the value to store)


def _string(field: Any, var: str, ns: dict[str, Any], tag: str) -> Condition | None:
    parts = [f"type({var}) is str", var]  # "" is empty: the generic path decides
    parts += _bounds(f"len({var})", field.min_length, field.max_length, ns, tag)
    if field.regex is not None:
        ns[f"_rx{tag}"] = field.regex.match
        parts.append(f"_rx{tag}({var}) is not None")
    if type(field) in _FORMAT_PATTERNS:
        ns[f"_fmt{tag}"] = _FORMAT_PATTERNS[type(field)].match
        parts.append(f"_fmt{tag}({var}) is not None")
    return parts, var


def _integer(field: Any, var: str, ns: dict[str, Any], tag: str) -> Condition | None:
    return [f"type({var}) is int", *_bounds(var, field.min_value, field.max_value, ns, tag)], var


def _float(field: Any, var: str, ns: dict[str, Any], tag: str) -> Condition | None:
    parts = [f"type({var}) is float", f"{var} - {var} == 0.0"]  # false for NaN and +-inf
    return [*parts, *_bounds(var, field.min_value, field.max_value, ns, tag)], var


def _boolean(field: Any, var: str, ns: dict[str, Any], tag: str) -> Condition | None:
    return [f"({var} is True or {var} is False)"], var


def _parsed(parser: str) -> Callable[[Any, str, dict[str, Any], str], Condition | None]:
    def condition(field: Any, var: str, ns: dict[str, Any], tag: str) -> Condition | None:
        return [f"type({var}) is str", f"(_u{tag} := {parser}({var})) is not None"], f"_u{tag}"

    return condition


def _dict(field: Any, var: str, ns: dict[str, Any], tag: str) -> Condition | None:
    check = "type(_k) is str and '.' not in _k and '$' not in _k"
    if field.field is not None:
        item = fast_condition(field.field, "_x", ns, tag + "i")
        if item is None or item[1] != "_x":
            return None
        check += f" and {item[0]}"
    return [f"type({var}) is dict", f"all({check} for _k, _x in {var}.items())"], var


def _list(field: Any, var: str, ns: dict[str, Any], tag: str) -> Condition | None:
    if field.field is None:
        return None
    item = fast_condition(field.field, "_x", ns, tag + "i")
    if item is None or item[1] != "_x":
        return None
    parts = [f"type({var}) is list"]
    parts += _bounds(f"len({var})", field.min_length, field.max_length, ns, tag)
    return [*parts, f"all({item[0]} for _x in {var})"], f"list({var})"


_CONDITIONS: dict[type, Callable[[Any, str, dict[str, Any], str], Condition | None]] = {
    f.StringField: _string,
    f.EmailField: _string,
    f.URLField: _string,
    f.IntField: _integer,
    f.LongField: _integer,
    f.FloatField: _float,
    f.BooleanField: _boolean,
    f.UUIDField: _parsed("_uuid"),
    f.DateTimeField: _parsed("_datetime"),
    f.DictField: _dict,
    f.ListField: _list,
}
_FORMAT_PATTERNS = {f.EmailField: _EMAIL, f.URLField: _URL}


def fast_condition(
    field: f.BaseField, var: str, ns: dict[str, Any], tag: str
) -> tuple[str, str] | None:
    """``(condition, value)`` expressions over ``var``, or None for no fast path.

    The condition holds only when the generic path would store ``value`` and
    report nothing; exact types only, so no coercion is ever needed.
    """
    make = _CONDITIONS.get(type(field))
    if make is None or field.validation is not None:
        return None
    made = make(field, var, ns, tag)
    if made is None:
        return None
    parts, value = made
    if field.choices is not None:  # against the stored value, as the generic check does
        ns[f"_ch{tag}"] = field.choices
        ns["_member"] = _member
        parts.append(f"_member({value}, _ch{tag})")
    return " and ".join(parts), value


def builder(cls: Any) -> Builder:
    """Generate ``build(data, path, errors) -> document`` for ``cls``."""
    ns: dict[str, Any] = {
        "_cls": cls,
        "_new": object.__new__,
        "_uuid": parse_uuid,
        "_datetime": parse_datetime,
        "_generic": _generic_build,
        "_slow": _slow_field,
        "_items": _document_items,
        "_builder_for": builder_for,
        "_at": _at,
    }
    alternatives = sorted(k for k, name in cls._input_keys.items() if k != _key(cls, name))
    # ``index`` (a list position) is added to ``path`` only when an error needs it.
    lines = ["def build(data, path, errors, index=-1):"]
    if alternatives:  # unusual keys (_id, minimized names): the generic path maps them
        ns["_alt"] = frozenset(alternatives)
        generic = "_generic(_cls, data, _at(path, index), errors)"
        lines.append(f"    if not _alt.isdisjoint(data): return {generic}")
    lines += ["    doc = _new(_cls)", "    d = doc._data = {}", "    get = data.get"]
    for index, (name, field) in enumerate(cls._fields.items()):
        ns[f"_f{index}"] = field
        lines += _field_lines(cls, index, name, field, ns)
    lines.append("    return doc")
    source = "\n".join(lines)
    exec(source, ns)  # noqa: S102 - our own generated source
    built: Builder = ns["build"]
    built.__source__ = source  # type: ignore[attr-defined]  # for debugging
    return built


def _key(cls: Any, name: str) -> str:
    field = cls._fields[name]
    return field.uniq_field or name


def _field_lines(
    cls: Any, index: int, name: str, field: f.BaseField, ns: dict[str, Any]
) -> list[str]:
    key = field.uniq_field or name
    here = f"_at(path, index) + {'.' + key!r}"
    slow = f"_slow(doc, _f{index}, {name!r}, v, {here}, errors)"
    lines = [f"    v = get({key!r})", "    if v is None:"]
    if field.required or getattr(field, "auto_fill", False):
        lines.append(f"        {slow}")  # an error, or a generated id
    else:
        lines.append(f"        d[{name!r}] = None")
    embedded = _embedded_target(field)
    condition = fast_condition(field, "v", ns, str(index))
    if embedded is not None:
        ns[f"_e{index}"] = embedded
        if isinstance(field, f.EmbeddedDocumentField):
            lines.append("    elif type(v) is dict:")
            call = f"_builder_for(_e{index})(v, {here}, errors)"
            lines.append(f"        d[{name!r}] = {call}")
        else:
            assert isinstance(field, f.ListField)
            parts = [
                "type(v) is list",
                *_bounds("len(v)", field.min_length, field.max_length, ns, str(index)),
            ]
            lines.append(f"    elif {' and '.join(parts)}:")
            call = f"_items(_e{index}, _f{index}.field, v, {here}, errors)"
            lines.append(f"        d[{name!r}] = {call}")
    elif condition is not None:
        lines.append(f"    elif {condition[0]}:")
        lines.append(f"        d[{name!r}] = {condition[1]}")
    lines += ["    else:", f"        {slow}"]
    return lines


def _embedded_target(field: f.BaseField) -> Any:
    """The document class a field holds directly or as list items, if any."""
    if field.validation is not None or field.choices is not None:
        return None
    if type(field) is f.EmbeddedDocumentField:
        return field.document_type
    if type(field) is f.ListField and type(field.field) is f.EmbeddedDocumentField:
        inner = field.field
        if inner.validation is None and inner.choices is None:
            return inner.document_type
    return None


def builder_for(cls: Any) -> Builder:
    """The class's generated builder, generated on first use and kept on the class."""
    build: Builder | None = cls.__dict__.get("_builder")
    if build is None:
        build = builder(cls)
        type.__setattr__(cls, "_builder", build)
    return build


def _generic_build(cls: Any, data: dict[str, Any], path: str, errors: list[ShieldException]) -> Any:
    doc = cls._from_dict(data)
    doc._check(path, errors)
    return doc


def _slow_field(
    doc: Any, field: f.BaseField, name: str, raw: Any, path: str, errors: list[ShieldException]
) -> None:
    """The generic path for one field: store as ``__set__`` does, then check."""
    field.__set__(doc, raw)
    doc._check_field(name, field, path, errors)


def _document_items(
    kind: Any, item_field: f.BaseField, items: list[Any], path: str, errors: list[ShieldException]
) -> list[Any]:
    out = []
    build = builder_for(kind)
    for index, item in enumerate(items):
        if type(item) is dict:
            out.append(build(item, path, errors, index))
        else:
            value = None if item is None else item_field.coerce(item)
            item_field.check(value, f"{path}[{index}]", errors)
            out.append(value)
    return out


def _at(path: str, index: int) -> str:
    """A document's path: its list position appended, if it has one."""
    return path if index < 0 else f"{path}[{index}]"


# -- serialization ------------------------------------------------------------


def dumper_for(cls: Any) -> Callable[[Any], dict[str, Any]]:
    """The class's generated dumper, generated on first use and kept on the class."""
    dump: Callable[[Any], dict[str, Any]] | None = cls.__dict__.get("_dumper")
    if dump is None:
        dump = primitive_dumper(cls)
        type.__setattr__(cls, "_dumper", dump)
    return dump


def _dump_documents(kind: Any, items: list[Any]) -> list[Any]:
    """A list of documents: the item class's dumper directly; subclasses their own."""
    dump = dumper_for(kind)
    return [dump(item) if type(item) is kind else item.to_primitive() for item in items]


# str(uuid) and datetime.isoformat() are the slowest steps of a dump; msgspec
# writes the same text in C. Its output differs from isoformat() only for
# aware datetimes ("Z" for UTC, offsets rounded to the minute), so UTC gets
# its "+00:00" back and other offsets keep isoformat().
_encode_json = msgspec.json.Encoder().encode
_UTC = datetime.UTC
_c_datetime_text = _native.datetime_text


def _uuid_text(value: Any) -> str:
    """``str(value)`` for a UUID, about twice as fast."""
    return _encode_json(value)[1:-1].decode("ascii")


def _datetime_text(value: Any) -> str:
    """``value.isoformat()``, faster for naive and UTC datetimes."""
    if _c_datetime_text is not None:  # an exact datetime, naive or UTC, in one C call
        text = _c_datetime_text(value)
        if text is not None:
            return text
    zone = value.tzinfo
    if zone is None:
        return _encode_json(value)[1:-1].decode("ascii")
    if zone is _UTC:
        return _encode_json(value)[1:-2].decode("ascii") + "+00:00"
    return str(value.isoformat())


def primitive_dumper(cls: Any) -> Callable[[Any], dict[str, Any]]:
    """Generate ``dump(doc) -> dict``, the same as the generic ``to_primitive``."""
    ns: dict[str, Any] = {
        "_dump_documents": _dump_documents,
        "_uuid_text": _uuid_text,
        "_datetime_text": _datetime_text,
        "_UUID": uuid.UUID,
        "_DATETIME": datetime.datetime,
    }
    lines = ["def dump(doc):", "    d = doc._data", "    out = {}"]
    for index, (name, field) in enumerate(cls._fields.items()):
        ns[f"_f{index}"] = field
        key = field.uniq_field or name
        lines.append(f"    v = d.get({name!r})")
        if field.default is not None and not callable(field.default):
            ns[f"_default{index}"] = field.default  # stored on first read, as __get__ does
            lines += ["    if v is None:", f"        v = d[{name!r}] = _default{index}"]
        elif field.default is not None:
            lines += ["    if v is None:", f"        v = _f{index}.__get__(doc)"]
        if isinstance(field, f.ListField) and type(field.field) is f.EmbeddedDocumentField:
            ns[f"_k{index}"] = field.field.document_type
        lines += ["    if v is not None:", f"        out[{key!r}] = {_dump_expr(field, index)}"]
    lines.append("    return out")
    exec("\n".join(lines), ns)  # noqa: S102 - our own generated source
    dump: Callable[[Any], dict[str, Any]] = ns["dump"]
    return dump


def _dump_expr(field: f.BaseField | None, index: int) -> str:
    if field is None:
        return "v"
    kind = type(field)
    if kind in (f.StringField, f.EmailField, f.URLField, f.IntField, f.LongField, f.FloatField):
        return "v"
    if kind in (f.BooleanField, f.BaseField):
        return "v"
    if kind is f.DictField and _dump_expr(field.field, index) == "v":  # type: ignore[attr-defined]
        return "dict(v)"  # a copy: changing the output must not change the document
    if kind is f.ListField and type(field.field) is f.EmbeddedDocumentField:  # type: ignore[attr-defined]
        return f"_dump_documents(_k{index}, v)"
    if kind is f.UUIDField:
        return "(_uuid_text(v) if type(v) is _UUID else str(v))"
    if kind is f.DateTimeField and field.format is None:  # type: ignore[attr-defined]
        return "(_datetime_text(v) if type(v) is _DATETIME else v.isoformat())"
    if kind is f.EmbeddedDocumentField:
        return "v.to_primitive()"
    return f"_f{index}.for_primitive(v)"
