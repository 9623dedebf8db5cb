"""Sessions: creation with a free join code, the scheduled -> live -> ended life cycle, and how a
session is shown. The API, the socket and the class-ended hook all change status through here."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from lms_core.broker import Broker
from lms_core.http.problems import Problem
from lms_core.models import CourseClass
from lms_core.models.classes import ClassStatus

from lms_live_sessions import codes
from lms_live_sessions.activities import LiveError
from lms_live_sessions.channel import bump_seq
from lms_live_sessions.events import ALL, emit
from lms_live_sessions.models import Attendance, LiveSession, SessionStatus
from lms_live_sessions.schemas import SessionCreate

SESSION_FIELDS = ("id", "klass_id", "institution_id", "title", "starts_at", "ends_at", "mode",
                  "room", "meeting_url", "join_code", "status", "allow_guests", "created_by_id",
                  "started_at", "ended_at")
CODE_ATTEMPTS = 8
log = logging.getLogger("lms.live")

#: Which statuses each target may be reached from.
TRANSITIONS = {
    SessionStatus.LIVE: (SessionStatus.SCHEDULED,),
    SessionStatus.ENDED: (SessionStatus.SCHEDULED, SessionStatus.LIVE),
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


def session_dict(source: Any, *, with_code: bool) -> dict[str, Any]:
    """``join_code`` only for those who run the session: it is the key guests come in with."""
    get = source.get if isinstance(source, dict) else (lambda k: getattr(source, k))
    out = {k: _plain(get(k)) for k in SESSION_FIELDS if k != "join_code"}
    if with_code:
        out["join_code"] = get("join_code")
    out["ws_url"] = f"/ws/live/{out['id']}"
    return out


async def create_session(klass: CourseClass, body: SessionCreate, actor_id: int) -> LiveSession:
    if klass.status == ClassStatus.ENDED:
        raise Problem(409, "Lớp đã kết thúc, không thể thêm phiên học.",
                      "The class has ended: no new sessions.")
    for _ in range(CODE_ATTEMPTS):
        try:
            # One statement per attempt, outside any transaction: on PostgreSQL a unique
            # violation would otherwise abort the transaction and every retry with it.
            return await LiveSession.create(
                klass_id=klass.id, institution_id=klass.institution_id, title=body.title,
                starts_at=body.starts_at, ends_at=body.ends_at, mode=body.mode,
                room=body.room, meeting_url=body.meeting_url, join_code=codes.new_code(),
                allow_guests=body.allow_guests, created_by_id=actor_id)
        except IntegrityError:
            continue  # the code is taken by a session not ended yet: draw another
    raise Problem(409, "Không tạo được mã tham gia, hãy thử lại.",
                  "Could not allocate a join code, try again.")


EDITABLE_FIELDS = ("title", "starts_at", "ends_at", "mode", "room", "meeting_url",
                   "allow_guests")


def _not_scheduled(doing_vi: str, doing_en: str) -> LiveError:
    return LiveError(409, "not_scheduled",
                     f"Chỉ {doing_vi} được phiên học chưa bắt đầu; phiên này đã bắt đầu hoặc "
                     "đã kết thúc.",
                     f"Only a session that has not started can be {doing_en}; this one has "
                     "started or ended.")


def merged_session(session: LiveSession, changes: dict[str, Any]) -> SessionCreate:
    """The session as it would be with ``changes``, checked by the rules a new session obeys
    (raises pydantic's ``ValidationError``)."""
    current = {name: _plain(getattr(session, name)) for name in EDITABLE_FIELDS}
    return SessionCreate.model_validate({**current, **changes})


async def update_session(session: LiveSession, changes: dict[str, Any]) -> dict[str, Any]:
    """Change a scheduled session. One conditional statement, so a session started meanwhile
    is refused rather than edited under the room's feet."""
    checked = merged_session(session, changes)
    values = {name: getattr(checked, name) for name in EDITABLE_FIELDS}
    if _plain(session.status) != SessionStatus.SCHEDULED.value or not await LiveSession.filter(
            id=session.id, status=SessionStatus.SCHEDULED).update(**values):
        raise _not_scheduled("sửa", "edited")
    return (await LiveSession.filter(id=session.id).values(*SESSION_FIELDS))[0]


#: The ``status`` a cancelled session's last frame carries (it is deleted, so never stored).
CANCELLED = "cancelled"


async def delete_session(session: LiveSession, broker: Broker | None = None) -> None:
    """Cancel a scheduled session: it goes with what was prepared for it (activities, the
    presence of anyone who opened its page early). A started one stays: it has a record.
    Phones already on its page are told (a last ``status`` frame, ``cancelled``) and their
    sockets closed with 4409, instead of waiting for a start that will never come."""
    if _plain(session.status) != SessionStatus.SCHEDULED.value:
        raise _not_scheduled("huỷ", "cancelled")
    async with in_transaction():
        seq, current = await bump_seq(session.id)  # the row lock: no start meanwhile
        if current != SessionStatus.SCHEDULED.value:
            raise _not_scheduled("huỷ", "cancelled")
        await emit(broker, session.id, seq, ALL, "status", session_id=session.id,
                   status=CANCELLED, started_at=None, ended_at=None)
        await LiveSession.filter(id=session.id).delete()


async def change_status(broker: Broker | None, session_id: int, target: SessionStatus,
                        runtime: Any = None) -> dict[str, Any]:
    """Move a session on and tell everyone connected; ending it also frees its join code and
    closes the presence intervals, so time after the end is not counted. With the app's
    ``runtime``, an end then queues ``completion.after_end`` (plugins' figures, module
    completion) in the job runner; a failure there is logged and does not undo the end."""
    if target == SessionStatus.ENDED:
        # An activity still open closes first, with its final results, so nobody is left
        # answering a question in a session that is over.
        from lms_live_sessions.groups import close_open_discussions
        from lms_live_sessions.lifecycle import close_open_activities

        await close_open_activities(broker, session_id)
        await close_open_discussions(broker, session_id)
    now = utcnow()
    async with in_transaction():
        seq, current = await bump_seq(session_id)
        if current not in {s.value for s in TRANSITIONS[target]}:
            raise _conflict(current)
        values: dict[str, Any] = {"status": target}
        if target == SessionStatus.LIVE:
            values["started_at"] = now
        else:
            values["ended_at"] = now
            values["join_code"] = None
            await _close_presence(session_id, now)
        await LiveSession.filter(id=session_id).update(**values)
        row = (await LiveSession.filter(id=session_id).values(*SESSION_FIELDS))[0]
        await emit(broker, session_id, seq, ALL, "status", session_id=session_id,
                   status=target.value, started_at=row["started_at"], ended_at=row["ended_at"])
    if target == SessionStatus.ENDED and runtime is not None:
        # the period's figures and the module completions of a whole room: a job, not the
        # lecturer's click (completion.after_end)
        try:
            await runtime.jobs.enqueue("live_sessions.after_end", session_id=session_id)
        except Exception:
            log.exception("could not queue the end of session %s", session_id)
    return row


async def _close_presence(session_id: int, now: datetime) -> None:
    """Also forgets open connections, so a socket lost with a crashed worker cannot leave
    anyone "present" in an ended session."""
    open_rows = await Attendance.filter(
        Q(present_since__isnull=False) | Q(open_connections__gt=0), session_id=session_id)
    for att in open_rows:
        if att.present_since is not None:
            att.seconds_present += max(0, round((now - att.present_since).total_seconds()))
        att.present_since = None
        att.open_connections = 0
        await att.save(update_fields=["seconds_present", "present_since", "open_connections"])
    await LiveSession.filter(id=session_id).update(present_users=0, present_trainees=0)


def _conflict(current: str) -> Problem:
    if current == SessionStatus.ENDED.value:
        return Problem(409, "Phiên học đã kết thúc.", "The session has already ended.")
    if current == SessionStatus.LIVE.value:
        return Problem(409, "Phiên học đang diễn ra.", "The session is already live.")
    return Problem(409, "Phiên học chưa bắt đầu.", "The session has not started.")


async def end_class_sessions(broker: Broker | None, class_id: int, runtime: Any = None) -> int:
    """When a class ends, none of its periods can still be running or waiting."""
    ids = await LiveSession.filter(klass_id=class_id).exclude(
        status=SessionStatus.ENDED).values_list("id", flat=True)
    ended = 0
    for session_id in ids:
        try:
            await change_status(broker, session_id, SessionStatus.ENDED, runtime)
            ended += 1
        except Problem:
            pass  # ended meanwhile by its lecturer
    return ended
