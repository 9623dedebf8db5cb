"""Who is in a session right now, and the attendance it adds up to.

A user may hold several sockets at once (a laptop and a phone, two tabs), on several workers.
Their time is counted once: the interval opens when the first socket arrives and closes when
the last one leaves. Every change runs in one transaction that first takes the session's next
``seq`` (locking its row), so changes to one session are serialised on every worker and each
broadcast carries the participant count as of its own number.

Names are private: runners get a ``presence`` frame with the user's name, the room (trainees,
guests) and the projector a frame of their own with the counts only, as ``hands`` does. The
``trainees`` count leaves runners out (the lecturer's own console and projector are not
people in the class); ``participants`` keeps counting everyone, as in protocol version 1.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from lms_core.broker import Broker

from lms_live_sessions.channel import bump_seq
from lms_live_sessions.access import RUNNER as RUNNER_ROLE
from lms_live_sessions.events import PUBLIC, RUNNER, SCREEN, emit
from lms_live_sessions.models import Attendance, SessionStatus
from lms_live_sessions.service import utcnow


async def participant_count(session_id: int) -> int:
    """Everyone with an open socket, runners included (protocol version 1's count)."""
    return await Attendance.filter(session_id=session_id, open_connections__gt=0).count()


async def trainee_count(session_id: int) -> int:
    """Trainees and guests with an open socket: what the console and the projector show."""
    return await Attendance.filter(session_id=session_id, open_connections__gt=0).exclude(
        role=RUNNER_ROLE).count()


async def counts(session_id: int) -> dict[str, int]:
    return {"participants": await participant_count(session_id),
            "trainees": await trainee_count(session_id)}


async def _announce(broker: Broker | None, session_id: int, seq: int, event: str,
                    user_id: int, full_name: str) -> None:
    """Inside the transaction that took ``seq``: the runners' frame names the user, then the
    projector and the room get a frame each (numbers of their own) with the counts only. The
    room's frame is numbered last, so after a join the session's counter is a number the
    trainees themselves received."""
    numbers = await counts(session_id)
    await emit(broker, session_id, seq, RUNNER, "presence", event=event, user_id=user_id,
               full_name=full_name, **numbers)
    for audience in (SCREEN, PUBLIC):
        seq, _ = await bump_seq(session_id)
        await emit(broker, session_id, seq, audience, "presence", event=event, **numbers)


async def record_join(broker: Broker | None, session_id: int, user_id: int,
                      full_name: str, role: str = "trainee") -> None:
    """``role`` (runner, trainee, guest) is kept on the row so the counts can leave runners
    out; a user's role in a class does not change while they are connected."""
    now = utcnow()
    async with in_transaction():
        seq, status = await bump_seq(session_id)
        counting = status != SessionStatus.ENDED.value
        att = await Attendance.get_or_none(session_id=session_id, user_id=user_id)
        if att is None:
            await Attendance.create(session_id=session_id, user_id=user_id, first_join_at=now,
                                    joins=1, open_connections=1, role=role,
                                    present_since=now if counting else None)
        else:
            att.joins += 1
            att.open_connections += 1
            att.role = role
            if att.present_since is None and counting:
                att.present_since = now
            await att.save(update_fields=["joins", "open_connections", "present_since", "role"])
        await _announce(broker, session_id, seq, "join", user_id, full_name)


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
        await _announce(broker, session_id, seq, "leave", user_id, full_name)


def _seconds(since: datetime, now: datetime) -> int:
    return max(0, round((now - since).total_seconds()))


async def attendance_rows(session_id: int, checkin_required: bool = False
                          ) -> list[dict[str, Any]]:
    """One row per user who came. ``attended``: a trainee or guest who came, or, when the
    session requires the check-in code, one who also typed it; runners never count."""
    rows = await Attendance.filter(session_id=session_id).order_by("user__sort_key").values(
        "user_id", "user__full_name", "user__login", "first_join_at", "last_leave_at",
        "seconds_present", "joins", "open_connections", "present_since", "role",
        "checked_in_at")
    now = utcnow()
    out = []
    for r in rows:
        seconds = r["seconds_present"]
        if r["present_since"] is not None:  # still here: count up to now
            seconds += _seconds(r["present_since"], now)
        trainee = r["role"] != RUNNER_ROLE
        out.append({
            "user": {"id": r["user_id"], "full_name": r["user__full_name"],
                     "login": r["user__login"]},
            "role": r["role"],
            "first_join_at": r["first_join_at"], "last_leave_at": r["last_leave_at"],
            "seconds_present": seconds, "joins": r["joins"],
            "present": r["open_connections"] > 0,
            "checked_in_at": r["checked_in_at"],
            "attended": trainee and (r["checked_in_at"] is not None or not checkin_required),
        })
    return out
