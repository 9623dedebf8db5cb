"""What lecturers and admins do with a quiz, under /api/v1/quizzes:

    GET  /modules/{module_id}/settings          the quiz editor's data
    PUT  /modules/{module_id}/settings          save settings and slots (a new quiz version)
    GET  /modules/{module_id}/results           every trainee's attempts and quiz grade
    GET  /grading?module_id=                    essays waiting for a mark, oldest first
    POST /attempts/{attempt_id}/slots/{n}/grade set a mark by hand, with a comment
    POST /questions/{question_id}/regrade       regrade past attempts (dry run by default)

Running attempts keep the settings and questions they started with; a settings change applies
to attempts started after it. Every lookup is scoped to the caller's institution (another
institution's ids answer 404); a lecturer's grading queue holds only the classes they teach.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from lms_core.api.schemas import Id, Strict
from lms_core.http.endpoints import api, path_int
from lms_core.http.problems import Problem
from lms_core.runtime import runtime

from lms_quizzes import attempts as svc
from lms_quizzes import manual_grading, regrade
from lms_quizzes.models import Attempt, Question, QuestionCategory, Quiz
from lms_quizzes.quiz_config import FixedSlot, QuizSettings, RandomSlot, row_values, settings_of
from lms_quizzes.schemas import RegradeRequest

PREFIX = "/api/v1/quizzes"
TAGS = ("quizzes",)
MANAGE, GRADE = "quiz.manage", "quiz.grade"


class GradingQuery(Strict):
    module_id: Id | None = Field(None, description="Only this quiz module")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


class HandGrade(Strict):
    mark: float = Field(ge=0, le=1000, allow_inf_nan=False)
    comment: str = Field("", max_length=manual_grading.MAX_COMMENT)


async def _slot_problems(institution_id: int, settings: QuizSettings) -> list[dict[str, Any]]:
    """Fixed questions and random categories must exist in this institution's bank."""
    errors = []
    fixed = [s.question_id for s in settings.slots if isinstance(s, FixedSlot)]
    found = set(await Question.filter(institution_id=institution_id, id__in=fixed)
                .values_list("id", flat=True))
    for i, slot in enumerate(settings.slots):
        if isinstance(slot, FixedSlot) and slot.question_id not in found:
            errors.append({"field": f"slots.{i}.question_id", "location": "body",
                           "message": f"question {slot.question_id} is not in the bank",
                           "message_vi": f"Câu hỏi số {slot.question_id} không có trong ngân "
                                         "hàng."})
        if isinstance(slot, RandomSlot):
            cond = ({"id": slot.category} if isinstance(slot.category, int)
                    else {"name": slot.category.strip()})
            if not await QuestionCategory.filter(institution_id=institution_id,
                                                 **cond).exists():
                errors.append({"field": f"slots.{i}.category", "location": "body",
                               "message": f"category {slot.category} does not exist",
                               "message_vi": f"Nhóm câu hỏi «{slot.category}» không tồn tại."})
    return errors


async def _editor_view(quiz: Quiz, module: Any) -> dict[str, Any]:
    settings = settings_of(quiz)
    fixed = [s.question_id for s in settings.slots if isinstance(s, FixedSlot)]
    names = dict(await Question.filter(institution_id=quiz.institution_id, id__in=fixed)
                 .values_list("id", "name"))
    slots = []
    for slot in settings.slots:
        entry = slot.model_dump(mode="json")
        if isinstance(slot, FixedSlot):
            entry["question_name"] = names.get(slot.question_id)
        slots.append(entry)
    return {"module": {"id": module.id, "title": module.title, "course_id": module.course_id},
            "quiz_id": quiz.id, "version": quiz.version,
            "settings": {**settings.model_dump(mode="json"), "slots": slots},
            "attempts": await Attempt.filter(quiz_id=quiz.id).count()}


@api("GET", permission=MANAGE, tags=TAGS, summary="A quiz's settings for the editor")
async def get_settings(request: Request, principal) -> dict[str, Any]:
    module = await svc.quiz_module(principal.institution_id, path_int(request, "module_id"))
    quiz = await svc.quiz_for_module(principal.institution_id, module)
    return await _editor_view(quiz, module)


@api("PUT", permission=MANAGE, body=QuizSettings, tags=TAGS,
     summary="Save a quiz's settings and questions (attempts already started keep theirs)",
     responses={422: "A setting is invalid, or a question or category is not in the bank"})
async def put_settings(request: Request, principal, body: QuizSettings) -> dict[str, Any]:
    module = await svc.quiz_module(principal.institution_id, path_int(request, "module_id"))
    quiz = await svc.quiz_for_module(principal.institution_id, module)
    errors = await _slot_problems(principal.institution_id, body)
    if errors:
        raise Problem(422, " ".join(e["message_vi"] for e in errors),
                      "; ".join(e["message"] for e in errors), errors=errors)
    await Quiz.filter(id=quiz.id).update(**row_values(body), version=quiz.version + 1)
    return await _editor_view(await Quiz.get(id=quiz.id), module)


@api("GET", permission=MANAGE, tags=TAGS,
     summary="Every trainee's attempts at a quiz and their quiz grade")
async def results(request: Request, principal) -> dict[str, Any]:
    module = await svc.quiz_module(principal.institution_id, path_int(request, "module_id"))
    quiz = await svc.quiz_for_module(principal.institution_id, module)
    rows = await Attempt.filter(quiz_id=quiz.id, enrolment_id__isnull=False) \
        .order_by("user_id", "number").prefetch_related("user")
    by_user: dict[int, list[Attempt]] = {}
    for a in rows:
        by_user.setdefault(a.user_id, []).append(a)
    trainees = []
    for user_id, mine in by_user.items():
        grade = svc.quiz_grade(quiz.grading_method, mine)
        trainees.append({
            "user": {"id": user_id, "name": mine[0].user.full_name,
                     "sort_key": mine[0].user.sort_key},
            "grade": grade, "passed": None if grade is None else grade + 1e-9 >=
            quiz.pass_fraction,
            "attempts": [svc.attempt_summary(a) for a in mine]})
    trainees.sort(key=lambda t: (t["user"].pop("sort_key") or "", t["user"]["id"]))
    return {"module": {"id": module.id, "title": module.title}, "quiz_id": quiz.id,
            "grading_method": quiz.grading_method, "pass_fraction": quiz.pass_fraction,
            "trainees": trainees}


@api("GET", permission=GRADE, query=GradingQuery, tags=TAGS,
     summary="Essays waiting for a mark (a lecturer sees the classes they teach)")
async def grading_queue(request: Request, principal, query: GradingQuery) -> dict[str, Any]:
    return await manual_grading.queue(principal, module_id=query.module_id, limit=query.limit,
                                      offset=query.offset)


@api("POST", permission=GRADE, body=HandGrade, tags=TAGS,
     summary="Set one answer's mark by hand (an essay, or an override) with a comment")
async def grade_slot(request: Request, principal, body: HandGrade) -> dict[str, Any]:
    return await manual_grading.grade_by_hand(
        principal, path_int(request, "attempt_id"), path_int(request, "slot"), mark=body.mark,
        comment=body.comment, plugins=runtime(request).plugins)


@api("POST", permission=MANAGE, body=RegradeRequest, tags=TAGS,
     summary="Regrade past attempts with the question's current version; dry run by default")
async def regrade_question(request: Request, principal, body: RegradeRequest) -> dict[str, Any]:
    question = await Question.get_or_none(id=path_int(request, "question_id"),
                                          institution_id=principal.institution_id)
    if question is None:
        raise Problem(404, "Không tìm thấy câu hỏi.", "Question not found.")
    return await regrade.regrade_question(principal.institution_id, question,
                                          dry_run=body.dry_run,
                                          plugins=runtime(request).plugins)


def _r(path: str, endpoint: Any) -> Route:
    return Route(f"{PREFIX}{path}", endpoint, methods=[endpoint.__lms_api__.method],
                 name=f"quizzes.{endpoint.__name__}")


def routes() -> list[BaseRoute]:
    return [
        _r("/modules/{module_id:int}/settings", get_settings),
        _r("/modules/{module_id:int}/settings", put_settings),
        _r("/modules/{module_id:int}/results", results),
        _r("/grading", grading_queue),
        _r("/attempts/{attempt_id:int}/slots/{slot:int}/grade", grade_slot),
        _r("/questions/{question_id:int}/regrade", regrade_question),
    ]
