"""Connections: the sockets between Mongrel2 (or service clients) and the app,
and the client that calls services.

Importing this package imports no ZeroMQ; sockets open when the app runs (or
when a :class:`ServiceClient` is made).
"""

from __future__ import annotations

from brubeck.connections.base import Connection
from brubeck.connections.client import ReplyFuture, ServiceClient, ServiceResponse
from brubeck.connections.mongrel2 import Mongrel2Connection
from brubeck.connections.service import ServiceConnection
from brubeck.connections.wsgi import WSGIConnection

__all__ = [
    "Connection",
    "Mongrel2Connection",
    "ReplyFuture",
    "ServiceClient",
    "ServiceConnection",
    "ServiceResponse",
    "WSGIConnection",
]
