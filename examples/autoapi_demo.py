"""AutoAPI: Brubeck 0.4's ``demo_autoapi`` on this API, a todo list over REST.

``TodosAPI`` serves the ``Todo`` document from a ``DictQueryset``; ``/`` is a
small HTML page that drives the API with ``fetch``. Behind several handler
processes, use ``RedisQueryset(model=Todo)`` instead (one Redis hash per
model). Try it with curl once it is served::

    curl -X POST -H 'Content-Type: application/json' -d '{"title": "milk"}' http://127.0.0.1:6767/todo/
    curl http://127.0.0.1:6767/todo/
    curl -X PUT -H 'Content-Type: application/json' -d '{"title": "oat milk", "completed": true}' \\
        http://127.0.0.1:6767/todo/ID
    curl -X DELETE http://127.0.0.1:6767/todo/ID1,ID2
    curl http://127.0.0.1:6767/manifest.json

Run it with ``python examples/autoapi_demo.py`` (requests through the
in-process client), or serve it with ``brubeck run examples.autoapi_demo:app
--wsgi 127.0.0.1:6767`` (or behind Mongrel2) and open http://127.0.0.1:6767/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from brubeck.app import Brubeck
from brubeck.autoapi import AutoAPIBase
from brubeck.handlers import WebMessageHandler
from brubeck.models import BooleanField, Document, IntField, StringField, UUIDField
from brubeck.queryset import DictQueryset
from brubeck.testing import TestClient

PAGE = Path(__file__).parent / "templates" / "autoapi" / "todos.html"


class Todo(Document):
    class Meta:
        id_field = UUIDField
        id_options = {"auto_fill": True}  # noqa: RUF012 - DictShield's API

    title = StringField(required=True, max_length=200)
    completed = BooleanField(default=False)
    order = IntField(min_value=0)


class TodosAPI(AutoAPIBase):
    model = Todo
    queries = DictQueryset()

    def render(self, **kwargs: Any) -> Any:
        kwargs["hide_status"] = True  # the page reads the items, not the envelope
        return super().render(**kwargs)


class TodosPage(WebMessageHandler):
    def get(self) -> Any:
        self.set_body(PAGE.read_bytes(), headers={"Content-Type": "text/html; charset=utf-8"})
        return self.render()


app = Brubeck(handler_tuples=[(r"^/$", TodosPage)])
app.register_api(TodosAPI)


def main() -> None:
    client = TestClient(app)
    made = client.post("/todo/", json={"title": "milk"})
    print(f"POST /todo/ -> {made.status}: {made.text}")
    tid = made.json()["id"]
    both = client.post("/todo/", json=[{"title": "bread", "order": 2}, {"title": ""}])
    print(f"POST /todo/ (a list, one invalid) -> {both.status}: {both.text}")
    done = client.put(f"/todo/{tid}", json={"title": "milk", "completed": True})
    print(f"PUT /todo/{tid} -> {done.status}: {done.text}")
    print(f"GET /todo/ -> {client.get('/todo/').text}")
    print(f"DELETE /todo/{tid} -> {client.delete(f'/todo/{tid}').status}")
    print(f"GET /todo/{tid} -> {client.get(f'/todo/{tid}').status}")
    print(f"GET /manifest.json -> {client.get('/manifest.json').text}")
    print(f"GET / -> {client.get('/').status} ({client.get('/').headers['Content-Type']})")


if __name__ == "__main__":
    main()
