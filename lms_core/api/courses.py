"""The course catalogue and course pages' data."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from lms_core import cache
from lms_core.api.schemas import Page
from lms_core.http.endpoints import api, path_int
from lms_core.runtime import runtime
from lms_core.services import courses as svc
from lms_core.text import fold


@api("GET", permission="courses.view", query=Page, summary="Course catalogue",
     tags=("courses",))
async def list_courses(request: Request, principal, query: Page):
    """Published courses of the institution; ``q`` matches with or without diacritics.
    The same for everyone in the institution, so cached per query until a course of the
    institution changes (lms_core.cache)."""
    async def build() -> dict:
        total, rows = await svc.catalogue(principal.institution_id, query.q, query.limit,
                                          query.offset)
        return {"total": total, "items": rows}

    inst = principal.institution_id
    body = await runtime(request).cache.get_or_build(
        ("catalogue", inst, fold(query.q), query.limit, query.offset), (cache.courses_tag(inst),),
        build)
    return Response(body, media_type="application/json")


@api("GET", permission="courses.view", summary="A course with its modules", tags=("courses",))
async def get_course(request: Request, principal):
    course = await svc.get_course(principal.institution_id, path_int(request, "course_id"))
    modules = await svc.course_modules(course.id)
    return {
        "id": course.id, "code": course.code, "version": course.version, "title": course.title,
        "title_en": course.title_en, "description": course.description,
        "competencies": course.competencies, "duration_hours": course.duration_hours,
        "modules": [{"id": m.id, "key": m.key, "type": m.type, "title": m.title,
                     "title_en": m.title_en, "position": m.position, "minutes": m.minutes,
                     "competencies": m.competencies} for m in modules],
    }
