"""Password hashing with argon2id (OWASP's first choice), with transparent re-hashing."""

from __future__ import annotations

import logging
import os

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

log = logging.getLogger("lms.auth")

#: ``LMS_PASSWORD_HASHING=test`` is for test suites only: still argon2id, with the library's
#: cheapest parameters (~0.1 ms instead of ~60 ms a login), because a suite logs in thousands
#: of times. Never set it on a server people use: it makes stolen hashes cheap to crack.
TEST_PROFILE = os.environ.get("LMS_PASSWORD_HASHING", "") == "test"
_hasher = PasswordHasher.from_parameters(profiles.CHEAPEST) if TEST_PROFILE else PasswordHasher()
if TEST_PROFILE:
    log.warning("LMS_PASSWORD_HASHING=test: passwords hashed with the cheapest argon2 "
                "parameters; for test suites only")

MIN_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the stored hash used weaker parameters than today's defaults."""
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str) -> str | None:
    """A reason the password is unacceptable, in Vietnamese, or None."""
    if len(password) < MIN_LENGTH:
        return f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự."
    if password.isdigit():
        return "Mật khẩu không được chỉ gồm chữ số."
    return None
