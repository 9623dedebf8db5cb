"""Who is in a session right now, and the attendance it adds up to.

A user may hold several sockets at once (a laptop and a phone, two tabs), on several workers.
Their time is counted once: the interval opens when the first socket arrives and closes when
the last one leaves. Every change runs in one transaction that first takes the session's next
``seq`` (locking its row), so changes to one session are serialised on every worker and each
broadcast carries the participant count as of its own number.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from lms_core.broker import Broker

from lms_live_sessions.channel import bump_seq
from lms_live_sessions.events import ALL, emit
from lms_live_sessions.models import Attendance, SessionStatus
from lms_live_sessions.service import utcnow


async def participant_count(session_id: int) -> int:
    return await Attendance.filter(session_id=session_id, open_connections__gt=0).count()


async def record_join(broker: Broker | None, session_id: int, user_id: int,
                      full_name: str) -> None:
    now = utcnow()
    async with in_transaction():
        seq, status = await bump_seq(session_id)
        counting = status != SessionStatus.ENDED.value
        att = await Attendance.get_or_none(session_id=session_id, user_id=user_id)
        if att is None:
            await Attendance.create(session_id=session_id, user_id=user_id, first_join_at=now,
                                    joins=1, open_connections=1,
                                    present_since=now if counting else None)
        else:
            att.joins += 1
            att.open_connections += 1
            if att.present_since is None and counting:
                att.present_since = now
            await att.save(update_fields=["joins", "open_connections", "present_since"])
        await emit(broker, session_id, seq, ALL, "presence", event="join", user_id=user_id,
                   full_name=full_name, participants=await participant_count(session_id))


async def record_leave(broker: Broker | None, session_id: int, user_id: int,
                       full_name: str) -> None:
    now = utcnow()
    async with in_transaction():
        seq, _status = await bump_seq(session_id)
        att = await Attendance.get_or_none(session_id=session_id, user_id=user_id)
        if att is None:
            return
        att.open_connections = max(0, att.open_connections - 1)
        att.last_leave_at = now
        if att.open_connections == 0 and att.present_since is not None:
            att.seconds_present += _seconds(att.present_since, now)
            att.present_since = None
        await att.save(update_fields=["open_connections", "last_leave_at", "seconds_present",
                                      "present_since"])
        await emit(broker, session_id, seq, ALL, "presence", event="leave", user_id=user_id,
                   full_name=full_name, participants=await participant_count(session_id))


def _seconds(since: datetime, now: datetime) -> int:
    return max(0, round((now - since).total_seconds()))


async def attendance_rows(session_id: int) -> list[dict[str, Any]]:
    rows = await Attendance.filter(session_id=session_id).order_by("user__sort_key").values(
        "user_id", "user__full_name", "user__login", "first_join_at", "last_leave_at",
        "seconds_present", "joins", "open_connections", "present_since")
    now = utcnow()
    out = []
    for r in rows:
        seconds = r["seconds_present"]
        if r["present_since"] is not None:  # still here: count up to now
            seconds += _seconds(r["present_since"], now)
        out.append({
            "user": {"id": r["user_id"], "full_name": r["user__full_name"],
                     "login": r["user__login"]},
            "first_join_at": r["first_join_at"], "last_leave_at": r["last_leave_at"],
            "seconds_present": seconds, "joins": r["joins"],
            "present": r["open_connections"] > 0,
        })
    return out
