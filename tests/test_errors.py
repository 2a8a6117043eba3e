"""brubeck.errors"""

from __future__ import annotations

from brubeck.errors import (
    BrubeckError,
    CodecError,
    DecodeError,
    EncodeError,
    HTTPError,
    InvalidShield,
    NotAcceptableError,
    RemoteError,
    ServiceTimeout,
    ShieldDocException,
    ShieldException,
    UnknownCodecError,
)


def test_hierarchy() -> None:
    for error in (EncodeError, DecodeError, UnknownCodecError, NotAcceptableError):
        assert issubclass(error, CodecError)
    assert issubclass(CodecError, BrubeckError)
    assert not issubclass(CodecError, ValueError)


def test_offset_is_data_and_shown() -> None:
    error = DecodeError("bad tag", offset=7)
    assert (error.reason, error.offset) == ("bad tag", 7)
    assert str(error) == "bad tag (at byte 7)"
    assert str(DecodeError("truncated")) == "truncated"
    assert DecodeError("truncated").offset is None


def test_shield_exception_keeps_dictshields_fields_and_text() -> None:
    error = ShieldException("String value is too long", "name", "abcd", "$.name")
    assert (error.reason, error.field_name, error.field_value) == (
        "String value is too long",
        "name",
        "abcd",
    )
    assert str(error) == "String value is too long - name:abcd"
    assert error.path == "$.name"
    assert ShieldException("r", "f", 1).path == "$"


def test_shield_exception_primitive_keeps_json_values_and_stringifies_the_rest() -> None:
    assert ShieldException("r", "f", 3, "$.f").to_primitive() == {
        "path": "$.f",
        "reason": "r",
        "value": 3,
    }
    assert ShieldException("r", "f", object, "$.f").to_primitive()["value"] == str(object)


def test_shield_doc_exception() -> None:
    errors = [ShieldException("Required field missing", "a", None, "$.a")]
    error = ShieldDocException("Doc", errors)
    assert (error.doc, error.error_list) == ("Doc", errors)
    assert str(error) == "Document had 1 errors - ['Required field missing - a:None']"
    assert error.to_primitive() == [
        {"path": "$.a", "reason": "Required field missing", "value": None}
    ]
    assert issubclass(InvalidShield, BrubeckError)


def test_service_errors() -> None:
    problem = {"type": "about:blank", "title": "Bad Request", "status": 400,
               "detail": "Invalid Todo", "errors": [{"path": "$.title"}]}  # fmt: skip
    error = RemoteError(400, problem, {"x-trace": "t"})
    assert (error.status, error.title, error.detail, error.errors) == (
        400,
        "Bad Request",
        "Invalid Todo",
        [{"path": "$.title"}],
    )
    assert str(error) == "400 Bad Request: Invalid Todo" and error.headers == {"x-trace": "t"}
    assert str(RemoteError(503, b"busy")) == "503" and RemoteError(503, "x").errors == []
    assert issubclass(ServiceTimeout, BrubeckError) and issubclass(ServiceTimeout, TimeoutError)
    assert not issubclass(RemoteError, HTTPError)
