"""The queue of recognition-of-prior-learning requests (admins, ``assessment.manage``): who asks
to be spared which course and why, what an approval would record, and approve or reject with a
note. Deciding is ``duplication.decide``, the JSON API's: approval records ``recognition``
evidence of each competency the course develops and withdraws the person's nomination to the
class, in one transaction.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from lms_core.auth.principal import Principal
from lms_core.http.endpoints import path_int
from lms_core.http.problems import Problem
from lms_core.models import Course, CourseClass, Unit, User
from lms_core.plugin_api import ActionRefused, MenuItem
from lms_core.runtime import runtime
from lms_core.web.forms import one, problem_text, say as say_for
from lms_core.web.pages import page
from lms_core.web.templating import render

from lms_assessment import duplication, frameworks
from lms_assessment.models import Competency, Exemption, ExemptionStatus
from lms_assessment.needs import course_levels
from lms_assessment.pages.plan_display import FILTERS, notice

PERMISSION = "assessment.manage"
STATUSES = ("pending", "approved", "rejected", "all")
SHOWN = 500

MENU = [MenuItem("assessment-exemptions", "Công nhận kết quả học tập",
                 "Recognition requests", "/assessment/exemptions", permission=PERMISSION,
                 order=63, group="assessment")]


async def _rows(institution_id: int, status: str) -> list[dict[str, Any]]:
    qs = Exemption.filter(institution_id=institution_id)
    if status != "all":
        qs = qs.filter(status=ExemptionStatus(status))
    items = [duplication.exemption_dict(e)
             for e in await qs.order_by("created_at", "id").limit(SHOWN)]
    people = {u["id"]: u for u in await User.filter(
        id__in={i["user_id"] for i in items} | {i["requested_by_id"] for i in items
                                                 if i["requested_by_id"]},
        memberships__institution_id=institution_id).distinct().values(
        "id", "full_name", "unit_id")}
    units = dict(await Unit.filter(institution_id=institution_id, id__in={
        p["unit_id"] for p in people.values() if p["unit_id"]}).values_list("id", "name"))
    courses = {c["id"]: c for c in await Course.filter(
        institution_id=institution_id, id__in={i["course_id"] for i in items}).values(
        "id", "code", "title", "competencies")}
    classes = dict(await CourseClass.filter(
        institution_id=institution_id, id__in={i["klass_id"] for i in items if i["klass_id"]}
    ).values_list("id", "code"))
    resolve = await frameworks.resolve_codes(institution_id)
    develops = {cid: course_levels(c["competencies"], resolve) for cid, c in courses.items()}
    names = dict(await Competency.filter(id__in={k for d in develops.values() for k in d})
                 .values_list("id", "code")) if develops else {}
    for i in items:
        person = people.get(i["user_id"], {})
        i["full_name"] = person.get("full_name", "")
        i["unit"] = units.get(person.get("unit_id"), "")
        i["requested_by"] = people.get(i["requested_by_id"], {}).get("full_name", "")
        course = courses.get(i["course_id"], {})
        i["course"] = f"{course.get('code', '')} · {course.get('title', '')}"
        i["klass"] = classes.get(i["klass_id"], "")
        i["records"] = sorted((names.get(cid, ""), level)
                              for cid, level in develops.get(i["course_id"], {}).items())
    return items


async def _render(request: Request, principal: Principal, status: str, error: str = "",
                  status_code: int = 200) -> Response:
    return await render(request, "assessment/exemptions.html", {
        "page": "assessment-exemptions", "status": status, "statuses": STATUSES,
        "items": await _rows(principal.institution_id, status), "error": error,
        "notice": notice(request, ("approved", "rejected")), **FILTERS,
    }, status_code=status_code)


@page(PERMISSION)
async def queue_page(request: Request, principal: Principal) -> Response:
    status = request.query_params.get("status", "pending")
    if status not in STATUSES:
        raise Problem(422, "Trạng thái không hợp lệ.", "Invalid status.")
    return await _render(request, principal, status)


@page(PERMISSION)
async def decide(request: Request, principal: Principal) -> Response:
    form = await request.form()
    say = say_for(request)
    decision = one(form, "decision")
    raw = form.get("note")
    note = raw.strip() if isinstance(raw, str) else ""
    if decision not in ("approve", "reject"):
        return await _render(request, principal, "pending", say(
            "Hãy chọn duyệt hoặc từ chối.", "Choose approve or reject."), 422)
    if len(note) > 4000:
        return await _render(request, principal, "pending", say(
            "Ghi chú dài quá 4000 ký tự.", "The note is over 4000 characters."), 422)
    try:
        await duplication.decide(runtime(request).plugins, principal.institution_id,
                                 path_int(request, "exemption_id"), decision == "approve", note,
                                 principal.user_id)
    except (Problem, ActionRefused) as exc:
        status, text = problem_text(request, exc)
        return await _render(request, principal, "pending", text, status)
    done = "approved" if decision == "approve" else "rejected"
    return RedirectResponse(f"/assessment/exemptions?notice={done}", status_code=303)


ROUTES: list[BaseRoute] = [
    Route("/assessment/exemptions", queue_page, methods=["GET"], name="assessment.exemptions"),
    Route("/assessment/exemptions/{exemption_id:int}/decide", decide, methods=["POST"]),
]
