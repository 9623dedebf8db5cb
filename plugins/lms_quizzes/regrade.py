"""Regrading past attempts after a lecturer fixes a question's answer key.

An attempt keeps a copy of each question as it was when the attempt began, so editing the bank
never silently changes anyone's grade. A regrade is the deliberate step: the copy is replaced by
the question's current version, each stored response is graded again, and the attempt is
re-totalled. A dry run reports whose grade would change without writing anything, which is what
the editor shows before the lecturer confirms (Moodle's "dry run a full regrade").

Marks set by hand (``graded_by``: essays, overrides) are kept: a regrade never undoes a
lecturer's judgement. Attempts still running get the new version too (their answers keep their
meaning because answer ids are stable), so they are graded with the fixed key when submitted.
"""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from lms_quizzes import attempts as svc
from lms_quizzes.models import Attempt, AttemptSlot, Question, Quiz


def _changed(before: float | None, after: float | None) -> bool:
    if before is None or after is None:
        return before is not after
    return abs(before - after) > 1e-9


async def regrade_question(institution_id: int, question: Question, *, dry_run: bool,
                           plugins: Any = None) -> dict[str, Any]:
    """Regrade every attempt of the institution that holds ``question``; report the changes."""
    current = svc.snapshot(question)
    slot_rows = await AttemptSlot.filter(
        question_id=question.id, attempt__quiz__institution_id=institution_id
    ).values("attempt_id")
    attempt_ids = sorted({r["attempt_id"] for r in slot_rows})
    changes: list[dict[str, Any]] = []
    running = 0
    newly_done: list[Attempt] = []
    quizzes: dict[int, Quiz] = {}  # a question usually sits in one or two quizzes
    async with in_transaction():
        for attempt_id in attempt_ids:
            # slots before the attempt: the order a save and the submit lock them in
            slots = AttemptSlot.filter(attempt_id=attempt_id).order_by("slot")
            rows = await (slots if dry_run else slots.select_for_update())
            attempt = await (Attempt.select_for_update().get(id=attempt_id) if not dry_run
                             else Attempt.get(id=attempt_id))
            targets = [r for r in rows if r.question_id == question.id]
            if attempt.state == svc.IN_PROGRESS:
                running += 1
                if not dry_run:  # saved answers carry their grade: grade them by the new key
                    for r in targets:
                        r.question, r.question_version = current, question.version
                        if r.graded_by_id is None:
                            svc.apply_grade(r, svc.grading.grade(current, r.response))
                        await r.save(update_fields=["question", "question_version", "state",
                                                    "feedback", "fraction", "mark"])
                continue
            before = (attempt.fraction, attempt.passed, attempt.needs_grading)
            for r in targets:
                r.question, r.question_version = current, question.version
                if r.graded_by_id is None:
                    svc.apply_grade(r, svc.grading.grade(current, r.response))
            quiz = quizzes.get(attempt.quiz_id) or await Quiz.get(id=attempt.quiz_id)
            quizzes[quiz.id] = quiz
            svc.total(attempt, rows, quiz.pass_fraction)
            if _changed(before[0], attempt.fraction) or before[1] != attempt.passed:
                user = await attempt.user
                changes.append({
                    "attempt_id": attempt.id, "attempt_number": attempt.number,
                    "user_id": attempt.user_id, "user_name": user.full_name,
                    "module_id": quiz.module_id, "preview": attempt.enrolment_id is None,
                    "old_fraction": before[0], "new_fraction": attempt.fraction,
                    "old_passed": before[1], "new_passed": attempt.passed,
                })
            if dry_run:
                continue
            for r in targets:
                await r.save(update_fields=["question", "question_version", "state", "feedback",
                                            "fraction", "mark"])
            await attempt.save(update_fields=["sum_marks", "fraction", "passed",
                                              "needs_grading", "updated_at"])
            if attempt.passed and not before[1]:
                newly_done.append(attempt)
    if plugins is not None:
        for attempt in newly_done:
            await svc.after_finish(plugins, attempt)
    return {"question_id": question.id, "version": question.version, "dry_run": dry_run,
            "attempts_checked": len(attempt_ids) - running, "attempts_running": running,
            "changed": changes}
