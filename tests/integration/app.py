"""The app the integration tests serve behind a real Mongrel2, in its own process.

    python tests/integration/app.py PULL_ADDR PUB_ADDR --concurrency gevent [--upload-dir DIR]

It answers ``GET /ready`` once serving, and prints one line per request it
received when it exits (``received N``), so tests can compare.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import sys
from typing import Any

from brubeck import concurrency
from brubeck.app import Brubeck
from brubeck.connections import Mongrel2Connection, WSGIConnection
from brubeck.handlers import JSONMessageHandler, WebMessageHandler, typed
from brubeck.models import Document, EmailField, IntField, StringField


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Signup(Document):
    username = StringField(required=True, min_length=3, max_length=20)
    email = EmailField(required=True)
    age = IntField(min_value=13)


class Hello(WebMessageHandler):
    def get(self) -> Any:
        self.set_body("Hello " + self.get_argument("name", "world"))
        self.headers["Content-Type"] = "text/plain; charset=utf-8"
        return self.render()


class Ready(WebMessageHandler):
    def get(self) -> Any:
        self.set_body(str(os.getpid()))
        return self.render()


class Form(JSONMessageHandler):
    def post(self) -> Any:
        self.add_to_payload("name", self.get_argument("name"))
        self.add_to_payload("x", self.get_arguments("x"))
        self.add_to_payload("q", self.get_argument("q"))
        self.set_status(200)
        return self.render(hide_status=True)


class SignupHandler(JSONMessageHandler):
    @typed(body=Signup, reply=Signup, status=201)
    def post(self, signup: Signup) -> Signup:
        return signup


class Upload(JSONMessageHandler):
    def post(self) -> Any:
        files = {
            name: [{"filename": f.filename, "sha256": _sha256(f.body)} for f in uploads]
            for name, uploads in self.message.files.items()
        }
        self.add_to_payload("title", self.get_argument("title"))
        self.add_to_payload("files", files)
        self.set_status(200)
        return self.render(hide_status=True)


class BigUpload(JSONMessageHandler):
    def post(self) -> Any:
        path = self.message.upload_path
        if path is None:  # served over WSGI: the body came in the request itself
            data = self.message.body
        else:
            with open(path, "rb") as upload:
                data = upload.read()
        self.add_to_payload("size", len(data))
        self.add_to_payload("sha256", hashlib.sha256(data).hexdigest())
        self.set_status(200)
        return self.render(hide_status=True)


class Cookies(WebMessageHandler):
    def get(self) -> Any:
        self.set_cookie("flavour", self.get_argument("flavour", "plain"))
        self.set_body("cookie: " + self.get_cookie("flavour", "none"))
        return self.render()


class Boom(WebMessageHandler):
    def get(self) -> Any:
        raise RuntimeError("boom")


class Slow(WebMessageHandler):
    def get(self) -> Any:
        concurrency.sleep(float(self.get_argument("s", "1")))
        self.set_body("slept")
        return self.render()


class OnlyGet(WebMessageHandler):
    def get(self) -> Any:
        self.set_body("only get")
        return self.render()


ROUTES = [
    (r"^/ready$", Ready),
    (r"^/hello$", Hello),
    (r"^/form$", Form),
    (r"^/signup$", SignupHandler),
    (r"^/upload$", Upload),
    (r"^/bigupload$", BigUpload),
    (r"^/cookies$", Cookies),
    (r"^/boom$", Boom),
    (r"^/slow$", Slow),
    (r"^/only-get$", OnlyGet),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pull_addr", help="Mongrel2's send_spec, or wsgi:PORT")
    parser.add_argument("pub_addr", nargs="?")
    parser.add_argument("--concurrency", default="eventlet")
    parser.add_argument("--upload-dir")
    args = parser.parse_args()
    logging.basicConfig(level=os.environ.get("BRUBECK_TEST_LOG", "WARNING"), stream=sys.stderr)
    connection: Any
    if args.pull_addr.startswith("wsgi:"):
        connection = WSGIConnection(port=int(args.pull_addr[5:]))
    else:
        connection = Mongrel2Connection(args.pull_addr, args.pub_addr, upload_dir=args.upload_dir)
    app = Brubeck(msg_conn=connection, handler_tuples=ROUTES, concurrency=args.concurrency)
    app.run()
    if isinstance(connection, Mongrel2Connection):
        print(f"sent {connection.sent} received {connection.received}", flush=True)


if __name__ == "__main__":
    main()
