"""Passwords: argon2id with the library's recommended parameters in production, the cheapest
ones only under LMS_PASSWORD_HASHING=test (which the suite sets), and a stored hash with weaker
parameters than today's is re-hashed at the next login."""

from __future__ import annotations

import os
import subprocess
import sys

from lms_core.auth import passwords


def _parameters(env_value: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "LMS_PASSWORD_HASHING"}
    if env_value is not None:
        env["LMS_PASSWORD_HASHING"] = env_value
    code = ("from lms_core.auth.passwords import hash_password; "
            "print(hash_password('mat-khau-dai-du').split('$')[3])")
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, check=True).stdout.strip()


def test_production_uses_the_recommended_parameters_and_tests_the_cheapest():
    assert _parameters(None) == "m=65536,t=3,p=4"
    assert _parameters("") == "m=65536,t=3,p=4"
    assert _parameters("yes") == "m=65536,t=3,p=4"  # only the exact word switches
    assert _parameters("test").startswith("m=8,t=1,p=1")


def test_hashes_verify_and_wrong_passwords_do_not():
    stored = passwords.hash_password("mật-khẩu-có-dấu")
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "mật-khẩu-có-dấu")
    assert not passwords.verify_password(stored, "mat-khau-co-dau")
    assert not passwords.verify_password("", "x") and not passwords.verify_password("junk", "x")
