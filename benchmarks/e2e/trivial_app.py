"""A Brubeck app whose pipeline does nothing: what the serving layer alone
costs per request (``handler.py``'s ``serving-*`` stacks).

``handle_message`` answers every request with the same ``Hello x`` reply,
without parsing, routing or a handler: the connection, its sockets, the pool
and the hub are all that runs.
"""

from __future__ import annotations

from brubeck.app import Brubeck


class ServingOnly(Brubeck):
    def handle_message(self, data: bytes, raise_errors: bool = False) -> list[bytes]:
        sender, conn_id, _ = data.split(b" ", 2)
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n\r\n"
        return [b"%s %d:%s, %sHello x" % (sender, len(conn_id), conn_id, head)]


app = ServingOnly(handler_tuples=[])
