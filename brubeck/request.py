"""Brubeck 0.4's ``brubeck.request``: the ``Request`` class (now
:class:`brubeck.protocol.request.Request`)."""

from __future__ import annotations

from brubeck.protocol.request import CookieValue, Request

__all__ = ["CookieValue", "Request"]
