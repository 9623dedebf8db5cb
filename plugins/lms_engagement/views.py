"""The engagement pages: the reports of a period and of a class (lecturers, administrators,
planners), the list of recent periods, and the trainee's own figures with a plain notice of
exactly what is recorded. Server-rendered from the same report functions as the JSON API."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from lms_core.auth.principal import Principal
from lms_core.http.endpoints import path_int
from lms_core.http.problems import Problem, request_locale
from lms_core.models import ClassLecturer
from lms_core.web.pages import page
from lms_core.web.templating import render

from lms_engagement import config, report
from lms_engagement.chart import timeline_svg
from lms_engagement.models import PeriodSummary
from lms_engagement.timeline import Event, summarise


def _minutes(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds / 60:.1f}"


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)}%"


FILTERS = {"minutes": _minutes, "pct": _pct}


@page("engagement.view")
async def periods_page(request: Request, principal: Principal) -> Response:
    """Recent ended periods the caller may see (their classes; every class for admins)."""
    qs = PeriodSummary.filter(institution_id=principal.institution_id)
    if not (principal.has_role("admin", "planner") or principal.can("classes.manage")):
        mine = await ClassLecturer.filter(user_id=principal.user_id).values_list("klass_id",
                                                                                 flat=True)
        qs = qs.filter(klass_id__in=list(mine))
    periods = await qs.order_by("-ended_at", "-id").limit(100)
    return await render(request, "engagement/periods.html", {
        "page": "engagement-periods", "periods": periods, **FILTERS})


@page("engagement.view")
async def period_page(request: Request, principal: Principal) -> Response:
    summary = await report.require_period(principal, path_int(request, "session_id"))
    data = await report.period_report(summary)
    en = request_locale(request) == "en"
    chart = timeline_svg(
        data["timeline"], data["drops"],
        "Attentive share of the trainees present, minute by minute" if en else
        "Tỉ lệ thời gian chú ý của học viên có mặt, theo từng phút",
        "minute" if en else "phút")
    return await render(request, "engagement/period.html", {
        "page": "engagement-period", "report": data, "chart": chart, **FILTERS})


@page("engagement.view")
async def class_page(request: Request, principal: Principal) -> Response:
    klass = await report.require_class(principal, path_int(request, "class_id"))
    data = await report.class_report(klass)
    return await render(request, "engagement/class.html", {
        "page": "engagement-class", "report": data, "klass": klass, **FILTERS})


@page()
async def my_page(request: Request, principal: Principal) -> Response:
    """Any logged-in user: their own figures only, and what is recorded."""
    if principal.institution_id is None:
        raise Problem(403, "Bạn chưa thuộc đơn vị đào tạo nào.",
                      "You do not belong to any institution.")
    plugins = request.app.state.lms.plugins
    heartbeat = await config.heartbeat(plugins, principal.institution_id)
    from lms_engagement.models import EngagementEvent

    rows = await EngagementEvent.filter(
        user_id=principal.user_id, institution_id=principal.institution_id,
        module_id__isnull=False).order_by("corrected_ts", "id").limit(100_000).values_list(
        "client_id", "kind", "corrected_ts")
    lessons = summarise((Event(c, getattr(k, "value", k), t) for c, k, t in rows), heartbeat)
    return await render(request, "engagement/me.html", {
        "page": "engagement-me", "periods": await report.own_periods(principal),
        "lessons": lessons.as_dict(), "heartbeat": heartbeat,
        "idle": await config.idle_seconds(plugins, principal.institution_id),
        "retention_days": await config.retention_days(plugins, principal.institution_id),
        "rule": await config.rule(plugins, principal.institution_id), **FILTERS})


def routes() -> list[BaseRoute]:
    return [
        Route("/engagement", periods_page, name="engagement.periods"),
        Route("/engagement/me", my_page, name="engagement.me"),
        Route("/engagement/periods/{session_id:int}", period_page, name="engagement.period"),
        Route("/engagement/classes/{class_id:int}", class_page, name="engagement.class"),
    ]


