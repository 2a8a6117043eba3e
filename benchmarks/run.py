"""Run every benchmark in this folder, one after the other, in fresh processes.

Usage: ``./dev bench [name ...]`` (names without ``.py``; ``e2e`` is
``e2e/run.py``; default: all).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main(names: list[str]) -> int:
    scripts = {p.stem: p for p in HERE.glob("*.py") if p.stem not in ("run", "__init__")}
    scripts.update({p.parent.name: p for p in HERE.glob("*/run.py")})  # e2e/run.py is "e2e"
    chosen = names or sorted(scripts)
    unknown = [name for name in chosen if name not in scripts]
    if unknown:
        print(f"no benchmark {', '.join(unknown)}; there are: {', '.join(sorted(scripts))}")
        return 2
    failed = 0
    for name in chosen:
        script = scripts[name]
        print(f"\n=== benchmarks/{script.relative_to(HERE)}", flush=True)
        failed |= subprocess.call([sys.executable, str(script)])
    return failed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
