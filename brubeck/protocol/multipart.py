"""``multipart/form-data`` bodies (RFC 7578, RFC 2046 §5.1.1), sans-IO and bounded.

A body is a preamble, then parts each opened by a delimiter line
(``CRLF "--" boundary``, optional spaces, ``CRLF``), then a close delimiter
(``CRLF "--" boundary "--"``) and an epilogue; both preamble and epilogue are
ignored. Each part has a header block, a blank line and its content. Work is
linear in the body size: delimiters are found with :meth:`bytes.find`, header
blocks and the number of parts are bounded, and every failure is a
:class:`~brubeck.errors.ProtocolError` saying where.
"""

from __future__ import annotations

import codecs
import re
import urllib.parse
from dataclasses import dataclass
from typing import TypeVar

from brubeck.errors import ProtocolError

__all__ = ["MAX_PARTS", "MAX_PART_HEADER_BYTES", "UploadedFile", "boundary_of", "parse_multipart"]

#: Most parts in one body: the same bound as :data:`brubeck.protocol.http.MAX_FIELDS`
#: (Python's urllib.parse default, and Werkzeug's ``max_form_parts``).
MAX_PARTS = 1000
#: Most bytes of one part's header block: 8 KiB, like one request header line in
#: Mongrel2, nginx and h11; a form part needs a few hundred at most.
MAX_PART_HEADER_BYTES = 8192

_FILE_KEYS = frozenset({"filename", "body", "content_type"})
_DEFAULT_FILE_TYPE = "application/octet-stream"
# RFC 2046 §5.1.1: bchars, 1 to 70 of them, the last one not a space.
_BCHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'()+_,-./:=? ")
_PADDING = re.compile(rb"[ \t]*")  # transport padding after a delimiter (RFC 2046 §5.1.1)
_PARAM_STOP = re.compile(r"[;=]")
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """One file of a form: its name (never a path), content and media type.

    Brubeck 0.4 kept files as dicts with the same three keys, so
    ``file["body"]`` and ``file.get("filename")`` still work.

    Attributes:
        filename: The last path component of the name the client sent.
        body: The file's bytes, exactly as sent.
        content_type: The part's ``Content-Type``, ``application/octet-stream`` if none.
    """

    filename: str
    body: bytes
    content_type: str = _DEFAULT_FILE_TYPE

    def __getitem__(self, key: str) -> str | bytes:
        """0.4 dict-style access to the three attributes; KeyError for any other key."""
        if key not in _FILE_KEYS:
            raise KeyError(key)
        value: str | bytes = getattr(self, key)
        return value

    def get(self, key: str, default: _T | None = None) -> str | bytes | _T | None:
        """Like :meth:`dict.get`: ``self[key]``, or ``default`` for an unknown key."""
        return self[key] if key in _FILE_KEYS else default


_Fields = dict[str, list[str]]
_Files = dict[str, list[UploadedFile]]


def boundary_of(content_type: str) -> str | None:
    """The boundary of a ``multipart/form-data`` ``Content-Type`` value.

    The parameter name is case-insensitive and its value may be quoted. None
    when the type is something else, or the boundary is missing or not valid
    (RFC 2046 §5.1.1: 1 to 70 characters from a small set, no trailing space).
    """
    media_type, params = _parse_params(content_type)
    boundary = params.get("boundary")
    if media_type != "multipart/form-data" or boundary is None or not _valid(boundary):
        return None
    return boundary


def parse_multipart(
    body: bytes, boundary: str, max_parts: int = MAX_PARTS
) -> tuple[dict[str, list[str]], dict[str, list[UploadedFile]]]:
    """Fields and files of a ``multipart/form-data`` body, name to values in order.

    A part whose ``Content-Disposition`` has a ``filename`` (or ``filename*``)
    is a file; a file input left empty (no name, no content) is skipped. Any
    other part is a field, its content decoded with the part's ``charset`` or
    UTF-8, invalid bytes kept with ``surrogateescape``.

    Raises:
        ProtocolError: An invalid boundary, no opening or no close delimiter,
            more than ``max_parts`` parts, a header block without its blank
            line or over :data:`MAX_PART_HEADER_BYTES`, or a part without a
            ``form-data`` name.
    """
    if not _valid(boundary):
        raise ProtocolError(f"invalid multipart boundary {boundary!r}")
    dash = b"--" + boundary.encode("ascii")
    delimiter = b"\r\n" + dash
    pos, done = _open(body, dash, delimiter)
    fields: _Fields = {}
    files: _Files = {}
    count = 0
    while not done:
        count += 1
        if count > max_parts:
            raise ProtocolError(f"more than {max_parts} parts", pos)
        found = _find_delimiter(body, delimiter, pos)
        if found is None:
            raise ProtocolError("no close delimiter: truncated multipart body", len(body))
        stop, next_pos, done = found
        _add_part(body, pos, stop, fields, files)
        pos = next_pos
    return fields, files


def _valid(boundary: str) -> bool:
    return 0 < len(boundary) <= 70 and boundary[-1] != " " and _BCHARS.issuperset(boundary)


def _after_delimiter(body: bytes, at: int) -> tuple[int, bool] | None:
    """(end, is close) when the boundary ending at ``at`` is a real delimiter."""
    if body.startswith(b"--", at):
        return at + 2, True
    padding = _PADDING.match(body, at)
    end = padding.end() if padding else at
    if body.startswith(b"\r\n", end):
        return end + 2, False
    return None


def _find_delimiter(body: bytes, delimiter: bytes, start: int) -> tuple[int, int, bool] | None:
    """(start, end, is close) of the first real delimiter from ``start``."""
    at = body.find(delimiter, start)
    while at >= 0:
        # A miss resumes after it: the CRLF that opens a delimiter cannot occur
        # inside one, since bchars hold no CR.
        after = _after_delimiter(body, at + len(delimiter))
        if after is not None:
            return at, after[0], after[1]
        at = body.find(delimiter, at + len(delimiter))
    return None


def _open(body: bytes, dash: bytes, delimiter: bytes) -> tuple[int, bool]:
    """(end, is close) of the first delimiter, which may start the body with no CRLF."""
    after = _after_delimiter(body, len(dash)) if body.startswith(dash) else None
    if after is not None:
        return after
    found = _find_delimiter(body, delimiter, 0)
    if found is None:
        raise ProtocolError("no opening multipart delimiter", 0)
    return found[1], found[2]


def _add_part(body: bytes, start: int, stop: int, fields: _Fields, files: _Files) -> None:
    lines, content_start = _head_lines(body, start, stop)
    headers = _parse_headers(lines)
    disposition, params = _parse_params(headers.get("content-disposition", ""))
    name = params.get("name")
    if disposition != "form-data" or name is None:
        raise ProtocolError("part without a Content-Disposition form-data name", start)
    content = body[content_start:stop]
    content_type = headers.get("content-type", "")
    if "filename" in params or "filename*" in params:
        filename = _filename(params)
        if filename or content:  # an empty file input sends filename="" and nothing
            upload = UploadedFile(filename, content, content_type or _DEFAULT_FILE_TYPE)
            files.setdefault(name, []).append(upload)
    else:
        charset = _parse_params(content_type)[1].get("charset")
        fields.setdefault(name, []).append(_decode(content, charset))


def _head_lines(body: bytes, start: int, stop: int) -> tuple[list[bytes], int]:
    """The header lines of the part at ``start`` (CRLF or, leniently, LF) and where
    its content starts; never looks past :data:`MAX_PART_HEADER_BYTES`."""
    limit = min(stop, start + MAX_PART_HEADER_BYTES + 2)
    lines: list[bytes] = []
    pos = start
    while True:
        newline = body.find(b"\n", pos, limit)
        if newline < 0:
            if limit < stop:
                raise ProtocolError(f"part header block over {MAX_PART_HEADER_BYTES} bytes", start)
            raise ProtocolError("part header block without its blank line", start)
        line = body[pos:newline].removesuffix(b"\r")
        pos = newline + 1
        if not line:
            return lines, pos
        lines.append(line)


def _parse_headers(lines: list[bytes]) -> dict[str, str]:
    """Lower-cased name to value; the first of repeated headers wins."""
    headers: dict[str, str] = {}
    last: str | None = None
    for raw in lines:
        line = raw.decode("utf-8", "surrogateescape")  # browsers send UTF-8 file names
        if line[:1] in (" ", "\t"):  # obsolete folding (RFC 5322 §2.2.3)
            if last is not None:
                headers[last] += " " + line.strip()
            continue
        name, colon, value = line.partition(":")
        name = name.strip().lower()
        last = name if colon and name not in headers else None
        if last is not None:
            headers[last] = value.strip()
    return headers


def _parse_params(text: str) -> tuple[str, dict[str, str]]:
    """``("type", {name: value})`` of ``type; name=value; name="quoted"``: names
    lower-cased, the first of repeated names kept, pieces without ``=`` skipped."""
    kind, _, rest = text.partition(";")
    params: dict[str, str] = {}
    at = 0
    while at < len(rest):
        stop = _PARAM_STOP.search(rest, at)
        end = stop.start() if stop else len(rest)
        name = rest[at:end].strip().lower()
        if stop and stop.group() == "=":
            value, end = _param_value(rest, end + 1)
            if name:
                params.setdefault(name, value)
        at = end + 1
    return kind.strip().lower(), params


def _param_value(text: str, at: int) -> tuple[str, int]:
    """A parameter's value from ``at`` and the index of the ``;`` after it."""
    while text[at : at + 1] in (" ", "\t"):
        at += 1
    if not text.startswith('"', at):
        end = text.find(";", at)
        end = len(text) if end < 0 else end
        return text[at:end].strip(), end
    chars: list[str] = []
    at += 1
    while at < len(text) and text[at] != '"':
        # Only \" and \\ are escapes: old browsers send Windows paths unescaped,
        # so a backslash before anything else is kept (as Python's email does).
        if text[at] == "\\" and text[at + 1 : at + 2] in ('"', "\\"):
            at += 1
        chars.append(text[at])
        at += 1
    end = text.find(";", at)
    return "".join(chars), len(text) if end < 0 else end


def _filename(params: dict[str, str]) -> str:
    """The file's name: ``filename*`` before ``filename``, path and ``..`` removed."""
    name = _extended_value(params.get("filename*"))
    if name is None:
        name = params.get("filename", "")
    name = name.replace("\\", "/").rpartition("/")[2]
    return "" if name in (".", "..") else name


def _extended_value(value: str | None) -> str | None:
    """An RFC 5987 ``charset'language'percent-encoded`` value; None if malformed."""
    if value is None:
        return None
    charset, _, rest = value.partition("'")
    _language, quote, encoded = rest.partition("'")
    if not quote:
        return None
    raw = urllib.parse.unquote_to_bytes(encoded.encode("utf-8", "surrogateescape"))
    return _decode(raw, charset)


# Charsets a form may name (WHATWG Encoding Standard's common ones), by
# Python's canonical codec name. The client picks the name, so it must not
# reach codecs like "unicode_escape" that interpret escape sequences.
_CHARSETS = frozenset(
    {
        "utf-8", "ascii", "iso8859-1", "iso8859-2", "iso8859-15", "cp1250", "cp1251",
        "cp1252", "koi8-r", "utf-16", "utf-16-le", "utf-16-be", "shift_jis", "euc_jp",
        "iso2022_jp", "euc_kr", "gb2312", "gbk", "gb18030", "big5",
    }
)  # fmt: skip


def _decode(data: bytes, charset: str | None) -> str:
    """``data`` as text in ``charset``, or in UTF-8 when that is unknown or unusable."""
    if charset and charset.isascii():
        try:
            name = codecs.lookup(charset).name
            if name in _CHARSETS:
                return data.decode(name, "surrogateescape")
        except (LookupError, ValueError):  # unknown, or refused the bytes
            pass
    return data.decode("utf-8", "surrogateescape")
