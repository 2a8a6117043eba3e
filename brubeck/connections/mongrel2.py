"""The Mongrel2 connection: a PULL socket for requests, a PUB socket for replies.

This slice holds the configuration (Brubeck 0.4's ``Mongrel2Connection(pull_addr,
pub_addr)``); the sockets and the serving loop arrive with the serving layer.
"""

from __future__ import annotations

import uuid

__all__ = ["Mongrel2Connection"]


class Mongrel2Connection:
    """Where Mongrel2 pushes requests (``pull_addr``, its ``send_spec``) and
    listens for replies (``pub_addr``, its ``recv_spec``). Nothing is opened
    when it is built.

    Attributes:
        pull_addr: The address the PULL socket connects to.
        pub_addr: The address the PUB socket connects to.
        sender_id: This handler's identity on the PUB socket.
    """

    def __init__(self, pull_addr: str, pub_addr: str) -> None:
        if not pull_addr or not pub_addr:
            raise ValueError("Mongrel2Connection needs a pull address and a pub address")
        self.pull_addr = pull_addr
        self.pub_addr = pub_addr
        self.sender_id = uuid.uuid4().hex

    def __repr__(self) -> str:
        return f"Mongrel2Connection({self.pull_addr!r}, {self.pub_addr!r})"
