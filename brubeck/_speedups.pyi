# Type information for the C extension built from _speedups.c (see _native.py).

from datetime import datetime
from typing import Any

def parse_request(
    data: object, /
) -> tuple[str, str, str, dict[str, str | list[str]], bytes] | None: ...
def format_response(
    line: str,
    headers: object,
    seen: set[str],
    body: object,
    length: bool,
    close: bool,
    with_body: bool,
    /,
) -> bytes | None: ...
def reply_to(sender: object, conn_id: object, payload: object, /) -> bytes | None: ...
def parse_datetime(text: object, /) -> datetime | None: ...
def datetime_text(value: object, /) -> str | None: ...
def environ_headers(
    environ: object, names: dict[str, str], special: dict[str, str], /
) -> dict[str, Any] | None: ...
