"""What the service connections share: one socket, one reading loop, the pool.

:class:`SocketServer` opens one socket of the backend's green ``zmq``
(ROUTER for calls, PULL for one-way requests, SUB for events: the patterns of
``docs/protocol.md``), reads it in one green thread, and hands each message to
the app's bounded :class:`~brubeck.concurrency.WorkerPool`, which runs the
app's handling method for that pattern in a green thread of its own. What the
method returns (reply frames, for a ROUTER) goes back out of the same socket.

Stopping is graceful and the same for every pattern: :meth:`SocketServer.stop`
wakes the loop with a message from a socket of the connection's own, an
``inproc://`` peer whose first frame is a random token. The token counts only
once ``stop()`` was called, so no remote peer can stop a server (a SUB
socket's subscription to the token reaches its publishers). What peers
already sent is still read until the socket is quiet (``drain_quiet``, at
most ``drain_timeout``); the messages in flight get ``shutdown_timeout`` to
finish, and the socket closes with ``linger`` for the replies still queued
(flushed from an OS thread: the hub goes on).
The endpoint is not unbound first: with libzmq 4.3.5 unbinding closes the
connections accepted on it, and the replies in flight would be lost.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from brubeck.concurrency import Backend, WorkerPool
from brubeck.connections._frames import FrameSocket
from brubeck.connections.base import Connection, terminate
from brubeck.protocol.service import MAX_FRAME_SIZE, ServiceProtocolError

if TYPE_CHECKING:
    from brubeck.connections.curve import Curve

__all__ = ["SocketServer"]

log = logging.getLogger("brubeck.connections")

Handle = Callable[[Sequence[bytes]], "list[bytes] | None"]


class SocketServer(Connection):
    """One socket of a ``BRB1`` pattern, read by one loop; each message runs in the pool.

    Subclasses name the socket (:attr:`socket_type`), the peer that wakes it
    (:attr:`wake_type`), the app's method that handles a message
    (:attr:`handler_name`), and set their own options in :meth:`_prepare`.

    Attributes:
        endpoint: The address bound or connected, once open (the port chosen
            for ``tcp://...:*``).
        received: Messages read.
        sent: Replies sent.
        dropped: Messages the protocol says to drop (counted, logged, never answered).
    """

    socket_type: ClassVar[str]
    wake_type: ClassVar[str]
    handler_name: ClassVar[str]

    def __init__(  # noqa: PLR0913 - each is a documented knob
        self,
        addr: str,
        bind: bool = True,
        *,
        max_message_size: int = MAX_FRAME_SIZE,
        context: Any = None,
        sender_id: str | None = None,
        drain_quiet: float = 0.05,
        drain_timeout: float = 2.0,
        shutdown_timeout: float = 10.0,
        linger: float = 2.0,
        curve: Curve | None = None,
    ) -> None:
        if not addr:
            raise ValueError(f"{type(self).__name__} needs an address")
        if max_message_size < 1:
            raise ValueError("max_message_size must be at least 1 byte")
        super().__init__(sender_id)
        self.addr = addr
        self.bind = bind
        self.endpoint = addr
        self.max_message_size = max_message_size
        self.drain_quiet = drain_quiet
        self.drain_timeout = drain_timeout
        self.shutdown_timeout = shutdown_timeout
        self.linger = linger
        self.curve = curve
        self.received = 0
        self.sent = 0
        self.dropped = 0
        self._shared_context = context
        self._context: Any = None
        self._socket: FrameSocket | None = None
        self._wake: FrameSocket | None = None
        self._guard: Any = None  # the CURVE server's ZAP handler, closed with the socket
        # Not a libzmq-made routing id (those start with 0x00), and unguessable.
        self._wake_token = b"\x01brubeck-wake-" + uuid.uuid4().bytes
        self._stopping = False

    def __repr__(self) -> str:
        how = "bind" if self.bind else "connect"
        return f"{type(self).__name__}({self.endpoint!r}, {how})"

    def _prepare(self, zmq: Any, socket: Any, wake: Any) -> None:
        """Set the options of ``socket`` and ``wake`` (before either binds or connects)."""

    # -- lifecycle ---------------------------------------------------------------------

    def open(self, backend: Backend) -> None:
        """Create the socket and bind or connect it: a plain pyzmq socket read
        with :class:`~brubeck.connections._frames.FrameSocket` (whatever the
        context's module), so the hot path has no green wrapper."""
        zmq = backend.raw_zmq
        self.backend = backend
        context = self._shared_context
        if context is None:
            context = self._context = zmq.Context()
        raw = zmq.Socket(context, getattr(zmq, self.socket_type))
        raw.setsockopt(zmq.MAXMSGSIZE, self.max_message_size)
        raw.setsockopt(zmq.LINGER, int(self.linger * 1000))
        wake = zmq.Socket(context, getattr(zmq, self.wake_type))
        wake.setsockopt(zmq.LINGER, 0)
        wake.setsockopt(zmq.SNDHWM, 0)  # replies relayed through it are never refused
        self._socket, self._wake = FrameSocket(backend, raw), FrameSocket(backend, wake)
        try:
            self._prepare(zmq, raw, wake)
            if self.curve is not None:  # before binding: no peer may get in unchecked
                self._guard = self.curve.secure(raw, context, backend)
            wake_addr = f"inproc://brubeck-wake-{uuid.uuid4().hex}"
            wake.bind(wake_addr)
            raw.connect(wake_addr)
            if self.bind:
                raw.bind(self.addr)
                self.endpoint = raw.getsockopt(zmq.LAST_ENDPOINT).decode()
            else:
                raw.connect(self.addr)
        except BaseException:
            self.shutdown()
            raise
        how = "bound" if self.bind else "connected"
        log.info("serving BRB1 (%s) on %s (%s)", self.socket_type, self.endpoint, how)

    def stop(self) -> None:
        """Finish serving: see the module's notes on stopping."""
        if self._stopping:
            return
        self._stopping = True
        if self._wake is not None:
            self._wake.send([self._wake_token])

    def serve(self, app: Any, pool: WorkerPool) -> None:
        """Handle messages with the app until :meth:`stop`."""
        if self._socket is None:
            self.open(pool.backend)
        process = self._processor(getattr(app, self.handler_name))
        assert self._socket is not None
        recv, submit, token = self._socket.recv, pool.submit, self._wake_token
        while not self._stopping:
            frames = recv()
            if frames[0] == token:  # our own peer: a relayed reply, or stop()
                if self._internal(frames):
                    break
                continue
            self.received += 1
            self._in_flight += 1
            submit(process, frames)
        self._drain(process, pool)
        self._wait_in_flight(pool.backend)
        self.shutdown()

    def _internal(self, frames: list[bytes]) -> bool:
        """Handle a message from the wake peer: True when it says to stop."""
        if len(frames) > 2:  # [token, envelope..., reply...]
            self._relayed(frames[1:])
            return False
        return self._stopping  # a wake; the token counts only once stop() was called

    def _relayed(self, frames: list[bytes]) -> None:
        """A reply that came through the wake peer (only a ROUTER relays: see
        :class:`~brubeck.connections.ServiceConnection`). Elsewhere a peer that
        learnt the token sent it: a SUB socket's subscriptions reach its publishers."""
        self.dropped += 1

    def _processor(self, handle: Handle) -> Callable[[list[bytes]], None]:
        reader, relay = self._socket, self._wake
        assert reader is not None and relay is not None
        zmq_error = self.backend.raw_zmq.ZMQError  # type: ignore[union-attr]

        def process(frames: list[bytes]) -> None:
            try:
                replies = handle(frames)
                if replies is not None:
                    # Sending on the socket while its reader waits could take the
                    # signal that wakes it (see _frames.py): relay the reply then.
                    (relay if reader.waiting else reader).send(replies)
                    self.sent += 1
            except ServiceProtocolError as exc:
                self._drop(exc)
            except zmq_error as exc:  # the socket closed before a late reply
                log.warning("a service reply was not sent: %s", exc)
            except Exception:  # the app answers errors itself: this is a bug
                log.exception("the app failed on a service message")
            finally:
                self._in_flight -= 1

        return process

    def _drop(self, error: ServiceProtocolError) -> None:
        self.dropped += 1
        log.info("dropped a service message (%s): %d so far", error.reason, self.dropped)

    def _drain(self, process: Callable[[list[bytes]], None], pool: WorkerPool) -> None:
        """Read what peers already sent, until the socket is quiet."""
        backend, socket = pool.backend, self._socket
        assert socket is not None
        deadline = time.monotonic() + self.drain_timeout
        while time.monotonic() < deadline:
            try:
                with backend.timeout(self.drain_quiet):
                    message = socket.recv()
            except TimeoutError:
                break
            self._take(message, process, pool)
        # The last wait may have ended as a reply was relayed to it: what is
        # queued now is taken too. From here on the reader never waits on the
        # socket, so replies go out directly, none through the relay.
        while (queued := socket.recv_nowait()) is not None:
            self._take(queued, process, pool)
        log.info("stopped reading from %s after %d messages", self.endpoint, self.received)

    def _take(
        self, frames: list[bytes], process: Callable[[list[bytes]], None], pool: WorkerPool
    ) -> None:
        if frames[0] == self._wake_token:
            self._internal(frames)
            return
        self.received += 1
        self._in_flight += 1
        pool.submit(process, frames)

    def shutdown(self) -> None:
        """Close the sockets; queued replies are flushed for up to ``linger`` seconds."""
        for sock in (self._wake, self._socket):
            if sock is not None and not sock.closed:
                sock.close()
        self._wake = self._socket = None
        if self._guard is not None:
            self._guard.close()
            self._guard = None
        context, self._context = self._context, None
        if context is not None:
            # term() blocks until the replies are flushed (``linger``): in an OS
            # thread, so the other green threads go on meanwhile.
            terminate(context, self.backend)
