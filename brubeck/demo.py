"""The demo app that ``brubeck demo`` serves: a greeting and a small typed JSON API.

    GET  /                 this list, as text
    GET  /hello?name=you   text/plain "Hello you"
    GET  /todos            every todo
    POST /todos            {"title": "...", "order": 1} -> 201 and the todo; invalid -> 400
    GET  /todos/<id>       one todo, or 404

It keeps its todos in memory, per process.
"""

from __future__ import annotations

import itertools
from typing import Any

from brubeck.app import Brubeck
from brubeck.errors import HTTPError
from brubeck.handlers import JSONMessageHandler, WebMessageHandler, typed
from brubeck.models import BooleanField, Document, IntField, StringField

__all__ = ["app", "make_app"]


class NewTodo(Document):
    """What a client sends to create a todo."""

    title = StringField(required=True, min_length=1, max_length=80)
    order = IntField(min_value=0)


class Todo(Document):
    """A todo, as the API returns it."""

    id = IntField(required=True)
    title = StringField(required=True)
    order = IntField()
    done = BooleanField(default=False)


class Index(WebMessageHandler):
    def get(self) -> Any:
        self.headers["Content-Type"] = "text/plain; charset=utf-8"
        self.set_body(__doc__ or "")
        return self.render()


class Hello(WebMessageHandler):
    def get(self) -> Any:
        self.headers["Content-Type"] = "text/plain; charset=utf-8"
        self.set_body("Hello " + (self.get_argument("name") or "world"))
        return self.render()


class TodoList(JSONMessageHandler):
    def get(self) -> Any:
        todos = self.application.todos
        self.add_to_payload("data", [todo.to_primitive() for todo in todos.values()])
        return self.render(status_code=200, hide_status=True)

    @typed(body=NewTodo, reply=Todo, status=201)
    def post(self, new: NewTodo) -> Todo:
        app = self.application
        todo = Todo(id=next(app.todo_ids), title=new.title, order=new.order)
        app.todos[todo.id] = todo
        return todo


class TodoItem(JSONMessageHandler):
    @typed(reply=Todo)
    def get(self, todo_id: str) -> Todo:
        todo: Todo | None = self.application.todos.get(int(todo_id))
        if todo is None:
            raise HTTPError(404, f"No todo {todo_id}")
        return todo


def make_app(**settings: Any) -> Brubeck:
    """A new demo app (its own todo list); ``settings`` go to :class:`Brubeck`."""
    routes = [
        (r"^/$", Index),
        (r"^/hello$", Hello),
        (r"^/todos$", TodoList),
        (r"^/todos/(?P<todo_id>\d+)$", TodoItem),
    ]
    demo = Brubeck(handler_tuples=routes, **settings)
    demo.todos = {}  # type: ignore[attr-defined]
    demo.todo_ids = itertools.count(1)  # type: ignore[attr-defined]
    return demo


#: The app ``brubeck demo`` serves (``brubeck run brubeck.demo:app`` also works).
app = make_app()
