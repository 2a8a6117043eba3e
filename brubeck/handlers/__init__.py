"""Handlers: one instance per request, a method per verb.

``MessageHandler`` (a JSON payload with status and timestamp),
``WebMessageHandler`` (Tornado-style HTTP), ``JSONMessageHandler`` (the
payload as ``application/json``), and ``typed`` to declare the document a
verb's body must satisfy and the document it replies with.
"""

from __future__ import annotations

from brubeck.handlers.base import HTTP_METHODS, Close, JSONText, MessageHandler, Reply
from brubeck.handlers.json import JSONMessageHandler
from brubeck.handlers.typed import ReplyValidationError, typed
from brubeck.handlers.web import WebMessageHandler, http_response, render

__all__ = [
    "HTTP_METHODS",
    "Close",
    "JSONMessageHandler",
    "JSONText",
    "MessageHandler",
    "Reply",
    "ReplyValidationError",
    "WebMessageHandler",
    "http_response",
    "render",
    "typed",
]
