"""The question bank's database work. Every function takes the institution first and filters on
it, so a caller cannot forget the tenant boundary: an id from another institution is simply
"not found" (404), never a hint that it exists."""

from __future__ import annotations

import asyncio
from typing import Any, Sequence

from tortoise.functions import Count
from tortoise.transactions import in_transaction

from lms_core.http.problems import Problem
from lms_core.text import fold, word_key

from lms_quizzes.aiken import AikenQuestion
from lms_quizzes import qtypes
from lms_quizzes.models import AttemptSlot, Question, QuestionCategory, Quiz
from lms_quizzes.questions import aiken_row, canonical_row

#: One import is one transaction of row-by-row inserts (about a second for this many on
#: PostgreSQL); larger banks are imported chapter by chapter.
MAX_IMPORT_QUESTIONS = 2000

#: Deep enough for programme / module / chapter / topic trees, shallow enough for the path column.
MAX_DEPTH = 20

LIST_FIELDS = ("id", "category_id", "name", "type", "text", "competencies", "version",
               "created_by_id", "created_at", "updated_at")


def _category_not_found() -> Problem:
    return Problem(404, "Không tìm thấy nhóm câu hỏi.", "Question category not found.")


async def get_category(institution_id: int, category_id: int) -> QuestionCategory:
    category = await QuestionCategory.get_or_none(id=category_id, institution_id=institution_id)
    if category is None:
        raise _category_not_found()
    return category


async def create_category(institution_id: int, name: str,
                          parent_id: int | None = None) -> QuestionCategory:
    async with in_transaction():
        parent = None
        if parent_id is not None:
            parent = await QuestionCategory.get_or_none(id=parent_id,
                                                        institution_id=institution_id)
            if parent is None:
                raise Problem(422, "Nhóm câu hỏi cha không tồn tại.",
                              "Parent category not found.")
            if parent.depth + 1 >= MAX_DEPTH:
                raise Problem(422, f"Cây nhóm câu hỏi không được sâu quá {MAX_DEPTH} cấp.",
                              f"Categories cannot nest deeper than {MAX_DEPTH} levels.")
        if await QuestionCategory.filter(institution_id=institution_id, parent_id=parent_id,
                                         name=name).exists():
            raise Problem(409, f"Đã có nhóm «{name}» ở cùng cấp.",
                          f"A category named “{name}” already exists at this level.")
        category = await QuestionCategory.create(
            institution_id=institution_id, parent_id=parent_id, name=name,
            depth=parent.depth + 1 if parent else 0)
        category.path = f"{parent.path if parent else '/'}{category.id}/"
        await category.save(update_fields=["path"])
    return category


def category_dict(category: QuestionCategory) -> dict[str, Any]:
    return {"id": category.id, "name": category.name, "parent_id": category.parent_id,
            "depth": category.depth, "path": category.path}


async def list_categories(institution_id: int) -> list[dict[str, Any]]:
    """The whole tree in display order (each category followed by its subtree, siblings in
    Vietnamese alphabetical order), with direct and subtree question counts."""
    rows = await QuestionCategory.filter(institution_id=institution_id).values(
        "id", "name", "parent_id", "depth", "path")
    counts = dict(await Question.filter(institution_id=institution_id)
                  .annotate(n=Count("id")).group_by("category_id")
                  .values_list("category_id", "n"))
    children: dict[int | None, list[dict[str, Any]]] = {}
    for row in rows:
        row["question_count"] = counts.get(row["id"], 0)
        children.setdefault(row["parent_id"], []).append(row)
    for siblings in children.values():
        siblings.sort(key=lambda r: (word_key(r["name"]), r["id"]))
    ordered: list[dict[str, Any]] = []

    def walk(parent: int | None) -> int:
        total = 0
        for row in children.get(parent, []):
            ordered.append(row)
            row["total_count"] = row["question_count"] + walk(row["id"])
            total += row["total_count"]
        return total

    walk(None)
    return ordered


async def search_questions(institution_id: int, *, q: str = "", category_id: int | None = None,
                           competency: str | None = None, qtype: str | None = None,
                           types: Sequence[str] | None = None, limit: int = 50,
                           offset: int = 0, fields: Sequence[str] = LIST_FIELDS
                           ) -> tuple[int, list[dict[str, Any]]]:
    """Newest first; ``q`` matches every word, diacritics and case ignored. ``types``: only
    these question types (the live quick quiz asks for the ones it can run)."""
    qs = Question.filter(institution_id=institution_id)
    if category_id is not None:
        category = await get_category(institution_id, category_id)
        qs = qs.filter(category__path__startswith=category.path)
    for word in fold(q).split():
        qs = qs.filter(search_key__contains=word)
    if competency:
        qs = qs.filter(competency_key__contains=f"|{competency}|")
    if qtype:
        qs = qs.filter(type=qtype)
    if types is not None:
        qs = qs.filter(type__in=list(types))
    total = await qs.count()
    rows = await qs.order_by("-id").offset(offset).limit(limit).values(*fields)
    return total, rows


async def get_question(institution_id: int, question_id: int) -> dict[str, Any]:
    rows = await Question.filter(id=question_id, institution_id=institution_id).values(
        *LIST_FIELDS, "text_format", "text_html", "answers", "options", "general_feedback",
        "category__name")
    if not rows:
        raise Problem(404, "Không tìm thấy câu hỏi.", "Question not found.")
    row = rows[0]
    row["category"] = {"id": row["category_id"], "name": row.pop("category__name")}
    return row


async def create_question(institution_id: int, category_id: int, row: dict[str, Any],
                          user_id: int | None) -> dict[str, Any]:
    await get_category(institution_id, category_id)
    question = await Question.create(institution_id=institution_id, category_id=category_id,
                                     created_by_id=user_id, **row)
    return await get_question(institution_id, question.id)


async def import_questions(institution_id: int, category_id: int,
                           questions: Sequence[AikenQuestion], user_id: int | None) -> list[int]:
    """Write every question or none: one transaction, so a failure half-way leaves the bank as
    it was and the lecturer can simply import the corrected file again."""
    await get_category(institution_id, category_id)
    rows = []
    for i, q in enumerate(questions, start=1):
        rows.append(aiken_row(q))  # Markdown rendering is CPU work: let other requests run
        if i % 100 == 0:
            await asyncio.sleep(0)
    ids: list[int] = []
    async with in_transaction():
        for row in rows:
            question = await Question.create(institution_id=institution_id,
                                             category_id=category_id, created_by_id=user_id,
                                             **row)
            ids.append(question.id)
    return ids


def question_problem(problems: Sequence[qtypes.QuestionProblem]) -> Problem:
    """422 naming every reason, each with its field, in both languages."""
    return Problem(
        422, " ".join(p.message for p in problems), " ".join(p.message_en for p in problems),
        errors=[{"field": p.field.split(".")[0] if p.field.startswith("answers") else p.field,
                 "path": p.field, "code": p.code, "location": "body", "message": p.message_en,
                 "message_vi": p.message} for p in problems])


def checked(body: dict[str, Any]) -> dict[str, Any]:
    """The normalised question, or 422 with every rule it breaks."""
    q = qtypes.normalise(body)
    problems = qtypes.validate(q)
    if problems:
        raise question_problem(problems)
    return q


async def create_canonical(institution_id: int, category_id: int, q: dict[str, Any],
                           competencies: Sequence[str], user_id: int | None) -> dict[str, Any]:
    return await create_question(institution_id, category_id, canonical_row(q, competencies),
                                 user_id)


async def _question_row(institution_id: int, question_id: int) -> Question:
    question = await Question.get_or_none(id=question_id, institution_id=institution_id)
    if question is None:
        raise Problem(404, "Không tìm thấy câu hỏi.", "Question not found.")
    return question


async def question_usage(institution_id: int, question_id: int) -> dict[str, Any]:
    """Where a question is used: quizzes that list it as a fixed question, and finished
    attempts that were graded on an older version of it (a regrade would update them)."""
    question = await _question_row(institution_id, question_id)
    quizzes = await Quiz.filter(institution_id=institution_id).values("id", "module_id", "slots")
    fixed = [{"quiz_id": z["id"], "module_id": z["module_id"]} for z in quizzes
             if any(s.get("kind") == "fixed" and s.get("question_id") == question_id
                    for s in z["slots"] or ())]
    used = AttemptSlot.filter(question_id=question_id,
                              attempt__quiz__institution_id=institution_id)
    attempts = await used.count()
    stale = await used.filter(question_version__lt=question.version,
                              attempt__state="finished").count()
    return {"question_id": question_id, "version": question.version, "fixed_in": fixed,
            "attempt_slots": attempts, "stale_finished_slots": stale}


async def update_question(institution_id: int, question_id: int, category_id: int,
                          q: dict[str, Any], competencies: Sequence[str],
                          base_version: int | None) -> dict[str, Any]:
    """Save an edit as a new version. Running and finished attempts keep the version they were
    given; ``usage`` in the answer says how many finished ones a regrade would touch."""
    await get_category(institution_id, category_id)
    row = canonical_row(q, competencies)
    async with in_transaction():
        question = await Question.select_for_update().get_or_none(
            id=question_id, institution_id=institution_id)
        if question is None:
            raise Problem(404, "Không tìm thấy câu hỏi.", "Question not found.")
        if base_version is not None and base_version != question.version:
            raise Problem(409, f"Câu hỏi đã được sửa ở nơi khác (phiên bản {question.version}); "
                          "hãy tải lại trước khi lưu.",
                          f"The question was edited elsewhere (version {question.version}); "
                          "reload it before saving.", version=question.version)
        if row["type"] != question.type and await AttemptSlot.filter(
                question_id=question_id).exists():
            raise Problem(409, "Câu hỏi đã có người làm nên không đổi được loại; hãy tạo câu "
                          "hỏi mới.", "The question has been attempted, so its type cannot "
                          "change; create a new question instead.")
        for key, value in row.items():
            setattr(question, key, value)
        question.category_id = category_id
        question.version += 1
        await question.save()
    out = await get_question(institution_id, question_id)
    out["usage"] = await question_usage(institution_id, question_id)
    return out


async def delete_question(institution_id: int, question_id: int) -> None:
    """A question a quiz names as a fixed question cannot go (the quiz would break); attempts
    keep their own copy, so past results survive the deletion."""
    usage = await question_usage(institution_id, question_id)
    if usage["fixed_in"]:
        raise Problem(409, f"Câu hỏi đang được dùng trong {len(usage['fixed_in'])} bài kiểm tra;"
                      " hãy gỡ khỏi bài kiểm tra trước.",
                      f"The question is used by {len(usage['fixed_in'])} quiz(zes); remove it "
                      "from them first.", fixed_in=usage["fixed_in"])
    await Question.filter(id=question_id, institution_id=institution_id).delete()
