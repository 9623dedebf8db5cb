"""The runners' REST side of Q&A, raise hand and group discussion under /api/v1/live: the same
operations as the socket messages (``interaction``), for the lecturer's console and for
scripts. Every lookup is scoped by the caller's institution, every action checked with
``access.require_run``; changes reach the room through the same broadcasts."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from lms_core.auth.principal import Principal
from lms_core.http.endpoints import api, path_int
from lms_core.http.problems import Problem
from lms_core.runtime import runtime

from lms_live_sessions import groups, hands, qna
from lms_live_sessions.access import require_run
from lms_live_sessions.activities import LiveError
from lms_live_sessions.models import Discussion, LiveQuestion, LiveSession
from lms_live_sessions.schemas import DiscussionCreate, LowerHands, QnaSettings, \
    QuestionUpdate, ShowGroup

V1 = "/api/v1/live"
TAGS = ("live",)


async def _runner_session(principal: Principal, session_id: int) -> LiveSession:
    session = await LiveSession.get_or_none(id=session_id,
                                            institution_id=principal.institution_id)
    if session is None:
        raise Problem(404, "Không tìm thấy phiên học.", "Session not found.")
    await require_run(principal, session.klass_id)
    return session


async def _session_of(principal: Principal, request: Request) -> LiveSession:
    return await _runner_session(principal, path_int(request, "session_id"))


@api("GET", permission="live.run", tags=TAGS, summary="Q&A questions of a session (runners)")
async def list_questions(request: Request, principal: Principal):
    """Every question, pending and hidden ones too, with authors (also of anonymous ones)."""
    session = await _session_of(principal, request)
    return {"moderated": session.qna_moderated,
            "items": await qna.question_list(session.id, runner=True)}


@api("PATCH", permission="live.run", body=QuestionUpdate, tags=TAGS,
     summary="Moderate a question: approve or hide, pin, mark answered")
async def update_question(request: Request, principal: Principal, body: QuestionUpdate):
    question = await LiveQuestion.get_or_none(id=path_int(request, "question_id"),
                                              institution_id=principal.institution_id)
    if question is None:
        raise qna.not_found()
    session = await _runner_session(principal, question.session_id)
    changes = body.model_dump(exclude_unset=True)
    if any(v is None for v in changes.values()):
        raise LiveError(422, "invalid", "Không được để trống trường đã gửi.",
                        "Fields that are sent cannot be null.")
    shown = await qna.moderate(session.id, question.id, changes)
    qna.mark_questions(runtime(request).broker, session.id)
    return shown


@api("PUT", permission="live.run", body=QnaSettings, tags=TAGS,
     summary="Q&A settings of a session (approval before questions are shown)")
async def qna_settings(request: Request, principal: Principal, body: QnaSettings):
    session = await _session_of(principal, request)
    moderated = await qna.set_moderated(session.id, body.moderated)
    qna.mark_questions(runtime(request).broker, session.id)
    return {"moderated": moderated}


@api("GET", permission="live.run", tags=TAGS, summary="Raised hands, first raised first")
async def list_hands(request: Request, principal: Principal):
    session = await _session_of(principal, request)
    items = await hands.queue(session.id)
    return {"count": len(items), "items": items}


@api("POST", permission="live.run", body=LowerHands, tags=TAGS,
     summary="Lower one participant's hand (user_id) or every hand")
async def lower_hands(request: Request, principal: Principal, body: LowerHands):
    session = await _session_of(principal, request)
    count = await hands.lower(runtime(request).broker, session.id, principal.user_id,
                              body.user_id)
    return {"lowered": count}


@api("POST", permission="live.run", body=DiscussionCreate, status=201, tags=TAGS,
     summary="Split the present trainees into groups and open a discussion",
     responses={409: "The session is not live, or no trainee is present"})
async def open_discussion(request: Request, principal: Principal, body: DiscussionCreate):
    session = await _session_of(principal, request)
    return await groups.open_discussion(
        runtime(request).broker, session.id, prompt=body.prompt, mode=body.mode,
        group_size=body.group_size, groups=body.groups, actor_id=principal.user_id)


async def _discussion(principal: Principal, request: Request) -> Discussion:
    row = await Discussion.get_or_none(id=path_int(request, "discussion_id"),
                                       institution_id=principal.institution_id)
    if row is None:
        raise LiveError(404, "not_found", "Không tìm thấy buổi thảo luận.",
                        "Discussion not found.")
    await _runner_session(principal, row.session_id)
    return row


@api("GET", permission="live.run", tags=TAGS,
     summary="A discussion with its groups, members and answers")
async def get_discussion(request: Request, principal: Principal):
    row = await _discussion(principal, request)
    return await groups.discussion_dict(row.id, with_answers=True)


@api("POST", permission="live.run", tags=TAGS, summary="Close a discussion",
     responses={409: "Already closed"})
async def close_discussion(request: Request, principal: Principal):
    row = await _discussion(principal, request)
    return await groups.close_discussion(runtime(request).broker, row.session_id, row.id)


@api("POST", permission="live.run", body=ShowGroup, tags=TAGS,
     summary="Show one group's answer on the projector (group_id null: none)")
async def show_group(request: Request, principal: Principal, body: ShowGroup):
    row = await _discussion(principal, request)
    group = await groups.show_group(runtime(request).broker, row.session_id, row.id,
                                    body.group_id)
    return {"discussion_id": row.id, "group": group}


def _r(path: str, endpoint: Any) -> Route:
    return Route(path, endpoint, methods=[endpoint.__lms_api__.method],
                 name=f"api.live.interaction.{endpoint.__name__}")


def routes() -> list[BaseRoute]:
    s, d = f"{V1}/sessions/{{session_id:int}}", f"{V1}/discussions/{{discussion_id:int}}"
    return [
        _r(f"{s}/questions", list_questions),
        _r(f"{V1}/questions/{{question_id:int}}", update_question),
        _r(f"{s}/qna", qna_settings),
        _r(f"{s}/hands", list_hands),
        _r(f"{s}/hands/lower", lower_hands),
        _r(f"{s}/discussions", open_discussion),
        _r(d, get_discussion),
        _r(f"{d}/close", close_discussion),
        _r(f"{d}/show", show_group),
    ]
