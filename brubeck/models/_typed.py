"""A typed msgspec decoder for ``from_json``: validation in C on the happy path.

For a document class whose every field msgspec can check *exactly as the
generic path does* (types, lengths, bounds, anchored patterns, string choices,
nested documents), this builds a ``msgspec.Struct`` and a small converter to
the document. Datetimes and UUIDs travel as constrained text and are converted
in Python, like the generic path does. Whenever msgspec refuses the input, or
anything is in doubt (an alternative key, a required field with a default, a
value to convert), the typed decoder answers None and ``from_json`` takes the
generic path, which also produces the errors. So it can only ever accept what
the generic path accepts, with the same values (``tests/models/test_typed.py``).

The same struct also gives a *checker* (:func:`checker_for`): whether data
is valid, without building the document (only the checks that run in Python,
datetimes and dict keys, run on the decoded struct). A typed reply is checked
that way (``brubeck.handlers.typed``): half the cost of decoding it again.

The decoder's document is *lazy*: it keeps the checked struct and builds its
data on first use (:func:`materialize`, from ``BaseDocument.__getattr__``).
Until then nobody holds its values, so it is still valid as checked, and its
JSON can be written from the struct (:func:`unchanged_json`: a generated
``reply(s)`` replaces, in a copy, what ``to_primitive`` writes differently),
the bytes the general path would send (``tests/models/test_typed.py``).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, Literal

import msgspec

from brubeck.models import fields as f
from brubeck.models._compile import _datetime_text
from brubeck.models.fields.base import _EMAIL, _URL, parse_datetime

__all__ = ["build", "checker_for", "decoder_for", "materialize", "unchanged_json"]

Decode = Callable[[bytes | str], Any]
Check = Callable[[bytes | str], bool]
Reply = Callable[[Any], Any]
_UNSET = msgspec.UNSET
_replace = msgspec.structs.replace
_encode_json = msgspec.json.Encoder().encode
# What msgspec raises for data it refuses (the generic path then decides).
_REFUSED = (msgspec.ValidationError, msgspec.DecodeError, RecursionError, UnicodeError)


class _Unsupported(Exception):
    """A field msgspec cannot check exactly as the generic path does."""


class _NoReply(Exception):
    """A field whose JSON the wire struct cannot write exactly as ``to_primitive`` does."""


def _as_is(wire: Any) -> Any:
    """The reply of a class whose wire struct already encodes as its documents do."""
    return wire


def decoder_for(cls: Any) -> Decode | None:
    """The class's typed decoder (None if it has none), built on first use."""
    decode = cls.__dict__.get("_json_decoder") or build(cls)[0]
    return None if decode is _refused else decode


def checker_for(cls: Any) -> Check | None:
    """The class's typed checker (None if it has none), built on first use:
    ``check(data)`` is True when the typed decoder would accept ``data``
    (so the generic path would too), False when only the generic path can tell."""
    check = cls.__dict__.get("_json_checker") or build(cls)[1]
    return None if check is _refused_check else check


def build(cls: Any) -> tuple[Decode, Check]:
    """Build and keep on the class (``_json_decoder``, ``_json_checker``) its
    typed decoder and checker; a class without them keeps two that refuse
    everything, so callers that read the slots directly always find a callable.

    The decoder answers a *lazy* document: it holds the checked wire struct
    and builds its data on first use (:func:`materialize`); until then its
    JSON is the struct's (:func:`unchanged_json`), with no document built."""
    decode: Decode
    checker: Check
    reply: Reply | None = None
    convert: Callable[[Any], Any] | None = None
    try:
        struct, convert, check, reply = _compile(cls, ())
        decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(struct)
    except (_Unsupported, TypeError, ValueError):  # msgspec refused a type: no decoder
        decode, checker = _refused, _refused_check
    else:
        checker = _checker(decoder, check)
        decode = _decoder(cls, decoder, check) if _may_be_lazy(cls) else _eager(decoder, convert)
    type.__setattr__(cls, "_wire_convert", convert)
    type.__setattr__(cls, "_wire_reply", reply)
    type.__setattr__(cls, "_json_decoder", decode)
    type.__setattr__(cls, "_json_checker", checker)
    return decode, checker


def materialize(doc: Any, wire: Any) -> dict[str, Any]:
    """The data of a lazy document (from its class's typed decoder), built
    now from its checked wire struct, exactly as the eager converter builds it."""
    built = type(doc).__dict__["_wire_convert"](wire)
    if built is None:  # the checker accepted it, so every conversion succeeds
        raise RuntimeError(f"{type(doc).__name__}: a checked wire struct failed to convert")
    data: dict[str, Any] = built._data
    return data


def unchanged_json(doc: Any) -> bytes | None:
    """``json.encode(doc.to_primitive())`` for a document from its class's
    typed decoder that still holds what was checked (so it is still valid),
    written from the wire struct; None for any other document.

    Until its data is built, no one holds its values, so they are the
    checked ones; once built, the data is compared with the struct
    (``same``, generated per class). Only what ``to_primitive`` writes
    differently from the struct (datetimes, defaults, nulls) is replaced in
    a copy."""
    state = doc.__dict__
    wire = state.get("_wire")
    if wire is None:
        return None
    cls = type(doc)
    reply: Reply | None = cls.__dict__.get("_wire_reply")
    if reply is None:
        return None
    data = state.get("_data")
    if data is not None:
        same = cls.__dict__.get("_wire_same")
        if same is None or not same(data, wire):
            return None
    out = reply(wire)
    if out is None:
        return None
    try:
        return _encode_json(out)
    except (TypeError, ValueError, RecursionError, msgspec.MsgspecError):
        return None  # the generic path decides (and reports)


def _refused(data: bytes | str) -> None:
    """The decoder of a class without one: the generic path decides."""
    return None


def _refused_check(data: bytes | str) -> bool:
    """The checker of a class without one: only the generic path can tell."""
    return False


def _may_be_lazy(cls: Any) -> bool:
    """Whether the class builds a lazy document's data as BaseDocument does
    (a class with its own ``__getattr__``, ``__getstate__`` or
    ``__setattr__`` gets documents built at once)."""
    from brubeck.models.document import BaseDocument

    return all(
        getattr(cls, name) is getattr(BaseDocument, name)
        for name in ("__getattr__", "__getstate__", "__setattr__")
    )


def _eager(decoder: msgspec.json.Decoder[Any], convert: Callable[[Any], Any]) -> Decode:
    def decode(data: bytes | str) -> Any:
        try:
            return convert(decoder.decode(data))
        except _REFUSED:
            return None  # the generic path decides, and reports

    return decode


def _decoder(
    cls: Any, decoder: msgspec.json.Decoder[Any], check: Callable[[Any], Any] | None
) -> Decode:
    new = object.__new__

    def decode(data: bytes | str) -> Any:
        try:
            wire = decoder.decode(data)
        except _REFUSED:
            return None  # the generic path decides, and reports
        if check is not None and check(wire) is None:
            return None
        doc = new(cls)
        doc._wire = wire  # its data is built on first use (BaseDocument.__getattr__)
        return doc

    return decode


def _checker(decoder: msgspec.json.Decoder[Any], check: Callable[[Any], Any] | None) -> Check:
    def check_all(data: bytes | str) -> bool:
        try:
            wire = decoder.decode(data)
        except _REFUSED:
            return False
        return check is None or check(wire) is not None

    return check_all


def _compile(
    cls: Any, open_classes: tuple[Any, ...]
) -> tuple[type, Callable[[Any], Any], Callable[[Any], Any] | None, Reply | None]:
    """The wire struct of ``cls``, its converter to the document (None when
    it refuses), its checker (None when it refuses; the checker itself
    is None when msgspec checks everything, so there is nothing to run), and
    its reply (:func:`_reply_source`; None when the struct cannot write what
    ``to_primitive`` writes)."""
    if cls in open_classes:
        raise _Unsupported("recursive documents")
    ns: dict[str, Any] = {
        "_new": object.__new__,
        "_cls": cls,
        "_UNSET": _UNSET,
        "_replace": _replace,
        "_each": _each,
    }
    struct_fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    rename: dict[str, str] = {}
    lines = ["def convert(s):"]
    checks = ["def check(s):"]
    alternatives: list[tuple[str, Any, Any]] = []
    canonical = {field.uniq_field or name for name, field in cls._fields.items()}
    for position, key in enumerate(sorted(set(cls._input_keys) - canonical)):
        alternatives.append((f"a{position}", Any, _UNSET))  # present: the generic path maps it
        rename[f"a{position}"] = key
        lines.append(f"    if s.a{position} is not _UNSET: return None")
        checks.append(f"    if s.a{position} is not _UNSET: return None")
    direct: list[str] = []  # required, stored as decoded: one dict display
    later: list[str] = []
    for index, (name, field) in enumerate(cls._fields.items()):
        kind, post, checked = _field_type(field, ns, index, (*open_classes, cls))
        rename[f"f{index}"] = field.uniq_field or name
        if field.required:
            # Missing or null: msgspec refuses it, and the generic path reports it.
            struct_fields.append((f"f{index}", kind))
            if post:
                later += [f"    v = {post}(s.f{index})", "    if v is None: return None"]
                later.append(f"    d[{name!r}] = v")
            else:
                direct.append(f"{name!r}: s.f{index}")
            if checked:
                checks.append(f"    if {checked}(s.f{index}) is None: return None")
        else:
            struct_fields.append((f"f{index}", kind | None | msgspec.UnsetType, _UNSET))
            later += _convert_lines(name, field, index, post)
            if checked:
                checks += [
                    f"    v = s.f{index}",
                    f"    if v is not _UNSET and v is not None and {checked}(v) is None:",
                    "        return None",
                ]
    lines += ["    d = {" + ", ".join(direct) + "}", *later]
    lines += ["    doc = _new(_cls)", "    doc._data = d", "    return doc"]
    trivial = len(checks) == 1
    checks.append("    return True")
    replies = _reply_source(cls, ns)
    sames = _same_source(cls, ns)
    source = "\n".join([*lines, *checks, *(replies or ()), *(sames or ())])
    exec(source, ns)  # noqa: S102 - our own generated source
    # Keyword-only, so the fields keep the document's order: the struct
    # writes its JSON keys in the order to_primitive does.
    struct = msgspec.defstruct(
        f"{cls.__name__}Wire", [*struct_fields, *alternatives], rename=rename, kw_only=True
    )
    convert: Callable[[Any], Any] = ns["convert"]
    check: Callable[[Any], Any] | None = None if trivial else ns["check"]
    reply: Reply | None = None
    if replies is not None:
        reply = ns["reply"] if replies else _as_is
    type.__setattr__(cls, "_wire_same", ns["same"] if sames is not None else None)
    return struct, convert, check, reply


def _same_source(cls: Any, ns: dict[str, Any]) -> list[str] | None:
    """The source of ``same(d, s)``: True only when the data dict ``d`` holds
    what ``convert(s)`` builds from the wire struct ``s`` (the same objects,
    or equal ones that ``to_primitive`` writes as the same text, embedded
    documents compared the same way), so that ``s`` is still what the
    document would send; None when some field cannot be compared so."""
    lines = ["def same(d, s):"]
    try:
        for index, (name, field) in enumerate(cls._fields.items()):
            lines += _same_lines(name, field, index, ns)
    except _NoReply:
        return None
    return [*lines, "    return True"]


def _same_lines(name: str, field: f.BaseField, index: int, ns: dict[str, Any]) -> list[str]:
    differs = _differs(field, index, ns)
    lines = [f"    v = d.get({name!r})", f"    w = s.f{index}"]
    if field.required:
        return [*lines, f"    if {differs}: return False"]
    return [
        *lines,
        "    if w is _UNSET or w is None:",
        f"        if {_absent_differs(field, index, ns)}: return False",
        f"    elif v is None or {differs}: return False",
    ]


def _differs(field: f.BaseField, index: int, ns: dict[str, Any]) -> str:
    """A condition on ``v`` (the data's value) and ``w`` (the struct's,
    there): true when ``v`` may not be what ``convert`` built from ``w``."""
    kind = type(field)
    differs: str
    if kind in _PLAIN_KINDS and kind is not f.DictField:
        differs = "v is not w"  # convert stores the struct's own value
    elif kind is f.DateTimeField:
        ns["_DT"] = datetime.datetime
        differs = "type(v) is not _DT or v != (p := _datetime(w)) or v.utcoffset() != p.utcoffset()"
    elif kind is f.DictField and field.field is not None:  # type: ignore[attr-defined]
        # (and in the same order: the reply writes the struct's)
        differs = (
            "type(v) is not dict or v != w or list(v) != list(w)"
            " or not all(type(x) is str for x in v.values())"
        )
    elif kind is f.DictField:  # values of any type: equal is not the same text (1, 1.0, True)
        differs = "type(v) is not dict or v or w"
    elif kind is f.EmbeddedDocumentField:
        ns[f"_k{index}"] = field.document_type  # type: ignore[attr-defined]
        ns[f"_u{index}"] = _same_of(field.document_type)  # type: ignore[attr-defined]
        differs = f"type(v) is not _k{index} or not _u{index}(v._data, w)"
    elif kind is f.ListField and type(field.field) is f.EmbeddedDocumentField:  # type: ignore[attr-defined]
        item = field.field.document_type  # type: ignore[attr-defined]
        ns[f"_k{index}"], ns[f"_u{index}"] = item, _same_of(item)
        ns["_same_items"] = _same_items
        differs = f"not _same_items(_k{index}, _u{index}, v, w)"
    else:
        raise _NoReply(kind.__name__)
    return differs


def _absent_differs(field: f.BaseField, index: int, ns: dict[str, Any]) -> str:
    """The condition on ``v`` for a field the struct has not (null or
    missing: convert stored None, and a read may have stored the default)."""
    absent = "v is not None"
    default = field.default
    if getattr(field, "auto_fill", False):
        absent = "True"  # convert made a uuid4; the reply refuses it anyway
    elif default is dict or default is list:  # a read stored an empty one
        ns[f"_t{index}"] = default
        absent = f"v is not None and (type(v) is not _t{index} or v)"
    elif default is not None and not callable(default):  # a read stored the default
        ns[f"_dd{index}"] = default
        absent = f"v is not None and v is not _dd{index}"
    elif default is not None:
        absent = "True"
    return absent


def _same_of(cls: Any) -> Callable[[Any, Any], bool]:
    """The ``same`` of an embedded class (built with its wire struct)."""
    same = cls.__dict__.get("_wire_same")
    if same is None:
        raise _NoReply("an embedded document without a comparison")
    return same  # type: ignore[no-any-return]


def _same_items(kind: Any, same: Callable[[Any, Any], bool], items: Any, wires: Any) -> bool:
    if type(items) is not list or len(items) != len(wires):
        return False
    for item, wire in zip(items, wires, strict=True):
        if type(item) is not kind or not same(item._data, wire):
            return False
    return True


def _reply_source(cls: Any, ns: dict[str, Any]) -> list[str] | None:
    """The source of ``reply(s)``: a copy of the wire struct ``s`` that
    encodes as ``json.encode(to_primitive(doc))`` does for the document
    ``convert(s)`` builds, or None where only the document can tell. An
    empty list when ``s`` itself encodes so; None (no source) when the
    struct cannot write some field as to_primitive does."""
    from brubeck.models.document import BaseDocument

    if cls.to_primitive is not BaseDocument.to_primitive:
        return None  # a class that writes itself its own way
    lines = ["def reply(s):", "    c = {}"]
    try:
        for index, field in enumerate(cls._fields.values()):
            lines += _reply_lines(field, index, ns)
    except _NoReply:
        return None
    if len(lines) == 2:
        return []
    return [*lines, "    return _replace(s, **c) if c else s"]


def _reply_lines(field: f.BaseField, index: int, ns: dict[str, Any]) -> list[str]:
    """Source lines of ``reply(s)`` for one field: in ``c``, the values to
    replace (``return None`` where only the document can tell).

    Raises:
        _NoReply: The struct cannot write this field as to_primitive does.
    """
    slot = f"c['f{index}']"
    present = _present_lines(field, index, ns, slot)  # v is there (not null, not missing)
    if field.required:
        return [f"    v = s.f{index}", *(f"    {line}" for line in present)] if present else []
    absent: list[str]  # null or missing: to_primitive leaves it out, or writes the default
    if getattr(field, "auto_fill", False):
        absent = ["return None"]  # a fresh uuid4: the document's own
    elif field.default is not None:
        absent = _written_default(field, index, ns)
    else:
        absent = [f"if v is None: {slot} = _UNSET"]
    lines = [f"    v = s.f{index}", "    if v is _UNSET or v is None:"]
    lines += [f"        {line}" for line in absent]
    if present:
        lines += ["    else:", *(f"        {line}" for line in present)]
    return lines


def _present_lines(field: f.BaseField, index: int, ns: dict[str, Any], slot: str) -> list[str]:
    """``reply`` lines for a value that is there, in ``v``."""
    kind = type(field)
    present: list[str] = []
    if kind is f.DateTimeField:
        if field.format is not None:  # type: ignore[attr-defined]
            raise _NoReply("a datetime format")
        ns["_datetime_text"] = _datetime_text
        present = [f"{slot} = _datetime_text(_datetime(v))"]
    elif kind is f.EmbeddedDocumentField or kind is f.ListField:
        nested = ns.get(f"_r{index}")
        if nested is None:
            raise _NoReply("an embedded document without a reply")
        if nested is not _as_is:
            call = f"_r{index}(v)" if kind is f.EmbeddedDocumentField else f"_each(_r{index}, v)"
            present = [f"w = {call}", "if w is None: return None", f"{slot} = w"]
    elif kind not in _PLAIN_KINDS:
        raise _NoReply(kind.__name__)
    return present


# Fields whose decoded value to_primitive writes as is (a dict as a copy).
_PLAIN_KINDS = (
    f.StringField,
    f.EmailField,
    f.URLField,
    f.IntField,
    f.LongField,
    f.FloatField,
    f.BooleanField,
    f.UUIDField,
    f.DictField,
)


def _written_default(field: f.BaseField, index: int, ns: dict[str, Any]) -> list[str]:
    """The ``reply`` line that writes a field's default as ``to_primitive``
    does (it writes the default of a field left empty), or ``return None``
    when the generic reply check would refuse that default.

    Raises:
        _NoReply: A default the struct cannot write as to_primitive does.
    """
    default = field.default
    kind = type(field)
    if (kind is f.DictField and default is dict) or (kind is f.ListField and default is list):
        value: Any = default()
        source = "{}" if default is dict else "[]"  # a fresh one for each reply
    elif kind in _PLAIN_KINDS and type(default) in (str, int, float, bool):
        value = default
        source = f"_d{index}"
        ns[source] = default
    else:
        raise _NoReply("a default written otherwise")
    errors: list[Any] = []
    if type(value) is str and not value and not field._keeps_empty_text:
        return ["return None"]  # stored as missing: only the document can tell
    field.check(field.coerce(value), "$", errors)
    return ["return None"] if errors else [f"c['f{index}'] = {source}"]


def _convert_lines(name: str, field: f.BaseField, index: int, post: str) -> list[str]:
    lines = [f"    v = s.f{index}", "    if v is _UNSET or v is None:"]
    if getattr(field, "auto_fill", False):
        lines.append(f"        d[{name!r}] = _uuid4()")
    else:
        lines.append(f"        d[{name!r}] = None")
    lines.append("    else:")
    if post:
        lines += [f"        v = {post}(v)", "        if v is None: return None"]
    lines.append(f"        d[{name!r}] = v")
    return lines


def _field_type(  # noqa: C901 - one table of field types
    field: f.BaseField, ns: dict[str, Any], index: int, open_classes: tuple[Any, ...]
) -> tuple[Any, str, str]:
    """(msgspec type, converter name or "", checker name or "") for one field:
    both take the decoded value and answer None when it is not valid; the
    converter gives the document's value, the checker anything else."""
    if field.validation is not None:
        raise _Unsupported("a validation callable")
    kind = type(field)
    if kind in (f.StringField, f.EmailField, f.URLField):
        return _string(field, required=field.required), "", ""
    if field.choices is not None:
        raise _Unsupported("choices on a non-string field")
    if kind in (f.IntField, f.LongField):
        return Annotated[int, _meta(ge=field.min_value, le=field.max_value)], "", ""  # type: ignore[attr-defined]
    if kind is f.FloatField:
        # Always finite: msgspec refuses out-of-range numbers ("1e999") and
        # JSON has no NaN or Infinity.
        return Annotated[float, _meta(ge=field.min_value, le=field.max_value)], "", ""  # type: ignore[attr-defined]
    if kind is f.BooleanField:
        return bool, "", ""
    if kind is f.UUIDField:
        # msgspec accepts a subset of what uuid.UUID() does (no braces, no
        # urn:), with equal values: checked in tests/models/test_typed.py.
        ns["_uuid4"] = uuid.uuid4
        return uuid.UUID, "", ""
    if kind is f.DateTimeField:
        # Plain text for msgspec: parse_datetime checks the pattern itself (a
        # pattern here too would run the same regex twice, from C, ~0.6 µs).
        ns["_datetime"] = _datetime
        return str, "_datetime", "_datetime"
    if kind is f.DictField:
        # Keys are checked in Python (_dict_keys): a msgspec pattern on keys
        # calls the regex engine once per key, ~0.3 µs each.
        ns["_dict_keys"] = _dict_keys
        ns["_dict_copy"] = _dict_copy  # the document's own dict: the wire's stays as checked
        item = field.field  # type: ignore[attr-defined]
        if item is None:
            return dict[str, Any], "_dict_copy", "_dict_keys"
        if type(item) is not f.StringField or item.validation is not None:
            raise _Unsupported("a typed dict of other than plain strings")
        values: Any = _string(item, required=False)
        return dict[str, values], "_dict_copy", "_dict_keys"
    if kind is f.EmbeddedDocumentField:
        struct, convert, check, reply = _compile(field.document_type, open_classes)  # type: ignore[attr-defined]
        ns[f"_e{index}"], ns[f"_c{index}"], ns[f"_r{index}"] = convert, check, reply
        return struct, f"_e{index}", f"_c{index}" if check is not None else ""
    if kind is f.ListField and type(field.field) is f.EmbeddedDocumentField:  # type: ignore[attr-defined]
        inner = field.field  # type: ignore[attr-defined]
        if inner.validation is not None or inner.choices is not None:
            raise _Unsupported("options on list items")
        struct, convert, check, reply = _compile(inner.document_type, open_classes)
        ns[f"_r{index}"] = reply
        ns[f"_e{index}"] = partial(_each, convert)
        ns[f"_c{index}"] = None if check is None else partial(_all_checked, check)
        bounds = _meta(min_length=field.min_length, max_length=field.max_length)  # type: ignore[attr-defined]
        return (
            Annotated[list[struct], bounds],  # type: ignore[valid-type]
            f"_e{index}",
            f"_c{index}" if check is not None else "",
        )
    raise _Unsupported(kind.__name__)


def _string(field: Any, required: bool) -> Any:
    low = field.min_length
    if required:
        low = max(low or 0, 1)  # "" counts as missing: an error the generic path reports
    patterns = []
    if field.regex is not None:
        patterns.append(f"^(?:{field.regex.pattern})")  # re.match is anchored at the start
    if type(field) in (f.EmailField, f.URLField):
        patterns.append(f"(?i){(_EMAIL if type(field) is f.EmailField else _URL).pattern}")
    if len(patterns) > 1 or (field.regex is not None and field.regex.flags & ~32):  # 32: re.U
        raise _Unsupported("several patterns, or regex flags")
    if field.choices is not None:
        # A Literal alone, exact only if every choice passes the field's own rules.
        if not all(type(c) is str and c and field.problem(c) is None for c in field.choices):
            raise _Unsupported("choices the field itself would refuse")
        return Literal[tuple(field.choices)]
    pattern = patterns[0] if patterns else None
    return Annotated[str, _meta(min_length=low, max_length=field.max_length, pattern=pattern)]


def _meta(**constraints: Any) -> msgspec.Meta:
    given = {key: value for key, value in constraints.items() if value is not None}
    for value in given.values():
        if not isinstance(value, int | float | str) or isinstance(value, bool):
            raise _Unsupported(f"a bound msgspec cannot express: {value!r}")
    return msgspec.Meta(**given)


def _each(function: Callable[[Any], Any], items: list[Any]) -> list[Any] | None:
    """``function`` of each item (documents, or reply structs), or None when it refuses one."""
    out = []
    for item in items:
        value = function(item)
        if value is None:
            return None
        out.append(value)
    return out


def _all_checked(check: Callable[[Any], Any], items: list[Any]) -> bool | None:
    for item in items:
        if check(item) is None:
            return None
    return True


_DATETIMES: dict[str, Any] = {}
_DATETIMES_KEPT = 256
_DATETIME_TEXT_KEPT = 64
_MISSING = object()


def _datetime(text: str) -> Any:
    """:func:`parse_datetime`, remembered for a while: a lazy document's
    datetime text is parsed when it is checked, then again when its reply or
    its data is built. Bounded, as clients choose the texts."""
    value = _DATETIMES.get(text, _MISSING)
    if value is _MISSING:
        value = parse_datetime(text)
        if len(text) <= _DATETIME_TEXT_KEPT:  # a datetime's length: long texts are not kept
            if len(_DATETIMES) >= _DATETIMES_KEPT:
                _DATETIMES.clear()
            _DATETIMES[text] = value
    return value


def _dict_copy(value: dict[str, Any]) -> dict[str, Any] | None:
    """:func:`_dict_keys`, answering a copy of ``value``."""
    return None if _dict_keys(value) is None else dict(value)


def _dict_keys(value: dict[str, Any]) -> dict[str, Any] | None:
    """``value`` if every key is one the generic DictField accepts (no "."
    or "$", MongoDB's rule), else None."""
    for key in value:
        if "." in key or "$" in key:
            return None
    return value
