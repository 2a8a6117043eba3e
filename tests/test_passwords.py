"""brubeck.passwords: scrypt hashes in a self-describing string; 0.4's bcrypt lines."""

from __future__ import annotations

import base64
import hmac
import re
import sys
from typing import Any

import pytest

from brubeck import passwords
from brubeck.passwords import (
    BCRYPT,
    PASSWD_DELIM,
    build_passwd_line,
    gen_hexdigest,
    hash_password,
    needs_rehash,
    split_passwd_line,
    verify_password,
)

FAST = {"ln": 4, "r": 8, "p": 1}  # cheap parameters, so the tests stay quick

try:
    import bcrypt
except ImportError:  # pragma: no cover - bcrypt is in requirements/dev.txt
    bcrypt = None

needs_bcrypt = pytest.mark.skipif(bcrypt is None, reason="bcrypt is not installed")


def test_the_format_names_algorithm_parameters_and_salt() -> None:
    stored = hash_password("hunter2")
    assert re.fullmatch(r"\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}", stored)
    assert len(stored) <= 128  # User.password's max_length


def test_round_trip() -> None:
    stored = hash_password("correct horse battery staple", **FAST)
    assert verify_password("correct horse battery staple", stored)


def test_wrong_password() -> None:
    stored = hash_password("right", **FAST)
    assert not verify_password("wrong", stored)
    assert not verify_password("Right", stored)
    assert not verify_password("", stored)


def test_each_hash_has_its_own_salt() -> None:
    assert hash_password("same", **FAST) != hash_password("same", **FAST)


def test_non_ascii_passwords() -> None:
    stored = hash_password("pässwörd ☃", **FAST)
    assert verify_password("pässwörd ☃", stored)
    assert not verify_password("passwort ☃", stored)


def test_the_parameters_are_read_from_the_string() -> None:
    stored = hash_password("pw", ln=5, r=4, p=2)
    assert stored.startswith("$scrypt$ln=5,r=4,p=2$")
    assert verify_password("pw", stored)


def _tamper(text: str) -> str:
    return ("A" if text[0] != "A" else "B") + text[1:]


def test_a_tampered_hash_or_salt_does_not_match() -> None:
    stored = hash_password("pw", **FAST)
    head, salt, digest = stored.rsplit("$", 2)
    assert not verify_password("pw", f"{head}${salt}${_tamper(digest)}")
    assert not verify_password("pw", f"{head}${_tamper(salt)}${digest}")
    assert not verify_password("pw", stored.replace("ln=4", "ln=5"))


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plaintext",
        "$scrypt$",
        "$scrypt$ln=4,r=8,p=1$c2FsdA",
        "$scrypt$ln=4,r=8,p=1$not base64!$" + "A" * 43,
        "$scrypt$ln=4,r=8,p=1$" + "A" * 22 + "$" + "A" * 43 + "$extra",
        "$pbkdf2$i=1000$" + "A" * 22 + "$" + "A" * 43,
        "md5|||salt|||digest",
        "bcrypt|||only-two",
    ],
)
def test_a_malformed_string_is_an_error(stored: str) -> None:
    with pytest.raises(ValueError):
        verify_password("pw", stored)


@pytest.mark.parametrize("parameters", ["ln=30,r=8,p=1", "ln=20,r=32,p=1", "ln=4,r=99,p=1"])
def test_a_tampered_string_cannot_ask_for_absurd_work(parameters: str) -> None:
    stored = f"$scrypt${parameters}$" + "A" * 22 + "$" + "A" * 43
    with pytest.raises(ValueError, match="scrypt parameters"):
        verify_password("pw", stored)


def test_hashing_refuses_empty_passwords_and_bad_parameters() -> None:
    with pytest.raises(ValueError, match="No empty passwords"):
        hash_password("")
    with pytest.raises(TypeError):
        hash_password(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        hash_password("pw", ln=0)
    with pytest.raises(ValueError):
        hash_password("pw", ln=20, r=16)  # 2 GiB


def test_the_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(passwords.hmac, "compare_digest", spy)
    stored = hash_password("pw", **FAST)
    assert verify_password("pw", stored)
    assert not verify_password("other", stored)
    assert len(calls) == 2
    expected = base64.b64decode(stored.rsplit("$", 1)[1] + "=")
    assert all(b == expected for _, b in calls)


def test_needs_rehash() -> None:
    assert not needs_rehash(hash_password("pw", **FAST), **FAST)
    assert needs_rehash(hash_password("pw", **FAST))  # weaker than the defaults
    assert needs_rehash("bcrypt|||$2a$04$abcdefghijklmnopqrstuu|||whatever")
    assert needs_rehash("garbage")


# -- Brubeck 0.4's bcrypt lines ----------------------------------------------------------


def test_passwd_lines_join_and_split() -> None:
    line = build_passwd_line("bcrypt", "salt", "digest")
    assert line == "bcrypt|||salt|||digest"
    assert split_passwd_line(line) == ["bcrypt", "salt", "digest"]
    assert PASSWD_DELIM == "|||" and BCRYPT == "bcrypt"


@needs_bcrypt
def test_a_04_bcrypt_line_verifies_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # What 0.4's User.set_password stored: bcrypt|||<salt>|||<bcrypt hash>.
    salt = bcrypt.gensalt(rounds=4, prefix=b"2a")
    digest = bcrypt.hashpw(b"foo", salt)
    line = build_passwd_line("bcrypt", salt.decode(), digest.decode())
    compared: list[bytes] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        compared.append(b)
        return real(a, b)

    monkeypatch.setattr(passwords.hmac, "compare_digest", spy)
    assert verify_password("foo", line)
    assert not verify_password("bar", line)
    assert compared == [digest, digest]


@needs_bcrypt
def test_gen_hexdigest_is_04s() -> None:
    algorithm, salt, digest = gen_hexdigest("foo", salt=bcrypt.gensalt(rounds=4).decode())
    assert algorithm == "bcrypt"
    assert digest.startswith(salt)
    assert verify_password("foo", build_passwd_line(algorithm, salt, digest))
    with pytest.raises(ValueError, match="No empty passwords"):
        gen_hexdigest(None)
    with pytest.raises(ValueError, match="Unknown password algorithm"):
        gen_hexdigest("foo", algorithm="md5")


@needs_bcrypt
def test_bcrypt_reads_at_most_72_bytes_as_py_bcrypt_did() -> None:
    salt = bcrypt.gensalt(rounds=4)
    long_password = "x" * 100
    digest = bcrypt.hashpw(long_password[:72].encode(), salt).decode()
    line = build_passwd_line("bcrypt", salt.decode(), digest)
    assert verify_password(long_password, line)  # bcrypt>=5 itself refuses > 72 bytes


@needs_bcrypt
def test_a_damaged_bcrypt_line_is_an_error() -> None:
    with pytest.raises(ValueError, match="not a bcrypt password line"):
        verify_password("foo", "bcrypt|||not-a-salt|||digest")


def test_without_bcrypt_a_04_line_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "bcrypt", None)  # type: ignore[arg-type]
    with pytest.raises(ImportError, match=r"pip install 'brubeck\[bcrypt\]'"):
        verify_password("foo", "bcrypt|||$2a$04$abcdefghijklmnopqrstuu|||digest")
    assert verify_password("pw", hash_password("pw", **FAST))  # scrypt needs no bcrypt
