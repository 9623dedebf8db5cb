"""Quiz statistics as Moodle's quiz statistics report computes them, and their CSV/XLSX export.

Pure Python over plain records (``AttemptRecord`` holding ``SlotRecord``\\ s), no database and no
numpy, so the report, a scheduled recalculation and the tests all compute the same figures. The
formulas follow Moodle's ``mod/quiz/report/statistics`` (quiz level) and
``question/classes/statistics/questions/calculator.php`` (per slot), so a lecturer who knows
Moodle's report reads the same numbers here:

* quiz level, over each counted attempt's grade in % of its maximum: mean, median, sample
  standard deviation (n - 1), min, max; skewness ``k3 / k2^1.5`` (more than 2 attempts) and
  kurtosis ``k4 / k2^2`` (more than 3) from the sample cumulants k2, k3, k4; coefficient of
  internal consistency ``100 p/(p-1) (1 - sum of slot mark variances / variance of the total
  mark)`` (Cronbach's alpha, KR-20 for right/wrong items; p = the number of slots that are not
  descriptions), error ratio ``100 sqrt(1 - CIC/100)`` and standard error ``error ratio x sd``;
* per slot: facility (mean mark / max mark), standard deviation of the mark (% of max mark),
  discrimination index ``100 cov(mark, rest) / sqrt(var(mark) var(rest))`` where ``rest`` is the
  sum of the attempt's other slot marks, discriminative efficiency ``100 cov / cov_max`` where
  ``cov_max`` pairs the sorted marks with the sorted rest marks (the largest covariance the two
  distributions allow), and Moodle's random-guess score per question type.

Choices made where the brief or Moodle leave room, and why:

* Which attempts count (``first``, ``highest``, ``last``, ``all``) is decided per trainee *before*
  ungraded attempts are dropped, as Moodle does: a trainee whose last attempt still waits for an
  essay grade is missing from a "last attempt" report rather than silently represented by an
  older attempt. For ``highest`` an attempt that is not fully graded ranks as 0 (Moodle's
  ``COALESCE(sumgrades, 0)``), ties go to the earlier attempt.
* An essay not graded yet (``mark`` None) is never read as 0. Such an attempt is left out of the
  quiz-level figures and of every discrimination figure (the rest of its test is unknown), and
  out of that slot's facility; it still counts for the other slots' facility and for every
  answer frequency. The counts left out are reported (``excluded_ungraded``).
* Quiz-level grades are in % of each attempt's own maximum, so attempts made before and after a
  lecturer changed the quiz's marks stay comparable; an attempt whose maximum is 0 has no % and
  is counted in ``excluded_no_max_marks``. The CIC uses raw marks (it is a ratio of variances).
* A figure that cannot be computed is None, never an exception: no attempt, one attempt (no
  standard deviation), all marks equal (no discrimination), max mark 0 (no facility).
* Marks are not clamped: with negative marking a facility below 0 is what Moodle shows too.
"""

from __future__ import annotations

import bisect
import csv
import io
import math
import statistics as pystats
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from lms_core.spreadsheets import neutralise

from lms_quizzes.grading import comparable, response_number

WHICH_ATTEMPTS = ("first", "highest", "last", "all")
LOCALES = ("vi", "en")
#: How many distinct short-answer / numerical responses are listed before the rest become "other".
TOP_RESPONSES = 20
#: Row kinds of ``AnswerFrequency`` whose label is filled in by ``answer_label`` per locale.
SYNTHETIC_KINDS = ("no_answer", "invalid", "other", "order_correct", "order_incorrect",
                   "graded", "ungraded")

_SKIPPED_TYPES = frozenset({"description"})


# --- input records ---------------------------------------------------------------------------


@dataclass
class SlotRecord:
    """One question as it stood in one attempt.

    ``mark`` is None while an essay waits for a grader; ``answers`` is the question's answer list
    as ``qtypes`` stores it (integer ``id`` and ``text``, plus ``fraction``/``match``/``value``
    where the type has them) so responses can be labelled; ``options`` is the question's options
    (only ``ordering``'s ``grading`` is read, for the random-guess score).
    """

    slot: int
    question_id: int
    question_name: str
    question_type: str
    max_mark: float
    mark: float | None
    response: Any = field(default_factory=dict)
    answers: list[dict[str, Any]] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SlotRecord:
        """Build from a plain dict (a database row or JSON), ignoring unknown keys."""
        return cls(slot=data.get("slot", 0), question_id=data.get("question_id", 0),
                   question_name=data.get("question_name", "") or "",
                   question_type=data.get("question_type", "") or "",
                   max_mark=data.get("max_mark", 0.0), mark=data.get("mark"),
                   response=data.get("response") if data.get("response") is not None else {},
                   answers=list(data.get("answers") or []),
                   options=dict(data.get("options") or {}))


@dataclass
class AttemptRecord:
    """One finished attempt of one trainee; ``attempt_number`` 1 is the trainee's first."""

    attempt_id: int
    user_id: int
    user_name: str
    attempt_number: int
    sum_marks: float
    max_marks: float
    finished_at: datetime | None
    slots: list[SlotRecord] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AttemptRecord:
        """Build from a plain dict whose ``slots`` are dicts or ``SlotRecord``\\ s."""
        slots = [s if isinstance(s, SlotRecord) else SlotRecord.from_dict(s)
                 for s in data.get("slots") or [] if isinstance(s, (SlotRecord, Mapping))]
        return cls(attempt_id=data.get("attempt_id", 0), user_id=data.get("user_id", 0),
                   user_name=data.get("user_name", "") or "",
                   attempt_number=data.get("attempt_number", 1),
                   sum_marks=data.get("sum_marks", 0.0), max_marks=data.get("max_marks", 0.0),
                   finished_at=data.get("finished_at"), slots=slots)


# --- output ------------------------------------------------------------------------------------


@dataclass
class AnswerFrequency:
    """One row of a slot's response analysis.

    ``kind``: ``choice`` (an answer id of single/multiple choice), ``value`` (true/false),
    ``text`` (short answer), ``number`` (numerical), ``pair`` (matching: left id and the right
    text given), ``position`` (ordering: the item placed at its right ``position``),
    ``order_correct``/``order_incorrect`` (ordering as a whole), ``graded``/``ungraded``
    (essays), ``other`` (responses beyond the top ``TOP_RESPONSES``), ``no_answer``, ``invalid``.
    ``key`` is stable and machine-readable; ``label`` is what the trainee saw or typed (empty for
    the synthetic kinds, see ``answer_label``). ``percent`` is ``count`` out of the attempts
    that drew this question in this slot (the slot's ``responses`` unless the slot draws
    questions at random); ``fraction`` the credit this response earns, 0..1 (the answer's
    declared fraction, else the mean credit observed), None when it does not apply.
    ``question_name`` names the question the row belongs to: in a random slot it differs from
    the slot's first question.
    """

    slot: int
    question_id: int
    kind: str
    key: str
    label: str
    count: int
    percent: float | None
    fraction: float | None = None
    position: int | None = None
    question_name: str = ""


@dataclass
class QuestionStatistics:
    """Moodle's figures for one slot; every % figure is None when it cannot be computed.

    ``responses``: selected attempts holding this slot (the base of the answer frequencies);
    ``attempts``: those whose mark entered facility and standard deviation; ``excluded_ungraded``:
    those left out because the mark is not graded yet; ``discrimination_attempts``: fully graded
    attempts used for the discrimination figures. ``question_ids`` lists every question seen in
    the slot (more than one when questions are drawn at random).
    """

    slot: int
    question_id: int
    question_ids: list[int]
    question_name: str
    question_type: str
    max_mark: float
    responses: int
    attempts: int
    excluded_ungraded: int
    facility: float | None
    standard_deviation: float | None
    random_guess_score: float | None
    discrimination_attempts: int
    discrimination_index: float | None
    discriminative_efficiency: float | None
    answers: list[AnswerFrequency] = field(default_factory=list)


@dataclass
class QuizStatistics:
    """The whole report. Grades (mean ... maximum, standard error) are in % of the maximum mark;
    ``cic`` and ``error_ratio`` are in %; skewness and kurtosis have no unit."""

    which_attempts: str
    attempts_selected: int
    attempts: int
    excluded_ungraded: int
    excluded_no_max_marks: int
    mean: float | None
    median: float | None
    standard_deviation: float | None
    minimum: float | None
    maximum: float | None
    skewness: float | None
    kurtosis: float | None
    cic: float | None
    error_ratio: float | None
    standard_error: float | None
    histogram: list[tuple[float, float, int]]
    questions: list[QuestionStatistics]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (histogram bins become lists), for the API."""
        return asdict(self)


# --- small numeric helpers -------------------------------------------------------------------


def _real(value: Any) -> float | None:
    """A finite float, or None: a NaN or a string never enters a mean."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _sqrt(value: float | None) -> float | None:
    if value is None or not math.isfinite(value) or value < 0:
        return None
    return math.sqrt(value)


def _mean(values: Sequence[float]) -> float:
    """Exactly rounded (``statistics.mean`` works in fractions), so equal marks have exactly
    zero deviation and an all-equal slot gets no spurious discrimination."""
    return float(pystats.mean(values))


def _sum_sq(values: Sequence[float], mean: float) -> float:
    return math.fsum((v - mean) ** 2 for v in values)


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _as_id(value: Any) -> int | None:
    """An answer id from a response: an int, or a JSON object key spelling one."""
    if _is_id(value):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def _clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _is_description(record: SlotRecord) -> bool:
    return record.question_type in _SKIPPED_TYPES


# --- attempt selection -----------------------------------------------------------------------


def _coerce(attempt: AttemptRecord | Mapping[str, Any]) -> AttemptRecord | None:
    if isinstance(attempt, AttemptRecord):
        return attempt
    if isinstance(attempt, Mapping):
        return AttemptRecord.from_dict(attempt)
    return None


def _fully_graded(attempt: AttemptRecord) -> bool:
    return _real(attempt.sum_marks) is not None and all(
        _real(s.mark) is not None for s in attempt.slots
        if isinstance(s, SlotRecord) and not _is_description(s))


def _sort_number(value: Any) -> float:
    real = _real(value)
    return real if real is not None else 0.0


def _when(attempt: AttemptRecord) -> float:
    at = attempt.finished_at
    try:
        return at.timestamp() if isinstance(at, datetime) else 0.0
    except (OverflowError, OSError, ValueError):
        return 0.0


def _hashable(value: Any) -> Any:
    try:
        hash(value)
        return value
    except TypeError:
        return repr(value)


def select_attempts(attempts: Iterable[AttemptRecord | Mapping[str, Any]],
                    which: str = "all") -> list[AttemptRecord]:
    """The attempts Moodle's report would use for ``which`` (``first``, ``highest``, ``last``
    per trainee, or ``all``), in input order.

    Selection happens before ungraded attempts are dropped (see the module docstring): the
    report then says how many it had to leave out instead of quietly swapping attempts.
    """
    if which not in WHICH_ATTEMPTS:
        raise ValueError(f"which must be one of {WHICH_ATTEMPTS}, not {which!r}")
    records = [r for r in (_coerce(a) for a in attempts) if r is not None]
    if which == "all":
        return records
    best: dict[Any, tuple[tuple[float, ...], int]] = {}
    for index, record in enumerate(records):
        number = _sort_number(record.attempt_number)
        tie = (_when(record), _sort_number(record.attempt_id))
        if which == "first":
            rank = (-number, -tie[0], -tie[1])
        elif which == "last":
            rank = (number, *tie)
        else:  # highest: ungraded ranks as 0, ties to the earlier attempt
            grade = _sort_number(record.sum_marks) if _fully_graded(record) else 0.0
            rank = (grade, -number, -tie[0], -tie[1])
        user = _hashable(record.user_id)
        if user not in best or rank > best[user][0]:
            best[user] = (rank, index)
    chosen = {index for _, index in best.values()}
    return [r for i, r in enumerate(records) if i in chosen]


# --- histogram ---------------------------------------------------------------------------------


def histogram(marks_as_percent: Iterable[float | None], bins: int = 10
              ) -> list[tuple[float, float, int]]:
    """``bins`` equal bins from 0 to 100 as ``(low, high, count)``: each holds low <= x < high,
    the last also x == 100, so a perfect score is counted and nothing is counted twice.

    Values below 0 (negative marking) count in the first bin and above 100 in the last, so the
    counts always add up to the number of grades; None and NaN are skipped.
    """
    if not _is_id(bins) or bins < 1:
        raise ValueError("bins must be a positive integer")
    edges = [100.0 * i / bins for i in range(bins + 1)]
    counts = [0] * bins
    for value in marks_as_percent:
        real = _real(value)
        if real is None:
            continue
        index = bisect.bisect_right(edges, real) - 1
        counts[min(max(index, 0), bins - 1)] += 1
    return [(edges[i], edges[i + 1], counts[i]) for i in range(bins)]


# --- quiz level --------------------------------------------------------------------------------


def _shape(values: Sequence[float]) -> tuple[float | None, float | None]:
    """Moodle's skewness (n > 2) and kurtosis (n > 3) from the sample cumulants."""
    s = len(values)
    if s <= 2:
        return None, None
    mean = _mean(values)
    m2 = math.fsum((v - mean) ** 2 for v in values) / s
    m3 = math.fsum((v - mean) ** 3 for v in values) / s
    m4 = math.fsum((v - mean) ** 4 for v in values) / s
    k2 = s * m2 / (s - 1)
    if not k2 or not math.isfinite(k2):
        return None, None
    k3 = s * s * m3 / ((s - 1) * (s - 2))
    skewness = _finite(k3 / k2 ** 1.5)
    kurtosis = None
    if s > 3:
        k4 = s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2) / ((s - 1) * (s - 2) * (s - 3))
        kurtosis = _finite(k4 / (k2 * k2))
    return skewness, kurtosis


def _graded_marks(attempt: AttemptRecord) -> dict[int, float]:
    """Slot -> mark for the slots that carry a mark (descriptions and repeats left out)."""
    marks: dict[int, float] = {}
    for record in attempt.slots:
        if isinstance(record, SlotRecord) and not _is_description(record) \
                and _hashable(record.slot) not in marks:
            mark = _real(record.mark)
            if mark is not None:
                marks[_hashable(record.slot)] = mark
    return marks


def _cic(counted: Sequence[AttemptRecord], slots: Sequence[Any]) -> float | None:
    """Moodle's coefficient of internal consistency over the counted attempts, in raw marks.

    The total of each attempt is the sum of its slot marks, not ``sum_marks``: the attempt's
    total floors every slot at 0 (attempts.total), and Cronbach's alpha only means something
    when the total is the sum of the very item marks whose variances it subtracts. Without
    negative marks the two are equal, which is what Moodle's ``sumgrades`` is.
    """
    p = len(slots)
    per_attempt = [_graded_marks(a) for a in counted]
    totals = [math.fsum(m.values()) for m in per_attempt]
    if len(totals) <= 2 or p <= 1:
        return None
    k2 = _sum_sq(totals, _mean(totals)) / (len(totals) - 1)
    if not k2 or not math.isfinite(k2):
        return None
    variance_sum = 0.0
    for slot in slots:
        marks = [m[slot] for m in per_attempt if slot in m]
        if len(marks) > 1:
            variance_sum += _sum_sq(marks, _mean(marks)) / (len(marks) - 1)
    return _finite(100.0 * p / (p - 1) * (1 - variance_sum / k2))


# --- per slot ---------------------------------------------------------------------------------


def _random_guess(record: SlotRecord) -> float | None:
    """Moodle's ``get_random_guess_score`` as a fraction (None where Moodle gives none)."""
    answers = [a for a in record.answers if isinstance(a, Mapping)]
    qtype = record.question_type
    if qtype == "single_choice":
        if not answers:
            return None
        fractions = [_real(a.get("fraction")) for a in answers]
        if all(f is not None for f in fractions):
            return math.fsum(fractions) / len(fractions)  # type: ignore[arg-type]
        return 1.0 / len(answers)
    if qtype == "true_false":
        return 0.5
    if qtype == "matching":
        rights = {_clean(a["match"]) for a in answers if isinstance(a.get("match"), str)}
        return 1.0 / len(rights) if rights else None
    if qtype == "short_answer":
        star = [a for a in answers if isinstance(a.get("text"), str) and a["text"].strip() == "*"]
        return (_real(star[0].get("fraction")) or 0.0) if star else 0.0
    if qtype == "numerical":
        anything = [a for a in answers if a.get("kind") == "any"]
        return (_real(anything[0].get("fraction")) or 0.0) if anything else 0.0
    if qtype == "ordering":
        n = len(answers)
        if n < 2:
            return None
        grading = (record.options or {}).get("grading", "absolute_position")
        # Uniformly random order: each item is in its place (or followed by its successor)
        # with probability 1/n; the whole order is right with probability 1/n!.
        return 1.0 / math.factorial(n) if grading == "all_or_nothing" else 1.0 / n
    return None  # multiple response (Moodle: too hard to estimate), essay


def _percent(count: int, base: int) -> float | None:
    return 100.0 * count / base if base else None


class _Tally:
    """Counts rows in first-seen order, with the credit observed for each."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], dict[str, Any]] = {}

    def add(self, kind: str, key: str, label: str = "", credit: float | None = None,
            declared: float | None = None, position: int | None = None, count: int = 1) -> None:
        row = self.rows.setdefault((kind, key), {"kind": kind, "key": key, "label": label,
                                                 "count": 0, "credits": [],
                                                 "declared": declared, "position": position})
        row["count"] += count
        if credit is not None:
            row["credits"].append(credit)


def _credit(record: SlotRecord) -> float | None:
    mark, max_mark = _real(record.mark), _real(record.max_mark)
    return mark / max_mark if mark is not None and max_mark and max_mark > 0 else None


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) \
        or (isinstance(value, (list, dict, tuple)) and not value)


def _tally_choice(tally: _Tally, record: SlotRecord, answers: list[Mapping[str, Any]],
                  response: Mapping[str, Any]) -> None:
    ids = {a["id"] for a in answers}
    credit = _credit(record)
    if record.question_type == "single_choice":
        choice = response.get("choice")
        if _empty(choice):
            tally.add("no_answer", "", credit=credit)
        elif _is_id(choice) and choice in ids:
            tally.add("choice", str(choice), credit=credit)
        else:
            tally.add("invalid", "", credit=credit)
        return
    choices = response.get("choices")
    if _empty(choices):
        tally.add("no_answer", "", credit=credit)
    elif isinstance(choices, list) and all(_is_id(c) and c in ids for c in choices):
        for choice in dict.fromkeys(choices):
            tally.add("choice", str(choice), credit=credit)
    else:
        tally.add("invalid", "", credit=credit)


def _tally_text(tally: _Tally, record: SlotRecord, response: Mapping[str, Any]) -> None:
    credit = _credit(record)
    if record.question_type == "numerical":
        raw = response.get("value")
        if _empty(raw):
            tally.add("no_answer", "", credit=credit)
            return
        value = response_number(raw) if isinstance(raw, (int, float, str)) else None
        if value is None:
            tally.add("invalid", "", credit=credit)
            return
        text = format(value + 0.0, ".15g")  # + 0.0 turns -0.0 into 0.0
        tally.add("number", text, label=text, credit=credit)
        return
    text = response.get("text")
    if _empty(text):
        tally.add("no_answer", "", credit=credit)
    elif not isinstance(text, str):
        tally.add("invalid", "", credit=credit)
    else:
        key = comparable(text, case_sensitive=False, accent_sensitive=True)
        tally.add("text", key, label=_clean(text), credit=credit)


def _tally_matching(tally: _Tally, record: SlotRecord, answers: list[Mapping[str, Any]],
                    response: Mapping[str, Any]) -> None:
    credit = _credit(record)
    pairs = response.get("pairs")
    if _empty(pairs):
        tally.add("no_answer", "", credit=credit)
        return
    if not isinstance(pairs, Mapping):
        tally.add("invalid", "", credit=credit)
        return
    stems = {a["id"]: a for a in answers if isinstance(a.get("text"), str) and a["text"]}
    given: list[tuple[int, str]] = []
    for key, value in pairs.items():
        left = _as_id(key)
        if left in stems and isinstance(value, str) and value.strip():
            given.append((left, _clean(value)))
    if not given:
        blank = all(v is None or (isinstance(v, str) and not v.strip()) for v in pairs.values())
        tally.add("no_answer" if blank else "invalid", "", credit=credit)
        return
    for left, right in given:
        stem = stems[left]
        correct = _clean(stem["match"]) if isinstance(stem.get("match"), str) else None
        tally.add("pair", f"{left}:{right}", label=f"{_clean(stem['text'])} → {right}",
                  declared=1.0 if right == correct else 0.0)


def _tally_ordering(tally: _Tally, record: SlotRecord, answers: list[Mapping[str, Any]],
                    response: Mapping[str, Any]) -> None:
    credit = _credit(record)
    order = response.get("order")
    correct = [a["id"] for a in answers]
    if _empty(order):
        tally.add("no_answer", "", credit=credit)
        return
    if not isinstance(order, list) or not all(_is_id(i) for i in order) \
            or sorted(order) != sorted(correct):
        tally.add("invalid", "", credit=credit)
        return
    if order == correct:
        tally.add("order_correct", "correct", declared=1.0)
    else:
        tally.add("order_incorrect", "incorrect")
    for position, (given, right) in enumerate(zip(order, correct), start=1):
        if given == right:
            tally.add("position", str(right), position=position)


def _frequencies(slot: Any, question_id: int, records: Sequence[SlotRecord],
                 top: int) -> list[AnswerFrequency]:
    """The response analysis of one question in one slot (see ``AnswerFrequency``)."""
    first = records[0]
    qtype = first.question_type
    answers = [a for a in first.answers if isinstance(a, Mapping) and _is_id(a.get("id"))]
    tally = _Tally()
    # Rows every lecturer expects to see, even at 0: each choice, true and false, each item.
    if qtype in ("single_choice", "multiple_response"):
        for a in answers:
            tally.add("choice", str(a["id"]), label=_label_text(a.get("text")),
                      declared=_real(a.get("fraction")), count=0)
    elif qtype == "true_false":
        for value in (True, False):
            a = next((x for x in answers if x.get("value") is value), {})
            tally.add("value", "true" if value else "false", label=_label_text(a.get("text")),
                      declared=_real(a.get("fraction")), count=0)
    elif qtype == "ordering":
        tally.add("order_correct", "correct", declared=1.0, count=0)
        tally.add("order_incorrect", "incorrect", count=0)
        for position, a in enumerate(answers, start=1):
            tally.add("position", str(a["id"]), label=_label_text(a.get("text")),
                      position=position, count=0)
    elif qtype == "essay":
        tally.add("graded", "graded", count=0)
        tally.add("ungraded", "ungraded", count=0)

    for record in records:
        response = record.response if isinstance(record.response, Mapping) else None
        if qtype == "essay":
            graded = _real(record.mark) is not None
            tally.add("graded" if graded else "ungraded", "graded" if graded else "ungraded")
            continue
        if response is None:
            tally.add("no_answer" if record.response is None else "invalid", "",
                      credit=_credit(record))
        elif qtype in ("single_choice", "multiple_response"):
            _tally_choice(tally, record, answers, response)
        elif qtype == "true_false":
            value = response.get("value")
            if value is None:
                tally.add("no_answer", "", credit=_credit(record))
            elif isinstance(value, bool):
                tally.add("value", "true" if value else "false", credit=_credit(record))
            else:
                tally.add("invalid", "", credit=_credit(record))
        elif qtype in ("short_answer", "numerical"):
            _tally_text(tally, record, response)
        elif qtype == "matching":
            _tally_matching(tally, record, answers, response)
        elif qtype == "ordering":
            _tally_ordering(tally, record, answers, response)
        else:
            tally.add("invalid", "", credit=_credit(record))

    rows = list(tally.rows.values())
    free = [r for r in rows if r["kind"] in ("text", "number")]
    if free:  # most frequent first, the long tail folded into one "other" row
        free.sort(key=lambda r: -r["count"])  # stable: first seen first among equals
        kept, rest = free[:top], free[top:]
        fixed = [r for r in rows if r["kind"] not in ("text", "number")]
        rows = kept + fixed
        if rest:
            rows.insert(len(kept), {"kind": "other", "key": "", "label": "",
                                    "count": sum(r["count"] for r in rest),
                                    "credits": [c for r in rest for c in r["credits"]],
                                    "declared": None, "position": None})
    elif qtype == "matching":
        order = {a["id"]: i for i, a in enumerate(answers)}
        pairs = sorted((r for r in rows if r["kind"] == "pair"),
                       key=lambda r: (order.get(int(r["key"].split(":", 1)[0]), 0), -r["count"]))
        rows = pairs + [r for r in rows if r["kind"] != "pair"]
    # no_answer and invalid last, whatever the type
    rows = [r for r in rows if r["kind"] not in ("no_answer", "invalid")] + \
        [r for r in rows if r["kind"] in ("no_answer", "invalid")]

    base = len(records)
    out = []
    for r in rows:
        credits = r["credits"]
        fraction = r["declared"] if r["declared"] is not None else (
            _finite(_mean(credits)) if credits else None)
        out.append(AnswerFrequency(slot=slot, question_id=question_id, kind=r["kind"],
                                   key=r["key"], label=r["label"], count=r["count"],
                                   percent=_percent(r["count"], base), fraction=fraction,
                                   position=r["position"],
                                   question_name=_label_text(first.question_name)))
    return out


def _label_text(value: Any) -> str:
    return _clean(value) if isinstance(value, str) else ""


def _discrimination(pairs: Sequence[tuple[float, float]]
                    ) -> tuple[float | None, float | None]:
    """Moodle's discrimination index and discriminative efficiency, both in %."""
    s = len(pairs)
    if s < 2:
        return None, None
    marks = [m for m, _ in pairs]
    rests = [r for _, r in pairs]
    mark_mean, rest_mean = _mean(marks), _mean(rests)
    mark_var = _sum_sq(marks, mark_mean) / (s - 1)
    rest_var = _sum_sq(rests, rest_mean) / (s - 1)
    covariance = math.fsum((m - mark_mean) * (r - rest_mean) for m, r in pairs) / (s - 1)
    covariance_max = math.fsum((m - mark_mean) * (r - rest_mean)
                               for m, r in zip(sorted(marks), sorted(rests))) / (s - 1)
    index = None
    if mark_var > 0 and rest_var > 0:
        root = _sqrt(mark_var * rest_var)
        index = _finite(100.0 * covariance / root) if root else None
    efficiency = _finite(100.0 * covariance / covariance_max) if covariance_max > 0 else None
    return index, efficiency


def _question(slot: Any, records: Sequence[tuple[AttemptRecord, SlotRecord]],
              complete: Sequence[AttemptRecord], top: int) -> QuestionStatistics:
    first = records[0][1]
    fractions: list[float] = []
    ungraded = 0
    for _, record in records:
        mark, max_mark = _real(record.mark), _real(record.max_mark)
        if mark is None:
            ungraded += 1
        elif max_mark is not None and max_mark > 0:
            fractions.append(mark / max_mark)
    facility = _finite(100.0 * _mean(fractions)) if fractions else None
    deviation = None
    if len(fractions) > 1:
        deviation = _sqrt(_sum_sq(fractions, _mean(fractions)) / (len(fractions) - 1))
        deviation = _finite(100.0 * deviation) if deviation is not None else None

    pairs: list[tuple[float, float]] = []
    for attempt in complete:
        marks = _graded_marks(attempt)
        if slot in marks:
            mark = marks[slot]
            rest = math.fsum(v for k, v in marks.items() if k != slot)
            pairs.append((mark, rest))
    index, efficiency = _discrimination(pairs)

    guess = _random_guess(first)
    by_question: dict[Any, list[SlotRecord]] = {}
    for _, record in records:
        by_question.setdefault(_hashable(record.question_id), []).append(record)
    answers: list[AnswerFrequency] = []
    for question_id, group in by_question.items():
        answers.extend(_frequencies(slot, question_id, group, top))

    return QuestionStatistics(
        slot=slot, question_id=first.question_id, question_ids=list(by_question),
        question_name=first.question_name if isinstance(first.question_name, str) else "",
        question_type=first.question_type, max_mark=_real(first.max_mark) or 0.0,
        responses=len(records), attempts=len(fractions), excluded_ungraded=ungraded,
        facility=facility, standard_deviation=deviation,
        random_guess_score=None if guess is None else 100.0 * guess,
        discrimination_attempts=len(pairs), discrimination_index=index,
        discriminative_efficiency=efficiency, answers=answers)


def compute_statistics(attempts: Iterable[AttemptRecord | Mapping[str, Any]],
                       which_attempts: str = "all", *, bins: int = 10,
                       top_responses: int = TOP_RESPONSES) -> QuizStatistics:
    """Every figure of Moodle's quiz statistics report for these finished attempts.

    ``attempts`` are ``AttemptRecord``\\ s or dicts of the same shape; ``which_attempts`` is
    ``first``, ``highest``, ``last`` (per trainee) or ``all``. Never raises on odd data: what
    cannot be computed is None (see the module docstring for every rule).
    """
    selected = select_attempts(attempts, which_attempts)
    complete = [a for a in selected if _fully_graded(a)]
    counted: list[AttemptRecord] = []
    grades: list[float] = []
    for attempt in complete:
        total, maximum = _real(attempt.sum_marks), _real(attempt.max_marks)
        if total is not None and maximum is not None and maximum > 0:
            counted.append(attempt)
            grades.append(100.0 * total / maximum)

    n = len(grades)
    mean = _finite(_mean(grades)) if n else None
    median = _finite(float(pystats.median(grades))) if n else None
    deviation = _sqrt(_sum_sq(grades, _mean(grades)) / (n - 1)) if n > 1 else None
    skewness, kurtosis = _shape(grades)

    by_slot: dict[Any, list[tuple[AttemptRecord, SlotRecord]]] = {}
    for attempt in selected:
        seen: set[Any] = set()
        for record in attempt.slots:
            if not isinstance(record, SlotRecord) or _is_description(record):
                continue
            slot = _hashable(record.slot)
            if slot in seen:
                continue
            seen.add(slot)
            by_slot.setdefault(slot, []).append((attempt, record))
    slots = sorted(by_slot, key=lambda s: (not _is_id(s), s if _is_id(s) else 0, str(s)))

    cic = _cic(counted, slots) if deviation else None
    error_ratio = None
    if cic is not None and cic <= 100:
        error_ratio = _finite(100.0 * math.sqrt(1 - cic / 100))
    standard_error = (_finite(error_ratio * deviation / 100)
                      if error_ratio is not None and deviation is not None else None)

    questions = [_question(slot, by_slot[slot], complete, max(0, top_responses))
                 for slot in slots]
    return QuizStatistics(
        which_attempts=which_attempts, attempts_selected=len(selected), attempts=n,
        excluded_ungraded=len(selected) - len(complete),
        excluded_no_max_marks=len(complete) - n,
        mean=mean, median=median, standard_deviation=deviation, minimum=min(grades, default=None),
        maximum=max(grades, default=None), skewness=skewness, kurtosis=kurtosis, cic=cic,
        error_ratio=error_ratio, standard_error=standard_error,
        histogram=histogram(grades, bins), questions=questions)


# --- labels ------------------------------------------------------------------------------------

_TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "overview": "Tổng quan", "questions": "Câu hỏi", "answers": "Phương án",
        "metric": "Chỉ số", "value": "Giá trị",
        "which_attempts": "Lượt làm bài được tính",
        "attempts_selected": "Số lượt được chọn",
        "attempts": "Số lượt được tính",
        "excluded_ungraded": "Số lượt bị loại (chưa chấm xong)",
        "excluded_no_max_marks": "Số lượt bị loại (điểm tối đa bằng 0)",
        "mean": "Điểm trung bình (%)", "median": "Trung vị (%)",
        "standard_deviation": "Độ lệch chuẩn (%)",
        "minimum": "Điểm thấp nhất (%)", "maximum": "Điểm cao nhất (%)",
        "skewness": "Độ xiên của phân bố điểm", "kurtosis": "Độ nhọn của phân bố điểm",
        "cic": "Hệ số nhất quán nội tại (%)", "error_ratio": "Tỉ lệ sai số (%)",
        "standard_error": "Sai số chuẩn (%)",
        "bin": "Số lượt đạt {low}–{high} %",
        "first": "Lượt đầu tiên", "highest": "Lượt có điểm cao nhất",
        "last": "Lượt cuối cùng", "all": "Tất cả các lượt",
        "q.slot": "Vị trí", "q.id": "Mã câu hỏi", "q.name": "Tên câu hỏi",
        "q.type": "Loại câu hỏi", "q.max_mark": "Điểm tối đa",
        "q.responses": "Số lượt trả lời", "q.attempts": "Số lượt đã chấm",
        "q.ungraded": "Số lượt chưa chấm (bị loại)", "q.facility": "Chỉ số dễ (%)",
        "q.sd": "Độ lệch chuẩn (%)", "q.guess": "Điểm đoán ngẫu nhiên (%)",
        "q.disc_attempts": "Số lượt tính độ phân biệt",
        "q.disc": "Chỉ số phân biệt (%)", "q.eff": "Hiệu quả phân biệt (%)",
        "a.response": "Phương án / câu trả lời", "a.count": "Số lượt",
        "a.percent": "Tỉ lệ (%)", "a.fraction": "Mức điểm (%)",
        "no_answer": "(Không trả lời)", "invalid": "(Câu trả lời không hợp lệ)",
        "other": "Khác", "order_correct": "Đúng toàn bộ thứ tự",
        "order_incorrect": "Chưa đúng toàn bộ thứ tự", "graded": "Đã chấm",
        "ungraded": "Chưa chấm", "true": "Đúng", "false": "Sai",
        "position": "Đúng vị trí {position}: {label}",
        "single_choice": "Một lựa chọn", "multiple_response": "Nhiều lựa chọn",
        "true_false": "Đúng/Sai", "short_answer": "Trả lời ngắn", "numerical": "Số",
        "matching": "Ghép đôi", "ordering": "Sắp xếp thứ tự", "essay": "Tự luận",
        "description": "Mô tả",
    },
    "en": {
        "overview": "Overview", "questions": "Questions", "answers": "Answers",
        "metric": "Statistic", "value": "Value",
        "which_attempts": "Attempts used",
        "attempts_selected": "Attempts selected",
        "attempts": "Attempts counted",
        "excluded_ungraded": "Attempts excluded (not fully graded)",
        "excluded_no_max_marks": "Attempts excluded (maximum mark 0)",
        "mean": "Average grade (%)", "median": "Median grade (%)",
        "standard_deviation": "Standard deviation (%)",
        "minimum": "Lowest grade (%)", "maximum": "Highest grade (%)",
        "skewness": "Score distribution skewness", "kurtosis": "Score distribution kurtosis",
        "cic": "Coefficient of internal consistency (%)", "error_ratio": "Error ratio (%)",
        "standard_error": "Standard error (%)",
        "bin": "Attempts graded {low}–{high} %",
        "first": "First attempt", "highest": "Highest graded attempt",
        "last": "Last attempt", "all": "All attempts",
        "q.slot": "Slot", "q.id": "Question ID", "q.name": "Question name",
        "q.type": "Question type", "q.max_mark": "Max mark",
        "q.responses": "Responses", "q.attempts": "Graded",
        "q.ungraded": "Not graded yet (excluded)", "q.facility": "Facility index (%)",
        "q.sd": "Standard deviation (%)", "q.guess": "Random guess score (%)",
        "q.disc_attempts": "Attempts for discrimination",
        "q.disc": "Discrimination index (%)", "q.eff": "Discriminative efficiency (%)",
        "a.response": "Response", "a.count": "Count",
        "a.percent": "Frequency (%)", "a.fraction": "Partial credit (%)",
        "no_answer": "(No answer)", "invalid": "(Invalid response)",
        "other": "Other", "order_correct": "Whole order correct",
        "order_incorrect": "Whole order not correct", "graded": "Graded",
        "ungraded": "Not graded yet", "true": "True", "false": "False",
        "position": "Right at position {position}: {label}",
        "single_choice": "Single choice", "multiple_response": "Multiple response",
        "true_false": "True/false", "short_answer": "Short answer", "numerical": "Numerical",
        "matching": "Matching", "ordering": "Ordering", "essay": "Essay",
        "description": "Description",
    },
}


def _texts(locale: str) -> dict[str, str]:
    if locale not in _TEXT:
        raise ValueError(f"locale must be one of {LOCALES}, not {locale!r}")
    return _TEXT[locale]


def answer_label(row: AnswerFrequency, locale: str = "vi") -> str:
    """What a person reads for ``row``: the answer or response text, or the localised name of
    a synthetic row (no answer, other, graded...), so the UI and both exports agree."""
    t = _texts(locale)
    if row.kind in SYNTHETIC_KINDS:
        return t[row.kind]
    if row.kind == "value" and not row.label:
        return t.get(row.key, row.key)
    if row.kind == "position":
        return t["position"].format(position=row.position, label=row.label)
    return row.label


neutralise_formula = neutralise  # the core's guard against formula injection


# --- export ------------------------------------------------------------------------------------

_PERCENT, _COUNT, _PLAIN, _TEXT_CELL, _MARK = "percent", "count", "plain", "text", "mark"


def _overview_rows(stats: QuizStatistics, t: dict[str, str]) -> list[tuple[str, Any, str]]:
    rows: list[tuple[str, Any, str]] = [
        (t["which_attempts"], t.get(stats.which_attempts, stats.which_attempts), _TEXT_CELL),
        (t["attempts_selected"], stats.attempts_selected, _COUNT),
        (t["attempts"], stats.attempts, _COUNT),
        (t["excluded_ungraded"], stats.excluded_ungraded, _COUNT),
        (t["excluded_no_max_marks"], stats.excluded_no_max_marks, _COUNT),
    ]
    for name in ("mean", "median", "standard_deviation", "minimum", "maximum"):
        rows.append((t[name], getattr(stats, name), _PERCENT))
    rows.append((t["skewness"], stats.skewness, _PLAIN))
    rows.append((t["kurtosis"], stats.kurtosis, _PLAIN))
    for name in ("cic", "error_ratio", "standard_error"):
        rows.append((t[name], getattr(stats, name), _PERCENT))
    for low, high, count in stats.histogram:
        rows.append((t["bin"].format(low=f"{low:g}", high=f"{high:g}"), count, _COUNT))
    return rows


def _question_columns(t: dict[str, str]) -> list[tuple[str, str]]:
    return [(t["q.slot"], _COUNT), (t["q.id"], _COUNT), (t["q.name"], _TEXT_CELL),
            (t["q.type"], _TEXT_CELL), (t["q.max_mark"], _MARK), (t["q.responses"], _COUNT),
            (t["q.attempts"], _COUNT), (t["q.ungraded"], _COUNT), (t["q.facility"], _PERCENT),
            (t["q.sd"], _PERCENT), (t["q.guess"], _PERCENT), (t["q.disc_attempts"], _COUNT),
            (t["q.disc"], _PERCENT), (t["q.eff"], _PERCENT)]


def _question_values(q: QuestionStatistics, t: dict[str, str]) -> list[Any]:
    return [q.slot, q.question_id, q.question_name, t.get(q.question_type, q.question_type),
            q.max_mark, q.responses, q.attempts, q.excluded_ungraded, q.facility,
            q.standard_deviation, q.random_guess_score, q.discrimination_attempts,
            q.discrimination_index, q.discriminative_efficiency]


def _answer_columns(t: dict[str, str]) -> list[tuple[str, str]]:
    return [(t["q.slot"], _COUNT), (t["q.id"], _COUNT), (t["q.name"], _TEXT_CELL),
            (t["a.response"], _TEXT_CELL), (t["a.count"], _COUNT),
            (t["a.percent"], _PERCENT), (t["a.fraction"], _PERCENT)]


def _answer_rows(stats: QuizStatistics, locale: str) -> list[list[Any]]:
    rows = []
    for q in stats.questions:
        for a in q.answers:
            rows.append([a.slot, a.question_id, a.question_name or q.question_name,
                         answer_label(a, locale), a.count, a.percent,
                         None if a.fraction is None else 100.0 * a.fraction])
    return rows


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{round(value, 4):.4f}".rstrip("0").rstrip(".") if math.isfinite(value) else ""
    if isinstance(value, int):
        return value
    return neutralise_formula(str(value))


def to_csv(stats: QuizStatistics, locale: str = "vi") -> bytes:
    """The report as one CSV file: UTF-8 with a BOM (without it Excel reads Vietnamese as
    Windows-1252), comma-separated with a point as the decimal mark, % figures as numbers in %
    units, three sections (quiz, questions, answer frequencies) each under a title row and
    separated by an empty row. Every text cell is guarded against formula injection."""
    t = _texts(locale)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([t["overview"]])
    writer.writerow([t["metric"], t["value"]])
    for label, value, _ in _overview_rows(stats, t):
        writer.writerow([_csv_value(label), _csv_value(value)])
    writer.writerow([])
    writer.writerow([t["questions"]])
    writer.writerow([name for name, _ in _question_columns(t)])
    for q in stats.questions:
        writer.writerow([_csv_value(v) for v in _question_values(q, t)])
    writer.writerow([])
    writer.writerow([t["answers"]])
    writer.writerow([name for name, _ in _answer_columns(t)])
    for row in _answer_rows(stats, locale):
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


_NUMBER_FORMATS = {_PERCENT: "0.00%", _COUNT: "0", _PLAIN: "0.0000", _MARK: "0.00"}


def _xlsx_cell(cell: Any, value: Any, kind: str) -> None:
    """Numbers stay numbers (a % figure becomes a fraction under a % format, so Excel can
    compute with it); text loses the control characters XLSX cannot hold and is guarded."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        cell.value = None
        return
    if isinstance(value, (int, float)) and not isinstance(value, bool) and kind != _TEXT_CELL:
        cell.value = value / 100.0 if kind == _PERCENT else value
        cell.number_format = _NUMBER_FORMATS[kind]
        return
    text = neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    cell.value = text
    cell.data_type = "s"  # never a formula, whatever openpyxl would guess


def _sheet(workbook: Any, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
           kinds: Sequence[str], widths: Sequence[int]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title)
    bold = Font(bold=True)
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=column, value=header)
        cell.font = bold
    for r, values in enumerate(rows, start=2):
        for column, (value, kind) in enumerate(zip(values, kinds), start=1):
            _xlsx_cell(sheet.cell(row=r, column=column), value, kind)
    sheet.freeze_panes = "A2"
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def to_xlsx(stats: QuizStatistics, locale: str = "vi") -> bytes:
    """The report as an Excel workbook with three sheets (quiz, questions, answers), header row
    bold and frozen, % figures as numbers under a % format, questions in slot order."""
    from openpyxl import Workbook

    t = _texts(locale)
    workbook = Workbook()
    workbook.remove(workbook.active)

    overview = _overview_rows(stats, t)
    # The overview mixes kinds per row, so it is written cell by cell.
    _sheet(workbook, t["overview"], [t["metric"], t["value"]],
           [[label, value] for label, value, _ in overview], [_TEXT_CELL, _PLAIN], [44, 22])
    sheet = workbook[t["overview"]]
    for r, (label, value, kind) in enumerate(overview, start=2):
        _xlsx_cell(sheet.cell(row=r, column=2), value, kind)

    columns = _question_columns(t)
    _sheet(workbook, t["questions"], [c for c, _ in columns],
           [_question_values(q, t) for q in stats.questions], [k for _, k in columns],
           [8, 12, 40, 18] + [14] * (len(columns) - 4))
    columns = _answer_columns(t)
    _sheet(workbook, t["answers"], [c for c, _ in columns], _answer_rows(stats, locale),
           [k for _, k in columns], [8, 12, 40, 44, 10, 12, 14])

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


__all__ = [
    "AnswerFrequency", "AttemptRecord", "LOCALES", "QuestionStatistics", "QuizStatistics",
    "SYNTHETIC_KINDS", "SlotRecord", "TOP_RESPONSES", "WHICH_ATTEMPTS", "answer_label",
    "compute_statistics", "histogram", "neutralise_formula", "select_attempts", "to_csv",
    "to_xlsx",
]
