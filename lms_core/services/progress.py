"""Module progress and course completion, asking plugins' completion filters on the way."""

from __future__ import annotations

from datetime import datetime, timezone

from tortoise.transactions import in_transaction

from lms_core.http.problems import Problem
from lms_core.models import (
    Course, CourseModule, Enrolment, EnrolmentStatus, ModuleProgress, ProgressStatus, User,
)
from lms_core.plugins import PluginManager
from lms_core.services.enrolments import change_enrolment
from lms_core.services.eventlog import emit


async def start_module(enrolment: Enrolment, module: CourseModule) -> None:
    """Opening a module marks it in progress (and an approved enrolment active)."""
    await ModuleProgress.get_or_create(enrolment=enrolment, module=module,
                                       defaults={"status": ProgressStatus.IN_PROGRESS})


async def complete_module(plugins: PluginManager, enrolment: Enrolment, module: CourseModule,
                          user: User, score: float | None = None) -> bool:
    """Mark ``module`` completed; returns True when this also completed the course."""
    if enrolment.status not in (EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED):
        raise Problem(409, "Ghi danh chưa ở trạng thái đang học.", "Enrolment is not active.")
    klass = await enrolment.klass
    await plugins.run_filters("lms_filter_module_completion", klass.institution_id,
                              user=user, module=module, enrolment=enrolment)
    now = datetime.now(timezone.utc)
    async with in_transaction():
        progress, _ = await ModuleProgress.get_or_create(enrolment=enrolment, module=module)
        already = progress.status == ProgressStatus.COMPLETED
        progress.status = ProgressStatus.COMPLETED
        progress.completed_at = progress.completed_at or now
        if score is not None:
            progress.score = score
        await progress.save()
    if not already:
        await emit(plugins, "lms_event_module_completed", klass.institution_id, user.id,
                   {"module_id": module.id, "enrolment_id": enrolment.id},
                   user=user, module=module, enrolment=enrolment)
    return await _maybe_complete_course(plugins, enrolment, user, klass)


async def _maybe_complete_course(plugins: PluginManager, enrolment: Enrolment, user: User,
                                 klass) -> bool:
    if enrolment.status == EnrolmentStatus.COMPLETED:
        return False
    active = set(await CourseModule.filter(course_id=klass.course_id, is_active=True)
                 .values_list("id", flat=True))
    done = set(await ModuleProgress.filter(enrolment=enrolment, status=ProgressStatus.COMPLETED,
                                           module_id__in=active).values_list("module_id",
                                                                             flat=True))
    if active - done:
        return False
    course = await Course.get(id=klass.course_id)
    await plugins.run_filters("lms_filter_course_completion", klass.institution_id,
                              user=user, course=course, enrolment=enrolment)
    # One path for every completion: the record, the enrolment status and both events.
    await change_enrolment(plugins, klass, user, EnrolmentStatus.COMPLETED, actor_id=user.id,
                           via="progress")
    return True


async def progress_summary(enrolment_id: int, course_id: int) -> dict[str, object]:
    active = await CourseModule.filter(course_id=course_id, is_active=True).count()
    done = await ModuleProgress.filter(enrolment_id=enrolment_id, status=ProgressStatus.COMPLETED,
                                       module__is_active=True).count()
    return {"modules": active, "completed": done,
            "percent": round(100 * done / active) if active else 0}
