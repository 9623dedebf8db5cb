"""The JSON API a trainee's quiz page talks to, under /api/v1/quizzes.

    GET  /modules/{module_id}/quiz          the quiz, my attempts, may I start
    POST /modules/{module_id}/attempts      start, or resume the attempt in progress
    GET  /attempts/{attempt_id}             the running attempt, or its review
    PUT  /attempts/{attempt_id}/slots/{n}   save one answer (and/or the flag)
    POST /attempts/{attempt_id}/submit      grade and close (once, however often it is called)

Handlers are thin: rules live in attempts.py. Every lookup is by the caller's own attempts in
their institution, so guessing another attempt's id answers 404.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from lms_core.http.endpoints import api, path_int
from lms_core.runtime import runtime

from lms_quizzes import attempts as svc
from lms_quizzes.models import Attempt, AttemptSlot

PREFIX = "/api/v1/quizzes"
TAGS = ("quizzes",)
ATTEMPT = "quiz.attempt"


class SlotSave(BaseModel):
    model_config = ConfigDict(extra="forbid")
    response: Any = Field(None, description="the answer, in its type's shape (grading.py); "
                          "null clears it; leave the key out to change only the flag")
    flagged: bool | None = None
    base_seq: int | None = Field(None, ge=0, le=2**31 - 1,
                                 description="the slot's seq the page last saw: a save from "
                                 "a stale page (another tab) is refused with 409")


def _settings_summary(ctx: svc.QuizContext) -> dict[str, Any]:
    s = ctx.settings
    return {
        "kind": s.kind, "questions": s.question_count(),
        "time_limit_seconds": s.time_limit_seconds, "opens_at": s.opens_at,
        "closes_at": s.closes_at, "attempts_allowed": s.attempts_allowed,
        "grading_method": s.grading_method, "pass_fraction": s.pass_fraction,
        "layout": s.layout, "completion": s.completion,
    }


@api("GET", permission=ATTEMPT, summary="A quiz module: settings, my attempts, may I start",
     tags=TAGS)
async def quiz_info(request: Request, principal) -> dict[str, Any]:
    o = await svc.overview(principal, path_int(request, "module_id"), runtime(request))
    ctx = o.ctx
    return {
        "module": {"id": ctx.module.id, "title": ctx.module.title,
                   "course_id": ctx.module.course_id},
        "quiz": {"id": ctx.quiz.id, **_settings_summary(ctx)},
        "enrolled": ctx.enrolment is not None, "preview": ctx.enrolment is None,
        "attempts": [svc.attempt_summary(a, o.items[a.id]) for a in o.attempts],
        "grade": o.grade, "can_start": o.may_start,
        "resume_attempt_id": o.running.id if o.running else None,
        "reason": o.reason[0] if o.reason else None,
        "reason_en": o.reason[1] if o.reason else None,
    }


@api("POST", permission=ATTEMPT, status=201, tags=TAGS,
     summary="Start an attempt, or resume the one in progress",
     responses={409: "Closed, not enrolled, or no attempts left"})
async def start_attempt(request: Request, principal) -> Response | dict[str, Any]:
    ctx = await svc.context(principal, path_int(request, "module_id"))
    attempt, created = await svc.start_or_resume(principal, ctx, runtime(request))
    rows = await AttemptSlot.filter(attempt_id=attempt.id).order_by("slot")
    body = svc.running_view(attempt, ctx.settings, rows, svc.now())
    if created:
        return body
    from lms_core.http.jsonio import JSON

    return JSON(body, status_code=200)


async def _attempt_context(principal, attempt: Attempt) -> svc.QuizContext:
    quiz = await attempt.quiz
    module = await svc.quiz_module(principal.institution_id, quiz.module_id)
    return svc.QuizContext(module, quiz, svc.settings_of(quiz), None)


@api("GET", permission=ATTEMPT, summary="My attempt: running, or its review", tags=TAGS)
async def get_attempt(request: Request, principal) -> dict[str, Any]:
    attempt = await svc.own_attempt(principal, path_int(request, "attempt_id"),
                                    runtime(request))
    ctx = await _attempt_context(principal, attempt)
    rows = await AttemptSlot.filter(attempt_id=attempt.id).order_by("slot")
    at = svc.now()
    if attempt.state == svc.IN_PROGRESS:
        return svc.running_view(attempt, ctx.settings, rows, at)
    return svc.finished_view(attempt, ctx.settings, rows,
                             svc.review_items(ctx.settings, attempt, at))


@api("PUT", permission=ATTEMPT, body=SlotSave, tags=TAGS,
     summary="Save one answer of my running attempt",
     responses={409: "Submitted already, or saved from another window since base_seq"})
async def save_slot(request: Request, principal, body: SlotSave) -> dict[str, Any]:
    row = await svc.save_response(
        principal, path_int(request, "attempt_id"), path_int(request, "slot"),
        response=body.response, has_response="response" in body.model_fields_set,
        flagged=body.flagged, base_seq=body.base_seq, runtime=runtime(request))
    return {"slot": row.slot, "seq": row.seq, "saved_at": row.saved_at,
            "flagged": row.flagged,
            "answered": row.response is not None and row.response != {}}


@api("POST", permission=ATTEMPT, tags=TAGS, summary="Submit my attempt (grades it once)")
async def submit_attempt(request: Request, principal) -> dict[str, Any]:
    attempt, settings, rows = await svc.close_attempt(path_int(request, "attempt_id"),
                                                      runtime=runtime(request), owner=principal)
    return svc.finished_view(attempt, settings, rows,
                             svc.review_items(settings, attempt, svc.now()))


def _r(path: str, endpoint: Any) -> Route:
    return Route(f"{PREFIX}{path}", endpoint, methods=[endpoint.__lms_api__.method],
                 name=f"quizzes.{endpoint.__name__}")


def routes() -> list[BaseRoute]:
    return [
        _r("/modules/{module_id:int}/quiz", quiz_info),
        _r("/modules/{module_id:int}/attempts", start_attempt),
        _r("/attempts/{attempt_id:int}", get_attempt),
        _r("/attempts/{attempt_id:int}/slots/{slot:int}", save_slot),
        _r("/attempts/{attempt_id:int}/submit", submit_attempt),
    ]
