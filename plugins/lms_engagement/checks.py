"""Attention checks: "Anh/chị còn theo dõi không?" sent to the room, answered with one tap.

The server times both ends (sent and answered on its own clock), so the latency needs no
clock correction. An answer after the deadline is kept (the trainee did come back) but is
not "in time". Each trainee answers a check once; a resent tap gets the first answer back.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from lms_engagement.models import AttentionAnswer, AttentionCheck, CheckSource

#: Answers are accepted this long after the deadline (and marked late).
LATE_WINDOW = timedelta(minutes=5)


class CheckError(Exception):
    def __init__(self, code: str, vi: str, en: str) -> None:
        super().__init__(en)
        self.code, self.vi, self.en = code, vi, en


async def create(session_id: int, institution_id: int, seconds: int, source: CheckSource,
                 sent_by_id: int | None, recipients: int, now: datetime) -> AttentionCheck:
    return await AttentionCheck.create(
        session_id=session_id, institution_id=institution_id, sent_at=now,
        expires_at=now + timedelta(seconds=seconds), seconds=seconds, source=source,
        sent_by_id=sent_by_id, recipients=recipients)


def shown(check: AttentionCheck) -> dict[str, Any]:
    return {"check_id": check.id, "seconds": check.seconds, "sent_at": check.sent_at,
            "expires_at": check.expires_at, "source": getattr(check.source, "value",
                                                              check.source)}


async def answer(session_id: int, user_id: int, check_id: Any, now: datetime
                 ) -> dict[str, Any]:
    if isinstance(check_id, bool) or not isinstance(check_id, int) or \
            not 0 < check_id <= 2**31 - 1:
        raise CheckError("invalid", "Thiếu hoặc sai “check_id”.", "Missing or invalid “check_id”.")
    check = await AttentionCheck.get_or_none(id=check_id, session_id=session_id)
    if check is None:
        raise CheckError("not_found", "Không có câu hỏi kiểm tra này trong phiên.",
                         "No such attention check in this session.")
    existing = await AttentionAnswer.get_or_none(check_id=check.id, user_id=user_id)
    if existing is None:
        if now > check.expires_at + LATE_WINDOW:
            raise CheckError("expired", "Câu hỏi kiểm tra đã hết hạn.",
                             "The attention check has expired.")
        latency = max(0, round((now - check.sent_at).total_seconds() * 1000))
        try:
            existing = await AttentionAnswer.create(
                check_id=check.id, user_id=user_id, answered_at=now, latency_ms=latency,
                in_time=now <= check.expires_at)
        except IntegrityError:  # the same tap on a second socket won the race
            existing = await AttentionAnswer.get(check_id=check.id, user_id=user_id)
    return {"check_id": check.id, "latency_ms": existing.latency_ms,
            "in_time": existing.in_time}


async def latest(session_id: int) -> dict[str, Any] | None:
    """The last check with how many answered it, for the console."""
    check = await AttentionCheck.filter(session_id=session_id).order_by("-id").first()
    if check is None:
        return None
    answered = await AttentionAnswer.filter(check_id=check.id).count()
    in_time = await AttentionAnswer.filter(check_id=check.id, in_time=True).count()
    return {**shown(check), "recipients": check.recipients, "answered": answered,
            "answered_in_time": in_time}


async def last_sent_at(session_id: int) -> datetime | None:
    check = await AttentionCheck.filter(session_id=session_id).order_by("-id").first()
    return check.sent_at if check else None
