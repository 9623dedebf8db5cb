"""The JSON API under /api/v1/live: sessions of a class (scheduled, edited or cancelled before
they start), their life cycle, joining by code and the attendance sheet."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from lms_core.auth.principal import Principal
from lms_core.http.endpoints import api, path_int
from lms_core.http.problems import Problem, validation_problem
from lms_core.models import Enrolment
from lms_core.runtime import runtime
from lms_core.services.classes import get_visible_class

from lms_core.http.downloads import attachment

from lms_live_sessions import attendance_export, codes
from lms_live_sessions.access import (
    JOINING_STATUSES, RUNNER, can_run, class_of_institution, join_role, not_in_class,
    require_run, require_visible,
)
from lms_live_sessions.models import LiveSession, SessionStatus
from lms_live_sessions.presence import attendance_rows, counts
from lms_live_sessions.activities import LiveError
from lms_live_sessions.schemas import JoinBody, SessionCreate, SessionQuery, SessionUpdate
from lms_live_sessions.service import SESSION_FIELDS, change_status, create_session, \
    delete_session, session_dict, update_session

V1 = "/api/v1/live"
TAGS = ("live",)


def _not_found() -> Problem:
    return Problem(404, "Không tìm thấy phiên học.", "Session not found.")


async def _session(principal: Principal, request: Request) -> LiveSession:
    session = await LiveSession.get_or_none(id=path_int(request, "session_id"),
                                            institution_id=principal.institution_id)
    if session is None:
        raise _not_found()
    return session


@api("POST", permission="live.run", body=SessionCreate, status=201, tags=TAGS,
     summary="Schedule a live session for a class", responses={409: "The class has ended"})
async def create(request: Request, principal: Principal, body: SessionCreate):
    """Only the class's lecturers or an administrator; the answer carries the join code."""
    klass = await class_of_institution(principal, path_int(request, "class_id"))
    await require_run(principal, klass.id)
    session = await create_session(klass, body, principal.user_id)
    return session_dict(session, with_code=True)


@api("GET", permission="classes.view", query=SessionQuery, tags=TAGS,
     summary="Live sessions of a class")
async def list_for_class(request: Request, principal: Principal, query: SessionQuery):
    klass = await get_visible_class(principal, path_int(request, "class_id"))
    with_code = await can_run(principal, klass.id)
    qs = LiveSession.filter(klass_id=klass.id, institution_id=principal.institution_id)
    if query.status:
        qs = qs.filter(status=query.status)
    total = await qs.count()
    rows = await qs.order_by("starts_at", "id").offset(query.offset).limit(query.limit).values(
        *SESSION_FIELDS)
    return {"total": total, "items": [session_dict(r, with_code=with_code) for r in rows]}


@api("GET", permission="classes.view", tags=TAGS, summary="One live session")
async def get_one(request: Request, principal: Principal):
    session = await _session(principal, request)
    await require_visible(principal, session)
    out = session_dict(session, with_code=await can_run(principal, session.klass_id))
    out.update(await counts(session.id))
    return out


@api("PATCH", permission="live.run", body=SessionUpdate, tags=TAGS,
     summary="Change a scheduled live session",
     responses={409: "The session has started or ended (not_scheduled)"})
async def update(request: Request, principal: Principal, body: SessionUpdate):
    """Title, times (Vietnamese time without an offset), mode, room, meeting link, guests:
    the result must obey the rules of a new session. Only before it starts."""
    session = await _session(principal, request)
    await require_run(principal, session.klass_id)
    changes = body.model_dump(exclude_unset=True)
    if any(v is None for v in changes.values()):
        raise LiveError(422, "invalid", "Không được để trống trường đã gửi.",
                        "Fields that are sent cannot be null.")
    try:
        row = await update_session(session, changes)
    except ValidationError as exc:
        raise validation_problem(exc) from None
    return session_dict(row, with_code=True)


@api("DELETE", permission="live.run", tags=TAGS, summary="Cancel a scheduled live session",
     responses={409: "The session has started or ended (not_scheduled)"})
async def cancel(request: Request, principal: Principal):
    """Deletes it with what was prepared for it; a session that has started keeps its record
    (end it instead)."""
    session = await _session(principal, request)
    await require_run(principal, session.klass_id)
    await delete_session(session, runtime(request).broker)
    return {"deleted": session.id}


@api("POST", permission="live.run", tags=TAGS, summary="Start a live session",
     responses={409: "Already live or ended"})
async def start(request: Request, principal: Principal):
    return await _move(request, principal, SessionStatus.LIVE)


@api("POST", permission="live.run", tags=TAGS, summary="End a live session",
     responses={409: "Already ended"})
async def end(request: Request, principal: Principal):
    return await _move(request, principal, SessionStatus.ENDED)


async def _move(request: Request, principal: Principal, target: SessionStatus) -> dict[str, Any]:
    session = await _session(principal, request)
    await require_run(principal, session.klass_id)
    row = await change_status(runtime(request).broker, session.id, target, runtime(request))
    return session_dict(row, with_code=True)


@api("POST", permission="live.join", body=JoinBody, tags=TAGS,
     summary="Join a live session by its code",
     responses={403: "Not in the session's class", 404: "No session open with this code"})
async def join(request: Request, principal: Principal, body: JoinBody):
    """Checks who may come in and answers with the socket to connect to; presence itself is
    recorded by the socket."""
    code = codes.normalise(body.code)
    session = None
    if code is not None:
        session = await LiveSession.get_or_none(join_code=code,
                                                institution_id=principal.institution_id)
    if session is None or session.status == SessionStatus.ENDED:
        raise Problem(404, "Mã tham gia không đúng hoặc phiên học đã kết thúc.",
                      "Wrong join code, or the session has ended.")
    role = await join_role(principal, session)
    if role is None:
        raise not_in_class()
    return {"session": session_dict(session, with_code=role == RUNNER), "role": role,
            "ws_url": f"/ws/live/{session.id}"}


@api("GET", permission="live.run", tags=TAGS, summary="Attendance sheet of a live session")
async def attendance(request: Request, principal: Principal):
    """Who came, for how long, and who of the class has not come at all."""
    session = await _session(principal, request)
    await require_run(principal, session.klass_id)
    return await _sheet(session)


async def _sheet(session: LiveSession) -> dict[str, Any]:
    items = await attendance_rows(session.id, session.checkin_required)
    came = {item["user"]["id"] for item in items}
    enrolled = Enrolment.filter(klass_id=session.klass_id, status__in=JOINING_STATUSES)
    if came:
        enrolled = enrolled.exclude(user_id__in=came)
    absent = await enrolled.order_by("user__sort_key").values(
        "user_id", "user__full_name", "user__login")
    return {
        "session": session_dict(session, with_code=True),
        "checkin_required": session.checkin_required,
        "attended": sum(1 for item in items if item["attended"]),
        "items": items,
        "absent": [{"id": r["user_id"], "full_name": r["user__full_name"],
                    "login": r["user__login"]} for r in absent],
    }


@api("GET", permission="live.run", tags=TAGS, summary="Attendance sheet as CSV")
async def attendance_csv(request: Request, principal: Principal):
    """The same sheet for a spreadsheet: who came, check-in time, whether they count as
    attended, and the absent trainees after them."""
    session = await _session(principal, request)
    await require_run(principal, session.klass_id)
    sheet = await _sheet(session)
    return attachment(attendance_export.to_csv(sheet), f"diem-danh-phien-{session.id}.csv")


def _r(path: str, endpoint: Any) -> Route:
    return Route(path, endpoint, methods=[endpoint.__lms_api__.method],
                 name=f"api.live.{endpoint.__name__}")


def routes() -> list[BaseRoute]:
    return [
        _r(f"{V1}/classes/{{class_id:int}}/sessions", list_for_class),
        _r(f"{V1}/classes/{{class_id:int}}/sessions", create),
        _r(f"{V1}/sessions/{{session_id:int}}", get_one),
        _r(f"{V1}/sessions/{{session_id:int}}", update),
        _r(f"{V1}/sessions/{{session_id:int}}", cancel),
        _r(f"{V1}/sessions/{{session_id:int}}/start", start),
        _r(f"{V1}/sessions/{{session_id:int}}/end", end),
        _r(f"{V1}/sessions/{{session_id:int}}/attendance", attendance),
        _r(f"{V1}/sessions/{{session_id:int}}/attendance.csv", attendance_csv),
        _r(f"{V1}/join", join),
    ]
