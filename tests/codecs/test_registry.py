"""brubeck.codecs.registry and the module-level default registry."""

from __future__ import annotations

import pytest

from brubeck import codecs
from brubeck.codecs import Codec, Registry
from brubeck.errors import CodecError, NotAcceptableError, UnknownCodecError


def _text_codec(name: str = "text", *types: str) -> Codec:
    return Codec(name, types or ("text/plain",), lambda value: str(value).encode(), bytes.decode)


def test_default_registry_order_and_names() -> None:
    assert [codec.name for codec in codecs.default_registry] == ["json", "msgpack", "tnetstring"]
    assert len(codecs.default_registry) == 3


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("json", "json"),
        ("JSON", "json"),
        ("application/json", "json"),
        ("Application/JSON; charset=utf-8", "json"),
        ("application/vnd.api+json; ext=x", "json"),
        ("msgpack", "msgpack"),
        ("application/msgpack", "msgpack"),
        ("application/x-msgpack", "msgpack"),
        ("application/vnd.thing+msgpack", "msgpack"),
        ("tnetstring", "tnetstring"),
        ("application/x-tnetstring", "tnetstring"),
    ],
)
def test_get_by_name_or_content_type(key: str, name: str) -> None:
    assert codecs.get(key).name == name
    assert key in codecs.default_registry


@pytest.mark.parametrize("key", ["xml", "application/xml", "text/json", "", "json/", "+json"])
def test_unknown_keys(key: str) -> None:
    with pytest.raises(UnknownCodecError) as caught:
        codecs.get(key)
    assert isinstance(caught.value, CodecError)
    assert key not in codecs.default_registry


def test_an_app_owns_its_registry() -> None:
    own = codecs.default_registry.copy()
    own.register(_text_codec())
    assert own.get("text/plain").name == "text"
    assert "text" not in codecs.default_registry
    empty = Registry()
    with pytest.raises(UnknownCodecError):
        empty.get("json")


def test_register_replaces_a_codec_of_the_same_name_in_place() -> None:
    own = Registry([codecs.get("json"), _text_codec("text", "text/plain", "text/x-old")])
    replacement = _text_codec("text", "text/plain")
    assert own.register(replacement) is replacement
    assert [codec.name for codec in own] == ["json", "text"]
    assert own.get("text") is replacement
    with pytest.raises(UnknownCodecError):
        own.get("text/x-old")


def test_for_content_type() -> None:
    assert codecs.for_content_type("application/json; charset=utf-8").name == "json"
    for header in [None, "", "json", "application/xml", "garbage"]:
        with pytest.raises(UnknownCodecError):
            codecs.for_content_type(header)


@pytest.mark.parametrize(
    ("accept", "name"),
    [
        (None, "json"),
        ("", "json"),
        ("*/*", "json"),
        ("application/*", "json"),
        ("application/msgpack", "msgpack"),
        ("application/x-tnetstring, application/msgpack", "msgpack"),  # tie: server order
        ("application/msgpack;q=0.5, application/json;q=0.4", "msgpack"),
        ("application/json;q=0, */*", "msgpack"),  # the specific range wins over */*
        ("*/*;q=0.1, application/x-tnetstring", "tnetstring"),
        ("text/html, application/xhtml+xml, */*;q=0.8", "json"),
        ("application/msgpack;q=abc", "json"),  # malformed range skipped; none left
        ("application/msgpack;q=2, application/x-tnetstring", "tnetstring"),
        ("APPLICATION/MSGPACK", "msgpack"),
    ],
)
def test_for_accept(accept: str | None, name: str) -> None:
    assert codecs.for_accept(accept).name == name


@pytest.mark.parametrize(
    "accept",
    ["text/html", "application/json;q=0", "image/*", "application/problem+json"],
)
def test_for_accept_not_acceptable(accept: str) -> None:
    with pytest.raises(NotAcceptableError):
        codecs.for_accept(accept)


@pytest.mark.parametrize(
    ("accept", "name", "label"),
    [
        (None, "json", "application/json"),
        ("application/msgpack;q=0, application/x-msgpack", "msgpack", "application/x-msgpack"),
        ("*/*;q=0, application/x-msgpack", "msgpack", "application/x-msgpack"),
        ("application/tnetstring", "tnetstring", "application/tnetstring"),
        ("application/*", "json", "application/json"),
    ],
)
def test_negotiate_labels_the_reply_with_a_type_the_client_accepts(
    accept: str | None, name: str, label: str
) -> None:
    codec, media_type = codecs.negotiate(accept)
    assert (codec.name, media_type) == (name, label)


def test_for_accept_with_a_handlers_preference() -> None:
    assert codecs.for_accept("*/*", preferred=["msgpack", "json"]).name == "msgpack"
    assert codecs.for_accept("application/json", preferred=["msgpack", "json"]).name == "json"
    with pytest.raises(NotAcceptableError):
        codecs.for_accept("application/json", preferred=["msgpack"])
    with pytest.raises(NotAcceptableError):
        Registry().for_accept(None)


def test_codecs_round_trip_through_the_registry() -> None:
    for codec in codecs.default_registry:
        assert codec.decode(codec.encode([1, 2])) == [1, 2]


def test_cached_answers_follow_registration() -> None:
    from brubeck.codecs import Codec, Registry
    from brubeck.codecs import json as json_codec

    registry = Registry([json_codec.CODEC])
    assert registry.negotiate("application/x-custom, */*;q=0.1")[0].name == "json"
    assert registry.for_content_type("application/json") is json_codec.CODEC
    custom = Codec("custom", ("application/x-custom",), lambda value: b"", lambda data: None)
    registry.register(custom)
    assert registry.negotiate("application/x-custom, */*;q=0.1")[0] is custom
    replacement = Codec("json", ("application/json",), lambda value: b"", lambda data: None)
    registry.register(replacement)
    assert registry.for_content_type("application/json") is replacement


def test_the_answer_cache_is_bounded() -> None:
    from brubeck.codecs import registry as registry_module

    registry = registry_module.Registry(registry_module.Registry())
    from brubeck.codecs import default_registry

    registry = default_registry.copy()
    for index in range(registry_module._CACHE_SIZE * 3):
        registry.negotiate(f"application/json;q=0.{index % 9 + 1}, x/y{index}")
    assert len(registry._negotiated) <= registry_module._CACHE_SIZE
