"""Service requests as the app's requests, and its replies as service replies, sans-IO.

What :mod:`brubeck.protocol.wsgi` is to WSGI, this is to ``BRB1``
(``docs/protocol.md``): the app sees the same Mongrel2-shaped
:class:`~brubeck.protocol.mongrel2.Message` it gets from Mongrel2, so one
handler class serves HTTP and raw ZeroMQ alike.

* In: the verb is ``METHOD``, the path ``PATH`` and ``URI``, the service
  headers are client headers (lowercased, as Mongrel2 gives them), and
  ``content-type`` and ``accept`` both name the requester's codec, so a
  ``@typed`` method decodes the body with it and encodes its reply in it.
* Out: the reply's status and headers, less those that only mean something
  to HTTP (``Content-Length``, ``Content-Type``, cookies, hop-by-hop ones),
  and its body in the requester's codec: passed through when it already is,
  otherwise decoded with the codec of its ``Content-Type`` and encoded again;
  ``text/*`` (and a body without a type that is UTF-8) becomes a string,
  other media types the bytes themselves (labelled with a ``content-type``
  header). A
  status of 400 or above always carries the protocol's problem map.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from brubeck.codecs import Codec, Registry, tnetstring
from brubeck.errors import DecodeError, UnknownCodecError
from brubeck.protocol.http import reason_phrase
from brubeck.protocol.mongrel2 import Headers, Message, MessageKind
from brubeck.protocol.service import (
    VERSION,
    ServiceReply,
    ServiceRequest,
    format_reply,
    new_reply,
    wire_name,
)
from brubeck.protocol.wsgi import HOP_BY_HOP

__all__ = ["HTTP_ONLY", "message_from_service", "service_reply", "service_reply_frames"]

#: Reply headers a service reply leaves out: the codec frame says what the
#: body is, ZeroMQ frames carry its length, and there is no cookie jar.
HTTP_ONLY = frozenset({"content-length", "content-type", "set-cookie", *HOP_BY_HOP})
_VERSION = VERSION.decode("ascii")
_PROBLEM_JSON = "application/problem+json"


def message_from_service(request: ServiceRequest) -> Message:
    """The message Mongrel2 would have sent for this service request."""
    media_type = request.codec.content_type
    headers: Headers = {name.lower(): value for name, value in request.headers.items()}
    # The codec frame decides what the body is and what the reply must be;
    # the server's own keys come last, so a client's cannot replace them.
    headers["content-type"] = media_type
    headers["accept"] = media_type
    path = request.path
    headers["METHOD"] = request.verb
    headers["PATH"] = path
    headers["URI"] = path
    headers["VERSION"] = _VERSION
    headers["PATTERN"] = "/"
    return Message("service", "0", path, headers, request.body, MessageKind.HTTP)


def service_reply(
    request: ServiceRequest,
    status: int,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    registry: Registry,
) -> ServiceReply:
    """The service reply carrying an HTTP-shaped reply to ``request``.

    Args:
        request: The request answered (its codec and id are the reply's).
        status: The reply's status.
        headers: The reply's ``(name, value)`` pairs; repeated names are
            joined with ``", "`` (RFC 9110 §5.3).
        body: The reply's body, in the media type its ``Content-Type`` names.
        registry: The app's codecs, to read bodies of other media types.

    Raises:
        DecodeError: A 2xx body does not decode with the codec its
            ``Content-Type`` names.
        EncodeError: The body's value cannot be encoded with the requester's codec.
        ServiceProtocolError: The status or headers break the protocol's rules.
    """
    media_type, kept = _split_headers(headers)
    codec = request.codec
    if status >= 400:
        encoded = _problem(codec, status, media_type, body, registry)
    else:
        encoded = _transcoded(codec, media_type, body, registry, kept)
    return new_reply(codec, request.request_id, status, kept, encoded)


def service_reply_frames(
    request: ServiceRequest,
    status: int,
    headers: list[tuple[str, str]],
    body: bytes,
    registry: Registry,
) -> list[bytes]:
    """``format_reply(service_reply(...))``: the six frames of the reply.

    The common reply (a success whose only header labels its body with the
    requester's codec, a ``@typed`` reply or an echo) is written directly;
    any other takes the two functions.

    Raises:
        What :func:`service_reply` and :func:`~brubeck.protocol.service.format_reply` raise.
    """
    if (
        len(headers) == 1
        and type(status) is int
        and 100 <= status < 400
        and type(body) is bytes
        and request.request_id
    ):
        name, media_type = headers[0]
        codec = request.codec
        if name.lower() == "content-type" and _codec_for(media_type, registry) is codec:
            return [VERSION, wire_name(codec), request.request_id, b"%d" % status, b"", body]
    return format_reply(service_reply(request, status, headers, body, registry))


def _split_headers(pairs: Iterable[tuple[str, str]]) -> tuple[str | None, dict[str, str]]:
    media_type = None
    kept: dict[str, str] = {}
    for name, value in pairs:
        lowered = name.lower()
        if lowered in HTTP_ONLY:
            if lowered == "content-type":
                media_type = value
            continue
        previous = kept.get(lowered)
        kept[lowered] = value if previous is None else f"{previous}, {value}"
    return media_type, kept


def _transcoded(
    codec: Codec, media_type: str | None, body: bytes, registry: Registry, headers: dict[str, str]
) -> bytes:
    if not body:
        return b""
    source = _codec_for(media_type, registry)
    if source is codec:
        return body  # the common case: a @typed reply, already in the requester's codec
    if source is not None:
        return codec.encode(_decode(source, body))
    if media_type is None:
        return codec.encode(_unlabelled(body))
    if _essence(media_type).startswith("text/"):
        return codec.encode(_text(body, media_type))
    headers["content-type"] = media_type  # opaque bytes: say what they are
    return codec.encode(body)


_PROBLEM_TEXT = frozenset({"type", "title"})


def _problem(
    codec: Codec, status: int, media_type: str | None, body: bytes, registry: Registry
) -> bytes:
    """The error body: the reply's problem map, or one built around what it sent."""
    if codec.name == "json" and media_type is not None and _essence(media_type) == _PROBLEM_JSON:
        return body  # the app's own error bodies, already what the protocol says
    problem: dict[str, Any] = {"type": "about:blank", "title": reason_phrase(status)}
    problem["status"] = status
    value = _error_value(media_type, body, registry)
    if isinstance(value, dict):
        # A problem map keeps its members, others become extensions; but the
        # status is the reply's, and type and title stay strings (RFC 9457 §3.1).
        problem.update(
            (key, member)
            for key, member in value.items()
            if key != "status" and (key not in _PROBLEM_TEXT or isinstance(member, str))
        )
    elif isinstance(value, str):
        detail = _detail(value, status, problem["title"])
        if detail:
            problem["detail"] = detail
    elif value is not None:
        problem["body"] = value
    return codec.encode(problem)


def _error_value(media_type: str | None, body: bytes, registry: Registry) -> Any:
    if not body:
        return None
    source = _codec_for(media_type, registry)
    if source is not None:
        try:
            return _decode(source, body)
        except DecodeError:
            pass  # an error already: show what was sent rather than fail again
    elif media_type is None:
        return _unlabelled(body)
    elif not _essence(media_type).startswith("text/"):
        return body
    return _text(body, media_type or "text/plain")


def _unlabelled(body: bytes) -> str | bytes:
    """A body without a ``Content-Type`` (0.4's ``set_body("text")``): its
    text when it is UTF-8, else its bytes."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body


def _detail(text: str, status: int, title: str) -> str:
    """The text of an error body, without the ``"404 Not Found"`` line that
    ``error_format="text"`` starts it with."""
    lines = text.strip().splitlines()
    if lines and lines[0].strip() == f"{status} {title}":
        lines = lines[1:]
    return "\n".join(lines).strip()


def _codec_for(media_type: str | None, registry: Registry) -> Codec | None:
    if not media_type:
        return None
    try:
        return registry.for_content_type(media_type)
    except UnknownCodecError:
        return None


def _decode(codec: Codec, body: bytes) -> Any:
    if codec.name == "tnetstring":
        # tnetstring strings are bytes; a document's strings are text (UTF-8).
        try:
            return tnetstring.decode(body, text=True)
        except DecodeError:
            pass
    return codec.decode(body)


def _text(body: bytes, media_type: str) -> str:
    charset = "utf-8"
    for parameter in media_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    try:
        return body.decode(charset, "replace")
    except LookupError:  # a charset Python does not know
        return body.decode("utf-8", "replace")


def _essence(media_type: str) -> str:
    return media_type.partition(";")[0].strip().lower()
