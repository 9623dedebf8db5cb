"""Course progress for submitted attempts, recorded by a job rather than inside the submit.

A timed test ends for a whole class in the same second, and recording progress is the slow half
of a submit: the core's ``complete_module`` runs other plugins' completion filters, writes the
progress row and the event log, checks the whole course, and the assessment plugin reads the
trainee's competency marks. So the submit only finishes the attempt and sets
``progress_pending`` in that same statement (the durable "still to do"), then queues
``quizzes.record_progress``; the trainee has the grade at once and the progress follows within
moments, as a course page reload shows.

Nothing is lost on the way: a job that never ran (the in-process queue dies with its process, a
full queue, a Redis hiccup) leaves the mark set, and ``quizzes.progress_sweep`` records every
attempt still marked a minute later. Recording twice is harmless (completing a module twice
changes nothing), so a job and the sweep may overlap.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from lms_core.http.problems import Problem
from lms_core.plugin_api import JobSpec

from lms_quizzes.attempts import after_finish, now
from lms_quizzes.models import Attempt

log = logging.getLogger("lms.quizzes")

RECORD_JOB = "quizzes.record_progress"
SWEEP_JOB = "quizzes.progress_sweep"
#: The sweep leaves attempts younger than this to their own job.
SWEEP_AFTER = timedelta(seconds=60)
SWEEP_BATCH = 500


async def record(plugins: Any, attempt_id: int) -> bool:
    """Record the progress of one finished attempt if it is still marked; True when this
    completed the module. A refusal by the core or a plugin (an enrolment no longer active, a
    completion filter saying no) is an answer, not a failure: it clears the mark too."""
    attempt = await Attempt.get_or_none(id=attempt_id, progress_pending=True)
    if attempt is None:
        return False  # recorded already (by the sweep, another worker, or a retry)
    try:
        completed = await after_finish(plugins, attempt)
    except Problem as refused:
        log.info("progress of quiz attempt %s not recorded: %s", attempt_id, refused.detail)
        completed = False
    await Attempt.filter(id=attempt_id).update(progress_pending=False)
    return completed


async def queue(runtime: Any, attempt_id: int) -> None:
    """After the submit's transaction: hand the attempt to the job runner, or record it here
    when there is none (a script, a test without the app). A failure to queue is only logged:
    the mark stays and the sweep records it."""
    jobs = getattr(runtime, "jobs", None)
    if jobs is None:
        await record(runtime.plugins, attempt_id)
        return
    try:
        await jobs.enqueue(RECORD_JOB, attempt_id=attempt_id)
    except Exception:
        log.exception("could not queue the progress of quiz attempt %s; the sweep will record "
                      "it", attempt_id)


async def record_job(ctx: Any, attempt_id: int) -> bool:
    return await record(ctx.runtime.plugins, attempt_id)


async def sweep(plugins: Any, older_than: timedelta = SWEEP_AFTER) -> int:
    """Record every attempt still marked after ``older_than``; returns how many were. One that
    fails is logged and left marked for the next sweep, without holding up the others."""
    cutoff = now() - older_than
    done, last = 0, 0
    while True:
        ids = await Attempt.filter(progress_pending=True, finished_at__lte=cutoff, id__gt=last) \
            .order_by("id").limit(SWEEP_BATCH).values_list("id", flat=True)
        for attempt_id in ids:
            try:
                await record(plugins, attempt_id)
                done += 1
            except Exception:
                log.exception("progress of quiz attempt %s: sweep failed", attempt_id)
        if len(ids) < SWEEP_BATCH:
            return done
        last = ids[-1]


async def sweep_job(ctx: Any) -> int:
    return await sweep(ctx.runtime.plugins)


def jobs() -> list[JobSpec]:
    return [
        JobSpec(RECORD_JOB, record_job,
                description="Ghi nhận tiến độ khoá học cho một lượt làm bài vừa nộp"),
        JobSpec(SWEEP_JOB, sweep_job, schedule=60,
                description="Ghi nhận tiến độ cho các lượt đã nộp mà việc ghi nhận chưa chạy "
                            "(máy chủ khởi động lại, hàng đợi lỗi)"),
    ]
