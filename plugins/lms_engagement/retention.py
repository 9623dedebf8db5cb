"""Deleting detailed engagement data older than each institution's retention period
(``engagement.retention_days``), from the app's job runner once a day, never in a request.

What goes: the events (by receipt time), the attention checks and their answers, and the live
state rows of sessions long over. What stays: each period's stored result and the room's
summary, which are the trainee's learning record (completion was decided from them). Deletes
run in slices of ``SLICE`` rows so a year of events never becomes one long transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from lms_core.models import Institution

from lms_engagement import config
from lms_engagement.models import AttentionCheck, EngagementEvent, LiveState

SLICE = 10_000


async def purge(plugins: Any, now: datetime | None = None) -> dict[str, int]:
    now = now or datetime.now(timezone.utc)
    removed = {"events": 0, "attention_checks": 0, "live_states": 0}
    for institution_id in await Institution.all().values_list("id", flat=True):
        days = await config.retention_days(plugins, institution_id)
        cutoff = now - timedelta(days=days)
        while True:
            ids = await EngagementEvent.filter(
                institution_id=institution_id, server_ts__lt=cutoff).order_by("id").limit(
                SLICE).values_list("id", flat=True)
            if not ids:
                break
            await EngagementEvent.filter(id__in=list(ids)).delete()
            removed["events"] += len(ids)
        # answers go with their check (cascade); counted by id, as SQLite's count of changed
        # rows includes the cascade
        checks = list(await AttentionCheck.filter(
            institution_id=institution_id, sent_at__lt=cutoff).values_list("id", flat=True))
        if checks:
            await AttentionCheck.filter(id__in=checks).delete()
        removed["attention_checks"] += len(checks)
        removed["live_states"] += await LiveState.filter(
            institution_id=institution_id, last_signal_at__lt=cutoff, sockets=0).delete()
    return removed


async def purge_job(ctx: Any) -> dict[str, int]:
    """The scheduled job's body (``lms_register_jobs``): the clock is the app's, so a test
    that moves it a year on sees a year's data go."""
    from lms_core import clock

    return await purge(ctx.runtime.plugins, clock.now())
