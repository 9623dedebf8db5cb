"""The lecturer's grading queue: essays waiting for a mark, and marks set by hand.

A hand-set mark (an essay, or an override of an automatic mark, as Moodle's "make comment or
override mark") is remembered by ``graded_by``, so a later regrade of the question keeps it. When
the last essay of an attempt is graded the attempt gets its total and, if that completes the
module, course progress is recorded through the core's completion path, as for any attempt.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from lms_core.http.problems import Problem

from lms_quizzes import attempts as svc
from lms_quizzes.grading import Grade, review_view
from lms_quizzes.models import Attempt, AttemptSlot, Quiz
from lms_quizzes.qtypes import FRACTION_DIGITS

MAX_COMMENT = 20_000


def _scope(principal: Any) -> Q:
    """Admins grade the whole institution; a lecturer grades the trainees of the classes they
    teach. Staff previews (no enrolment) are never in anyone's queue."""
    cond = Q(attempt__quiz__institution_id=principal.institution_id,
             attempt__enrolment_id__isnull=False)
    if principal.has_role("admin"):
        return cond
    return cond & Q(attempt__enrolment__klass__lecturer_links__user_id=principal.user_id)


async def queue(principal: Any, *, module_id: int | None = None, limit: int = 50,
                offset: int = 0) -> dict[str, Any]:
    """Oldest first, as a queue should be: the trainee who submitted first is graded first."""
    qs = AttemptSlot.filter(_scope(principal), state="needs_grading",
                            attempt__state=svc.FINISHED)
    if module_id is not None:
        qs = qs.filter(attempt__quiz__module_id=module_id)
    total = await qs.count()
    rows = await qs.order_by("attempt__finished_at", "attempt_id", "slot").offset(offset) \
        .limit(limit).values(
            "attempt_id", "slot", "max_mark", "response", "question",
            "attempt__finished_at", "attempt__user__full_name", "attempt__user_id",
            "attempt__quiz__module_id", "attempt__quiz__module__title",
            "attempt__enrolment__klass__code")
    items = []
    for r in rows:
        g = Grade(None, "needs_grading")
        view = review_view(r["question"], r["response"], g, seed=0, shuffle=False)
        items.append({
            "attempt_id": r["attempt_id"], "slot": r["slot"], "max_mark": r["max_mark"],
            "trainee": {"id": r["attempt__user_id"], "name": r["attempt__user__full_name"]},
            "class_code": r["attempt__enrolment__klass__code"],
            "module": {"id": r["attempt__quiz__module_id"],
                       "title": r["attempt__quiz__module__title"]},
            "submitted_at": r["attempt__finished_at"],
            "question": {"name": r["question"].get("name", ""),
                         "text_html": view.get("text_html", ""),
                         "general_feedback_html": view.get("general_feedback_html", "")},
            "response_text": (r["response"] or {}).get("text", ""),
        })
    return {"total": total, "items": items}


async def _visible_slot(principal: Any, attempt_id: int, slot: int) -> AttemptSlot:
    row = await AttemptSlot.filter(_scope(principal), attempt_id=attempt_id, slot=slot).first()
    if row is None:
        raise Problem(404, "Không tìm thấy câu trả lời này.", "No such answer.")
    return row


async def grade_by_hand(principal: Any, attempt_id: int, slot: int, *, mark: float,
                        comment: str, plugins: Any = None) -> dict[str, Any]:
    """Set one answer's mark (0..max mark) and comment, then re-total the attempt."""
    row = await _visible_slot(principal, attempt_id, slot)
    if row.max_mark <= 0:
        raise Problem(422, "Câu này không tính điểm.", "This question carries no mark.")
    if not 0 <= mark <= row.max_mark + 1e-9:
        raise Problem(422, f"Điểm phải từ 0 đến {row.max_mark:g}.",
                      f"The mark must be between 0 and {row.max_mark:g}.")
    if len(comment) > MAX_COMMENT:
        raise Problem(422, "Nhận xét quá dài.", "The comment is too long.")
    async with in_transaction():
        # the slot before the attempt: the order a save and the submit lock them in
        row = await AttemptSlot.select_for_update().get(id=row.id)
        attempt = await Attempt.select_for_update().get(id=attempt_id)
        if attempt.state != svc.FINISHED:
            raise Problem(409, "Học viên chưa nộp bài.", "The trainee has not submitted yet.")
        was_pending = attempt.needs_grading
        fraction = round(mark / row.max_mark, FRACTION_DIGITS)
        row.fraction, row.mark = fraction, round(mark, 7)
        row.state = ("correct" if fraction >= 1 - 1e-9
                     else "incorrect" if fraction <= 1e-9 else "partial")
        row.comment = comment
        row.graded_by_id = principal.user_id
        row.graded_at = datetime.now(timezone.utc)
        await row.save(update_fields=["fraction", "mark", "state", "comment", "graded_by_id",
                                      "graded_at"])
        quiz = await Quiz.get(id=attempt.quiz_id)
        rows = await AttemptSlot.filter(attempt_id=attempt_id)
        svc.total(attempt, rows, quiz.pass_fraction)
        await attempt.save(update_fields=["sum_marks", "fraction", "passed", "needs_grading",
                                          "updated_at"])
    completed = False
    if plugins is not None and (was_pending or attempt.passed) and not attempt.needs_grading:
        completed = await svc.after_finish(plugins, attempt)
    return {"attempt_id": attempt_id, "slot": slot, "mark": row.mark, "fraction": row.fraction,
            "state": row.state, "comment": row.comment,
            "attempt": {**svc.attempt_summary(attempt)}, "module_completed": completed}

