"""Connections: the sockets between Mongrel2 (or service clients) and the app,
and the clients that call services and publish events.

Importing this package imports no ZeroMQ; sockets open when the app runs (or
when a :class:`ServiceClient` or a :class:`Publisher` is made).
"""

from __future__ import annotations

from brubeck.connections.base import Connection
from brubeck.connections.client import ReplyFuture, ServiceClient, ServiceResponse
from brubeck.connections.curve import CurveClient, CurveServer
from brubeck.connections.mongrel2 import Mongrel2Connection
from brubeck.connections.oneway import PullConnection, SubscriberConnection
from brubeck.connections.publisher import Publisher
from brubeck.connections.service import ServiceConnection
from brubeck.connections.wsgi import WSGIConnection

__all__ = [
    "Connection",
    "CurveClient",
    "CurveServer",
    "Mongrel2Connection",
    "Publisher",
    "PullConnection",
    "ReplyFuture",
    "ServiceClient",
    "ServiceConnection",
    "ServiceResponse",
    "SubscriberConnection",
    "WSGIConnection",
]
