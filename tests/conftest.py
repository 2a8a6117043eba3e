"""Shared fixtures: hypothesis settings and the two tnetstring backends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from brubeck.codecs import tnetstring

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("default")


@pytest.fixture(params=["python", "c"])
def tnet_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run a test once on the pure-Python parser and once on tnetstring3."""
    if request.param == "python":
        monkeypatch.setattr(tnetstring, "_c_pop", None)
        monkeypatch.setattr(tnetstring, "_c_dumps", None)
    elif not tnetstring.ACCELERATED:
        pytest.skip("tnetstring3 is not installed (pip install brubeck[speedups])")
    yield request.param
