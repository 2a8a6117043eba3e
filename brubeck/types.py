"""The small contracts the layers share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["Decoder", "Encoder"]

#: Turns a Python value into bytes; raises :class:`brubeck.errors.EncodeError`.
Encoder = Callable[[Any], bytes]
#: Turns bytes into a Python value; raises :class:`brubeck.errors.DecodeError`.
Decoder = Callable[[bytes], Any]
