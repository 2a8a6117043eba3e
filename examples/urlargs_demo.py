"""URL arguments: Brubeck 0.4's ``demo_urlargs`` on this API.

A pattern's groups become the handler's arguments: positional groups as
positional arguments, named groups as keyword arguments. A named group that
matched nothing is left out, so the function's default applies. Values are
the raw text of the path (percent-escapes kept).

- ``/class/NAME``: a handler class, a positional group.
- ``/fun/NAME``: a function in ``handler_tuples``, a named group.
- ``/deco`` and ``/deco/NAME``: a function routed with ``@app.add_route``, an
  optional named group (0.4 failed on named groups here, with a ``TypeError``).
- ``/``: no arguments.

Run it with ``python examples/urlargs_demo.py`` (requests through the in-process
client), or serve it with ``brubeck run examples.urlargs_demo:app --wsgi 127.0.0.1:6767``
and open http://127.0.0.1:6767/class/you.
"""

from __future__ import annotations

from typing import Any

from brubeck.app import Brubeck
from brubeck.handlers import WebMessageHandler, render
from brubeck.protocol.request import Request
from brubeck.testing import TestClient


class IndexHandler(WebMessageHandler):
    def get(self) -> Any:
        self.set_body("Take five!")
        return self.render()


class NameHandler(WebMessageHandler):
    def get(self, name: str) -> Any:
        self.set_body(f"Take five, {name}!")
        return self.render()


def name_handler(application: Brubeck, message: Request, name: str) -> dict[str, Any]:
    return render(f"Take five, {name}!", 200, "OK", {})


urls = [
    (r"^/class/(\w+)$", NameHandler),
    (r"^/fun/(?P<name>\w+)$", name_handler),
    (r"^/$", IndexHandler),
]
app = Brubeck(handler_tuples=urls)


@app.add_route(r"^/deco(?:/(?P<name>\w+))?$", method="GET")
def new_name_handler(application: Brubeck, message: Request, name: str = "dude") -> dict[str, Any]:
    return render(f"Take five, {name}!", 200, "OK", {})


def main() -> None:
    client = TestClient(app)
    for path in ("/", "/class/james", "/fun/jimmy", "/deco/jd", "/deco", "/class/a%20b"):
        response = client.get(path)
        print(f"GET {path} -> {response.status} {response.reason}: {response.text}")


if __name__ == "__main__":
    main()
