"""Rules a question must satisfy and the derived columns it carries, with no database code.

Kept apart from the API so that the JSON endpoint, the Aiken import and later importers (GIFT,
Moodle XML) all store questions that obey the same rules and are searchable the same way.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

from lms_core.content import render_markdown
from lms_core.text import fold

from lms_quizzes.aiken import AikenQuestion

#: Kinds that can be written through the API today (the choice kinds).
CHOICE_TYPES = ("single_choice", "multiple_response", "true_false")

NAME_LENGTH = 100
_TOLERANCE = 1e-6
#: Moodle's rule for multiple-response questions: the positive grades add up to 100 %.
_SUM_TOLERANCE = 0.01


def question_name(text: str, limit: int = NAME_LENGTH) -> str:
    """A name for a question that came without one: its first line, cut at a word boundary.

    Moodle names imported questions the same way, so lecturers recognise them in both systems.
    """
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    first = " ".join(first.split())
    if len(first) <= limit:
        return first
    cut = first[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,.;:") + "…"


def search_key(name: str, text: str) -> str:
    """Folded so that "ha noi" finds "Hà Nội" with a plain LIKE on any database."""
    return fold(f"{name} {text}")


def competency_key(codes: Sequence[str]) -> str:
    """``|A|B|``: a containment test on a JSON list becomes ``LIKE '%|A|%'`` everywhere."""
    return "".join(f"|{c}" for c in codes) + "|" if codes else ""


def answer_problems(qtype: str, answers: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """Every reason the answers do not make a valid question of this type, as (vi, en)."""
    problems: list[tuple[str, str]] = []
    fractions = [a.get("fraction") for a in answers]
    for i, f in enumerate(fractions, start=1):
        if not isinstance(f, (int, float)) or isinstance(f, bool) or math.isnan(f) \
                or not -1.0 <= f <= 1.0:
            problems.append((f"Phương án {i}: điểm (fraction) phải nằm trong khoảng -1 đến 1.",
                             f"Answer {i}: fraction must be between -1 and 1."))
    if problems:
        return problems
    if len(answers) < 2:
        problems.append(("Cần ít nhất 2 phương án.", "At least 2 answers are needed."))
    for i, a in enumerate(answers, start=1):
        if not str(a.get("text", "")).strip():
            problems.append((f"Phương án {i} để trống.", f"Answer {i} is empty."))
    full = sum(1 for f in fractions if abs(f - 1.0) < _TOLERANCE)
    positive = [f for f in fractions if f > _TOLERANCE]
    if not positive:
        problems.append(("Cần ít nhất một phương án đúng (điểm lớn hơn 0).",
                         "At least one answer must be correct (fraction above 0)."))
    if qtype == "single_choice" and full != 1:
        problems.append((
            f"Câu hỏi một lựa chọn cần đúng một phương án điểm 1 (100%), đang có {full}.",
            f"A single-choice question needs exactly one answer with fraction 1 (100%), "
            f"found {full}.",
        ))
    elif qtype == "true_false":
        zero = sum(1 for f in fractions if abs(f) < _TOLERANCE)
        if len(answers) != 2 or full != 1 or zero != 1:
            problems.append((
                "Câu hỏi Đúng/Sai cần đúng 2 phương án: một điểm 1, một điểm 0.",
                "A true/false question needs exactly 2 answers: one with fraction 1, "
                "one with fraction 0.",
            ))
    elif qtype == "multiple_response" and positive and abs(sum(positive) - 1.0) > _SUM_TOLERANCE:
        total = round(sum(positive) * 100, 2)
        problems.append((
            f"Câu hỏi nhiều lựa chọn: tổng điểm các phương án đúng phải bằng 1 (100%), "
            f"đang là {total}%.",
            f"A multiple-response question's positive fractions must add up to 1 (100%), "
            f"they add up to {total}%.",
        ))
    return problems


def question_row(*, name: str, qtype: str, text: str, answers: list[dict[str, Any]],
                 general_feedback: str = "", competencies: Sequence[str] = ()) -> dict[str, Any]:
    """The stored columns of a question, derived columns included (rendering is CPU work:
    bulk callers run this in a thread)."""
    name = name.strip() or question_name(text)
    return {
        "name": name[:255],
        "type": qtype,
        "text": text,
        "text_html": render_markdown(text),
        "answers": answers,
        "general_feedback": general_feedback,
        "competencies": list(competencies),
        "competency_key": competency_key(competencies),
        "search_key": search_key(name, text),
    }


def aiken_answers(question: AikenQuestion) -> list[dict[str, Any]]:
    """Aiken has one correct option worth 100 % and no feedback."""
    return [{"text": o.text, "fraction": 1.0 if o.letter == question.answer else 0.0,
             "feedback": ""} for o in question.options]


def aiken_row(question: AikenQuestion) -> dict[str, Any]:
    return question_row(name="", qtype="single_choice", text=question.text,
                        answers=aiken_answers(question))
