"""Login rate limiting, stored in the database so that every worker counts the same failures."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from lms_core.models import LoginFailure


async def is_limited(login: str, address: str, limit: int, window_seconds: int) -> bool:
    """True when this login, or this address, failed ``limit`` times within the window.

    The address bound is ten times looser so that one office behind NAT is not locked out by one
    person's typos, while spraying many logins from one address is still stopped.
    """
    since = datetime.now(timezone.utc) - timedelta(seconds=window_seconds)
    by_login = await LoginFailure.filter(login=login.lower(), created_at__gte=since).count()
    if by_login >= limit:
        return True
    by_address = await LoginFailure.filter(address=address, created_at__gte=since).count()
    return by_address >= limit * 10


async def record_failure(login: str, address: str) -> None:
    await LoginFailure.create(login=login.lower()[:150], address=address[:64])


async def clear_failures(login: str) -> None:
    await LoginFailure.filter(login=login.lower()).delete()


async def prune(older_than_seconds: int) -> int:
    since = datetime.now(timezone.utc) - timedelta(seconds=older_than_seconds)
    return await LoginFailure.filter(created_at__lt=since).delete()
