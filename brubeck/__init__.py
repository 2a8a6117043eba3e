"""Brubeck: fast message handlers behind Mongrel2 and on raw ZeroMQ.

Importing ``brubeck`` is cheap and side-effect free: it never imports zmq,
eventlet or gevent, and never monkey-patches anything.
"""

from __future__ import annotations

from brubeck._version import __version__

__all__ = ["__version__"]
