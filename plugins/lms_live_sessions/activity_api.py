"""The JSON API of activities under /api/v1/live: prepare, queue, reorder, push (open), close,
delete, results, the bank questions a quick quiz can use, and the CSV/XLSX export per session
and per class. Runner-only actions are
checked with ``access.require_run`` (the class's lecturers or an administrator), and every
lookup is scoped by the caller's institution."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from lms_core.auth.principal import Principal
from lms_core.http.downloads import attachment
from lms_core.http.endpoints import api, path_int
from lms_core.http.problems import Problem
from lms_core.runtime import runtime

from lms_live_sessions import export, quick_quiz
from lms_live_sessions.access import RUNNER, class_of_institution, join_role, require_run, \
    require_visible
from lms_live_sessions.activities import ACTIVITY_FIELDS, LiveError, activity_dict
from lms_live_sessions.lifecycle import close_activity, create_activity, delete_activity, \
    open_activity, reorder, session_activities, update_activity
from lms_live_sessions.models import Activity, LiveSession
from lms_live_sessions.results import compute, visible_to_trainees
from lms_live_sessions.schemas import ActivityCreate, ActivityUpdate, QuizSearchQuery, \
    ReorderBody

V1 = "/api/v1/live"
TAGS = ("live",)


async def _session(principal: Principal, session_id: int) -> LiveSession:
    session = await LiveSession.get_or_none(id=session_id,
                                            institution_id=principal.institution_id)
    if session is None:
        raise Problem(404, "Không tìm thấy phiên học.", "Session not found.")
    return session


async def _runner_session(principal: Principal, request: Request) -> LiveSession:
    session = await _session(principal, path_int(request, "session_id"))
    await require_run(principal, session.klass_id)
    return session


async def _activity(principal: Principal, request: Request) -> tuple[Activity, LiveSession]:
    activity = await Activity.get_or_none(id=path_int(request, "activity_id"),
                                          institution_id=principal.institution_id)
    if activity is None:
        raise LiveError(404, "not_found", "Không tìm thấy hoạt động.", "Activity not found.")
    return activity, await _session(principal, activity.session_id)


async def _runner_activity(principal: Principal, request: Request
                           ) -> tuple[Activity, LiveSession]:
    activity, session = await _activity(principal, request)
    await require_run(principal, session.klass_id)
    return activity, session


@api("GET", permission="live.run", tags=TAGS, summary="Activities of a live session")
async def list_activities(request: Request, principal: Principal):
    """The queue in order, then what has run: for the lecturer's console."""
    session = await _runner_session(principal, request)
    return {"items": await session_activities(session.id)}


@api("POST", permission="live.run", body=ActivityCreate, status=201, tags=TAGS,
     summary="Prepare an activity (or push one on the spot with open=true)",
     responses={409: "The session has ended, or is not live when open=true"})
async def create(request: Request, principal: Principal, body: ActivityCreate):
    session = await _runner_session(principal, request)
    broker = runtime(request).broker
    made = await create_activity(broker, session, kind=body.kind, prompt=body.prompt,
                                 config=body.config, visibility=body.visibility,
                                 allow_change=body.allow_change, queued=body.queued or body.open,
                                 actor_id=principal.user_id, plugins=runtime(request).plugins)
    if body.open:
        made = await open_activity(broker, session.id, made["id"])
    return made


@api("GET", permission="live.run", query=QuizSearchQuery, tags=TAGS,
     summary="Bank questions a quick quiz of this session can use",
     responses={409: "No enabled plugin offers a question bank (quiz_unavailable)"})
async def quiz_questions(request: Request, principal: Principal, query: QuizSearchQuery):
    """The institution's question bank, searched without diacritics, through the
    ``lms_live_quiz_search`` hook: only the question types a quick quiz runs, no answers."""
    session = await _runner_session(principal, request)
    items = await quick_quiz.search_questions(runtime(request).plugins, session.institution_id,
                                              query.search, query.limit)
    return {"items": items}


@api("POST", permission="live.run", body=ReorderBody, tags=TAGS,
     summary="Reorder the prepared activities of a session")
async def reorder_queue(request: Request, principal: Principal, body: ReorderBody):
    session = await _runner_session(principal, request)
    return {"items": await reorder(runtime(request).broker, session.id, body.ids)}


@api("PATCH", permission="live.run", body=ActivityUpdate, tags=TAGS,
     summary="Change an activity (content before it opens, results visibility any time)",
     responses={409: "The activity has been opened"})
async def update(request: Request, principal: Principal, body: ActivityUpdate):
    activity, _session_row = await _runner_activity(principal, request)
    changes = body.model_dump(exclude_unset=True)
    if any(v is None for v in changes.values()):
        raise LiveError(422, "invalid", "Không được để trống trường đã gửi.",
                        "Fields that are sent cannot be null.")
    if "kind" in changes and "config" not in changes:
        changes["config"] = {}  # another kind's settings never carry over
    return await update_activity(runtime(request).broker, activity, changes,
                                 plugins=runtime(request).plugins)


@api("DELETE", permission="live.run", tags=TAGS, summary="Delete a prepared activity",
     responses={409: "Open, or has answers"})
async def delete(request: Request, principal: Principal):
    activity, _session_row = await _runner_activity(principal, request)
    await delete_activity(runtime(request).broker, activity)
    return {"deleted": activity.id}


@api("POST", permission="live.run", tags=TAGS, summary="Push (open) an activity",
     responses={409: "Session not live, or activity already open or closed"})
async def open_one(request: Request, principal: Principal):
    activity, session = await _runner_activity(principal, request)
    return await open_activity(runtime(request).broker, session.id, activity.id)


@api("POST", permission="live.run", tags=TAGS, summary="Close an open activity",
     responses={409: "Not open"})
async def close_one(request: Request, principal: Principal):
    activity, session = await _runner_activity(principal, request)
    return await close_activity(runtime(request).broker, session.id, activity.id)


@api("GET", permission="live.join", tags=TAGS, summary="Results of an activity",
     responses={403: "Results are not shown to trainees (yet)"})
async def results(request: Request, principal: Principal):
    """Runners see who answered what; a participant sees the anonymous figures once the
    lecturer lets them."""
    activity, session = await _activity(principal, request)
    await require_visible(principal, session)
    role = await join_role(principal, session)
    row = (await Activity.filter(id=activity.id).values(*ACTIVITY_FIELDS))[0]
    shown = activity_dict(row)
    if role == RUNNER:
        return {"activity": shown, "results": await compute(row, with_names=True)}
    if role is None or not visible_to_trainees(shown["visibility"], shown["state"]):
        raise LiveError(403, "hidden", "Giảng viên chưa cho xem kết quả của hoạt động này.",
                        "The lecturer has not shown this activity's results.")
    return {"activity": shown, "results": await compute(row, with_names=False)}


def _fmt(request: Request) -> str:
    fmt = request.path_params["fmt"]
    if fmt not in ("csv", "xlsx"):
        raise Problem(404, "Chỉ xuất được CSV hoặc XLSX.", "Only CSV or XLSX exports exist.")
    return fmt


def _file(fmt: str, rows: tuple[list[list[Any]], ...], name: str) -> Any:
    data = export.to_csv(*rows) if fmt == "csv" else export.to_xlsx(*rows)
    return attachment(data, f"{name}.{fmt}")


@api("GET", permission="live.run", tags=TAGS,
     summary="Export a session's answers (export.csv or export.xlsx)")
async def export_session(request: Request, principal: Principal):
    fmt = _fmt(request)
    session = await _runner_session(principal, request)
    rows = await export.collect([session.id], principal.institution_id)
    return _file(fmt, rows, f"hoạt-động-phiên-{session.id}")


@api("GET", permission="live.run", tags=TAGS,
     summary="Export the answers of every session of a class (export.csv or export.xlsx)")
async def export_class(request: Request, principal: Principal):
    fmt = _fmt(request)
    klass = await class_of_institution(principal, path_int(request, "class_id"))
    await require_run(principal, klass.id)
    ids = await LiveSession.filter(klass_id=klass.id, institution_id=principal.institution_id
                                   ).values_list("id", flat=True)
    rows = await export.collect(list(ids), principal.institution_id)
    return _file(fmt, rows, f"hoạt-động-lớp-{klass.code}")


def _r(path: str, endpoint: Any) -> Route:
    return Route(path, endpoint, methods=[endpoint.__lms_api__.method],
                 name=f"api.live.activity.{endpoint.__name__}")


def routes() -> list[BaseRoute]:
    s, a = f"{V1}/sessions/{{session_id:int}}", f"{V1}/activities/{{activity_id:int}}"
    return [
        _r(f"{s}/activities", list_activities),
        _r(f"{s}/activities", create),
        _r(f"{s}/activities/reorder", reorder_queue),
        _r(f"{s}/quiz-questions", quiz_questions),
        _r(f"{s}/export.{{fmt}}", export_session),
        _r(a, update),
        _r(a, delete),
        _r(f"{a}/open", open_one),
        _r(f"{a}/close", close_one),
        _r(f"{a}/results", results),
        _r(f"{V1}/classes/{{class_id:int}}/export.{{fmt}}", export_class),
    ]
