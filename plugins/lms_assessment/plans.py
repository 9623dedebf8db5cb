"""The assessment plan of a class: which of the steps run and what each weighs, made from a
template and then adjusted by an admin. The four built-in steps follow Kirkpatrick's levels as
the source documents describe them (reaction, learning, application on a practical task, and
on the job months later); plugins add steps through ``lms_assessment_steps``.

Two institution settings make assessment the default rather than an afterthought:
``assessment.on_the_job_waves`` (default 30 and 90 days) gives the on-the-job waves of every
plan that does not set its own, and ``assessment.default_plan`` names a template that a class
without a plan of its own follows (empty: only classes with a plan are assessed).
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from lms_core.http.problems import Problem
from lms_core.models import ClassLecturer, CourseClass

from lms_assessment.models import AssessmentPlan
from lms_assessment.settings_read import setting

log = logging.getLogger("lms.assessment")
WAVES_SETTING = "assessment.on_the_job_waves"
DEFAULT_PLAN_SETTING = "assessment.default_plan"
FALLBACK_WAVES = [30, 90]

BUILT_IN = {
    "reaction": ("Khảo sát chất lượng lớp học", "Class-quality survey"),
    "learning": ("Kiểm tra đầu vào và cuối khoá", "Pre-test and post-test"),
    "application": ("Bài tập thực hành theo vị trí việc làm", "Practical task on the job"),
    "on_the_job": ("Đánh giá tại nơi làm việc sau khoá học", "On-the-job review after the course"),
}

TEMPLATES: dict[str, dict[str, dict[str, Any]]] = {
    "standard": {
        "reaction": {"enabled": True, "weight": 1.0},
        "learning": {"enabled": True, "weight": 2.0},
        "application": {"enabled": True, "weight": 3.0},
        "on_the_job": {"enabled": True, "weight": 4.0},
    },
    "short": {
        "reaction": {"enabled": True, "weight": 1.0},
        "learning": {"enabled": True, "weight": 1.0},
        "application": {"enabled": False, "weight": 0.0},
        "on_the_job": {"enabled": False, "weight": 0.0},
    },
}


async def step_catalogue(plugins: Any, institution_id: int) -> dict[str, dict[str, Any]]:
    out = {key: {"key": key, "name": vi, "name_en": en, "built_in": True}
           for key, (vi, en) in BUILT_IN.items()}
    if plugins is not None:
        for step in await plugins.collect("lms_assessment_steps", institution_id):
            if isinstance(step, dict) and isinstance(step.get("key"), str) \
                    and step["key"] not in BUILT_IN:
                out[step["key"]] = {"key": step["key"], "name": str(step.get("name", "")),
                                    "name_en": str(step.get("name_en", "")), "built_in": False,
                                    "weight": float(step.get("weight", 1.0) or 0)}
    return out


def _check_steps(steps: dict[str, Any], catalogue: dict[str, dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in steps.items():
        if key not in catalogue:
            raise Problem(422, f"Không có bước đánh giá “{key[:40]}”.",
                          f"No assessment step “{key[:40]}”.")
        if not isinstance(value, dict):
            raise Problem(422, f"Bước {key}: cần enabled và weight.",
                          f"Step {key}: needs enabled and weight.")
        enabled, weight = value.get("enabled", True), value.get("weight", 1.0)
        if not isinstance(enabled, bool) or isinstance(weight, bool) or \
                not isinstance(weight, (int, float)) or not 0 <= weight <= 100 or \
                not isinstance(value.get("open", False), bool):
            raise Problem(422, f"Bước {key}: enabled là true/false, weight từ 0 đến 100.",
                          f"Step {key}: enabled is true/false, weight 0 to 100.")
        waves = value.get("waves")
        if waves is not None and not _valid_waves(waves):
            raise Problem(422, "Các đợt đánh giá tại nơi làm việc là số ngày sau khoá học "
                               "(1–730, tối đa 6 đợt).",
                          "On-the-job waves are days after the course (1-730, at most 6).")
        changed = {k: v for k, v in value.items() if k in ("enabled", "weight", "open")}
        if "weight" in changed:
            changed["weight"] = float(weight)
        out[key] = {**changed, **({"waves": sorted(set(waves))} if waves else {})}
    return out


async def class_for_staff(principal: Any, class_id: int, *, manage: bool = False) -> CourseClass:
    """Admins (manage) or, to read, planners and the class's lecturers."""
    klass = await CourseClass.get_or_none(id=class_id, institution_id=principal.institution_id)
    if klass is None:
        raise Problem(404, "Không tìm thấy lớp học.", "Class not found.")
    if principal.can("assessment.manage"):
        return klass
    if manage:
        raise Problem(403, extra_permission="assessment.manage")
    if principal.can("assessment.report") or await ClassLecturer.filter(
            klass_id=class_id, user_id=principal.user_id).exists():
        return klass
    raise Problem(403, "Chỉ giảng viên của lớp, cán bộ kế hoạch hoặc quản trị viên mới xem "
                       "được.", "Only the class's lecturers, planners or administrators.")


def _valid_waves(waves: Any) -> bool:
    return isinstance(waves, list) and 0 < len(waves) <= 6 and all(
        isinstance(w, int) and not isinstance(w, bool) and 1 <= w <= 730 for w in waves)


async def default_waves(plugins: Any, institution_id: int) -> list[int]:
    """The institution's on-the-job waves, checked: a malformed stored value must never stop
    ratings from being scheduled (logged, and the fallback used)."""
    waves = await setting(plugins, institution_id, WAVES_SETTING)
    if waves is None:
        return list(FALLBACK_WAVES)
    if not _valid_waves(waves):
        log.warning("institution %s: %s=%r is not a list of days, using %s", institution_id,
                    WAVES_SETTING, waves, FALLBACK_WAVES)
        return list(FALLBACK_WAVES)
    return sorted(set(waves))


async def _from_template(plugins: Any, institution_id: int, template: str) -> dict[str, Any]:
    merged = copy.deepcopy(TEMPLATES[template])
    merged["on_the_job"]["waves"] = await default_waves(plugins, institution_id)
    for key, info in (await step_catalogue(plugins, institution_id)).items():
        if not info["built_in"]:
            merged.setdefault(key, {"enabled": False, "weight": info.get("weight", 1.0)})
    return merged


async def effective_plan(plugins: Any, klass: CourseClass) -> AssessmentPlan | None:
    """The class's own plan, else (unsaved) the institution's default template, else None."""
    plan = await AssessmentPlan.get_or_none(klass_id=klass.id)
    if plan is not None:
        return plan
    template = await setting(plugins, klass.institution_id, DEFAULT_PLAN_SETTING)
    if not template:
        return None
    if template not in TEMPLATES:
        log.warning("institution %s: %s=%r is not a template", klass.institution_id,
                    DEFAULT_PLAN_SETTING, template)
        return None
    return AssessmentPlan(institution_id=klass.institution_id, klass_id=klass.id,
                          template=template,
                          steps=await _from_template(plugins, klass.institution_id, template))


async def set_plan(plugins: Any, klass: CourseClass, template: str, steps: dict[str, Any],
                   actor_id: int) -> AssessmentPlan:
    if template not in TEMPLATES:
        raise Problem(422, f"Không có mẫu kế hoạch “{template[:40]}” (có: "
                           f"{', '.join(TEMPLATES)}).",
                      f"No plan template “{template[:40]}” ({', '.join(TEMPLATES)}).")
    catalogue = await step_catalogue(plugins, klass.institution_id)
    merged = await _from_template(plugins, klass.institution_id, template)
    for key, value in _check_steps(steps, catalogue).items():
        merged[key] = {**merged.get(key, {}), **value}
    plan, _ = await AssessmentPlan.update_or_create(
        defaults={"template": template, "steps": merged, "institution_id": klass.institution_id,
                  "created_by_id": actor_id}, klass_id=klass.id)
    return plan


async def plan_dict(plugins: Any, plan: AssessmentPlan) -> dict[str, Any]:
    catalogue = await step_catalogue(plugins, plan.institution_id)
    return {"id": plan.id, "class_id": plan.klass_id, "template": plan.template,
            "steps": [{**catalogue.get(key, {"key": key, "name": key, "name_en": key}),
                       **value} for key, value in plan.steps.items()],
            "updated_at": plan.updated_at}


def enabled(plan: AssessmentPlan | None, step: str) -> bool:
    return bool(plan and (plan.steps.get(step) or {}).get("enabled"))
