"""Connections: the sockets between Mongrel2 (or service clients) and the app.

Importing this package imports no ZeroMQ; sockets open when the app runs.
"""

from __future__ import annotations

from brubeck.connections.base import Connection
from brubeck.connections.mongrel2 import Mongrel2Connection
from brubeck.connections.wsgi import WSGIConnection

__all__ = ["Connection", "Mongrel2Connection", "WSGIConnection"]
