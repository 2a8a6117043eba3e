"""brubeck.protocol.wsgi: a WSGI environ as the message Mongrel2 would send."""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from brubeck.protocol import wsgi

_SAFE = "/:@!$&'()*+,;=-._~"


def expected_headers(environ: dict[str, Any]) -> dict[str, str]:
    """The conversion spelled out: every HTTP_* key and the two CGI ones
    (when not empty), Latin-1 text re-read as UTF-8 (surrogateescape)."""
    out = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").lower()
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            name = key.lower().replace("_", "-")
        else:
            continue
        out[name] = value.encode("latin-1", "replace").decode("utf-8", "surrogateescape")
    return out


latin1 = st.text(st.characters(max_codepoint=255), max_size=12)
header_keys = st.sampled_from(["HOST", "USER_AGENT", "X_THING", "ACCEPT"]).map("HTTP_".__add__)
environs = st.fixed_dictionaries(
    {"REQUEST_METHOD": st.sampled_from(["GET", "POST"]), "PATH_INFO": latin1.map("/".__add__)},
    optional={
        "QUERY_STRING": st.text(max_size=8),
        "CONTENT_TYPE": st.sampled_from(["", "application/json"]),
        "CONTENT_LENGTH": st.sampled_from(["", "0", "12"]),
        "SCRIPT_NAME": st.sampled_from(["", "/app"]),
        "SERVER_NAME": st.just("localhost"),
        "wsgi.url_scheme": st.sampled_from(["http", "https"]),
    },
).flatmap(
    lambda base: st.dictionaries(header_keys, latin1, max_size=4).map(
        lambda extra: {**base, **extra}
    )
)


@given(environs)
def test_headers_and_path_are_what_mongrel2_would_send(environ: dict[str, Any]) -> None:
    # Twice: the second call takes the names the first one learnt.
    for _ in range(2):
        message = wsgi.message_from_environ(environ, b"")
        headers = dict(message.headers)
        for key in ("PATH", "METHOD", "VERSION", "URI", "QUERY", "PATTERN", "URL_SCHEME"):
            headers.pop(key, None)
        assert headers == expected_headers(environ)
        raw = environ.get("SCRIPT_NAME", "") + environ["PATH_INFO"]
        assert message.path == (urllib.parse.quote(raw.encode("latin-1"), safe=_SAFE) or "/")


@given(st.text(st.characters(max_codepoint=255), max_size=20))
@example("/a%41")  # a decoded path's "%" is a character: quoted
@example("/a b/é")
@example("/plain-path_1.2~x/:@!$&'()*+,;=")
@example("")
def test_a_path_is_quoted_exactly_as_urllib_quotes_it(path: str) -> None:
    got = wsgi._raw_path({"PATH_INFO": path})
    assert got == (urllib.parse.quote(path.encode("latin-1"), safe=_SAFE) or "/")


def test_a_raw_uri_from_the_server_is_used_as_sent() -> None:
    environ = {"RAW_URI": "/a%2Fb?x=1#frag", "PATH_INFO": "/a/b"}
    assert wsgi._raw_path(environ) == "/a%2Fb"


def test_names_learnt_are_bounded(monkeypatch: Any) -> None:
    monkeypatch.setattr(wsgi, "_NAMES", {})
    many = {f"HTTP_X_{index}": "v" for index in range(wsgi._NAMES_KEPT + 50)}
    message = wsgi.message_from_environ({"PATH_INFO": "/", **many}, b"")
    assert len(wsgi._NAMES) == wsgi._NAMES_KEPT
    assert sum(name.startswith("x-") for name in message.headers) == len(many)  # all kept


def test_a_header_value_that_is_not_text_is_refused() -> None:
    # PEP 3333: environ values are str. bytes would otherwise reach handlers
    # as a header "value".
    with pytest.raises(AttributeError):
        wsgi.message_from_environ({"PATH_INFO": "/", "HTTP_X": b"abc"}, b"")
