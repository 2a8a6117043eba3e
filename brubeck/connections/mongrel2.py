"""The Mongrel2 connection: a PULL socket for requests, a PUB socket for replies.

Mongrel2 binds both (its handler's ``send_spec`` and ``recv_spec``); each
handler process connects to both, and Mongrel2 spreads requests across the
processes (Mongrel2 manual, "Handler Protocol"; inventory §3.1).

Three things go beyond Brubeck 0.4 here, each for a failure seen on the wire:

* The reply socket is an XPUB, and requests are not read before Mongrel2's
  subscription arrives: a PUB drops what it sends before the subscriber's
  handshake, so the first replies after a (re)start were lost.
* Replies are never dropped at the high-water mark (``XPUB_NODROP``): a burst
  of replies waits (green) for Mongrel2 to catch up instead.
* Stopping is graceful. ZeroMQ discards a PULL socket's queued messages when
  it disconnects (measured with libzmq 4.3.5), so after :meth:`stop` the
  connection keeps reading while it *holds back* its replies: clients waiting
  for an answer send nothing new, the socket goes quiet, and only then is it
  closed; the held replies go out once Mongrel2 has seen the close (else the
  clients' next requests could still be routed here, and lost). In-flight
  requests (this connection's own: the pool may serve others too) then get
  ``shutdown_timeout`` seconds to finish. A client that
  sends its first request in the instant between the close and Mongrel2
  noticing it can still lose it: a PUSH socket cannot be told to stop.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from brubeck.concurrency import Backend, WorkerPool
from brubeck.connections.base import Connection, terminate
from brubeck.connections.sockets import GreenSocket
from brubeck.protocol import mongrel2

__all__ = ["Mongrel2Connection"]

log = logging.getLogger("brubeck.connections")

#: Replies queued for Mongrel2 before senders wait (ZeroMQ's default is 1000).
REPLY_HWM = 100_000
_WAKE = b""  # Mongrel2 never sends an empty message: it can only be our own wake-up


class Mongrel2Connection(Connection):
    """Serves an app behind Mongrel2.

    Args:
        pull_addr: Mongrel2's ``send_spec`` (the PULL socket connects there).
        pub_addr: Mongrel2's ``recv_spec`` (the reply socket connects there).
        upload_dir: Where Mongrel2's ``upload.temp_store`` files are, as this
            process sees them (inside Mongrel2's chroot, if it has one). None
            refuses every upload-done message with 400.
        sender_id: This process's identity (default: a new random one).
        drain_quiet: After :meth:`stop`, stop reading once no request came for
            this many seconds...
        drain_timeout: ...or this many seconds after :meth:`stop` at most.
        handover_delay: How long after closing the request socket the held
            replies wait, so Mongrel2 has seen the close before their clients
            send again.
        shutdown_timeout: How long requests in flight get to finish.
        linger: How long closing waits for replies still queued, in seconds.
    """

    def __init__(  # noqa: PLR0913 - each is a documented knob
        self,
        pull_addr: str,
        pub_addr: str,
        *,
        upload_dir: str | None = None,
        sender_id: str | None = None,
        drain_quiet: float = 0.05,
        drain_timeout: float = 2.0,
        handover_delay: float = 0.1,
        shutdown_timeout: float = 10.0,
        linger: float = 2.0,
    ) -> None:
        if not pull_addr or not pub_addr:
            raise ValueError("Mongrel2Connection needs a pull address and a pub address")
        super().__init__(sender_id)
        self.pull_addr = pull_addr
        self.pub_addr = pub_addr
        self.upload_dir = upload_dir
        self.drain_quiet = drain_quiet
        self.drain_timeout = drain_timeout
        self.handover_delay = handover_delay
        self.shutdown_timeout = shutdown_timeout
        self.linger = linger
        self.received = 0  # messages read from Mongrel2
        self.sent = 0  # messages sent to Mongrel2
        self._context: Any = None
        self._pull: Any = None
        self._pub: Any = None
        self._wake: Any = None
        self._stopping = False
        self._held: list[bytes] | None = None  # replies held back while draining

    def __repr__(self) -> str:
        return f"Mongrel2Connection({self.pull_addr!r}, {self.pub_addr!r})"

    # -- lifecycle ---------------------------------------------------------------------

    def open(self, backend: Backend) -> None:
        """Connect the reply socket, wait for Mongrel2 to subscribe, then connect
        the request socket (so no reply can be sent into the void)."""
        zmq = backend.raw_zmq  # plain sockets, driven by the hub (see sockets.py)
        self.backend = backend
        self._context = context = zmq.Context()
        pub = context.socket(zmq.XPUB)
        pub.setsockopt(zmq.IDENTITY, self.sender_id.encode())
        pub.setsockopt(zmq.XPUB_NODROP, 1)
        pub.setsockopt(zmq.SNDHWM, REPLY_HWM)
        pub.setsockopt(zmq.LINGER, int(self.linger * 1000))
        pub.connect(self.pub_addr)
        self._pub = GreenSocket(backend, pub)
        self._wait_for_subscriber(backend)
        if self._stopping:
            return  # stopped while waiting: never read a request
        wake_addr = f"inproc://brubeck-wake-{self.sender_id}"
        self._wake = context.socket(zmq.PUSH)
        self._wake.setsockopt(zmq.LINGER, 0)  # a wake-up left unread must not hold up term()
        self._wake.bind(wake_addr)
        pull = context.socket(zmq.PULL)
        pull.setsockopt(zmq.LINGER, 0)
        pull.connect(self.pull_addr)
        pull.connect(wake_addr)
        self._pull = GreenSocket(backend, pull)
        log.info("connected to Mongrel2: requests from %s, replies to %s", *self._addrs())

    def _addrs(self) -> tuple[str, str]:
        return self.pull_addr, self.pub_addr

    def _wait_for_subscriber(self, backend: Backend) -> None:
        waited = 0.0
        while not self._stopping:
            try:
                with backend.timeout(1.0):
                    self._pub.recv()  # Mongrel2's SUB sends \x01 + its recv_ident
                return
            except TimeoutError:
                waited += 1.0
                if waited % 5 == 0:
                    log.warning("waiting for Mongrel2 at %s (is it running?)", self.pub_addr)

    def stop(self) -> None:
        """Finish serving: see the module's notes on draining."""
        if self._stopping:
            return
        self._stopping = True
        if self._wake is not None:
            self._wake.send(_WAKE, self.backend.raw_zmq.NOBLOCK)  # type: ignore[union-attr]

    def serve(self, app: Any, pool: WorkerPool) -> None:
        """Answer requests with ``app.handle_message`` until :meth:`stop`."""
        if self._pull is None:
            self.open(pool.backend)
        if self._pull is None:  # stopped while waiting for Mongrel2
            self.shutdown()
            return
        process = self._processor(app.handle_message)
        recv, submit = self._pull.recv, pool.submit
        while not self._stopping:
            data = recv()
            if not data:  # our own wake-up: stop() was called
                break
            self.received += 1
            submit(process, data)
        self._drain(process, pool)
        self._wait_in_flight(pool.backend)
        self.shutdown()

    def _processor(self, handle: Callable[[bytes], list[bytes]]) -> Callable[[bytes], None]:
        zmq_error = self.backend.raw_zmq.ZMQError  # type: ignore[union-attr]

        def process(data: bytes) -> None:
            # Counted here, not by the pool: the pool may serve other connections too.
            self._in_flight += 1
            try:
                replies = handle(data)
                self._send_all(replies)
            except zmq_error as exc:  # the socket closed before a late reply (shutdown)
                log.warning("a Mongrel2 reply was not sent: %s", exc)
            except Exception:  # handle_message answers errors itself: this is a bug
                log.exception("the app failed on a Mongrel2 message")
            finally:
                self._in_flight -= 1

        return process

    def _send_all(self, replies: list[bytes]) -> None:
        held = self._held
        if held is not None:
            held.extend(replies)
            return
        send = self._pub.send
        for reply in replies:
            send(reply)
        self.sent += len(replies)

    def _drain(self, process: Callable[[bytes], None], pool: WorkerPool) -> None:
        """Read what Mongrel2 already sent, holding replies until the socket is quiet."""
        backend, pull = pool.backend, self._pull
        self._held = []
        deadline = time.monotonic() + self.drain_timeout
        while time.monotonic() < deadline:
            try:
                with backend.timeout(self.drain_quiet):
                    data = pull.recv()
            except TimeoutError:
                break
            if data:
                self.received += 1
                pool.submit(process, data)
        # No green switch from here to the close (pool.submit runs handlers,
        # which may switch): what is queued now is read, then the socket closed.
        queued = []
        while (data := pull.recv_nowait()) is not None:
            if data:
                queued.append(data)
        pull.close(linger=0)
        self.received += len(queued)
        for data in queued:
            pool.submit(process, data)
        # The held replies let their clients send again: wait until Mongrel2 has
        # seen the close, or it may still route their next requests to us.
        backend.sleep(self.handover_delay)
        held, self._held = self._held, None
        self._send_all(held)
        log.info("stopped reading from %s after %d requests", self.pull_addr, self.received)

    def shutdown(self) -> None:
        """Close the sockets; queued replies are flushed for up to ``linger`` seconds.

        Handlers still waiting to send (the reply queue full) are not waited
        for: :meth:`serve` gave them ``shutdown_timeout`` already. They are
        woken, and their reply is logged as not sent (``zmq.ZMQError``), rather
        than left waiting on a closed socket. The flush runs in an OS thread
        (``zmq.Context.term`` blocks until it ends), so the other green threads
        go on meanwhile.
        """
        for name in ("_pull", "_wake", "_pub"):
            sock = getattr(self, name)
            if sock is not None and not sock.closed:
                sock.close()
        context, self._context = self._context, None
        if context is not None:
            terminate(context, self.backend)

    # -- replies (Brubeck 0.4's API, for handlers that answer by themselves) -------------

    def send(self, uuid: str, conn_id: int | str, msg: bytes | str) -> None:
        """Send ``msg`` to one client connection of the Mongrel2 server ``uuid``."""
        self._send_all([mongrel2.format_reply(uuid, [conn_id], _bytes(msg))])

    def reply(self, req: Any, msg: bytes | str) -> None:
        """Send ``msg`` to the client that sent request ``req``."""
        self.send(req.sender, req.conn_id, msg)

    def reply_bulk(self, uuid: str, idents: list[int | str], data: bytes | str) -> None:
        """Send ``data`` to many clients (in messages of at most 128 ids)."""
        self._send_all(mongrel2.format_replies(uuid, idents, _bytes(data)))

    def close(self, req: Any) -> None:
        """Close the client connection that sent ``req``."""
        self.send(req.sender, req.conn_id, b"")

    def close_bulk(self, uuid: str, idents: list[int | str]) -> None:
        """Close many client connections."""
        self.reply_bulk(uuid, idents, b"")

    def ctl(self, uuid: str, idents: list[int | str], command: dict[str, Any]) -> None:
        """An extended ``["ctl", command]`` reply: ``{"keep-alive": True}``,
        ``{"credits": N}`` or ``{"cancel": True}``."""
        self._send_all([mongrel2.format_extended(uuid, idents, "ctl", command)])

    def sendfile(self, req: Any, path: str) -> None:
        """Ask Mongrel2's sendfile filter to send the file at ``path`` to ``req``'s client."""
        self._send_all([mongrel2.sendfile(req.sender, [req.conn_id], path)])


def _bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data
