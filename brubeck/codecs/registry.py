"""A registry of codecs keyed by name and media type, owned by whoever needs
one: the module-level default, or an app with codecs of its own."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from brubeck.codecs.base import Codec
from brubeck.codecs.negotiation import parse_accept, parse_media_type, quality
from brubeck.errors import NotAcceptableError, UnknownCodecError

__all__ = ["Registry"]

# Answers cached per header text: clients send a handful of distinct Accept
# and Content-Type values, so parsing each request's header again is waste.
# Bounded, so a client sending endless variants cannot grow memory.
_CACHE_SIZE = 256


class Registry:
    """Codecs by name (``"json"``) and media type (``"application/json"``).

    Registration order is the server's preference when negotiating.
    """

    def __init__(self, codecs: Iterable[Codec] = ()) -> None:
        self._by_name: dict[str, Codec] = {}
        self._by_type: dict[str, Codec] = {}
        self._negotiated: dict[str | None, tuple[Codec, str]] = {}
        self._content_types: dict[str, Codec] = {}
        for codec in codecs:
            self.register(codec)

    def register(self, codec: Codec) -> Codec:
        """Add ``codec``, replacing any codec of the same name; return it.

        A replaced codec keeps its place in the preference order.
        """
        old = self._by_name.get(codec.name)
        if old is not None:
            self._by_type = {t: c for t, c in self._by_type.items() if c is not old}
        self._by_name[codec.name] = codec
        for media_type in codec.content_types:
            self._by_type[media_type] = codec
        self._negotiated.clear()
        self._content_types.clear()
        return codec

    def copy(self) -> Registry:
        """An independent registry with the same codecs, in the same order."""
        return Registry(self)

    def __iter__(self) -> Iterator[Codec]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._find(key) is not None

    def get(self, name_or_content_type: str) -> Codec:
        """Look a codec up by name or by media type (parameters ignored).

        ``application/<anything>+json`` finds the codec of ``application/json``
        (RFC 6839 structured-syntax suffixes), likewise for other suffixes.

        Raises:
            UnknownCodecError: Nothing is registered under that key.
        """
        codec = self._by_name.get(name_or_content_type) or self._find(name_or_content_type)
        if codec is None:
            raise UnknownCodecError(f"no codec registered for {name_or_content_type!r}")
        return codec

    def named(self, name: str) -> Codec | None:
        """The codec registered under exactly ``name`` (not a media type), or None."""
        return self._by_name.get(name)

    def for_content_type(self, header: str | None) -> Codec:
        """The codec for a request's ``Content-Type`` header value.

        Raises:
            UnknownCodecError: The header is missing, malformed, or names a
                media type no codec handles (HTTP maps this to 415).
        """
        cached = self._content_types.get(header) if header else None
        if cached is not None:
            return cached
        parsed = parse_media_type(header) if header else None
        codec = self._find_media_type(*parsed) if parsed else None
        if codec is None:
            raise UnknownCodecError(f"unsupported content type {header!r}")
        _remember(self._content_types, header, codec)
        return codec

    def negotiate(
        self, header: str | None, preferred: Sequence[str] | None = None
    ) -> tuple[Codec, str]:
        """The codec to encode a reply with, and the media type to label it,
        given a request's ``Accept`` header.

        Every media type of every codec is scored by the quality of the most
        specific range that matches it; the best wins, ties going to the
        server's preference: ``preferred`` (codec names) if given, else
        registration order, then the codec's own order of media types. A
        missing header, or one with no well-formed range, accepts anything.

        Raises:
            NotAcceptableError: No media type gets a quality above 0 (HTTP 406).
        """
        if preferred is None:
            cached = self._negotiated.get(header)
            if cached is not None:
                return cached
            answer = self._negotiate(header, list(self))
            _remember(self._negotiated, header, answer)
            return answer
        return self._negotiate(header, [self.get(name) for name in preferred])

    def _negotiate(self, header: str | None, candidates: list[Codec]) -> tuple[Codec, str]:
        ranges = parse_accept(header) if header else []
        if not ranges:
            if not candidates:
                raise NotAcceptableError("no codecs registered")
            return candidates[0], candidates[0].content_type
        best: tuple[Codec, str] | None = None
        best_quality = 0.0
        for codec in candidates:
            for media_type in codec.content_types:
                kind, _, subtype = media_type.partition("/")
                weight = quality(ranges, kind, subtype)
                if weight > best_quality:
                    best, best_quality = (codec, media_type), weight
        if best is None:
            raise NotAcceptableError(f"no codec satisfies Accept: {header}")
        return best

    def for_accept(self, header: str | None, preferred: Sequence[str] | None = None) -> Codec:
        """The codec :meth:`negotiate` picks (label replies with
        ``negotiate(...)[1]`` to echo the media type the client asked for).

        Raises:
            NotAcceptableError: Nothing acceptable (HTTP 406).
        """
        return self.negotiate(header, preferred)[0]

    def _find(self, key: str) -> Codec | None:
        codec = self._by_name.get(key.strip().lower())
        if codec is None and "/" in key:
            parsed = parse_media_type(key)
            codec = self._find_media_type(*parsed) if parsed else None
        return codec

    def _find_media_type(self, kind: str, subtype: str) -> Codec | None:
        codec = self._by_type.get(f"{kind}/{subtype}")
        if codec is None and "+" in subtype:
            codec = self._by_type.get(f"{kind}/{subtype.rpartition('+')[2]}")
        return codec


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    if len(cache) >= _CACHE_SIZE:
        cache.clear()  # simple and bounded; the common values come back at once
    cache[key] = value
