"""``Publisher``: events for :class:`~brubeck.connections.SubscriberConnection` apps.

::

    with Publisher("tcp://127.0.0.1:5556") as events:
        events.wait_for_subscriptions(topic="todos.created")  # see "slow joiners"
        events.publish("todos.created", "/todos/created", {"id": 1})

An event is a topic frame and a one-way request (``docs/protocol.md``,
"Events"): every subscriber whose subscriptions include a prefix of the topic
gets it, and routes it to its handler by verb and path. Nothing comes back.

**Slow joiners.** PUB/SUB delivers an event to the subscribers whose
subscriptions have reached the publisher when it is sent, and to no one else:
a subscriber that connects a moment later, or whose subscription is still on
its way, misses it, and so do the events that a slow subscriber cannot take
(past ``hwm``). The publisher's socket is an XPUB, which reports each
subscription as it arrives: :meth:`Publisher.wait_for_subscriptions` waits
for them, rather than sleeping and hoping. Events are for messages that may
be lost; for work that must be done, use calls or PUSH/PULL.

Like :class:`~brubeck.connections.ServiceClient`, a publisher works from green
threads (``backend="eventlet"`` or ``"gevent"``) and from plain blocking code
(no backend). A ZeroMQ socket belongs to one thread: use a publisher from one
OS thread (any number of green threads of one backend).
"""

from __future__ import annotations

import collections
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from brubeck.codecs import Codec, default_registry
from brubeck.concurrency import Backend, get_backend
from brubeck.connections.base import terminate
from brubeck.connections.oneway import topic_bytes
from brubeck.errors import ServiceTimeout
from brubeck.protocol import service
from brubeck.protocol.service import ServiceRequest

if TYPE_CHECKING:
    from brubeck.connections.curve import Curve, ZapHandler

__all__ = ["Publisher"]

#: Events queued per subscriber before more are dropped (ZeroMQ's default is 1000).
EVENT_HWM = 100_000
#: Publishes between two reads of the subscription notices, which would
#: otherwise pile up in the socket of a publisher that never asks for them.
_NOTICES_EVERY = 256


class Publisher:
    """Publishes ``BRB1`` events on an XPUB socket bound (or connected) at ``addr``.

    Args:
        addr: The endpoint: ``tcp://127.0.0.1:5556``; ``tcp://127.0.0.1:*``
            picks a free port (see :attr:`endpoint`).
        codec: The codec name events are encoded with, or a
            :class:`~brubeck.codecs.Codec`.
        backend: ``"eventlet"``, ``"gevent"`` or a
            :class:`~brubeck.concurrency.Backend` to publish from its green
            threads; ``None`` for plain blocking code.
        bind: Bind ``addr`` (subscribers connect); False connects to it.
        context: A ZeroMQ context to share (of the backend's green ``zmq`` in
            green mode); by default the publisher makes its own.
        hwm: Events queued per subscriber before more are dropped.
        linger: Seconds closing waits for events not yet sent.
        curve: A :class:`~brubeck.connections.CurveServer` (subscribers then
            need the matching :class:`~brubeck.connections.CurveClient`).

    Attributes:
        endpoint: The address bound or connected (the port chosen for ``*``).
        published: Events sent.
    """

    def __init__(  # noqa: PLR0913 - each is a documented knob
        self,
        addr: str,
        codec: str | Codec = "msgpack",
        backend: str | Backend | None = None,
        *,
        bind: bool = True,
        context: Any = None,
        hwm: int = EVENT_HWM,
        linger: float = 1.0,
        curve: Curve | None = None,
    ) -> None:
        self.addr = addr
        self.codec = codec if isinstance(codec, Codec) else default_registry.get(codec)
        self.backend = None if backend is None else get_backend(backend)
        self.published = 0
        self._counts: collections.Counter[bytes] = collections.Counter()
        self._closed = False
        if self.backend is not None:
            zmq: Any = self.backend.zmq
        else:
            import zmq  # plain pyzmq, only now: importing Brubeck imports no zmq
        self._zmq = zmq
        self._own_context = context is None
        self._context = zmq.Context() if context is None else context
        self._guard: ZapHandler | None = None
        self._socket = self._open(zmq, bind, hwm, linger, curve)
        self.endpoint = self._socket.getsockopt(zmq.LAST_ENDPOINT).decode() if bind else addr

    def _open(self, zmq: Any, bind: bool, hwm: int, linger: float, curve: Curve | None) -> Any:
        socket = self._context.socket(zmq.XPUB)
        try:
            socket.setsockopt(zmq.LINGER, int(linger * 1000))
            socket.setsockopt(zmq.SNDHWM, hwm)
            # Every subscription and unsubscription, not only a topic's first
            # and last: so the publisher can count them.
            socket.setsockopt(zmq.XPUB_VERBOSER, 1)
            if curve is not None:
                self._guard = curve.secure(socket, self._context, self.backend)
            (socket.bind if bind else socket.connect)(self.addr)
        except BaseException:
            socket.close()
            self._close_guard_and_context()
            raise
        return socket

    def __repr__(self) -> str:
        mode = self.backend.name if self.backend is not None else "blocking"
        return f"Publisher({self.endpoint!r}, {self.codec.name!r}, {mode})"

    # -- events ------------------------------------------------------------------------

    def publish(
        self,
        topic: str | bytes,
        path: str,
        body: Any = None,
        verb: str = "POST",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Send the event ``verb path`` with ``body`` to the subscribers of ``topic``.

        It never waits: subscribers that are not there, or too slow, miss it.

        Raises:
            ValueError: A topic longer than 255 bytes.
            ServiceProtocolError: A verb, path or headers the protocol refuses.
            EncodeError: A body the codec cannot encode.
        """
        if self._closed:
            raise RuntimeError("the publisher is closed")
        codec = self.codec
        encoded = b"" if body is None else codec.encode(body)
        request = ServiceRequest(codec, b"", verb, path, dict(headers or {}), encoded)
        self._socket.send_multipart(service.format_event(topic_bytes(topic), request))
        self.published += 1
        if self.published % _NOTICES_EVERY == 0:
            self._read_notices()

    # -- subscriptions -----------------------------------------------------------------

    def subscriptions(self, topic: str | bytes = b"") -> int:
        """How many subscriptions that the publisher has heard of cover
        ``topic`` (a subscriber counts once per matching subscription); with
        the default, those to every topic (``""``)."""
        self._read_notices()
        return self._covering(topic_bytes(topic))

    def wait_for_subscriptions(
        self, count: int = 1, topic: str | bytes = b"", timeout: float = 5.0
    ) -> None:
        """Wait until at least ``count`` subscriptions cover ``topic``.

        Raises:
            ServiceTimeout: Fewer after ``timeout`` seconds.
        """
        frame = topic_bytes(topic)
        deadline = time.monotonic() + timeout
        self._read_notices()
        while self._covering(frame) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._wait_notice(remaining):
                have = self._covering(frame)
                raise ServiceTimeout(f"{have} of {count} subscriptions to {topic!r} in {timeout} s")
            self._read_notices()

    def _covering(self, topic: bytes) -> int:
        return sum(n for prefix, n in self._counts.items() if topic.startswith(prefix))

    def _read_notices(self) -> None:
        """Count the (un)subscriptions received, without waiting."""
        zmq, recv = self._zmq, self._socket.recv
        while True:
            try:
                notice = recv(zmq.NOBLOCK)
            except zmq.Again:
                return
            self._count(notice)

    def _count(self, notice: bytes) -> None:
        """One XPUB notice: ``01`` then the topic subscribes, ``00`` then it unsubscribes."""
        kind, topic = notice[:1], notice[1:]
        if kind == b"\x01":
            self._counts[topic] += 1
        elif kind == b"\x00" and self._counts[topic] > 0:
            self._counts[topic] -= 1
            if not self._counts[topic]:
                del self._counts[topic]

    def _wait_notice(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for a notice to read (green, or polling when blocking)."""
        if self.backend is None:
            return bool(self._socket.poll(max(1, int(seconds * 1000))))
        socket = self._socket
        try:
            with self.backend.timeout(seconds):
                notice = socket.recv()
        except TimeoutError:
            return False
        self._count(notice)
        return True

    # -- closing -----------------------------------------------------------------------

    def close(self) -> None:
        """Close the socket; events not yet sent get ``linger`` seconds."""
        if self._closed:
            return
        self._closed = True
        self._socket.close()
        self._close_guard_and_context()

    def _close_guard_and_context(self) -> None:
        if self._guard is not None:
            self._guard.close()
            self._guard = None
        if self._own_context:
            terminate(self._context, self.backend)

    def __enter__(self) -> Publisher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
