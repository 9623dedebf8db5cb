"""JSON endpoints of the engagement plugin: the beacon batch endpoint and the summary."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from lms_core.auth.principal import Principal
from lms_core.http.endpoints import api
from lms_core.http.problems import Problem
from lms_core.runtime import runtime
from lms_core.services.settings import get_setting
from lms_core.services.users import get_user_in
from lms_engagement import ingest
from lms_engagement.models import EngagementEvent
from lms_engagement.plugin import HEARTBEAT_DEFAULT, HEARTBEAT_SETTING
from lms_engagement.schemas import SummaryQuery
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
    heartbeat = await get_setting(runtime(request).plugins, institution_id, HEARTBEAT_SETTING)
    if isinstance(heartbeat, bool) or not isinstance(heartbeat, (int, float)) or heartbeat < 1:
        heartbeat = HEARTBEAT_DEFAULT  # a hand-edited setting must not break the figures
    result = summarise((Event(c, getattr(k, "value", k), t)
                        for c, k, t in rows[:MAX_SUMMARY_EVENTS]), heartbeat)
    return {"user_id": user_id, "module_id": query.module_id,
            "live_session_id": query.live_session_id, "heartbeat_seconds": heartbeat,
            "truncated": truncated, **result.as_dict()}


def routes() -> list[BaseRoute]:
    return [
        Route(f"{PREFIX}/events", record_events, methods=["POST"], name="api.engagement_events"),
        Route(f"{PREFIX}/summary", summary, methods=["GET"], name="api.engagement_summary"),
    ]
