"""The iCal feed of a user's live sessions: the secret feed URL itself (no login: calendar
apps send no cookies) and the logged-in user's endpoints to make, rotate or revoke it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from lms_core.auth.principal import Principal
from lms_core.http.endpoints import api
from lms_core.http.problems import Problem
from lms_core.runtime import runtime
from lms_live_sessions import calendar_feed
from lms_live_sessions.models import CalendarFeed
from lms_live_sessions.service import utcnow

V1 = "/api/v1/live"
TAGS = ("live",)
PLUGIN = "live_sessions"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def _feed_url(request: Request, token: str) -> str:
    return f"{str(request.base_url).rstrip('/')}{V1}/calendar/{token}.ics"


def _no_feed() -> Problem:
    return Problem(404, "Không tìm thấy lịch.", "Calendar feed not found.")


@api("GET", permission="live.join", tags=TAGS, summary="Whether you have an iCal feed URL")
async def feed_status(request: Request, principal: Principal):
    """Only a hash of the token is stored, so the URL itself cannot be shown again: make a new
    one (POST) to see it, which also ends the old one."""
    row = await CalendarFeed.get_or_none(user_id=principal.user_id).values(
        "created_at", "last_used_at")
    return {"active": row is not None, "created_at": row and row["created_at"],
            "last_used_at": row and row["last_used_at"]}


@api("POST", permission="live.join", status=201, tags=TAGS,
     summary="Make (or rotate) your secret iCal feed URL")
async def feed_rotate(request: Request, principal: Principal):
    """Answers the new URL once; any earlier URL of yours stops working at once."""
    if principal.institution_id is None:
        raise Problem(403, "Bạn chưa thuộc cơ sở đào tạo nào.",
                      "You belong to no institution.")
    token = await calendar_feed.rotate(principal.user_id, principal.institution_id)
    return {"url": _feed_url(request, token), "content_type": CONTENT_TYPE}


@api("DELETE", permission="live.join", tags=TAGS, summary="Revoke your iCal feed URL")
async def feed_revoke(request: Request, principal: Principal):
    return {"revoked": await calendar_feed.revoke(principal.user_id)}


@api("GET", permission=None, anonymous=True, tags=TAGS,
     summary="Your live sessions as iCalendar (the secret URL)",
     responses={404: "Unknown, rotated or revoked token"})
async def feed(request: Request, principal: Principal | None):
    """The token is the credential. Unknown, rotated and revoked tokens all answer 404 alike,
    and so does a feed whose institution turned the live sessions off."""
    found = await calendar_feed.feed_of(request.path_params["token"])
    if found is None:
        raise _no_feed()
    if PLUGIN not in await runtime(request).plugins.enabled_for(found.institution_id):
        raise _no_feed()
    now = utcnow()
    await CalendarFeed.filter(id=found.id).update(last_used_at=now)
    rows = await calendar_feed.sessions_of(found.user_id, found.institution_id, now)
    body = calendar_feed.build(rows, base_url=str(request.base_url).rstrip("/"),
                               host=request.url.hostname or "lms", now=now)
    return Response(body, media_type=CONTENT_TYPE,
                    headers={"Cache-Control": "private, max-age=300",
                             "X-Robots-Tag": "noindex"})


def routes() -> list[BaseRoute]:
    return [
        Route(f"{V1}/calendar", feed_status, methods=["GET"], name="api.live.feed_status"),
        Route(f"{V1}/calendar", feed_rotate, methods=["POST"], name="api.live.feed_rotate"),
        Route(f"{V1}/calendar", feed_revoke, methods=["DELETE"], name="api.live.feed_revoke"),
        Route(f"{V1}/calendar/{{token}}.ics", feed, methods=["GET"], name="api.live.feed"),
    ]
