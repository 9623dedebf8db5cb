"""The quizzes plugin's side of the live sessions' quick quiz: a bank question's public view,
its key, and a grader, answered through the ``lms_live_quiz_question`` hook that the
live_sessions plugin declares, and the search a lecturer picks a question with
(``lms_live_quiz_search``, implemented here and exposed by ``plugin.py``). Neither plugin
imports the other; with live_sessions absent the implementations are simply never called
(they are optional hooks).

Grading is ``grading.grade`` over the stored question, exactly as a quiz attempt grades it,
so a bank question scores the same live and in a quiz.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from lms_core.plugin_api import hookimpl

from lms_quizzes import bank, grading, qtypes
from lms_quizzes.models import Question
from lms_quizzes.questions import canonical

#: What a question answered in a few seconds on a phone can be.
LIVE_TYPES = ("single_choice", "multiple_response", "true_false", "numerical", "short_answer")
#: The most a search returns, and how much of each question's text it shows.
SEARCH_LIMIT, SEARCH_TEXT = 50, 300


def key_of(question: dict[str, Any]) -> dict[str, Any]:
    """What may be shown once the question has closed: the right choices or answers, never
    sent before (the public view carries none of it)."""
    qtype = question["type"]
    if qtype in ("single_choice", "multiple_response"):
        return {"choices": [{"id": a["id"], "fraction": a["fraction"]}
                            for a in question["answers"]], "right": [
            a["id"] for a in question["answers"] if a["fraction"] > 0]}
    if qtype == "true_false":
        value = question["options"]["correct"]
        return {"correct_value": value, "right": [1 if value else 2]}
    keep = ("text", "value", "tolerance", "min", "max", "kind", "fraction")
    return {"answers": [{k: a[k] for k in keep if k in a}
                        for a in question["answers"] if a.get("fraction", 0) > 0]}


def grader(question: dict[str, Any]) -> Callable[[Any], float | None]:
    def grade(response: Any) -> float | None:
        fraction = grading.grade(question, response).fraction
        return None if fraction is None else max(0.0, min(1.0, fraction))
    return grade


async def live_question(institution_id: int, question_id: int) -> dict[str, Any] | None:
    """None when the institution's bank has no such question (another institution's id
    included) or its type cannot be answered live."""
    if isinstance(question_id, bool) or not isinstance(question_id, int):
        return None
    row = await Question.get_or_none(id=question_id, institution_id=institution_id)
    if row is None:
        return None
    question = canonical(row)
    if question["type"] not in LIVE_TYPES:
        return {"type": question["type"]}  # the live session names the type it refuses
    # One order for everyone in the room (seeded by the question's id): the projector and
    # every phone show the choices in the same places.
    view = grading.public_view(question, seed=question_id, shuffle=True)
    return {"type": question["type"], "view": view, "key": key_of(question),
            "grade": grader(question), "version": row.version}


_BLOCK = re.compile(r"<(?:/?(?:p|div|li|ul|ol|h[1-6]|tr|td|th|blockquote|pre)|br|hr)\b[^>]*>",
                    re.I)
_TAG = re.compile(r"<[^>]+>")


def reading_text(text: str, text_format: str) -> str:
    """The question as it reads, without its markup: it becomes the activity's prompt on every
    phone and on the projector, where "**toàn trình**" would show its asterisks. Blocks become
    spaces, inline tags vanish (so "<strong>trình</strong>," keeps its comma in place)."""
    rendered = qtypes.render_text(text, text_format)
    return " ".join(html.unescape(_TAG.sub("", _BLOCK.sub(" ", rendered))).split())


@hookimpl(optionalhook=True)
async def lms_live_quiz_search(institution_id: int, text: str, limit: int
                               ) -> list[dict[str, Any]]:
    """The bank's own search (every word, diacritics and case ignored, newest first), kept to
    the types a quick quiz runs. The list carries the question's text and name for the
    lecturer to choose by, never its answers."""
    limit = max(1, min(int(limit), SEARCH_LIMIT))
    _total, rows = await bank.search_questions(
        institution_id, q=str(text or "")[:200], types=LIVE_TYPES, limit=limit,
        fields=("id", "type", "name", "text", "text_format", "category__name"))
    out = []
    for row in rows:
        plain = reading_text(row["text"], row["text_format"] or "markdown")
        if len(plain) > SEARCH_TEXT:
            plain = plain[:SEARCH_TEXT - 1].rstrip() + "…"
        out.append({"id": row["id"], "type": row["type"], "name": row["name"], "text": plain,
                    "category": row["category__name"]})
    return out
