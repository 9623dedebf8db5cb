"""Grading one response to one question, and what the trainee may see before and after review.

Pure functions over the canonical question of ``qtypes`` (pass what ``qtypes.normalise``
returns, i.e. what is stored), no database, so attempts, previews, regrading and tests all grade
the same way.

Responses (what the trainee's page sends; answers are named by id, never by position):

* ``single_choice``: ``{"choice": id}``
* ``multiple_response``: ``{"choices": [id, ...]}``
* ``true_false``: ``{"value": true | false}``
* ``short_answer``: ``{"text": "..."}``
* ``numerical``: ``{"value": 3.14}`` or ``{"value": "3,14"}`` (see ``qtypes.parse_number``)
* ``matching``: ``{"pairs": {"<left id>": "<right text>", ...}}`` (JSON keys are strings;
  ints are accepted too; a missing or null entry is an unanswered pair)
* ``ordering``: ``{"order": [id, ...]}``, every item exactly once
* ``essay``: ``{"text": "..."}``
* ``description``: nothing; it is not graded

A malformed response never raises: it grades as ``invalid`` (wrong shape, unknown id, a number
that cannot be read) or ``unanswered`` (nothing given), both with fraction 0, so one bad
request cannot break the grading of an attempt.

Rules, following Moodle:

* single choice gives the chosen answer's fraction, which may be negative (negative marking);
  whether an attempt's total may drop below 0 is the attempt's decision;
* multiple response adds the chosen answers' fractions and clamps the sum to 0..1;
* short answer and numerical take the best-scoring matching answer (first on ties) and its
  feedback; a short-answer pattern's ``*`` matches any text, ``\\*`` a literal star; text is
  NFC-normalised and whitespace collapsed; ``case_sensitive`` False ignores letter case,
  ``accent_sensitive`` False ignores diacritics as ``lms_core.text.fold`` does (đ = d), so
  "ha noi" matches "Hà Nội";
* matching scores correct pairs / pairs (distractors are not pairs);
* ordering: ``all_or_nothing``; ``absolute_position`` (items in their right place / items);
  ``relative_next`` (each item but the last followed by its right successor / (items - 1));
* essay: ``fraction`` None and state ``needs_grading`` (an empty essay is ``unanswered``, 0);
* description: ``fraction`` None and state ``not_graded``: it carries no mark at all.
"""

from __future__ import annotations

import functools
import hashlib
import html
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Sequence

from lms_core.text import fold

from lms_quizzes.qtypes import (
    FALSE_LABEL, FRACTION_DIGITS, TRUE_LABEL, is_number, parse_number, render_text,
)

STATES = ("correct", "partial", "incorrect", "needs_grading", "unanswered", "invalid",
          "not_graded")
_EPSILON = 1e-9


@dataclass(frozen=True)
class Grade:
    """``fraction`` is the share of the question's mark (None: not graded automatically);
    ``feedback`` the author's feedback sources (in the question's format) that apply."""

    fraction: float | None
    state: str
    feedback: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"fraction": self.fraction, "state": self.state, "feedback": list(self.feedback)}


UNANSWERED = Grade(0.0, "unanswered")
INVALID = Grade(0.0, "invalid")


def _graded(fraction: float, feedback: Sequence[str] = ()) -> Grade:
    fraction = round(fraction, FRACTION_DIGITS)
    state = ("correct" if fraction >= 1 - _EPSILON
             else "incorrect" if fraction <= _EPSILON else "partial")
    return Grade(fraction, state, [f for f in feedback if f])


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) \
        or (isinstance(value, (list, dict)) and not value)


# --- text comparison for short answers -----------------------------------------------------

_WILD = "\ue000"
_STAR = "\ue001"


def _strip_marks(text: str) -> str:
    """Diacritics removed as ``fold`` does (đ -> d), letter case kept."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def comparable(text: str, *, case_sensitive: bool, accent_sensitive: bool) -> str:
    """The form in which a short answer and a pattern are compared."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    if not accent_sensitive:
        return _strip_marks(text) if case_sensitive else fold(text)
    return text if case_sensitive else text.lower()


def matches_pattern(pattern: str, response: str, *, case_sensitive: bool = False,
                    accent_sensitive: bool = True) -> bool:
    """Moodle's short-answer matching: the whole response against the pattern, ``*`` any
    text (also none), ``\\*`` a literal star."""
    marked = pattern.replace("\\*", _STAR).replace("*", _WILD).replace(_STAR, "*")
    options = {"case_sensitive": case_sensitive, "accent_sensitive": accent_sensitive}
    pieces = comparable(marked, **options).split(_WILD)
    regex = ".*".join(re.escape(p) for p in pieces)
    return re.fullmatch(regex, comparable(response, **options), re.DOTALL) is not None


def _best(matching: Sequence[Mapping[str, Any]]) -> Grade:
    if not matching:
        return _graded(0.0)
    best = max(matching, key=lambda a: a["fraction"])  # max keeps the first on ties
    return _graded(best["fraction"], [best.get("feedback", "")])


# --- grading by type -----------------------------------------------------------------------


def _single(q, r) -> Grade:
    choice = r.get("choice")
    if choice is None:
        return UNANSWERED
    answer = next((a for a in q["answers"] if _is_id(choice) and a["id"] == choice), None)
    if answer is None:
        return INVALID
    return _graded(answer["fraction"], [answer.get("feedback", "")])


def _multiple(q, r) -> Grade:
    choices = r.get("choices")
    if _empty(choices):
        return UNANSWERED
    ids = {a["id"] for a in q["answers"]}
    if not isinstance(choices, list) or not all(_is_id(c) and c in ids for c in choices):
        return INVALID
    chosen = [a for a in q["answers"] if a["id"] in set(choices)]
    total = min(1.0, max(0.0, sum(a["fraction"] for a in chosen)))
    return _graded(total, [a.get("feedback", "") for a in chosen])


def _true_false(q, r) -> Grade:
    value = r.get("value")
    if value is None:
        return UNANSWERED
    if not isinstance(value, bool):
        return INVALID
    answer = next(a for a in q["answers"] if a["value"] is value)
    return _graded(1.0 if value is q["options"]["correct"] else 0.0,
                   [answer.get("feedback", "")])


def _short_answer(q, r) -> Grade:
    text = r.get("text")
    if _empty(text):
        return UNANSWERED
    if not isinstance(text, str):
        return INVALID
    options = {"case_sensitive": bool(q["options"].get("case_sensitive", False)),
               "accent_sensitive": bool(q["options"].get("accent_sensitive", True))}
    return _best([a for a in q["answers"] if matches_pattern(a["text"], text, **options)])


def response_number(value: Any) -> float | None:
    """The number a numerical response stands for, or None when it is not one."""
    if is_number(value):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        return parse_number(value)
    return None


def number_matches(answer: Mapping[str, Any], value: float) -> bool:
    """Within tolerance or range, with a hair of slack so that 3.15 is within 3.14 ± 0.01
    despite binary floating point."""
    kind = answer.get("kind")
    if kind == "any":
        return True
    if kind == "range":
        slack = _EPSILON * max(1.0, abs(answer["min"]), abs(answer["max"]))
        return answer["min"] - slack <= value <= answer["max"] + slack
    target, tolerance = answer["value"], answer["tolerance"]
    slack = _EPSILON * max(1.0, abs(target), tolerance)
    return abs(value - target) <= tolerance + slack


def _numerical(q, r) -> Grade:
    raw = r.get("value")
    if _empty(raw):
        return UNANSWERED
    value = response_number(raw)
    if value is None:
        return INVALID
    return _best([a for a in q["answers"] if number_matches(a, value)])


def _matching_pairs(q, r) -> dict[int, str] | None:
    """The answered pairs as {left id: right text}, or None when the response is malformed."""
    pairs = r.get("pairs")
    if pairs is None:
        return {}
    if not isinstance(pairs, Mapping):
        return None
    stems = {a["id"] for a in q["answers"] if a["text"]}
    out: dict[int, str] = {}
    for key, value in pairs.items():
        ident = key if _is_id(key) else int(key) if isinstance(key, str) \
            and key.strip().isdigit() and key.strip().isascii() else None
        if ident not in stems:
            return None
        if value is None:
            continue
        if not isinstance(value, str):
            return None
        if value.strip():
            out[ident] = " ".join(unicodedata.normalize("NFC", value).split())
    return out


def _matching(q, r) -> Grade:
    pairs = _matching_pairs(q, r)
    if pairs is None:
        return INVALID
    if not pairs:
        return UNANSWERED
    real = [a for a in q["answers"] if a["text"]]
    right = sum(1 for a in real if pairs.get(a["id"]) == " ".join(a["match"].split()))
    return _graded(right / len(real))


def _ordering_response(q, r) -> list[int] | None:
    order = r.get("order")
    ids = [a["id"] for a in q["answers"]]
    if not isinstance(order, list) or len(order) != len(ids) \
            or not all(_is_id(i) for i in order) or sorted(order) != sorted(ids):
        return None
    return order


def _ordering(q, r) -> Grade:
    if _empty(r.get("order")):
        return UNANSWERED
    order = _ordering_response(q, r)
    if order is None:
        return INVALID
    correct = [a["id"] for a in q["answers"]]
    grading = q["options"].get("grading", "absolute_position")
    if grading == "all_or_nothing":
        return _graded(1.0 if order == correct else 0.0)
    if grading == "relative_next":
        position = {ident: i for i, ident in enumerate(correct)}
        right = sum(1 for a, b in zip(order, order[1:]) if position[b] == position[a] + 1)
        return _graded(right / (len(order) - 1))
    return _graded(sum(1 for a, b in zip(order, correct) if a == b) / len(order))


def _essay(q, r) -> Grade:
    text = r.get("text")
    if _empty(text):
        return UNANSWERED
    if not isinstance(text, str):
        return INVALID
    return Grade(None, "needs_grading")


_GRADERS = {
    "single_choice": _single,
    "multiple_response": _multiple,
    "true_false": _true_false,
    "short_answer": _short_answer,
    "numerical": _numerical,
    "matching": _matching,
    "ordering": _ordering,
    "essay": _essay,
    "description": lambda q, r: Grade(None, "not_graded"),
}


def grade(question: Mapping[str, Any], response: Any) -> Grade:
    """Grade ``response`` (see the module docstring for its shape per type). Never raises on
    a malformed response."""
    grader = _GRADERS.get(question.get("type"))
    if grader is None:
        return INVALID
    if response is None:
        response = {}
    if not isinstance(response, Mapping):
        return INVALID
    return grader(question, response)


def word_count(text: str) -> int:
    return len(text.split())


def essay_length_problem(question: Mapping[str, Any], text: str) -> tuple[str, str] | None:
    """(vi, en) when an essay response is outside the question's word limits, for the page to
    show before submitting; grading leaves the judgement to the grader."""
    options = question.get("options", {})
    words, low, high = word_count(text), options.get("min_words", 0), options.get("max_words", 0)
    if low and words < low:
        return (f"Bài viết có {words} từ; cần ít nhất {low} từ.",
                f"The answer has {words} words; at least {low} are required.")
    if high and words > high:
        return (f"Bài viết có {words} từ; tối đa {high} từ.",
                f"The answer has {words} words; at most {high} are allowed.")
    return None


# --- what the trainee sees -----------------------------------------------------------------


def _rank(seed: int, salt: str, key: Any) -> bytes:
    """A shuffle that depends on nothing but (seed, salt, key): stable across Python versions
    and processes, and an answer added later does not reorder the others."""
    return hashlib.blake2b(f"{seed}\x1f{salt}\x1f{key}".encode(), digest_size=8).digest()


def _shuffled(items: Sequence[Any], seed: int, salt: str, key=lambda a: a["id"]) -> list[Any]:
    """``items`` sorted by ``_rank``. The order is remembered: the attempt page, every reload
    and the review after the submit sort the same choices of the same attempt again (twenty
    questions, some sixty hashes per page)."""
    order = _rank_order(f"{seed}\x1f{salt}\x1f".encode(), tuple(key(a) for a in items))
    return [items[i] for i in order]


@functools.lru_cache(maxsize=32768)
def _rank_order(prefix: bytes, keys: tuple[Any, ...]) -> tuple[int, ...]:
    blake2b = hashlib.blake2b
    ranks = [blake2b(prefix + f"{k}".encode(), digest_size=8).digest() for k in keys]
    return tuple(sorted(range(len(keys)), key=ranks.__getitem__))


def _choices(q, seed: int, shuffle: bool) -> list[Mapping[str, Any]]:
    answers = q["answers"]
    if shuffle and q["options"].get("shuffle_answers", True):
        answers = _shuffled(answers, seed, "answers")
    return answers


def _ordering_items(q, seed: int) -> list[Mapping[str, Any]]:
    """Always shuffled (the authored order is the answer), and never shown already solved."""
    items = _shuffled(q["answers"], seed, "items")
    if len(items) > 1 and [a["id"] for a in items] == [a["id"] for a in q["answers"]]:
        items = items[1:] + items[:1]
    return items


def _right_texts(q, seed: int) -> list[str]:
    """Every right-hand side once, always shuffled: in authored order the k-th option would
    answer the k-th stem."""
    texts = list(dict.fromkeys(a["match"] for a in q["answers"]))
    return _shuffled(texts, seed, "choices", key=lambda t: t)


def public_view(question: Mapping[str, Any], seed: int, shuffle: bool = True) -> dict[str, Any]:
    """What a trainee's page may receive before review: rendered text, answer ids and texts in
    an order fixed by ``seed`` (pass one seed per attempt and question), and nothing that tells
    the answer: no fractions, feedback, patterns, numbers, matches or general feedback. The
    question's name is left out too: authors often put the answer in it."""
    q, fmt = question, question["text_format"]
    view: dict[str, Any] = {"type": q["type"], "text_html": render_text(q["text"], fmt)}
    qtype = q["type"]
    if qtype in ("single_choice", "multiple_response"):
        view["choices"] = [{"id": a["id"], "html": render_text(a["text"], fmt, inline=True)}
                           for a in _choices(q, seed, shuffle)]
    elif qtype == "true_false":
        view["choices"] = [{"id": 1, "html": TRUE_LABEL, "value": True},
                           {"id": 2, "html": FALSE_LABEL, "value": False}]
    elif qtype == "short_answer":
        view["input"] = "text"
    elif qtype == "numerical":
        view["input"] = "number"
    elif qtype == "matching":
        stems = [a for a in q["answers"] if a["text"]]
        if shuffle and q["options"].get("shuffle_answers", True):
            stems = _shuffled(stems, seed, "stems")
        view["stems"] = [{"id": a["id"], "html": render_text(a["text"], fmt, inline=True)}
                         for a in stems]
        view["choices"] = [{"text": t, "html": html.escape(t, quote=False)}
                           for t in _right_texts(q, seed)]
    elif qtype == "ordering":
        view["items"] = [{"id": a["id"], "html": render_text(a["text"], fmt, inline=True)}
                         for a in _ordering_items(q, seed)]
    elif qtype == "essay":
        options = q["options"]
        view.update(min_words=options.get("min_words", 0), max_words=options.get("max_words", 0),
                    response_template=options.get("response_template", ""))
    return view


def _feedback_html(text: str, fmt: str) -> str:
    return render_text(text, fmt) if text else ""


def review_view(question: Mapping[str, Any], response: Any, grade: Grade, *,
                seed: int | None = None, shuffle: bool = False) -> dict[str, Any]:
    """The page after review is allowed: the public view (in the order the trainee saw it when
    ``seed`` is given) plus the grade, what was chosen, the right answers and all feedback."""
    q, fmt = question, question["text_format"]
    view = public_view(q, 0 if seed is None else seed, shuffle and seed is not None)
    r = response if isinstance(response, Mapping) else {}
    view.update(
        state=grade.state, fraction=grade.fraction,
        feedback_html=[render_text(f, fmt) for f in grade.feedback],
        general_feedback_html=_feedback_html(q.get("general_feedback", ""), fmt),
    )
    by_id = {a["id"]: a for a in q["answers"]}
    qtype = q["type"]
    if qtype in ("single_choice", "multiple_response", "true_false"):
        chosen = _chosen(qtype, r)
        for choice in view["choices"]:
            a = by_id[choice["id"]]
            choice.update(fraction=a["fraction"], selected=choice["id"] in chosen,
                          feedback_html=_feedback_html(a.get("feedback", ""), fmt))
        if qtype == "true_false":
            view["correct_value"] = q["options"]["correct"]
    elif qtype in ("short_answer", "numerical"):
        view["answers"] = [{**{k: v for k, v in a.items() if k != "feedback"},
                            "feedback_html": _feedback_html(a.get("feedback", ""), fmt)}
                           for a in q["answers"]]
        if qtype == "short_answer":
            text = r.get("text")
            view["response_text"] = text if isinstance(text, str) else None
        else:
            view["response_value"] = response_number(r.get("value"))
    elif qtype == "matching":
        pairs = _matching_pairs(q, r) or {}
        for stem in view["stems"]:
            a = by_id[stem["id"]]
            given = pairs.get(a["id"])
            stem.update(correct_match=a["match"], response=given,
                        correct=given == " ".join(a["match"].split()))
    elif qtype == "ordering":
        order = _ordering_response(q, r) or []
        view["correct_order"] = [{"id": a["id"],
                                  "html": render_text(a["text"], fmt, inline=True)}
                                 for a in q["answers"]]
        view["response_order"] = order
    elif qtype == "essay":
        text = r.get("text")
        view["response_text"] = text if isinstance(text, str) else None
    return view


def _chosen(qtype: str, r: Mapping[str, Any]) -> set[int]:
    if qtype == "single_choice":
        return {r["choice"]} if _is_id(r.get("choice")) else set()
    if qtype == "multiple_response":
        choices = r.get("choices")
        return {c for c in choices if _is_id(c)} if isinstance(choices, list) else set()
    value = r.get("value")
    return {1 if value else 2} if isinstance(value, bool) else set()
