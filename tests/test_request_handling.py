"""Brubeck 0.4's import paths: brubeck.request_handling and brubeck.request."""

from __future__ import annotations

import brubeck.request_handling as rh
from brubeck import app, handlers
from brubeck.protocol import cookies, mongrel2
from brubeck.protocol import request as protocol_request
from brubeck.request import Request


def test_request_handling_names_are_the_new_objects() -> None:
    assert rh.Brubeck is app.Brubeck
    assert rh.MessageHandler is handlers.MessageHandler
    assert rh.WebMessageHandler is handlers.WebMessageHandler
    assert rh.JSONMessageHandler is handlers.JSONMessageHandler
    assert rh.render is handlers.render and rh.http_response is handlers.http_response
    assert (rh.cookie_encode, rh.cookie_decode, rh.cookie_is_encoded) == (
        cookies.cookie_encode,
        cookies.cookie_decode,
        cookies.cookie_is_encoded,
    )
    assert "patch" in rh.HTTP_METHODS


def test_request_parse_msg_as_in_04() -> None:
    assert Request is protocol_request.Request
    data = mongrel2.format_request(
        "sender", 3, "/x", {"PATH": "/x", "METHOD": "GET", "QUERY": "a=1"}, b""
    )
    request = Request.parse_msg(data)
    assert (request.sender, request.conn_id, request.path) == ("sender", "3", "/x")
    assert request.get_argument("a") == "1"
    assert request.body == b""


def test_cookie_helpers_keep_their_names_and_sign_with_sha256() -> None:
    encoded = rh.cookie_encode(["k", "v"], "secret")
    assert rh.cookie_is_encoded(encoded)
    assert rh.cookie_decode(encoded, "secret") == ["k", "v"]
    assert rh.cookie_decode(encoded, "other") is None
