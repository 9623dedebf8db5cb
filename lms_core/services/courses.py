"""The course catalogue and course import (upsert that keeps trainees' progress)."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from lms_core import sql
from lms_core.http.problems import Problem
from lms_core.models import Course, CourseModule
from lms_core.text import fold, word_key

COURSE_FIELDS = ("id", "code", "version", "title", "title_en", "description", "description_en",
                 "competencies", "duration_hours")


_CATALOGUE_COLUMNS = ", ".join(COURSE_FIELDS)


async def catalogue(institution_id: int, q: str = "", limit: int = 50,
                    offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """Published courses, searched without diacritics, in Vietnamese alphabetical order.

    Every user opens it, so it is hand-written SQL (lms_core.sql): the page and the count are
    read from the (institution, published, sort_key, id) index; each search word must appear
    in the folded title or the code."""
    where = ["institution_id = $1", "is_published = TRUE"]
    args: list[Any] = [institution_id]
    for word in fold(q).split()[:10]:
        args.append(sql.like_pattern(word))
        n = len(args)
        where.append(f"(title_key LIKE ${n} ESCAPE '\\' OR LOWER(code) LIKE ${n} ESCAPE '\\')")
    condition = " AND ".join(where)
    total = (await sql.fetch(f"SELECT COUNT(*) AS n FROM lms_course WHERE {condition}",
                             *args))[0]["n"]
    if not total or offset >= total:
        return total, []
    n = len(args)
    rows = await sql.fetch(
        f"SELECT {_CATALOGUE_COLUMNS} FROM lms_course WHERE {condition} "
        f"ORDER BY sort_key, id LIMIT ${n + 1} OFFSET ${n + 2}", *args, limit, offset)
    for row in rows:
        row["competencies"] = sql.as_json(row["competencies"])
    return total, rows


async def get_course(institution_id: int, course_id: int) -> Course:
    course = await Course.get_or_none(id=course_id, institution_id=institution_id)
    if course is None:
        raise Problem(404, "Không tìm thấy khoá học.", "Course not found.")
    return course


async def course_modules(course_id: int, active_only: bool = True) -> list[CourseModule]:
    qs = CourseModule.filter(course_id=course_id)
    if active_only:
        qs = qs.filter(is_active=True)
    return await qs.order_by("position")


async def upsert_course(institution_id: int, parsed: Any, source: str) -> tuple[Course, str]:
    """Create the course or update it to ``parsed.version``. Modules are matched by key, so a
    lesson edited in a new version keeps its progress rows; dropped modules are deactivated.
    Returns the course and what happened: created, updated or unchanged."""
    async with in_transaction():
        course = await Course.select_for_update().get_or_none(
            institution_id=institution_id, code=parsed.code)
        fields = dict(
            version=parsed.version, title=parsed.title, title_en=parsed.title_en or "",
            title_key=fold(parsed.title), sort_key=word_key(parsed.title)[:600],
            description=parsed.description or "",
            description_en=parsed.description_en or "",
            competencies=list(parsed.competencies), duration_hours=parsed.duration_hours or 0,
            source=source,
        )
        if course is None:
            course = await Course.create(institution_id=institution_id, code=parsed.code, **fields)
            outcome = "created"
        else:
            if parsed.version < course.version:
                raise Problem(409, f"Phiên bản {parsed.version} cũ hơn phiên bản đang dùng "
                              f"({course.version}).", f"Version {parsed.version} is older than "
                              f"the installed version {course.version}.")
            outcome = "updated" if parsed.version > course.version else "unchanged"
            if outcome == "unchanged" and course.source == source:
                return course, outcome
            for key, value in fields.items():
                setattr(course, key, value)
            await course.save()
            outcome = "updated"
        existing = {m.key: m for m in await CourseModule.filter(course=course)}
        seen = set()
        for m in parsed.modules:
            seen.add(m.key)
            values = dict(type=m.type, title=m.title, title_en=m.title_en or "",
                          position=m.position, body_html=m.body_html, data=dict(m.data),
                          competencies=list(m.competencies), minutes=m.minutes or 0,
                          is_active=True)
            row = existing.get(m.key)
            if row is None:
                await CourseModule.create(course=course, key=m.key, **values)
            else:
                for key, value in values.items():
                    setattr(row, key, value)
                await row.save()
        for key, row in existing.items():
            if key not in seen and row.is_active:
                row.is_active = False
                await row.save(update_fields=["is_active"])
    return course, outcome
