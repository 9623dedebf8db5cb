"""JSON endpoints of the engagement plugin: the beacon batch endpoint, the tracking settings
pages read, a user's summary, the period and class reports with their CSV/XLSX exports, the
trainee's own figures and the xAPI export."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from lms_core.auth.principal import Principal
from lms_core.http.downloads import attachment
from lms_core.http.endpoints import api, path_int
from lms_core.http.problems import Problem, request_locale
from lms_core.spreadsheets import to_csv, to_xlsx
from lms_core.runtime import runtime
from lms_core.services.users import get_user_in
from lms_engagement import config, exports, ingest, report, xapi
from lms_engagement.models import EngagementEvent, PeriodSummary
from lms_engagement.schemas import ExportQuery, SummaryQuery, XapiQuery
from lms_engagement.timeline import Event, summarise

PREFIX = "/api/v1/engagement"
#: A summary reads at most this many events (about 400 hours of heartbeats).
MAX_SUMMARY_EVENTS = 100_000


def _institution(principal: Principal) -> int:
    if principal.institution_id is None:
        raise Problem(403, "Bạn chưa thuộc đơn vị đào tạo nào.",
                      "You do not belong to any institution.")
    return principal.institution_id


@api("POST", permission=None, summary="Record a batch of interaction events (beacon)",
     tags=("engagement",),
     responses={400: "Malformed JSON", 413: "Body over 256 KB", 415: "Not JSON"})
async def record_events(request: Request, principal: Principal):
    """Body (application/json or text/plain, at most 256 KB):
    `{"sent_at": ISO time, "events": [{"id", "kind", "at", "module_id"?, "live_session_id"?,
    "data"?}]}` with at most 500 events. Browsers send it with `navigator.sendBeacon`, which
    cannot set headers: pass the CSRF token as the `csrf_token` query parameter.

    Event times are corrected for the client's clock (`server receipt - (sent_at - at)`).
    Events already stored (same user, same `id`) are counted as duplicates, not errors, so a
    batch may safely be sent again. An event on a module the caller is not enrolled for fails
    the whole batch with 422, naming the event's index."""
    institution_id = _institution(principal)
    batch = await ingest.read_batch(request)
    return await ingest.store_batch(runtime(request).plugins, institution_id,
                                    principal.user_id, batch)


@api("GET", permission=None, query=SummaryQuery, summary="Attention summary of one user",
     tags=("engagement",), responses={404: "User not found"})
async def summary(request: Request, principal: Principal, query: SummaryQuery):
    """Time visible, attentive time (visible, focused, not idle), away episodes and interactions,
    computed from the events in corrected-time order. Trainees see their own; holders of
    `engagement.view` (lecturers, admins, planners) anyone of their institution."""
    institution_id = _institution(principal)
    user_id = query.user_id or principal.user_id
    if user_id != principal.user_id:
        if not principal.can("engagement.view"):
            raise Problem(403, extra_permission="engagement.view")
        await get_user_in(institution_id, user_id)
    qs = EngagementEvent.filter(institution_id=institution_id, user_id=user_id)
    if query.module_id is not None:
        qs = qs.filter(module_id=query.module_id)
    if query.live_session_id is not None:
        qs = qs.filter(live_session_id=query.live_session_id)
    if query.since is not None:
        qs = qs.filter(corrected_ts__gte=query.since)
    if query.until is not None:
        qs = qs.filter(corrected_ts__lt=query.until)
    rows = await qs.order_by("corrected_ts", "id").limit(MAX_SUMMARY_EVENTS + 1).values_list(
        "client_id", "kind", "corrected_ts")
    truncated = len(rows) > MAX_SUMMARY_EVENTS
    heartbeat = await config.heartbeat(runtime(request).plugins, institution_id)
    result = summarise((Event(c, getattr(k, "value", k), t)
                        for c, k, t in rows[:MAX_SUMMARY_EVENTS]), heartbeat)
    return {"user_id": user_id, "module_id": query.module_id,
            "live_session_id": query.live_session_id, "heartbeat_seconds": heartbeat,
            "truncated": truncated, **result.as_dict()}


@api("GET", permission=None, summary="Tracking settings the pages use", tags=("engagement",))
async def tracking_config(request: Request, principal: Principal):
    """The institution's heartbeat interval and idle time, so every page measures the same way
    the figures are computed."""
    institution_id = _institution(principal)
    plugins = runtime(request).plugins
    return {"heartbeat_seconds": await config.heartbeat(plugins, institution_id),
            "idle_seconds": await config.idle_seconds(plugins, institution_id)}


@api("GET", permission="engagement.view", summary="Engagement report of one live period",
     tags=("engagement",), responses={403: "Not a lecturer of the class",
                                      404: "No report (the period has not ended)"})
async def period_report(request: Request, principal: Principal):
    """Computed once when the period ended: the room's coverage, the attentive share minute by
    minute and the drops, and one row per trainee (figures, score, whether it counts as
    attended and why not)."""
    summary = await report.require_period(principal, path_int(request, "session_id"))
    return await report.period_report(summary)


@api("GET", permission="engagement.view", query=ExportQuery,
     summary="Engagement report of one live period as CSV", tags=("engagement",))
async def period_csv(request: Request, principal: Principal, query: ExportQuery):
    summary = await report.require_period(principal, path_int(request, "session_id"))
    sheets = exports.period_sheets(await report.period_report(summary),
                                   query.lang or request_locale(request))
    return attachment(to_csv(sheets), f"tuong-tac-tiet-{summary.session_id}.csv")


@api("GET", permission="engagement.view", query=ExportQuery,
     summary="Engagement report of one live period as XLSX", tags=("engagement",))
async def period_xlsx(request: Request, principal: Principal, query: ExportQuery):
    summary = await report.require_period(principal, path_int(request, "session_id"))
    sheets = exports.period_sheets(await report.period_report(summary),
                                   query.lang or request_locale(request))
    return attachment(to_xlsx(sheets), f"tuong-tac-tiet-{summary.session_id}.xlsx")


@api("GET", permission="engagement.view", summary="Engagement report of one class",
     tags=("engagement",), responses={403: "Not a lecturer of the class", 404: "No such class"})
async def class_report(request: Request, principal: Principal):
    """Every ended period of the class, and per trainee across them."""
    klass = await report.require_class(principal, path_int(request, "class_id"))
    return await report.class_report(klass)


@api("GET", permission="engagement.view", summary="Engagement report of one class as CSV",
     tags=("engagement",))
async def class_csv(request: Request, principal: Principal):
    klass = await report.require_class(principal, path_int(request, "class_id"))
    sheets = exports.class_sheets(await report.class_report(klass))
    return attachment(to_csv(sheets), f"tuong-tac-lop-{klass.code}.csv")


@api("GET", permission="engagement.view", summary="Engagement report of one class as XLSX",
     tags=("engagement",))
async def class_xlsx(request: Request, principal: Principal):
    klass = await report.require_class(principal, path_int(request, "class_id"))
    sheets = exports.class_sheets(await report.class_report(klass))
    return attachment(to_xlsx(sheets), f"tuong-tac-lop-{klass.code}.xlsx")


@api("GET", permission=None, summary="My own engagement figures", tags=("engagement",))
async def my_figures(request: Request, principal: Principal):
    """What is recorded about the caller and how long it is kept, and their period results."""
    institution_id = _institution(principal)
    days = await config.retention_days(runtime(request).plugins, institution_id)
    return {"retention_days": days, "periods": await report.own_periods(principal)}


@api("GET", permission="engagement.view", query=XapiQuery,
     summary="Events and results as xAPI statements", tags=("engagement",),
     responses={400: "Neither session_id nor class_id", 404: "No such period or class"})
async def xapi_statements(request: Request, principal: Principal, query: XapiQuery):
    """A StatementResult (``statements``, ``more``) of one period or of every period of a
    class; follow ``more`` until it is empty. See ``xapi.py`` for the verbs."""
    if (query.session_id is None) == (query.class_id is None):
        raise Problem(400, "Cần đúng một trong hai: session_id hoặc class_id.",
                      "Give exactly one of session_id or class_id.")
    if query.session_id is not None:
        summary = await report.require_period(principal, query.session_id)
        session_ids = [summary.session_id]
    else:
        klass = await report.require_class(principal, query.class_id)
        session_ids = list(await PeriodSummary.filter(klass_id=klass.id).values_list(
            "session_id", flat=True))
    base = str(request.base_url).rstrip("/")
    found, cursor = await xapi.statements(base, session_ids, query.cursor, query.heartbeats,
                                          query.limit)
    more = ""
    if cursor:
        params = {k: v for k, v in query.model_dump().items() if v not in (None, False)}
        params["cursor"] = cursor
        more = f"{PREFIX}/xapi?{urlencode(params)}"
    return {"statements": found, "more": more}


def routes() -> list[BaseRoute]:
    return [
        Route(f"{PREFIX}/events", record_events, methods=["POST"], name="api.engagement_events"),
        Route(f"{PREFIX}/summary", summary, methods=["GET"], name="api.engagement_summary"),
        Route(f"{PREFIX}/config", tracking_config, methods=["GET"],
              name="api.engagement_config"),
        Route(f"{PREFIX}/me", my_figures, methods=["GET"], name="api.engagement_me"),
        Route(f"{PREFIX}/periods/{{session_id:int}}", period_report, methods=["GET"],
              name="api.engagement_period"),
        Route(f"{PREFIX}/periods/{{session_id:int}}/export.csv", period_csv, methods=["GET"],
              name="api.engagement_period_csv"),
        Route(f"{PREFIX}/periods/{{session_id:int}}/export.xlsx", period_xlsx, methods=["GET"],
              name="api.engagement_period_xlsx"),
        Route(f"{PREFIX}/classes/{{class_id:int}}", class_report, methods=["GET"],
              name="api.engagement_class"),
        Route(f"{PREFIX}/classes/{{class_id:int}}/export.csv", class_csv, methods=["GET"],
              name="api.engagement_class_csv"),
        Route(f"{PREFIX}/classes/{{class_id:int}}/export.xlsx", class_xlsx, methods=["GET"],
              name="api.engagement_class_xlsx"),
        Route(f"{PREFIX}/xapi", xapi_statements, methods=["GET"], name="api.engagement_xapi"),
    ]
