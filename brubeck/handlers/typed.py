"""Typed bodies and replies: ``@typed(body=Doc, reply=Doc)`` on a verb method.

::

    class Signups(JSONMessageHandler):
        @typed(body=Signup, reply=Account, status=201)
        def post(self, signup: Signup) -> Account:
            return Account(name=signup.name)

The body is decoded with the codec its ``Content-Type`` names (JSON when
absent), validated into ``body`` and passed as the first argument; the
reply codec is chosen from ``Accept`` *before* the method runs, so a 406
has no side effects. A reply document is validated before it is sent: a
handler that builds an invalid reply gets a 500, never a malformed answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from brubeck.codecs import Codec, Registry, default_registry, json, tnetstring
from brubeck.errors import (
    DecodeError,
    EncodeError,
    HTTPError,
    NotAcceptableError,
    ShieldDocException,
    UnknownCodecError,
)
from brubeck.handlers.base import RENDER_KEYS, Close, Reply
from brubeck.models import BaseDocument
from brubeck.protocol.request import Request

__all__ = [
    "ReplyValidationError",
    "TypedSpec",
    "decode_body",
    "codecs_of",
    "encode_reply",
    "is_final",
    "prepare",
    "run_typed_function",
    "typed",
]

F = TypeVar("F", bound=Callable[..., Any])

#: The attribute of a verb method that holds its :class:`TypedSpec`.
TYPED_ATTRIBUTE = "__brubeck_typed__"
_ATTRIBUTE = TYPED_ATTRIBUTE


class ReplyValidationError(RuntimeError):
    """A handler returned a reply that its declared document rejects (a 500)."""


@dataclass(frozen=True, slots=True)
class TypedSpec:
    """What a verb method declared with :func:`typed`."""

    body: type[BaseDocument] | None
    reply: type[BaseDocument] | None
    status: int
    check_reply: bool


def typed(
    body: type[BaseDocument] | None = None,
    reply: type[BaseDocument] | None = None,
    status: int = 200,
    check_reply: bool = True,
) -> Callable[[F], F]:
    """Declare a verb method's body document, reply document and success status.

    Args:
        body: The document the request body must satisfy; the method gets it
            as its first argument after ``self``.
        reply: The document the method returns (an instance, or a dict that
            validates into one). Without it, any value the codec can encode
            is sent as is.
        status: The status of a successful reply.
        check_reply: Validate the reply document before sending it.
    """
    spec = TypedSpec(body, reply, status, check_reply)

    def mark(method: F) -> F:
        setattr(method, _ATTRIBUTE, spec)
        return method

    return mark


def spec_of(method: Callable[..., Any]) -> TypedSpec | None:
    """The :class:`TypedSpec` of a (bound) method, if it was declared."""
    spec = getattr(method, _ATTRIBUTE, None)
    return spec if isinstance(spec, TypedSpec) else None


def reply_codec(codecs: Registry, accept: str | None) -> tuple[Codec, str]:
    """The codec and media type for the reply, from ``Accept``.

    Raises:
        HTTPError: 406, listing what the server can send.
    """
    try:
        return codecs.negotiate(accept)
    except NotAcceptableError:
        raise HTTPError(
            406, "No acceptable media type", {"available": _media_types(codecs)}
        ) from None


def _media_types(codecs: Registry) -> list[str]:
    return [media for codec in codecs for media in codec.content_types]


def codecs_of(app: Any) -> Registry:
    """The app's codec registry (the default one if it has none)."""
    registry = getattr(app, "codecs", None)
    return registry if isinstance(registry, Registry) else default_registry


def prepare(spec: TypedSpec, codecs: Registry, request: Any) -> tuple[Codec, str, tuple[Any, ...]]:
    """Before a typed method runs: the reply codec and media type (a 406
    first, so nothing runs for a client that cannot read the answer), and
    the arguments to pass first (the validated body, if declared)."""
    if type(request) is Request:  # the usual request: one value each, read directly
        headers = request.message.headers
        accept = headers.get("accept")
        content_type = headers.get("content-type")
        if isinstance(accept, list) or isinstance(content_type, list):
            accept, content_type = request.accept, request.content_type
    else:
        accept, content_type = request.accept, request.content_type
    try:
        codec, media_type = codecs.negotiate(accept)
    except NotAcceptableError:
        raise HTTPError(
            406, "No acceptable media type", {"available": _media_types(codecs)}
        ) from None
    if spec.body is None:
        return codec, media_type, ()
    return codec, media_type, (decode_body(codecs, content_type, request.body, spec.body),)


def is_final(spec: TypedSpec, result: Any) -> bool:
    """Whether a typed method's result is already a reply (``None``, a
    ``Reply``/``Close``, or 0.4's render dict when no reply document is declared)."""
    if result is None or isinstance(result, Reply | Close):
        return True
    return spec.reply is None and isinstance(result, dict) and RENDER_KEYS <= result.keys()


def decode_body(
    codecs: Registry, content_type: str | None, body: bytes, model: type[BaseDocument]
) -> Any:
    """Decode and validate a request body into ``model``.

    Raises:
        HTTPError: 415 for a media type no codec reads, 400 for bytes that do
            not decode or a document that does not validate (every error and
            its path in ``detail``).
    """
    try:
        codec = codecs.for_content_type(content_type) if content_type else codecs.get("json")
    except UnknownCodecError:
        raise HTTPError(
            415, f"Unsupported media type {content_type!r}", {"supported": _media_types(codecs)}
        ) from None
    try:
        if codec.name == "json":  # the usual body: msgspec decodes and checks in one pass
            return model.from_json(body)
        special = _DOCUMENT_DECODERS.get(codec.name)
        if special is not None:
            return special(model, body)
        return model.from_primitive(codec.decode(body))
    except DecodeError as exc:
        raise HTTPError(400, f"Undecodable {codec.name} body", [_decode_error(exc)]) from None
    except ShieldDocException as exc:
        errors = exc.to_primitive()
        undecodable = len(errors) == 1 and errors[0]["reason"].startswith("Invalid JSON")
        detail = f"Undecodable {codec.name} body" if undecodable else f"Invalid {model.__name__}"
        raise HTTPError(400, detail, errors) from None


def _from_tnetstring(model: type[BaseDocument], body: bytes) -> BaseDocument:
    # A document's strings are text: byte strings must be UTF-8 (else a 400).
    return model.from_primitive(tnetstring.decode(body, text=True))


# Codecs other than JSON (which decode_body reads with from_json) with a
# better way to build a document than decode + from_primitive.
_DOCUMENT_DECODERS: dict[str, Callable[[type[BaseDocument], bytes], BaseDocument]] = {
    "tnetstring": _from_tnetstring,
}


def _decode_error(exc: DecodeError) -> dict[str, Any]:
    return {"path": "$", "reason": exc.reason, "offset": exc.offset}


def encode_reply(spec: TypedSpec, codec: Codec, result: Any) -> bytes:
    """Check ``result`` against the declared reply and encode it.

    The check reads the data about to be sent (what the client will get
    must satisfy the document), with the same compiled validation as
    request bodies.

    Raises:
        ReplyValidationError: The reply does not satisfy its document.
    """
    model = spec.reply
    if model is None:
        return codec.encode(_primitive(result))
    if type(result) is model and codec.encode is json.encode:
        # A body handed back unchanged: valid as it was checked, and written
        # from its wire struct (the bytes the general path below would send).
        text = result._unchanged_json()
        if text is not None:
            return text
    if isinstance(result, dict):
        result = _checked(model, result)  # validated here, so not checked again below
    elif not isinstance(result, model):
        raise ReplyValidationError(
            f"declared reply={model.__name__}, returned {type(result).__name__}"
        )
    elif spec.check_reply:
        primitive = result.to_primitive()
        if codec.encode is json.encode:
            text = _valid_json(model, primitive)
            if text is not None:
                return text  # the very bytes that were checked
        else:  # what JSON text shows of the data is not what another codec sends
            _checked(model, primitive)
        return codec.encode(primitive)
    return codec.encode(result.to_primitive())


def _valid_json(model: type[BaseDocument], primitive: dict[str, Any]) -> bytes | None:
    """Check a JSON reply's primitive data against ``model``; its JSON text
    when that is how it was checked, else None.

    What is checked is the text the client gets: a value JSON writes in
    another form is checked in that form (a non-finite float is ``null``, a
    UUID or a datetime in a string field is its text, an int dict key a
    string), where the generic path would refuse the value itself.

    The JSON text goes through the model's typed checker (the typed
    decoder's msgspec struct, in C, without building documents), which
    accepts only what the generic path accepts; anything it refuses,
    and data JSON cannot carry, is decided by the generic path.

    Raises:
        ReplyValidationError: The reply does not satisfy its document.
    """
    try:
        text = json.encode(primitive)
    except EncodeError:
        text = None
    if text is not None and model._typed_accepts_json(text):
        return text
    _checked(model, primitive)
    return None


def _checked(model: type[BaseDocument], data: dict[str, Any]) -> BaseDocument:
    try:
        return model.from_primitive(data)
    except ShieldDocException as exc:
        raise ReplyValidationError(f"invalid {model.__name__} reply: {exc}") from exc


def run_typed_function(
    app: Any,
    function: Callable[..., Any],
    spec: TypedSpec,
    request: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    """Run a ``@typed`` function route: ``function(app, request, body, *args, **kwargs)``."""
    codec, media_type, extra = prepare(spec, codecs_of(app), request)
    result = function(app, request, *extra, *args, **kwargs)
    if is_final(spec, result):
        return result
    return Reply(spec.status, [("Content-Type", media_type)], encode_reply(spec, codec, result))


def _primitive(value: Any) -> Any:
    if isinstance(value, BaseDocument):
        return value.to_primitive()
    if isinstance(value, list | tuple):
        return [_primitive(item) for item in value]
    return value
