"""Applying a parsed staff list: create or update users, optionally enrol them, all or nothing.

Rows are checked against the database first (unknown unit or position, a login owned by another
institution, a class without enough seats); any problem rejects the whole file with every bad
line listed. Only then is everything written, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from tortoise.transactions import in_transaction

from lms_core.models import (
    CourseClass, Enrolment, EnrolmentStatus, Institution, JobPosition, Membership, Role, Unit,
    User,
)
from lms_core.models.enrolments import SEAT_HOLDING
from lms_core.plugin_api import ActionRefused, EnrolmentRequest
from lms_core.plugins import PluginManager
from lms_core.services.eventlog import emit
from lms_core.services.staff_file import ParsedStaffFile, RowError
from lms_core.services.users import user_fields
from lms_core.text import fold


class StaffImportRejected(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} bad rows")
        self.errors = errors


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    enrolled: int = 0
    user_ids: list[int] = field(default_factory=list)


async def _lookup(model, institution_id: int, label_field: str) -> dict[str, int]:
    """Index units / positions by folded code and by folded name, as people write either."""
    index: dict[str, int] = {}
    for pk, code, label in await model.filter(institution_id=institution_id).values_list(
            "id", "code", label_field):
        index.setdefault(fold(label), pk)
        index[fold(code)] = pk
    return index


async def apply_staff_file(
    plugins: PluginManager, institution_id: int, parsed: ParsedStaffFile, *,
    class_code: str | None = None, class_id: int | None = None, actor_id: int | None,
    progress: Callable[[int], object] | None = None,
) -> ImportReport:
    errors = list(parsed.errors)
    units = await _lookup(Unit, institution_id, "name")
    positions = await _lookup(JobPosition, institution_id, "title")
    logins = [r.login for r in parsed.rows]
    existing = {u.login: u for u in await User.filter(login__in=logins)}
    members = set(await Membership.filter(
        institution_id=institution_id, user_id__in=[u.id for u in existing.values()],
    ).values_list("user_id", flat=True))
    klass = None
    if class_code or class_id:
        klass = await CourseClass.get_or_none(
            institution_id=institution_id,
            **({"code": class_code} if class_code else {"id": class_id}))
        if klass is None:
            errors.append(RowError(0, "", f"Không có lớp {class_code or class_id}.",
                                   f"No class {class_code or class_id}."))
    plan = []
    for row in parsed.rows:
        unit_id = position_id = None
        if row.unit:
            unit_id = units.get(fold(row.unit))
            if unit_id is None:
                errors.append(RowError(row.line, "Đơn vị", f"Không có đơn vị “{row.unit}”.",
                                       f"Unknown unit “{row.unit}”."))
        if row.position:
            position_id = positions.get(fold(row.position))
            if position_id is None:
                errors.append(RowError(row.line, "Vị trí việc làm",
                                       f"Không có vị trí việc làm “{row.position}”.",
                                       f"Unknown job position “{row.position}”."))
        user = existing.get(row.login)
        if user is not None and user.id not in members:
            errors.append(RowError(row.line, "Tên đăng nhập",
                                   f"Tên đăng nhập {row.login} thuộc một đơn vị khác.",
                                   f"Login {row.login} belongs to another institution."))
        plan.append((row, user, unit_id, position_id))
    if klass is not None and klass.capacity:
        already = set(await Enrolment.filter(klass_id=klass.id, status__in=SEAT_HOLDING)
                      .values_list("user_id", flat=True))
        new_seats = sum(1 for _r, u, _a, _b in plan if u is None or u.id not in already)
        free = klass.capacity - len(already)
        if new_seats > free:
            errors.append(RowError(0, "", f"Lớp {klass.code} chỉ còn {max(free, 0)} chỗ, tệp cần "
                                   f"{new_seats}.", f"Class {klass.code} has {max(free, 0)} "
                                   f"free seats; the file needs {new_seats}."))
    if klass is not None:  # plugins' enrolment filters may refuse single rows
        for row, user, _unit, _pos in plan:
            candidate = user or User(login=row.login, email=row.email, **user_fields(row.full_name))
            try:
                await plugins.run_filters("lms_filter_enrolment", institution_id, request=(
                    EnrolmentRequest(user=candidate, klass=klass, new_status="active",
                                     actor=actor_id, via="import")))
            except ActionRefused as exc:
                errors.append(RowError(row.line, "", exc.message, exc.message_en))
    if errors:
        raise StaffImportRejected(sorted(errors, key=lambda e: e.line))

    report = ImportReport()
    created: list[User] = []
    enrolments: list[Enrolment] = []
    now = datetime.now(timezone.utc)
    async with in_transaction():
        if klass is not None:
            klass = await CourseClass.select_for_update().get(id=klass.id)
        for row, user, unit_id, position_id in plan:
            values = dict(email=row.email, **user_fields(row.full_name))
            if unit_id is not None:
                values["unit_id"] = unit_id
            if position_id is not None:
                values["job_position_id"] = position_id
            if user is None:
                user = await User.create(login=row.login, **values)
                await Membership.create(user=user, institution_id=institution_id,
                                        role=Role.TRAINEE)
                created.append(user)
                report.created += 1
            else:
                await User.filter(id=user.id).update(**values)
                await Membership.get_or_create(user_id=user.id, institution_id=institution_id,
                                               role=Role.TRAINEE)
                report.updated += 1
            report.user_ids.append(user.id)
            if klass is not None:
                e = await Enrolment.get_or_none(klass_id=klass.id, user_id=user.id)
                if e is None or e.status in (EnrolmentStatus.WITHDRAWN, EnrolmentStatus.NOMINATED):
                    if e is None:
                        e = await Enrolment.create(user_id=user.id, klass_id=klass.id,
                                                   status=EnrolmentStatus.ACTIVE,
                                                   activated_at=now, approved_at=now,
                                                   approved_by_id=actor_id)
                    else:
                        e.status, e.activated_at = EnrolmentStatus.ACTIVE, now
                        await e.save()
                    enrolments.append(e)
                    report.enrolled += 1
            if progress:
                progress(1)
    institution = await Institution.get(id=institution_id)
    for user in created:
        await emit(plugins, "lms_event_user_created", institution_id, actor_id,
                   {"user_id": user.id, "login": user.login, "via": "import"},
                   user=user, institution=institution, actor=actor_id)
    for e in enrolments:
        await emit(plugins, "lms_event_enrolment_changed", institution_id, actor_id,
                   {"enrolment_id": e.id, "to": "active", "via": "import"},
                   enrolment=e, old_status=None, new_status="active", actor=actor_id)
    return report
