"""Rules a question must satisfy and the derived columns it carries, with no database code.

Kept apart from the API so that the JSON endpoint, the Aiken import and later importers (GIFT,
Moodle XML) all store questions that obey the same rules and are searchable the same way.
"""

from __future__ import annotations

from typing import Any, Sequence

from lms_core.content import render_markdown
from lms_core.text import fold

from lms_quizzes.aiken import AikenQuestion
from lms_quizzes import qtypes
from lms_quizzes.qtypes import NAME_LENGTH, choice_problems, question_name

__all__ = ["CHOICE_TYPES", "NAME_LENGTH", "aiken_answers", "aiken_row", "answer_problems",
           "canonical", "canonical_row", "competency_key", "question_name", "question_row",
           "search_key"]

#: Kinds that can be written through the API today (the choice kinds).
CHOICE_TYPES = ("single_choice", "multiple_response", "true_false")


def search_key(name: str, text: str) -> str:
    """Folded so that "ha noi" finds "Hà Nội" with a plain LIKE on any database."""
    return fold(f"{name} {text}")


def competency_key(codes: Sequence[str]) -> str:
    """``|A|B|``: a containment test on a JSON list becomes ``LIKE '%|A|%'`` everywhere."""
    return "".join(f"|{c}" for c in codes) + "|" if codes else ""


def answer_problems(qtype: str, answers: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """Every reason the answers do not make a valid question of this type, as (vi, en).

    The rules live in ``qtypes`` (which checks whole questions of every type); this is the
    answers-only view the API has used since the choice kinds came first.
    """
    return [(p.message, p.message_en) for p in choice_problems(qtype, answers)]


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


def canonical_row(q: dict[str, Any], competencies: Sequence[str] = ()) -> dict[str, Any]:
    """Stored columns of a valid, normalised question of any type (``qtypes`` shape)."""
    fmt = q["text_format"]
    plain = qtypes.plain_text(q["text"], fmt)
    name = (q["name"] or question_name(plain))[:255]
    return {
        "name": name,
        "type": q["type"],
        "text": q["text"],
        "text_format": fmt,
        "text_html": qtypes.render_text(q["text"], fmt),
        "answers": q["answers"],
        "options": q["options"],
        "general_feedback": q["general_feedback"],
        "competencies": list(competencies),
        "competency_key": competency_key(competencies),
        "search_key": search_key(name, plain),
    }


def canonical(row: Any) -> dict[str, Any]:
    """A stored ``Question`` (model or ``values()`` dict) back in the ``qtypes`` shape."""
    get = row.get if isinstance(row, dict) else (lambda k, d=None: getattr(row, k, d))
    return qtypes.normalise({
        "type": get("type"), "name": get("name"), "text": get("text"),
        "text_format": get("text_format") or "markdown", "answers": get("answers") or [],
        "options": get("options") or {}, "general_feedback": get("general_feedback") or "",
    })
