"""The service connection: the app's handlers on a ROUTER socket, for ``BRB1`` clients.

Clients (DEALER sockets, or REQ) send requests as ``docs/protocol.md`` says;
the ROUTER puts each sender's routing id in front. Every message is handed to
the app's bounded :class:`~brubeck.concurrency.WorkerPool`, which runs
``app.handle_service(frames)`` in a green thread of its own; the reply frames
(the envelope first) go back out of the same socket, which routes them to the
client by that envelope, in the order handlers finish.

What the protocol refuses is answered with its error reply when the request
id could be read, otherwise dropped and counted in :attr:`ServiceConnection.dropped`.
Frames larger than ``max_message_size`` never reach the app: libzmq
disconnects the peer that sends one (``ZMQ_MAXMSGSIZE``, zmq_setsockopt(3)).

Stopping is graceful. :meth:`ServiceConnection.stop` ends the reading loop;
what clients already sent is still read until the socket is quiet
(``drain_quiet``, at most ``drain_timeout``); the requests in flight get
``shutdown_timeout`` to finish, and the socket closes with ``linger`` for the
replies still queued. Unlike Mongrel2's PULL socket there is nothing to hand
over: a client whose request arrives after the close gets no reply, and its
call times out (a DEALER connected to several servers sends its next calls to
the others). The endpoint is not unbound first: with libzmq 4.3.5 unbinding
closes the connections accepted on it, and the replies in flight would be lost.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from brubeck.concurrency import Backend, WorkerPool
from brubeck.connections.base import Connection
from brubeck.protocol.service import MAX_FRAME_SIZE, ServiceProtocolError

__all__ = ["ServiceConnection"]

log = logging.getLogger("brubeck.connections")

#: Replies queued per client before the ROUTER drops more (ZeroMQ's default is 1000).
REPLY_HWM = 100_000

Handle = Callable[[Sequence[bytes]], "list[bytes] | None"]


class ServiceConnection(Connection):
    """Serves an app's handlers to ``BRB1`` clients on a ROUTER socket.

    Args:
        addr: The endpoint: ``tcp://127.0.0.1:5555``, ``ipc:///run/app.sock``,
            ``inproc://name``; with ``bind``, ``tcp://127.0.0.1:*`` picks a
            free port (see :attr:`endpoint`).
        bind: Bind ``addr`` (clients connect); False connects to it instead
            (for a proxy or broker that binds).
        max_message_size: ``ZMQ_MAXMSGSIZE``: the largest frame accepted;
            a peer that sends a larger one is disconnected, without a reply.
        context: A context of the backend's green ``zmq`` module to share
            (``inproc://`` endpoints need the client's); by default the
            connection makes its own, and terminates it on shutdown.
        sender_id: This process's identity (default: a new random one).
        reply_hwm: Replies queued per client before more are dropped.
        drain_quiet: After :meth:`stop`, stop reading once no request came
            for this many seconds...
        drain_timeout: ...or this many seconds after :meth:`stop` at most.
        shutdown_timeout: How long requests in flight get to finish.
        linger: How long closing waits for replies still queued, in seconds.

    Attributes:
        endpoint: The address bound or connected, once open (the port chosen
            for ``*``).
        received: Messages read from clients.
        sent: Replies sent.
        dropped: Messages that got no reply because the protocol says to drop
            them (too few frames, an unreadable request id, a bad one-way request).
    """

    def __init__(  # noqa: PLR0913 - each is a documented knob
        self,
        addr: str,
        bind: bool = True,
        *,
        max_message_size: int = MAX_FRAME_SIZE,
        context: Any = None,
        sender_id: str | None = None,
        reply_hwm: int = REPLY_HWM,
        drain_quiet: float = 0.05,
        drain_timeout: float = 2.0,
        shutdown_timeout: float = 10.0,
        linger: float = 2.0,
    ) -> None:
        if not addr:
            raise ValueError("ServiceConnection needs an address")
        if max_message_size < 1:
            raise ValueError("max_message_size must be at least 1 byte")
        super().__init__(sender_id)
        self.addr = addr
        self.bind = bind
        self.endpoint = addr
        self.max_message_size = max_message_size
        self.reply_hwm = reply_hwm
        self.drain_quiet = drain_quiet
        self.drain_timeout = drain_timeout
        self.shutdown_timeout = shutdown_timeout
        self.linger = linger
        self.received = 0
        self.sent = 0
        self.dropped = 0
        self._shared_context = context
        self._context: Any = None
        self._router: Any = None
        self._wake: Any = None
        # Not a libzmq-made id (those start with 0x00), and unguessable.
        self._wake_id = b"\x01brubeck-wake-" + uuid.uuid4().bytes
        self._in_flight = 0
        self._stopping = False

    def __repr__(self) -> str:
        how = "bind" if self.bind else "connect"
        return f"ServiceConnection({self.endpoint!r}, {how})"

    # -- lifecycle ---------------------------------------------------------------------

    def open(self, backend: Backend) -> None:
        """Create the ROUTER socket, with ``backend``'s green ``zmq``, and bind or connect it."""
        zmq = backend.zmq
        self.backend = backend
        context = self._shared_context
        if context is None:
            context = self._context = zmq.Context()
        router = context.socket(zmq.ROUTER)
        router.setsockopt(zmq.MAXMSGSIZE, self.max_message_size)
        router.setsockopt(zmq.SNDHWM, self.reply_hwm)
        router.setsockopt(zmq.LINGER, int(self.linger * 1000))
        # stop() wakes the reading loop with a message from a socket of our own.
        wake_addr = f"inproc://brubeck-service-wake-{uuid.uuid4().hex}"
        wake = context.socket(zmq.DEALER)
        wake.setsockopt(zmq.ROUTING_ID, self._wake_id)
        wake.setsockopt(zmq.LINGER, 0)
        wake.bind(wake_addr)
        router.connect(wake_addr)
        if self.bind:
            router.bind(self.addr)
            self.endpoint = router.getsockopt(zmq.LAST_ENDPOINT).decode()
        else:
            router.connect(self.addr)
        self._router, self._wake = router, wake
        log.info("serving BRB1 on %s (%s)", self.endpoint, "bound" if self.bind else "connected")

    def stop(self) -> None:
        """Finish serving: see the module's notes on stopping."""
        if self._stopping:
            return
        self._stopping = True
        if self._wake is not None:
            self._wake.send(b"", self.backend.zmq.NOBLOCK)  # type: ignore[union-attr]

    def serve(self, app: Any, pool: WorkerPool) -> None:
        """Answer requests with ``app.handle_service`` until :meth:`stop`."""
        if self._router is None:
            self.open(pool.backend)
        process = self._processor(app.handle_service)
        recv, submit, wake_id = self._router.recv_multipart, pool.submit, self._wake_id
        while not self._stopping:
            frames = recv()
            if frames[0] == wake_id:  # stop() was called
                break
            self.received += 1
            self._in_flight += 1
            submit(process, frames)
        self._drain(process, pool)
        self._wait_in_flight(pool.backend)
        self.shutdown()

    def _processor(self, handle: Handle) -> Callable[[list[bytes]], None]:
        send = self._router.send_multipart
        zmq_error = self.backend.zmq.ZMQError  # type: ignore[union-attr]

        def process(frames: list[bytes]) -> None:
            try:
                replies = handle(frames)
                if replies is not None:
                    send(replies)
                    self.sent += 1
            except ServiceProtocolError as exc:
                self._drop(exc)
            except zmq_error as exc:  # the socket closed before a late reply
                log.warning("a service reply was not sent: %s", exc)
            except Exception:  # handle_service answers errors itself: this is a bug
                log.exception("the app failed on a service message")
            finally:
                self._in_flight -= 1

        return process

    def _drop(self, error: ServiceProtocolError) -> None:
        self.dropped += 1
        log.info("dropped a service message (%s): %d so far", error.reason, self.dropped)

    def _drain(self, process: Callable[[list[bytes]], None], pool: WorkerPool) -> None:
        """Read what clients already sent, until the socket is quiet."""
        backend, router, wake_id = pool.backend, self._router, self._wake_id
        deadline = time.monotonic() + self.drain_timeout
        while time.monotonic() < deadline:
            try:
                with backend.timeout(self.drain_quiet):
                    frames = router.recv_multipart()
            except TimeoutError:
                break
            if frames[0] != wake_id:
                self.received += 1
                self._in_flight += 1
                pool.submit(process, frames)
        log.info("stopped reading from %s after %d requests", self.endpoint, self.received)

    def _wait_in_flight(self, backend: Backend) -> None:
        deadline = time.monotonic() + self.shutdown_timeout
        while self._in_flight and time.monotonic() < deadline:
            backend.sleep(0.005)
        if self._in_flight:
            log.warning(
                "%d service requests still running after %s s",
                self._in_flight,
                self.shutdown_timeout,
            )

    def shutdown(self) -> None:
        """Close the sockets; queued replies are flushed for up to ``linger`` seconds."""
        for name in ("_wake", "_router"):
            sock = getattr(self, name)
            if sock is not None and not sock.closed:
                sock.close()
            setattr(self, name, None)
        if self._context is not None:
            self._context.term()
            self._context = None
