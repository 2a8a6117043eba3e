"""CurveZMQ on service sockets: encryption, and an allow-list of client keys.

::

    conn = ServiceConnection(addr, curve=CurveServer("keys/server.key_secret", "keys/clients"))
    client = ServiceClient(addr, curve=CurveClient("keys/server.key", "keys/ann.key_secret"))

Keys are the files pyzmq's ``zmq.auth.create_certificates(directory, name)``
writes: ``name.key`` holds a public key, ``name.key_secret`` the public and
the secret one. A server needs its secret file and the public files of the
clients it accepts; a client needs the server's public key and its own secret file.

A CURVE server asks a ZAP handler (ZeroMQ RFC 27, bound on the socket's
context at ``inproc://zeromq.zap.01``) whether each client's key may connect.
Brubeck's handler runs in a green thread of the serving backend, its socket
waiting on the hub: pyzmq's ``ThreadAuthenticator`` would work beside eventlet or gevent
only while ``threading`` is not monkey-patched (then its blocking poll would
stop the hub), and its ``zmq.auth`` handler is a coroutine for asyncio. It is
bound before the server's socket binds, so no client gets in unchecked. A
client whose key is refused gets no connection, so its calls time out
(:class:`~brubeck.errors.ServiceTimeout`), as if the server were away.

Importing this module imports no ZeroMQ; making a :class:`CurveServer` or a
:class:`CurveClient` does, and raises ``RuntimeError`` when libzmq was built
without CURVE (``zmq.has("curve")``).
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from brubeck.connections._frames import FrameSocket

if TYPE_CHECKING:
    from brubeck.concurrency import Backend, Task

__all__ = ["ZAP_ENDPOINT", "Curve", "CurveClient", "CurveServer", "ZapHandler"]

log = logging.getLogger("brubeck.connections")

#: Where libzmq asks for authentication (RFC 27/ZAP); one handler per context.
ZAP_ENDPOINT = "inproc://zeromq.zap.01"
_ZAP_VERSION = b"1.0"
#: The ZAP domain of Brubeck's CURVE servers (libzmq passes it to the handler).
ZAP_DOMAIN = b"brubeck"

KeySource = str | bytes | os.PathLike[str]


def _zmq() -> Any:
    import zmq  # only now: importing Brubeck imports no ZeroMQ
    import zmq.auth

    if not zmq.has("curve"):
        raise RuntimeError(
            "CurveZMQ is unavailable: this libzmq was built without CURVE (zmq.has('curve'))"
        )
    return zmq


def _public_key(source: KeySource) -> bytes:
    """The Z85 text of a public key given as such (40 characters), or as the file holding it."""
    zmq = _zmq()
    if isinstance(source, str | bytes) and len(source) == 40:
        text = source.encode("ascii", "replace") if isinstance(source, str) else source
        try:
            if len(zmq.utils.z85.decode(text)) == 32:
                return text
        except (ValueError, KeyError, TypeError):
            pass  # not Z85: a file name
    public, _ = zmq.auth.load_certificate(os.fspath(source))
    return bytes(public)


def _key_pair(path: str | os.PathLike[str]) -> tuple[bytes, bytes]:
    public, secret = _zmq().auth.load_certificate(os.fspath(path))
    if not secret:
        raise ValueError(f"{os.fspath(path)} holds no secret key (give the .key_secret file)")
    return bytes(public), bytes(secret)


def _raw(z85_key: bytes) -> bytes:
    return bytes(_zmq().utils.z85.decode(z85_key))


class CurveServer:
    """The server side of CurveZMQ: its key pair and the client keys it accepts.

    Args:
        secret_key_file: The server's ``.key_secret`` file.
        allowed_clients_dir: A directory of client public key files
            (``*.key``), read when the server opens its socket.
        allowed_clients: More client public keys (Z85 text or ``.key`` files).
        allow_any_client: Encrypt without checking client keys (any client
            with a key pair may connect). Never the default.

    Raises:
        RuntimeError: libzmq lacks CURVE.
        ValueError: No client is allowed and ``allow_any_client`` is not set;
            a key file without the key expected.
        OSError: A key file or the directory cannot be read.
    """

    def __init__(
        self,
        secret_key_file: str | os.PathLike[str],
        allowed_clients_dir: str | os.PathLike[str] | None = None,
        *,
        allowed_clients: tuple[KeySource, ...] | list[KeySource] = (),
        allow_any_client: bool = False,
    ) -> None:
        self.public_key, self.secret_key = _key_pair(secret_key_file)
        self.allowed_clients_dir = (
            None if allowed_clients_dir is None else Path(allowed_clients_dir)
        )
        if self.allowed_clients_dir is not None and not self.allowed_clients_dir.is_dir():
            raise FileNotFoundError(f"no directory {self.allowed_clients_dir}")
        self._extra = frozenset(_raw(_public_key(key)) for key in allowed_clients)
        if self.allowed_clients_dir is None and not self._extra and not allow_any_client:
            raise ValueError(
                "CurveServer needs the clients it allows (allowed_clients_dir, allowed_clients), "
                "or allow_any_client=True to encrypt without checking them"
            )
        self.allow_any_client = allow_any_client

    def __repr__(self) -> str:
        allowed = "any client" if self.allow_any_client else str(self.allowed_clients_dir or "")
        return f"CurveServer({self.public_key.decode()!r}, {allowed!r})"

    def allowed(self) -> frozenset[bytes] | None:
        """The raw (32-byte) client keys accepted now; ``None`` for any."""
        if self.allow_any_client:
            return None
        keys = set(self._extra)
        if self.allowed_clients_dir is not None:
            found = _zmq().auth.load_certificates(self.allowed_clients_dir)
            keys.update(_raw(key) for key in found)
        if not keys:
            log.warning("no client key is allowed: every CURVE client will be refused")
        return frozenset(keys)

    def secure(self, socket: Any, context: Any, backend: Backend | None) -> ZapHandler:
        """Make ``socket`` a CURVE server, with a ZAP handler on ``context``
        (call before it binds or connects; close the handler after the socket)."""
        zmq = _zmq()
        guard = ZapHandler(context, self.allowed(), backend)
        try:
            socket.setsockopt(zmq.CURVE_SECRETKEY, self.secret_key)
            socket.setsockopt(zmq.CURVE_PUBLICKEY, self.public_key)
            socket.setsockopt(zmq.CURVE_SERVER, 1)
            socket.setsockopt(zmq.ZAP_DOMAIN, ZAP_DOMAIN)
            _enforce_zap(zmq, socket)
        except BaseException:
            guard.close()
            raise
        return guard


def _enforce_zap(zmq: Any, socket: Any) -> None:
    """Refuse clients, rather than accept them, should the ZAP handler be gone
    (``ZMQ_ZAP_ENFORCE_DOMAIN``, a draft option some libzmq builds lack)."""
    option = getattr(zmq, "ZAP_ENFORCE_DOMAIN", None)
    if option is None:
        return
    try:
        socket.setsockopt(option, 1)
    except zmq.ZMQError:
        pass  # not in this build: the handler is bound before the socket, which suffices


class CurveClient:
    """The client side of CurveZMQ: the server's public key and the client's key pair.

    Args:
        server_public_key: The server's public key: its ``.key`` file, or the
            key's 40 characters of Z85 text.
        secret_key_file: The client's ``.key_secret`` file.

    Raises:
        RuntimeError: libzmq lacks CURVE.
        ValueError, OSError: A key file that cannot be read, or lacks its key.
    """

    def __init__(
        self, server_public_key: KeySource, secret_key_file: str | os.PathLike[str]
    ) -> None:
        self.server_key = _public_key(server_public_key)
        self.public_key, self.secret_key = _key_pair(secret_key_file)

    def __repr__(self) -> str:
        return f"CurveClient({self.server_key.decode()!r}, {self.public_key.decode()!r})"

    def secure(self, socket: Any, context: Any = None, backend: Backend | None = None) -> None:
        """Make ``socket`` a CURVE client (call before it connects)."""
        zmq = _zmq()
        socket.setsockopt(zmq.CURVE_SERVERKEY, self.server_key)
        socket.setsockopt(zmq.CURVE_PUBLICKEY, self.public_key)
        socket.setsockopt(zmq.CURVE_SECRETKEY, self.secret_key)


#: What the ``curve=`` argument of connections and clients takes.
Curve = CurveServer | CurveClient


class _Closed(BaseException):
    """Thrown into the handler's green thread to end it."""


class ZapHandler:
    """Answers libzmq's authentication requests (RFC 27) for one context.

    In a green thread of ``backend`` on a green REP socket, or, with no
    backend (plain blocking code), in a daemon OS thread.

    Attributes:
        accepted: Handshakes let through.
        refused: Handshakes refused.
    """

    def __init__(self, context: Any, allowed: frozenset[bytes] | None, backend: Backend | None):
        zmq = self._zmq = _zmq()
        self.allowed = allowed
        self.accepted = 0
        self.refused = 0
        self.backend = backend
        # A plain socket whatever the context's module: a green eventlet socket
        # would hold a hub listener on the descriptor FrameSocket waits on.
        socket = zmq.Socket(context, zmq.REP)
        socket.setsockopt(zmq.LINGER, 0)
        try:
            socket.bind(ZAP_ENDPOINT)
        except zmq.ZMQError as exc:
            socket.close()
            if exc.errno == zmq.EADDRINUSE:
                raise RuntimeError(
                    "this ZeroMQ context already has a ZAP handler (another CURVE server, "
                    "or a zmq.auth authenticator): give each CURVE server a context of its own"
                ) from None
            raise
        self.socket = socket
        self._frames: FrameSocket | None = None  # what the green thread reads it through
        self._started = False
        self._closing = False
        self._task: Task | None = None
        self._thread: threading.Thread | None = None
        if backend is not None:
            self._frames = FrameSocket(backend, socket)
            self._task = backend.spawn(self._serve_green, self._frames)
        else:
            self._thread = threading.Thread(target=self._serve_blocking, daemon=True)
            self._thread.start()

    def answer(self, frames: list[bytes]) -> list[bytes]:
        """The reply to one ZAP request: 200 for an allowed CURVE key, else 400."""
        if len(frames) < 6 or frames[0] != _ZAP_VERSION:
            return self._refuse(frames[1] if len(frames) > 1 else b"", b"not a ZAP 1.0 request")
        _, request_id, _, address, _, mechanism, *credentials = frames
        if mechanism != b"CURVE" or len(credentials) != 1 or len(credentials[0]) != 32:
            return self._refuse(request_id, b"only CURVE clients are accepted")
        key = credentials[0]
        z85_key = bytes(self._zmq.utils.z85.encode(key))
        if self.allowed is not None and key not in self.allowed:
            log.warning("refused CURVE client %s from %s", z85_key.decode(), address.decode())
            return self._refuse(request_id, b"client key not allowed")
        self.accepted += 1
        return [_ZAP_VERSION, request_id, b"200", b"OK", z85_key, b""]

    def _refuse(self, request_id: bytes, reason: bytes) -> list[bytes]:
        self.refused += 1
        return [_ZAP_VERSION, request_id, b"400", reason, b"", b""]

    def _serve_green(self, socket: FrameSocket) -> None:
        self._started = True
        recv, send = socket.recv, socket.send  # REP: a reply never waits
        try:
            while True:
                send(self.answer(recv()))
        except _Closed:
            return
        except self._zmq.ZMQError as exc:  # the context was terminated under us
            log.warning("the ZAP handler stopped: %s", exc)

    def _serve_blocking(self) -> None:
        socket = self.socket
        while not self._closing:
            if socket.poll(50):  # a slice: close() waits at most this long
                socket.send_multipart(self.answer(socket.recv_multipart()))

    def close(self) -> None:
        """Stop answering and close the socket (before the context terminates)."""
        if self._closing:
            return
        self._closing = True
        task, backend = self._task, self.backend
        if task is not None and backend is not None:
            # Throwing into a green thread that never ran would kill its
            # parent, the hub: let it start (and block on the socket) first.
            for _ in range(10):
                if self._started or task.dead():
                    break
                backend.sleep(0)
            task.kill(_Closed())
            task.join(1.0)
        elif self._thread is not None:
            self._thread.join(1.0)
        if self._frames is not None:
            self._frames.close()  # also ends its watch on the descriptor
        else:
            self.socket.close()
