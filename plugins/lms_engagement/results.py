"""A period's figures from the database, and storing them once it ends.

When a live session ends (``lms_live_session_ended``), every trainee who was there gets a
``PeriodResult`` (their figures, their score and whether the period counts as attended under
the institution's rule and any plugin's) and the room a ``PeriodSummary`` (coverage, timeline,
drops). They are written in one transaction, replacing an earlier computation of the same
period, and everything afterwards (reports, exports, the trainee's page, module completion)
reads them, so all of those agree.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime, timezone
from typing import Any

from tortoise.transactions import in_transaction

from lms_core.models import Enrolment

from lms_engagement import config, period
from lms_engagement.models import AttentionAnswer, AttentionCheck, EngagementEvent, \
    PeriodResult, PeriodSummary
from lms_engagement.timeline import Event

log = logging.getLogger("lms.engagement")

FIGURE_FIELDS = ("present_seconds", "visible_seconds", "attentive_seconds", "away_count",
                 "away_longest_seconds", "away_total_seconds", "interactions", "checks_sent",
                 "checks_answered", "checks_mean_latency_ms", "score")


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


async def compute(session_id: int, institution_id: int, started_at: datetime | None,
                  ended_at: datetime | None, heartbeat: float, now: datetime | None = None
                  ) -> tuple[list[period.TraineeFigures], period.RoomFigures]:
    now = now or datetime.now(timezone.utc)
    rows = await EngagementEvent.filter(live_session_id=session_id,
                                        institution_id=institution_id).order_by(
        "user_id", "corrected_ts", "id").values_list("user_id", "client_id", "kind",
                                                     "corrected_ts")
    by_user: dict[int, list[Event]] = {}
    everything: list[Event] = []
    for user_id, client_id, kind, at in rows:
        event = Event(client_id, getattr(kind, "value", kind), _aware(at))
        by_user.setdefault(user_id, []).append(event)
        everything.append(event)
    start, end = period.window(_aware(started_at), _aware(ended_at), everything, now)
    sent = [period.CheckSent(c["id"], _aware(c["sent_at"]), _aware(c["expires_at"]))
            for c in await AttentionCheck.filter(session_id=session_id).order_by("id").values(
                "id", "sent_at", "expires_at")]
    answers: dict[int, dict[int, tuple[int, bool]]] = {}
    if sent:
        for a in await AttentionAnswer.filter(check_id__in=[c.check_id for c in sent]).values(
                "check_id", "user_id", "latency_ms", "in_time"):
            answers.setdefault(a["user_id"], {})[a["check_id"]] = (a["latency_ms"],
                                                                   bool(a["in_time"]))
    trainees = [period.trainee(user_id, events, heartbeat, start, end, sent,
                               answers.get(user_id, {}))
                for user_id, events in by_user.items()]
    trainees = [t for t in trainees if t.present_seconds > 0]
    return trainees, period.room(trainees, start, end)


def figures_dict(t: period.TraineeFigures) -> dict[str, Any]:
    out = {k: getattr(t, k) for k in FIGURE_FIELDS}
    out["user_id"] = t.user_id
    share = t.attentive_share
    out["attentive_share"] = None if share is None else round(share, 3)
    return out


async def verdict(plugins: Any, institution_id: int, figures: dict[str, Any],
                  period_info: dict[str, Any], rule: config.Rule) -> tuple[str, str]:
    """("", "") when the period counts as attended, else the reason in both languages."""
    share = figures["attentive_share"] or 0.0
    if share + 1e-9 < rule.min_attentive_share:
        return (f"Thời gian chú ý {share:.0%} thấp hơn mức tối thiểu "
                f"{rule.min_attentive_share:.0%}.",
                f"Attentive {share:.0%} of the time, below the required "
                f"{rule.min_attentive_share:.0%}.")
    if figures["interactions"] < rule.min_interactions:
        return (f"Có {figures['interactions']} lần tương tác, cần ít nhất "
                f"{rule.min_interactions}.",
                f"{figures['interactions']} interaction(s); at least "
                f"{rule.min_interactions} needed.")
    if plugins is None:
        return "", ""
    result = await plugins.first_result("lms_engagement_attendance_rule", institution_id,
                                        figures=figures, period=period_info,
                                        institution_id=institution_id)
    if result:
        if isinstance(result, (tuple, list)) and len(result) == 2:
            return str(result[0])[:500], str(result[1])[:500]
        return str(result)[:500], str(result)[:500]
    return "", ""


async def finish(session: Any, plugins: Any, now: datetime | None = None) -> int:
    """Compute and store one ended period; returns the number of trainees stored."""
    now = now or datetime.now(timezone.utc)
    institution_id = session.institution_id
    heartbeat = await config.heartbeat(plugins, institution_id)
    rule = await config.rule(plugins, institution_id)
    trainees, room = await compute(session.id, institution_id, session.started_at,
                                   session.ended_at, heartbeat, now)
    info = {"session_id": session.id, "klass_id": session.klass_id, "title": session.title,
            "started_at": session.started_at, "ended_at": session.ended_at}
    enrolments = dict(await Enrolment.filter(
        klass_id=session.klass_id, user_id__in=[t.user_id for t in trainees]).values_list(
        "user_id", "id")) if trainees else {}
    rows = []
    for t in trainees:
        figures = figures_dict(t)
        reason, reason_en = await verdict(plugins, institution_id, figures, info, rule)
        rows.append(PeriodResult(
            session_id=session.id, institution_id=institution_id, klass_id=session.klass_id,
            user_id=t.user_id, enrolment_id=enrolments.get(t.user_id),
            **{k: figures[k] for k in FIGURE_FIELDS}, attended=not reason, reason=reason,
            reason_en=reason_en, computed_at=now))
    async with in_transaction():
        await PeriodResult.filter(session_id=session.id).delete()
        await PeriodSummary.filter(session_id=session.id).delete()
        if rows:
            await PeriodResult.bulk_create(rows, batch_size=500)
        await PeriodSummary.create(
            session_id=session.id, institution_id=institution_id, klass_id=session.klass_id,
            title=session.title[:255], started_at=session.started_at,
            ended_at=session.ended_at, present=room.present, interacted=room.interacted,
            coverage=room.coverage, attentive_share=room.attentive_share,
            timeline=room.timeline, drops=room.drops, computed_at=now)
    return len(rows)


def room_dict(room: period.RoomFigures) -> dict[str, Any]:
    return asdict(room)
