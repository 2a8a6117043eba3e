"""Brubeck 0.4's ``brubeck.request_handling`` names, on the new modules.

New code imports from :mod:`brubeck.app`, :mod:`brubeck.handlers` and
:mod:`brubeck.protocol.cookies`; this module keeps old imports working.
"""

from __future__ import annotations

from brubeck.app import Brubeck
from brubeck.autoapi import JsonSchemaMessageHandler
from brubeck.errors import HTTPError
from brubeck.handlers import (
    HTTP_METHODS,
    JSONMessageHandler,
    MessageHandler,
    WebMessageHandler,
    http_response,
    render,
    typed,
)
from brubeck.protocol.cookies import cookie_decode, cookie_encode, cookie_is_encoded
from brubeck.queryset import FourOhFourException

__all__ = [
    "HTTP_METHODS",
    "Brubeck",
    "FourOhFourException",
    "HTTPError",
    "JSONMessageHandler",
    "JsonSchemaMessageHandler",
    "MessageHandler",
    "WebMessageHandler",
    "cookie_decode",
    "cookie_encode",
    "cookie_is_encoded",
    "http_response",
    "render",
    "typed",
]
