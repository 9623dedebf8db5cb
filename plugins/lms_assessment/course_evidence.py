"""A completed course is evidence: for each competency the course declares, the level its
manifest says it develops (``needs.DEFAULT_COURSE_LEVEL`` when it says none), observed when the
course was completed. Recorded from ``lms_event_course_completed``, so the profile and the gap
report change the moment a trainee completes, with no batch in between."""

from __future__ import annotations

from typing import Any

from lms_core import clock

from lms_assessment import frameworks, profile
from lms_assessment.models import EvidenceSource
from lms_assessment.needs import course_levels


async def record_course(enrolment: Any, course: Any, user_id: int) -> int:
    resolve = await frameworks.resolve_codes(course.institution_id)
    levels = course_levels(course.competencies, resolve)
    now = clock.now()
    for competency_id, level in levels.items():
        await profile.record_evidence(
            institution_id=course.institution_id, user_id=user_id, competency_id=competency_id,
            level=level, source=EvidenceSource.COURSE, observed_at=now,
            ref=f"enrolment:{enrolment.id}", note=f"course:{course.id}")
    return len(levels)
