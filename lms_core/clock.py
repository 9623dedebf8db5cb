"""The one place business rules read "now": real UTC time plus an offset that tests can move.

Reminders 90 days after a class, data-retention purges and the job runner's schedules all ask
:func:`now`, so a test can move the clock 90 days instead of waiting for them. Two offsets add
up:

* the process-local one, moved by :func:`advance` and cleared by :func:`reset`: what in-process
  tests use (``tests/conftest.py`` resets it after every test);
* the shared one, stored in the database so that every worker of a real server agrees on it. It
  is only read when the setting ``LMS_TEST_CLOCK=1`` is on (the app then re-reads it about once a
  second, see :func:`follow_shared`), and only moved through ``POST /api/v1/system/clock``, which
  exists only under that setting. A production server never reads it: its offset stays zero.

The shared offset is never negative: the test clock may run ahead of real time, never behind
it, so rows stamped with the real time by the database (``auto_now_add``) never lie in the
clock's future.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from datetime import datetime, timedelta, timezone

log = logging.getLogger("lms.clock")

#: The database key of the shared offset (``lms_platform_value``), in seconds.
SHARED_KEY = "clock.offset_seconds"

_local = timedelta(0)
_shared = timedelta(0)
_shared_read_at = -math.inf  # time.monotonic() of the last read of the shared offset


def now() -> datetime:
    """Aware UTC "now" for business rules: the real time plus the test offsets."""
    return datetime.now(timezone.utc) + _local + _shared


def offset() -> timedelta:
    """How far :func:`now` is ahead of the real time (local and shared offsets together)."""
    return _local + _shared


def advance(delta: timedelta) -> None:
    """Move this process's clock by ``delta`` (tests); other processes do not see it."""
    global _local
    _local += delta


def reset() -> None:
    """Back to real time in this process: the local offset and the copy of the shared one.
    The database keeps its value (a test's database goes away with the test)."""
    global _local, _shared, _shared_read_at
    _local = timedelta(0)
    _shared = timedelta(0)
    _shared_read_at = -math.inf


async def load_shared(max_age: float = 1.0) -> timedelta:
    """Re-read the shared offset from the database unless it was read less than ``max_age``
    seconds ago, so callers may ask often and the database sees one query a second at most."""
    global _shared, _shared_read_at
    if time.monotonic() - _shared_read_at < max_age:
        return _shared
    from lms_core.models import PlatformValue

    values = await PlatformValue.filter(key=SHARED_KEY).limit(1).values_list("value", flat=True)
    _shared = timedelta(seconds=float(values[0] if values else 0))
    _shared_read_at = time.monotonic()
    return _shared


async def move_shared(delta: timedelta | None) -> timedelta:
    """Add ``delta`` to the shared offset (None: back to zero) and return the new offset.
    Raises ``ValueError`` when the offset would become negative."""
    global _shared, _shared_read_at
    from tortoise.transactions import in_transaction

    from lms_core.models import PlatformValue

    async with in_transaction():
        row = await PlatformValue.select_for_update().get_or_none(key=SHARED_KEY)
        current = timedelta(seconds=float(row.value if row else 0))
        target = timedelta(0) if delta is None else current + delta
        if target < timedelta(0):
            raise ValueError(f"the shared offset would be negative ({target})")
        if row is None:
            await PlatformValue.create(key=SHARED_KEY, value=target.total_seconds())
        else:
            row.value = target.total_seconds()
            await row.save(update_fields=["value", "updated_at"])
    _shared, _shared_read_at = target, time.monotonic()
    return target


async def follow_shared(interval: float = 1.0) -> None:
    """Keep this process's copy of the shared offset fresh (run as a task while the app runs
    with ``LMS_TEST_CLOCK=1``): another worker may have moved it."""
    while True:
        try:
            await load_shared(max_age=interval / 2)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("could not read the shared test clock; keeping %s", _shared)
        await asyncio.sleep(interval)
