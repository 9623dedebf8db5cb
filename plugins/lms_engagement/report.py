"""The reports after a period, for lecturers and administrators: one period (its room figures,
timeline and one row per trainee) and one class (every period it ran, and per trainee across
them). Read from the stored results only, so a report, its CSV/XLSX export, the trainee's own
page and module completion show the same numbers.

Who may read: holders of ``engagement.view`` in the class's institution, and among lecturers
only the class's own (administrators and planners see every class of their institution).
"""

from __future__ import annotations

from typing import Any

from lms_core.auth.principal import Principal
from lms_core.http.problems import Problem
from lms_core.models import ClassLecturer, CourseClass

from lms_engagement.models import PeriodResult, PeriodSummary

COLUMNS = ("present_seconds", "visible_seconds", "attentive_seconds", "away_count",
           "away_longest_seconds", "away_total_seconds", "interactions", "checks_sent",
           "checks_answered", "checks_mean_latency_ms", "score", "attended", "reason",
           "reason_en")


async def require_class(principal: Principal, klass_id: int) -> CourseClass:
    if principal.institution_id is None or not principal.can("engagement.view"):
        raise Problem(403, extra_permission="engagement.view")
    klass = await CourseClass.get_or_none(id=klass_id, institution_id=principal.institution_id)
    if klass is None:
        raise Problem(404, "Không tìm thấy lớp học.", "Class not found.")
    if principal.has_role("admin", "planner") or principal.can("classes.manage"):
        return klass
    if not await ClassLecturer.filter(klass_id=klass_id, user_id=principal.user_id).exists():
        raise Problem(403, "Chỉ giảng viên của lớp hoặc quản trị viên mới xem được báo cáo này.",
                      "Only the class's lecturers or an administrator can see this report.")
    return klass


async def require_period(principal: Principal, session_id: int) -> PeriodSummary:
    summary = None
    if principal.institution_id is not None and 0 < session_id <= 2**31 - 1:
        summary = await PeriodSummary.get_or_none(session_id=session_id,
                                                  institution_id=principal.institution_id)
    if summary is None:
        raise Problem(404, "Chưa có báo cáo tương tác của tiết học này (báo cáo có khi tiết học "
                           "kết thúc).",
                      "No engagement report for this period yet (it is made when the period "
                      "ends).")
    await require_class(principal, summary.klass_id)
    return summary


def _share(attentive: float, present: float) -> float | None:
    return round(attentive / present, 3) if present else None


def summary_dict(s: PeriodSummary) -> dict[str, Any]:
    return {"session_id": s.session_id, "klass_id": s.klass_id, "title": s.title,
            "started_at": s.started_at, "ended_at": s.ended_at, "present": s.present,
            "interacted": s.interacted, "coverage": s.coverage,
            "attentive_share": s.attentive_share, "computed_at": s.computed_at}


async def period_report(summary: PeriodSummary) -> dict[str, Any]:
    rows = await PeriodResult.filter(session_id=summary.session_id).order_by(
        "id").values("user_id", *COLUMNS)
    users = await _users({r["user_id"] for r in rows})
    trainees = []
    for r in rows:
        user = users.get(r["user_id"], {})
        trainees.append({**r, "full_name": user.get("full_name", ""),
                         "login": user.get("login", ""),
                         "attentive_share": _share(r["attentive_seconds"],
                                                   r["present_seconds"])})
    trainees.sort(key=lambda t: (users.get(t["user_id"], {}).get("sort_key", ""), t["user_id"]))
    return {**summary_dict(summary), "timeline": summary.timeline, "drops": summary.drops,
            "trainees": trainees}


async def class_report(klass: CourseClass) -> dict[str, Any]:
    periods = await PeriodSummary.filter(klass_id=klass.id).order_by("started_at", "id")
    rows = await PeriodResult.filter(klass_id=klass.id).values(
        "user_id", "session_id", "present_seconds", "attentive_seconds", "interactions",
        "away_count", "checks_sent", "checks_answered", "score", "attended")
    users = await _users({r["user_id"] for r in rows})
    per_user: dict[int, dict[str, Any]] = {}
    for r in rows:
        agg = per_user.setdefault(r["user_id"], {
            "user_id": r["user_id"], "periods": 0, "attended": 0, "present_seconds": 0.0,
            "attentive_seconds": 0.0, "interactions": 0, "away_count": 0, "checks_sent": 0,
            "checks_answered": 0, "score_total": 0})
        agg["periods"] += 1
        agg["attended"] += 1 if r["attended"] else 0
        for key in ("present_seconds", "attentive_seconds", "interactions", "away_count",
                    "checks_sent", "checks_answered"):
            agg[key] += r[key]
        agg["score_total"] += r["score"]
    trainees = []
    for agg in per_user.values():
        user = users.get(agg["user_id"], {})
        score_total = agg.pop("score_total")
        trainees.append({**agg, "full_name": user.get("full_name", ""),
                         "login": user.get("login", ""),
                         "mean_score": round(score_total / agg["periods"]),
                         "attentive_share": _share(agg["attentive_seconds"],
                                                   agg["present_seconds"])})
    trainees.sort(key=lambda t: (users.get(t["user_id"], {}).get("sort_key", ""), t["user_id"]))
    return {"klass_id": klass.id, "code": klass.code, "title": klass.title,
            "periods": [summary_dict(p) for p in periods], "trainees": trainees}


async def own_periods(principal: Principal) -> list[dict[str, Any]]:
    """A trainee's own results, newest first: what the "my figures" page shows."""
    rows = await PeriodResult.filter(user_id=principal.user_id,
                                     institution_id=principal.institution_id).order_by(
        "-computed_at").limit(200).values("session_id", "klass_id", *COLUMNS)
    periods = {p["session_id"]: p for p in await PeriodSummary.filter(
        session_id__in=[r["session_id"] for r in rows]).values(
        "session_id", "title", "started_at")} if rows else {}
    return [{**r, "title": periods.get(r["session_id"], {}).get("title", ""),
             "started_at": periods.get(r["session_id"], {}).get("started_at"),
             "attentive_share": _share(r["attentive_seconds"], r["present_seconds"])}
            for r in rows]


async def _users(ids: set[int]) -> dict[int, dict[str, Any]]:
    from lms_core.models import User

    if not ids:
        return {}
    return {u["id"]: u for u in await User.filter(id__in=ids).values(
        "id", "full_name", "login", "sort_key")}
