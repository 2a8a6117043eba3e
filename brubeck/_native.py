"""The optional C extension (``_speedups.c``): the usual case of a few hot
functions of the protocol and models layers, each in one C call.

It is built by ``pip install`` where a C compiler is found. Each of its
functions does the usual case of one Python function here and answers None
for anything else, so results never depend on whether it is there
(``tests/test_speedups.py``). ``BRUBECK_NO_SPEEDUPS=1`` in the
environment turns it off, for comparisons and for tests of the Python path.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from types import ModuleType
from typing import Any

__all__ = [
    "datetime_text",
    "environ_headers",
    "format_response",
    "parse_datetime",
    "parse_request",
    "reply_to",
    "speedups",
]


def _load() -> ModuleType | None:
    if os.environ.get("BRUBECK_NO_SPEEDUPS"):
        return None
    try:
        from brubeck import _speedups
    except ImportError:  # pragma: no cover - built where a C compiler was found
        return None
    return _speedups


#: The extension module, or None (not built, or turned off).
speedups = _load()

#: ``(sender, conn_id, path, headers, body)`` of the usual Mongrel2 request, or None.
parse_request: (
    Callable[[bytes], tuple[str, str, str, dict[str, str | list[str]], bytes] | None] | None
)
parse_request = getattr(speedups, "parse_request", None)
#: ``format_response(line, headers, seen, body, length, close, with_body)``, or None.
format_response: Callable[[str, object, set[str], bytes, bool, bool, bool], bytes | None] | None
format_response = getattr(speedups, "format_response", None)
#: ``reply_to(sender, conn_id, payload)``: the usual Mongrel2 reply, or None.
reply_to: Callable[[object, object, bytes], bytes | None] | None
reply_to = getattr(speedups, "reply_to", None)
#: ``parse_datetime(text)``: the naive or UTC datetime of the usual text, or None.
parse_datetime: Callable[[str], datetime | None] | None
parse_datetime = getattr(speedups, "parse_datetime", None)
#: ``datetime_text(value)``: ``value.isoformat()`` of a naive or UTC datetime, or None.
datetime_text: Callable[[datetime], str | None] | None
datetime_text = getattr(speedups, "datetime_text", None)
#: ``environ_headers(environ, names, special)``: a WSGI environ's headers, or None.
environ_headers: Callable[[object, dict[str, str], dict[str, str]], dict[str, Any] | None] | None
environ_headers = getattr(speedups, "environ_headers", None)
