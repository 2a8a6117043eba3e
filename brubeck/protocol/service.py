"""The raw ZeroMQ service protocol, ``BRB1``, sans-IO: frames in, values out, and back.

``docs/protocol.md`` is the specification; this module implements it. A request
is seven frames and a reply six, the first three alike::

    request: VERSION CODEC REQUEST_ID VERB   PATH    HEADERS BODY
    reply:   VERSION CODEC REQUEST_ID STATUS HEADERS BODY

A ROUTER socket puts the sender's routing frames in front of a request:
:func:`split_envelope` takes them off, and the server sends them back, unchanged,
in front of the reply. Headers are decoded once, when a message is parsed; the
body stays the frame's bytes until ``decode_body()``. Nothing here touches a socket.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from brubeck.codecs import Codec, Registry, default_registry, json
from brubeck.codecs.base import MAX_SIZE
from brubeck.errors import DecodeError, EncodeError, ProtocolError, UnknownCodecError
from brubeck.protocol.http import reason_phrase

__all__ = [
    "FALLBACK_CODEC",
    "MAX_CODEC_NAME",
    "MAX_FRAME_SIZE",
    "MAX_HEADERS_SIZE",
    "MAX_MESSAGE_SIZE",
    "MAX_PATH",
    "MAX_REQUEST_ID",
    "MAX_TOPIC",
    "MAX_VERB",
    "REPLY_FRAMES",
    "REQUEST_FRAMES",
    "VERSION",
    "ServiceProtocolError",
    "ServiceReply",
    "ServiceRequest",
    "error_reply",
    "format_event",
    "format_reply",
    "format_request",
    "new_reply",
    "new_request",
    "parse_event",
    "parse_reply",
    "parse_request",
    "parse_routed",
    "reply_to",
    "reply_to_error",
    "request_frames",
    "split_envelope",
    "wire_name",
]

#: The version frame of every message of this protocol.
VERSION = b"BRB1"
REQUEST_FRAMES = 7
REPLY_FRAMES = 6
#: Bytes in one message's frames (not its envelope or topic): the codecs' own
#: bound on one encoded value, 16 MiB, above the app's 10 MiB body limit.
MAX_MESSAGE_SIZE = MAX_SIZE
#: For ``ZMQ_MAXMSGSIZE`` on a server's sockets: libzmq checks each frame as it
#: arrives and disconnects a peer that sends a larger one (zmq_setsockopt(3)).
#: Twice the message limit, so a message a little too large gets its 413.
MAX_FRAME_SIZE = 2 * MAX_MESSAGE_SIZE
#: As ZeroMQ's routing ids (``ZMQ_ROUTING_ID``: 1 to 255 bytes); empty is one-way.
MAX_REQUEST_ID = 255
MAX_CODEC_NAME = 32
MAX_VERB = 32
#: A common URL limit; routes are short, and paths are matched with regexes.
MAX_PATH = 4096
#: The encoded headers frame: 64 KiB, the HTTP header limit of many servers.
MAX_HEADERS_SIZE = 64 * 1024
#: A PUB/SUB topic frame; subscribers filter on its prefix.
MAX_TOPIC = 255
#: The codec of replies whose requester's codec is unknown (415, 505): every language reads JSON.
FALLBACK_CODEC: Codec = json.CODEC

Headers = dict[str, str]

_VERB = re.compile(r"[A-Z][A-Z0-9_-]*")
_COMMON_VERBS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
_CODEC_NAME = re.compile(r"[a-z0-9][a-z0-9._+-]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SHOWN = 64  # characters of an offending value echoed in an error body


class ServiceProtocolError(ProtocolError):
    """A service message broke ``docs/protocol.md``.

    The error says what a server answers (``status_hint``, as h11's
    ``error_status_hint``) and to whom (``request_id``), and sends nothing
    itself: :func:`reply_to_error` builds the answer.

    Attributes:
        reason: What is wrong.
        frame: The frame at fault: ``"message"`` (frame count, size),
            ``"version"``, ``"codec"``, ``"request_id"``, ``"verb"``, ``"path"``,
            ``"status"``, ``"headers"``, ``"body"`` or ``"topic"``.
        status_hint: The status to answer with: 400, 413, 415, 431 or 505.
        request_id: The request id when it could be read (``b""`` for a
            one-way message), ``None`` when it could not.
        codec: The requester's codec when known, else ``None`` (answer in
            :data:`FALLBACK_CODEC`).
        value: The offending value as an error body shows it (short text, a
            number, or ``None``).
    """

    def __init__(
        self,
        reason: str,
        frame: str = "message",
        status_hint: int = 400,
        request_id: bytes | None = None,
        codec: Codec | None = None,
        value: str | int | None = None,
    ) -> None:
        super().__init__(reason)
        self.frame = frame
        self.status_hint = status_hint
        self.request_id = request_id
        self.codec = codec
        self.value = value

    @property
    def answerable(self) -> bool:
        """Whether a server answers: the request id was read and is not one-way."""
        return bool(self.request_id)


@dataclass(frozen=True, slots=True, repr=False)
class ServiceRequest:
    """One request, checked when built (fields in frame order).

    Attributes:
        codec: Encodes ``headers`` and ``body``; the reply uses it too.
        request_id: Chosen by the client, at most :data:`MAX_REQUEST_ID`
            bytes; empty for a one-way message (no reply).
        verb: ``[A-Z][A-Z0-9_-]*``, at most :data:`MAX_VERB` bytes (``"POST"``).
        path: Text starting with ``/``, without control characters, at most
            :data:`MAX_PATH` bytes of UTF-8.
        headers: Names (non-empty) to values, all text. Do not mutate it.
        body: The encoded body; empty means no body.

    Raises:
        ServiceProtocolError: A field breaks its rule.
    """

    codec: Codec
    request_id: bytes
    verb: str
    path: str
    headers: Headers = field(default_factory=dict)
    body: bytes = b""

    def __post_init__(self) -> None:
        request_id, codec = self.request_id, self.codec
        _check_common(codec, request_id, self.headers, self.body)
        verb, path = self.verb, self.path
        if not (type(verb) is str and verb in _COMMON_VERBS):
            reason = _verb_problem(verb)
            if reason is not None:
                raise ServiceProtocolError(reason, "verb", 400, request_id, codec, _shown(verb))
        if not _plain_path(path):
            reason = _path_problem(path)
            if reason is not None:
                raise ServiceProtocolError(reason, "path", 400, request_id, codec, _shown(path))

    @property
    def one_way(self) -> bool:
        """True when no reply is wanted (an empty request id)."""
        return not self.request_id

    def decode_body(self) -> Any:
        """The body decoded with :attr:`codec`; ``None`` when there is none.

        Raises:
            DecodeError: The body is not valid for the codec.
        """
        return self.codec.decode(self.body) if self.body else None

    def __repr__(self) -> str:
        return (
            f"ServiceRequest({self.codec.name!r}, {self.request_id!r}, {self.verb!r}, "
            f"{self.path!r}, {self.headers!r}, <{len(self.body)} bytes>)"
        )


@dataclass(frozen=True, slots=True, repr=False)
class ServiceReply:
    """One reply, checked when built (fields in frame order).

    Attributes:
        codec: Encodes ``headers`` and ``body``: the requester's codec, or
            :data:`FALLBACK_CODEC` when that was unknown.
        request_id: The id of the request answered (never empty).
        status: 100 to 599, with HTTP's meanings.
        headers: Names (non-empty) to values, all text. Do not mutate it.
        body: The encoded body; empty means no body.

    Raises:
        ServiceProtocolError: A field breaks its rule.
    """

    codec: Codec
    request_id: bytes
    status: int
    headers: Headers = field(default_factory=dict)
    body: bytes = b""

    def __post_init__(self) -> None:
        request_id, status = self.request_id, self.status
        _check_common(self.codec, request_id, self.headers, self.body)
        if not request_id:
            raise ServiceProtocolError("a reply needs the request's id", "request_id")
        if type(status) is not int or not 100 <= status <= 599:
            reason = "the status must be an integer from 100 to 599"
            raise ServiceProtocolError(
                reason, "status", 400, request_id, self.codec, _shown(status)
            )

    @property
    def ok(self) -> bool:
        """True for a 2xx status."""
        return 200 <= self.status <= 299

    def decode_body(self) -> Any:
        """The body decoded with :attr:`codec`; ``None`` when there is none.

        Raises:
            DecodeError: The body is not valid for the codec.
        """
        return self.codec.decode(self.body) if self.body else None

    def __repr__(self) -> str:
        return (
            f"ServiceReply({self.codec.name!r}, {self.request_id!r}, {self.status}, "
            f"{self.headers!r}, <{len(self.body)} bytes>)"
        )


# -- the rules of the fields ---------------------------------------------------------------


def _check_common(codec: Codec, request_id: bytes, headers: Headers, body: bytes) -> None:
    if type(request_id) is not bytes or len(request_id) > MAX_REQUEST_ID:
        reason = f"the request id must be bytes, {MAX_REQUEST_ID} at most"
        raise ServiceProtocolError(reason, "request_id", 400, None, None, _shown(request_id))
    if not isinstance(codec, Codec):
        raise ServiceProtocolError("the codec must be a Codec", "codec", 400, request_id)
    _wire_name(codec, request_id)
    if headers and not _text_map(headers):
        reason = "headers must map text (non-empty names) to text"
        raise ServiceProtocolError(reason, "headers", 400, request_id, codec)
    if type(body) is not bytes:
        reason = "the body must be bytes, encoded with the codec"
        raise ServiceProtocolError(reason, "body", 400, request_id, codec)


def _plain_path(path: object) -> bool:
    """The common case, checked first: a short printable ASCII path."""
    return (
        type(path) is str
        and path.isascii()
        and path[:1] == "/"
        and len(path) <= MAX_PATH
        and path.isprintable()
    )


# The common messages (no headers, plain fields) skip the dataclasses' checks:
# building one through ``__init__`` and ``__post_init__`` is half the time of
# parsing a message. ``new_request`` and ``new_reply`` set the fields as
# ``__init__`` does once they have checked what ``__post_init__`` checks.
_new = object.__new__
_set = object.__setattr__


def _plain(codec: Codec, request_id: bytes, body: bytes) -> bool:
    """Whether the fields every message has pass their rules, cheaply (else: the full checks)."""
    return (
        type(request_id) is bytes
        and len(request_id) <= MAX_REQUEST_ID
        and type(body) is bytes
        and isinstance(codec, Codec)
        and codec.name in _WIRE_NAMES  # a name already checked
    )


def _plain_request(
    codec: Codec, request_id: bytes, verb: str, path: str, headers: Headers, body: bytes
) -> bool:
    """Whether a request's fields pass their rules, cheaply: no headers, a
    common verb, a plain path (else: the dataclass's full checks)."""
    return (
        not headers
        and type(headers) is dict
        and _plain(codec, request_id, body)
        and type(verb) is str
        and verb in _COMMON_VERBS
        and _plain_path(path)
    )


def _checked_request(
    codec: Codec, request_id: bytes, verb: str, path: str, headers: Headers, body: bytes
) -> ServiceRequest:
    """A request whose fields are known to pass their rules, without ``__post_init__``."""
    request: ServiceRequest = _new(ServiceRequest)
    _set(request, "codec", codec)  # as the dataclass's __init__ sets them
    _set(request, "request_id", request_id)
    _set(request, "verb", verb)
    _set(request, "path", path)
    _set(request, "headers", headers)
    _set(request, "body", body)
    return request


def new_request(
    codec: Codec, request_id: bytes, verb: str, path: str, headers: Headers, body: bytes
) -> ServiceRequest:
    """``ServiceRequest(...)``, faster for a request without headers.

    Raises:
        ServiceProtocolError: A field breaks its rule.
    """
    if _plain_request(codec, request_id, verb, path, headers, body):
        return _checked_request(codec, request_id, verb, path, headers, body)
    return ServiceRequest(codec, request_id, verb, path, headers, body)


def new_reply(
    codec: Codec, request_id: bytes, status: int, headers: Headers, body: bytes
) -> ServiceReply:
    """``ServiceReply(...)``, faster for a reply without headers.

    Raises:
        ServiceProtocolError: A field breaks its rule.
    """
    if (
        not headers
        and type(headers) is dict
        and request_id
        and type(status) is int
        and 100 <= status <= 599
        and _plain(codec, request_id, body)
    ):
        reply: ServiceReply = _new(ServiceReply)
        _set(reply, "codec", codec)
        _set(reply, "request_id", request_id)
        _set(reply, "status", status)
        _set(reply, "headers", headers)
        _set(reply, "body", body)
        return reply
    return ServiceReply(codec, request_id, status, headers, body)


def _text_map(headers: object) -> bool:
    if type(headers) is not dict:
        return False
    for name, value in headers.items():
        if not (isinstance(name, str) and isinstance(value, str) and name):
            return False
    return True


def _verb_problem(verb: object) -> str | None:
    if not isinstance(verb, str) or not verb.isascii() or not _VERB.fullmatch(verb):
        return "the verb must match [A-Z][A-Z0-9_-]*"
    return f"the verb must be {MAX_VERB} bytes at most" if len(verb) > MAX_VERB else None


def _path_problem(path: object) -> str | None:
    if not isinstance(path, str) or not path.startswith("/"):
        return "the path must start with /"
    try:
        size = len(path.encode("utf-8"))
    except UnicodeEncodeError:
        return "the path is not valid Unicode"
    if size > MAX_PATH:
        return f"the path must be {MAX_PATH} bytes at most"
    return "the path holds a control character" if _CONTROL.search(path) else None


_WIRE_NAMES: dict[str, bytes] = {}


def wire_name(codec: Codec) -> bytes:
    """The codec frame for ``codec`` (its name, checked once and cached).

    Raises:
        ServiceProtocolError: The name breaks the protocol's rule for codec names.
    """
    return _wire_name(codec)


def _wire_name(codec: Codec, request_id: bytes | None = None) -> bytes:
    name = codec.name
    wire = _WIRE_NAMES.get(name)
    if wire is None:
        if not _valid_name(name):
            reason = f"a codec name must be 1 to {MAX_CODEC_NAME} of a-z 0-9 . _ + -"
            raise ServiceProtocolError(reason, "codec", 400, request_id, None, _shown(name))
        wire = name.encode("ascii")
        if len(_WIRE_NAMES) < 256:  # bounded, though names come from registries, not peers
            _WIRE_NAMES[name] = wire
    return wire


def _valid_name(name: str) -> bool:
    """The protocol's rule for codec names (``_CODEC_NAME`` matches ASCII only)."""
    return len(name) <= MAX_CODEC_NAME and _CODEC_NAME.fullmatch(name) is not None


def _shown(value: object) -> str | int | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value[:_SHOWN]
    return value if type(value) is int else None


# -- parsing ------------------------------------------------------------------------------


def split_envelope(frames: Sequence[bytes]) -> tuple[Sequence[bytes], Sequence[bytes]]:
    """Split what a ROUTER socket received into ``(envelope, request frames)``.

    The request is the last :data:`REQUEST_FRAMES` frames; the envelope is
    everything before them: a DEALER's routing id, a REQ's routing id and empty
    delimiter, or the routing ids of each ROUTER on the way. Send the envelope
    back, unchanged, in front of the reply.

    Raises:
        ServiceProtocolError: Too few frames for an envelope and a request
            (drop the message: it cannot be answered).
    """
    if len(frames) <= REQUEST_FRAMES:
        reason = f"expected routing frames and {REQUEST_FRAMES} request frames"
        raise ServiceProtocolError(reason, value=len(frames))
    return frames[:-REQUEST_FRAMES], frames[-REQUEST_FRAMES:]


def parse_request(
    frames: Sequence[bytes],
    registry: Registry = default_registry,
    max_size: int = MAX_MESSAGE_SIZE,
) -> ServiceRequest:
    """Parse the seven frames of a request (without its envelope).

    Checks run in the order ``docs/protocol.md`` gives: frame count, request
    id, version, codec, size, then verb, path and headers. The body is not
    decoded (see :meth:`ServiceRequest.decode_body`).

    Args:
        frames: The request's frames.
        registry: The codecs this server speaks, found by exact name.
        max_size: The largest total length of the frames accepted.

    Raises:
        ServiceProtocolError: The frames break the protocol: answer with
            :func:`reply_to_error` when it is ``answerable``, else drop the
            message and count it.
    """
    if len(frames) != REQUEST_FRAMES:
        raise ServiceProtocolError(f"a request must be {REQUEST_FRAMES} frames", value=len(frames))
    version, codec_frame, request_id, verb, path, headers, body = frames
    codec = _check_start(frames, version, codec_frame, request_id, registry, max_size)
    try:
        verb_text, path_text = verb.decode("ascii"), path.decode("utf-8")
    except UnicodeDecodeError as exc:
        frame = "verb" if exc.encoding == "ascii" else "path"
        reason = f"the {frame} is not {exc.encoding.upper()}"
        raise ServiceProtocolError(reason, frame, 400, request_id, codec) from None
    decoded = _decode_headers(headers, codec, request_id)
    return new_request(codec, request_id, verb_text, path_text, decoded, body)


# Frames of the common request, as their text: the verbs of _COMMON_VERBS,
# and the codec names that passed their rule (learnt, bounded like _WIRE_NAMES).
_VERB_TEXT = {verb.encode("ascii"): verb for verb in _COMMON_VERBS}
_NAME_TEXT: dict[bytes, str] = {}


def parse_routed(
    frames: Sequence[bytes],
    registry: Registry = default_registry,
    max_size: int = MAX_MESSAGE_SIZE,
) -> tuple[Sequence[bytes], ServiceRequest]:
    """:func:`split_envelope` then :func:`parse_request`, in one step: what
    a server's ROUTER received, as ``(envelope, request)``.

    The common message (a DEALER's routing id, no headers, a common verb,
    a plain path) is checked inline, a third of the work; any other takes
    the two functions, so the answers are theirs.

    Raises:
        ServiceProtocolError: As :func:`split_envelope` and :func:`parse_request`.
    """
    if len(frames) == REQUEST_FRAMES + 1:
        peer, version, codec_frame, request_id, verb, path, headers, body = frames
        name = _NAME_TEXT.get(codec_frame)
        codec = registry.named(name) if name is not None else None
        verb_text = _VERB_TEXT.get(verb)
        if (
            codec is not None
            and verb_text is not None
            and version == VERSION
            and not headers
            and type(request_id) is bytes
            and len(request_id) <= MAX_REQUEST_ID
            and type(body) is bytes
            and type(path) is bytes
            and len(version)
            + len(codec_frame)
            + len(request_id)
            + len(verb)
            + len(path)
            + len(body)
            <= max_size  # the request's frames, as parse_request counts them
            and path.isascii()
        ):
            path_text = path.decode("ascii")
            if _plain_path(path_text):
                request = _checked_request(codec, request_id, verb_text, path_text, {}, body)
                return frames[:1], request
    envelope, request_frames = split_envelope(frames)
    return envelope, parse_request(request_frames, registry, max_size)


def parse_reply(
    frames: Sequence[bytes],
    registry: Registry = default_registry,
    max_size: int = MAX_MESSAGE_SIZE,
) -> ServiceReply:
    """Parse the six frames of a reply (what a DEALER receives).

    Raises:
        ServiceProtocolError: The frames break the protocol; ``request_id``
            says which call failed when it could be read.
    """
    if len(frames) != REPLY_FRAMES:
        raise ServiceProtocolError(f"a reply must be {REPLY_FRAMES} frames", value=len(frames))
    version, codec_frame, request_id, status, headers, body = frames
    if not request_id:
        raise ServiceProtocolError("a reply must have a request id", "request_id")
    codec = _check_start(frames, version, codec_frame, request_id, registry, max_size)
    if len(status) != 3 or not status.isdigit():
        reason = "the status must be three ASCII digits"
        raise ServiceProtocolError(reason, "status", 400, request_id, codec, _shown(status))
    decoded = _decode_headers(headers, codec, request_id)
    return new_reply(codec, request_id, int(status), decoded, body)


def _check_start(
    frames: Sequence[bytes],
    version: bytes,
    codec_frame: bytes,
    request_id: bytes,
    registry: Registry,
    max_size: int,
) -> Codec:
    """The checks every message gets, in order: request id, version, codec, size."""
    if len(request_id) > MAX_REQUEST_ID:
        reason = f"the request id must be {MAX_REQUEST_ID} bytes at most"
        raise ServiceProtocolError(reason, "request_id", 400, None, None, len(request_id))
    if version != VERSION:
        reason = "unsupported protocol version"
        raise ServiceProtocolError(reason, "version", 505, request_id, None, _shown(version))
    codec = None
    if 0 < len(codec_frame) <= MAX_CODEC_NAME and codec_frame.isascii():
        name = codec_frame.decode("ascii")
        try:
            codec = registry.get(name)
        except UnknownCodecError:
            pass
        if codec is not None and codec.name != name:  # a media type, or another case
            codec = None
        elif codec_frame not in _NAME_TEXT and len(_NAME_TEXT) < 256 and _valid_name(name):
            _NAME_TEXT[codec_frame] = name  # for parse_routed
    if codec is None:
        raise ServiceProtocolError(
            "unknown codec", "codec", 415, request_id, None, _shown(codec_frame)
        )
    size = sum(map(len, frames))
    if size > max_size:
        reason = f"the message is {size} bytes, above the limit of {max_size}"
        raise ServiceProtocolError(reason, "message", 413, request_id, codec, size)
    return codec


def _decode_headers(frame: bytes, codec: Codec, request_id: bytes) -> Headers:
    if not frame:
        return {}
    if len(frame) > MAX_HEADERS_SIZE:
        reason = f"the headers frame must be {MAX_HEADERS_SIZE} bytes at most"
        raise ServiceProtocolError(reason, "headers", 431, request_id, codec, len(frame))
    try:
        headers = codec.decode(frame)
    except DecodeError as exc:
        reason = f"undecodable headers: {exc.reason}"
        raise ServiceProtocolError(reason, "headers", 400, request_id, codec) from None
    if type(headers) is not dict:
        raise ServiceProtocolError("headers must be a map", "headers", 400, request_id, codec)
    for name, value in headers.items():
        if type(name) is not str or type(value) is not str:
            # Byte strings hold UTF-8 text: tnetstring has no other strings,
            # and a msgpack writer may use bin. The value object checks the rest.
            try:
                return {_text(name): _text(value) for name, value in headers.items()}
            except UnicodeDecodeError:
                reason = "header names and values must be UTF-8"
                raise ServiceProtocolError(reason, "headers", 400, request_id, codec) from None
    return headers


def _text(value: Any) -> Any:
    return value.decode("utf-8") if type(value) is bytes else value


def parse_event(
    frames: Sequence[bytes],
    registry: Registry = default_registry,
    max_size: int = MAX_MESSAGE_SIZE,
) -> tuple[bytes, ServiceRequest]:
    """Parse what a SUB socket received into ``(topic, request)``.

    Raises:
        ServiceProtocolError: Not a topic and a one-way request (drop it: an
            event is never answered).
    """
    if len(frames) != REQUEST_FRAMES + 1:
        reason = f"an event must be a topic and {REQUEST_FRAMES} frames"
        raise ServiceProtocolError(reason, value=len(frames))
    topic = frames[0]
    if len(topic) > MAX_TOPIC:
        raise ServiceProtocolError(f"the topic must be {MAX_TOPIC} bytes at most", "topic")
    request = parse_request(frames[1:], registry, max_size)
    if not request.one_way:
        raise ServiceProtocolError("an event's request id must be empty", "request_id")
    return topic, request


# -- formatting ---------------------------------------------------------------------------


def format_request(request: ServiceRequest) -> list[bytes]:
    """The seven frames of ``request`` (a DEALER sends them as they are).

    Raises:
        ServiceProtocolError: The headers cannot be encoded with the codec, or
            encode to more than :data:`MAX_HEADERS_SIZE` bytes.
    """
    codec = request.codec
    return [
        VERSION,
        _wire_name(codec),
        request.request_id,
        request.verb.encode("ascii"),
        request.path.encode("utf-8"),
        _encode_headers(request.headers, codec, request.request_id),
        request.body,
    ]


def request_frames(
    codec: Codec, request_id: bytes, verb: str, path: str, headers: Headers, body: bytes
) -> list[bytes]:
    """``format_request(new_request(...))``: the seven frames of a request,
    without building it when it has no headers (a client's usual call).

    Raises:
        ServiceProtocolError: As :func:`new_request` and :func:`format_request`.
    """
    if _plain_request(codec, request_id, verb, path, headers, body):
        wire = _WIRE_NAMES[codec.name]
        return [VERSION, wire, request_id, verb.encode("ascii"), path.encode("ascii"), b"", body]
    return format_request(new_request(codec, request_id, verb, path, headers, body))


def format_reply(reply: ServiceReply) -> list[bytes]:
    """The six frames of ``reply`` (a ROUTER sends the request's envelope first).

    Raises:
        ServiceProtocolError: The headers cannot be encoded, or are too large.
    """
    codec = reply.codec
    return [
        VERSION,
        _wire_name(codec),
        reply.request_id,
        b"%d" % reply.status,
        _encode_headers(reply.headers, codec, reply.request_id),
        reply.body,
    ]


def _encode_headers(headers: Headers, codec: Codec, request_id: bytes) -> bytes:
    if not headers:
        return b""  # no headers: an empty frame, and no encoding at all
    try:
        frame = codec.encode(headers)
    except EncodeError as exc:
        raise ServiceProtocolError(exc.reason, "headers", 400, request_id, codec) from None
    if len(frame) > MAX_HEADERS_SIZE:
        reason = f"the headers frame must be {MAX_HEADERS_SIZE} bytes at most"
        raise ServiceProtocolError(reason, "headers", 431, request_id, codec, len(frame))
    return frame


def format_event(topic: bytes, request: ServiceRequest) -> list[bytes]:
    """The frames a PUB socket sends: ``topic``, then a one-way request.

    Raises:
        ServiceProtocolError: A topic longer than :data:`MAX_TOPIC` bytes, a
            request that is not one-way, or headers that cannot be encoded.
    """
    if type(topic) is not bytes or len(topic) > MAX_TOPIC:
        raise ServiceProtocolError(f"the topic must be bytes, {MAX_TOPIC} at most", "topic")
    if not request.one_way:
        raise ServiceProtocolError("an event's request id must be empty", "request_id")
    return [topic, *format_request(request)]


# -- replies and error replies --------------------------------------------------------------


def reply_to(
    request: ServiceRequest, status: int = 200, body: bytes = b"", headers: Headers | None = None
) -> ServiceReply:
    """The reply to ``request``, in its codec (``body`` already encoded with it).

    Raises:
        ServiceProtocolError: ``request`` is one-way, or the reply breaks a rule.
    """
    if not request.request_id:
        raise ServiceProtocolError("a one-way request gets no reply", "request_id")
    return new_reply(request.codec, request.request_id, status, headers or {}, body)


def error_reply(
    request_id: bytes,
    status: int,
    detail: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    codec: Codec | None = None,
    title: str | None = None,
    members: Mapping[str, Any] | None = None,
) -> ServiceReply:
    """An error reply with the RFC 9457 fields of Brubeck's HTTP error bodies.

    The body is ``{"type": "about:blank", "title", "status", "detail"?,
    "errors"?, **members}`` encoded with ``codec`` (:data:`FALLBACK_CODEC` when
    ``None``); ``errors`` entries are ``{"path", "reason", "value"}``.

    Raises:
        EncodeError: ``errors`` or ``members`` hold a value the codec cannot encode.
        ServiceProtocolError: An empty ``request_id``, or a status out of range.
    """
    problem: dict[str, Any] = {
        "type": "about:blank",
        "title": title or reason_phrase(status),
        "status": status,
    }
    if detail:
        problem["detail"] = detail
    if errors is not None:
        problem["errors"] = errors
    if members:
        problem.update({key: value for key, value in members.items() if key not in problem})
    codec = codec or FALLBACK_CODEC
    return ServiceReply(codec, request_id, status, {}, codec.encode(problem))


def reply_to_error(
    error: ServiceProtocolError, registry: Registry = default_registry
) -> ServiceReply | None:
    """The answer to a request that failed to parse, or ``None`` when none is
    sent (the request id was unreadable, or the request was one-way).

    A 415 lists ``registry``'s codec names as ``supported``; a 505, the versions.
    """
    if not error.request_id:
        return None
    status, title = error.status_hint, None
    members: dict[str, Any] | None = None
    if status == 415:
        members = {"supported": [codec.name for codec in registry]}
    elif status == 505:
        title, members = "Protocol Version Not Supported", {"supported": [VERSION.decode()]}
    entry = {"path": error.frame, "reason": error.reason, "value": error.value}
    return error_reply(error.request_id, status, error.reason, [entry], error.codec, title, members)
