"""``JSONMessageHandler``: a web handler whose reply is its JSON payload."""

from __future__ import annotations

from typing import Any

from brubeck.codecs import json
from brubeck.handlers.web import WebMessageHandler

__all__ = ["JSONMessageHandler"]


class JSONMessageHandler(WebMessageHandler):
    """Replies with the payload (``status_code``, ``status_msg``, ``timestamp``
    and whatever :meth:`add_to_payload` added) as ``application/json``."""

    def render(
        self,
        status_code: int | None = None,
        hide_status: bool = False,
        http_200: bool = False,
        **kw: Any,
    ) -> Any:
        """The reply dict with the payload as compact JSON; ``hide_status``
        sends only ``payload['data']`` when there is one."""
        if status_code is not None:
            self.set_status(status_code)
        payload = self._payload
        if hide_status and "data" in payload:
            payload = payload["data"]
        self.headers["Content-Type"] = "application/json"
        self.body = json.encode(payload)
        return super().render(http_200=http_200, **kw)
