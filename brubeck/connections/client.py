"""``ServiceClient``: calls to ``BRB1`` services (docs/protocol.md) over a DEALER socket.

::

    client = ServiceClient("tcp://127.0.0.1:5555")  # plain blocking code
    client.call("/echo", {"text": "x"}).body  # {'text': 'x'}

With ``kind="push"`` the socket is a PUSH, for PULL servers: one-way
requests only (:meth:`ServiceClient.send`).

Many calls share one socket: each gets a request id (an 8-byte counter), and
a reply is matched to its call by that id, whatever order replies come in.
A reply to no call in flight (it came after its call timed out) is discarded
and counted in :attr:`ServiceClient.discarded`.

How the socket is read depends on who calls:

* **Green threads** (``backend="eventlet"`` or ``"gevent"``): a plain pyzmq
  socket that waits on the backend's hub (:mod:`brubeck.connections._frames`);
  one reader green thread receives every reply and wakes the green thread
  waiting for it. Waiting uses the backend's timeout, never a socket timeout
  or a poller (gevent ignores ``RCVTIMEO`` on green sockets, and eventlet's
  ``Poller`` blocks the hub).
* **Plain blocking code** (``backend=None``): plain pyzmq, no thread of its
  own. The caller waiting for a reply reads the socket itself, with
  ``poll`` timeouts, and settles the other calls whose replies it reads. Each
  OS thread gets a socket of its own, so a client may be shared by threads.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from brubeck.codecs import Codec, Registry, default_registry, tnetstring
from brubeck.concurrency import Backend, get_backend
from brubeck.connections._client_io import BlockingIO, GreenIO, SocketSpec
from brubeck.errors import DecodeError, RemoteError, ServiceTimeout
from brubeck.protocol import service
from brubeck.protocol.service import ServiceProtocolError, ServiceReply

if TYPE_CHECKING:
    from brubeck.connections.curve import CurveClient

__all__ = ["ReplyFuture", "ServiceClient", "ServiceResponse"]

#: The client's socket for each ``kind``.
_SOCKET_TYPES = {"dealer": "DEALER", "push": "PUSH"}

#: Calls between two sweeps for calls whose deadline passed unawaited.
_SWEEP_EVERY = 1024


def _tnetstring_text(data: bytes) -> Any:
    # tnetstring strings are bytes on the wire; text is UTF-8 (docs/protocol.md).
    try:
        return tnetstring.decode(data, text=True)
    except DecodeError:
        return tnetstring.decode(data)


#: What a client reads replies with: the default codecs, tnetstring strings as text.
CLIENT_CODECS = default_registry.copy()
CLIENT_CODECS.register(
    Codec(tnetstring.NAME, tnetstring.CONTENT_TYPES, tnetstring.encode, _tnetstring_text)
)


@dataclass(frozen=True, slots=True)
class ServiceResponse:
    """A successful (2xx) reply, decoded.

    Attributes:
        status: The status, e.g. ``200``.
        headers: The reply's headers.
        body: The decoded body; ``None`` when there was none.
    """

    status: int
    headers: dict[str, str]
    body: Any


class ReplyFuture:
    """A call in flight: :meth:`result` waits for its reply (until the call's deadline).

    Attributes:
        request_id: The call's request id on the wire.
        deadline: When the call times out (``time.monotonic()`` seconds).
    """

    __slots__ = (
        "_channel",
        "_client",
        "_error",
        "_reply",
        "_waiter",
        "_what",
        "deadline",
        "request_id",
    )

    def __init__(
        self, client: ServiceClient, request_id: bytes, deadline: float, what: str = "the call"
    ) -> None:
        self.request_id = request_id
        self.deadline = deadline
        self._what = what
        self._client = client
        self._reply: ServiceReply | None = None
        self._error: BaseException | None = None
        self._waiter: Any = None  # the green threads parked on it (made by the first)
        self._channel: Any = None  # the socket the call went out on (blocking mode)

    def done(self) -> bool:
        """Whether the call is settled: answered, failed or timed out."""
        return self._reply is not None or self._error is not None

    def result(self) -> ServiceResponse:
        """The decoded reply, waiting for it if need be.

        Raises:
            RemoteError: The status is not 2xx (its decoded error body attached).
            ServiceTimeout: No reply before the call's deadline.
            ServiceProtocolError: The reply broke the protocol.
        """
        if not self.done():
            self._client._io.wait(self)
            if not self.done():
                self._client._expire(self)
        if self._error is not None:
            raise self._error
        assert self._reply is not None
        return _response(self._reply)

    def _settle(self, reply: ServiceReply | None, error: BaseException | None) -> None:
        if self.done():
            return
        self._reply, self._error = reply, error
        if self._waiter:
            self._client._io.wake(self)

    def __repr__(self) -> str:
        state = "done" if self.done() else "pending"
        return f"<ReplyFuture {self.request_id.hex()} {state}>"


def _response(reply: ServiceReply) -> ServiceResponse:
    try:
        body = reply.decode_body()
    except DecodeError as exc:
        reason = f"undecodable reply body: {exc.reason}"
        raise ServiceProtocolError(reason, "body", 400, reply.request_id, reply.codec) from None
    if not reply.ok:
        raise RemoteError(reply.status, body, reply.headers)
    return ServiceResponse(reply.status, reply.headers, body)


class ServiceClient:
    """Calls a ``BRB1`` service: a DEALER socket connected to ``addr`` (or a
    PUSH socket, to send one-way requests to a PULL server).

    Args:
        addr: The server's endpoint (``tcp://127.0.0.1:5555``, ``ipc://...``,
            ``inproc://...`` with a shared ``context``).
        codec: The codec name requests are encoded with (``"msgpack"``,
            ``"json"``, ``"tnetstring"``), or a :class:`~brubeck.codecs.Codec`.
        timeout: Seconds a call waits for its reply unless it says otherwise.
        backend: ``"eventlet"``, ``"gevent"`` or a
            :class:`~brubeck.concurrency.Backend` to call from its green
            threads; ``None`` for plain blocking code. Inside a running app,
            pass ``brubeck.concurrency.active_backend()``.
        codecs: The codecs replies are decoded with (by their name in the
            reply); :data:`CLIENT_CODECS` by default.
        context: A ZeroMQ context to share (of the backend's green ``zmq`` in
            green mode); by default the client makes its own (pyzmq's global
            one when blocking).
        linger: Seconds closing waits for requests not yet sent.
        kind: ``"dealer"`` (the default) for a ROUTER server
            (:class:`~brubeck.connections.ServiceConnection`): calls and
            one-way requests; ``"push"`` for a PULL server
            (:class:`~brubeck.connections.PullConnection`): one-way requests
            only (:meth:`send`), spread among every server connected.
        curve: A :class:`~brubeck.connections.CurveClient`, for a server that
            is a CURVE server.

    Attributes:
        discarded: Replies that answered no call in flight (late, or unreadable).
    """

    def __init__(  # noqa: PLR0913 - each is a documented knob
        self,
        addr: str,
        codec: str | Codec = "msgpack",
        timeout: float = 5.0,
        backend: str | Backend | None = None,
        *,
        codecs: Registry | None = None,
        context: Any = None,
        linger: float = 1.0,
        kind: str = "dealer",
        curve: CurveClient | None = None,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        socket_type = _SOCKET_TYPES.get(kind)
        if socket_type is None:
            raise ValueError(f"kind is 'dealer' or 'push', not {kind!r}")
        self.addr = addr
        self.timeout = timeout
        self.codecs = codecs if codecs is not None else CLIENT_CODECS
        self.codec = codec if isinstance(codec, Codec) else self.codecs.get(codec)
        self.discarded = 0
        self._pending: dict[bytes, ReplyFuture] = {}
        self._ids = itertools.count(1)
        self._calls = 0
        self._closed = False
        self.kind = kind
        chosen = None if backend is None else get_backend(backend)
        self.backend = chosen
        spec = SocketSpec(addr, socket_type, linger, curve)
        self._io: GreenIO | BlockingIO = (
            BlockingIO(spec, timeout, self._dispatch, context)
            if chosen is None
            else GreenIO(spec, timeout, self._dispatch, chosen, context)
        )

    def __repr__(self) -> str:
        mode = self.backend.name if self.backend is not None else "blocking"
        kind = "" if self.kind == "dealer" else f", {self.kind}"
        return f"ServiceClient({self.addr!r}, {self.codec.name!r}, {mode}{kind})"

    # -- calls -------------------------------------------------------------------------

    def call(
        self,
        path: str,
        body: Any = None,
        verb: str = "POST",
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> ServiceResponse:
        """Call ``verb path`` with ``body`` (``None``: no body) and wait for the reply.

        Raises:
            RemoteError: The status is not 2xx (its decoded error body attached).
            ServiceTimeout: No reply within ``timeout`` seconds (the client's by default).
            ServiceProtocolError: A verb, path or headers the protocol refuses,
                or a reply that breaks it.
            EncodeError: A body the codec cannot encode.
        """
        return self.call_async(path, body, verb, headers, timeout).result()

    def call_async(
        self,
        path: str,
        body: Any = None,
        verb: str = "POST",
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> ReplyFuture:
        """Send the call now and return at once; :meth:`ReplyFuture.result` waits
        for the reply. Raises what :meth:`call` raises before sending."""
        if self.kind == "push":
            raise RuntimeError("a PUSH client only sends one-way requests: send(), not call()")
        seconds = self.timeout if timeout is None else timeout
        request_id = next(self._ids).to_bytes(8, "big")
        frames = self._frames(request_id, path, body, verb, headers)
        future = ReplyFuture(
            self, request_id, time.monotonic() + seconds, f"{verb} {path} within {seconds} s"
        )
        self._pending[request_id] = future  # before sending: the reply may beat us back
        try:
            self._io.send(frames, future)
        except BaseException:
            self._pending.pop(request_id, None)
            raise
        self._calls += 1
        if self._calls % _SWEEP_EVERY == 0:
            self._sweep()
        return future

    def send(
        self,
        path: str,
        body: Any = None,
        verb: str = "POST",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Send a one-way request (an empty request id): no reply comes, and
        the handler's is discarded. A DEALER client sends it to its ROUTER
        server, a PUSH client (``kind="push"``) to one of its PULL servers.

        Raises:
            ServiceTimeout: The socket could not take the message within the
                client's timeout (too many queued for an absent server).
        """
        frames = self._frames(b"", path, body, verb, headers)
        self._io.send(frames, None)

    def _frames(
        self,
        request_id: bytes,
        path: str,
        body: Any,
        verb: str,
        headers: Mapping[str, str] | None,
    ) -> list[bytes]:
        if self._closed:
            raise RuntimeError("the client is closed")
        codec = self.codec
        encoded = b"" if body is None else codec.encode(body)
        return service.request_frames(codec, request_id, verb, path, dict(headers or {}), encoded)

    # -- replies -----------------------------------------------------------------------

    def _dispatch(self, frames: list[bytes]) -> None:
        """Settle the call a reply answers (called by whoever read it)."""
        reply: ServiceReply | None = None
        error: ServiceProtocolError | None = None
        try:
            reply = service.parse_reply(frames, self.codecs)
            request_id: bytes | None = reply.request_id
        except ServiceProtocolError as exc:
            error, request_id = exc, exc.request_id
        future = self._pending.pop(request_id, None) if request_id else None
        if future is None:
            self.discarded += 1
            return
        future._settle(reply, error)

    def _expire(self, future: ReplyFuture, reason: str | None = None) -> None:
        self._pending.pop(future.request_id, None)
        message = reason or f"no reply to {future._what}"
        future._settle(None, ServiceTimeout(message))

    def _sweep(self) -> None:
        """Time out the calls nobody waits for whose deadline passed."""
        now = time.monotonic()
        for future in list(self._pending.values()):
            if future.deadline < now:
                self._expire(future)

    # -- closing -----------------------------------------------------------------------

    def close(self) -> None:
        """Close the socket; calls still in flight fail with :class:`ServiceTimeout`."""
        if self._closed:
            return
        self._closed = True
        for future in list(self._pending.values()):
            self._expire(future, "the client was closed before the reply came")
        self._io.close()

    def __enter__(self) -> ServiceClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
