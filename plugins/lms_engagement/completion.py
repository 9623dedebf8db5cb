"""Engagement's say in module completion: a live-session module waits for a period that
counted as attended. Reads the stored ``PeriodResult`` (never recomputes), so the course page,
the reports and this decision agree."""

from __future__ import annotations

from typing import Any

from lms_core.plugin_api import ActionRefused

from lms_engagement.models import PeriodResult

LIVE_MODULE = "live_session"


async def hold_back(user: Any, module: Any, enrolment: Any) -> ActionRefused | None:
    if getattr(module, "type", None) != LIVE_MODULE:
        return None
    data = module.data if isinstance(module.data, dict) else {}
    qs = PeriodResult.filter(user_id=user.id, klass_id=enrolment.klass_id)
    named = data.get("session_id")
    if isinstance(named, int) and not isinstance(named, bool):
        qs = qs.filter(session_id=named)
    results = await qs.order_by("-computed_at").values("attended", "reason", "reason_en")
    if not results or any(r["attended"] for r in results):
        return None  # no figures (engagement saw nothing of it) or one attended period
    latest = results[0]
    return ActionRefused(f"Tiết học chưa được tính là có tham gia: {latest['reason']}",
                         f"The period does not count as attended: {latest['reason_en']}")
