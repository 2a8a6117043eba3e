"""brubeck._native: where the C extension is used, and turning it off."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from brubeck import _native
from brubeck.models import _compile as model_compile
from brubeck.models.fields import base as fields_base
from brubeck.protocol import http, mongrel2, wsgi

TURNED_OFF = bool(os.environ.get("BRUBECK_NO_SPEEDUPS"))


@pytest.mark.skipif(TURNED_OFF, reason="turned off on purpose")
def test_built_where_required() -> None:
    """CI sets BRUBECK_REQUIRE_SPEEDUPS where a C compiler is found."""
    if os.environ.get("BRUBECK_REQUIRE_SPEEDUPS"):
        assert _native.speedups is not None


def test_the_modules_use_what_was_loaded() -> None:
    module = _native.speedups
    assert mongrel2.ACCELERATED is (module is not None)
    if module is None:
        assert (mongrel2._fast_parse, mongrel2._fast_reply, http._fast_response) == (None,) * 3
        assert fields_base._c_parse_datetime is None and model_compile._c_datetime_text is None
        assert wsgi._fast_headers is None
    else:
        assert mongrel2._fast_parse is module.parse_request
        assert mongrel2._fast_reply is module.reply_to
        assert http._fast_response is module.format_response
        assert fields_base._c_parse_datetime is module.parse_datetime
        assert model_compile._c_datetime_text is module.datetime_text
        assert wsgi._fast_headers is module.environ_headers


def test_brubeck_no_speedups_turns_the_extension_off() -> None:
    code = (
        "from brubeck import _native\nfrom brubeck.protocol import mongrel2, http\n"
        "assert _native.speedups is None and not mongrel2.ACCELERATED\n"
        "assert http._fast_response is None and mongrel2._fast_reply is None\n"
        "from brubeck.models import _compile\n"
        "from brubeck.models.fields import base\n"
        "assert base._c_parse_datetime is None and _compile._c_datetime_text is None\n"
        "from brubeck.protocol import wsgi\n"
        "assert wsgi._fast_headers is None\n"
        "print(mongrel2.parse(b's 1 /p 15:6:METHOD,3:GET,}0:,').method)\n"
    )
    env = {**os.environ, "BRUBECK_NO_SPEEDUPS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "GET\n"
    assert mongrel2.ACCELERATED is (_native.speedups is not None)  # this process: as loaded
