"""REST side of the check-in code: runners turn the requirement on or off and read the current
code (for a screen that is not the projector page); trainees may check in by REST too (a
phone that cannot hold a socket)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from lms_core.auth.principal import Principal
from lms_core.http.endpoints import api, path_int
from lms_core.http.problems import Problem
from lms_core.runtime import runtime
from lms_live_sessions import checkin
from lms_live_sessions.access import join_role, not_in_class, require_run
from lms_live_sessions.models import LiveSession

V1 = "/api/v1/live"
TAGS = ("live",)


class CheckinSettings(BaseModel):
    required: bool


class CheckinBody(BaseModel):
    code: str = Field(min_length=1, max_length=20)


async def _session(principal: Principal, request: Request) -> LiveSession:
    session = await LiveSession.get_or_none(id=path_int(request, "session_id"),
                                            institution_id=principal.institution_id)
    if session is None:
        raise Problem(404, "Không tìm thấy phiên học.", "Session not found.")
    return session


@api("GET", permission="live.run", tags=TAGS, summary="The check-in code now (runners)")
async def get_checkin(request: Request, principal: Principal):
    session = await _session(principal, request)
    await require_run(principal, session.klass_id)
    out: dict[str, Any] = {"required": session.checkin_required,
                           "period": session.checkin_period,
                           "checked_in": await checkin.checked_in_count(session.id)}
    if session.checkin_required and session.checkin_secret:
        out.update(checkin.current_code(session))
    return out


@api("PUT", permission="live.run", body=CheckinSettings, tags=TAGS,
     summary="Require (or stop requiring) the check-in code")
async def put_checkin(request: Request, principal: Principal, body: CheckinSettings):
    session = await _session(principal, request)
    await require_run(principal, session.klass_id)
    lms = runtime(request)
    period = await checkin.period_setting(lms.plugins, session.institution_id)
    return await checkin.set_required(lms.broker, session.id, body.required, period)


@api("POST", permission="live.join", body=CheckinBody, tags=TAGS,
     summary="Check in with the code shown in the room",
     responses={409: "Not required or not live", 422: "Wrong or expired code"})
async def post_checkin(request: Request, principal: Principal, body: CheckinBody):
    session = await _session(principal, request)
    role = await join_role(principal, session)
    if role is None:
        raise not_in_class()
    return await checkin.check_in(runtime(request).broker, session.id, principal.user_id,
                                  principal.full_name, role, body.code)


def routes() -> list[BaseRoute]:
    path = f"{V1}/sessions/{{session_id:int}}/checkin"
    return [Route(path, get_checkin, methods=["GET"], name="api.live.get_checkin"),
            Route(path, put_checkin, methods=["PUT"], name="api.live.put_checkin"),
            Route(path, post_checkin, methods=["POST"], name="api.live.post_checkin")]
