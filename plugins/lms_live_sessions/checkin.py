"""The timed check-in code: a session that requires it shows a six-digit code on the projector
that changes every ``checkin_period`` seconds; a trainee in the room types it, which proves
they are there and not just logged in from elsewhere.

The code is ``HMAC-SHA256(secret, "<session id>:<window>")`` truncated to six digits as in
HOTP (RFC 4226), where ``window = floor(unix time / period)``. The secret is stored with the
session, so every worker computes the same code without storing any code or talking to the
others. A code is accepted during its own window and the one after it (a trainee who typed it
just before it changed still counts). Checking in twice keeps the first time.

Who receives the code: runners and the projector (``checkin_code`` replies sent to their
sockets at each window change, never a stored broadcast); trainees and guests never do.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from lms_core.broker import Broker
from lms_live_sessions.access import RUNNER as RUNNER_ROLE
from lms_live_sessions.activities import LiveError
from lms_live_sessions.channel import bump_seq
from lms_live_sessions.events import ALL, RUNNER, SCREEN, emit
from lms_live_sessions.models import Attendance, LiveSession, SessionStatus
from lms_live_sessions.service import utcnow

#: The institution setting for the code's lifetime, and its bounds.
PERIOD_SETTING = "live_sessions.checkin_period"
PERIOD_DEFAULT = 30
PERIOD_MIN, PERIOD_MAX = 10, 600
DIGITS = 6


def clock() -> float:
    """The time codes are computed for; tests replace it rather than sleep."""
    return time.time()


def window_of(now: float, period: int) -> int:
    return math.floor(now / period)


def code_for(secret: str, session_id: int, window: int) -> str:
    digest = hmac.new(secret.encode("ascii"), f"{session_id}:{window}".encode("ascii"),
                      hashlib.sha256).digest()
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset:offset + 4], "big") & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def current_code(session: Any, now: float | None = None) -> dict[str, Any]:
    """What runners and the projector show: the code and when it changes."""
    now = clock() if now is None else now
    window = window_of(now, session.checkin_period)
    ends = (window + 1) * session.checkin_period
    return {"code": code_for(session.checkin_secret, session.id, window),
            "period": session.checkin_period,
            "expires_at": datetime.fromtimestamp(ends, UTC),
            "seconds_left": max(0.0, round(ends - now, 3))}


def accepts(session: Any, code: str, now: float | None = None) -> bool:
    """The current window's code or the previous one's, compared in constant time."""
    if not session.checkin_secret or not isinstance(code, str):
        return False
    typed = "".join(ch for ch in code if ch.isdigit())
    if len(typed) != DIGITS:
        return False
    window = window_of(clock() if now is None else now, session.checkin_period)
    return any(hmac.compare_digest(typed, code_for(session.checkin_secret, session.id, w))
               for w in (window, window - 1))


def clamp_period(value: Any) -> int:
    try:
        return min(PERIOD_MAX, max(PERIOD_MIN, int(value)))
    except (TypeError, ValueError):
        return PERIOD_DEFAULT


async def period_setting(plugins: Any, institution_id: int) -> int:
    """The institution's code lifetime (``live_sessions.checkin_period``), within bounds."""
    from lms_core.services.settings import get_setting

    return clamp_period(await get_setting(plugins, institution_id, PERIOD_SETTING))


async def checked_in_count(session_id: int) -> int:
    return await Attendance.filter(session_id=session_id, checked_in_at__isnull=False).exclude(
        role=RUNNER_ROLE).count()


async def set_required(broker: Broker | None, session_id: int, required: bool,
                       period: int) -> dict[str, Any]:
    """Turn the requirement on or off and tell everyone (``checkin`` to all: trainees need to
    know to show the code field). The secret is made once and kept: turning check-in off and
    on again does not change which code every worker computes for a window."""
    async with in_transaction():
        seq, status = await bump_seq(session_id)
        if status == SessionStatus.ENDED.value:
            raise LiveError(409, "ended", "Phiên học đã kết thúc.", "The session has ended.")
        session = await LiveSession.get(id=session_id)
        values: dict[str, Any] = {"checkin_required": required}
        if required:
            values["checkin_period"] = clamp_period(period)
            if not session.checkin_secret:
                values["checkin_secret"] = secrets.token_hex(32)
        await LiveSession.filter(id=session_id).update(**values)
        period_now = values.get("checkin_period", session.checkin_period)
        await emit(broker, session_id, seq, ALL, "checkin", required=required,
                   period=period_now)
    return {"required": required, "period": period_now}


async def check_in(broker: Broker | None, session_id: int, user_id: int, full_name: str,
                   role: str, code: Any, now: float | None = None) -> dict[str, Any]:
    """Record the check-in of a trainee or guest; returns ``checked_in_at``. Refusals:
    ``forbidden`` (runners), ``not_required``, ``not_live``, ``invalid_code``."""
    if role == RUNNER_ROLE:
        raise LiveError(403, "forbidden", "Giảng viên điều hành phiên không cần điểm danh.",
                        "Those running the session do not check in.")
    session = await LiveSession.get(id=session_id)
    if not session.checkin_required:
        raise LiveError(409, "not_required", "Phiên học này không yêu cầu mã điểm danh.",
                        "This session does not require a check-in code.")
    if session.status != SessionStatus.LIVE:
        raise LiveError(409, "not_live", "Chỉ điểm danh được khi phiên học đang diễn ra.",
                        "You can check in only while the session is live.")
    if not accepts(session, code, now):
        raise LiveError(422, "invalid_code", "Mã điểm danh không đúng hoặc đã hết hạn. Hãy "
                                             "nhập mã đang hiện trên màn chiếu.",
                        "Wrong or expired check-in code. Type the code now on the screen.")
    already = await Attendance.filter(session_id=session_id, user_id=user_id,
                                      checked_in_at__isnull=False).values_list(
        "checked_in_at", flat=True)
    if already:  # a retried message: nothing changes, nothing is sent
        return {"checked_in_at": already[0], "already": True}
    async with in_transaction():
        seq, _ = await bump_seq(session_id)  # serialises check-ins of this session
        at = utcnow()
        att = await Attendance.get_or_none(session_id=session_id, user_id=user_id)
        if att is not None and att.checked_in_at is not None:
            return {"checked_in_at": att.checked_in_at, "already": True}
        if att is None:  # checked in by REST without a socket: on the sheet from now on
            await Attendance.create(session_id=session_id, user_id=user_id, first_join_at=at,
                                    role=role, checked_in_at=at)
        else:
            att.checked_in_at = at
            await att.save(update_fields=["checked_in_at"])
        count = await checked_in_count(session_id)
        await emit(broker, session_id, seq, RUNNER, "checked_in", user_id=user_id,
                   full_name=full_name, checked_in_at=at, count=count)
        seq, _ = await bump_seq(session_id)
        await emit(broker, session_id, seq, SCREEN, "checked_in", count=count)
    return {"checked_in_at": at, "already": False}


async def checkin_state(session_id: int, user_id: int, *, listener: str) -> dict[str, Any]:
    """The ``checkin`` part of a snapshot. The code itself follows in a ``checkin_code``
    reply for runners and the projector."""
    row = (await LiveSession.filter(id=session_id).values("checkin_required",
                                                          "checkin_period"))[0]
    out: dict[str, Any] = {"required": row["checkin_required"],
                           "period": row["checkin_period"]}
    if listener in (RUNNER, SCREEN):
        out["count"] = await checked_in_count(session_id)
    else:
        mine = await Attendance.filter(session_id=session_id, user_id=user_id).values_list(
            "checked_in_at", flat=True)
        out["checked_in_at"] = mine[0] if mine else None
    return out
