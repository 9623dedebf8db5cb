"""Bearer API tokens for scripts: ``lms_<random>``; only a SHA-256 digest is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timezone

from lms_core.models import ApiToken

PREFIX = "lms_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(user_id: int, institution_id: int, name: str,
                      expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token; the clear secret is returned once and never stored."""
    secret = PREFIX + secrets.token_urlsafe(32)
    row = await ApiToken.create(
        user_id=user_id, institution_id=institution_id, name=name,
        token_hash=digest(secret), expires_at=expires_at,
    )
    return row, secret


async def resolve_token(token: str) -> tuple[int, int] | None:
    """(user id, institution id) for a valid token, or None."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    rows = await ApiToken.filter(token_hash=digest(token), revoked=False).values(
        "user_id", "institution_id", "expires_at"
    )
    if not rows:
        return None
    row = rows[0]
    if row["expires_at"] and row["expires_at"] < datetime.now(timezone.utc):
        return None
    return row["user_id"], row["institution_id"]
