"""The class-quality survey as web pages: the trainee's form (sections, the 1–5 agreement scale,
an optional comment; anonymous, and the form says so) with a confirmation once sent, and the
results for the class's lecturers, planners and admins, aggregates only.

Whether the survey is open, whether the trainee already answered and whether a form is valid
are decided by ``class_steps`` and ``survey`` (as for the JSON API). The page adds one courtesy:
a form that would be invalid (too many items unanswered) is shown again with the answers kept
and sent only when the trainee confirms."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from lms_core.auth.principal import Principal
from lms_core.http.endpoints import path_int
from lms_core.http.problems import Problem
from lms_core.text import word_key
from lms_core.web.pages import page
from lms_core.web.templating import render

from lms_assessment import class_steps, plans, survey
from lms_assessment.pages._steps_common import Say, formats, problem_text, say, text

BASE = "/assessment/classes/{class_id:int}/survey"
MAX_COMMENT = 4000  # as SurveyBody


def _sections(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The form's items by section in the survey's order; lecturer items by lecturer."""
    out = []
    for key, (vi, en) in survey.SECTIONS.items():
        mine = [i for i in items if i["section"] == key]
        if not mine:
            continue
        groups: list[dict[str, Any]] = []
        for item in mine:
            name = item["lecturer_name"] if item["lecturer_id"] is not None else ""
            if not groups or groups[-1]["lecturer"] != name:
                groups.append({"lecturer": name, "rows": []})
            groups[-1]["rows"].append(item)
        out.append({"key": key, "name": vi, "name_en": en, "groups": groups})
    return out


def _parse(form: FormData, items: list[dict[str, Any]], tell: Say
           ) -> tuple[dict[str, str], dict[str, int | None], str, dict[str, str]]:
    """Answers as typed (to show again), as ``survey.submit`` takes them, the comment, and the
    errors by item. A value that is not 1 to 5 is an error, a blank is a blank."""
    kept: dict[str, str] = {}
    answers: dict[str, int | None] = {}
    errors: dict[str, str] = {}
    for item in items:
        raw = text(form, f"answer:{item['key']}").strip()
        kept[item["key"]] = raw[:2]
        if not raw:
            answers[item["key"]] = None
        elif raw in {str(v) for v in survey.SCALE}:
            answers[item["key"]] = int(raw)
        else:
            errors[item["key"]] = tell("Chọn một mức từ 1 đến 5.", "Choose a level from 1 to 5.")
    comment = text(form, "comment")
    if len(comment) > MAX_COMMENT:
        errors["comment"] = tell(f"Ý kiến dài quá {MAX_COMMENT} ký tự ({len(comment)}).",
                                 f"The comment is over {MAX_COMMENT} characters "
                                 f"({len(comment)}).")
    return kept, answers, comment, errors


async def _render_form(request: Request, klass: Any, plan: Any, enrolment: Any, *,
                       answers: dict[str, str] | None = None, comment: str = "",
                       errors: dict[str, str] | None = None, message: str = "",
                       incomplete: int = 0, status_code: int = 200) -> Response:
    items = survey.form_items(await class_steps.lecturers(klass.id))
    answered = await class_steps.survey_answered(plan, enrolment.user_id)
    return await render(request, "assessment/survey_form.html", {
        "page": "assessment-survey", "klass": klass, "sections": _sections(items),
        "scale": survey.SCALE_LABELS, "open": class_steps.survey_open(klass, plan, enrolment),
        "answered": answered, "answers": answers or {}, "comment": comment,
        "errors": errors or {}, "message": message, "incomplete": incomplete,
        "allowed_blank": int(survey.INVALID_SHARE * len(items)),
        "notice": request.query_params.get("notice", "") if answered else "",
        "max_comment": MAX_COMMENT}, status_code=status_code)


@page()
async def form_page(request: Request, principal: Principal) -> Response:
    """Trainees of the class only (404 for anyone else: there is no survey for them)."""
    klass, plan, enrolment = await class_steps.survey_context(principal,
                                                              path_int(request, "class_id"))
    return await _render_form(request, klass, plan, enrolment)


@page()
async def form_send(request: Request, principal: Principal) -> Response:
    klass, plan, enrolment = await class_steps.survey_context(principal,
                                                              path_int(request, "class_id"))
    form = await request.form()
    tell = say(request)
    items = survey.form_items(await class_steps.lecturers(klass.id))
    kept, answers, comment, errors = _parse(form, items, tell)
    again = {"answers": kept, "comment": comment}
    if errors:
        return await _render_form(request, klass, plan, enrolment, **again, errors=errors,
                                  message=tell("Hãy sửa các câu được đánh dấu bên dưới.",
                                               "Please correct the items marked below."),
                                  status_code=422)
    blank = sum(1 for v in answers.values() if v is None)
    if not survey.is_valid(blank, len(items)) and text(form, "send_incomplete") != "1":
        return await _render_form(
            request, klass, plan, enrolment, **again, incomplete=blank, status_code=422,
            message=tell(f"Còn {blank} câu chưa trả lời: phiếu sẽ không hợp lệ và không được "
                         f"tính vào kết quả. Hãy trả lời thêm, hoặc đánh dấu ô xác nhận để vẫn "
                         f"gửi.",
                         f"{blank} items are unanswered: the form would be invalid and left "
                         f"out of the results. Answer more, or tick the box to send it anyway."))
    try:
        result = await class_steps.send_survey(principal, klass, plan, enrolment, answers,
                                               comment)
    except Problem as exc:
        status, message = problem_text(request, exc)
        return await _render_form(request, klass, plan, enrolment, **again, message=message,
                                  status_code=status)
    notice = "sent" if result["valid"] else "invalid"
    return RedirectResponse(f"/assessment/classes/{klass.id}/survey?notice={notice}",
                            status_code=303)


@page()
async def results_page(request: Request, principal: Principal) -> Response:
    """The class's lecturers, planners and admins: means and distributions per item, section
    and lecturer, the response rate and invalid forms apart; comments from three forms on. No
    response carries whose it is, so no name of a trainee can appear here."""
    klass = await plans.class_for_staff(principal, path_int(request, "class_id"))
    results = await class_steps.survey_results(klass)
    # alphabetical, not the order sent: the order could tell who wrote which
    results["comments"] = sorted(results.get("comments", []), key=word_key)
    return await render(request, "assessment/survey_results.html", {
        "page": "assessment-survey-results", "klass": klass, "r": results,
        "sections": _sections(results["items"]), "scale": survey.SCALE_LABELS,
        "min_for_comments": survey.MIN_FOR_COMMENTS, **formats(request)})


ROUTES: list[BaseRoute] = [
    Route(BASE, form_page, name="assessment.survey"),
    Route(BASE, form_send, methods=["POST"], name="assessment.survey_send"),
    Route(BASE + "/results", results_page, name="assessment.survey_results"),
]
