"""Question files in and out of the bank: GIFT import (with its ``$CATEGORY`` tree) and GIFT or
Aiken export of a category with its subcategories.

Category paths are relative to the category the lecturer picked: exporting "Chương 1" writes
its subcategories as ``$CATEGORY: Mục 1.1``, and importing that file into another category
recreates the same tree under it. So a bank moves between institutions (or Moodle courses) by
export and import without naming anyone's top-level folders.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Sequence

from tortoise.transactions import in_transaction

from lms_quizzes import aiken, bank, gift, qtypes
from lms_quizzes.models import Question, QuestionCategory
from lms_quizzes.questions import canonical, canonical_row

MAX_IMPORT_QUESTIONS = bank.MAX_IMPORT_QUESTIONS


@dataclass
class GiftPlan:
    """What an import would do: the parse result and the category paths it would create."""

    result: gift.GiftResult
    new_categories: list[tuple[str, ...]]


async def _children(institution_id: int) -> dict[tuple[int | None, str], QuestionCategory]:
    rows = await QuestionCategory.filter(institution_id=institution_id)
    return {(c.parent_id, c.name): c for c in rows}


async def plan_gift(institution_id: int, category_id: int, text: str) -> GiftPlan:
    await bank.get_category(institution_id, category_id)
    result = gift.parse(text)
    known = await _children(institution_id)
    missing: list[tuple[str, ...]] = []
    for path in dict.fromkeys(q.category for q in result.questions if q.category):
        parent: int | None = category_id
        for depth in range(len(path)):
            existing = known.get((parent, path[depth])) if parent is not None else None
            if existing is None:
                for i in range(depth, len(path)):
                    if path[: i + 1] not in missing:
                        missing.append(path[: i + 1])
                break
            parent = existing.id
    return GiftPlan(result, missing)


async def ensure_path(institution_id: int, base_id: int | None, path: tuple[str, ...],
                      cache: dict[tuple[str, ...], int]) -> int:
    """The category at ``path`` below ``base_id`` (None: the bank's top level), created as
    needed; ``cache`` remembers paths already resolved in this import."""
    if not path:
        if base_id is None:
            raise ValueError("an empty path has no category at the top level")
        return base_id
    if path in cache:
        return cache[path]
    parent = await ensure_path(institution_id, base_id, path[:-1], cache) \
        if len(path) > 1 or base_id is not None else None
    found = await QuestionCategory.get_or_none(institution_id=institution_id, parent_id=parent,
                                               name=path[-1])
    if found is None:
        found = await bank.create_category(institution_id, path[-1], parent)
    cache[path] = found.id
    return found.id


async def import_gift(institution_id: int, category_id: int, questions: Sequence[gift.GiftQuestion],
                      user_id: int | None) -> tuple[list[int], int]:
    """Write every question (and the categories they name) or nothing. Returns the new ids and
    how many categories were created."""
    rows = []
    for i, q in enumerate(questions, start=1):
        rows.append((q.category, canonical_row(q.question)))
        if i % 100 == 0:
            await asyncio.sleep(0)  # rendering is CPU work: let other requests run
    before = await QuestionCategory.filter(institution_id=institution_id).count()
    ids: list[int] = []
    cache: dict[tuple[str, ...], int] = {}
    async with in_transaction():
        for path, row in rows:
            target = await ensure_path(institution_id, category_id, path, cache)
            question = await Question.create(institution_id=institution_id,
                                             category_id=target, created_by_id=user_id, **row)
            ids.append(question.id)
    created = await QuestionCategory.filter(institution_id=institution_id).count() - before
    return ids, created


async def subtree_questions(institution_id: int, category_id: int) -> list[dict[str, Any]]:
    """The category's questions and its subcategories', each canonical with ``category`` (the
    path below the chosen category) and ``id``, in tree order then oldest first."""
    base = await bank.get_category(institution_id, category_id)
    cats = await QuestionCategory.filter(institution_id=institution_id,
                                         path__startswith=base.path).values("id", "name",
                                                                            "parent_id")
    by_id = {c["id"]: c for c in cats}

    def rel(cid: int) -> tuple[str, ...]:
        names: list[str] = []
        while cid != base.id:
            names.append(by_id[cid]["name"])
            cid = by_id[cid]["parent_id"]
        return tuple(reversed(names))

    paths = {cid: rel(cid) for cid in by_id}
    rows = await Question.filter(institution_id=institution_id,
                                 category_id__in=list(by_id)).order_by("id").values(
        "id", "category_id", "type", "name", "text", "text_format", "answers", "options",
        "general_feedback")
    out = []
    for row in rows:
        q = canonical(row)
        out.append({**q, "id": row["id"], "category": list(paths[row["category_id"]])})
    out.sort(key=lambda q: (tuple(q["category"]), q["id"]))
    return out


def _skipped(q: dict[str, Any], code: str, vi: str, en: str) -> dict[str, Any]:
    return {"id": q.get("id"), "name": q.get("name", ""), "code": code, "message": vi,
            "message_en": en}


def export_gift(questions: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    result = gift.export(questions)
    skipped = [{"id": questions[s.index].get("id"), "name": s.name, "code": s.code,
                "message": s.message, "message_en": s.message_en} for s in result.skipped]
    return result.text, skipped


def export_aiken(questions: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Aiken holds single-choice questions with one right answer and plain one-line options;
    everything else is listed as skipped with the reason."""
    written: list[aiken.AikenQuestion] = []
    skipped: list[dict[str, Any]] = []
    for q in questions:
        if q["type"] != "single_choice" or len(q["answers"]) > 26:
            skipped.append(_skipped(q, "not_single_choice",
                                    "Aiken chỉ chứa câu hỏi một lựa chọn (tối đa 26 phương án).",
                                    "Aiken holds only single-choice questions (26 options at "
                                    "most)."))
            continue
        letters = [chr(ord("A") + i) for i in range(len(q["answers"]))]
        right = [letter for letter, a in zip(letters, q["answers"]) if a["fraction"] >= 1]
        candidate = aiken.AikenQuestion(
            line=0, text=q["text"],
            options=tuple(aiken.AikenOption(letter, a["text"], 0)
                          for letter, a in zip(letters, q["answers"])),
            answer=right[0] if right else "")
        if len(right) != 1 or any(0 < a["fraction"] < 1 or a["fraction"] < 0
                                  for a in q["answers"]) or not aiken.representable(candidate):
            skipped.append(_skipped(q, "not_representable",
                                    "Câu hỏi có điểm từng phần, nhiều dòng hoặc dòng giống "
                                    "phương án nên Aiken không ghi lại đúng được.",
                                    "The question has partial credit, multi-line text or a "
                                    "line that looks like an option, which Aiken cannot "
                                    "express."))
            continue
        written.append(candidate)
    return (aiken.to_aiken(written) if written else ""), skipped


def preview_html(q: dict[str, Any]) -> str:
    """The question text as the trainee will see it (sanitised), for the import preview."""
    return qtypes.render_text(q["text"], q["text_format"]) if isinstance(q.get("text"), str) \
        else ""
