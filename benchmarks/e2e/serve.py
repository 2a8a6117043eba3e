"""Serve one of ``apps.py``'s stacks on a fast HTTP server, for the benchmark.

python serve.py brubeck_wsgi|falcon PORT     (bjoern, a libev WSGI server in C)
python serve.py fastapi PORT                 (uvicorn with uvloop and httptools)
"""

from __future__ import annotations

import signal
import sys
from typing import Any

from apps import load


def main(stack: str, port: int) -> None:
    app: Any = load(stack)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if stack == "fastapi":
        import uvicorn

        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    else:
        import bjoern

        bjoern.run(app, "127.0.0.1", port)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
