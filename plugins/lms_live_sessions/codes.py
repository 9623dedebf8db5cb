"""Join codes: six characters a lecturer can read aloud or project and a trainee can type on a
phone without confusing 0/O, 1/I/L or 5/S."""

from __future__ import annotations

import secrets

#: No 0 O 1 I L 5 S 2 Z: letters and digits that look or sound alike are left out.
ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"
LENGTH = 6


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(raw: str) -> str | None:
    """The code as stored, or None if it cannot be one. People type codes in lower case and
    with spaces or dashes ("abc-def"), so those are forgiven."""
    code = "".join(ch for ch in raw.upper() if ch not in " -\t")
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code
