"""Mongrel2's large uploads: trusting an upload-done message only when it is real.

Bodies bigger than Mongrel2's ``limits.content_length`` are written to a temp
file (``upload.temp_store``); the handler gets an upload-start message, then
an upload-done message whose ``x-mongrel2-upload-start`` and
``x-mongrel2-upload-done`` headers name the file. Those header names are
lowercase, like client headers, and Mongrel2 does not strip them from client
requests: a small request can carry forged ones pointing at any file
(inventory §3.4). So a file is handed to a handler only when both headers
agree and it is a regular file directly inside the configured upload directory.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from typing import Any

__all__ = ["verified_path"]

_START = "x-mongrel2-upload-start"
_DONE = "x-mongrel2-upload-done"


def verified_path(headers: Mapping[str, Any], upload_dir: str | None) -> str | None:
    """The uploaded file's path in ``upload_dir``, or None when the message
    cannot be trusted (no upload directory; headers missing, repeated or
    different; a name that is not a plain file name; no such regular file).

    Mongrel2 names the file as it sees it (inside its chroot, if any), so only
    the file name is kept and looked up in ``upload_dir``.
    """
    if not upload_dir:
        return None
    start, done = headers.get(_START), headers.get(_DONE)
    if not isinstance(start, str) or start != done:
        return None
    name = start.rpartition("/")[2]
    if not name or name in (".", "..") or "\x00" in name:
        return None
    directory = os.path.realpath(upload_dir)
    path = os.path.join(directory, name)
    try:
        info = os.lstat(path)  # lstat: a symlink planted in the directory is refused
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return path
