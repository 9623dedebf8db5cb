"""The engagement plugin on the live socket, through the hooks live_sessions declares
(``lms_live_sessions/hookspecs.py``): it never imports that plugin.

Trainees' pages send ``signals`` (the same events as the beacon) over the socket they already
hold; the socket's joins and leaves and every accepted interaction (answer, question, upvote,
hand, group edit, check-in) are recorded by the server with its own clock. The console gets an
``engagement`` frame with the room's counts every few seconds while they change, the names of
the away on request (``engagement_names``), and can ``nudge`` them or send an ``attention_check``
("still with us?"), which trainees answer with ``attention_ack``. A quiet room gets a check by
itself after the institution's number of minutes without an activity.
"""

from __future__ import annotations

import asyncio
import uuid
import weakref
from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import ValidationError

from lms_core.http.problems import Problem

from lms_engagement import checks, config, ingest, live_state
from lms_engagement.models import CheckSource, EventKind
from lms_engagement.schemas import EventBatch
from lms_engagement.writer import EventRow

#: How often the console's figures are recomputed, and how often they are sent unchanged.
FEED_SECONDS = 2.0
FEED_KEEPALIVE_SECONDS = 15.0
#: The feed re-reads the institution's settings this often (not at every tick).
SETTINGS_SECONDS = 60.0
#: A trainee is nudged at most once in this long, whatever the lecturer clicks.
NUDGE_EVERY = timedelta(seconds=60)
RUNNER = "runner"

_sockets: "weakref.WeakKeyDictionary[Any, str]" = weakref.WeakKeyDictionary()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _tracked(conn: Any) -> bool:
    """Trainees and guests: the lecturer's own console and the projector are not the room."""
    return conn.role != RUNNER


def _server_row(conn: Any, kind: str, client_id: str, now: datetime,
                data: dict[str, Any] | None = None) -> EventRow:
    return EventRow(institution_id=conn.institution_id, user_id=conn.principal.user_id,
                    enrolment_id=conn.enrolment_id, module_id=None,
                    live_session_id=conn.session_id, client_id=client_id, kind=kind,
                    client_ts=now, server_ts=now, corrected_ts=now, data=data or {})


async def connected(conn: Any) -> None:
    if not _tracked(conn):
        return
    token = _sockets[conn] = uuid.uuid4().hex[:16]
    now = _now()
    await live_state.socket_opened(conn.session_id, conn.institution_id,
                                   conn.principal.user_id, now)
    await ingest.write(conn.plugins, [_server_row(conn, EventKind.JOINED.value,
                                                  f"srv:{token}:joined", now,
                                                  {"socket": token})])


async def disconnected(conn: Any) -> None:
    token = _sockets.pop(conn, None)
    if token is None:
        return
    now = _now()
    await live_state.socket_closed(conn.session_id, conn.principal.user_id)
    await ingest.write(conn.plugins, [_server_row(conn, EventKind.LEFT.value,
                                                  f"srv:{token}:left", now,
                                                  {"socket": token})])


async def interaction(conn: Any, what: str, detail: dict[str, Any]) -> None:
    if not _tracked(conn):
        return
    now = _now()
    client_id = detail.get("client_id")
    # a retried send carries the same client id: it counts once
    key = f"ws:{what}:{client_id}"[:64] if client_id else f"srv:{uuid.uuid4().hex}"
    data = {"what": what, **{k: v for k, v in detail.items() if k != "client_id"}}
    new = await ingest.write(conn.plugins, [_server_row(conn, EventKind.INTERACTION.value,
                                                        key, now, data)])
    if new:
        await live_state.interacted(conn.session_id, conn.principal.user_id, now)


# --- messages ---------------------------------------------------------------------------

async def message(conn: Any, kind: str, data: dict[str, Any]) -> bool | None:
    handler = _TRAINEE.get(kind)
    if handler is not None:
        if not _tracked(conn):
            await conn.error("forbidden", "Chỉ học viên gửi được tin nhắn này.",
                             "Only trainees send this message.")
            return True
        await handler(conn, data)
        return True
    handler = _CONSOLE.get(kind)
    if handler is not None:
        if not conn.is_console:
            await conn.error("forbidden", "Chỉ giảng viên của lớp mới làm được việc này.",
                             "Only the class's lecturers can do this.")
            return True
        await handler(conn, data)
        return True
    return None


async def _signals(conn: Any, data: dict[str, Any]) -> None:
    """The beacon's batch format plus an optional ``batch`` label echoed in the reply, so the
    page knows which of its batches are stored."""
    label = data.get("batch")
    label = label if isinstance(label, (int, str)) and len(str(label)) <= 64 else None
    body = {k: v for k, v in data.items() if k not in ("type", "batch")}
    try:
        batch = EventBatch.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        await conn.error("invalid", f"Dữ liệu tương tác không hợp lệ ({where}).",
                         f"Invalid signals ({where}): {first.get('msg', '')}"[:300],
                         batch=label)
        return
    received = _now()
    try:
        rows = ingest.rows_for(conn.institution_id, conn.principal.user_id, batch, received,
                               {}, live_session_id=conn.session_id,
                               enrolment_id=conn.enrolment_id)
        state = live_state.signal_state(conn.session_id, conn.institution_id,
                                        conn.principal.user_id,
                                        [(row.corrected_ts, row.kind) for row in rows], received)
        accepted = await ingest.write(conn.plugins, rows, (state,))
    except Problem as problem:
        await conn.error("invalid" if problem.status < 500 else "unavailable",
                         problem.detail, problem.detail_en, batch=label)
        return
    await conn.reply("ok", **{"for": "signals"}, batch=label, accepted=accepted,
                     duplicates=len(batch.events) - accepted)


async def _attention_ack(conn: Any, data: dict[str, Any]) -> None:
    now = _now()
    try:
        done = await checks.answer(conn.session_id, conn.principal.user_id,
                                   data.get("check_id"), now)
    except checks.CheckError as exc:
        await conn.error(exc.code, exc.vi, exc.en, check_id=data.get("check_id"))
        return
    await live_state.interacted(conn.session_id, conn.principal.user_id, now, count=0)
    await conn.reply("ok", **{"for": "attention_ack"}, **done)


async def _names(conn: Any, data: dict[str, Any]) -> None:
    heartbeat = await config.heartbeat(conn.plugins, conn.institution_id)
    rows = await live_state.rows(conn.session_id)
    await conn.reply("engagement_names", **live_state.names(rows, _now(), heartbeat))


async def _nudge(conn: Any, data: dict[str, Any]) -> None:
    """To the away trainees only (on every worker), never to the whole room."""
    now = _now()
    heartbeat = await config.heartbeat(conn.plugins, conn.institution_id)
    rows = await live_state.rows(conn.session_id)
    away = live_state.names(rows, now, heartbeat)[live_state.AWAY]
    recently = {r["user_id"] for r in rows if r["nudged_at"] is not None
                and now - live_state.aware(r["nudged_at"]) < NUDGE_EVERY}
    targets = [r["user_id"] for r in away if r["user_id"] not in recently]
    if targets:
        await conn.send_to_users(
            targets, "nudge", from_name=conn.principal.full_name,
            message_vi="Giảng viên mời anh/chị quay lại với lớp học.",
            message_en="Your lecturer invites you back to the class.")
        await live_state.mark_nudged(conn.session_id, targets, now)
    await conn.reply("ok", **{"for": "nudge"}, nudged=len(targets),
                     skipped=len(away) - len(targets))


async def _send_check(conn: Any, data: dict[str, Any]) -> None:
    seconds = data.get("seconds")
    if seconds is None:
        seconds = await config.check_seconds(conn.plugins, conn.institution_id)
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 5 <= seconds <= 300:
        await conn.error("invalid", "“seconds” phải là số nguyên từ 5 đến 300.",
                         "“seconds” must be a whole number from 5 to 300.")
        return
    check = await send_check(conn, seconds, CheckSource.LECTURER, conn.principal.user_id)
    await conn.reply("ok", **{"for": "attention_check"}, check_id=check.id)


async def send_check(conn: Any, seconds: int, source: CheckSource,
                     sent_by_id: int | None) -> Any:
    now = _now()
    heartbeat = await config.heartbeat(conn.plugins, conn.institution_id)
    present = live_state.counts(await live_state.rows(conn.session_id), now, heartbeat)
    check = await checks.create(conn.session_id, conn.institution_id, seconds, source,
                                sent_by_id, present["present"], now)
    await conn.broadcast("all", "attention_check", **checks.shown(check))
    return check


_TRAINEE = {"signals": _signals, "attention_ack": _attention_ack}
_CONSOLE = {"engagement_names": _names, "nudge": _nudge, "attention_check": _send_check}


# --- the console's feed -----------------------------------------------------------------

def feeds(conn: Any) -> list[Any]:
    return [lambda: console_feed(conn)]


async def console_feed(conn: Any) -> None:
    """Counts every ``FEED_SECONDS`` when they change (and every ``FEED_KEEPALIVE_SECONDS``
    anyway), the latest attention check's answers, and the automatic check of a quiet room."""
    last_sent: dict[str, Any] | None = None
    last_at = settings_at = -SETTINGS_SECONDS
    loop = asyncio.get_running_loop()
    while True:
        if loop.time() - settings_at >= SETTINGS_SECONDS:
            heartbeat = await config.heartbeat(conn.plugins, conn.institution_id)
            minutes = await config.check_every_minutes(conn.plugins, conn.institution_id)
            settings_at = loop.time()
        now = _now()
        figures = live_state.counts(await live_state.rows(conn.session_id), now, heartbeat)
        figures["check"] = await checks.latest(conn.session_id)
        if figures != last_sent or loop.time() - last_at >= FEED_KEEPALIVE_SECONDS:
            await conn.reply("engagement", **figures)
            last_sent, last_at = figures, loop.time()
        await _maybe_check(conn, now, minutes)
        await asyncio.sleep(FEED_SECONDS)


async def _maybe_check(conn: Any, now: datetime, minutes: float) -> None:
    if not minutes:
        return
    info = await conn.session_info()
    if info["status"] != "live" or info["started_at"] is None:
        return
    quiet_since = max(t for t in (info["started_at"], info["last_activity_at"],
                                  await checks.last_sent_at(conn.session_id)) if t is not None)
    if now - quiet_since >= timedelta(minutes=minutes):
        seconds = await config.check_seconds(conn.plugins, conn.institution_id)
        await send_check(conn, seconds, CheckSource.RULE, None)
