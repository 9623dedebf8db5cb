"""Raise hand: a participant raises or lowers their hand; runners see the queue in the order
hands went up, with names, and lower one or all; everyone else sees only how many are up.

Each raise gets a random ``token``. The room's ``hands`` frame lists the tokens of the hands a
change lowered, so a phone whose hand a lecturer lowered learns it (it knows its own token)
while nobody learns whose hands were up. A change is rare and small, so it is sent at once (in
the transaction that makes it), not coalesced.
"""

from __future__ import annotations

import secrets
from typing import Any

from tortoise.transactions import in_transaction

from lms_core.broker import Broker

from lms_live_sessions.activities import LiveError
from lms_live_sessions.channel import bump_seq
from lms_live_sessions.events import PUBLIC, RUNNER, SCREEN, emit
from lms_live_sessions.models import HandRaise, SessionStatus
from lms_live_sessions.service import utcnow


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


async def queue(session_id: int) -> list[dict[str, Any]]:
    """Raised hands, first raised first: what runners see."""
    rows = await HandRaise.filter(session_id=session_id, raised_at__isnull=False).order_by(
        "raised_at", "id").values("user_id", "user__full_name", "raised_at")
    return [{"user_id": r["user_id"], "full_name": r["user__full_name"],
             "raised_at": r["raised_at"]} for r in rows]


async def hands_state(session_id: int, user_id: int, *, listener: str) -> dict[str, Any]:
    """The ``hands`` part of a snapshot: the queue for runners, the count for the others and,
    for a participant, their own hand."""
    if listener == RUNNER:
        items = await queue(session_id)
        return {"count": len(items), "items": items}
    count = await HandRaise.filter(session_id=session_id, raised_at__isnull=False).count()
    out: dict[str, Any] = {"count": count}
    if listener == PUBLIC:
        mine = await HandRaise.filter(session_id=session_id, user_id=user_id).values(
            "raised_at", "token")
        raised = bool(mine) and mine[0]["raised_at"] is not None
        out["mine"] = {"raised": raised, "token": mine[0]["token"] if raised else None}
    return out


async def _announce(broker: Broker | None, session_id: int, lowered: list[str]) -> None:
    """Inside the transaction of the change: runners get the queue with names, the room and the
    projector the count and the lowered tokens."""
    items = await queue(session_id)
    seq, _ = await bump_seq(session_id)
    await emit(broker, session_id, seq, RUNNER, "hands", count=len(items), items=items,
               lowered=lowered)
    for audience in (PUBLIC, SCREEN):
        seq, _ = await bump_seq(session_id)
        await emit(broker, session_id, seq, audience, "hands", count=len(items),
                   lowered=lowered)


async def set_hand(broker: Broker | None, session_id: int, user_id: int, raised: bool
                   ) -> dict[str, Any]:
    """The participant's own hand. Raising a raised hand (or lowering a lowered one) changes
    nothing and sends nothing, so a retried message is harmless."""
    async with in_transaction():
        _seq, status = await bump_seq(session_id)
        if raised and status != SessionStatus.LIVE.value:
            raise LiveError(409, "not_live", "Phiên học chưa bắt đầu hoặc đã kết thúc.",
                            "The session is not live.")
        row = await HandRaise.filter(session_id=session_id, user_id=user_id
                                     ).select_for_update().first()
        if row is None:
            if not raised:
                return {"raised": False, "token": None}
            row = HandRaise(session_id=session_id, user_id=user_id, times=0)
        up = row.raised_at is not None
        if up == raised:
            return {"raised": up, "token": row.token if up else None}
        lowered: list[str] = []
        if raised:
            row.raised_at, row.lowered_at, row.lowered_by_id = utcnow(), None, None
            row.token = secrets.token_urlsafe(9)
            row.times += 1
        else:
            lowered = [row.token]
            row.raised_at, row.lowered_at, row.lowered_by_id = None, utcnow(), user_id
        await row.save()
        await _announce(broker, session_id, lowered)
        return {"raised": raised, "token": row.token if raised else None}


async def lower(broker: Broker | None, session_id: int, by_user_id: int,
                user_id: int | None = None) -> int:
    """A runner lowers one participant's hand (``user_id``) or every hand (None). Returns how
    many were lowered; lowering none sends nothing."""
    async with in_transaction():
        await bump_seq(session_id)
        qs = HandRaise.filter(session_id=session_id, raised_at__isnull=False)
        if user_id is not None:
            qs = qs.filter(user_id=user_id)
        tokens = list(await qs.values_list("token", flat=True))
        if not tokens:
            return 0
        await qs.update(raised_at=None, lowered_at=utcnow(), lowered_by_id=by_user_id)
        await _announce(broker, session_id, tokens)
        return len(tokens)
