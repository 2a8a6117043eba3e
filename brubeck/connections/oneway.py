"""Connections for messages that get no reply: one-way requests (PULL) and events (SUB).

Both run the app's handlers as :class:`~brubeck.connections.ServiceConnection`
does, from the same bounded pool, and discard what the handlers return
(``docs/protocol.md``, "One-way messages" and "Events"):

* :class:`PullConnection` binds a PULL socket; ``ServiceClient(addr,
  kind="push")`` sends it requests (``client.send(path, body)``). PUSH spreads
  the requests of one client among every PULL server it is connected to: a
  work queue. A PULL server never replies, whatever the request id.
* :class:`SubscriberConnection` connects a SUB socket to a
  :class:`~brubeck.connections.Publisher` and subscribes to topics (prefixes of
  an event's first frame); each event is routed by its verb and path.

A message that breaks the protocol is dropped and counted (``dropped``);
nothing is ever sent back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from brubeck.connections._serving import SocketServer
from brubeck.protocol.service import MAX_FRAME_SIZE, MAX_TOPIC

if TYPE_CHECKING:
    from brubeck.connections.curve import Curve

__all__ = ["PullConnection", "SubscriberConnection", "topic_bytes"]


def topic_bytes(topic: str | bytes) -> bytes:
    """A topic as its frame: text is UTF-8; at most :data:`MAX_TOPIC` bytes.

    Raises:
        ValueError: A topic that is too long, or neither text nor bytes.
    """
    frame = topic.encode("utf-8") if isinstance(topic, str) else topic
    if type(frame) is not bytes or len(frame) > MAX_TOPIC:
        raise ValueError(f"a topic is text or bytes of {MAX_TOPIC} bytes at most, not {topic!r}")
    return frame


class PullConnection(SocketServer):
    """Runs the app's handlers for one-way requests arriving on a PULL socket.

    Args:
        addr: The endpoint to bind (or connect, with ``bind=False``), as for
            :class:`~brubeck.connections.ServiceConnection`.
        bind: Bind ``addr`` (clients connect their PUSH sockets); False connects.
        max_message_size, context, sender_id, drain_quiet, drain_timeout,
        shutdown_timeout, linger, curve: As for
            :class:`~brubeck.connections.ServiceConnection`.

    Attributes:
        endpoint: The address bound or connected, once open.
        received: Messages read.
        dropped: Messages that break the protocol (never answered).
    """

    socket_type = "PULL"
    wake_type = "PUSH"
    handler_name = "handle_one_way"


class SubscriberConnection(SocketServer):
    """Runs the app's handlers for the events of ``topics``, from a SUB socket.

    Events are one-way requests after a topic frame; the handler is chosen by
    the event's verb and path, as for any request, and sees the topic as
    ``self.message.headers["TOPIC"]``. Its reply is discarded.

    PUB/SUB drops what a subscriber is not there to take: events published
    before this connection has connected *and* its subscriptions have reached
    the publisher are lost (ZeroMQ's "slow joiner"). A
    :class:`~brubeck.connections.Publisher` can wait for them
    (:meth:`~brubeck.connections.Publisher.wait_for_subscriptions`).

    Args:
        addr: The publisher's endpoint, connected to (PUB binds, SUB connects);
            ``bind=True`` binds instead, for publishers that connect.
        topics: Prefixes of the topics to receive: ``["todos."]`` gets
            ``todos.created`` and ``todos.deleted``; ``[""]`` gets everything.
        max_message_size, context, sender_id, drain_quiet, drain_timeout,
        shutdown_timeout, linger: As for
            :class:`~brubeck.connections.ServiceConnection`.
        curve: A :class:`~brubeck.connections.CurveClient` for a publisher
            that is a CURVE server (or a ``CurveServer`` when this side binds).

    Attributes:
        topics: The subscriptions, as frames.
        endpoint: The address connected or bound, once open.
        received: Events read.
        dropped: Events that break the protocol.
    """

    socket_type = "SUB"
    wake_type = "PUB"
    handler_name = "handle_event"

    def __init__(  # noqa: PLR0913 - each is a documented knob
        self,
        addr: str,
        topics: Iterable[str | bytes],
        bind: bool = False,
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
        if isinstance(topics, str | bytes):
            raise TypeError("topics is a list of topics: ['todos.'], not 'todos.'")
        self.topics = tuple(dict.fromkeys(topic_bytes(topic) for topic in topics))
        if not self.topics:
            raise ValueError("a SubscriberConnection needs at least one topic ('' for all)")
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

    def _prepare(self, zmq: Any, socket: Any, wake: Any) -> None:
        # Subscribed before connecting, so the first handshake carries them.
        # The wake peer publishes the token as its topic; only we subscribe to it.
        for topic in (*self.topics, self._wake_token):
            socket.setsockopt(zmq.SUBSCRIBE, topic)
