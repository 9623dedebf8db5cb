"""Step 3 of the post-training assessment, *application*: a practical task tied to the
trainee's own job position (a short report or project on a real problem of their unit), graded
by the class's lecturer on a rubric per competency. The trainee writes in Markdown (rendered
sanitised), may save drafts until they submit, and cannot change a graded submission; a grade
is evidence of each competency at the level given (source ``practical``)."""

from __future__ import annotations

from typing import Any

from lms_core import clock
from lms_core.content.markdown import render_markdown
from lms_core.http.problems import Problem

from lms_assessment import frameworks, profile
from lms_assessment.models import EvidenceSource, PracticalTask, TaskSubmission


async def set_task(klass: Any, title: str, instructions: str, rubric: list[dict[str, Any]],
                   due_on: Any, actor_id: int) -> PracticalTask:
    resolve = await frameworks.resolve_codes(klass.institution_id)
    unknown = [r["code"] for r in rubric if r["code"] not in resolve]
    if unknown:
        raise Problem(422, f"Mã năng lực không có trong khung năng lực: {', '.join(unknown)}.",
                      f"Not competencies of the frameworks in use: {', '.join(unknown)}.")
    if len({r["code"] for r in rubric}) != len(rubric):
        raise Problem(422, "Mỗi năng lực chỉ một tiêu chí.", "One criterion per competency.")
    task, _ = await PracticalTask.update_or_create(
        defaults={"institution_id": klass.institution_id, "title": title,
                  "instructions": instructions, "rubric": rubric, "due_on": due_on,
                  "created_by_id": actor_id}, klass_id=klass.id)
    return task


def task_dict(task: PracticalTask) -> dict[str, Any]:
    return {"id": task.id, "class_id": task.klass_id, "title": task.title,
            "instructions": task.instructions,
            "instructions_html": render_markdown(task.instructions),
            "rubric": task.rubric, "due_on": task.due_on}


def submission_dict(sub: TaskSubmission, with_text: bool = True) -> dict[str, Any]:
    out = {"id": sub.id, "task_id": sub.task_id, "user_id": sub.user_id,
           "submitted_at": sub.submitted_at, "updated_at": sub.updated_at,
           "grades": sub.grades, "graded_at": sub.graded_at}
    if with_text:
        out["text"] = sub.text
        out["text_html"] = render_markdown(sub.text)
    return out


async def save(task: PracticalTask, user_id: int, text: str, submit: bool) -> TaskSubmission:
    sub, _ = await TaskSubmission.get_or_create(task=task, user_id=user_id)
    if sub.graded_at is not None:
        raise Problem(409, "Bài đã được chấm, không sửa được nữa.",
                      "The submission is graded and can no longer change.")
    if sub.submitted_at is not None and not submit:
        raise Problem(409, "Bài đã nộp; chỉ nộp lại được bản mới.",
                      "Submitted already: only a new submission replaces it.")
    if submit and not text.strip():
        raise Problem(422, "Bài nộp không được để trống.", "The submission is empty.")
    sub.text = text
    if submit:
        sub.submitted_at = clock.now()
    await sub.save()
    return sub


async def grade(task: PracticalTask, submission_id: int, grades: list[dict[str, Any]],
                actor_id: int) -> TaskSubmission:
    sub = await TaskSubmission.get_or_none(id=submission_id, task_id=task.id)
    if sub is None:
        raise Problem(404, "Không tìm thấy bài nộp.", "Submission not found.")
    if sub.submitted_at is None:
        raise Problem(409, "Học viên chưa nộp bài.", "The trainee has not submitted.")
    expected = {r["code"] for r in task.rubric}
    given = {g["code"] for g in grades}
    if expected != given:
        raise Problem(422, "Cần chấm đúng mọi tiêu chí của bài tập "
                           f"({', '.join(sorted(expected))}).",
                      f"Grade exactly the task's criteria ({', '.join(sorted(expected))}).")
    now = clock.now()
    sub.grades = [{"code": g["code"], "level": g["level"], "comment": g.get("comment", "")}
                  for g in grades]
    sub.graded_by_id, sub.graded_at = actor_id, now
    await sub.save()
    resolve = await frameworks.resolve_codes(task.institution_id)
    for g in sub.grades:
        await profile.record_evidence(
            institution_id=task.institution_id, user_id=sub.user_id,
            competency_id=resolve[g["code"]], level=g["level"], source=EvidenceSource.PRACTICAL,
            observed_at=now, ref=f"task_submission:{sub.id}", recorded_by_id=actor_id,
            note=g["comment"][:500])
    return sub
