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

Stopping is graceful (see :mod:`brubeck.connections._serving`). Unlike
Mongrel2's PULL socket there is nothing to hand over: a client whose request
arrives after the close gets no reply, and its call times out (a DEALER
connected to several servers sends its next calls to the others).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from brubeck.connections._serving import SocketServer
from brubeck.protocol.service import MAX_FRAME_SIZE

if TYPE_CHECKING:
    from brubeck.connections.curve import Curve

__all__ = ["REPLY_HWM", "ServiceConnection"]

#: Replies queued per client before the ROUTER drops more (ZeroMQ's default is 1000).
REPLY_HWM = 100_000


class ServiceConnection(SocketServer):
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
        curve: A :class:`~brubeck.connections.CurveServer`: encrypt, and
            accept only the clients whose public keys it allows.

    Attributes:
        endpoint: The address bound or connected, once open (the port chosen
            for ``*``).
        received: Messages read from clients.
        sent: Replies sent.
        dropped: Messages that got no reply because the protocol says to drop
            them (too few frames, an unreadable request id, a bad one-way request).
    """

    socket_type = "ROUTER"
    wake_type = "DEALER"
    handler_name = "handle_service"

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
        curve: Curve | None = None,
    ) -> None:
        super().__init__(
            addr,
            bind,
            max_message_size=max_message_size,
            context=context,
            sender_id=sender_id,
            drain_quiet=drain_quiet,
            drain_timeout=drain_timeout,
            shutdown_timeout=shutdown_timeout,
            linger=linger,
            curve=curve,
        )
        self.reply_hwm = reply_hwm

    def _prepare(self, zmq: Any, socket: Any, wake: Any) -> None:
        socket.setsockopt(zmq.SNDHWM, self.reply_hwm)
        # The wake peer's routing id is the token: its messages start with it.
        wake.setsockopt(zmq.ROUTING_ID, self._wake_token)

    def _relayed(self, frames: list[bytes]) -> None:
        # A reply a handler finished while the reader waited: the reader sends it.
        assert self._socket is not None
        self._socket.send(frames)
