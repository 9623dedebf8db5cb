"""The assessment of a class as a whole: the list of classes to assess that brings each reader to
their part (trainee: the survey and the task; lecturer: results and grading; admins and
planners: every class), the admins' plan form (a template, steps on or off, weights, the
on-the-job waves, plugins' own steps), and the overview of each step's status and results for
the class's lecturers, planners and admins. Everything comes from ``plans``, ``class_steps``,
``learning`` and ``on_the_job``, the functions behind the JSON API."""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from tortoise.expressions import Q

from lms_core.auth.principal import Principal
from lms_core.http.endpoints import path_int
from lms_core.http.problems import Problem, request_locale
from lms_core.models import ClassLecturer, CourseClass, Enrolment
from lms_core.plugin_api import MenuItem
from lms_core.runtime import runtime
from lms_core.text import fold
from lms_core.web.pages import page
from lms_core.web.templating import render

from lms_assessment import class_steps, learning, on_the_job, plans
from lms_assessment.models import AssessmentPlan, JobRating, PracticalTask, ReviewStatus, \
    SurveyReceipt
from lms_assessment.pages._steps_common import Say, competencies_with_levels, formats, \
    number, problem_text, say, small_int, text

BASE = "/assessment/classes"
MAX_WAVES = 6
STAFF_LIST = 100


# --- the list of classes to assess ---------------------------------------------------------------

async def _as_trainee(principal: Principal) -> list[dict[str, Any]]:
    rows = await Enrolment.filter(user_id=principal.user_id, status__in=class_steps.TRAINING,
                                  klass__institution_id=principal.institution_id).order_by(
        "-klass__starts_on", "-klass_id").values("klass_id", "klass__code", "klass__title")
    ids = [r["klass_id"] for r in rows]
    plans_by_class = {p.klass_id: p for p in await AssessmentPlan.filter(klass_id__in=ids)}
    tasks = set(await PracticalTask.filter(klass_id__in=ids).values_list("klass_id", flat=True))
    answered = set(await SurveyReceipt.filter(
        user_id=principal.user_id,
        plan_id__in=[p.id for p in plans_by_class.values()]).values_list("plan_id", flat=True))
    out = []
    for r in rows:
        plan = plans_by_class.get(r["klass_id"])
        out.append({"id": r["klass_id"], "code": r["klass__code"], "title": r["klass__title"],
                    "survey": plans.enabled(plan, "reaction"),
                    "answered": bool(plan and plan.id in answered),
                    "task": r["klass_id"] in tasks})
    return out


async def _as_staff(principal: Principal, q: str) -> tuple[list[dict[str, Any]], bool]:
    """Classes the caller lectures, or every class for planners and admins (the latest
    ``STAFF_LIST``, searchable without diacritics)."""
    everyone = principal.can("assessment.manage") or principal.can("assessment.report")
    qs = CourseClass.filter(institution_id=principal.institution_id)
    if not everyone:
        qs = qs.filter(id__in=list(await ClassLecturer.filter(
            user_id=principal.user_id).values_list("klass_id", flat=True)))
    for word in fold(q).split():
        qs = qs.filter(Q(title_key__contains=word) | Q(code__icontains=word))
    rows = await qs.order_by("-starts_on", "-id").limit(STAFF_LIST + 1).values(
        "id", "code", "title", "starts_on", "ends_on")
    planned = set(await AssessmentPlan.filter(
        klass_id__in=[r["id"] for r in rows]).values_list("klass_id", flat=True))
    return [{**r, "planned": r["id"] in planned} for r in rows[:STAFF_LIST]], \
        len(rows) > STAFF_LIST


@page()
async def classes_page(request: Request, principal: Principal) -> Response:
    """Where the menu entry leads: the reader's classes with their part of the assessment."""
    if principal.institution_id is None:
        raise Problem(403, "Bạn chưa thuộc đơn vị đào tạo nào.",
                      "You do not belong to any institution.")
    q = request.query_params.get("q", "").strip()[:200]
    staff, more = await _as_staff(principal, q)
    return await render(request, "assessment/class_plan_list.html", {
        "page": "assessment-classes", "q": q, "learning": await _as_trainee(principal),
        "staff": staff, "more": more, "can_manage": principal.can("assessment.manage"),
        "everyone": principal.can("assessment.manage") or principal.can("assessment.report"),
        **formats(request)})


# --- the plan form -----------------------------------------------------------------------------

def _weight_text(value: Any, comma: bool) -> str:
    out = f"{float(value or 0):g}"
    return out.replace(".", ",") if comma else out


def _form_from(steps: dict[str, Any], catalogue: dict[str, dict[str, Any]],
               comma: bool) -> dict[str, dict[str, Any]]:
    """The stored (or template's) steps as the form shows them, every catalogue step listed."""
    out = {}
    for key, info in catalogue.items():
        value = steps.get(key) or {"enabled": False, "weight": info.get("weight", 1.0)}
        out[key] = {"enabled": bool(value.get("enabled")),
                    "weight": _weight_text(value.get("weight", 0), comma),
                    "waves": ", ".join(str(w) for w in value.get("waves") or []),
                    "open": bool(value.get("open"))}
    return out


def _check_template(template: str, tell: Say) -> dict[str, str]:
    if template in plans.TEMPLATES:
        return {}
    return {"template": tell("Hãy chọn mẫu kế hoạch chuẩn hoặc rút gọn.",
                             "Choose the standard or the short template.")}


def _parse_steps(form: FormData, catalogue: dict[str, dict[str, Any]], tell: Say
                 ) -> tuple[dict[str, dict[str, Any]], dict[str, Any], dict[str, str]]:
    """The steps as typed (to show again), as ``set_plan`` takes them, and the errors by
    field. Every step of the catalogue is on the form, so every one is sent."""
    errors: dict[str, str] = {}
    kept: dict[str, dict[str, Any]] = {}
    steps: dict[str, Any] = {}
    for key in catalogue:
        entry = {"enabled": text(form, f"enabled:{key}") == "1",
                 "weight": text(form, f"weight:{key}").strip()[:40],
                 "waves": text(form, f"waves:{key}").strip()[:200],
                 "open": text(form, f"open:{key}") == "1"}
        kept[key] = entry
        weight = number(entry["weight"], 0, 100)
        if weight is None:
            errors[f"weight:{key}"] = tell("Trọng số là một số từ 0 đến 100 (ví dụ 1 hoặc 2,5).",
                                           "The weight is a number from 0 to 100 (e.g. 1 or 2.5).")
        step: dict[str, Any] = {"enabled": entry["enabled"], "weight": weight}
        if key == "reaction":
            step["open"] = entry["open"]
        if key == "on_the_job":
            parts = [p for p in re.split(r"[\s,;]+", entry["waves"]) if p]
            waves = [small_int(p, 1, 730) for p in parts]
            if (parts and None in waves) or len(parts) > MAX_WAVES or \
                    (entry["enabled"] and not parts):
                errors[f"waves:{key}"] = tell(
                    f"Các đợt là số ngày sau khoá học, từ 1 đến 730, cách nhau bằng dấu phẩy "
                    f"(tối đa {MAX_WAVES} đợt), ví dụ: 30, 90.",
                    f"Waves are days after the course, 1 to 730, separated by commas "
                    f"(at most {MAX_WAVES}), e.g. 30, 90.")
            elif parts:
                step["waves"] = waves
        steps[key] = step
    return kept, steps, errors


async def _stored_form(request: Request, klass: CourseClass,
                       catalogue: dict[str, dict[str, Any]],
                       plan: AssessmentPlan | None = None) -> dict[str, Any]:
    """The plan as stored; before there is one, the institution's default plan if it has one,
    else the standard template with the institution's waves."""
    plugins = runtime(request).plugins
    plan = plan or await plans.effective_plan(plugins, klass)
    if plan is not None:
        template, stored = plan.template, plan.steps
    else:
        template, stored = "standard", copy.deepcopy(plans.TEMPLATES["standard"])
        stored["on_the_job"]["waves"] = await plans.default_waves(plugins, klass.institution_id)
    return {"template": template,
            "steps": _form_from(stored, catalogue, request_locale(request) != "en")}


async def _render_plan(request: Request, principal: Principal, klass: CourseClass,
                       form: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                       status_code: int = 200) -> Response:
    catalogue = await plans.step_catalogue(runtime(request).plugins, klass.institution_id)
    plan = await AssessmentPlan.get_or_none(klass_id=klass.id)
    if form is None:
        form = await _stored_form(request, klass, catalogue, plan)
    return await render(request, "assessment/class_plan_form.html", {
        "page": "assessment-plan", "klass": klass, "plan": plan, "catalogue": catalogue,
        "templates": list(plans.TEMPLATES), "form": form, "errors": errors or {},
        "notice": request.query_params.get("notice", ""), "max_waves": MAX_WAVES,
        **formats(request)}, status_code=status_code)


@page("assessment.manage")
async def plan_page(request: Request, principal: Principal) -> Response:
    klass = await plans.class_for_staff(principal, path_int(request, "class_id"), manage=True)
    return await _render_plan(request, principal, klass)


@page("assessment.manage")
async def plan_save(request: Request, principal: Principal) -> Response:
    """Two forms post here: "apply the template" (its own values, every change undone) and
    "save" (the template kept, each step as the form says)."""
    klass = await plans.class_for_staff(principal, path_int(request, "class_id"), manage=True)
    plugins = runtime(request).plugins
    catalogue = await plans.step_catalogue(plugins, klass.institution_id)
    form = await request.form()
    tell = say(request)
    template = text(form, "template").strip()[:64]
    errors = _check_template(template, tell)
    shown: dict[str, Any] | None = None
    steps: dict[str, Any] = {}
    if text(form, "action") != "template":
        kept, steps, step_errors = _parse_steps(form, catalogue, tell)
        errors.update(step_errors)
        shown = {"template": template, "steps": kept}
    if not errors:
        try:
            await class_steps.apply_plan(plugins, klass, template, steps, principal.user_id)
        except Problem as exc:
            status, message = problem_text(request, exc)
            return await _render_plan(request, principal, klass, shown, {"form": message},
                                      status)
        notice = "saved" if shown else "template"
        return RedirectResponse(f"{BASE}/{klass.id}/plan?notice={notice}", status_code=303)
    if shown is None:  # a bad template: the stored steps, the template as sent
        shown = await _stored_form(request, klass, catalogue)
        shown["template"] = template
    return await _render_plan(request, principal, klass, shown, errors, 422)


# --- the overview --------------------------------------------------------------------------------

async def _reaction(klass: CourseClass, plan: AssessmentPlan) -> dict[str, Any]:
    results = await class_steps.survey_results(klass)
    return {**results, "open": class_steps.survey_open_to_all(klass, plan)}


async def _application(klass: CourseClass, trainees: int) -> dict[str, Any]:
    task = await PracticalTask.get_or_none(klass_id=klass.id)
    subs = await class_steps.submissions(task, with_text=False) if task else []
    return {"task": task, "submitted": len(subs), "trainees": trainees,
            "graded": sum(1 for s in subs if s["graded_at"] is not None)}


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


async def _on_the_job(klass: CourseClass) -> dict[str, Any]:
    today = class_steps.today()
    waves: dict[tuple[int, str], dict[str, int]] = defaultdict(
        lambda: {"done": 0, "pending": 0, "overdue": 0})
    for r in await JobRating.filter(klass_id=klass.id).exclude(
            status=ReviewStatus.CANCELLED).values("wave", "rater_role", "status", "due_on"):
        counts = waves[(r["wave"], getattr(r["rater_role"], "value", r["rater_role"]))]
        if r["status"] == ReviewStatus.DONE:
            counts["done"] += 1
        else:
            counts["pending"] += 1
            counts["overdue"] += r["due_on"] < today
    grouped: dict[tuple[str, str, int], list[dict[str, Any]]] = defaultdict(list)
    for c in await on_the_job.changes(klass.id):
        grouped[(c["code"], c["rater_role"], c["wave"])].append(c)
    changes = [{"code": code, "rater_role": role, "wave": wave, "n": len(rows),
                "baseline": _mean([r["baseline"] for r in rows if r["baseline"] is not None]),
                "level": _mean([r["level"] for r in rows]),
                "change": _mean([r["change"] for r in rows if r["change"] is not None])}
               for (code, role, wave), rows in sorted(grouped.items())]
    return {"waves": [{"wave": w, "rater_role": role, **counts}
                      for (w, role), counts in sorted(waves.items())],
            "changes": changes,
            "overdue": await on_the_job.overdue(klass.institution_id, None, klass.id)}


@page()
async def overview_page(request: Request, principal: Principal) -> Response:
    """Each step's status and results. The survey part is aggregates only: no response says
    whose it is, and comments show from three forms on."""
    klass = await plans.class_for_staff(principal, path_int(request, "class_id"))
    plugins = runtime(request).plugins
    plan = await plans.effective_plan(plugins, klass)  # unsaved: the institution's default
    steps = (await plans.plan_dict(plugins, plan))["steps"] if plan else []
    on = {s["key"] for s in steps if s.get("enabled")}
    trainees = await Enrolment.filter(klass_id=klass.id,
                                      status__in=class_steps.TRAINING).count()
    ctx: dict[str, Any] = {"reaction": None, "learning": None, "application": None,
                           "on_the_job": None}
    if plan is not None:
        if "reaction" in on and plan.id is not None:  # answers belong to a saved plan
            ctx["reaction"] = await _reaction(klass, plan)
        if "learning" in on:
            ctx["learning"] = await learning.class_learning(plugins, klass)
        if "application" in on:
            ctx["application"] = await _application(klass, trainees)
        if "on_the_job" in on:
            ctx["on_the_job"] = await _on_the_job(klass)
    codes = sorted({c["code"] for c in (ctx["learning"] or {}).get("competencies", [])}
                   | {c["code"] for c in (ctx["on_the_job"] or {}).get("changes", [])})
    lecturer = await ClassLecturer.filter(klass_id=klass.id,
                                          user_id=principal.user_id).exists()
    return await render(request, "assessment/class_plan_overview.html", {
        "page": "assessment-overview", "klass": klass, "plan": plan, "steps": steps,
        "trainees": trainees, **ctx, "waves": on_the_job.waves_of(plan),
        "saved": plan is not None and plan.id is not None,
        "names": await competencies_with_levels(klass.institution_id, codes),
        "can_manage": principal.can("assessment.manage"),
        "can_grade": lecturer or principal.can("assessment.manage"),
        **formats(request)})


ROUTES: list[BaseRoute] = [
    Route(BASE, classes_page, name="assessment.classes"),
    Route(BASE + "/{class_id:int}", overview_page, name="assessment.class_overview"),
    Route(BASE + "/{class_id:int}/plan", plan_page, name="assessment.plan"),
    Route(BASE + "/{class_id:int}/plan", plan_save, methods=["POST"],
          name="assessment.plan_save"),
]

MENU = [MenuItem("assessment.classes", "Đánh giá sau đào tạo", "Post-training assessment",
                 BASE, order=60, group="assessment")]
