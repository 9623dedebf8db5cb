"""Who is in a session right now, and the attendance it adds up to.

A user may hold several sockets at once (a laptop and a phone, two tabs), on several workers.
Their time is counted once: the interval opens when the first socket arrives and closes when
the last one leaves. Every change runs in one transaction that first takes the session's next
``seq`` (locking its row), so changes to one session are serialised on every worker and the
runners' frame carries the counts as of its own number.

The counts are kept on the session row (``present_users``, ``present_trainees``), changed in
the same transaction when a user's first socket arrives or last one leaves: a join never
counts the room (a ``COUNT(*)`` per join made 10,000 joins O(N²) in rows read).

Names are private: runners get one ``presence`` frame per join or leave, with the user's name.
The room (trainees, guests) and the projector get the counts only, and not per join: their
frame is coalesced (``room_interval``: a few per second in a class, one every 2 s in a hall
of 10,000), since one frame per join to every socket made connecting a room O(N²) in frames.
The ``trainees`` count leaves runners out (the lecturer's own console and projector are not
people in the class); ``participants`` keeps counting everyone, as in protocol version 1.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from lms_core import sql
from lms_core.broker import Broker

from lms_live_sessions.channel import bump_row
from lms_live_sessions.access import RUNNER as RUNNER_ROLE
from lms_live_sessions.events import PUBLIC, RUNNER, SCREEN, emit
from lms_live_sessions.fanout import flusher_for
from lms_live_sessions.models import Attendance, LiveSession, SessionStatus
from lms_live_sessions.service import utcnow

_COUNT = ("UPDATE live_session SET present_users = present_users + $2, "
          "present_trainees = present_trainees + $3 WHERE id = $1 "
          "RETURNING present_users, present_trainees")


def _numbers(row: dict[str, Any]) -> dict[str, int]:
    return {"participants": max(0, int(row["present_users"])),
            "trainees": max(0, int(row["present_trainees"]))}


async def counts(session_id: int) -> dict[str, int]:
    """``participants``: everyone with an open socket, runners included (protocol version
    1's count); ``trainees``: trainees and guests, what the console and the projector show."""
    rows = await LiveSession.filter(id=session_id).values("present_users", "present_trainees")
    return _numbers(rows[0]) if rows else {"participants": 0, "trainees": 0}


def room_interval(participants: int) -> float:
    """Seconds between the room's coalesced presence frames: each costs one send per socket,
    so the interval grows with the room (0.25 s up to 1,250 people, 1 s at 5,000, 2 s from
    10,000: at most ~5,000 sends a second however fast people arrive)."""
    return min(2.0, max(0.25, participants / 5000))


#: The last change per session waiting for the room's frame (``event`` of that frame).
_pending_event: dict[tuple[int, int], str] = {}


def _announce_to_room(broker: Broker | None, session_id: int, event: str,
                      participants: int) -> None:
    """Mark the room's frame due; it leaves within ``room_interval`` with the counts of then."""
    key = (id(broker), session_id)
    _pending_event[key] = event

    async def flush() -> None:
        latest = _pending_event.pop(key, event)
        async with in_transaction():
            for audience in (SCREEN, PUBLIC):  # the room's frame numbered last
                row = await bump_row(session_id)
                await emit(broker, session_id, int(row["seq"]), audience, "presence",
                           event=latest, **_numbers(row))

    flusher_for(broker).mark_key(("presence", session_id), flush,
                                 interval=room_interval(participants))


async def _change_count(session_id: int, row: dict[str, Any], users: int, trainees: int
                        ) -> dict[str, Any]:
    if not users and not trainees:
        return row
    return (await sql.fetch(_COUNT, session_id, users, trainees))[0]


async def record_join(broker: Broker | None, session_id: int, user_id: int,
                      full_name: str, role: str = "trainee") -> None:
    """``role`` (runner, trainee, guest) is kept on the row so the counts can leave runners
    out; a user's role in a class does not change while they are connected."""
    now = utcnow()
    async with in_transaction():
        row = await bump_row(session_id)
        seq = int(row["seq"])
        counting = str(row["status"]) != SessionStatus.ENDED.value
        att = await Attendance.get_or_none(session_id=session_id, user_id=user_id)
        if att is None:
            await Attendance.create(session_id=session_id, user_id=user_id, first_join_at=now,
                                    joins=1, open_connections=1, role=role,
                                    present_since=now if counting else None)
            arrived, was_trainee = True, False
        else:
            arrived, was_trainee = att.open_connections <= 0, att.role != RUNNER_ROLE
            att.joins += 1
            att.open_connections = max(0, att.open_connections) + 1
            att.role = role
            if att.present_since is None and counting:
                att.present_since = now
            await att.save(update_fields=["joins", "open_connections", "present_since", "role"])
        trainee = role != RUNNER_ROLE
        if arrived:
            row = await _change_count(session_id, row, 1, int(trainee))
        elif trainee != was_trainee:  # the same user, now in another part
            row = await _change_count(session_id, row, 0, int(trainee) - int(was_trainee))
        numbers = _numbers(row)
        await emit(broker, session_id, seq, RUNNER, "presence", event="join", user_id=user_id,
                   full_name=full_name, **numbers)
    _announce_to_room(broker, session_id, "join", numbers["participants"])


async def record_leave(broker: Broker | None, session_id: int, user_id: int,
                       full_name: str) -> None:
    now = utcnow()
    async with in_transaction():
        row = await bump_row(session_id)
        seq = int(row["seq"])
        att = await Attendance.get_or_none(session_id=session_id, user_id=user_id)
        if att is None:
            return
        was_open = att.open_connections > 0
        att.open_connections = max(0, att.open_connections - 1)
        att.last_leave_at = now
        if att.open_connections == 0 and att.present_since is not None:
            att.seconds_present += _seconds(att.present_since, now)
            att.present_since = None
        await att.save(update_fields=["open_connections", "last_leave_at", "seconds_present",
                                      "present_since"])
        if was_open and att.open_connections == 0:
            row = await _change_count(session_id, row, -1, -int(att.role != RUNNER_ROLE))
        numbers = _numbers(row)
        await emit(broker, session_id, seq, RUNNER, "presence", event="leave", user_id=user_id,
                   full_name=full_name, **numbers)
    _announce_to_room(broker, session_id, "leave", numbers["participants"])


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
