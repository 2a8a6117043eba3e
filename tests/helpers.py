"""Test data helpers: the real Mongrel2 1.12 captures in tests/data/mongrel2."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"
MONGREL2_CAPTURES = sorted((DATA / "mongrel2").glob("*.bin"))


def split_mongrel2_message(message: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    """(sender, conn id, path, rest) of a raw Mongrel2 request message."""
    sender, conn_id, path, rest = message.split(b" ", 3)
    return sender, conn_id, path, rest
