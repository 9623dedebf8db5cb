"""Moodle's quiz statistics report for lecturers, under /api/v1/quizzes:

    GET /modules/{module_id}/statistics?which=first|highest|last|all        JSON
    GET /modules/{module_id}/statistics.csv?which=...                       download
    GET /modules/{module_id}/statistics.xlsx?which=...                      download

The figures come from ``statistics.compute_statistics`` (see its docstring for every rule); this
module only finds the quiz in the caller's institution, loads the finished attempts of enrolled
trainees and hands them over. Staff only (``quiz.manage``): the report shows every trainee's
responses. Another institution's module answers 404, as everywhere in the plugin.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Any, Literal

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from lms_core.api.schemas import Strict
from lms_core.http.downloads import attachment
from lms_core.http.endpoints import api, path_int
from lms_core.http.problems import request_locale

from lms_quizzes import attempts as svc
from lms_quizzes.models import Attempt, AttemptSlot, Quiz
from lms_quizzes.statistics import (
    AttemptRecord, QuizStatistics, SlotRecord, answer_label, compute_statistics, to_csv, to_xlsx,
)

PREFIX = "/api/v1/quizzes"
TAGS = ("quizzes",)
MANAGE = "quiz.manage"

#: The quiz's grading method decides the default, as in Moodle: the report then describes the
#: attempts that make the trainees' grades ("average" grades use every attempt).
DEFAULT_WHICH = {"highest": "highest", "first": "first", "last": "last", "average": "all"}


class StatisticsQuery(Strict):
    which: Literal["first", "highest", "last", "all"] | None = Field(
        None, description="Which attempts of each trainee count: first, highest, last or all. "
        "Default: the quiz's grading method (average: all).")


async def load_attempts(quiz_id: int) -> list[AttemptRecord]:
    """The finished attempts of enrolled trainees as plain records, in two ``values()`` queries
    (attempts, then all their slots through a join), no model hydration: a course of a few
    hundred trainees means tens of thousands of slot rows.

    Attempts without an enrolment are staff previews and are left out, as Moodle leaves out
    previews. An attempt that finishes between the two queries has no attempt row here and its
    slots are ignored.
    """
    finished = {"state": svc.FINISHED, "enrolment_id__isnull": False}
    rows = await Attempt.filter(quiz_id=quiz_id, **finished).order_by("user_id", "number") \
        .values("id", "user_id", "user__full_name", "number", "sum_marks", "max_marks",
                "finished_at")
    records: dict[int, AttemptRecord] = {}
    for r in rows:
        records[r["id"]] = AttemptRecord(
            attempt_id=r["id"], user_id=r["user_id"], user_name=r["user__full_name"] or "",
            attempt_number=r["number"], sum_marks=r["sum_marks"], max_marks=r["max_marks"],
            finished_at=r["finished_at"])
    if not records:
        return []
    slots = await AttemptSlot.filter(
        attempt__quiz_id=quiz_id, **{f"attempt__{k}": v for k, v in finished.items()},
    ).order_by("attempt_id", "slot").values(
        "attempt_id", "slot", "question_id", "question", "max_mark", "mark", "response")
    for s in slots:
        record = records.get(s["attempt_id"])
        if record is None:
            continue
        question = s["question"] if isinstance(s["question"], dict) else {}
        record.slots.append(SlotRecord(
            slot=s["slot"], question_id=s["question_id"] or 0,
            question_name=question.get("name") or _first_line(question.get("text")),
            question_type=question.get("type") or "", max_mark=s["max_mark"], mark=s["mark"],
            response=s["response"], answers=list(question.get("answers") or []),
            options=dict(question.get("options") or {})))
    return list(records.values())


def _first_line(text: Any) -> str:
    """A question saved without a name is named by its text, as the bank names it."""
    if not isinstance(text, str):
        return ""
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line[:80]


async def _report(request: Request, principal: Any,
                  query: StatisticsQuery) -> tuple[Any, Quiz, QuizStatistics]:
    module = await svc.quiz_module(principal.institution_id, path_int(request, "module_id"))
    quiz = await svc.quiz_for_module(principal.institution_id, module)
    which = query.which or DEFAULT_WHICH.get(quiz.grading_method, "all")
    records = await load_attempts(quiz.id)
    # Pure CPU work over every slot: off the event loop, so other requests keep flowing.
    stats = await asyncio.to_thread(compute_statistics, records, which)
    return module, quiz, stats


def statistics_json(stats: QuizStatistics, locale: str) -> dict[str, Any]:
    """``QuizStatistics`` as JSON: histogram bins as objects, every answer row with the label a
    person reads in ``locale`` (synthetic rows such as "no answer" are otherwise empty)."""
    body = asdict(stats)
    body["histogram"] = [{"low": low, "high": high, "count": count}
                         for low, high, count in stats.histogram]
    for q_out, q in zip(body["questions"], stats.questions):
        for a_out, a in zip(q_out["answers"], q.answers):
            a_out["label"] = answer_label(a, locale)
    return body


@api("GET", permission=MANAGE, query=StatisticsQuery, tags=TAGS,
     summary="Quiz statistics (Moodle's report): grades, facility, discrimination, answers")
async def quiz_statistics(request: Request, principal, query: StatisticsQuery) -> dict[str, Any]:
    """Finished attempts of enrolled trainees only (staff previews are left out). Every figure
    that cannot be computed (no attempt, one attempt, all marks equal) is null."""
    module, quiz, stats = await _report(request, principal, query)
    locale = request_locale(request)
    return {"module": {"id": module.id, "key": module.key, "title": module.title,
                       "course_id": module.course_id},
            "quiz_id": quiz.id, "grading_method": quiz.grading_method, "locale": locale,
            **statistics_json(stats, locale)}


def _filename(module: Any, stats: QuizStatistics, ext: str) -> str:
    return f"thong-ke-{module.key}-{stats.which_attempts}.{ext}"


@api("GET", permission=MANAGE, query=StatisticsQuery, tags=TAGS,
     summary="Quiz statistics as CSV (UTF-8 with BOM, for Excel)")
async def quiz_statistics_csv(request: Request, principal, query: StatisticsQuery) -> Response:
    module, _, stats = await _report(request, principal, query)
    data = await asyncio.to_thread(to_csv, stats, request_locale(request))
    return attachment(data, _filename(module, stats, "csv"))


@api("GET", permission=MANAGE, query=StatisticsQuery, tags=TAGS,
     summary="Quiz statistics as an Excel workbook (quiz, questions, answers)")
async def quiz_statistics_xlsx(request: Request, principal, query: StatisticsQuery) -> Response:
    module, _, stats = await _report(request, principal, query)
    data = await asyncio.to_thread(to_xlsx, stats, request_locale(request))
    return attachment(data, _filename(module, stats, "xlsx"))


def _r(path: str, endpoint: Any) -> Route:
    return Route(f"{PREFIX}{path}", endpoint, methods=[endpoint.__lms_api__.method],
                 name=f"quizzes.{endpoint.__name__}")


def routes() -> list[BaseRoute]:
    return [
        _r("/modules/{module_id:int}/statistics", quiz_statistics),
        _r("/modules/{module_id:int}/statistics.csv", quiz_statistics_csv),
        _r("/modules/{module_id:int}/statistics.xlsx", quiz_statistics_xlsx),
    ]
