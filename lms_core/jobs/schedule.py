"""When a periodic job is due: the latest tick of its schedule at ``clock.now()``, and the rule
that decides, from the last tick already taken, whether this one runs.

Ticks, not "time since the last run", so that every worker computes the same tick for the same
moment and one of them can claim it (``RedisJobRunner`` keeps the last tick in Redis and applies
:func:`is_due` in a Lua script; ``MemoryJobRunner`` keeps it in a dict). Only the *latest* tick
counts: a clock moved 90 days ahead, or a server down for a night, runs a job once, not once per
missed tick.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from croniter import croniter

#: Schedules are evaluated in UTC (a cron ``0 20 * * *`` is 03:00 in Vietnam, UTC+7).
UTC = timezone.utc


def cron_problem(expression: str) -> str | None:
    """Why ``expression`` is not a cron schedule (five fields, or six with seconds), or None."""
    if not croniter.is_valid(expression):
        return f"invalid cron expression {expression!r} (e.g. '0 3 * * *', UTC)"
    return None


def latest_tick(schedule: str | float, now: datetime) -> int:
    """The latest tick at or before ``now``, in milliseconds since the epoch. A cron tick is
    one of its matching times; an interval's ticks are the multiples of it since the epoch,
    the same on every worker."""
    if isinstance(schedule, str):
        # croniter's get_prev skips a start that is itself a tick: nudge it past.
        start = now.astimezone(UTC) + timedelta(microseconds=1)
        return int(croniter(schedule, start).get_prev(datetime).timestamp() * 1000)
    step = max(1, round(float(schedule) * 1000))
    moment = int(now.timestamp() * 1000)
    return moment - moment % step


def tick_time(tick: int) -> datetime:
    """A tick as an aware UTC datetime (what a job sees as ``ctx.scheduled_for``)."""
    return datetime.fromtimestamp(tick / 1000, UTC)


def is_due(last: int | None, tick: int) -> bool:
    """Whether ``tick`` runs, given the last tick taken. Afterwards ``tick`` is the last one in
    every case: a job seen for the first time starts counting from now (its first run is at the
    next tick), and a clock moved back (a test's reset) starts again from the new time."""
    return last is not None and last < tick


class TickBook:
    """The last tick taken of each periodic job, for one process."""

    def __init__(self) -> None:
        self._last: dict[str, int] = {}

    def claim(self, name: str, tick: int) -> bool:
        due = is_due(self._last.get(name), tick)
        self._last[name] = tick
        return due
