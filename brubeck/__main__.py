"""``python -m brubeck``: the ``brubeck`` command."""

from __future__ import annotations

import sys

from brubeck.cli import main

if __name__ == "__main__":
    sys.exit(main())
