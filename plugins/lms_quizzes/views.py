"""The lecturer's quiz pages: server-rendered shells, each driven by a small ES module in
``static/staff-*.js`` that calls the plugin's JSON APIs (``api.py``, ``staff_api.py``,
``stats_api.py``).

The server renders the frame (title, labels in the user's language, the ids the script needs on
``data-*`` attributes) and answers 403 / 404 itself, so a trainee or another institution never
gets as far as a page that would then fail in the browser. Every lookup goes through the same
institution-scoped services as the API (``bank``, ``attempts.quiz_module``), so a page can never
show what the API would refuse. The data itself is loaded by the scripts: one source of truth
for every figure, the API.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from lms_core.http.endpoints import path_int
from lms_core.http.problems import request_locale
from lms_core.web.pages import page
from lms_core.web.templating import render
from lms_quizzes import attempts as svc
from lms_quizzes import bank
from lms_quizzes.qtypes import QUESTION_TYPES

VIEW, MANAGE, GRADE = "quiz.view_bank", "quiz.manage", "quiz.grade"

#: Question types as a lecturer who knows Moodle names them, (Vietnamese, English).
TYPE_LABELS: dict[str, tuple[str, str]] = {
    "single_choice": ("Trắc nghiệm một đáp án", "Multiple choice (one answer)"),
    "multiple_response": ("Trắc nghiệm nhiều đáp án", "Multiple choice (several answers)"),
    "true_false": ("Đúng/Sai", "True/False"),
    "short_answer": ("Trả lời ngắn", "Short answer"),
    "numerical": ("Số", "Numerical"),
    "matching": ("Ghép đôi", "Matching"),
    "ordering": ("Sắp xếp thứ tự", "Ordering"),
    "essay": ("Tự luận", "Essay"),
    "description": ("Mô tả (không tính điểm)", "Description (not graded)"),
}
assert set(TYPE_LABELS) == set(QUESTION_TYPES)


def _types(locale: str) -> list[tuple[str, str]]:
    """(value, label) pairs for the type selects, in the order of ``QUESTION_TYPES``."""
    return [(t, TYPE_LABELS[t][1 if locale == "en" else 0]) for t in QUESTION_TYPES]


async def _staff_page(request: Request, template: str, context: dict[str, Any]) -> Response:
    """Render one staff page; ``data`` becomes ``<body data-*>`` for the page's script."""
    locale = request_locale(request)
    script = "staff-" + template.rsplit("/", 1)[-1].removesuffix(".html") + ".js"
    ctx = {"types": _types(locale), "page": "quiz-staff", "script": script, **context}
    ctx["body_data"] = {k.replace("_", "-"): v for k, v in context.get("data", {}).items()}
    return await render(request, template, ctx)


async def _module_context(principal: Any, request: Request) -> dict[str, Any]:
    """The quiz module in the caller's institution (404 otherwise) with its course, for the
    breadcrumbs; the quiz row is created from course.yaml on first use as the API does."""
    module = await svc.quiz_module(principal.institution_id, path_int(request, "module_id"))
    course = await module.course
    return {"module": module, "course": course,
            "data": {"module_id": module.id, "course_id": course.id}}


@page(VIEW)
async def bank_page(request: Request, principal: Any) -> Response:
    """The question bank: category tree, search, filters and the question list."""
    return await _staff_page(request, "quizzes/staff/bank.html", {
        "can_manage": principal.can(MANAGE), "data": {"can_manage": int(principal.can(MANAGE))}})


@page(VIEW)
async def question_page(request: Request, principal: Any) -> Response:
    """One question in the editor (read-only for a user without ``quiz.manage``)."""
    question = await bank.get_question(principal.institution_id,
                                       path_int(request, "question_id"))
    return await _staff_page(request, "quizzes/staff/question.html", {
        "question": question, "can_manage": principal.can(MANAGE),
        "data": {"question_id": question["id"], "can_manage": int(principal.can(MANAGE))}})


@page(MANAGE)
async def new_question_page(request: Request, principal: Any) -> Response:
    """The editor for a new question; ``?category_id=`` preselects the category."""
    raw = request.query_params.get("category_id", "")
    category_id = ""
    if raw.isascii() and raw.isdigit() and len(raw) < 12:
        category_id = (await bank.get_category(principal.institution_id, int(raw))).id
    return await _staff_page(request, "quizzes/staff/question.html", {
        "question": None, "can_manage": True,
        "data": {"question_id": "", "category_id": category_id, "can_manage": 1}})


@page(MANAGE)
async def transfer_page(request: Request, principal: Any) -> Response:
    """GIFT / Aiken import with a preview, and export of a category."""
    return await _staff_page(request, "quizzes/staff/transfer.html", {"data": {}})


@page(MANAGE)
async def quiz_editor_page(request: Request, principal: Any) -> Response:
    """A quiz's settings and question slots."""
    return await _staff_page(request, "quizzes/staff/quiz.html",
                             await _module_context(principal, request))


@page(MANAGE)
async def results_page(request: Request, principal: Any) -> Response:
    """Per-trainee results and Moodle's statistics report of one quiz."""
    return await _staff_page(request, "quizzes/staff/results.html",
                             await _module_context(principal, request))


@page(GRADE)
async def grading_page(request: Request, principal: Any) -> Response:
    """Essays waiting for a mark; ``?module_id=`` narrows the queue to one quiz."""
    raw = request.query_params.get("module_id", "")
    ctx: dict[str, Any] = {"module": None, "data": {"module_id": ""}}
    if raw.isascii() and raw.isdigit() and len(raw) < 12:
        module = await svc.quiz_module(principal.institution_id, int(raw))
        ctx = {"module": module, "data": {"module_id": module.id}}
    return await _staff_page(request, "quizzes/staff/grading.html", ctx)


def routes() -> list[BaseRoute]:
    """The page routes, built fresh on each call as ``lms_register_routes`` requires."""
    return [
        Route("/quizzes/bank", bank_page, name="quizzes.bank_page"),
        Route("/quizzes/bank/new", new_question_page, name="quizzes.new_question_page"),
        Route("/quizzes/bank/questions/{question_id:int}", question_page,
              name="quizzes.question_page"),
        Route("/quizzes/transfer", transfer_page, name="quizzes.transfer_page"),
        Route("/quizzes/modules/{module_id:int}/edit", quiz_editor_page,
              name="quizzes.quiz_editor_page"),
        Route("/quizzes/modules/{module_id:int}/results", results_page,
              name="quizzes.results_page"),
        Route("/quizzes/grading", grading_page, name="quizzes.grading_page"),
    ]
