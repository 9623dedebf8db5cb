"""Which classes a caller may see, and class creation. Visibility is decided here, once."""

from __future__ import annotations

from datetime import date
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from lms_core import sql
from lms_core.auth.principal import Principal
from lms_core.http.problems import Problem
from lms_core.text import fold
from lms_core.models import ClassLecturer, Course, CourseClass, EnrolmentStatus, Membership
from lms_core.models.classes import ClassStatus
from lms_core.services.eventlog import emit

CLASS_FIELDS = ("id", "code", "title", "course_id", "starts_on", "ends_on", "location",
                "delivery_mode", "capacity", "self_enrol", "status", "schedule")


def visible_classes(p: Principal):
    """Admins, planners and supervisors (who nominate) see every class of the institution;
    lecturers see the classes they teach; trainees their own classes and the open ones."""
    qs = CourseClass.filter(institution_id=p.institution_id)
    if p.has_role("admin", "planner", "supervisor"):
        return qs
    cond = Q(enrolments__user_id=p.user_id) & ~Q(enrolments__status=EnrolmentStatus.WITHDRAWN)
    if p.has_role("lecturer"):
        cond |= Q(lecturer_links__user_id=p.user_id)
    if p.has_role("trainee"):
        cond |= Q(self_enrol=True)
    return qs.filter(cond).distinct()


async def get_visible_class(p: Principal, class_id: int) -> CourseClass:
    klass = await visible_classes(p).filter(id=class_id).first()
    if klass is None:
        raise Problem(404, "Không tìm thấy lớp học.", "Class not found.")
    return klass


#: The classes a user learns in (not withdrawn) or teaches, in one round trip: the two index
#: lookups by user give the ids, then one row per class with the caller's own enrolment status
#: and lecturer flag (each at most one row, by the unique constraints).
_MY_CLASSES_SQL = """
SELECT k.id, k.code, k.title, k.course_id, k.starts_on, k.ends_on, k.location,
       k.delivery_mode, k.capacity, k.self_enrol, k.status, k.schedule,
       c.title AS course_title, c.code AS course_code,
       e.status AS my_enrolment, l.id AS lecturer_link
FROM (SELECT klass_id FROM lms_enrolment WHERE user_id = $1 AND status <> 'withdrawn'
      UNION
      SELECT klass_id FROM lms_class_lecturer WHERE user_id = $1) AS mine
JOIN lms_class k ON k.id = mine.klass_id
JOIN lms_course c ON c.id = k.course_id
LEFT JOIN lms_enrolment e ON e.user_id = $1 AND e.klass_id = k.id AND e.status <> 'withdrawn'
LEFT JOIN lms_class_lecturer l ON l.user_id = $1 AND l.klass_id = k.id
WHERE k.institution_id = $2
ORDER BY k.starts_on DESC, k.id DESC
"""


async def my_classes(p: Principal) -> list[dict[str, Any]]:
    """Classes the caller learns in or teaches, newest first. The home page and the hottest
    read path: one hand-written query (lms_core.sql), whatever the number of classes."""
    if p.institution_id is None:
        return []
    rows = await sql.fetch(_MY_CLASSES_SQL, p.user_id, p.institution_id)
    return [{
        "id": r["id"], "code": r["code"], "title": r["title"], "course_id": r["course_id"],
        "starts_on": sql.as_date(r["starts_on"]), "ends_on": sql.as_date(r["ends_on"]),
        "location": r["location"], "delivery_mode": r["delivery_mode"],
        "capacity": r["capacity"], "self_enrol": sql.as_bool(r["self_enrol"]),
        "status": r["status"], "schedule": sql.as_json(r["schedule"]),
        "course": {"id": r["course_id"], "code": r["course_code"], "title": r["course_title"]},
        "my_enrolment": r["my_enrolment"], "i_teach": r["lecturer_link"] is not None,
    } for r in rows]


def class_dict(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: row.get(k) for k in CLASS_FIELDS}
    for key in ("delivery_mode", "status"):
        out[key] = getattr(out[key], "value", out[key])
    if "course__title" in row:
        out["course"] = {"id": row["course_id"], "code": row["course__code"],
                         "title": row["course__title"]}
    for key in ("my_enrolment", "i_teach", "seats_taken"):
        if key in row:
            out[key] = row[key]
    return out


async def create_class(institution_id: int, *, course_id: int, code: str, title: str,
                       starts_on: date | None, ends_on: date | None, delivery_mode: str,
                       capacity: int, self_enrol: bool, location: str,
                       schedule: list[dict[str, Any]], lecturer_ids: list[int]) -> CourseClass:
    if not await Course.filter(id=course_id, institution_id=institution_id).exists():
        raise Problem(422, "Khoá học không tồn tại.", "Course not found.", field="course_id")
    if starts_on and ends_on and ends_on < starts_on:
        raise Problem(422, "Ngày kết thúc phải sau ngày bắt đầu.",
                      "The end date must not be before the start date.")
    lecturers = set(await Membership.filter(
        institution_id=institution_id, role="lecturer", user_id__in=lecturer_ids,
    ).values_list("user_id", flat=True))
    missing = set(lecturer_ids) - lecturers
    if missing:
        raise Problem(422, f"Không phải giảng viên của đơn vị: {sorted(missing)}.",
                      f"Not lecturers of this institution: {sorted(missing)}.")
    async with in_transaction():
        if await CourseClass.filter(institution_id=institution_id, code=code).exists():
            raise Problem(409, f"Mã lớp {code} đã có.", f"Class code {code} already exists.")
        klass = await CourseClass.create(
            institution_id=institution_id, course_id=course_id, code=code, title=title,
            title_key=fold(title),
            starts_on=starts_on, ends_on=ends_on, delivery_mode=delivery_mode,
            capacity=capacity, self_enrol=self_enrol, location=location, schedule=schedule)
        for uid in sorted(lecturers):
            await ClassLecturer.create(klass=klass, user_id=uid)
    return klass


async def end_class(plugins: Any, klass: CourseClass, actor_id: int | None) -> CourseClass:
    """Mark a class ended and tell the plugins (``lms_event_class_ended``: live sessions close,
    surveys open, reports can be final). One function for the API and the admin page, so the
    "already ended" refusal and the event are decided once."""
    if klass.status == ClassStatus.ENDED:
        raise Problem(409, "Lớp đã kết thúc.", "The class has already ended.")
    klass.status = ClassStatus.ENDED
    await klass.save(update_fields=["status"])
    await emit(plugins, "lms_event_class_ended", klass.institution_id, actor_id,
               {"class_id": klass.id}, klass=klass, actor=actor_id)
    return klass
