"""The ``brubeck`` command (also ``python -m brubeck``).

    brubeck run MODULE:APP [--wsgi [HOST:]PORT | --mongrel2 [PULL,PUB]] [--workers N]
                           [--concurrency eventlet|gevent] [--upload-dir DIR] [--monkey-patch]
    brubeck mongrel2 config [MODULE:APP] [--dir DIR] [--host H] [--port P] [--protocol json|tnetstring]
    brubeck mongrel2 start|stop [--dir DIR]
    brubeck demo [--port P]
    brubeck call ADDR PATH [--json '{...}'] [--codec msgpack|json|tnetstring] [--verb VERB]
                           [--header NAME=VALUE] [--timeout S] [--server-key KEY --secret-key FILE]

``brubeck mongrel2 start`` then ``brubeck run app:app --mongrel2`` serve real
HTTP through Mongrel2: both read the run directory (``./mongrel2`` by default).
"""  # noqa: E501

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from brubeck import concurrency
from brubeck.app import Brubeck
from brubeck.connections import CurveClient, Mongrel2Connection, ServiceClient, WSGIConnection
from brubeck.deploy import LocalMongrel2, Mongrel2Config, Mongrel2Error
from brubeck.errors import RemoteError, ServiceTimeout
from brubeck.protocol.service import ServiceProtocolError, ServiceRequest
from brubeck.supervisor import Supervisor

__all__ = ["main"]

log = logging.getLogger("brubeck.cli")

RUN_DIR = "mongrel2"
_SAVED = "brubeck-mongrel2.json"  # the Mongrel2Config of a run directory


class CommandError(Exception):
    """A user error: printed without a traceback, exit status 2."""


#: ``brubeck call``'s exit statuses besides 0 (a 2xx reply) and 2 (a usage error).
CALL_FAILED = 1  # a reply that is not 2xx, or that breaks the protocol
CALL_TIMED_OUT = 3  # no reply in time


def load_app(spec: str) -> Brubeck:
    """The :class:`Brubeck` app named by ``module:attribute`` (the current
    directory is importable, as with ``python -m``)."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise CommandError(f"expected MODULE:APP, like 'myapp:app', not {spec!r}")
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        target: Any = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            raise CommandError(f"no module named {module_name!r}") from None
        raise
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise CommandError(f"{module_name} has no {attribute!r}") from None
    if not isinstance(target, Brubeck):
        raise CommandError(f"{spec} is a {type(target).__name__}, not a Brubeck app")
    return target


# -- Mongrel2 run directories ------------------------------------------------------------


def saved_config(run_dir: Path) -> Mongrel2Config | None:
    """The configuration ``brubeck mongrel2 config`` saved in ``run_dir``."""
    try:
        data = json.loads((run_dir / _SAVED).read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise CommandError(f"unreadable {run_dir / _SAVED}: {exc}") from None
    return Mongrel2Config(**data)


def write_config(run_dir: Path, config: Mongrel2Config) -> LocalMongrel2:
    server = LocalMongrel2(run_dir, config)
    server.prepare()
    (run_dir / _SAVED).write_text(json.dumps(dataclasses.asdict(config), indent=2) + "\n")
    return server


def _config_from(args: argparse.Namespace) -> Mongrel2Config:
    settings: dict[str, Any] = {"protocol": args.protocol, "host": args.host, "port": args.port}
    if args.app:
        conn = load_app(args.app).msg_conn
        if isinstance(conn, Mongrel2Connection):
            settings.update(send_spec=conn.pull_addr, recv_spec=conn.pub_addr)
    return Mongrel2Config(**settings)


def cmd_mongrel2(args: argparse.Namespace) -> int:
    run_dir = Path(args.dir)
    if args.action == "config":
        server = write_config(run_dir, _config_from(args))
        print(f"wrote {run_dir / 'mongrel2.conf'} (loaded into {run_dir / 'config.sqlite'})")
        print(f"handlers: brubeck run MODULE:APP --mongrel2 {','.join(server.config.pair)}")
        return 0
    config = saved_config(run_dir)
    if args.action == "stop":
        if config is not None:
            LocalMongrel2(run_dir, config).stop()
        print("Mongrel2 stopped")
        return 0
    if config is None:  # start with no config yet: the defaults
        config = _config_from(args)
        write_config(run_dir, config)
    pid = LocalMongrel2(run_dir, config).start()
    print(f"Mongrel2 runs (pid {pid}) on http://{config.host}:{config.port}/ from {run_dir}")
    return 0


# -- run --------------------------------------------------------------------------------


def _wsgi_connection(value: str) -> WSGIConnection:
    host, _, port = value.rpartition(":")
    if not port.isdigit():
        raise CommandError(f"--wsgi takes [HOST:]PORT, not {value!r}")
    return WSGIConnection(port=int(port), host=host or "127.0.0.1")


def _mongrel2_connection(value: str, args: argparse.Namespace, app: Brubeck) -> Mongrel2Connection:
    run_dir = Path(args.dir)
    upload_dir = args.upload_dir
    if value:
        pull, _, pub = value.partition(",")
        if not pull or not pub:
            raise CommandError(f"--mongrel2 takes PULL,PUB addresses, not {value!r}")
    elif isinstance(app.msg_conn, Mongrel2Connection):
        pull, pub = app.msg_conn.pull_addr, app.msg_conn.pub_addr
        upload_dir = upload_dir or app.msg_conn.upload_dir
    else:
        config = saved_config(run_dir) or Mongrel2Config()
        pull, pub = config.pair
    if upload_dir is None and (run_dir / "tmp").is_dir():
        upload_dir = str((run_dir / "tmp").resolve())
    return Mongrel2Connection(pull, pub, upload_dir=upload_dir)


def _worker_command(args: argparse.Namespace) -> list[str]:
    """The command line of one worker process: ``run`` with the same options."""
    command = [sys.executable, "-m", "brubeck"]
    if args.verbose:  # a top-level option: before the subcommand
        command.append("--verbose")
    command += ["run", args.app, "--workers", "1"]
    for flag in ("wsgi", "mongrel2", "concurrency", "upload_dir", "dir"):
        value = getattr(args, flag)
        if value is not None:
            command += [f"--{flag.replace('_', '-')}", value]
    if args.monkey_patch:
        command.append("--monkey-patch")
    return command


def cmd_run(args: argparse.Namespace) -> int:
    if args.workers < 1:
        raise CommandError("--workers must be at least 1")
    if args.workers > 1:
        return Supervisor(_worker_command(args), args.workers).run()
    if args.monkey_patch:  # before the app's own imports, so they are green too
        concurrency.monkey_patch(args.concurrency or concurrency.DEFAULT_BACKEND)
    app = load_app(args.app)
    if args.concurrency:
        app.concurrency = args.concurrency
    if args.wsgi is not None:
        app.msg_conn = _wsgi_connection(args.wsgi)
    elif args.mongrel2 is not None:
        app.msg_conn = _mongrel2_connection(args.mongrel2, args, app)
    elif app.msg_conn is None:
        app.msg_conn = WSGIConnection()
    app.run()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from brubeck.demo import app

    app.msg_conn = WSGIConnection(port=args.port, host=args.host)
    app.concurrency = args.concurrency
    print(f"Brubeck demo: open http://{args.host}:{args.port}/  (Ctrl-C stops it)", flush=True)
    print(f"  curl -d '{{\"title\": \"Take five\"}}' -H 'Content-Type: application/json' "
          f"http://{args.host}:{args.port}/todos", flush=True)  # fmt: skip
    app.run()
    return 0


# -- call -------------------------------------------------------------------------------


def _call_body(args: argparse.Namespace) -> Any:
    if args.json is None:
        return None
    try:
        return json.loads(args.json)
    except ValueError as exc:
        raise CommandError(f"--json is not valid JSON: {exc}") from None


def _call_headers(pairs: list[str]) -> dict[str, str]:
    headers = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name:
            raise CommandError(f"--header takes NAME=VALUE, not {pair!r}")
        headers[name.strip().lower()] = value
    return headers


def _call_curve(args: argparse.Namespace) -> CurveClient | None:
    if (args.server_key is None) != (args.secret_key is None):
        raise CommandError("CURVE needs both --server-key and --secret-key")
    if args.server_key is None:
        return None
    try:
        return CurveClient(args.server_key, args.secret_key)
    except (OSError, RuntimeError) as exc:
        raise CommandError(str(exc)) from None


def _printable(value: Any) -> Any:
    """``json.dumps``'s fallback: bytes as text when UTF-8 (else hex), anything else as text."""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.hex()
    return str(value)


def _print_json(value: Any, stream: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=_printable), file=stream)


def cmd_call(args: argparse.Namespace) -> int:
    """Call ``PATH`` on the service at ``ADDR``; print the decoded reply as JSON."""
    body = _call_body(args)
    headers = _call_headers(args.header)
    verb = args.verb.upper() if args.verb else ("GET" if body is None else "POST")
    if args.timeout <= 0:
        raise CommandError("--timeout must be positive")
    client = ServiceClient(args.addr, args.codec, timeout=args.timeout, curve=_call_curve(args))
    try:
        ServiceRequest(client.codec, b"", verb, args.path, headers)  # refuse bad ones up front
    except ServiceProtocolError as exc:
        client.close()
        raise CommandError(f"{exc.frame}: {exc.reason}") from None
    with client:
        try:
            reply = client.call(args.path, body, verb, headers)
        except RemoteError as error:
            _print_json(error.body, sys.stdout)
            print(f"brubeck: {error}", file=sys.stderr)
            return CALL_FAILED
        except ServiceTimeout:
            print(f"brubeck: no reply from {args.addr} within {args.timeout} s", file=sys.stderr)
            return CALL_TIMED_OUT
        except ServiceProtocolError as exc:
            print(f"brubeck: the reply breaks the protocol: {exc}", file=sys.stderr)
            return CALL_FAILED
    _print_json(reply.body, sys.stdout)
    return 0


def _add_call(sub: Any) -> None:
    call = sub.add_parser(
        "call", help="call a raw ZeroMQ service (BRB1) and print the reply as JSON"
    )
    call.add_argument("addr", metavar="ADDR", help="the service: tcp://127.0.0.1:5555, ipc://...")
    call.add_argument("path", metavar="PATH", help="/todos, /_brubeck/routes...")
    call.add_argument("--json", help="the body, as JSON (default: none)")
    call.add_argument("--codec", choices=["msgpack", "json", "tnetstring"], default="msgpack")
    call.add_argument("--verb", help="default: POST with a body, GET without")
    call.add_argument(
        "-H", "--header", action="append", default=[], metavar="NAME=VALUE", help="repeatable"
    )
    call.add_argument("--timeout", type=float, default=5.0, help="seconds (default 5)")
    call.add_argument("--server-key", help="CURVE: the server's public key (.key file or Z85)")
    call.add_argument("--secret-key", help="CURVE: this client's .key_secret file")
    call.set_defaults(handler=cmd_call)


# -- the parser ------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="brubeck", description="Serve Brubeck apps.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    sub = parser.add_subparsers(dest="command", required=True)
    backends = sorted(concurrency.BACKENDS)

    run = sub.add_parser("run", help="serve MODULE:APP")
    run.add_argument("app", metavar="MODULE:APP")
    where = run.add_mutually_exclusive_group()
    where.add_argument("--wsgi", metavar="[HOST:]PORT", help="serve HTTP without Mongrel2")
    where.add_argument(
        "--mongrel2", metavar="PULL,PUB", nargs="?", const="",
        help="serve behind Mongrel2 (default: the app's, or the run directory's, sockets)",
    )  # fmt: skip
    run.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    run.add_argument(
        "--concurrency", choices=backends,
        help="green threads from eventlet (default) or gevent (eventlet is in bugfix mode)",
    )  # fmt: skip
    run.add_argument("--upload-dir", help="where Mongrel2's upload temp files are")
    run.add_argument("--dir", default=RUN_DIR, help="Mongrel2 run directory (default ./mongrel2)")
    run.add_argument(
        "--monkey-patch", action="store_true",
        help="make the standard library green (blocking database and HTTP clients yield)",
    )  # fmt: skip
    run.set_defaults(handler=cmd_run)

    m2 = sub.add_parser("mongrel2", help="configure and run a local Mongrel2")
    m2.add_argument("action", choices=["config", "start", "stop"])
    m2.add_argument("app", metavar="MODULE:APP", nargs="?", help="take its handler sockets")
    m2.add_argument("--dir", default=RUN_DIR, help="run directory (default ./mongrel2)")
    m2.add_argument("--host", default="127.0.0.1")
    m2.add_argument("--port", type=int, default=6767)
    m2.add_argument("--protocol", choices=["json", "tnetstring"], default="json")
    m2.set_defaults(handler=cmd_mongrel2)

    demo = sub.add_parser("demo", help="serve the demo app on the embedded server")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=6767)
    demo.add_argument("--concurrency", choices=backends, default=concurrency.DEFAULT_BACKEND)
    demo.set_defaults(handler=cmd_demo)
    _add_call(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv``; the exit status."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    if not args.verbose:
        logging.getLogger("brubeck.app").setLevel(logging.WARNING)
    try:
        status: int = args.handler(args)
    except (CommandError, Mongrel2Error, ImportError, ValueError) as exc:
        print(f"brubeck: {exc}", file=sys.stderr)
        return 2
    return status
