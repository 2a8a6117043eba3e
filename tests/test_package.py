"""The package as users meet it: cheap imports, typing marker, README truth."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import brubeck

ROOT = Path(__file__).parent.parent


def test_version() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+(\.dev\d+)?", brubeck.__version__)


def test_py_typed_marker() -> None:
    assert (Path(brubeck.__file__).parent / "py.typed").is_file()


def test_import_brubeck_imports_no_green_io() -> None:
    script = (
        "import sys, brubeck, brubeck.codecs, brubeck.errors, brubeck.models, brubeck.types\n"
        "import brubeck.protocol.mongrel2\n"
        "bad = sorted(m for m in ('zmq', 'eventlet', 'gevent') if m in sys.modules)\n"
        "print(', '.join(bad))\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, f"imported: {result.stdout}{result.stderr}"


def test_readme_example_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    assert blocks, "README.md shows a Python example"
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def test_readme_names_exactly_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^\./dev (\w+)", readme, flags=re.MULTILINE)
    assert commands == ["demo", "test"]
