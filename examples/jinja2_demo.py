"""Jinja2 templates: Brubeck 0.4's ``demo_jinja2`` on this API.

``DemoHandler`` renders ``templates/jinja2/success.html`` with the ``name``
argument. HTML is escaped, so ``?name=<script>...`` is shown, never run; replies
are ``text/html; charset=utf-8``. Paths with no route, and verbs a route does
not serve, get ``errors.html``: the app's ``base_handler`` is ``Jinja2Rendering``.

Run it with ``python examples/jinja2_demo.py`` (requests through the in-process
client), or serve it with ``brubeck run examples.jinja2_demo:app --wsgi 127.0.0.1:6767``
and open http://127.0.0.1:6767/brubeck?name=you. Needs Jinja2:
``pip install 'brubeck[templates-jinja2]'``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from brubeck.app import Brubeck
from brubeck.templating import Jinja2Rendering, load_jinja2_env
from brubeck.testing import TestClient

TEMPLATES = Path(__file__).parent / "templates" / "jinja2"


class DemoHandler(Jinja2Rendering):
    def get(self) -> Any:
        name = self.get_argument("name", "dude")
        return self.render_template("success.html", name=name)


app = Brubeck(
    handler_tuples=[(r"^/brubeck$", DemoHandler)],
    template_loader=load_jinja2_env(TEMPLATES),
    base_handler=Jinja2Rendering,
)


def show(label: str, response: Any) -> None:
    print(f"--- {label} -> {response.status} {response.reason}")
    print(f"  Content-Type: {response.headers.get('Content-Type')}")
    for line in response.text.splitlines():
        if "<h1>" in line or "<p>" in line:
            print(f"  {line.strip()}")


def main() -> None:
    client = TestClient(app)
    show("GET /brubeck?name=you", client.get("/brubeck", params={"name": "you"}))
    show("GET /brubeck?name=<script>", client.get("/brubeck", params={"name": "<script>"}))
    show("GET /nowhere", client.get("/nowhere"))
    show("POST /brubeck", client.post("/brubeck"))


if __name__ == "__main__":
    main()
