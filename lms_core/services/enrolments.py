"""Enrolment life cycle: nominated -> approved -> active -> completed / withdrawn.

Seats are taken by approved, active and completed enrolments. The class row is locked
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite serialises transactions) while seats are counted
and the enrolment written, so capacity holds under concurrent requests.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from tortoise.transactions import in_transaction

from lms_core.auth.principal import Principal
from lms_core.http.problems import Problem
from lms_core.models import (
    Course, CourseClass, CourseCompletion, Enrolment, EnrolmentStatus, User,
)
from lms_core.models.classes import ClassStatus
from lms_core.models.enrolments import SEAT_HOLDING
from lms_core.plugin_api import EnrolmentRequest
from lms_core.plugins import PluginManager
from lms_core.services.eventlog import PendingEvent, emit_all
from lms_core.services.users import get_user_in, unit_subtree_ids

S = EnrolmentStatus

#: Allowed transitions; ``None`` is "no enrolment yet" (or a withdrawn one being renewed).
TRANSITIONS: dict[S | None, set[S]] = {
    None: {S.NOMINATED, S.APPROVED, S.ACTIVE},
    S.NOMINATED: {S.APPROVED, S.ACTIVE, S.WITHDRAWN},
    S.APPROVED: {S.ACTIVE, S.WITHDRAWN},
    S.ACTIVE: {S.COMPLETED, S.WITHDRAWN},
    S.COMPLETED: set(),
    S.WITHDRAWN: {S.NOMINATED, S.APPROVED, S.ACTIVE},
}

_STAMP = {S.NOMINATED: "nominated_at", S.APPROVED: "approved_at", S.ACTIVE: "activated_at",
          S.COMPLETED: "completed_at", S.WITHDRAWN: "withdrawn_at"}

_LABEL = {S.NOMINATED: "được cử đi học", S.APPROVED: "đã duyệt", S.ACTIVE: "đang học",
          S.COMPLETED: "đã hoàn thành", S.WITHDRAWN: "đã rút"}


async def seats_taken(class_id: int) -> int:
    return await Enrolment.filter(klass_id=class_id, status__in=SEAT_HOLDING).count()


async def change_enrolment(
    plugins: PluginManager, klass: CourseClass, user: User, new_status: S, *,
    actor_id: int | None, via: str = "manual", deferred: list[PendingEvent] | None = None,
) -> Enrolment:
    """The one way an enrolment is created or changes status (filters, seats, events, log).

    A caller changing several enrolments atomically opens its own transaction (this one then
    nests as a savepoint) and passes ``deferred``: events are collected there, to be emitted with
    ``emit_all`` after the outer commit, so plugins never hear of a change that was rolled back.
    """
    now = datetime.now(timezone.utc)
    async with in_transaction():
        locked = await CourseClass.select_for_update().get(id=klass.id)
        enrolment = await Enrolment.select_for_update().get_or_none(klass_id=klass.id,
                                                                     user_id=user.id)
        old = S(enrolment.status) if enrolment else None
        if old == new_status:
            return enrolment  # idempotent: a retried request changes nothing
        if new_status not in TRANSITIONS[old]:
            raise Problem(409, f"Không thể chuyển trạng thái ghi danh từ "
                          f"“{_LABEL.get(old, 'chưa ghi danh')}” sang “{_LABEL[new_status]}”.",
                          f"Cannot change enrolment from {old.value if old else 'none'} "
                          f"to {new_status.value}.")
        if locked.status == ClassStatus.ENDED and new_status != S.COMPLETED \
                and new_status != S.WITHDRAWN:
            raise Problem(409, "Lớp đã kết thúc.", "The class has ended.")
        await plugins.run_filters(
            "lms_filter_enrolment", locked.institution_id,
            request=EnrolmentRequest(user=user, klass=locked, new_status=new_status.value,
                                     actor=actor_id, old_status=old.value if old else None,
                                     via=via),
        )
        takes_seat = new_status in SEAT_HOLDING and old not in SEAT_HOLDING
        if takes_seat and locked.capacity and await seats_taken(locked.id) >= locked.capacity:
            raise Problem(409, f"Lớp đã đủ {locked.capacity} học viên.",
                          f"The class is full ({locked.capacity} seats).", code="class_full")
        fields: dict[str, Any] = {"status": new_status, _STAMP[new_status]: now}
        if new_status == S.NOMINATED:
            fields["nominated_by_id"] = actor_id
        if new_status == S.APPROVED or (new_status == S.ACTIVE and old == S.NOMINATED):
            fields["approved_by_id"] = actor_id
            fields.setdefault("approved_at", now)
        if enrolment is None:
            enrolment = await Enrolment.create(user_id=user.id, klass_id=locked.id, **fields)
        else:
            for key, value in fields.items():
                setattr(enrolment, key, value)
            await enrolment.save()
        course = None
        if new_status == S.COMPLETED:  # the training record, however completion came about
            course = await Course.get(id=locked.course_id)
            await CourseCompletion.get_or_create(
                user_id=user.id, klass_id=locked.id,
                defaults={"course_id": course.id, "course_version": course.version})
    events: list[PendingEvent] = [(
        "lms_event_enrolment_changed", klass.institution_id, actor_id,
        {"enrolment_id": enrolment.id, "user_id": user.id, "class_id": klass.id,
         "from": old.value if old else None, "to": new_status.value, "via": via},
        {"enrolment": enrolment, "old_status": old.value if old else None,
         "new_status": new_status.value, "actor": actor_id},
    )]
    if course is not None:
        events.append((
            "lms_event_course_completed", klass.institution_id, actor_id,
            {"course_id": course.id, "class_id": klass.id, "enrolment_id": enrolment.id,
             "via": via}, {"user": user, "course": course, "enrolment": enrolment},
        ))
    if deferred is None:
        await emit_all(plugins, events)
    else:
        deferred.extend(events)
    return enrolment


async def nominate(plugins: PluginManager, principal: Principal, klass: CourseClass,
                   user_ids: list[int]) -> list[Enrolment]:
    """A nomination (cử đi học): a supervisor sends people of their own unit and its sub-units
    (an admin anyone of the institution), the whole list or nobody; an admin approves later.
    One function for the API and the pages, so the unit rule is decided once."""
    allowed = None
    if not principal.has_role("admin"):
        allowed = set(await unit_subtree_ids(principal.unit_id)) if principal.unit_id else set()
    users = []
    for uid in dict.fromkeys(user_ids):
        user = await get_user_in(principal.institution_id, uid)
        if allowed is not None and user.unit_id not in allowed:
            raise Problem(403, f"{user.full_name} không thuộc đơn vị của bạn.",
                          f"{user.full_name} is not in your unit.")
        users.append(user)
    pending: list[PendingEvent] = []
    async with in_transaction():  # the whole list or nobody
        out = [await change_enrolment(plugins, klass, u, S.NOMINATED,
                                      actor_id=principal.user_id, via="nomination",
                                      deferred=pending) for u in users]
    await emit_all(plugins, pending)
    return out


def enrolment_dict(e: Enrolment | dict[str, Any]) -> dict[str, Any]:
    get = e.get if isinstance(e, dict) else lambda k: getattr(e, k)
    status = get("status")
    return {
        "id": get("id"), "user_id": get("user_id"), "class_id": get("klass_id"),
        "status": getattr(status, "value", status),
        "nominated_by": get("nominated_by_id"), "approved_by": get("approved_by_id"),
        "nominated_at": get("nominated_at"), "approved_at": get("approved_at"),
        "activated_at": get("activated_at"), "completed_at": get("completed_at"),
        "withdrawn_at": get("withdrawn_at"),
    }
