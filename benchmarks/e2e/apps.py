"""The apps the end-to-end benchmark serves: the same two endpoints in each stack.

``GET /hello?name=x`` answers ``text/plain`` ``Hello x``; ``POST /signup`` takes
the yardstick signup document (``benchmarks/models.py``), validates it, and
echoes it back as JSON (an invalid one is a 4xx). ``GET /poll`` sleeps 5 s
before answering (the long-poll run; Brubeck only).

- ``brubeck_app``: Brubeck, served behind Mongrel2 (``brubeck run``) and, as
  ``brubeck_app.wsgi``, on bjoern.
- ``falcon_app``: Falcon with msgspec validation, on bjoern.
- ``fastapi_app``: FastAPI with pydantic, on uvicorn.

The bare pyzmq floor is ``floor.py``. Each stack is imported lazily by name
(``load``), so a missing optional server only skips its own rows.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models import MSignup, PSignup, Signup  # noqa: E402

from brubeck import concurrency  # noqa: E402
from brubeck.app import Brubeck  # noqa: E402
from brubeck.handlers import JSONMessageHandler, WebMessageHandler, typed  # noqa: E402

#: How long a long-poll request waits before its answer.
POLL_SECONDS = 5.0


# -- Brubeck ----------------------------------------------------------------------------


class Hello(WebMessageHandler):
    def get(self) -> Any:
        self.set_body("Hello " + self.get_argument("name", "world"))
        self.headers["Content-Type"] = "text/plain"
        return self.render()


class SignupHandler(JSONMessageHandler):
    @typed(body=Signup, reply=Signup)
    def post(self, signup: Signup) -> Signup:
        return signup


class Poll(WebMessageHandler):
    def get(self) -> Any:
        concurrency.sleep(POLL_SECONDS)
        self.set_body("done")
        self.headers["Content-Type"] = "text/plain"
        return self.render()


def make_brubeck(pool: int | None = None) -> Brubeck:
    """The Brubeck app (no connection: ``brubeck run`` supplies one)."""
    routes = [(r"^/hello$", Hello), (r"^/signup$", SignupHandler), (r"^/poll$", Poll)]
    return Brubeck(handler_tuples=routes, pool=pool)


brubeck_app = make_brubeck()
#: For the long-poll run: 10,000 requests in flight need a pool that size.
brubeck_longpoll_app = make_brubeck(pool=12_000)


# -- Falcon + msgspec (on bjoern) ------------------------------------------------------


def make_falcon() -> Any:
    """Falcon 4 with msgspec: what a speed-minded WSGI user writes."""
    import falcon
    import msgspec

    decode_signup = msgspec.json.Decoder(MSignup).decode
    encode = msgspec.json.Encoder().encode

    class FHello:
        def on_get(self, req: Any, resp: Any) -> None:
            resp.content_type = "text/plain"
            resp.text = "Hello " + req.get_param("name", default="world")

    class FSignup:
        def on_post(self, req: Any, resp: Any) -> None:
            try:
                signup = decode_signup(req.bounded_stream.read())
            except msgspec.ValidationError as exc:
                resp.status = falcon.HTTP_400
                resp.data = encode({"errors": [str(exc)]})
            else:
                resp.data = encode(signup)
            resp.content_type = "application/json"

    app = falcon.App()
    app.add_route("/hello", FHello())
    app.add_route("/signup", FSignup())
    return app


# -- FastAPI + pydantic (on uvicorn) ----------------------------------------------------


def make_fastapi() -> Any:
    """FastAPI with a pydantic model: what users pick instead (invalid is a 422)."""
    from fastapi import FastAPI
    from fastapi.responses import PlainTextResponse

    app = FastAPI()

    # async def: no thread pool hop, FastAPI's fastest form.
    @app.get("/hello", response_class=PlainTextResponse)
    async def hello(name: str = "world") -> str:
        return "Hello " + name

    @app.post("/signup")
    async def signup(body: PSignup) -> PSignup:
        return body

    return app


def load(name: str) -> Any:
    """``brubeck``, ``brubeck_wsgi``, ``falcon`` or ``fastapi``: that stack's app."""
    if name == "brubeck":
        return brubeck_app
    if name == "brubeck_wsgi":
        return brubeck_app.wsgi
    if name == "falcon":
        return make_falcon()
    if name == "fastapi":
        return make_fastapi()
    raise ValueError(f"no app {name!r}")
