"""Run every benchmark in this folder, one after the other, in fresh processes.

Usage: ``./dev bench [name ...]`` (names without ``.py``; default: all).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main(names: list[str]) -> int:
    scripts = sorted(p for p in HERE.glob("*.py") if p.stem != "run" and not p.stem.startswith("_"))
    if names:
        scripts = [p for p in scripts if p.stem in names]
    failed = 0
    for script in scripts:
        print(f"\n=== benchmarks/{script.name}", flush=True)
        failed |= subprocess.call([sys.executable, str(script)])
    return failed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
