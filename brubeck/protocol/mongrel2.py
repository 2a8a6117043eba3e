"""The Mongrel2 handler protocol, sans-IO: bytes in, values out, and back.

Mongrel2 pushes each request to a handler as one ZeroMQ message::

    SENDER_UUID SP CONN_ID SP PATH SP HEADERS BODY

where ``HEADERS`` is a netstring of JSON text (``protocol='json'``) or a
tnetstring dict (``protocol='tnetstring'``, ending in ``}``), and ``BODY`` is a
netstring. A handler answers on its PUB socket with::

    SENDER_UUID SP LEN ":" CONN_ID (SP CONN_ID)* "," SP BODY

(Mongrel2 manual, "Handler Protocol"; src/request.c Request_to_payload and
Request_to_tnetstring; src/handler_parser.rl). Nothing here touches a socket:
:func:`parse` turns message bytes into a :class:`Message`, the ``format_*``
functions turn replies into message bytes.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from brubeck import _native
from brubeck.codecs import json, tnetstring
from brubeck.errors import DecodeError, ProtocolError

__all__ = [
    "ACCELERATED",
    "MAX_IDENTS",
    "Message",
    "MessageKind",
    "cancel",
    "credits",
    "format_close",
    "format_extended",
    "format_replies",
    "format_reply",
    "format_request",
    "keep_alive",
    "parse",
    "parse_reply",
    "reply_to",
    "sendfile",
]

#: Mongrel2's ``limits.handler_targets`` default: ids per reply (src/handler.c).
MAX_IDENTS = 128

Headers = dict[str, str | list[str]]


class MessageKind(enum.Enum):
    """What a message from Mongrel2 is (inventory §3.4)."""

    HTTP = "http"
    DISCONNECT = "disconnect"  # a client went away: never answer it
    CREDITS = "credits"  # download flow control
    JSON_SOCKET = "json"  # @name JSON (Flash) socket message
    XML_SOCKET = "xml"  # <name XML socket message
    WEBSOCKET_HANDSHAKE = "websocket_handshake"
    WEBSOCKET = "websocket"  # one (unmasked, reassembled) WebSocket frame
    UPLOAD_START = "upload_start"  # large body being written to a temp file: do not answer
    UPLOAD_DONE = "upload_done"  # the temp file is complete
    UPLOAD_STREAM = "upload_stream"  # a chunk of a streamed upload


class Message(NamedTuple):
    """One request message from Mongrel2 (immutable; a tuple because one is
    built per request, and a tuple builds in a third of a frozen dataclass's time).

    Attributes:
        sender: The server's UUID (replies must start with it).
        conn_id: The client connection's id, as text.
        path: The raw request path (percent-encoding kept), or ``@*``/``@name``.
        headers: Header names to text; a header sent several times is a list.
            Bytes that are not UTF-8 are kept with ``surrogateescape``.
        body: The body, as bytes.
        kind: What the message is.
    """

    sender: str
    conn_id: str
    path: str
    headers: Headers
    body: bytes
    kind: MessageKind

    @property
    def method(self) -> str | None:
        """``METHOD`` (an HTTP verb, ``JSON``, ``XML``, ``WEBSOCKET``...)."""
        value = self.headers.get("METHOD")
        return value if isinstance(value, str) else None


def parse(data: bytes) -> Message:
    """Parse one message Mongrel2 sent to a handler.

    Raises:
        ProtocolError: The bytes are not a well-formed Mongrel2 request (bad
            envelope, netstring or headers; no METHOD where one is needed).
    """
    fast = _fast_parse(data) if _fast_parse is not None else None
    if fast is not None:  # the usual request, in one C call: the same values
        sender, conn_id, path, headers, body = fast
        return _new_message(
            Message, (sender, conn_id, path, headers, body, _classify(headers, path, body))
        )
    parts = data.split(b" ", 3)
    if len(parts) != 4:
        raise ProtocolError("expected 'SENDER CONN_ID PATH HEADERS BODY'", 0)
    sender_raw, conn_raw, path_raw, rest = parts
    if not sender_raw or not conn_raw.isdigit():
        raise ProtocolError("bad sender or connection id", 0)
    offset = len(data) - len(rest)
    quick = _quick_headers(rest) if _c_pop is not None and type(rest) is bytes else None
    headers, body = quick if quick is not None else _headers_and_body(rest, offset)
    path = path_raw.decode("utf-8", "surrogateescape")
    kind = _classify(headers, path, body)
    return Message(
        sender_raw.decode("latin-1"), conn_raw.decode("ascii"), path, headers, body, kind
    )


_fast_parse = _native.parse_request
_fast_reply = _native.reply_to
#: True when the C extension (:mod:`brubeck._native`) does the usual request and reply.
ACCELERATED = _fast_parse is not None
_new_message = tuple.__new__  # Message(...) without the NamedTuple's Python __new__
_c_pop = tnetstring.c_pop
_C_ERRORS = tnetstring.C_ERRORS


def _quick_headers(rest: bytes) -> tuple[Headers, bytes] | None:
    """:func:`_headers_and_body` for the usual message (tnetstring headers,
    one UTF-8 value per name, nothing after the body), with the C extension
    called directly; None for anything else, which the general path decides."""
    try:
        raw_headers, after = _c_pop(rest)  # type: ignore[misc]
        raw_body, trailing = _c_pop(after)  # type: ignore[misc]
    except _C_ERRORS:
        return None
    if type(raw_headers) is not dict or type(raw_body) is not bytes or trailing:
        return None
    try:
        return {key.decode(): value.decode() for key, value in raw_headers.items()}, raw_body
    except (AttributeError, UnicodeDecodeError):
        return None


def _headers_and_body(rest: bytes, offset: int) -> tuple[Headers, bytes]:
    try:
        raw_headers, after = tnetstring.pop(rest)
    except DecodeError as exc:
        raise ProtocolError(f"bad netstring: {exc.reason}", _shift(exc.offset, offset)) from None
    try:
        raw_body, trailing = tnetstring.pop(after)
    except DecodeError as exc:  # an offset in the body's netstring, from the message's start
        at = _body_at(rest, after, offset)
        raise ProtocolError(f"bad netstring: {exc.reason}", _shift(exc.offset, at)) from None
    if trailing:
        raise ProtocolError("trailing bytes after the body", offset + len(rest) - len(trailing))
    if type(raw_body) is not bytes:
        raise ProtocolError("the body must be a netstring", _body_at(rest, after, offset))
    if type(raw_headers) is dict:  # tnetstring headers
        return _text_headers(raw_headers, offset), raw_body
    if type(raw_headers) is not bytes:
        raise ProtocolError("headers must be a dict", offset)
    try:  # JSON headers: a netstring of JSON text
        headers = json.decode(raw_headers, lenient=True)
    except DecodeError as exc:
        raise ProtocolError(f"bad JSON headers: {exc.reason}", offset) from None
    return _checked_headers(headers, offset), raw_body


def _text_headers(raw: dict[Any, Any], offset: int) -> Headers:
    # Names and values to text, invalid UTF-8 kept with surrogateescape, as
    # the JSON protocol's lenient decoding does. The common case (one UTF-8
    # value per name) takes one comprehension; anything else the loop below.
    try:
        return {key.decode(): value.decode() for key, value in raw.items()}
    except (AttributeError, UnicodeDecodeError):
        pass
    headers: Headers = {}
    try:
        for key, value in raw.items():
            name = key.decode("utf-8", "surrogateescape")
            if type(value) is bytes:
                headers[name] = value.decode("utf-8", "surrogateescape")
            elif type(value) is list:
                headers[name] = [item.decode("utf-8", "surrogateescape") for item in value]
            else:
                raise TypeError
    except (AttributeError, TypeError):  # a name or value that is not a string
        raise ProtocolError("header names and values must be text", offset) from None
    return headers


def _body_at(rest: bytes, after: bytes, offset: int) -> int:
    # Where the body's netstring starts in the message (errors only: not on the hot path).
    return offset + len(rest) - len(after)


def _shift(inner: int | None, offset: int) -> int | None:
    return None if inner is None else inner + offset


def _checked_headers(headers: Any, offset: int) -> Headers:
    if not isinstance(headers, dict):
        raise ProtocolError("headers must be a dict", offset)
    for key, value in headers.items():
        if not isinstance(key, str):
            raise ProtocolError("header names must be text", offset)
        if not isinstance(value, str) and not (
            isinstance(value, list) and all(isinstance(item, str) for item in value)
        ):
            raise ProtocolError(f"header {key!r} must be text or a list of text", offset)
    return headers


_METHOD_KINDS = {
    "XML": MessageKind.XML_SOCKET,
    "WEBSOCKET_HANDSHAKE": MessageKind.WEBSOCKET_HANDSHAKE,
    "WEBSOCKET": MessageKind.WEBSOCKET,
}
_CONTROL_KINDS = {"disconnect": MessageKind.DISCONNECT, "credits": MessageKind.CREDITS}


def _classify(headers: Headers, path: str, body: bytes) -> MessageKind:
    if "UPLOAD_STREAM" in headers:  # continuations carry no METHOD and no PATH
        return MessageKind.UPLOAD_STREAM
    method = headers.get("METHOD")
    if not isinstance(method, str) or not method:
        raise ProtocolError("missing METHOD", None)
    if method == "JSON":
        return _json_kind(path, body)
    kind = _METHOD_KINDS.get(method)
    if kind is not None:
        return kind
    # Upload headers are lowercase, as client headers are: a client can send them
    # too, so the serving layer must check the temp-file path before trusting them.
    if "x-mongrel2-upload-done" in headers:
        return MessageKind.UPLOAD_DONE
    if "x-mongrel2-upload-start" in headers:
        return MessageKind.UPLOAD_START
    return MessageKind.HTTP


def _json_kind(path: str, body: bytes) -> MessageKind:
    if path != "@*":
        return MessageKind.JSON_SOCKET
    try:
        control = json.decode(body)
    except DecodeError:
        control = None
    kind_name = control.get("type") if isinstance(control, dict) else None
    kind = _CONTROL_KINDS.get(kind_name) if isinstance(kind_name, str) else None
    if kind is None:
        raise ProtocolError("unknown control message on @*", None)
    return kind


# -- replies ------------------------------------------------------------------


def _idents(conn_ids: Iterable[int | str]) -> bytes:
    idents = []
    for conn_id in conn_ids:
        text = str(conn_id)
        if not text.isdigit() or not text.isascii():
            raise ProtocolError(f"connection ids are decimal numbers, not {conn_id!r}", None)
        idents.append(text)
    if not idents:
        raise ProtocolError("a reply needs at least one connection id", None)
    if len(idents) > MAX_IDENTS:
        raise ProtocolError(f"at most {MAX_IDENTS} connection ids per reply", None)
    return " ".join(idents).encode("ascii")


def _sender(sender: str) -> bytes:
    encoded = _SENDERS.get(sender) if type(sender) is str else None
    if encoded is not None:
        return encoded
    try:
        encoded = sender.encode("latin-1")
    except UnicodeEncodeError:
        encoded = b""
    if not encoded or b" " in encoded:
        raise ProtocolError("the sender must be a non-empty word", None)
    if type(sender) is str and len(_SENDERS) < _SENDERS_KEPT:
        _SENDERS[sender] = encoded
    return encoded


# Senders already checked, as bytes: a handler hears from a few Mongrel2
# servers, each with one UUID, and answers each message. Bounded.
_SENDERS: dict[str, bytes] = {}
_SENDERS_KEPT = 64


def format_reply(sender: str, conn_ids: Sequence[int | str], body: bytes) -> bytes:
    """One reply message to at most :data:`MAX_IDENTS` connections."""
    idents = _idents(conn_ids)
    return b"%s %d:%s, %s" % (_sender(sender), len(idents), idents, body)


def reply_to(message: Message, body: bytes) -> bytes:
    """A reply to the one connection that sent ``message`` (the common case;
    an empty ``body`` closes the connection)."""
    if _fast_reply is not None:
        fast = _fast_reply(message.sender, message.conn_id, body)
        if fast is not None:  # an ASCII sender, a decimal id: the same bytes
            return fast
    conn = message.conn_id
    try:
        ident = conn.encode()  # decimal ASCII digits: its UTF-8 bytes are digits
    except (AttributeError, UnicodeEncodeError):
        ident = b""
    if not ident.isdigit():
        raise ProtocolError("the message has no valid connection id", None)
    return b"%s %d:%s, %s" % (_sender(message.sender), len(ident), ident, body)


def format_replies(sender: str, conn_ids: Sequence[int | str], body: bytes) -> list[bytes]:
    """Reply messages for any number of connections, :data:`MAX_IDENTS` per message."""
    ids = list(conn_ids)
    return [
        format_reply(sender, ids[i : i + MAX_IDENTS], body) for i in range(0, len(ids), MAX_IDENTS)
    ]


def format_close(sender: str, conn_ids: Sequence[int | str]) -> bytes:
    """Close the connections: an empty body (it also aborts an upload in progress)."""
    return format_reply(sender, conn_ids, b"")


def format_extended(sender: str, conn_ids: Sequence[int | str], name: str, value: Any) -> bytes:
    """An extended reply: ``SENDER LEN:X IDS, [name, value]`` as a tnetstring."""
    idents = b"X " + _idents(conn_ids)
    payload = tnetstring.encode([name, value])
    return b"%s %d:%s, %s" % (_sender(sender), len(idents), idents, payload)


def keep_alive(sender: str, conn_ids: Sequence[int | str]) -> bytes:
    """``["ctl", {"keep-alive": true}]``: reset Mongrel2's idle timer for the connections."""
    return format_extended(sender, conn_ids, "ctl", {"keep-alive": True})


def credits(sender: str, conn_ids: Sequence[int | str], amount: int) -> bytes:
    """``["ctl", {"credits": N}]``: let a streamed upload send ``amount`` more bytes."""
    return format_extended(sender, conn_ids, "ctl", {"credits": amount})


def cancel(sender: str, conn_ids: Sequence[int | str]) -> bytes:
    """``["ctl", {"cancel": true}]``: drop the connections (no disconnect message follows)."""
    return format_extended(sender, conn_ids, "ctl", {"cancel": True})


def sendfile(sender: str, conn_ids: Sequence[int | str], path: str) -> bytes:
    """``["sendfile", path]``: Mongrel2's sendfile filter sends the file."""
    return format_extended(sender, conn_ids, "sendfile", path)


# -- the server's side: for test clients, tools and benchmarks -------------------


def format_request(
    sender: str,
    conn_id: int | str,
    path: str,
    headers: Headers,
    body: bytes = b"",
    protocol: str = "tnetstring",
) -> bytes:
    """A request message as Mongrel2 would push it (``protocol`` ``"tnetstring"``
    or ``"json"``, as in the handler's configuration).

    Raises:
        ProtocolError: An unknown protocol, or a sender, connection id or path
            that would not survive the envelope.
    """
    conn = str(conn_id)
    if not conn.isdigit() or not conn.isascii():
        raise ProtocolError(f"connection ids are decimal numbers, not {conn_id!r}", None)
    if not path or " " in path:
        raise ProtocolError("the path must be a non-empty word", None)
    if protocol == "tnetstring":
        head = tnetstring.encode(headers)
    elif protocol == "json":
        text = json.encode(headers)
        head = b"%d:%s," % (len(text), text)
    else:
        raise ProtocolError(f"unknown handler protocol {protocol!r}", None)
    envelope = b"%s %s %s " % (
        _sender(sender),
        conn.encode(),
        path.encode("utf-8", "surrogateescape"),
    )
    return b"%s%s%d:%s," % (envelope, head, len(body), body)


def parse_reply(data: bytes) -> tuple[str, list[str], bytes]:
    """Split a handler's reply into ``(sender, conn_ids, body)``.

    An extended reply's ids start with ``"X"`` (see :func:`format_extended`).

    Raises:
        ProtocolError: Not ``SENDER SP LEN:IDS, SP BODY``.
    """
    sender, space, rest = data.partition(b" ")
    length, colon, rest = rest.partition(b":")
    if not space or not colon or not sender or not length.isdigit() or len(length) > 9:
        raise ProtocolError("expected 'SENDER LEN:IDS, BODY'", 0)
    size = int(length)
    idents, tail = rest[:size], rest[size:]
    if len(idents) != size or tail[:2] != b", ":
        raise ProtocolError("bad connection id netstring", len(data) - len(rest))
    ids = idents.decode("latin-1").split(" ")
    return sender.decode("latin-1"), ids, tail[2:]
