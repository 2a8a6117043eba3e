"""brubeck.blocking: the hook through which CPU-heavy calls reach a thread pool."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from brubeck import blocking


@pytest.fixture(autouse=True)
def restore() -> Iterator[None]:
    runner = blocking._runner
    yield
    blocking._runner = runner


def test_by_default_run_is_a_plain_call() -> None:
    blocking.install(None)
    assert blocking.run(threading.get_ident) == threading.get_ident()


def test_an_installed_runner_decides_where_the_call_runs() -> None:
    seen: list[Callable[[], Any]] = []

    def runner(function: Callable[[], Any]) -> Any:
        seen.append(function)
        return ("ran", function())

    blocking.install(runner)
    assert blocking.run(lambda: 42) == ("ran", 42)
    assert len(seen) == 1
    blocking.install(None)
    assert blocking.run(lambda: 42) == 42
