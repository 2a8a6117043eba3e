"""Password hashing: scrypt from the standard library, in a self-describing string.

:func:`hash_password` gives a string that names its algorithm, its cost
parameters and its salt, so a check needs nothing else and the parameters can
be raised later without breaking stored hashes (the layout follows the PHC
string format)::

    $scrypt$ln=15,r=8,p=1$<salt, base64>$<hash, base64>

:func:`verify_password` checks a password against such a string, or against
a Brubeck 0.4 line (``bcrypt|||salt|||hash``) when the ``bcrypt`` package is
installed. Hashes are compared in constant time (:func:`hmac.compare_digest`).

This module sits in the lowest layer (stdlib only; ``bcrypt`` is imported
when a 0.4 line is met), so that documents (:mod:`brubeck.models.users`) and
handlers (:mod:`brubeck.auth`) can both use it.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import re
import secrets
from typing import Any

from brubeck import blocking

__all__ = [
    "BCRYPT",
    "PASSWD_DELIM",
    "SCRYPT",
    "build_passwd_line",
    "gen_hexdigest",
    "hash_password",
    "needs_rehash",
    "split_passwd_line",
    "verify_password",
]

SCRYPT = "scrypt"
BCRYPT = "bcrypt"
#: The separator of Brubeck 0.4's ``algorithm|||salt|||digest`` lines.
PASSWD_DELIM = "|||"

#: The cost: n = 2**15, r = 8, p = 1 is 32 MiB and about 0.1 s a check. Django's
#: ScryptPasswordHasher uses n = 2**14; OWASP's password storage cheat sheet
#: lists n = 2**15, r = 8 among its minimum configurations.
DEFAULT_LN = 15
DEFAULT_R = 8
DEFAULT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
#: Ceilings on what a stored string may ask for, so that a tampered one cannot
#: make one check take gigabytes or minutes.
MAX_LN = 20
MAX_R = 32
MAX_P = 16
MAX_MEMORY = 256 * 1024 * 1024

_SCRYPT_LINE = re.compile(
    r"\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{11,88})\$([A-Za-z0-9+/]{22,88})"
)
_INSTALL_BCRYPT = (
    "checking a Brubeck 0.4 bcrypt password line needs the bcrypt package: "
    "pip install 'brubeck[bcrypt]' (or pip install bcrypt)"
)


def _memory(ln: int, r: int, p: int) -> int:
    """Bytes scrypt needs (OpenSSL's EVP_PBE_scrypt: 128*r*p for B, 128*r*(N+2) for V)."""
    return 128 * r * ((1 << ln) + p + 2)


def _check_parameters(ln: int, r: int, p: int) -> None:
    if not (1 <= ln <= MAX_LN and 1 <= r <= MAX_R and 1 <= p <= MAX_P):
        raise ValueError(f"scrypt parameters out of range: ln={ln}, r={r}, p={p}")
    if _memory(ln, r, p) > MAX_MEMORY:
        raise ValueError(f"scrypt parameters need more than {MAX_MEMORY} bytes")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _scrypt(raw: str, salt: bytes, ln: int, r: int, p: int, length: int) -> bytes:
    # Tens of milliseconds of CPU with the GIL released: in a thread of the
    # backend's pool, so the other requests go on meanwhile.
    work = functools.partial(
        hashlib.scrypt,
        raw.encode("utf-8"),
        salt=salt,
        n=1 << ln,
        r=r,
        p=p,
        maxmem=_memory(ln, r, p),
        dklen=length,
    )
    return blocking.run(work)


def hash_password(
    raw_password: str, *, ln: int = DEFAULT_LN, r: int = DEFAULT_R, p: int = DEFAULT_P
) -> str:
    """A new scrypt hash of ``raw_password``, with a random salt.

    Args:
        raw_password: The password (non-empty text).
        ln: The CPU/memory cost as a power of two (n = 2**ln).
        r: The block size.
        p: The parallelism.

    Raises:
        ValueError: An empty password, or parameters out of range.
        TypeError: A password that is not text.
    """
    if not isinstance(raw_password, str):
        raise TypeError(f"a password is text, not {type(raw_password).__name__}")
    if not raw_password:
        raise ValueError("No empty passwords")
    _check_parameters(ln, r, p)
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(raw_password, salt, ln, r, p, HASH_BYTES)
    return f"${SCRYPT}$ln={ln},r={r},p={p}${_b64(salt)}${_b64(digest)}"


def _parse_scrypt(stored: str) -> tuple[int, int, int, bytes, bytes]:
    found = _SCRYPT_LINE.fullmatch(stored)
    if found is None:
        raise ValueError("not a scrypt password hash")
    ln, r, p = (int(found.group(index)) for index in (1, 2, 3))
    _check_parameters(ln, r, p)
    try:
        salt, digest = _unb64(found.group(4)), _unb64(found.group(5))
    except (binascii.Error, ValueError):
        raise ValueError("not a scrypt password hash") from None
    return ln, r, p, salt, digest


def verify_password(raw_password: str, stored: str) -> bool:
    """Whether ``raw_password`` matches ``stored``: a :func:`hash_password`
    string, or a Brubeck 0.4 ``bcrypt|||salt|||hash`` line.

    Raises:
        ValueError: ``stored`` is neither (or asks for absurd parameters).
        ImportError: ``stored`` is a 0.4 bcrypt line and bcrypt is not installed.
    """
    if not isinstance(raw_password, str) or not raw_password:
        return False
    if PASSWD_DELIM in stored:
        return _verify_passwd_line(raw_password, stored)
    if not stored.startswith(f"${SCRYPT}$"):
        raise ValueError("not a password hash Brubeck knows (scrypt, or 0.4's bcrypt lines)")
    ln, r, p, salt, digest = _parse_scrypt(stored)
    candidate = _scrypt(raw_password, salt, ln, r, p, len(digest))
    return hmac.compare_digest(candidate, digest)


def needs_rehash(
    stored: str, *, ln: int = DEFAULT_LN, r: int = DEFAULT_R, p: int = DEFAULT_P
) -> bool:
    """Whether ``stored`` should be replaced by a new hash (after a successful
    check): a 0.4 bcrypt line, or scrypt with other parameters than these."""
    try:
        stored_ln, stored_r, stored_p, _, _ = _parse_scrypt(stored)
    except ValueError:
        return True
    return (stored_ln, stored_r, stored_p) != (ln, r, p)


# -- Brubeck 0.4's bcrypt lines ----------------------------------------------------------


def _bcrypt() -> Any:
    try:
        import bcrypt
    except ModuleNotFoundError as exc:
        if exc.name != "bcrypt":
            raise
        raise ImportError(_INSTALL_BCRYPT, name="bcrypt") from None
    return bcrypt


def _bcrypt_input(raw_password: str) -> bytes:
    # py-bcrypt, which 0.4 used, read the password as a C string and bcrypt reads
    # at most 72 bytes: cut the same way, so old hashes still match (and
    # bcrypt>=5 refuses longer input rather than cutting it).
    return raw_password.encode("utf-8").split(b"\0", 1)[0][:72]


def gen_hexdigest(
    raw_password: str | None, algorithm: str = BCRYPT, salt: str | None = None
) -> tuple[str, str, str]:
    """Brubeck 0.4's ``(algorithm, salt, digest)`` for a bcrypt line (needs bcrypt).

    New code uses :func:`hash_password`.

    Raises:
        ValueError: No password, or an algorithm other than bcrypt.
        ImportError: bcrypt is not installed.
    """
    if raw_password is None or raw_password == "":
        raise ValueError("No empty passwords")
    if algorithm != BCRYPT:
        raise ValueError("Unknown password algorithm")
    bcrypt = _bcrypt()
    salt_bytes = bcrypt.gensalt() if salt is None else salt.encode("ascii")
    digest = bcrypt.hashpw(_bcrypt_input(raw_password), salt_bytes)
    return algorithm, salt_bytes.decode("ascii"), digest.decode("ascii")


def build_passwd_line(algorithm: str, salt: str, digest: str) -> str:
    """0.4's stored form: ``algorithm|||salt|||digest``."""
    return PASSWD_DELIM.join([algorithm, salt, digest])


def split_passwd_line(password_line: str) -> list[str]:
    """The parts of a 0.4 ``algorithm|||salt|||digest`` line."""
    return password_line.split(PASSWD_DELIM)


def _verify_passwd_line(raw_password: str, line: str) -> bool:
    parts = split_passwd_line(line)
    if len(parts) != 3 or parts[0] != BCRYPT:
        raise ValueError("Unknown password algorithm")
    _, salt, digest = parts
    try:
        _, _, candidate = gen_hexdigest(raw_password, BCRYPT, salt)
    except ValueError:  # bcrypt refused the salt: a damaged line
        raise ValueError("not a bcrypt password line") from None
    return hmac.compare_digest(candidate.encode("ascii"), digest.encode("ascii"))
