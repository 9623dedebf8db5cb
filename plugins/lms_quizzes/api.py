"""The question-bank JSON API under /api/v1/quizzes: thin handlers over ``bank``.

Every handler passes ``principal.institution_id`` to the bank, which filters on it; that is the
whole of the tenant isolation, so no handler may query the models directly.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from lms_core.http.endpoints import api, path_int
from lms_core.http.problems import Problem

from lms_core.http.downloads import attachment

from lms_quizzes import bank, transfer
from lms_quizzes.aiken import parse_aiken
from lms_quizzes.questions import aiken_answers, question_name
from lms_quizzes.schemas import (
    AikenImport, CategoryCreate, GiftImport, QuestionCreate, QuestionQuery, QuestionUpdate,
    TransferQuery,
)

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


def _question_body(body: QuestionCreate | QuestionUpdate) -> dict[str, Any]:
    return bank.checked(body.model_dump(include={"type", "name", "text", "text_format",
                                                 "answers", "options", "general_feedback"}))


@api("POST", permission=MANAGE, body=QuestionCreate, status=201, tags=TAGS,
     summary="Add a question of any type (qtypes shape)",
     responses={422: "The question breaks a rule of its type: every reason is listed"})
async def create_question(request: Request, principal, body: QuestionCreate) -> dict[str, Any]:
    q = _question_body(body)
    return await bank.create_canonical(principal.institution_id, body.category_id, q,
                                       list(dict.fromkeys(body.competencies)),
                                       principal.user_id)


@api("PUT", permission=MANAGE, body=QuestionUpdate, tags=TAGS,
     summary="Edit a question (a new version; past attempts keep theirs until a regrade)",
     responses={409: "Edited elsewhere since base_version, or a type change after attempts"})
async def update_question(request: Request, principal, body: QuestionUpdate) -> dict[str, Any]:
    q = _question_body(body)
    return await bank.update_question(
        principal.institution_id, path_int(request, "question_id"), body.category_id, q,
        list(dict.fromkeys(body.competencies)), body.base_version)


@api("DELETE", permission=MANAGE, status=204, tags=TAGS,
     summary="Delete a question no quiz lists as a fixed question",
     responses={409: "A quiz uses it"})
async def delete_question(request: Request, principal) -> Response:
    await bank.delete_question(principal.institution_id, path_int(request, "question_id"))
    return Response(status_code=204)


@api("GET", permission=VIEW, tags=TAGS,
     summary="Where a question is used, and how many finished attempts a regrade would touch")
async def question_usage(request: Request, principal) -> dict[str, Any]:
    return await bank.question_usage(principal.institution_id, path_int(request, "question_id"))


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
        raise _refused(errors, len(result.questions))
    if len(result.questions) > bank.MAX_IMPORT_QUESTIONS:
        raise _too_many(len(result.questions))
    ids = await bank.import_questions(principal.institution_id, category.id, result.questions,
                                      principal.user_id)
    return {"preview": False, "category": bank.category_dict(category), "count": len(ids),
            "ids": ids}


def _refused(errors: list[dict[str, Any]], valid: int) -> Problem:
    return Problem(
        422,
        f"Tệp có {len(errors)} lỗi, chưa câu hỏi nào được nhập. Dòng đầu tiên có lỗi: "
        f"{errors[0]['line']}.",
        f"The file has {len(errors)} error(s); no question was imported. First error on "
        f"line {errors[0]['line']}.",
        errors=errors, valid_questions=valid)


def _too_many(count: int) -> Problem:
    return Problem(
        422,
        f"Tệp có {count} câu hỏi; mỗi lần nhập tối đa {bank.MAX_IMPORT_QUESTIONS} câu, hãy chia "
        "tệp theo chương.",
        f"The file has {count} questions; at most {bank.MAX_IMPORT_QUESTIONS} can be imported "
        "at once, split it by chapter.")


@api("POST", permission=MANAGE, body=GiftImport, tags=TAGS,
     summary="Import Moodle GIFT questions (all or nothing), or preview them")
async def import_gift(request: Request, principal, body: GiftImport) -> Any:
    """Every GIFT feature Moodle reads (see the plugin README). ``$CATEGORY`` paths are created
    under the chosen category; the preview lists the categories that would be new."""
    plan = await transfer.plan_gift(principal.institution_id, body.category_id, body.text)
    category = await bank.get_category(principal.institution_id, body.category_id)
    errors = [e.as_dict() for e in plan.result.errors]
    questions = plan.result.questions
    if body.preview:
        return {
            "preview": True, "category": bank.category_dict(category), "count": len(questions),
            "questions": [{**q.as_dict(), "text_html": transfer.preview_html(q.question)}
                          for q in questions],
            "new_categories": [list(p) for p in plan.new_categories],
            "errors": errors,
        }
    if errors:
        raise _refused(errors, len(questions))
    if len(questions) > bank.MAX_IMPORT_QUESTIONS:
        raise _too_many(len(questions))
    ids, created = await transfer.import_gift(principal.institution_id, category.id, questions,
                                              principal.user_id)
    return {"preview": False, "category": bank.category_dict(category), "count": len(ids),
            "ids": ids, "categories_created": created}


async def _export(request: Request, principal, query: TransferQuery, fmt: str) -> Any:
    category = await bank.get_category(principal.institution_id, query.category_id)
    questions = await transfer.subtree_questions(principal.institution_id, category.id)
    text, skipped = (transfer.export_gift if fmt == "gift" else transfer.export_aiken)(questions)
    filename = f"{'-'.join(category.name.split()) or 'câu-hỏi'}.{fmt}.txt"
    if query.download:
        return attachment(text, filename)
    return {"category": bank.category_dict(category), "format": fmt, "filename": filename,
            "count": len(questions) - len(skipped), "skipped": skipped, "text": text}


@api("GET", permission=VIEW, query=TransferQuery, tags=TAGS,
     summary="A category (with subcategories) as GIFT; JSON with what was skipped, or the file")
async def export_gift(request: Request, principal, query: TransferQuery) -> Any:
    return await _export(request, principal, query, "gift")


@api("GET", permission=VIEW, query=TransferQuery, tags=TAGS,
     summary="A category's single-choice questions as Aiken; the rest listed as skipped")
async def export_aiken(request: Request, principal, query: TransferQuery) -> Any:
    return await _export(request, principal, query, "aiken")


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
        _r("/questions/{question_id:int}", update_question),
        _r("/questions/{question_id:int}", delete_question),
        _r("/questions/{question_id:int}/usage", question_usage),
        _r("/import/aiken", import_aiken),
        _r("/import/gift", import_gift),
        _r("/export/gift", export_gift),
        _r("/export/aiken", export_aiken),
    ]

