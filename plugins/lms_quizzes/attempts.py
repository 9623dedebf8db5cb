"""Taking a quiz: start or resume, save answer by answer, submit once, grade, review.

Everything a trainee does is written to the database as it happens (one row per question), so a
closed laptop, a dropped phone connection or a server restart loses at most the answer being
typed. The server owns the clock: ``deadline`` is fixed when the attempt starts, saves after it
(plus ``GRACE`` for the network) are refused, and an overdue attempt is submitted as it stands
the next time anyone touches it. Submitting is a state change taken under a row lock, so a
double click, two tabs or a retry after a timeout grade once.
"""

from __future__ import annotations

import hashlib
import random
import secrets
import statistics
import weakref
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable

import orjson
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from lms_core import sql
from lms_core.batching import Coalescer
from lms_core.http.problems import Problem
from lms_core.models import CourseModule, Enrolment, EnrolmentStatus, User

from lms_quizzes import grading, qtypes
from lms_quizzes.models import Attempt, AttemptSlot, Question, QuestionCategory, Quiz
from lms_quizzes.quiz_config import (
    IMMEDIATE_WINDOW, FixedSlot, QuizSettings, RandomSlot, from_module_data, row_values,
    settings_of,
)

#: Saves up to this long after the deadline still count: the request left the phone in time.
GRACE = timedelta(seconds=30)
MAX_RESPONSE_CHARS = 50_000
IN_PROGRESS, FINISHED = "in_progress", "finished"
LEARNING = (EnrolmentStatus.APPROVED, EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED)


def now() -> datetime:
    return datetime.now(timezone.utc)


# --------------------------------------------------------------------------- finding the quiz


@dataclass
class QuizContext:
    module: CourseModule
    quiz: Quiz
    settings: QuizSettings
    enrolment: Enrolment | None


async def quiz_module(institution_id: int, module_id: int) -> CourseModule:
    module = await CourseModule.get_or_none(id=module_id, type="quiz", is_active=True,
                                            course__institution_id=institution_id)
    if module is None:
        raise Problem(404, "Không tìm thấy bài kiểm tra.", "Quiz not found.")
    return module


async def quiz_for_module(institution_id: int, module: CourseModule) -> Quiz:
    """The module's quiz row, made from course.yaml's ``data`` the first time it is needed."""
    quiz = await Quiz.get_or_none(module_id=module.id)
    if quiz is not None:
        return quiz
    try:
        settings = from_module_data(module.data or {})
    except ValueError as exc:
        raise Problem(409, "Bài kiểm tra chưa được cấu hình đúng.",
                      f"The quiz is not configured correctly: {exc}") from None
    try:
        async with in_transaction():
            return await Quiz.create(institution_id=institution_id, module_id=module.id,
                                     **row_values(settings))
    except IntegrityError:
        # a whole class opened a quiz nobody had opened yet: one request created the row (the
        # module is unique), the others read it
        return await Quiz.get(module_id=module.id)


async def learning_enrolment(user_id: int, institution_id: int,
                             course_id: int) -> Enrolment | None:
    return await Enrolment.filter(
        user_id=user_id, klass__course_id=course_id, klass__institution_id=institution_id,
        status__in=list(LEARNING),
    ).order_by("-id").first()


async def context(principal: Any, module_id: int) -> QuizContext:
    module = await quiz_module(principal.institution_id, module_id)
    quiz = await quiz_for_module(principal.institution_id, module)
    enrolment = await learning_enrolment(principal.user_id, principal.institution_id,
                                         module.course_id)
    return QuizContext(module, quiz, settings_of(quiz), enrolment)


def is_staff(principal: Any) -> bool:
    """Staff may try a quiz without being enrolled (Moodle's preview); their attempts never
    count towards completion."""
    return principal.can("quiz.manage")


# --------------------------------------------------------------------------- starting


def availability(ctx: QuizContext, attempts: list[Attempt], principal: Any,
                 at: datetime) -> tuple[bool, str, str]:
    """(may start a new attempt, reason vi, reason en)."""
    s = ctx.settings
    if ctx.enrolment is None and not is_staff(principal):
        return False, "Bạn chưa ghi danh lớp học của khoá này.", \
            "You are not enrolled in a class of this course."
    if s.opens_at and at < s.opens_at:
        return False, "Bài kiểm tra chưa mở.", "The quiz is not open yet."
    if s.closes_at and at >= s.closes_at:
        return False, "Bài kiểm tra đã đóng.", "The quiz is closed."
    if not s.slots:
        return False, "Bài kiểm tra chưa có câu hỏi.", "The quiz has no questions."
    used = len(attempts)
    if s.attempts_allowed and used >= s.attempts_allowed:
        return False, f"Bạn đã làm hết {s.attempts_allowed} lượt cho phép.", \
            f"You have used all {s.attempts_allowed} attempts allowed."
    return True, "", ""


async def _category_ids(institution_id: int, slot: RandomSlot) -> list[int]:
    if isinstance(slot.category, int):
        base = await QuestionCategory.get_or_none(id=slot.category,
                                                  institution_id=institution_id)
        bases = [base] if base else []
    else:
        bases = await QuestionCategory.filter(institution_id=institution_id,
                                              name=slot.category.strip())
    if not bases:
        raise Problem(409, f"Bài kiểm tra dùng nhóm câu hỏi không tồn tại: {slot.category}.",
                      f"The quiz uses a question category that does not exist: "
                      f"{slot.category}.")
    ids = {b.id for b in bases}
    if slot.include_subcategories:
        cond = Q()
        for b in bases:
            cond |= Q(path__startswith=b.path)
        ids |= set(await QuestionCategory.filter(cond, institution_id=institution_id)
                   .values_list("id", flat=True))
    return sorted(ids)


def snapshot(question: Question) -> dict[str, Any]:
    """The normalised question as an attempt keeps it."""
    return qtypes.normalise({
        "type": question.type, "name": question.name, "text": question.text,
        "text_format": getattr(question, "text_format", "markdown") or "markdown",
        "answers": question.answers, "options": getattr(question, "options", None) or {},
        "general_feedback": question.general_feedback,
    })


async def draw_questions(institution_id: int, settings: QuizSettings,
                         rng: random.Random) -> list[tuple[Question, float]]:
    """Fixed questions as listed, random ones drawn without repeating a question within the
    attempt; description questions carry no mark."""
    chosen: list[tuple[Question, float]] = []
    taken: set[int] = set()
    fixed_ids = [s.question_id for s in settings.slots if isinstance(s, FixedSlot)]
    fixed = {q.id: q for q in await Question.filter(id__in=fixed_ids,
                                                    institution_id=institution_id)}
    for slot in settings.slots:
        if isinstance(slot, FixedSlot):
            q = fixed.get(slot.question_id)
            if q is None:
                raise Problem(409, f"Câu hỏi số {slot.question_id} của bài kiểm tra đã bị xoá.",
                              f"Question {slot.question_id} of the quiz no longer exists.")
            chosen.append((q, slot.mark))
            taken.add(q.id)
            continue
        qs = Question.filter(institution_id=institution_id,
                             category_id__in=await _category_ids(institution_id, slot)) \
            .exclude(type="description")
        if slot.competency:
            qs = qs.filter(competency_key__contains=f"|{slot.competency}|")
        pool = [i for i in await qs.order_by("id").values_list("id", flat=True)
                if i not in taken]
        if len(pool) < slot.count:
            raise Problem(409, f"Nhóm câu hỏi {slot.category} chỉ có {len(pool)} câu phù hợp, "
                          f"bài kiểm tra cần {slot.count}.",
                          f"Category {slot.category} has only {len(pool)} matching questions; "
                          f"the quiz needs {slot.count}.")
        picked = rng.sample(pool, slot.count)
        taken.update(picked)
        rows = {q.id: q for q in await Question.filter(id__in=picked)}
        chosen.extend((rows[i], slot.mark) for i in picked)
    return chosen


def slot_seed(attempt_seed: int, slot: int) -> int:
    digest = hashlib.blake2b(f"{attempt_seed}:{slot}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


async def start_or_resume(principal: Any, ctx: QuizContext,
                          runtime: Any = None) -> tuple[Attempt, bool]:
    """The attempt in progress if there is one (a second tab, a reload, another device),
    else a new one. Returns (attempt, created)."""
    at = now()
    attempts = await Attempt.filter(quiz_id=ctx.quiz.id, user_id=principal.user_id) \
        .order_by("number")
    current = next((a for a in attempts if a.state == IN_PROGRESS), None)
    if current is not None and not overdue(current, at):
        return current, False
    if current is not None:
        await submit(current, at=current.deadline or at, runtime=runtime)
        attempts = await Attempt.filter(quiz_id=ctx.quiz.id, user_id=principal.user_id) \
            .order_by("number")
    ok, why, why_en = availability(ctx, attempts, principal, at)
    if not ok:
        raise Problem(409, why, why_en)
    s = ctx.settings
    seed = secrets.randbits(62)
    rng = random.Random(seed)
    drawn = await draw_questions(ctx.quiz.institution_id, s, rng)
    if s.shuffle_questions:
        rng.shuffle(drawn)
    deadline = None
    if s.time_limit_seconds:
        deadline = at + timedelta(seconds=s.time_limit_seconds)
    if s.closes_at and (deadline is None or s.closes_at < deadline):
        deadline = s.closes_at
    # Two tabs (or a retry) pressing "start" at once get the same attempt: both compute the
    # same next number, and the unique (quiz, user, number) lets only one insert it. The other
    # rolls back and takes the winner's. No lock on the quiz row, which serialised every
    # trainee of a class starting the same test (42 ms of waiting each, 1,000 at once).
    try:
        async with in_transaction():
            taken = await Attempt.filter(quiz_id=ctx.quiz.id, user_id=principal.user_id)
            running = next((a for a in taken if a.state == IN_PROGRESS), None)
            if running is not None:  # another request started one meanwhile
                return running, False
            ok, why, why_en = availability(ctx, taken, principal, at)
            if not ok:  # another request started and finished one meanwhile
                raise Problem(409, why, why_en)
            attempt = await Attempt.create(
                quiz_id=ctx.quiz.id, user_id=principal.user_id,
                enrolment_id=ctx.enrolment.id if ctx.enrolment else None,
                number=max((a.number for a in taken), default=0) + 1, seed=seed,
                started_at=at, deadline=deadline, quiz_version=ctx.quiz.version,
                max_marks=sum(m for q, m in drawn if q.type != "description"))
            rows = []
            for i, (q, mark) in enumerate(drawn, start=1):
                row = AttemptSlot(attempt_id=attempt.id, slot=i, question_id=q.id,
                                  question_version=q.version, question=snapshot(q),
                                  max_mark=0.0 if q.type == "description" else mark)
                apply_grade(row, grade_slot(row))  # unanswered (0), or not graded
                rows.append(row)
            await AttemptSlot.bulk_create(rows)
    except IntegrityError:
        running = await Attempt.filter(quiz_id=ctx.quiz.id, user_id=principal.user_id,
                                       state=IN_PROGRESS).order_by("-number").first()
        if running is None:
            raise Problem(409, "Lượt làm bài vừa được bắt đầu ở cửa sổ khác; hãy tải lại trang.",
                          "An attempt was just started in another window; reload the page.")
        return running, False
    return attempt, True


# --------------------------------------------------------------------------- saving


def overdue(attempt: Attempt, at: datetime) -> bool:
    return attempt.state == IN_PROGRESS and attempt.deadline is not None and \
        at > attempt.deadline + GRACE


async def own_attempt(principal: Any, attempt_id: int, runtime: Any = None) -> Attempt:
    """The caller's attempt, within their institution; an overdue one is submitted first."""
    attempt = await Attempt.get_or_none(id=attempt_id, user_id=principal.user_id,
                                        quiz__institution_id=principal.institution_id)
    if attempt is None:
        raise Problem(404, "Không tìm thấy lượt làm bài.", "Attempt not found.")
    if overdue(attempt, now()):
        attempt = await submit(attempt, at=attempt.deadline, runtime=runtime)
    return attempt


def _check_response(qtype: str, response: Any) -> None:
    if response is None:
        return
    if not isinstance(response, dict):
        raise Problem(422, "Câu trả lời phải là một đối tượng JSON.",
                      "A response must be a JSON object.")
    if len(orjson.dumps(response)) > MAX_RESPONSE_CHARS:
        raise Problem(413, "Câu trả lời quá dài.", "The response is too long.")
    allowed = {
        "single_choice": {"choice"}, "multiple_response": {"choices"}, "true_false": {"value"},
        "short_answer": {"text"}, "numerical": {"value"}, "matching": {"pairs"},
        "ordering": {"order"}, "essay": {"text"}, "description": set(),
    }.get(qtype, set())
    extra = set(response) - allowed
    if extra:
        raise Problem(422, f"Câu trả lời có khoá không dùng cho loại câu hỏi này: "
                      f"{', '.join(sorted(extra))}.",
                      f"Keys not used by this question type: {', '.join(sorted(extra))}.")


#: A shared lock: saves of different answers of one attempt do not wait for each other, and
#: the submit's update waits for them all.
_ATTEMPT_STATE = {
    "postgres": "SELECT state FROM quizzes_attempt WHERE id = $1 FOR SHARE",
    "sqlite": "SELECT state FROM quizzes_attempt WHERE id = $1",
}


async def save_response(principal: Any, attempt_id: int, slot: int, *, response: Any = None,
                        has_response: bool = True, flagged: bool | None = None,
                        base_seq: int | None = None, runtime: Any = None) -> AttemptSlot:
    """Store one answer. ``base_seq`` is the ``seq`` the page last saw: when another tab saved
    since, the save is refused (409, with the stored answer) instead of overwriting it."""
    attempt = await own_attempt(principal, attempt_id, runtime)
    if attempt.state != IN_PROGRESS:
        raise Problem(409, "Bài đã nộp, không sửa được nữa.",
                      "The attempt has been submitted; it can no longer change.",
                      attempt_state=attempt.state)
    row = await AttemptSlot.get_or_none(attempt_id=attempt.id, slot=slot)
    if row is None:
        raise Problem(404, "Không có câu hỏi này trong bài.", "No such question in the attempt.")
    if has_response:
        _check_response(row.question.get("type", ""), response)
    at = now()
    values: dict[str, Any] = {"seq": F("seq") + 1, "saved_at": at}
    if has_response:
        # Graded as it is saved, hidden until review allows: saves are spread over the
        # attempt, so submitting (which 1,000 trainees do in the same minute) only adds up.
        values["response"] = response
        g = grading.grade(row.question, response)
        values.update(state=g.state, feedback=list(g.feedback), fraction=g.fraction,
                      mark=None if g.fraction is None else round(g.fraction * row.max_mark, 7))
    if flagged is not None:
        values["flagged"] = flagged
    query = AttemptSlot.filter(id=row.id)
    if base_seq is not None:
        query = query.filter(seq=base_seq)
    async with in_transaction() as conn:
        # The slot first, then the attempt: the order the submit locks them in (_finish_pg_sql),
        # so the two wait for each other instead of deadlocking. A submit that got here first
        # has finished the attempt by the time this reads it, and the save is undone.
        changed = await query.using_db(conn).update(**values)
        state = await sql.fetch_rows(_ATTEMPT_STATE[sql.dialect()], attempt.id,
                                     connection=conn)
        if state[0][0] != IN_PROGRESS:
            raise Problem(409, "Bài đã nộp, không sửa được nữa.",
                          "The attempt has been submitted; it can no longer change.",
                          attempt_state=state[0][0])
    fresh = await AttemptSlot.get(id=row.id)
    if not changed:
        raise Problem(409, "Câu này vừa được lưu từ một cửa sổ khác; trang đã lấy lại câu trả "
                      "lời mới nhất.", "This answer was saved from another window meanwhile; "
                      "the latest one is returned.", seq=fresh.seq, response=fresh.response,
                      flagged=fresh.flagged)
    return fresh


# --------------------------------------------------------------------------- submitting


def grade_slot(row: AttemptSlot) -> grading.Grade:
    return grading.grade(row.question, row.response)


def apply_grade(row: AttemptSlot, g: grading.Grade) -> None:
    row.state = g.state
    row.feedback = list(g.feedback)
    if g.fraction is None:
        row.fraction = row.mark = None
    else:
        row.fraction = g.fraction
        row.mark = round(g.fraction * row.max_mark, 7)


def total(attempt: Attempt, rows: Iterable[AttemptSlot], pass_fraction: float) -> None:
    """Sum the marks; an attempt with an ungraded essay has no total yet."""
    rows = list(rows)
    pending = any(r.state == "needs_grading" for r in rows)
    attempt.needs_grading = pending
    if pending:
        attempt.sum_marks = attempt.fraction = attempt.passed = None
        return
    attempt.sum_marks = round(sum(max(0.0, r.mark or 0.0) if r.max_mark else 0.0
                                  for r in rows), 7)
    attempt.fraction = attempt.sum_marks / attempt.max_marks if attempt.max_marks else 1.0
    attempt.passed = attempt.fraction + 1e-9 >= pass_fraction


@dataclass(slots=True)
class GradedSlot:
    """A slot as the submit reads it: what the total and the review need, as plain values (an
    ORM object per row cost 15 µs to build, 20 rows per submit, a class at once)."""

    slot: int
    max_mark: float
    question: dict[str, Any]
    response: Any
    state: str
    fraction: float | None
    mark: float | None
    feedback: list[Any]
    comment: str
    question_id: int | None = None
    question_version: int = 1


#: Each slot as a JSON array in this order, all of an attempt's slots in one JSON text.
_SLOT_COLUMNS = ("slot", "max_mark", "question", "response", "state", "fraction", "mark",
                 "feedback", "comment", "question_id", "question_version")
_SLOTS_JSON = {
    "postgres": "(SELECT json_agg(json_build_array({cols}) ORDER BY s.slot) "
                "FROM quizzes_attempt_slot s WHERE s.attempt_id = a.id)",
    "sqlite": "(SELECT json_group_array(json_array({cols})) FROM (SELECT * FROM "
              "quizzes_attempt_slot s WHERE s.attempt_id = a.id ORDER BY s.slot) s)",
}
_JSON_COLUMNS = {"question", "response", "feedback"}


def _slot_columns(dialect: str, alias: str = "s", snapshots: bool = True) -> str:
    """``snapshots=False``: the question's snapshot only for a slot with no bank question (the
    others come from ``SnapshotCache``)."""
    def column(c: str) -> str:
        if c == "question" and not snapshots:
            return f"CASE WHEN {alias}.question_id IS NULL THEN {alias}.question END"
        if dialect == "sqlite" and c in _JSON_COLUMNS:
            return f"json({alias}.{c})"
        return f"{alias}.{c}"

    return ", ".join(column(c) for c in _SLOT_COLUMNS)


def _quiz_columns() -> str:
    return ", ".join(f"q.{c} AS q_{c}" for c in Quiz._meta.db_fields)


@lru_cache(maxsize=2)
def _read_attempt_sql(dialect: str) -> str:
    """The attempt, its quiz's columns as ``q_<column>`` and its slots as one JSON text, in
    one statement: on this kind of machine every round trip to the database costs ~140 µs of
    the worker's CPU in system calls, more than the query itself."""
    slots = _SLOTS_JSON[dialect].format(cols=_slot_columns(dialect))
    return (f"SELECT a.*, {_quiz_columns()}, {slots} AS slots_json FROM quizzes_attempt a "
            f"JOIN quizzes_quiz q ON q.id = a.quiz_id WHERE a.id = $1")


#: The submit on PostgreSQL, for one attempt or for many at once ($1 attempt ids, $2 the time
#: each was submitted, $3/$4 the owner's user and institution, NULL for no check), whole: lock
#: the attempts' slots, add their stored grades up as ``total()`` does (each mark floored at 0,
#: none while an essay waits for a lecturer, the fraction of ``max_marks``, passed with the
#: same 1e-9 slack), finish each attempt that is still in progress and its owner's, and return
#: them as ``_read_attempt_sql`` does. The slots are locked before their attempts, in (attempt,
#: slot) order, the order ``save_response`` takes them in, so an answer being saved meanwhile is
#: either waited for and counted or refused after the submit; a locked row is read at its newest
#: version, where a plain subquery would read it as it was when the statement began and miss
#: that answer. tests/plugins/test_quiz_attempts.py races the two; test_quiz_totals.py pins
#: this to total().
@lru_cache(maxsize=1)
def _finish_pg_sql() -> str:
    """Built on first use: the quiz's columns are known once the ORM is set up."""
    return f"""WITH ids AS (
    SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::bigint[], $4::bigint[])
        AS r(id, at, user_id, institution_id)
), s AS (
    SELECT * FROM quizzes_attempt_slot WHERE attempt_id = ANY($1::bigint[])
    ORDER BY attempt_id, slot FOR UPDATE
), t AS (
    SELECT attempt_id, bool_or(state = 'needs_grading') AS pending,
           round(coalesce(sum(CASE WHEN max_mark <> 0 THEN greatest(0, coalesce(mark, 0))
                                   ELSE 0 END), 0)::numeric, 7)::float8 AS marks,
           json_agg(json_build_array({_slot_columns("postgres", snapshots=False)})
                    ORDER BY s.slot) AS slots_json
    FROM s GROUP BY attempt_id
), f AS (
    SELECT ids.*, coalesce(t.pending, false) AS pending, coalesce(t.marks, 0) AS marks,
           t.slots_json
    FROM ids LEFT JOIN t ON t.attempt_id = ids.id
)
UPDATE quizzes_attempt a SET
    state = '{FINISHED}',
    finished_at = CASE WHEN a.deadline IS NULL THEN f.at
                       ELSE least(f.at, a.deadline + make_interval(secs => $5)) END,
    needs_grading = f.pending,
    sum_marks = CASE WHEN f.pending THEN NULL ELSE f.marks END,
    fraction = CASE WHEN f.pending THEN NULL WHEN a.max_marks <> 0 THEN f.marks / a.max_marks
                    ELSE 1.0 END,
    passed = CASE WHEN f.pending THEN NULL
                  ELSE (CASE WHEN a.max_marks <> 0 THEN f.marks / a.max_marks ELSE 1.0 END)
                       + 1e-9 >= q.pass_fraction END,
    updated_at = $6,
    progress_pending = a.enrolment_id IS NOT NULL
FROM f, quizzes_quiz q
WHERE a.id = f.id AND q.id = a.quiz_id AND a.state = '{IN_PROGRESS}'
    AND (f.user_id IS NULL OR (a.user_id = f.user_id AND q.institution_id = f.institution_id))
RETURNING a.*, {_quiz_columns()}, f.slots_json"""


#: One submit as the coalescer gets it: (attempt id, submitted at, owner's user id, owner's
#: institution id), the owner's None when nobody's is checked (the overdue sweep).
_Submit = tuple[int, datetime, int | None, int | None]


async def _finish_many(submits: list[_Submit]) -> dict[_Submit, Any]:
    """Run ``_finish_pg_sql`` for these submits; each finished attempt's row goes to the first
    submit of it whose owner matches (a second click in the same batch gets none, and reads
    the attempt as already finished)."""
    found = await sql.fetch_rows(_finish_pg_sql(), [k[0] for k in submits],
                                 [k[1] for k in submits], [k[2] for k in submits],
                                 [k[3] for k in submits], GRACE.total_seconds(), now())
    by_id = {row["id"]: row for row in found}
    out: dict[_Submit, Any] = {}
    for key in submits:
        row = by_id.get(key[0])
        if row is not None and (key[2] is None or (row["user_id"], row["q_institution_id"])
                                == (key[2], key[3])):
            out[key] = by_id.pop(key[0])
    return out


#: Objects kept per running app, keyed by its plugin manager (a test suite's apps share the
#: process; their databases reuse ids).
_per_app: "weakref.WeakKeyDictionary[Any, dict[str, Any]]" = weakref.WeakKeyDictionary()


def _of_app(runtime: Any, name: str, make: Callable[[], Any]) -> Any:
    """The app's ``name`` object, made on first use; None without a runtime."""
    plugins = getattr(runtime, "plugins", None)
    if plugins is None:
        return None
    kept = _per_app.setdefault(plugins, {})
    if name not in kept:
        kept[name] = make()
    return kept[name]


def _submitter(runtime: Any) -> Coalescer[_Submit, Any] | None:
    """The app's coalescer of submits: a class's submits arriving while earlier ones are with
    the database share the next statement."""
    return _of_app(runtime, "submits",
                   lambda: Coalescer(_finish_many, max_batch=100, max_in_flight=4))


#: The submit's write, hand-written: a whole class submits a timed test in the same second,
#: and building queries with the ORM cost more than running them.
_FINISH = ("UPDATE quizzes_attempt SET state = $2, finished_at = $3, sum_marks = $4, "
           "fraction = $5, passed = $6, needs_grading = $7, updated_at = $8, "
           "progress_pending = $9 WHERE id = $1")


class SnapshotCache:
    """Question snapshots by (bank question, version), for the submit on PostgreSQL.

    An attempt keeps its own copy of each question, but the copies of one version of a bank
    question are all the same (an edit is a new version, ``bank.update_question``; PostgreSQL
    never reuses an id). Sending twenty of them back with every submit was a third of the
    statement's cost in PostgreSQL and a JSON parse in the worker; a class takes the same few
    questions, so the worker keeps them and asks only for those it has not seen. One per app
    (``snapshots_for``): a test suite's databases reuse ids."""

    def __init__(self, max_entries: int = 4096) -> None:
        self.max_entries = max_entries
        self._by_version: dict[tuple[int, int], dict[str, Any]] = {}

    async def fill(self, attempt_id: int, rows: list[GradedSlot]) -> None:
        """Give every row its question; one query for those not known yet."""
        missing = []
        for r in rows:
            if r.question is None and r.question_id is not None:
                known = self._by_version.get((r.question_id, r.question_version))
                if known is None:
                    missing.append(r.slot)
                else:
                    r.question = known
        if not missing:
            return
        fetched = dict(await sql.fetch_rows(_SNAPSHOTS, attempt_id, missing))
        if len(self._by_version) + len(missing) > self.max_entries:
            self._by_version.clear()
        for r in rows:
            if r.slot in fetched:
                value = fetched[r.slot]
                r.question = orjson.loads(value) if isinstance(value, (str, bytes)) else value
                self._by_version[(r.question_id, r.question_version)] = r.question


_SNAPSHOTS = ("SELECT slot, question FROM quizzes_attempt_slot WHERE attempt_id = $1 "
              "AND slot = ANY($2::int[])")


def snapshots_for(runtime: Any) -> SnapshotCache:
    """The app's cache; a fresh one without a runtime."""
    return _of_app(runtime, "snapshots", SnapshotCache) or SnapshotCache()


def _unpack(row: Any) -> tuple[Attempt, QuizSettings, list[GradedSlot]]:
    """One row of ``_read_attempt_sql`` or ``_finish_pg_sql``: the attempt's columns, its
    quiz's as ``q_<column>``, its slots as one JSON text."""
    row = dict(row)
    attempt = Attempt._init_from_db(**{k: v for k, v in row.items()
                                       if k[:2] != "q_" and k != "slots_json"})
    settings = _settings_of_columns(tuple((k[2:], v) for k, v in row.items() if k[:2] == "q_"))
    rows = [GradedSlot(r[0], float(r[1]), r[2], r[3], r[4], r[5], r[6], r[7] or [], r[8],
                       r[9], r[10]) for r in orjson.loads(row["slots_json"] or "[]")]
    return attempt, settings, rows


@lru_cache(maxsize=512)
def _settings_of_columns(columns: tuple[tuple[str, Any], ...]) -> QuizSettings:
    """A quiz's settings from its row's columns as the driver gives them (JSON as text): keyed
    by every column, so a changed quiz is a new key and nothing can be stale. A class
    submitting one quiz builds them once instead of once per submit (a model and a pydantic
    validation, a tenth of the submit)."""
    quiz = Quiz._init_from_db(**dict(columns))
    return settings_of(quiz)


def _not_found_unless_owner(row: Any, owner: Any) -> None:
    if row is None or (owner is not None and (row["user_id"], row["q_institution_id"])
                       != (owner.user_id, owner.institution_id)):
        raise Problem(404, "Không tìm thấy lượt làm bài.", "Attempt not found.")


async def _close_in_one_statement(attempt_id: int, at: datetime, owner: Any, runtime: Any
                                  ) -> tuple[Attempt, QuizSettings, list[GradedSlot], bool]:
    """PostgreSQL: the whole submit is one autocommitted statement (``_finish_pg_sql``), which
    costs the worker a quarter of a transaction's four round trips, shared with the submits
    arriving at the same moment (``lms_core.batching``). It finds nothing when the attempt is
    not in progress (already submitted, by a second tab or the overdue sweep), is someone
    else's, or does not exist; a plain read then tells which."""
    key: _Submit = (attempt_id, at, None, None)
    if owner is not None:  # an owner without an institution (-1) owns no quiz's attempt
        key = (attempt_id, at, owner.user_id,
               -1 if owner.institution_id is None else owner.institution_id)
    coalescer = _submitter(runtime)
    if coalescer is not None:
        done = await coalescer.get(key)
    else:
        done = (await _finish_many([key])).get(key)
    if done is not None:
        attempt, settings, rows = _unpack(done)
        await snapshots_for(runtime).fill(attempt_id, rows)
        return attempt, settings, rows, True
    found = await sql.fetch_rows(_read_attempt_sql("postgres"), attempt_id)
    row = found[0] if found else None
    _not_found_unless_owner(row, owner)
    return (*_unpack(row), False)


async def _close_in_a_transaction(attempt_id: int, at: datetime, owner: Any
                                  ) -> tuple[Attempt, QuizSettings, list[GradedSlot], bool]:
    """SQLite: a single writer, so reading inside the write transaction sees every committed
    save; the total is ``total()``, of which ``_finish_pg_sql`` is the SQL twin."""
    async with in_transaction() as conn:
        found = await sql.fetch_rows(_read_attempt_sql(sql.dialect()), attempt_id,
                                     connection=conn)
        row = found[0] if found else None
        _not_found_unless_owner(row, owner)
        locked, settings, rows = _unpack(row)
        if locked.state != IN_PROGRESS:
            return locked, settings, rows, False
        locked.state = FINISHED
        locked.finished_at = min(at, locked.deadline + GRACE) if locked.deadline else at
        locked.updated_at = now()
        locked.progress_pending = locked.enrolment_id is not None
        total(locked, rows, settings.pass_fraction)
        await sql.execute(_FINISH, locked.id, locked.state, locked.finished_at,
                          locked.sum_marks, locked.fraction, locked.passed,
                          locked.needs_grading, locked.updated_at, locked.progress_pending,
                          connection=conn)
    return locked, settings, rows, True


async def close_attempt(attempt_id: int, at: datetime | None = None, runtime: Any = None,
                        owner: Any = None) -> tuple[Attempt, QuizSettings, list[GradedSlot]]:
    """Close an attempt; returns it with its quiz's settings and graded rows, which the caller
    shows without reading them again. Idempotent: an attempt already finished comes back as it is,
    whoever asked first (double click, two tabs, the overdue sweep). With ``owner`` (a
    principal) an attempt of anyone else, or of another institution, is "not found".

    A submit is the request 1,000 trainees send in the same second at the end of a timed test,
    so on PostgreSQL it is one statement (``_finish_pg_sql``) and on SQLite one read and one
    write in a transaction. Every answer was graded when it was saved (``save_response``, from
    the slot's own snapshot of the question, in the transaction that stored it), so the stored
    grades are added up as they are; a changed answer key goes through ``regrade``. Course
    progress is left to a job (``progress.py``): the same write marks the attempt
    ``progress_pending``, and with ``runtime`` the job is queued once that is committed."""
    at = at or now()
    if sql.dialect() == "postgres":
        locked, settings, rows, finished_now = await _close_in_one_statement(attempt_id, at,
                                                                             owner, runtime)
    else:
        locked, settings, rows, finished_now = await _close_in_a_transaction(attempt_id, at,
                                                                             owner)
    if finished_now and locked.progress_pending and runtime is not None:
        from lms_quizzes import progress

        await progress.queue(runtime, locked.id)
    return locked, settings, rows


async def submit(attempt: Attempt, at: datetime | None = None,
                 runtime: Any = None) -> Attempt:
    """``close_attempt`` for callers that need only the attempt."""
    closed, _settings, _rows = await close_attempt(attempt.id, at, runtime)
    return closed


async def after_finish(plugins: Any, attempt: Attempt, quiz: Quiz | None = None) -> bool:
    """Course completion for a finished attempt (outside the grading transaction: completion
    runs other plugins' filters and events). The module's score is the quiz grade by the
    quiz's grading method over the trainee's graded attempts, and "passed" is judged on that
    grade, as Moodle's completion does. Returns True when the module was completed."""
    if attempt.state != FINISHED or attempt.enrolment_id is None:
        return False
    quiz = quiz or await Quiz.get(id=attempt.quiz_id)
    # a first attempt is the only one: no need to read the others
    mine = [attempt] if attempt.number == 1 else await Attempt.filter(
        quiz_id=quiz.id, user_id=attempt.user_id, enrolment_id__isnull=False)
    grade = quiz_grade(quiz.grading_method, mine)
    if quiz.completion == "passed" and (grade is None or grade + 1e-9 < quiz.pass_fraction):
        return False  # "attempted" completes on submission, even with an essay to grade
    enrolment = await Enrolment.get_or_none(id=attempt.enrolment_id)
    if enrolment is None or enrolment.status not in (EnrolmentStatus.ACTIVE,
                                                     EnrolmentStatus.COMPLETED):
        return False
    from lms_core.services.progress import complete_module

    module = await CourseModule.get(id=quiz.module_id)
    user = await User.get(id=attempt.user_id)
    await complete_module(plugins, enrolment, module, user, score=grade)
    return True


def quiz_grade(method: str, attempts: Iterable[Attempt]) -> float | None:
    """The trainee's grade for the quiz from their finished, fully graded attempts."""
    done = sorted((a for a in attempts if a.state == FINISHED and a.fraction is not None),
                  key=lambda a: a.number)
    if not done:
        return None
    if method == "first":
        return done[0].fraction
    if method == "last":
        return done[-1].fraction
    if method == "average":
        return statistics.fmean(a.fraction for a in done)
    return max(a.fraction for a in done)


# --------------------------------------------------------------------------- what the page gets


@dataclass
class Overview:
    """A trainee's standing on a quiz: the API (``quiz_info``) and the module page both show
    this, so they can never disagree about marks or whether the trainee may start."""

    ctx: QuizContext
    attempts: list[Attempt]
    items: dict[int, set[str]]
    grade: float | None
    may_start: bool
    running: Attempt | None
    reason: tuple[str, str] | None


async def overview(principal: Any, module_id: int, runtime: Any = None) -> Overview:
    """Overdue attempts are submitted first, so the page never shows a stale running one."""
    ctx = await context(principal, module_id)
    at = now()
    mine = await Attempt.filter(quiz_id=ctx.quiz.id, user_id=principal.user_id) \
        .order_by("number")
    for i, a in enumerate(mine):
        if overdue(a, at):
            mine[i] = await submit(a, at=a.deadline, runtime=runtime)
    ok, why, why_en = availability(ctx, mine, principal, at)
    running = next((a for a in mine if a.state == IN_PROGRESS), None)
    items = {a.id: review_items(ctx.settings, a, at) for a in mine}
    shown = [a for a in mine if "marks" in items[a.id]]
    return Overview(ctx, mine, items,
                    quiz_grade(ctx.settings.grading_method, shown) if shown else None,
                    ok or running is not None, running,
                    None if ok or running else (why, why_en))


def review_items(settings: QuizSettings, attempt: Attempt, at: datetime) -> set[str]:
    """What the trainee may see of a finished attempt now (Moodle's review options)."""
    if attempt.state != FINISHED:
        return set()
    policy = settings.review
    assert policy is not None
    if settings.closes_at and at >= settings.closes_at:
        return set(policy.after_close)
    finished = attempt.finished_at or at
    if at - finished <= IMMEDIATE_WINDOW:
        return set(policy.immediately)
    return set(policy.later)


def attempt_summary(attempt: Attempt, items: set[str] | None = None) -> dict[str, Any]:
    show_marks = items is None or "marks" in items
    out: dict[str, Any] = {
        "id": attempt.id, "number": attempt.number, "state": attempt.state,
        "started_at": attempt.started_at, "finished_at": attempt.finished_at,
        "deadline": attempt.deadline, "needs_grading": attempt.needs_grading,
    }
    if show_marks and attempt.state == FINISHED and not attempt.needs_grading:
        out.update(sum_marks=attempt.sum_marks, max_marks=attempt.max_marks,
                   fraction=attempt.fraction, passed=attempt.passed)
    return out


def running_view(attempt: Attempt, settings: QuizSettings, rows: list[AttemptSlot],
                 at: datetime) -> dict[str, Any]:
    """The attempt page's data while it runs: questions as ``grading.public_view`` shows them
    (no key), the saved answers and flags, and the seconds left by the server's clock."""
    left = None
    if attempt.deadline is not None:
        left = max(0, int((attempt.deadline - at).total_seconds()))
    return {
        **attempt_summary(attempt), "layout": settings.layout, "seconds_left": left,
        "server_time": at,
        "slots": [{
            "slot": r.slot, "max_mark": r.max_mark, "seq": r.seq, "flagged": r.flagged,
            "answered": r.response is not None and r.response != {},
            "response": r.response,
            "question": grading.public_view(r.question, slot_seed(attempt.seed, r.slot),
                                            settings.shuffle_answers),
        } for r in rows],
    }


def finished_view(attempt: Attempt, settings: QuizSettings, rows: list[AttemptSlot],
                  items: set[str]) -> dict[str, Any]:
    """A finished attempt, showing only what the review options allow at this moment."""
    slots = []
    for r in rows:
        seed = slot_seed(attempt.seed, r.slot)
        entry: dict[str, Any] = {"slot": r.slot, "max_mark": r.max_mark}
        if items & {"correctness", "feedback", "correct_answers", "general_feedback"}:
            g = grading.Grade(r.fraction, r.state, tuple(r.feedback or ()))
            full = grading.review_view(r.question, r.response, g, seed=seed,
                                       shuffle=settings.shuffle_answers)
            entry["question"] = _trim_review(full, items)
        else:
            entry["question"] = grading.public_view(r.question, seed, settings.shuffle_answers)
        if "responses" in items:
            entry["response"] = r.response
        if "marks" in items:
            entry["mark"] = r.mark
        if "correctness" in items:
            entry["state"] = r.state
        if "feedback" in items and r.comment:
            entry["comment"] = r.comment
        slots.append(entry)
    return {**attempt_summary(attempt, items), "review": sorted(items), "slots": slots}


_KEY_FIELDS = ("fraction", "correct_match", "correct_order", "correct_value", "answers")


def _trim_review(view: dict[str, Any], items: set[str]) -> dict[str, Any]:
    """``grading.review_view`` shows everything; drop what this moment's options hide."""
    out = dict(view)
    if "correct_answers" not in items:
        for key in _KEY_FIELDS:
            out.pop(key, None)
        for part in ("choices", "stems"):
            if part in out:
                out[part] = [{k: v for k, v in c.items()
                              if k not in ("fraction", "correct_match", "correct")}
                             for c in out[part]]
    if "feedback" not in items:
        out.pop("feedback_html", None)
        for part in ("choices", "answers"):
            if part in out:
                out[part] = [{k: v for k, v in c.items() if k != "feedback_html"}
                             for c in out[part]]
    if "general_feedback" not in items:
        out.pop("general_feedback_html", None)
    if "correctness" not in items:
        out.pop("state", None)
        if "correct_answers" not in items:
            out.pop("fraction", None)
    if "responses" not in items:
        for key in ("response_text", "response_value", "response_order"):
            out.pop(key, None)
        for part in ("choices", "stems"):
            if part in out:
                out[part] = [{k: v for k, v in c.items() if k not in ("selected", "response")}
                             for c in out[part]]
    return out
