"""The optional C extension of the protocol layer (``_speedups.c``), or None.

It is built by ``pip install`` where a C compiler is found. Each of its
functions does the usual case of one Python function here and answers None
for anything else, so results never depend on whether it is there
(``tests/protocol/test_speedups.py``). ``BRUBECK_NO_SPEEDUPS=1`` in the
environment turns it off, for comparisons and for tests of the Python path.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from types import ModuleType

__all__ = ["format_response", "parse_request", "reply_to", "speedups"]


def _load() -> ModuleType | None:
    if os.environ.get("BRUBECK_NO_SPEEDUPS"):
        return None
    try:
        from brubeck.protocol import _speedups
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
