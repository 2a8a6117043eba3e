"""The smallest app: Brubeck 0.4's ``demo_minimal`` on this API.

``GET /brubeck?name=you`` answers ``Take five, you!`` (``dude`` without a
name). The handler is 0.4's, and so is the app's configuration: a dict of
0.4's keywords, with the Mongrel2 sockets of 0.4's demos (making the
connection opens no socket; that happens when the app runs).

Run it with ``python examples/minimal_demo.py`` (requests through the in-process
client), or behind a real Mongrel2: ``brubeck mongrel2 start``, then
``brubeck run examples.minimal_demo:app --mongrel2``, and try
``curl 'http://127.0.0.1:6767/brubeck?name=you'``.
"""

from __future__ import annotations

from typing import Any

from brubeck.app import Brubeck
from brubeck.connections import Mongrel2Connection
from brubeck.handlers import WebMessageHandler
from brubeck.testing import TestClient


class DemoHandler(WebMessageHandler):
    def get(self) -> Any:
        name = self.get_argument("name", "dude")
        self.set_body(f"Take five, {name}!")
        return self.render()


config: dict[str, Any] = {
    "msg_conn": Mongrel2Connection("tcp://127.0.0.1:9999", "tcp://127.0.0.1:9998"),
    "handler_tuples": [(r"^/brubeck$", DemoHandler)],
}
app = Brubeck(**config)


def main() -> None:
    client = TestClient(app)
    for path in ("/brubeck", "/brubeck?name=you", "/nowhere"):
        response = client.get(path)
        print(f"GET {path} -> {response.status} {response.reason}: {response.text}")


if __name__ == "__main__":
    main()
