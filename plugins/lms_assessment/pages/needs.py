"""Training needs pages (``assessment.needs``: supervisors for their own unit's subtree, planners
and admins for the whole institution): a unit's people by priority with their gaps and "how many
people need what"; one person's gaps, the fewest upcoming classes that close them and the gaps
no class closes; and nominating them to one of those classes.

Nominating first runs the duplication check (``duplication.check``): when the person's valid
evidence already reaches what the course develops, or they completed it recently, the page says
so and offers the choice to nominate anyway or to ask for recognition of prior learning instead
(``duplication.request``). The nomination itself is the core's (``services.enrolments.
nominate``), the same as the JSON API's, so the unit rule, seats and events are the core's.
Who may see whom is ``scope.py``, shared with the API.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from lms_core.auth.principal import Principal
from lms_core.http.endpoints import path_int
from lms_core.http.problems import Problem
from lms_core.models import Course, CourseClass, Enrolment, JobPosition, Unit
from lms_core.plugin_api import ActionRefused, MenuItem
from lms_core.runtime import runtime
from lms_core.services import classes as classes_svc
from lms_core.services.enrolments import nominate as nominate_staff
from lms_core.text import word_key
from lms_core.web.forms import one, problem_text, say as say_for, to_int
from lms_core.web.pages import page
from lms_core.web.templating import render

from lms_assessment import duplication, frameworks, needs
from lms_assessment.models import Exemption, ExemptionStatus
from lms_assessment.pages.plan_display import FILTERS, notice
from lms_assessment.scope import needs_scope, person_in_scope, person_needs_scope

PERMISSION = "assessment.needs"
NOMINATE = "enrolments.nominate"
PEOPLE_SHOWN = 200
#: Other upcoming classes offered in the person page's "another class" list.
OTHER_CLASSES = 300

MENU = [MenuItem("assessment-needs", "Nhu cầu đào tạo", "Training needs", "/assessment/needs",
                 permission=PERMISSION, order=62, group="assessment")]


def _query_id(request: Request, name: str) -> int | None:
    text = request.query_params.get(name, "").strip()
    if not text:
        return None
    value = to_int(text)
    if value is None:
        raise Problem(422, "Tham số không hợp lệ.", "Invalid parameter.",
                      errors=[{"field": name, "location": "query", "message": "not an id"}])
    return value


async def _units_for(principal: Principal) -> list[dict[str, Any]]:
    """The units the caller may choose: all of the institution, or the supervisor's subtree."""
    qs = Unit.filter(institution_id=principal.institution_id)
    if not principal.can("assessment.report"):
        own = await Unit.get_or_none(id=principal.unit_id or 0,
                                     institution_id=principal.institution_id)
        if own is None:
            return []
        qs = qs.filter(path__startswith=own.path)
    return await qs.order_by("path").values("id", "code", "name", "depth")


@page(PERMISSION)
async def unit_page(request: Request, principal: Principal) -> Response:
    """A unit with its sub-units (the whole institution for planners and admins by default)."""
    inst = principal.institution_id
    asked = _query_id(request, "unit_id")
    position_id = _query_id(request, "position_id")
    scope = await needs_scope(principal, asked)
    positions = await JobPosition.filter(institution_id=inst).values("id", "code", "title")
    positions.sort(key=lambda p: (word_key(p["title"]), p["code"]))
    if position_id is not None and position_id not in {p["id"] for p in positions}:
        raise Problem(404, "Không tìm thấy vị trí việc làm.", "Job position not found.")
    data = await needs.unit(inst, scope, position_id, PEOPLE_SHOWN)
    units = await _units_for(principal)
    unit_names = {u["id"]: u["name"] for u in units}
    missing = {p["unit_id"] for p in data["people"]} - set(unit_names) - {None}
    if missing:
        unit_names.update(await Unit.filter(id__in=missing, institution_id=inst)
                          .values_list("id", "name"))
    titles = {p["id"]: p["title"] for p in positions}
    for p in data["people"]:
        p["unit"] = unit_names.get(p["unit_id"], "")
        p["position"] = titles.get(p["position_id"], "")
    return await render(request, "assessment/needs_unit.html", {
        "page": "assessment-needs", "data": data, "units": units, "positions": positions,
        "unit_id": scope, "position_id": position_id,
        "unit_name": unit_names.get(scope, "") if scope else "",
        "whole": principal.can("assessment.report"), **FILTERS})


# --- one person --------------------------------------------------------------------------------

async def _person(principal: Principal, user_id: int) -> dict[str, Any]:
    result = await needs.person(principal.institution_id, user_id)
    await person_needs_scope(principal, result["unit_id"])
    return result


async def _render_person(request: Request, principal: Principal, user_id: int,
                         error: str = "", status_code: int = 200) -> Response:
    inst = principal.institution_id
    person = await _person(principal, user_id)
    enrolled = dict(await Enrolment.filter(
        user_id=user_id, klass_id__in=[c["id"] for c in person["classes"]]).values_list(
        "klass_id", "status"))
    for c in person["classes"]:
        status = enrolled.get(c["id"])
        c["enrolment"] = getattr(status, "value", status)
    suggested = {c["id"] for c in person["classes"]}
    _offers, on_offer = await needs.offers(inst, await frameworks.resolve_codes(inst))
    others = sorted((c for cid, c in on_offer.items() if cid not in suggested),
                    key=lambda c: (c["starts_on"] is None, c["starts_on"], c["code"]))
    unit = await Unit.get_or_none(id=person["unit_id"] or 0, institution_id=inst)
    position = await JobPosition.get_or_none(id=person["position_id"] or 0, institution_id=inst)
    pending = await Exemption.filter(institution_id=inst, user_id=user_id,
                                     status=ExemptionStatus.PENDING).values(
        "id", "course_id", "klass_id", "created_at", "reason")
    titles = dict(await Course.filter(id__in={e["course_id"] for e in pending},
                                      institution_id=inst).values_list("id", "title"))
    for e in pending:
        e["course"] = titles.get(e["course_id"], "")
    return await render(request, "assessment/needs_person.html", {
        "page": "assessment-needs-person", "person": person, "unit": unit, "position": position,
        "pending": pending, "others": others[:OTHER_CLASSES], "can_nominate": principal.can(NOMINATE), "error": error,
        "notice": notice(request, ("nominated", "exemption")), **FILTERS,
    }, status_code=status_code)


@page(PERMISSION)
async def person_page(request: Request, principal: Principal) -> Response:
    return await _render_person(request, principal, path_int(request, "user_id"))


async def _class_for(principal: Principal, form_value: str) -> CourseClass:
    class_id = to_int(form_value)
    if class_id is None:
        raise Problem(422, "Hãy chọn lớp học.", "Choose a class.")
    return await classes_svc.get_visible_class(principal, class_id)


async def _render_warning(request: Request, principal: Principal, user_id: int,
                          klass: CourseClass, check: dict[str, Any], reason: str = "",
                          error: str = "", status_code: int = 200) -> Response:
    person = await _person(principal, user_id)
    course = await klass.course
    return await render(request, "assessment/needs_nominate.html", {
        "page": "assessment-needs-nominate", "person": person, "klass": klass,
        "course": course, "check": check, "reason": reason, "error": error,
        "can_nominate": principal.can(NOMINATE), **FILTERS,
    }, status_code=status_code)


@page(NOMINATE)
async def nominate(request: Request, principal: Principal) -> Response:
    """Check for duplication first; warned, show the choice; else (or ``confirm=1``) nominate
    through the core and go back to the person's page."""
    user_id = path_int(request, "user_id")
    form = await request.form()
    await person_in_scope(principal, user_id)
    try:
        klass = await _class_for(principal, one(form, "class_id"))
    except Problem as exc:
        status, text = problem_text(request, exc)
        return await _render_person(request, principal, user_id, text, status)
    if one(form, "confirm") != "1":
        check = await duplication.check(principal.institution_id, user_id, klass.course_id)
        if check["warn"]:
            return await _render_warning(request, principal, user_id, klass, check)
    try:
        await nominate_staff(runtime(request).plugins, principal, klass, [user_id])
    except (Problem, ActionRefused) as exc:
        status, text = problem_text(request, exc)
        return await _render_person(request, principal, user_id, text, status)
    return RedirectResponse(f"/assessment/needs/people/{user_id}?notice=nominated",
                            status_code=303)


@page(PERMISSION)
async def request_exemption(request: Request, principal: Principal) -> Response:
    """Recognition of prior learning instead of the class: a request an admin decides."""
    user_id = path_int(request, "user_id")
    form = await request.form()
    await person_in_scope(principal, user_id)
    say = say_for(request)
    try:
        klass = await _class_for(principal, one(form, "class_id"))
    except Problem as exc:
        status, text = problem_text(request, exc)
        return await _render_person(request, principal, user_id, text, status)
    raw = form.get("reason")
    reason = raw.strip() if isinstance(raw, str) else ""
    error, status = "", 422
    if not reason:
        error = say("Hãy ghi căn cứ đề nghị công nhận (chứng chỉ, khoá học đã học…).",
                    "Say what the recognition rests on (a certificate, a course taken…).")
    elif len(reason) > 4000:
        error = say("Căn cứ dài quá 4000 ký tự.", "The reason is over 4000 characters.")
    else:
        try:
            await duplication.request(principal.institution_id, user_id, klass.course_id,
                                      klass.id, reason, principal.user_id)
        except Problem as exc:
            status, error = problem_text(request, exc)
        else:
            return RedirectResponse(f"/assessment/needs/people/{user_id}?notice=exemption",
                                    status_code=303)
    check = await duplication.check(principal.institution_id, user_id, klass.course_id)
    return await _render_warning(request, principal, user_id, klass, check, reason[:4000],
                                 error, status)


ROUTES: list[BaseRoute] = [
    Route("/assessment/needs", unit_page, methods=["GET"], name="assessment.needs"),
    Route("/assessment/needs/people/{user_id:int}", person_page, methods=["GET"],
          name="assessment.needs_person"),
    Route("/assessment/needs/people/{user_id:int}/nominate", nominate, methods=["POST"]),
    Route("/assessment/needs/people/{user_id:int}/exemption", request_exemption,
          methods=["POST"]),
]
