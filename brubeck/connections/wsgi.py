"""Serving without Mongrel2: the app on the backend's own WSGI server.

``WSGIConnection(port=6767)`` runs ``eventlet.wsgi`` or ``gevent.pywsgi``
(whichever backend the app runs on) with the app's WSGI callable,
:meth:`brubeck.app.Brubeck.wsgi`; the same handlers give the same replies as
behind Mongrel2. It listens on 127.0.0.1 unless told otherwise (Brubeck 0.4
listened on every interface).
"""

from __future__ import annotations

import logging
from typing import Any

from brubeck.concurrency import Backend, WorkerPool, WSGIServer
from brubeck.connections.base import Connection

__all__ = ["WSGIConnection"]

log = logging.getLogger("brubeck.connections")


class WSGIConnection(Connection):
    """Serves an app over HTTP by itself.

    Args:
        port: The TCP port (0: any free one; see :attr:`address` once open).
        host: The address to listen on.
        shutdown_timeout: How long requests in flight get to finish on stop.
    """

    def __init__(
        self, port: int = 6767, host: str = "127.0.0.1", *, shutdown_timeout: float = 10.0
    ) -> None:
        super().__init__()
        self.port = port
        self.host = host
        self.shutdown_timeout = shutdown_timeout
        self.address: tuple[str, int] | None = None
        self._server: WSGIServer | None = None
        self._stopping = False

    def __repr__(self) -> str:
        return f"WSGIConnection(port={self.port!r}, host={self.host!r})"

    @property
    def url(self) -> str:
        """Where it serves, e.g. ``http://127.0.0.1:6767/`` (once open)."""
        host, port = self.address or (self.host, self.port)
        return f"http://{host}:{port}/"

    def open(self, backend: Backend, app: Any = None, size: int = 1000) -> None:
        """Bind the listening socket (the app is attached when serving starts)."""
        self.backend = backend
        self._app = app

        def application(environ: dict[str, Any], start_response: Any) -> list[bytes]:
            return self._app.wsgi(environ, start_response)  # type: ignore[no-any-return]

        self._server = backend.wsgi_server(self.host, self.port, application, size)
        self.address = self._server.address

    def serve(self, app: Any, pool: WorkerPool) -> None:
        """Serve ``app.wsgi`` until :meth:`stop`; at most ``pool.size`` requests at once."""
        if self._server is None:
            self.open(pool.backend, app, pool.size)
        self._app = app
        if self._stopping:
            return
        log.info("serving on %s", self.url)
        self._server.serve_forever()  # type: ignore[union-attr]

    def stop(self) -> None:
        """Stop accepting; requests in flight get ``shutdown_timeout`` seconds."""
        if self._stopping:
            return
        self._stopping = True
        if self._server is not None:
            self._server.stop(self.shutdown_timeout)

    def shutdown(self) -> None:
        """Stop (the server closes its socket itself)."""
        self.stop()
