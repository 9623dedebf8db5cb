"""The question-bank JSON API under /api/v1/quizzes: thin handlers over ``bank``.

Every handler passes ``principal.institution_id`` to the bank, which filters on it; that is the
whole of the tenant isolation, so no handler may query the models directly.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from lms_core.http.endpoints import api, path_int
from lms_core.http.problems import Problem

from lms_quizzes import bank
from lms_quizzes.aiken import parse_aiken
from lms_quizzes.questions import aiken_answers, answer_problems, question_name, question_row
from lms_quizzes.schemas import AikenImport, CategoryCreate, QuestionCreate, QuestionQuery

PREFIX = "/api/v1/quizzes"
MANAGE = "quiz.manage"
VIEW = "quiz.view_bank"
TAGS = ("quizzes",)


@api("GET", permission=VIEW, summary="Question categories (the whole tree)", tags=TAGS)
async def list_categories(request: Request, principal) -> dict[str, Any]:
    """Flat list in tree order: each category is followed by its subcategories, ``depth`` and
    ``parent_id`` give the nesting; ``total_count`` includes the subcategories' questions."""
    return {"items": await bank.list_categories(principal.institution_id)}


@api("POST", permission=MANAGE, body=CategoryCreate, status=201, tags=TAGS,
     summary="Add a question category, optionally inside another")
async def create_category(request: Request, principal, body: CategoryCreate) -> dict[str, Any]:
    category = await bank.create_category(principal.institution_id, body.name, body.parent_id)
    return bank.category_dict(category)


@api("GET", permission=VIEW, query=QuestionQuery, tags=TAGS,
     summary="Search the question bank (diacritics optional)")
async def list_questions(request: Request, principal, query: QuestionQuery) -> dict[str, Any]:
    total, rows = await bank.search_questions(
        principal.institution_id, q=query.q, category_id=query.category_id,
        competency=query.competency, qtype=query.type, limit=query.limit, offset=query.offset)
    return {"total": total, "items": rows}


@api("GET", permission=VIEW, summary="One question with its answers", tags=TAGS)
async def get_question(request: Request, principal) -> dict[str, Any]:
    return await bank.get_question(principal.institution_id, path_int(request, "question_id"))


@api("POST", permission=MANAGE, body=QuestionCreate, status=201, tags=TAGS,
     summary="Add a single-choice, multiple-response or true/false question")
async def create_question(request: Request, principal, body: QuestionCreate) -> dict[str, Any]:
    answers = [a.model_dump() for a in body.answers]
    problems = answer_problems(body.type, answers)
    if problems:
        raise Problem(
            422, " ".join(vi for vi, _ in problems), " ".join(en for _, en in problems),
            errors=[{"field": "answers", "location": "body", "message": en, "message_vi": vi}
                    for vi, en in problems])
    competencies = list(dict.fromkeys(body.competencies))
    row = question_row(name=body.name, qtype=body.type, text=body.text, answers=answers,
                       general_feedback=body.general_feedback, competencies=competencies)
    return await bank.create_question(principal.institution_id, body.category_id, row,
                                      principal.user_id)


@api("POST", permission=MANAGE, body=AikenImport, tags=TAGS,
     summary="Import Aiken questions into a category (all or nothing), or preview them")
async def import_aiken(request: Request, principal, body: AikenImport) -> Any:
    """With ``preview`` the parsed questions and every error come back and nothing is written.
    Otherwise any error refuses the whole file (422, with the same error list) and a clean file
    is written in one transaction; ``preview`` in the answer tells the two apart."""
    category = await bank.get_category(principal.institution_id, body.category_id)
    result = parse_aiken(body.text)
    errors = [e.as_dict() for e in result.errors]
    if body.preview:
        return {
            "preview": True,
            "category": bank.category_dict(category),
            "count": len(result.questions),
            "questions": [{**q.as_dict(), "name": question_name(q.text),
                           "answers": aiken_answers(q)} for q in result.questions],
            "errors": errors,
        }
    if errors:
        raise Problem(
            422,
            f"Tệp có {len(errors)} lỗi, chưa câu hỏi nào được nhập. Dòng đầu tiên có lỗi: "
            f"{errors[0]['line']}.",
            f"The file has {len(errors)} error(s); no question was imported. First error on "
            f"line {errors[0]['line']}.",
            errors=errors, valid_questions=len(result.questions))
    if len(result.questions) > bank.MAX_IMPORT_QUESTIONS:
        raise Problem(
            422,
            f"Tệp có {len(result.questions)} câu hỏi; mỗi lần nhập tối đa "
            f"{bank.MAX_IMPORT_QUESTIONS} câu, hãy chia tệp theo chương.",
            f"The file has {len(result.questions)} questions; at most "
            f"{bank.MAX_IMPORT_QUESTIONS} can be imported at once, split it by chapter.")
    ids = await bank.import_questions(principal.institution_id, category.id, result.questions,
                                      principal.user_id)
    return {"preview": False, "category": bank.category_dict(category), "count": len(ids),
            "ids": ids}


def _r(path: str, endpoint: Any) -> Route:
    return Route(f"{PREFIX}{path}", endpoint, methods=[endpoint.__lms_api__.method],
                 name=f"quizzes.{endpoint.__name__}")


def routes() -> list[BaseRoute]:
    return [
        _r("/categories", list_categories),
        _r("/categories", create_category),
        _r("/questions", list_questions),
        _r("/questions", create_question),
        _r("/questions/{question_id:int}", get_question),
        _r("/import/aiken", import_aiken),
    ]

