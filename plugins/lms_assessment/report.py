"""Loads the rows the coverage figures are computed from, for one institution (or one subtree)."""

from __future__ import annotations

from typing import Any

from lms_core.http.problems import Problem
from lms_core.models import Course, CourseCompletion, Unit, User
from lms_assessment.coverage import Person, UnitRow, course_codes, coverage
from lms_assessment.models import PositionCompetency


async def coverage_report(institution_id: int, unit_id: int | None = None,
                          details: bool = False) -> dict[str, Any]:
    units_qs = Unit.filter(institution_id=institution_id)
    if unit_id is not None:
        top = await Unit.get_or_none(id=unit_id, institution_id=institution_id)
        if top is None:
            raise Problem(404, "Không tìm thấy đơn vị.", "Unit not found.")
        units_qs = units_qs.filter(path__startswith=top.path)
    units = [UnitRow(r["id"], r["name"], r["path"], r["parent_id"], r["depth"])
             for r in await units_qs.values("id", "name", "path", "parent_id", "depth")]
    people_qs = User.filter(memberships__institution_id=institution_id, is_active=True)
    if unit_id is not None:
        people_qs = people_qs.filter(unit_id__in=[u.id for u in units])
    people = [Person(r["id"], r["full_name"], r["unit_id"], r["job_position_id"])
              for r in await people_qs.distinct().values("id", "full_name", "unit_id",
                                                         "job_position_id")]
    requirements: dict[int, dict[str, int]] = {}
    for position_id, code, level in await PositionCompetency.filter(
            institution_id=institution_id).values_list("position_id", "code", "required_level"):
        requirements.setdefault(position_id, {})[code] = level
    # Completions of this institution's courses only: another institution's codes are its own.
    codes_of_course = {cid: course_codes(items) for cid, items in await Course.filter(
        institution_id=institution_id).values_list("id", "competencies")}
    covered: dict[int, set[str]] = {}
    for user_id, course_id in await CourseCompletion.filter(
            course__institution_id=institution_id).values_list("user_id", "course_id"):
        covered.setdefault(user_id, set()).update(codes_of_course.get(course_id, ()))
    result = coverage(units, people, requirements, covered, details)
    result["unit_id"] = unit_id
    return result
