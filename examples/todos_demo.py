"""A small JSON API, driven through the real Mongrel2 wire format in process.

A todo list with typed request bodies: the test client builds the exact bytes
Mongrel2 would push to a handler, the app parses, routes, validates and
answers, and the reply bytes are shown as Mongrel2 would receive them.
Serving the same app behind a real Mongrel2 comes with ``brubeck.connections``.

Run it with ``./dev demo`` (or ``python examples/todos_demo.py`` in the venv).
"""

from __future__ import annotations

import itertools
from typing import Any

from brubeck.app import Brubeck
from brubeck.errors import HTTPError
from brubeck.handlers import JSONMessageHandler, typed
from brubeck.models import BooleanField, Document, IntField, StringField
from brubeck.testing import TestClient


class NewTodo(Document):
    title = StringField(required=True, min_length=1, max_length=80)
    order = IntField(min_value=0)


class Todo(Document):
    id = IntField(required=True)
    title = StringField(required=True)
    order = IntField()
    done = BooleanField(default=False)


TODOS: dict[int, Todo] = {}
IDS = itertools.count(1)


class TodoList(JSONMessageHandler):
    def get(self) -> Any:
        self.add_to_payload("data", [todo.to_primitive() for todo in TODOS.values()])
        return self.render(status_code=200, hide_status=True)

    @typed(body=NewTodo, reply=Todo, status=201)
    def post(self, new: NewTodo) -> Todo:
        todo = Todo(id=next(IDS), title=new.title, order=new.order)
        TODOS[todo.id] = todo
        return todo


class TodoItem(JSONMessageHandler):
    @typed(reply=Todo)
    def get(self, todo_id: str) -> Todo:
        todo = TODOS.get(int(todo_id))
        if todo is None:
            raise HTTPError(404, f"No todo {todo_id}")
        return todo


app = Brubeck(handler_tuples=[(r"^/todos$", TodoList), (r"^/todos/(?P<todo_id>\d+)$", TodoItem)])


def show(label: str, response: Any) -> None:
    print(f"--- {label}")
    sent = response.messages[0] if response.messages else b"(no reply)"
    print("  reply bytes:", sent[:160] + (b"..." if len(sent) > 160 else b""))
    print(f"  -> {response.status} {response.reason}: {response.text}\n")


def main() -> None:
    client = TestClient(app)
    show("POST /todos", client.post("/todos", json={"title": "Watch more bsg", "order": 1}))
    show("POST /todos", client.post("/todos", json={"title": "Take five"}))
    show("GET /todos", client.get("/todos"))
    show("GET /todos/1", client.get("/todos/1"))
    show("GET /todos/99", client.get("/todos/99"))
    show("POST /todos (invalid)", client.post("/todos", json={"title": "", "order": -1}))
    show("POST /todos (text/csv)", client.post("/todos", body=b"a,b", content_type="text/csv"))
    show("DELETE /todos/1", client.delete("/todos/1"))


if __name__ == "__main__":
    main()
