"""Codecs: how values cross a socket as bytes.

Three are registered by default, in this order of preference: ``json``
(``application/json`` and ``application/*+json``), ``msgpack``
(``application/msgpack``, ``application/x-msgpack``) and ``tnetstring``
(``application/x-tnetstring``)::

    from brubeck import codecs

    codec = codecs.get("application/json; charset=utf-8")
    codec.decode(codec.encode({"take": 5}))

``get`` and ``register`` act on the module's default registry; an app that
wants codecs of its own builds a :class:`Registry` (``default_registry.copy()``).
"""

from __future__ import annotations

from brubeck.codecs import json, msgpack, tnetstring
from brubeck.codecs.base import MAX_SIZE, Codec
from brubeck.codecs.registry import Registry

__all__ = [
    "MAX_SIZE",
    "Codec",
    "Registry",
    "default_registry",
    "for_accept",
    "for_content_type",
    "get",
    "json",
    "msgpack",
    "negotiate",
    "register",
    "tnetstring",
]

#: The registry behind :func:`get` and :func:`register`.
default_registry = Registry([json.CODEC, msgpack.CODEC, tnetstring.CODEC])

get = default_registry.get
register = default_registry.register
for_content_type = default_registry.for_content_type
for_accept = default_registry.for_accept
negotiate = default_registry.negotiate
