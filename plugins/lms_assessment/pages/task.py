"""The practical task as web pages: the trainee reads it (Markdown rendered sanitised) and saves a
draft, submits or resubmits their report in Markdown until it is graded; the class's lecturer
sets the task with its rubric, lists the submissions and grades each on the rubric (a level per
competency, with feedback), and each grade becomes evidence in the trainee's profile.

No file upload: the API takes the report as Markdown text only. The rules (who may do what, a
graded report is final, a rubric matches the task) are those of ``practical`` and
``class_steps``, the same as for the JSON API; a refused form is shown again with what was
typed."""

from __future__ import annotations

import re
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from lms_core.auth.principal import Principal
from lms_core.http.endpoints import path_int
from lms_core.http.problems import Problem
from lms_core.models import Course, CourseClass, Enrolment, User
from lms_core.web.pages import page
from lms_core.web.templating import render

from lms_assessment import class_steps, plans, practical
from lms_assessment.models import PracticalTask, TaskSubmission
from lms_assessment.pages._steps_common import Say, competencies_with_levels, formats, \
    level_options, parse_date, problem_text, say, small_int, text

BASE = "/assessment/classes/{class_id:int}/task"
MAX_TEXT = 100_000  # as SubmissionBody
MAX_INSTRUCTIONS = 20_000  # as TaskBody
MAX_CRITERION = 1000
MAX_FEEDBACK = 4000
MAX_RUBRIC = 50
BLANK_ROWS = 2
CODE_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")


async def _class_in(principal: Principal, class_id: int) -> CourseClass:
    klass = await CourseClass.get_or_none(id=class_id, institution_id=principal.institution_id)
    if klass is None:
        raise Problem(404, "Không tìm thấy lớp học.", "Class not found.")
    return klass


async def _can_set(principal: Principal, class_id: int) -> bool:
    try:
        await class_steps.lecturer_or_admin(principal, class_id)
    except Problem:
        return False
    return True


# --- the trainee's page ------------------------------------------------------------------------

async def _render_task(request: Request, principal: Principal, klass: CourseClass, *,
                       draft: str | None = None, errors: dict[str, str] | None = None,
                       message: str = "", status_code: int = 200) -> Response:
    """The task for a trainee (with their report) or for the class's staff (read only)."""
    trainee = await class_steps.is_trainee(klass.id, principal.user_id)
    if not trainee:
        await plans.class_for_staff(principal, klass.id)
    task = await PracticalTask.get_or_none(klass_id=klass.id)
    can_set = not trainee and await _can_set(principal, klass.id)
    if task is None and (trainee or not can_set):
        await class_steps.task_of(klass.id)  # the API's 404
    mine = None
    if trainee and task is not None:
        sub = await TaskSubmission.get_or_none(task_id=task.id, user_id=principal.user_id)
        mine = practical.submission_dict(sub) if sub else None
    codes = [r["code"] for r in task.rubric] if task else []
    return await render(request, "assessment/task.html", {
        "page": "assessment-task", "klass": klass, "trainee": trainee, "can_set": can_set,
        "task": practical.task_dict(task) if task else None, "mine": mine,
        "grades": {g["code"]: g for g in (mine or {}).get("grades") or []},
        "draft": draft if draft is not None else (mine or {}).get("text", ""),
        "names": await competencies_with_levels(klass.institution_id, codes),
        "errors": errors or {}, "message": message, "max_text": MAX_TEXT,
        "notice": request.query_params.get("notice", ""), **formats(request)},
        status_code=status_code)


@page()
async def task_page(request: Request, principal: Principal) -> Response:
    klass = await _class_in(principal, path_int(request, "class_id"))
    return await _render_task(request, principal, klass)


@page()
async def task_save(request: Request, principal: Principal) -> Response:
    """A draft, a submission or a resubmission of the trainee's own report."""
    klass = await _class_in(principal, path_int(request, "class_id"))
    if not await class_steps.is_trainee(klass.id, principal.user_id):
        raise Problem(404, "Anh/chị không học lớp này.", "You are not a trainee of this class.")
    task = await class_steps.task_of(klass.id)
    form = await request.form()
    tell = say(request)
    body = text(form, "text")
    submit = text(form, "action") != "draft"
    if len(body) > MAX_TEXT:
        return await _render_task(request, principal, klass, draft=body, status_code=422,
                                  errors={"text": tell(
                                      f"Bài dài quá {MAX_TEXT} ký tự ({len(body)}).",
                                      f"The report is over {MAX_TEXT} characters "
                                      f"({len(body)}).")})
    try:
        await practical.save(task, principal.user_id, body, submit)
    except Problem as exc:
        status, message = problem_text(request, exc)
        return await _render_task(request, principal, klass, draft=body, message=message,
                                  status_code=status)
    notice = "submitted" if submit else "draft"
    return RedirectResponse(f"/assessment/classes/{klass.id}/task?notice={notice}",
                            status_code=303)


# --- setting the task (the class's lecturers) ----------------------------------------------

async def _rubric_rows(klass: CourseClass, task: PracticalTask | None) -> list[dict[str, str]]:
    """The task's rubric, then each competency the course develops not in it yet (criterion
    blank: left out unless filled), then blank rows for other codes."""
    rows = [{"code": r["code"], "criterion": r["criterion"], "suggested": False}
            for r in (task.rubric if task else [])]
    course = await Course.get(id=klass.course_id)
    seen = {r["code"] for r in rows}
    for item in course.competencies if isinstance(course.competencies, list) else []:
        code = item.get("code") if isinstance(item, dict) else item
        if isinstance(code, str) and code not in seen:
            rows.append({"code": code, "criterion": "", "suggested": True})
            seen.add(code)
    blank = {"code": "", "criterion": "", "suggested": False}
    return rows[:MAX_RUBRIC - BLANK_ROWS] + [dict(blank) for _ in range(BLANK_ROWS)]


def _parse_task(form: FormData, tell: Say) -> tuple[dict[str, Any], dict[str, Any],
                                                     dict[str, str]]:
    """The form as typed, ``set_task``'s arguments, and errors by field."""
    errors: dict[str, str] = {}
    kept: dict[str, Any] = {"title": text(form, "title").strip(),
                            "instructions": text(form, "instructions"),
                            "due_on": text(form, "due_on").strip()[:20], "rubric": []}
    if not kept["title"]:
        errors["title"] = tell("Hãy nhập tên bài tập.", "Enter the task's title.")
    elif len(kept["title"]) > 255:
        errors["title"] = tell("Tên bài tập dài quá 255 ký tự.", "The title is over 255 "
                               "characters.")
    if len(kept["instructions"]) > MAX_INSTRUCTIONS:
        errors["instructions"] = tell(f"Hướng dẫn dài quá {MAX_INSTRUCTIONS} ký tự.",
                                      f"The instructions are over {MAX_INSTRUCTIONS} "
                                      "characters.")
    due_on = None
    if kept["due_on"]:
        due_on = parse_date(kept["due_on"])
        if due_on is None:
            errors["due_on"] = tell("Ngày không hợp lệ (ngày/tháng/năm).",
                                    "Invalid date (day/month/year).")
    rubric = []
    rows = small_int(text(form, "rows"), 0, MAX_RUBRIC) or 0
    for i in range(rows):
        code = text(form, f"code:{i}").strip()[:100]
        criterion = text(form, f"criterion:{i}").strip()
        suggested = text(form, f"suggested:{i}") == "1"
        kept["rubric"].append({"code": code, "criterion": criterion, "suggested": suggested})
        if not code and not criterion:
            continue
        if not CODE_RE.fullmatch(code):
            errors[f"code:{i}"] = tell("Mã năng lực chỉ gồm chữ không dấu, số và . _ -.",
                                       "A competency code holds letters, digits and . _ -.")
        elif not criterion:
            if suggested:
                continue  # a competency of the course left out of the rubric
            errors[f"criterion:{i}"] = tell("Hãy nêu tiêu chí chấm cho năng lực này.",
                                            "Say what is graded for this competency.")
        elif len(criterion) > MAX_CRITERION:
            errors[f"criterion:{i}"] = tell(f"Tiêu chí dài quá {MAX_CRITERION} ký tự.",
                                            f"The criterion is over {MAX_CRITERION} "
                                            "characters.")
        else:
            rubric.append({"code": code, "criterion": criterion})
    if not rubric and not any(k.startswith(("code:", "criterion:")) for k in errors):
        errors["rubric"] = tell("Cần ít nhất một tiêu chí chấm theo năng lực.",
                                "The rubric needs at least one competency.")
    return kept, {"title": kept["title"], "instructions": kept["instructions"],
                  "rubric": rubric, "due_on": due_on}, errors


async def _render_edit(request: Request, klass: CourseClass, form: dict[str, Any] | None = None,
                       errors: dict[str, str] | None = None, status_code: int = 200
                       ) -> Response:
    task = await PracticalTask.get_or_none(klass_id=klass.id)
    if form is None:
        form = {"title": task.title if task else "",
                "instructions": task.instructions if task else "",
                "due_on": task.due_on.isoformat() if task and task.due_on else "",
                "rubric": await _rubric_rows(klass, task)}
    codes = [r["code"] for r in form["rubric"] if r["code"]]
    return await render(request, "assessment/task_edit.html", {
        "page": "assessment-task-edit", "klass": klass, "task": task, "form": form,
        "errors": errors or {},
        "names": await competencies_with_levels(klass.institution_id, codes),
        "max_instructions": MAX_INSTRUCTIONS}, status_code=status_code)


@page()
async def edit_page(request: Request, principal: Principal) -> Response:
    klass = await class_steps.lecturer_or_admin(principal, path_int(request, "class_id"))
    return await _render_edit(request, klass)


@page()
async def edit_save(request: Request, principal: Principal) -> Response:
    klass = await class_steps.lecturer_or_admin(principal, path_int(request, "class_id"))
    form = await request.form()
    kept, args, errors = _parse_task(form, say(request))
    if not errors:
        try:
            await practical.set_task(klass, args["title"], args["instructions"],
                                     args["rubric"], args["due_on"], principal.user_id)
        except Problem as exc:
            status, message = problem_text(request, exc)
            return await _render_edit(request, klass, kept, {"form": message}, status)
        return RedirectResponse(f"/assessment/classes/{klass.id}/task?notice=saved",
                                status_code=303)
    return await _render_edit(request, klass, kept, errors, 422)


# --- submissions and grading ------------------------------------------------------------------

@page()
async def submissions_page(request: Request, principal: Principal) -> Response:
    klass = await class_steps.lecturer_or_admin(principal, path_int(request, "class_id"))
    task = await class_steps.task_of(klass.id)
    subs = await class_steps.submissions(task, with_text=False)
    submitted = {s["user_id"] for s in subs}
    waiting = [r for r in await Enrolment.filter(
        klass_id=klass.id, status__in=class_steps.TRAINING).order_by(
        "user__sort_key", "user_id").values("user_id", "user__full_name")
        if r["user_id"] not in submitted]
    return await render(request, "assessment/task_submissions.html", {
        "page": "assessment-task-submissions", "klass": klass, "task": task, "subs": subs,
        "waiting": waiting, "notice": request.query_params.get("notice", ""),
        **formats(request)})


async def _submission(task: PracticalTask, submission_id: int) -> TaskSubmission:
    sub = await TaskSubmission.get_or_none(id=submission_id, task_id=task.id,
                                           submitted_at__isnull=False)
    if sub is None:
        raise Problem(404, "Không tìm thấy bài nộp.", "Submission not found.")
    return sub


async def _render_grade(request: Request, klass: CourseClass, task: PracticalTask,
                        sub: TaskSubmission, form: dict[str, dict[str, str]] | None = None,
                        errors: dict[str, str] | None = None, message: str = "",
                        status_code: int = 200) -> Response:
    if form is None:
        given = {g["code"]: g for g in sub.grades}
        form = {r["code"]: {"level": str((given.get(r["code"]) or {}).get("level", "")),
                            "comment": (given.get(r["code"]) or {}).get("comment", "")}
                for r in task.rubric}
    names = await competencies_with_levels(klass.institution_id,
                                           [r["code"] for r in task.rubric])
    rubric = [{**r, "competency": names.get(r["code"]),
               "levels": level_options((names.get(r["code"]) or {}).get("levels", {}))}
              for r in task.rubric]
    trainee = await User.get(id=sub.user_id)
    return await render(request, "assessment/task_grade.html", {
        "page": "assessment-task-grade", "klass": klass, "task": task,
        "sub": practical.submission_dict(sub), "trainee": trainee.full_name,
        "rubric": rubric, "form": form, "errors": errors or {}, "message": message,
        "max_feedback": MAX_FEEDBACK, **formats(request)}, status_code=status_code)


@page()
async def grade_page(request: Request, principal: Principal) -> Response:
    klass = await class_steps.lecturer_or_admin(principal, path_int(request, "class_id"))
    task = await class_steps.task_of(klass.id)
    sub = await _submission(task, path_int(request, "submission_id"))
    return await _render_grade(request, klass, task, sub)


@page()
async def grade_save(request: Request, principal: Principal) -> Response:
    """A level (1–5) for every criterion of the rubric, with optional feedback; graded again,
    the new grade replaces the earlier one and its evidence."""
    klass = await class_steps.lecturer_or_admin(principal, path_int(request, "class_id"))
    task = await class_steps.task_of(klass.id)
    sub = await _submission(task, path_int(request, "submission_id"))
    form = await request.form()
    tell = say(request)
    kept: dict[str, dict[str, str]] = {}
    grades: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for row in task.rubric:
        code = row["code"]
        raw, comment = text(form, f"level:{code}").strip()[:2], text(form, f"comment:{code}")
        kept[code] = {"level": raw, "comment": comment}
        level = small_int(raw, 1, 5)
        if level is None:
            errors[f"level:{code}"] = tell("Hãy chọn một mức từ 1 đến 5.",
                                           "Choose a level from 1 to 5.")
        if len(comment) > MAX_FEEDBACK:
            errors[f"comment:{code}"] = tell(f"Nhận xét dài quá {MAX_FEEDBACK} ký tự.",
                                             f"The feedback is over {MAX_FEEDBACK} characters.")
        grades.append({"code": code, "level": level, "comment": comment.strip()})
    if errors:
        return await _render_grade(request, klass, task, sub, kept, errors,
                                   tell("Hãy sửa các tiêu chí được đánh dấu bên dưới.",
                                        "Please correct the criteria marked below."), 422)
    try:
        await class_steps.grade(task, sub.id, grades, principal.user_id)
    except Problem as exc:
        status, message = problem_text(request, exc)
        return await _render_grade(request, klass, task, sub, kept, {}, message, status)
    return RedirectResponse(f"/assessment/classes/{klass.id}/task/submissions?notice=graded",
                            status_code=303)


ROUTES: list[BaseRoute] = [
    Route(BASE, task_page, name="assessment.task"),
    Route(BASE, task_save, methods=["POST"], name="assessment.task_save"),
    Route(BASE + "/edit", edit_page, name="assessment.task_edit"),
    Route(BASE + "/edit", edit_save, methods=["POST"], name="assessment.task_edit_save"),
    Route(BASE + "/submissions", submissions_page, name="assessment.task_submissions"),
    Route(BASE + "/submissions/{submission_id:int}", grade_page, name="assessment.task_grade"),
    Route(BASE + "/submissions/{submission_id:int}", grade_save, methods=["POST"],
          name="assessment.task_grade_save"),
]
