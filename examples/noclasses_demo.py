"""Functions as handlers: Brubeck 0.4's ``demo_noclasses`` on this API.

``@app.add_route(pattern, method=...)`` routes a pattern to a function
``f(application, message, *url_args)`` that returns ``render(body, status,
status_msg, headers)``. ``GET /brubeck?name=you`` answers ``Take five, you!``;
``POST /brubeck`` goes to a second function on the same pattern (in 0.4 the
first function's route answered 405), and other verbs get a 405 listing both.

Run it with ``python examples/noclasses_demo.py`` (requests through the
in-process client), or serve it with
``brubeck run examples.noclasses_demo:app --wsgi 127.0.0.1:6767`` and try
``curl -d name=you http://127.0.0.1:6767/brubeck``.
"""

from __future__ import annotations

from typing import Any

from brubeck.app import Brubeck
from brubeck.handlers import render
from brubeck.protocol.request import Request
from brubeck.testing import TestClient

app = Brubeck()
TEXT = {"Content-Type": "text/plain; charset=utf-8"}


@app.add_route(r"^/brubeck$", method="GET")
def take_five(application: Brubeck, message: Request) -> dict[str, Any]:
    name = message.get_argument("name", "dude")
    return render(f"Take five, {name}!", 200, "OK", TEXT)


@app.add_route(r"^/brubeck$", method="POST")
def take_five_posted(application: Brubeck, message: Request) -> dict[str, Any]:
    name = message.get_argument("name") or "nobody"
    return render(f"{name} posted: take five!", 200, "OK", TEXT)


def main() -> None:
    client = TestClient(app)
    for label, response in [
        ("GET /brubeck?name=you", client.get("/brubeck", params={"name": "you"})),
        ("POST /brubeck name=you", client.post("/brubeck", data={"name": "you"})),
        ("DELETE /brubeck", client.delete("/brubeck")),
    ]:
        print(f"{label} -> {response.status} {response.reason}: {response.text}")
        if "Allow" in response.headers:
            print(f"  Allow: {response.headers['Allow']}")


if __name__ == "__main__":
    main()
