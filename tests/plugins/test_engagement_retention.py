"""The retention job deletes detailed data older than the institution's setting, and keeps the
periods' results (the learning record) and everything of an institution that keeps longer."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from lms_core.services.settings import set_setting

from lms_engagement import ingest, retention
from lms_engagement.models import AttentionAnswer, AttentionCheck, CheckSource, \
    EngagementEvent, LiveState, PeriodResult

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=timezone.utc)


async def _events(app, world, tag: str, user: str, days_ago: float, n: int) -> None:
    at = NOW - timedelta(days=days_ago)
    rows = [ingest.EventRow(world.inst[tag], world.users[user], None, None, 7, f"p{days_ago}:{i}",
                            "heartbeat", at, at, at, {}) for i in range(n)]
    await ingest.write(app.state.lms.plugins, rows)


async def test_old_details_go_results_stay(app, world):
    plugins = app.state.lms.plugins
    await set_setting(plugins, world.inst["a"], "engagement.retention_days", 30)
    await _events(app, world, "a", "trainee_a", 40, 25)   # older than 30 days: deleted
    await _events(app, world, "a", "trainee_a", 10, 5)    # kept
    await _events(app, world, "b", "trainee_b", 40, 3)    # B keeps 365 days: kept
    old = await AttentionCheck.create(session_id=7, institution_id=world.inst["a"],
                                      sent_at=NOW - timedelta(days=31),
                                      expires_at=NOW - timedelta(days=31), seconds=20,
                                      source=CheckSource.RULE, recipients=1)
    await AttentionAnswer.create(check=old, user_id=world.users["trainee_a"],
                                 answered_at=old.sent_at, latency_ms=900, in_time=True)
    await LiveState.create(session_id=7, institution_id=world.inst["a"],
                           user_id=world.users["trainee_a"], sockets=0,
                           last_signal_at=NOW - timedelta(days=40),
                           state_at=NOW - timedelta(days=40),
                           first_seen_at=NOW - timedelta(days=40))
    await PeriodResult.create(session_id=7, institution_id=world.inst["a"],
                              klass_id=world.classes["a"], user_id=world.users["trainee_a"],
                              computed_at=NOW - timedelta(days=40))
    retention.SLICE = 10  # several slices
    try:
        removed = await retention.purge(plugins, NOW)
    finally:
        retention.SLICE = 10_000
    assert removed == {"events": 25, "attention_checks": 1, "live_states": 1}
    assert await EngagementEvent.filter(institution_id=world.inst["a"]).count() == 5
    assert await EngagementEvent.filter(institution_id=world.inst["b"]).count() == 3
    assert await AttentionAnswer.all().count() == 0
    assert await PeriodResult.all().count() == 1
    assert await retention.purge(plugins, NOW) == {"events": 0, "attention_checks": 0,
                                                   "live_states": 0}


async def test_the_purge_runs_daily_in_the_job_runner(app, world, clock):
    plugins = app.state.lms.plugins
    await set_setting(plugins, world.inst["a"], "engagement.retention_days", 30)
    await _events(app, world, "a", "trainee_a", 10, 4)  # ten days before NOW
    jobs = app.state.lms.jobs
    # a year on, by the app's clock: the daily tick is due and the old events go
    clock.advance(NOW + timedelta(days=60) - datetime.now(timezone.utc))
    assert "engagement.purge" in await jobs.run_due()
    assert await EngagementEvent.filter(institution_id=world.inst["a"]).count() == 0
