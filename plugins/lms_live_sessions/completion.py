"""After a session ends: let other plugins store what depends on the period (the engagement
plugin's figures), then complete the live-session modules of the trainees who attended.

Which modules: those of the class's course that name this session, and those that name none
(a course can carry "the live class" as one step before its periods are scheduled), which one
attended period completes. Completion goes through the core (``complete_module``), so the
core's ``lms_filter_module_completion`` filters decide: a plugin with its own attendance rule
(engagement: attentive time and interactions) holds back the trainees who did not meet it.
"""

from __future__ import annotations

import logging
from typing import Any

from lms_core.models import CourseClass, CourseModule, Enrolment, EnrolmentStatus, User
from lms_core.plugin_api import ActionRefused
from lms_core.http.problems import Problem
from lms_core.services.progress import complete_module

from lms_live_sessions import extensions
from lms_live_sessions.access import RUNNER
from lms_live_sessions.models import Attendance, LiveSession
from lms_live_sessions.module_type import validate_data

log = logging.getLogger("lms.live")


async def modules_for(session: LiveSession) -> list[CourseModule]:
    course_id = await CourseClass.filter(id=session.klass_id).first().values_list(
        "course_id", flat=True)
    out = []
    for module in await CourseModule.filter(course_id=course_id, type="live_session",
                                            is_active=True):
        data = module.data if isinstance(module.data, dict) else {}
        if validate_data(data):
            continue
        named = data.get("session_id")
        if named is None or named == session.id:
            out.append(module)
    return out


async def after_end(runtime: Any, session_id: int) -> dict[str, int]:
    """Returns how many (trainee, module) completions were made and held back."""
    session = await LiveSession.get(id=session_id)
    await extensions.session_ended(runtime, session)
    done = held = 0
    if runtime is None:
        return {"completed": 0, "held": 0}
    modules = await modules_for(session)
    if not modules:
        return {"completed": 0, "held": 0}
    attended = await Attendance.filter(session_id=session_id).exclude(role=RUNNER).filter(
        seconds_present__gt=0)
    if session.checkin_required:
        attended = [a for a in attended if a.checked_in_at is not None]
    ids = [a.user_id for a in attended]
    # a guest, or an enrolment not active, has nothing to complete
    enrolments = {e.user_id: e for e in await Enrolment.filter(
        klass_id=session.klass_id, user_id__in=ids,
        status__in=(EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED))} if ids else {}
    users = {u.id: u for u in await User.filter(id__in=list(enrolments))} if enrolments else {}
    for att in attended:
        enrolment, user = enrolments.get(att.user_id), users.get(att.user_id)
        if enrolment is None or user is None:
            continue
        for module in modules:
            try:
                await complete_module(runtime.plugins, enrolment, module, user)
                done += 1
            except ActionRefused:
                held += 1
            except Problem:
                held += 1
            except Exception:
                log.exception("could not complete module %s for user %s", module.id,
                              att.user_id)
    return {"completed": done, "held": held}


async def after_end_job(ctx: Any, session_id: int) -> dict[str, int]:
    """The queued job (``lms_register_jobs``); safe to run twice: completing a module twice
    changes nothing and the figures are recomputed whole."""
    return await after_end(ctx.runtime, session_id)
