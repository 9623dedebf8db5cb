"""Bearer API tokens for scripts: ``lms_<random>``; only a SHA-256 digest is stored."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
import weakref
from datetime import datetime, timezone
from typing import Any, Awaitable

from lms_core import sql
from lms_core.batching import Coalescer
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


#: Seconds a resolved token is trusted without asking the database again: the same bound the
#: principal cache uses (a revocation is seen at once on the worker that made it, within this
#: long on the others). A script or a load test sends every request with its token, and the
#: lookup was a quarter of the CPU of a cheap request.
TOKEN_TTL = 10.0
_MAX_CACHED = 50_000
#: Hand-written (``lms_core.sql``): every request of a script or a load test starts here, and the
#: ORM's query building was most of the lookup's 0.4 ms.
#: Several digests at once (``lms_core.batching``): a script's or a class's tokens expire from
#: the cache together, and a burst of requests then shares a few statements.
_LOOKUP = ("SELECT token_hash, user_id, institution_id, expires_at FROM lms_api_token "
           "WHERE {digests} AND revoked = $2")
_cache: dict[str, tuple[float, tuple[int, int]]] = {}
#: One coalescer per event loop (a test suite runs many loops; a run in flight belongs to one).
_lookups: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Coalescer[str, Any]]" = \
    weakref.WeakKeyDictionary()


async def _rows_of_digests(digests: list[str]) -> dict[str, Any]:
    where, param = sql.any_text("token_hash", 1)
    rows = await sql.fetch_rows(_LOOKUP.format(digests=where), param(sorted(set(digests))), False)
    return {row[0]: row for row in rows}


def _lookup(key: str) -> Awaitable[Any]:
    loop = asyncio.get_running_loop()
    coalescer = _lookups.get(loop)
    if coalescer is None:
        coalescer = _lookups[loop] = Coalescer(_rows_of_digests, max_batch=500)
    return coalescer.get(key)


def forget(token_hash: str) -> None:
    _cache.pop(token_hash, None)


async def resolve_token(token: str) -> tuple[int, int] | None:
    """(user id, institution id) for a valid token, or None."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    key = digest(token)
    hit = _cache.get(key)
    clock = time.monotonic()
    if hit is not None and hit[0] > clock:
        return hit[1]
    row = await _lookup(key)
    if row is None:
        forget(key)
        return None
    user_id, institution_id, expires = row[1], row[2], sql.as_datetime(row[3])
    if expires and expires < datetime.now(timezone.utc):
        forget(key)
        return None
    if len(_cache) >= _MAX_CACHED:
        _cache.clear()
    ttl = TOKEN_TTL
    if expires:  # never trust a token past its own expiry
        ttl = min(ttl, (expires - datetime.now(timezone.utc)).total_seconds())
    found = (user_id, institution_id)
    _cache[key] = (clock + ttl, found)
    return found
