"""Who may run, join and see a live session: decided here once for the API, the socket and the
module page, always inside the caller's institution."""

from __future__ import annotations

from typing import Any

from lms_core.auth.principal import Principal
from lms_core.http.problems import Problem
from lms_core.models import ClassLecturer, CourseClass, Enrolment, EnrolmentStatus
from lms_core.services.classes import get_visible_class

#: Enrolments that let a trainee into the live periods of their class.
JOINING_STATUSES = (EnrolmentStatus.ACTIVE, EnrolmentStatus.APPROVED)

RUNNER, TRAINEE, GUEST = "runner", "trainee", "guest"

NOT_IN_CLASS_VI = ("Bạn không thuộc lớp học của phiên này nên không thể tham gia. "
                   "Hãy liên hệ giảng viên hoặc cơ sở đào tạo để được ghi danh.")
NOT_IN_CLASS_EN = ("You are not in this session's class, so you cannot join it. "
                   "Ask the lecturer or the institution to enrol you.")


def not_in_class() -> Problem:
    return Problem(403, NOT_IN_CLASS_VI, NOT_IN_CLASS_EN)


async def class_of_institution(principal: Principal, class_id: int) -> CourseClass:
    klass = await CourseClass.get_or_none(id=class_id, institution_id=principal.institution_id)
    if klass is None:
        raise Problem(404, "Không tìm thấy lớp học.", "Class not found.")
    return klass


async def can_run(principal: Principal, class_id: int) -> bool:
    """Those who manage every class of the institution, or the class's own lecturers."""
    if not principal.can("live.run"):
        return False
    if principal.can("classes.manage"):
        return True
    return await ClassLecturer.filter(klass_id=class_id, user_id=principal.user_id).exists()


async def require_run(principal: Principal, class_id: int) -> None:
    if not await can_run(principal, class_id):
        raise Problem(403, "Chỉ giảng viên của lớp hoặc quản trị viên mới điều hành được "
                           "phiên học trực tiếp này.",
                      "Only the class's lecturers or an administrator can run this session.")


async def join_role(principal: Principal, session: Any) -> str | None:
    """The part the caller takes in the session, or None if they may not join it."""
    if principal.institution_id is None or session.institution_id != principal.institution_id:
        return None
    if not principal.can("live.join"):
        return None
    if await can_run(principal, session.klass_id):
        return RUNNER
    if await Enrolment.filter(klass_id=session.klass_id, user_id=principal.user_id,
                              status__in=JOINING_STATUSES).exists():
        return TRAINEE
    return GUEST if session.allow_guests else None


async def require_visible(principal: Principal, session: Any) -> None:
    """Those who may see the class see its sessions; guests of an open session see it too."""
    if session.institution_id != principal.institution_id:
        raise Problem(404, "Không tìm thấy phiên học.", "Session not found.")
    try:
        await get_visible_class(principal, session.klass_id)
        return
    except Problem:
        pass
    if session.allow_guests and await join_role(principal, session) is not None:
        return
    raise Problem(404, "Không tìm thấy phiên học.", "Session not found.")
