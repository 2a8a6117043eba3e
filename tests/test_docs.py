"""The Python examples in docs/ run (each page's blocks in order, sharing names)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = sorted((Path(__file__).parent.parent / "docs").glob("*.md"))


@pytest.mark.parametrize("page", DOCS, ids=lambda page: page.name)
def test_python_examples_run(page: Path) -> None:
    namespace: dict[str, object] = {}
    for block in re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.DOTALL):
        try:
            exec(compile(block, str(page), "exec"), namespace)
        except ModuleNotFoundError as exc:  # an example of a library we do not install
            assert exc.name not in ("brubeck",) and not (exc.name or "").startswith("brubeck")
            continue
