"""The stored shape of every question type, and the rules it must obey. No database, no HTTP.

One canonical dict per question, shared by the JSON API, every importer (Aiken, GIFT, later
Moodle XML) and grading, so that a question means the same thing wherever it came from::

    {"type": "single_choice", "name": "...", "text": "author's source",
     "text_format": "markdown" | "html" | "plain" | "moodle",
     "answers": [...], "options": {...}, "general_feedback": "..."}

Every answer carries a stable integer ``id`` (unique within its question, 1..n for a new
question). Trainees see answers shuffled and their responses name answers by id, so a response
saved today still means the same answer after a lecturer reorders or adds answers tomorrow:
``normalise`` keeps existing ids and only numbers answers that have none.

Answer shapes (``fraction`` is the share of the mark, -1..1; feedback and texts are in the
question's ``text_format``):

* ``single_choice``, ``multiple_response``: ``{"id", "text", "fraction", "feedback"}``
* ``true_false``: always ``[{"id": 1, "value": True, "text": "Đúng", ...},
  {"id": 2, "value": False, "text": "Sai", ...}]``; the truth lives in ``options["correct"]``
  and the fractions follow from it
* ``short_answer``: ``{"id", "text" (pattern, ``*`` wildcard, ``\\*`` a literal star),
  "fraction", "feedback"}``
* ``numerical``: ``{"id", "kind": "tolerance", "value", "tolerance", ...}``,
  ``{"id", "kind": "range", "min", "max", ...}`` or ``{"id", "kind": "any", ...}`` (Moodle's
  ``*`` answer: matches every number, only as the last answer, for "otherwise" feedback), each
  with ``"fraction"`` and ``"feedback"``
* ``matching``: ``{"id", "text" (left; "" makes the right side a distractor), "match"}``
* ``ordering``: ``{"id", "text"}`` listed in the correct order
* ``essay``, ``description``: no answers

Choices made where Moodle leaves room, and why:

* matching needs at least 2 real pairs (Moodle's importer accepts 2, its form asks for 2
  questions and 3 answers; we accept 2 so that short true-pairs exercises import);
* ordering grades by ``absolute_position`` unless told otherwise (partial credit, Moodle's
  default); ``relative_next`` is Moodle's "relative to the next item, excluding the last";
* short answer and numerical need one answer worth 100 %, as Moodle's edit form does, so full
  marks are always reachable;
* the default text format of a new question is Markdown (the bank's native format); GIFT files
  default to ``moodle`` as Moodle itself does.
"""

from __future__ import annotations

import functools
import html
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Sequence

import nh3

from lms_core.content import render_markdown
from lms_core.text import fold

QUESTION_TYPES = (
    "single_choice", "multiple_response", "true_false", "short_answer", "numerical",
    "matching", "ordering", "essay", "description",
)
MULTICHOICE_TYPES = ("single_choice", "multiple_response")
TEXT_FORMATS = ("markdown", "html", "plain", "moodle")
ORDERING_GRADINGS = ("all_or_nothing", "absolute_position", "relative_next")
NUMERICAL_KINDS = ("tolerance", "range", "any")
TRUE_LABEL, FALSE_LABEL = "Đúng", "Sai"
#: Where a GIFT answer block stood inside the text ("fill the blank"); Moodle shows the same.
BLANK = "_____"

NAME_LENGTH = 100
MAX_NAME = 255
#: Moodle stores fractions as DECIMAL(12,7): rounding here keeps every importer and the API in
#: agreement and makes ``1/3`` the same number after a GIFT round trip.
FRACTION_DIGITS = 7
_TOLERANCE = 1e-6
#: Moodle's rule for multiple-response questions: the positive grades add up to 100 %.
_SUM_TOLERANCE = 0.01

DEFAULT_OPTIONS: dict[str, dict[str, Any]] = {
    "single_choice": {"shuffle_answers": True},
    "multiple_response": {"shuffle_answers": True},
    "true_false": {},
    "short_answer": {"case_sensitive": False, "accent_sensitive": True},
    "numerical": {},
    "matching": {"shuffle_answers": True},
    "ordering": {"grading": "absolute_position"},
    "essay": {"min_words": 0, "max_words": 0, "response_template": ""},
    "description": {},
}
_OPTION_KEYS = {t: set(d) | ({"correct"} if t == "true_false" else set())
                for t, d in DEFAULT_OPTIONS.items()}
_ANSWER_KEYS = {
    "single_choice": {"id", "text", "fraction", "feedback"},
    "multiple_response": {"id", "text", "fraction", "feedback"},
    "true_false": {"id", "value", "text", "fraction", "feedback"},
    "short_answer": {"id", "text", "fraction", "feedback"},
    "matching": {"id", "text", "match"},
    "ordering": {"id", "text"},
}
_NUMERICAL_KEYS = {
    "tolerance": {"id", "kind", "value", "tolerance", "fraction", "feedback"},
    "range": {"id", "kind", "min", "max", "fraction", "feedback"},
    "any": {"id", "kind", "fraction", "feedback"},
}


@dataclass(frozen=True)
class QuestionProblem:
    """One reason a question is not valid. ``field`` is a dotted path ("answers.2.fraction",
    0-based like pydantic's ``loc``), ``index`` the answer it concerns, if any."""

    code: str
    field: str
    message: str
    message_en: str
    index: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "field": self.field, "message": self.message,
                "message_en": self.message_en}


# --- small helpers shared by importers and grading --------------------------------------------


def is_number(value: Any) -> bool:
    """A real JSON number: bool is an int in Python but never a grade or a value here."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def clean_text(text: str) -> str:
    """NFC (one spelling per Vietnamese letter), one kind of line break, no edge whitespace."""
    text = unicodedata.normalize("NFC", text)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


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


_SPACES = " \u00a0\u202f\u2009'"
_GROUPED = re.compile(r"\d{1,3}(?:(?P<sep>[.,%s])\d{3})(?:(?P=sep)\d{3})*" % _SPACES)
_EXPONENT = re.compile(r"[eE][+-]?\d{1,3}$")


def parse_number(text: str) -> float | None:
    """Read a number as a Vietnamese or English speaker types it, or ``None``.

    ``3,14`` and ``3.14`` are both 3.14 (one separator is always the decimal one, since
    Vietnamese writes a decimal comma); thousands groups need 3 digits: ``1.234.567``,
    ``1,234,567``, ``1 234 567``, and with both separators the last one is the decimal one
    (``1.234,5`` and ``1,234.5``). A single ``1.000`` is therefore 1, not a thousand: a number
    with one separator is read as a decimal, the way calculators and spreadsheets show it.
    An exponent (``1e-5``) and a leading sign (``-``, ``+``, ``−``) are allowed.
    """
    if not isinstance(text, str):
        return None
    s = unicodedata.normalize("NFKC", text).strip().replace("\u2212", "-")
    sign = ""
    if s and s[0] in "+-":
        sign, s = s[0], s[1:].lstrip()
    exponent = ""
    match = _EXPONENT.search(s)
    if match:
        exponent, s = match.group(0), s[: match.start()]
    mantissa = _mantissa(s)
    if mantissa is None:
        return None
    try:
        value = float(sign + mantissa + exponent)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _mantissa(s: str) -> str | None:
    """The digits of ``s`` with a ``.`` decimal point, or None when ``s`` is not a number."""
    if re.fullmatch(r"\d+(?:[.,]\d*)?|[.,]\d+", s):
        return s.replace(",", ".")
    # grouped thousands, optionally followed by a decimal part with the other separator
    grouped = _GROUPED.match(s)
    if not grouped:
        return None
    sep = grouped.group("sep")
    rest = s[grouped.end():]
    digits = grouped.group(0).replace(sep, "")
    if not rest:
        # "1.234" and "1,234" (one separator) were read as decimals above; here the separator
        # occurs at least twice, or it is a space, which is never a decimal point
        return digits
    decimal = "," if sep == "." else "."
    if sep in _SPACES:
        decimal = "[.,]"
    if re.fullmatch(f"{decimal}\\d+", rest):
        return digits + "." + rest[1:]
    return None


_TAGS = re.compile(r"<[^>]*>")


def plain_text(text: str, text_format: str) -> str:
    """Text without markup, for names and search keys of HTML questions."""
    if text_format in ("html", "moodle"):
        return html.unescape(_TAGS.sub(" ", text))
    return text


# --- rendering (sanitised HTML for the trainee's page) ----------------------------------------

#: Question HTML from Moodle uses a few tags lesson Markdown never produces (sub/sup for
#: formulas, b/i/u from old editors): the allow-list is the lesson one plus those, still with no
#: attributes beyond links and images and no scripts or styles.
_QUESTION_HTML = nh3.Cleaner(
    tags={
        "h1", "h2", "h3", "h4", "h5", "h6", "p", "div", "span", "ul", "ol", "li", "dl", "dt",
        "dd", "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "code", "pre",
        "blockquote", "em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup", "small",
        "mark", "a", "img", "hr", "br", "figure", "figcaption",
    },
    attributes={"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
                "ol": {"start"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}},
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer",
    strip_comments=True,
)
_BLANK_MD = BLANK.replace("_", "\\_")


def render_text(text: str, text_format: str, *, inline: bool = False) -> str:
    """Sanitised HTML for any stored text. ``inline`` drops a lone wrapping ``<p>`` so that an
    answer can sit inside a label. Short texts (question and answer texts, nearly all of them)
    are cached: every trainee of a class sees the same questions, and rendering Markdown and
    sanitising it cost more than the rest of an attempt page."""
    if len(text) <= _CACHED_TEXT:
        return _render_cached(text, text_format, inline)
    return _render(text, text_format, inline)


_CACHED_TEXT = 4000


@functools.lru_cache(maxsize=8192)
def _render_cached(text: str, text_format: str, inline: bool) -> str:
    return _render(text, text_format, inline)


def _render(text: str, text_format: str, inline: bool) -> str:
    if text_format == "markdown":
        # a fill-the-blank marker alone on a line would otherwise become a horizontal rule
        out = render_markdown(text.replace(BLANK, _BLANK_MD))
    elif text_format == "html":
        out = _QUESTION_HTML.clean(text)
    elif text_format == "moodle":
        # Moodle's own format: HTML allowed, line breaks kept
        out = _QUESTION_HTML.clean(text.replace("\n", "<br>\n"))
    else:
        escaped = html.escape(text, quote=False).replace("\n", "<br>\n")
        out = escaped if inline else f"<p>{escaped}</p>"
    out = out.strip()
    if inline and out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    return out


# --- normalise ---------------------------------------------------------------------------------


def _fraction(value: Any) -> Any:
    return round(float(value), FRACTION_DIGITS) if is_number(value) else value


def _number(value: Any) -> Any:
    if is_number(value):
        return float(value)
    if isinstance(value, str):
        parsed = parse_number(value)
        return value if parsed is None else parsed
    return value


def _assign_ids(answers: list[Any]) -> None:
    """Keep every valid, unique id; number the rest after the largest one."""
    used: set[int] = set()
    pending = []
    for a in answers:
        if not isinstance(a, dict):
            continue
        i = a.get("id")
        if isinstance(i, int) and not isinstance(i, bool) and i >= 1 and i not in used:
            used.add(i)
        else:
            pending.append(a)
    next_id = max(used, default=0) + 1
    for a in pending:
        a["id"] = next_id
        next_id += 1


def _texts(answer: dict[str, Any], *keys: str) -> None:
    for key in keys:
        if isinstance(answer.get(key), str):
            answer[key] = clean_text(answer[key])


def _normalise_answer(qtype: str, answer: Any) -> Any:
    if not isinstance(answer, Mapping):
        return answer
    a = dict(answer)
    _texts(a, "text", "feedback", "match")
    if qtype in ("single_choice", "multiple_response", "short_answer", "numerical"):
        a.setdefault("feedback", "")
        if "fraction" in a:
            a["fraction"] = _fraction(a["fraction"])
    if qtype == "matching":
        a.setdefault("text", "")
    if qtype == "numerical":
        if "kind" not in a:
            a["kind"] = ("range" if "min" in a or "max" in a
                         else "any" if a.get("value") == "*" else "tolerance")
            if a["kind"] == "any":
                a.pop("value", None)
        if a["kind"] == "tolerance":
            a.setdefault("tolerance", 0.0)
        for key in ("value", "tolerance", "min", "max"):
            if key in a:
                a[key] = _number(a[key])
    return a


_TRUE_WORDS = {"dung", "true", "t", "d", "yes"}
_FALSE_WORDS = {"sai", "false", "f", "s", "no"}


def _normalise_true_false(answers: Any, options: dict[str, Any]) -> Any:
    """Always the same two answers; the truth lives in ``options["correct"]``.

    Rows written before this module (two answers ``{"text", "fraction"}``) are read by their
    text ("Đúng"/"Sai", "True"/"False") or, failing that, by position (true first).
    """
    if not isinstance(answers, list) or not all(isinstance(a, Mapping) for a in answers):
        return answers
    by_value: dict[bool, Mapping[str, Any]] = {}
    for a in answers:
        if isinstance(a.get("value"), bool):
            by_value.setdefault(a["value"], a)
    if not answers:  # {"options": {"correct": false}} is enough to make one
        by_value = {True: {}, False: {}}
    elif not by_value and len(answers) == 2:
        words = [fold(str(a.get("text", ""))).strip(".") for a in answers]
        if words[0] in _FALSE_WORDS or words[1] in _TRUE_WORDS:
            by_value = {False: answers[0], True: answers[1]}
        else:
            by_value = {True: answers[0], False: answers[1]}
    if len(by_value) != 2 or len(answers) not in (0, 2):
        return answers  # validate says what is wrong
    if not isinstance(options.get("correct"), bool):
        for value in (True, False):
            f = by_value[value].get("fraction")
            if is_number(f) and abs(f - 1.0) < _TOLERANCE:
                options["correct"] = value
    correct = options.get("correct")

    def one(value: bool) -> dict[str, Any]:
        feedback = by_value[value].get("feedback", "")
        return {"id": 1 if value else 2, "value": value,
                "text": TRUE_LABEL if value else FALSE_LABEL,
                "fraction": 1.0 if correct is value else 0.0,
                "feedback": clean_text(feedback) if isinstance(feedback, str) else feedback}

    return [one(True), one(False)]


def normalise(question: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical form: defaults filled, texts NFC and stripped, fractions rounded to
    7 digits, answer ids assigned. Never raises: whatever cannot be repaired is left for
    ``validate`` to report. Keys outside the canonical seven are dropped."""
    q = question if isinstance(question, Mapping) else {}
    qtype = q.get("type")
    qtype = qtype.strip() if isinstance(qtype, str) else qtype
    text = q.get("text", "")
    text = clean_text(text) if isinstance(text, str) else text
    text_format = q.get("text_format") or "markdown"
    text_format = text_format.strip().lower() if isinstance(text_format, str) else text_format
    name = q.get("name") or ""
    if isinstance(name, str):
        name = " ".join(unicodedata.normalize("NFC", name).split())
        if not name and isinstance(text, str):
            name = question_name(plain_text(text, str(text_format)))
    general_feedback = q.get("general_feedback") or ""
    if isinstance(general_feedback, str):
        general_feedback = clean_text(general_feedback)
    options: Any = q.get("options")
    if options is None:
        options = {}
    if isinstance(options, Mapping):
        defaults = DEFAULT_OPTIONS.get(qtype, {}) if isinstance(qtype, str) else {}
        options = {**defaults, **options}
        if isinstance(options.get("response_template"), str):
            options["response_template"] = clean_text(options["response_template"])
    answers: Any = q.get("answers")
    if answers is None:
        answers = []
    if isinstance(answers, list) and isinstance(qtype, str):
        if qtype == "true_false" and isinstance(options, dict):
            answers = _normalise_true_false(answers, options)
        else:
            answers = [_normalise_answer(qtype, a) for a in answers]
            _assign_ids(answers)
            answers = [{"id": a["id"], **a} if isinstance(a, dict) else a for a in answers]
    return {"type": qtype, "name": name, "text": text, "text_format": text_format,
            "answers": answers, "options": options, "general_feedback": general_feedback}


# --- validate ----------------------------------------------------------------------------------


class _Problems(list):
    def add(self, code: str, field: str, vi: str, en: str, index: int | None = None) -> None:
        self.append(QuestionProblem(code, field, vi, en, index))


def validate(question: Mapping[str, Any]) -> list[QuestionProblem]:
    """Every reason ``question`` (normalised) is not a valid question of its type.

    Run ``normalise`` first: this reports what is missing (an id, an option) rather than
    inventing it. Never raises, whatever the input.
    """
    p = _Problems()
    if not isinstance(question, Mapping):
        p.add("not_an_object", "", "Câu hỏi phải là một đối tượng JSON.",
              "A question must be a JSON object.")
        return p
    qtype = question.get("type")
    if qtype not in QUESTION_TYPES:
        p.add("unknown_type", "type",
              f"Loại câu hỏi «{qtype}» không được hỗ trợ; cần một trong: "
              f"{', '.join(QUESTION_TYPES)}.",
              f"Question type «{qtype}» is not supported; expected one of: "
              f"{', '.join(QUESTION_TYPES)}.")
        return p
    _common(question, p)
    answers = question.get("answers")
    options = question.get("options")
    if not isinstance(answers, list) or not all(isinstance(a, Mapping) for a in answers):
        p.add("bad_answers", "answers", "Danh sách phương án phải là một mảng các đối tượng.",
              "Answers must be a list of objects.")
        return p
    if not isinstance(options, Mapping):
        p.add("bad_options", "options", "Tùy chọn (options) phải là một đối tượng.",
              "Options must be an object.")
        return p
    for key in sorted(set(options) - _OPTION_KEYS[qtype]):
        p.add("unknown_option", f"options.{key}",
              f"Tùy chọn «{key}» không dùng cho loại câu hỏi {qtype}.",
              f"Option «{key}» does not apply to {qtype} questions.")
    if qtype in ("essay", "description"):
        if answers:
            p.add("unexpected_answers", "answers",
                  "Loại câu hỏi này không có phương án trả lời.",
                  "This question type has no answers.")
    else:
        _ids_and_keys(qtype, answers, p)
    _CHECKS[qtype](answers, options, p)
    return p


def _common(q: Mapping[str, Any], p: _Problems) -> None:
    text = q.get("text")
    if not isinstance(text, str) or not text.strip():
        p.add("missing_text", "text", "Thiếu nội dung câu hỏi.", "The question text is missing.")
    if q.get("text_format") not in TEXT_FORMATS:
        p.add("bad_format", "text_format",
              f"Định dạng văn bản «{q.get('text_format')}» không hợp lệ; cần một trong: "
              f"{', '.join(TEXT_FORMATS)}.",
              f"Text format «{q.get('text_format')}» is not valid; expected one of: "
              f"{', '.join(TEXT_FORMATS)}.")
    name = q.get("name")
    if not isinstance(name, str) or not name.strip():
        if isinstance(text, str) and text.strip():  # else it would only echo missing_text
            p.add("missing_name", "name", "Thiếu tên câu hỏi.", "The question name is missing.")
    elif len(name) > MAX_NAME:
        p.add("name_too_long", "name", f"Tên câu hỏi dài quá {MAX_NAME} ký tự.",
              f"The question name is longer than {MAX_NAME} characters.")
    if not isinstance(q.get("general_feedback"), str):
        p.add("bad_feedback", "general_feedback", "Nhận xét chung phải là văn bản.",
              "General feedback must be text.")
    if _has_nul(q):
        p.add("nul_character", "", "Câu hỏi chứa ký tự NUL (\\0), không lưu được.",
              "The question contains a NUL character (\\0), which cannot be stored.")


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_has_nul(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _ids_and_keys(qtype: str, answers: Sequence[Mapping[str, Any]], p: _Problems) -> None:
    seen: set[int] = set()
    for i, a in enumerate(answers):
        n = i + 1
        ident = a.get("id")
        if qtype == "true_false":
            pass  # its two fixed ids are checked with the rest of its shape
        elif not isinstance(ident, int) or isinstance(ident, bool) or ident < 1:
            p.add("bad_id", f"answers.{i}.id",
                  f"Phương án {n}: mã (id) phải là số nguyên dương.",
                  f"Answer {n}: id must be a positive integer.", i)
        elif ident in seen:
            p.add("duplicate_id", f"answers.{i}.id",
                  f"Phương án {n}: mã (id) {ident} bị trùng.",
                  f"Answer {n}: id {ident} is used twice.", i)
        else:
            seen.add(ident)
        if qtype == "numerical":
            kind = a.get("kind")
            allowed = _NUMERICAL_KEYS.get(kind, set(a)) if isinstance(kind, str) else set(a)
        else:
            allowed = _ANSWER_KEYS[qtype]
        for key in sorted(set(a) - allowed):
            p.add("unknown_key", f"answers.{i}.{key}",
                  f"Phương án {n}: trường «{key}» không dùng cho loại câu hỏi này.",
                  f"Answer {n}: field «{key}» does not apply to this question type.", i)
        for key in ("text", "feedback", "match"):
            if key in a and not isinstance(a[key], str):
                p.add("bad_answer_text", f"answers.{i}.{key}",
                      f"Phương án {n}: trường «{key}» phải là văn bản.",
                      f"Answer {n}: field «{key}» must be text.", i)


def _bad_fraction(f: Any, low: float) -> bool:
    return not is_number(f) or math.isnan(f) or not low <= f <= 1.0


def _fraction_problems(answers: Sequence[Mapping[str, Any]], p: _Problems,
                       low: float = -1.0) -> bool:
    before = len(p)
    for i, a in enumerate(answers):
        if _bad_fraction(a.get("fraction"), low):
            p.add("bad_fraction", f"answers.{i}.fraction",
                  f"Phương án {i + 1}: điểm (fraction) phải nằm trong khoảng {low:g} đến 1.",
                  f"Answer {i + 1}: fraction must be between {low:g} and 1.", i)
    return len(p) > before


def choice_problems(qtype: str, answers: Sequence[Mapping[str, Any]]) -> list[QuestionProblem]:
    """The rules on the answers of the choice kinds (and of the legacy two-answer true/false
    rows): what ``questions.answer_problems`` has always checked."""
    p = _Problems()
    if _fraction_problems(answers, p):
        return p
    fractions = [a["fraction"] for a in answers]
    if len(answers) < 2:
        p.add("too_few_answers", "answers", "Cần ít nhất 2 phương án.",
              "At least 2 answers are needed.")
    for i, a in enumerate(answers):
        if not str(a.get("text", "")).strip():
            p.add("empty_answer", f"answers.{i}.text", f"Phương án {i + 1} để trống.",
                  f"Answer {i + 1} is empty.", i)
    full = sum(1 for f in fractions if abs(f - 1.0) < _TOLERANCE)
    positive = [f for f in fractions if f > _TOLERANCE]
    if not positive:
        p.add("no_correct_answer", "answers",
              "Cần ít nhất một phương án đúng (điểm lớn hơn 0).",
              "At least one answer must be correct (fraction above 0).")
    if qtype == "single_choice" and full != 1:
        p.add("single_needs_one_full", "answers",
              f"Câu hỏi một lựa chọn cần đúng một phương án điểm 1 (100%), đang có {full}.",
              f"A single-choice question needs exactly one answer with fraction 1 (100%), "
              f"found {full}.")
    elif qtype == "true_false":
        zero = sum(1 for f in fractions if abs(f) < _TOLERANCE)
        if len(answers) != 2 or full != 1 or zero != 1:
            p.add("true_false_answers", "answers",
                  "Câu hỏi Đúng/Sai cần đúng 2 phương án: một điểm 1, một điểm 0.",
                  "A true/false question needs exactly 2 answers: one with fraction 1, "
                  "one with fraction 0.")
    elif qtype == "multiple_response" and positive \
            and abs(sum(positive) - 1.0) > _SUM_TOLERANCE:
        total = round(sum(positive) * 100, 2)
        p.add("sum_not_one", "answers",
              f"Câu hỏi nhiều lựa chọn: tổng điểm các phương án đúng phải bằng 1 (100%), "
              f"đang là {total:g}%.",
              f"A multiple-response question's positive fractions must add up to 1 (100%), "
              f"they add up to {total:g}%.")
    return p


def _check_choice(qtype: str):
    def check(answers, options, p: _Problems) -> None:
        p.extend(choice_problems(qtype, answers))
        _bool_option(options, "shuffle_answers", p)
        _feedback_text(answers, p)
    return check


def _feedback_text(answers, p: _Problems) -> None:
    for i, a in enumerate(answers):
        if not isinstance(a.get("feedback", ""), str):
            p.add("bad_answer_text", f"answers.{i}.feedback",
                  f"Phương án {i + 1}: nhận xét phải là văn bản.",
                  f"Answer {i + 1}: feedback must be text.", i)


def _bool_option(options, key: str, p: _Problems) -> None:
    if not isinstance(options.get(key), bool):
        p.add("bad_option", f"options.{key}",
              f"Tùy chọn «{key}» phải là true hoặc false.",
              f"Option «{key}» must be true or false.")


def _check_true_false(answers, options, p: _Problems) -> None:
    if not isinstance(options.get("correct"), bool):
        p.add("bad_option", "options.correct",
              "Câu hỏi Đúng/Sai cần tùy chọn «correct» là true hoặc false.",
              "A true/false question needs option «correct» set to true or false.")
        return
    correct = options["correct"]
    expected = [(1, True, 1.0 if correct else 0.0), (2, False, 0.0 if correct else 1.0)]
    actual = [(a.get("id"), a.get("value"), a.get("fraction")) for a in answers]
    if actual != expected or any(not isinstance(a.get("value"), bool) for a in answers):
        p.add("true_false_answers", "answers",
              "Câu hỏi Đúng/Sai cần đúng 2 phương án: id 1 «Đúng» (value true) và id 2 «Sai» "
              "(value false), điểm theo tùy chọn «correct».",
              "A true/false question needs exactly 2 answers: id 1 «Đúng» (value true) and "
              "id 2 «Sai» (value false), their fractions following option «correct».")
    _feedback_text(answers, p)


def _check_short_answer(answers, options, p: _Problems) -> None:
    _bool_option(options, "case_sensitive", p)
    _bool_option(options, "accent_sensitive", p)
    if not answers:
        p.add("too_few_answers", "answers", "Cần ít nhất 1 đáp án.",
              "At least 1 answer is needed.")
        return
    for i, a in enumerate(answers):
        if not str(a.get("text", "")).strip():
            p.add("empty_answer", f"answers.{i}.text", f"Đáp án {i + 1} để trống.",
                  f"Answer {i + 1} is empty.", i)
    if not _fraction_problems(answers, p, low=0.0):
        _full_marks(answers, p)
    _feedback_text(answers, p)


def _full_marks(answers, p: _Problems) -> None:
    if not any(abs(a["fraction"] - 1.0) < _TOLERANCE and a.get("kind") != "any"
               for a in answers):
        p.add("no_full_marks", "answers",
              "Cần ít nhất một đáp án được điểm tối đa (100%).",
              "At least one answer must be worth full marks (100%).")


def _finite(value: Any) -> bool:
    return is_number(value) and math.isfinite(value)


def _check_numerical(answers, options, p: _Problems) -> None:
    if not answers:
        p.add("too_few_answers", "answers", "Cần ít nhất 1 đáp án.",
              "At least 1 answer is needed.")
        return
    for i, a in enumerate(answers):
        n, kind = i + 1, a.get("kind")
        if kind not in NUMERICAL_KINDS:
            p.add("bad_kind", f"answers.{i}.kind",
                  f"Đáp án {n}: kiểu «{kind}» không hợp lệ; cần tolerance, range hoặc any.",
                  f"Answer {n}: kind «{kind}» is not valid; expected tolerance, range or any.",
                  i)
        elif kind == "tolerance":
            if not _finite(a.get("value")):
                p.add("bad_number", f"answers.{i}.value", f"Đáp án {n}: giá trị phải là số.",
                      f"Answer {n}: value must be a number.", i)
            if not _finite(a.get("tolerance")) or a["tolerance"] < 0:
                p.add("bad_tolerance", f"answers.{i}.tolerance",
                      f"Đáp án {n}: sai số cho phép phải là số không âm.",
                      f"Answer {n}: tolerance must be a number, 0 or more.", i)
        elif kind == "range":
            if not _finite(a.get("min")) or not _finite(a.get("max")):
                p.add("bad_number", f"answers.{i}.min",
                      f"Đáp án {n}: cận dưới và cận trên phải là số.",
                      f"Answer {n}: min and max must be numbers.", i)
            elif a["min"] > a["max"]:
                p.add("bad_range", f"answers.{i}.min",
                      f"Đáp án {n}: cận dưới {a['min']:g} lớn hơn cận trên {a['max']:g}.",
                      f"Answer {n}: min {a['min']:g} is greater than max {a['max']:g}.", i)
        elif i != len(answers) - 1:
            p.add("any_not_last", f"answers.{i}.kind",
                  f"Đáp án {n}: đáp án «mọi số khác» (any) chỉ được đứng cuối cùng.",
                  f"Answer {n}: the «any other number» answer must be the last one.", i)
    if not _fraction_problems(answers, p, low=0.0):
        _full_marks(answers, p)
    _feedback_text(answers, p)


def _check_matching(answers, options, p: _Problems) -> None:
    _bool_option(options, "shuffle_answers", p)
    for i, a in enumerate(answers):
        if not str(a.get("match", "")).strip():
            p.add("empty_match", f"answers.{i}.match",
                  f"Cặp {i + 1}: thiếu vế phải (match).",
                  f"Pair {i + 1}: the right-hand side (match) is missing.", i)
    real = [str(a.get("text", "")).strip() for a in answers if str(a.get("text", "")).strip()]
    if len(real) < 2:
        p.add("too_few_pairs", "answers",
              f"Câu hỏi ghép đôi cần ít nhất 2 cặp có vế trái, đang có {len(real)}.",
              f"A matching question needs at least 2 pairs with a left-hand side, "
              f"found {len(real)}.")
    _duplicates(answers, p, only_nonempty=True)


def _duplicates(answers, p: _Problems, *, only_nonempty: bool = False) -> None:
    seen: dict[str, int] = {}
    for i, a in enumerate(answers):
        text = str(a.get("text", "")).strip()
        if only_nonempty and not text:
            continue
        if text in seen:
            p.add("duplicate_item", f"answers.{i}.text",
                  f"Mục {i + 1} trùng nội dung với mục {seen[text] + 1}; người học không phân "
                  "biệt được.",
                  f"Item {i + 1} has the same text as item {seen[text] + 1}; trainees could not "
                  "tell them apart.", i)
        else:
            seen[text] = i


def _check_ordering(answers, options, p: _Problems) -> None:
    if options.get("grading") not in ORDERING_GRADINGS:
        p.add("bad_option", "options.grading",
              f"Cách chấm «{options.get('grading')}» không hợp lệ; cần một trong: "
              f"{', '.join(ORDERING_GRADINGS)}.",
              f"Grading «{options.get('grading')}» is not valid; expected one of: "
              f"{', '.join(ORDERING_GRADINGS)}.")
    if len(answers) < 2:
        p.add("too_few_answers", "answers", "Câu hỏi sắp xếp cần ít nhất 2 mục.",
              "An ordering question needs at least 2 items.")
    for i, a in enumerate(answers):
        if not str(a.get("text", "")).strip():
            p.add("empty_answer", f"answers.{i}.text", f"Mục {i + 1} để trống.",
                  f"Item {i + 1} is empty.", i)
    _duplicates(answers, p, only_nonempty=True)


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_essay(answers, options, p: _Problems) -> None:
    for key in ("min_words", "max_words"):
        if not _count(options.get(key)):
            p.add("bad_option", f"options.{key}",
                  f"Tùy chọn «{key}» phải là số nguyên không âm (0 = không giới hạn).",
                  f"Option «{key}» must be a whole number, 0 or more (0 = no limit).")
    if _count(options.get("min_words")) and _count(options.get("max_words")) \
            and options["max_words"] and options["min_words"] > options["max_words"]:
        p.add("bad_word_limits", "options.min_words",
              "Số từ tối thiểu lớn hơn số từ tối đa.",
              "The minimum word count is greater than the maximum.")
    if not isinstance(options.get("response_template"), str):
        p.add("bad_option", "options.response_template",
              "Tùy chọn «response_template» phải là văn bản.",
              "Option «response_template» must be text.")


def _check_nothing(answers, options, p: _Problems) -> None:
    pass


_CHECKS = {
    "single_choice": _check_choice("single_choice"),
    "multiple_response": _check_choice("multiple_response"),
    "true_false": _check_true_false,
    "short_answer": _check_short_answer,
    "numerical": _check_numerical,
    "matching": _check_matching,
    "ordering": _check_ordering,
    "essay": _check_essay,
    "description": _check_nothing,
}
