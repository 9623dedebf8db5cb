"""No one sits the same content twice: before a nomination or an enrolment, whether the person's
profile already covers what the course develops (valid evidence at the course's level for each
of its competencies) or they completed the course recently; and recognition of prior learning
instead (an exemption an admin approves, recorded as evidence).

``check`` is advice, not a refusal: the supervisor sees the warning and chooses to nominate
anyway or to ask for an exemption.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from lms_core import clock
from lms_core.http.problems import Problem
from lms_core.models import Course, CourseClass, CourseCompletion, Enrolment, EnrolmentStatus, \
    User

from lms_core.services.enrolments import change_enrolment
from lms_core.services.eventlog import emit_all

from lms_assessment import frameworks, profile
from lms_assessment.models import Competency, EvidenceSource, Exemption, ExemptionStatus
from lms_assessment.needs import course_levels

#: A completion of the same course more recent than this is "recently trained".
RECENT_DAYS = 730


async def check(institution_id: int, user_id: int, course_id: int,
                now: datetime | None = None) -> dict[str, Any]:
    now = now or clock.now()
    course = await Course.get_or_none(id=course_id, institution_id=institution_id)
    if course is None:
        raise Problem(404, "Không tìm thấy khoá học.", "Course not found.")
    resolve = await frameworks.resolve_codes(institution_id)
    develops = course_levels(course.competencies, resolve)
    current = (await profile.current_levels([user_id], now)).get(user_id, {})
    names = {r["id"]: r for r in await Competency.filter(id__in=list(develops)).values(
        "id", "code", "name", "name_en")} if develops else {}
    items = [{"competency_id": cid, "code": names.get(cid, {}).get("code", ""),
              "name": names.get(cid, {}).get("name", ""), "course_level": level,
              "current_level": current.get(cid, 0), "covered": current.get(cid, 0) >= level}
             for cid, level in sorted(develops.items())]
    recent = await CourseCompletion.filter(
        user_id=user_id, course_id=course_id,
        completed_at__gte=now - timedelta(days=RECENT_DAYS)).order_by(
        "-completed_at").first().values("klass_id", "completed_at")
    covered = bool(items) and all(i["covered"] for i in items)
    pending = await Exemption.filter(user_id=user_id, course_id=course_id,
                                     status=ExemptionStatus.PENDING).exists()
    warn = covered or recent is not None
    message = ""
    message_en = ""
    if recent is not None:
        message = (f"Đã hoàn thành khoá học này ngày {recent['completed_at']:%d/%m/%Y}; "
                   "có thể đề nghị công nhận thay vì học lại.")
        message_en = (f"Completed this course on {recent['completed_at']:%d/%m/%Y}; recognition "
                      "of prior learning may replace it.")
    elif covered:
        message = ("Hồ sơ năng lực đã đạt mức khoá học này hướng tới ở mọi năng lực; có thể đề "
                   "nghị công nhận thay vì học.")
        message_en = ("The competency profile already reaches the course's level in every "
                      "competency; recognition of prior learning may replace it.")
    return {"user_id": user_id, "course_id": course_id, "warn": warn, "covered": covered,
            "recent_completion": recent, "competencies": items,
            "exemption_pending": pending, "message": message, "message_en": message_en}


async def request(institution_id: int, user_id: int, course_id: int, klass_id: int | None,
                  reason: str, requested_by_id: int) -> Exemption:
    if not await User.filter(id=user_id, memberships__institution_id=institution_id).exists():
        raise Problem(404, "Không tìm thấy người dùng.", "User not found.")
    if not await Course.filter(id=course_id, institution_id=institution_id).exists():
        raise Problem(404, "Không tìm thấy khoá học.", "Course not found.")
    if klass_id is not None and not await CourseClass.filter(
            id=klass_id, course_id=course_id, institution_id=institution_id).exists():
        raise Problem(422, "Lớp không thuộc khoá học này.", "The class is not of this course.")
    if await Exemption.filter(user_id=user_id, course_id=course_id,
                              status=ExemptionStatus.PENDING).exists():
        raise Problem(409, "Đã có đề nghị công nhận đang chờ duyệt cho khoá học này.",
                      "A recognition request for this course is already waiting.")
    return await Exemption.create(institution_id=institution_id, user_id=user_id,
                                  course_id=course_id, klass_id=klass_id, reason=reason,
                                  requested_by_id=requested_by_id)


async def decide(plugins: Any, institution_id: int, exemption_id: int, approve: bool,
                 note: str, actor_id: int) -> Exemption:
    """Approval records evidence (source ``recognition``) of every competency the course
    develops, at the course's level, and withdraws a nomination of the person to the class
    named (through the core, so seats and events follow); all in one transaction."""
    deferred: list[Any] = []
    async with in_transaction():
        exemption = await Exemption.filter(id=exemption_id,
                                           institution_id=institution_id).first()
        if exemption is None:
            raise Problem(404, "Không tìm thấy đề nghị công nhận.", "Request not found.")
        if exemption.status != ExemptionStatus.PENDING:
            raise Problem(409, "Đề nghị này đã được xử lý.", "This request was decided already.")
        now = clock.now()
        exemption.status = ExemptionStatus.APPROVED if approve else ExemptionStatus.REJECTED
        exemption.decided_by_id, exemption.decided_at = actor_id, now
        exemption.decision_note = note
        await exemption.save()
        if approve:
            course = await Course.get(id=exemption.course_id)
            resolve = await frameworks.resolve_codes(institution_id)
            for competency_id, level in course_levels(course.competencies, resolve).items():
                await profile.record_evidence(
                    institution_id=institution_id, user_id=exemption.user_id,
                    competency_id=competency_id, level=level, source=EvidenceSource.RECOGNITION,
                    observed_at=now, ref=f"exemption:{exemption.id}", recorded_by_id=actor_id,
                    note=exemption.reason[:500])
            if exemption.klass_id is not None and await Enrolment.filter(
                    user_id=exemption.user_id, klass_id=exemption.klass_id,
                    status__in=(EnrolmentStatus.NOMINATED, EnrolmentStatus.APPROVED)).exists():
                await change_enrolment(
                    plugins, await CourseClass.get(id=exemption.klass_id),
                    await User.get(id=exemption.user_id), EnrolmentStatus.WITHDRAWN,
                    actor_id=actor_id, via="recognition", deferred=deferred)
    await emit_all(plugins, deferred)
    return exemption


def exemption_dict(e: Exemption) -> dict[str, Any]:
    return {"id": e.id, "user_id": e.user_id, "course_id": e.course_id, "klass_id": e.klass_id,
            "status": getattr(e.status, "value", e.status), "reason": e.reason,
            "requested_by_id": e.requested_by_id, "decided_by_id": e.decided_by_id,
            "decided_at": e.decided_at, "decision_note": e.decision_note,
            "created_at": e.created_at}
