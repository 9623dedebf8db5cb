"""Who sees which report: holders of ``assessment.report`` (planners, admins) the whole
institution; supervisors (``assessment.needs`` only) their own unit's subtree and its people,
by the same rule as the needs and standard endpoints (``scope.needs_scope``); everyone else
nothing. Another institution's unit, position or person is simply not found (404)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from lms_core.api.schemas import Id, Strict
from lms_core.auth.principal import Principal
from lms_core.http.problems import Problem
from lms_core.models import Unit, User

from lms_assessment import reports

#: Supervisors may read reports; the permission planners and admins hold as well.
PERMISSION = "assessment.needs"


class ReportQuery(Strict):
    unit_id: Id | None = Field(None, description="This unit and its sub-units")
    position_id: Id | None = Field(None, description="Only people in this job position")
    year: int | None = Field(None, ge=1, le=9999,
                             description="The year (a class's year is the year it ended); "
                                         "the current year when absent")


def whole_institution(principal: Principal) -> bool:
    return principal.can("assessment.report")


async def scope(principal: Principal, query: ReportQuery) -> reports.Scope:
    """The scope asked for, checked: a supervisor without a unit asks for their own unit."""
    from lms_assessment.scope import needs_scope as _needs_scope

    if principal.institution_id is None:
        raise Problem(403, "Bạn chưa thuộc đơn vị đào tạo nào.",
                      "You do not belong to any institution.")
    year = reports.check_year(query.year)
    if query.unit_id is not None and not await Unit.exists(
            id=query.unit_id, institution_id=principal.institution_id):
        raise Problem(404, "Không tìm thấy đơn vị.", "Unit not found.")
    unit_id = await _needs_scope(principal, query.unit_id)
    await reports.position_of(principal.institution_id, query.position_id)
    return reports.Scope(principal.institution_id, year, unit_id, query.position_id)


def floor_unit(principal: Principal) -> int | None:
    """The highest unit the caller may open (None: the institution itself)."""
    return None if whole_institution(principal) else principal.unit_id


async def person(principal: Principal, user_id: int) -> dict[str, Any]:
    """One person's report, if they are the caller's to see."""
    from lms_assessment.scope import needs_scope as _needs_scope

    user = await User.filter(id=user_id,
                             memberships__institution_id=principal.institution_id).first()
    if user is None:
        raise Problem(404, "Không tìm thấy người dùng.", "User not found.")
    if not whole_institution(principal):
        if user.unit_id is None:
            raise Problem(403, "Chỉ xem được nhân sự của đơn vị mình.",
                          "You can see the staff of your own unit only.")
        await _needs_scope(principal, user.unit_id)
    return await reports.person(principal.institution_id, user_id)
