"""Signed cookies: HMAC-SHA256, an issue time, a JSON payload. Never pickle.

The layout is Brubeck 0.4's, so the names and the shape of cookie values stay
familiar::

    "!" + base64(signature) + "?" + base64(payload)

where ``payload`` is compact JSON ``{"t": <issued, unix seconds>, "v": <value>}``
and ``signature`` is HMAC-SHA256 with the secret as key over the base64 payload
text. 0.4 pickled the payload, so any client able to forge a signature could
run code on the server; here a cookie that is not this format (0.4's
included) simply does not decode.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import time
from typing import Any

__all__ = ["MAX_COOKIE_SIZE", "cookie_decode", "cookie_encode", "cookie_is_encoded"]

#: Browsers keep at most about 4096 bytes per cookie (RFC 6265 §6.1); longer
#: values are refused before any work is done on them.
MAX_COOKIE_SIZE = 4096


def _key(secret: str | bytes) -> bytes:
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    if not key:
        raise ValueError("a cookie secret must not be empty")
    return key


def _sign(key: bytes, payload_b64: str) -> bytes:
    return hmac.new(key, payload_b64.encode("ascii"), hashlib.sha256).digest()


def cookie_encode(value: Any, secret: str | bytes, issued_at: float | None = None) -> str:
    """Sign ``value`` (anything JSON can hold) into a cookie value.

    Raises:
        ValueError: An empty secret.
        TypeError: A value JSON cannot hold.
    """
    issued = int(time.time() if issued_at is None else issued_at)
    payload = json.dumps({"t": issued, "v": value}, separators=(",", ":"), allow_nan=False)
    payload_b64 = base64.b64encode(payload.encode("utf-8")).decode("ascii")
    signature = base64.b64encode(_sign(_key(secret), payload_b64)).decode("ascii")
    return f"!{signature}?{payload_b64}"


def cookie_is_encoded(data: str) -> bool:
    """Whether ``data`` has the shape of a signed cookie (not whether it is valid)."""
    return data.startswith("!") and "?" in data


def cookie_decode(
    data: str, secret: str | bytes, max_age: float | None = None, now: float | None = None
) -> Any:
    """The value of a signed cookie, or None.

    None when the signature is wrong, the cookie is older than ``max_age``
    seconds (or issued in the future), or ``data`` is not this format. The
    signature is compared in constant time, before the payload is parsed.
    """
    key = _key(secret)
    # Cookie values are ASCII (RFC 6265 cookie-octet): anything else is not ours.
    if len(data) > MAX_COOKIE_SIZE or not data.isascii() or not cookie_is_encoded(data):
        return None
    signature_b64, _, payload_b64 = data[1:].partition("?")
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except binascii.Error:
        return None
    expected = _sign(key, payload_b64)
    if not hmac.compare_digest(signature, expected):
        return None
    try:
        payload = json.loads(base64.b64decode(payload_b64, validate=True))
    except (binascii.Error, ValueError):  # ValueError: JSON or UTF-8
        return None
    if not isinstance(payload, dict) or "v" not in payload:
        return None
    issued = payload.get("t")
    if not isinstance(issued, int | float) or isinstance(issued, bool) or not math.isfinite(issued):
        return None
    current = time.time() if now is None else now
    if issued > current + 60:  # from the future: a clock far off, or a forgery
        return None
    if max_age is not None and current - issued > max_age:
        return None
    return payload["v"]
