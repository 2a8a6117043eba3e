"""A raw ZeroMQ service and its clients in one screen: a typed handler served on
a ROUTER socket (no HTTP, no Mongrel2), called with ``ServiceClient`` from a
green thread and from plain blocking code, an event published to a subscriber,
and the route list the service publishes about itself.

Run it with ``python examples/service_demo.py`` in the venv.
"""

from __future__ import annotations

import threading
from typing import Any

from brubeck import concurrency
from brubeck.app import Brubeck
from brubeck.connections import Publisher, ServiceClient, ServiceConnection, SubscriberConnection
from brubeck.errors import RemoteError
from brubeck.handlers import JSONMessageHandler, WebMessageHandler, typed
from brubeck.models import EmbeddedDocument
from brubeck.models.fields import IntField, StringField


class Todo(EmbeddedDocument):
    title = StringField(required=True, max_length=40)
    priority = IntField(min_value=0)


class Todos(JSONMessageHandler):
    """Adds a todo: the same class would serve HTTP behind Mongrel2."""

    @typed(body=Todo, reply=Todo, status=201)
    def post(self, todo: Todo) -> Todo:
        return todo


class Created(WebMessageHandler):
    """Hears about new todos (an event: its reply is discarded)."""

    heard: list[str] = []

    def post(self) -> Any:
        self.heard.append(self.message.headers["TOPIC"])
        return self.render()


def blocking_call(endpoint: str) -> None:
    """Plain blocking code (a script, another framework's thread): no event loop."""
    with ServiceClient(endpoint, codec="json", timeout=2.0) as client:
        print("  from an OS thread:", client.call("/todos", {"title": "call me"}).body)


def main() -> None:
    backend = concurrency.use("gevent")  # or "eventlet", Brubeck 0.4's default
    app = Brubeck(handler_tuples=[(r"^/todos$", Todos), (r"^/todos/created$", Created)])
    service = ServiceConnection("tcp://127.0.0.1:*")  # a free port; 127.0.0.1 only
    service.open(backend)
    pool = concurrency.WorkerPool(backend, 100)
    server = backend.spawn(service.serve, app, pool)
    print(f"serving BRB1 on {service.endpoint}")

    with ServiceClient(service.endpoint, backend=backend) as client:  # msgpack by default
        created = client.call("/todos", {"title": "take five", "priority": 1})
        print(f"  {created.status}: {created.body}")
        try:
            client.call("/todos", {"priority": -1})
        except RemoteError as error:
            paths = [problem["path"] for problem in error.errors]
            print(f"  {error.status}: {error.detail} {paths}")
        for route in client.call("/_brubeck/routes", verb="GET").body["routes"]:
            print(f"  route {route['pattern']} {list(route['verbs'])}: {route.get('doc', '')}")

    thread = threading.Thread(target=blocking_call, args=(service.endpoint,))
    thread.start()
    while thread.is_alive():  # let the server's green threads run meanwhile
        backend.sleep(0.01)

    with Publisher("tcp://127.0.0.1:*", backend=backend) as events:
        listener = SubscriberConnection(events.endpoint, ["todos."])
        listener.open(backend)
        listening = backend.spawn(listener.serve, app, pool)
        events.wait_for_subscriptions(topic="todos.created")  # no slow joiner
        events.publish("todos.created", "/todos/created", {"title": "take five"})
        while not Created.heard:
            backend.sleep(0.01)
        print(f"  event heard: {Created.heard}")
        listener.stop()
        listening.join()

    service.stop()
    server.join()
    print(f"stopped after {service.received} requests")


if __name__ == "__main__":
    main()
