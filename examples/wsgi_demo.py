"""Without Mongrel2: Brubeck 0.4's ``demo_wsgi`` on this API.

The app is given a ``WSGIConnection`` instead of a Mongrel2 one, as in 0.4,
so ``app.run()`` serves HTTP by itself on port 6767, with the concurrency
backend's WSGI server (``eventlet.wsgi``, or ``gevent.pywsgi``). It listens on
127.0.0.1 (0.4 listened on every interface). ``app.wsgi`` is also a plain WSGI
callable (PEP 3333) for any other server. The handlers are the ones that run
behind Mongrel2, and give the same replies.

Run it with ``python examples/wsgi_demo.py``: one request through the
standard library's ``wsgiref`` server, then the same through the in-process
client. Serve it with ``brubeck run examples.wsgi_demo:app --wsgi 127.0.0.1:6767``
(``--concurrency gevent``, ``--workers 4``...), or with any WSGI server:
``gunicorn 'examples.wsgi_demo:app.wsgi'``. Then try
``curl 'http://127.0.0.1:6767/brubeck?name=you'``.
"""

from __future__ import annotations

import threading
import urllib.request
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from brubeck.app import Brubeck
from brubeck.connections import WSGIConnection
from brubeck.handlers import WebMessageHandler
from brubeck.testing import TestClient


class DemoHandler(WebMessageHandler):
    def get(self) -> Any:
        name = self.get_argument("name", "dude")
        self.set_body(f"Take five, {name}!", headers={"Content-Type": "text/plain; charset=utf-8"})
        return self.render()


app = Brubeck(msg_conn=WSGIConnection(port=6767), handler_tuples=[(r"^/brubeck$", DemoHandler)])


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log on stderr."""


def main() -> None:
    with make_server("127.0.0.1", 0, app.wsgi, handler_class=QuietHandler) as server:
        serving = threading.Thread(target=server.handle_request)  # one request, then stop
        serving.start()
        url = f"http://127.0.0.1:{server.server_port}/brubeck?name=wsgi"
        with urllib.request.urlopen(url, timeout=10) as reply:
            print(f"wsgiref: GET /brubeck?name=wsgi -> {reply.status}: {reply.read().decode()}")
        serving.join()
    response = TestClient(app).get("/brubeck", params={"name": "wsgi"})
    print(f"TestClient: GET /brubeck?name=wsgi -> {response.status}: {response.text}")


if __name__ == "__main__":
    main()
