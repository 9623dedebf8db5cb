"""Who may see whose training needs, decided once for the JSON API and the pages.

Planners and admins (``assessment.report``) see the whole institution; a supervisor sees their
own unit and its sub-units only. Acting on one person (duplication check, recognition request)
is also open to those who manage enrolments.
"""

from __future__ import annotations

from lms_core.auth.principal import Principal
from lms_core.http.problems import Problem
from lms_core.models import Unit, User


async def needs_scope(principal: Principal, unit_id: int | None) -> int | None:
    """The unit whose subtree the caller may look at (None: the whole institution)."""
    if principal.can("assessment.report"):
        return unit_id
    own = principal.unit_id
    if own is None:
        raise Problem(403, "Bạn chưa được gắn với đơn vị nào.", "You belong to no unit.")
    if unit_id is None:
        return own
    mine = await Unit.get_or_none(id=own, institution_id=principal.institution_id)
    asked = await Unit.get_or_none(id=unit_id, institution_id=principal.institution_id)
    if asked is None:
        raise Problem(404, "Không tìm thấy đơn vị.", "Unit not found.")
    if mine is None or not asked.path.startswith(mine.path):
        raise Problem(403, "Chỉ xem được nhu cầu đào tạo của đơn vị mình.",
                      "You can see the training needs of your own unit only.")
    return unit_id


async def person_needs_scope(principal: Principal, unit_id: int | None) -> None:
    """May the caller read the needs of a person of ``unit_id``? (403 if not)."""
    if principal.can("assessment.report"):
        return
    if unit_id is None:
        raise Problem(403, "Chỉ xem được nhu cầu đào tạo của đơn vị mình.",
                      "You can see the training needs of your own unit only.")
    await needs_scope(principal, unit_id)


async def person_in_scope(principal: Principal, user_id: int) -> None:
    """Admins and planners: anyone of the institution; a supervisor: their unit's subtree."""
    user = await User.filter(id=user_id,
                             memberships__institution_id=principal.institution_id).first()
    if user is None:
        raise Problem(404, "Không tìm thấy người dùng.", "User not found.")
    if principal.can("assessment.report") or principal.can("enrolments.manage"):
        return
    if user.unit_id is None:
        raise Problem(403, "Chỉ xử lý được nhân sự của đơn vị mình.",
                      "Only staff of your own unit.")
    await needs_scope(principal, user.unit_id)
