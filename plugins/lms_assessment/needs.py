"""Training needs from the database: a person's gaps against their position, a unit's (with its
sub-units) people by priority, and the classes that close the gaps (``gaps.py`` does the
arithmetic; this reads the rows it needs in a handful of queries, whatever the unit's size).

Requirements name competency codes (``PositionCompetency``); codes resolve through the
frameworks the institution uses (``frameworks.resolve_codes``). A code no framework knows yet
is reported (``unknown_codes``) rather than silently dropped. Current levels are the profile's
(``profile.current_levels``), the same numbers the profile page and the reports show.

Classes on offer: the institution's classes not ended whose start is today or later (or not
set), with what their course develops: the course's declared competencies at their declared
``level`` (``DEFAULT_COURSE_LEVEL`` when the manifest gives none).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from lms_core import clock
from lms_core.http.problems import Problem
from lms_core.models import Course, CourseClass, Unit, User
from lms_core.models.classes import ClassStatus

from lms_assessment import frameworks, gaps, profile
from lms_assessment.models import PositionCompetency

DEFAULT_COURSE_LEVEL = 3


def course_levels(items: Any, resolve: dict[str, int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for item in items if isinstance(items, list) else []:
        code = item.get("code") if isinstance(item, dict) else item
        level = item.get("level") if isinstance(item, dict) else None
        if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 5:
            level = DEFAULT_COURSE_LEVEL
        if isinstance(code, str) and code in resolve:
            out[resolve[code]] = max(out.get(resolve[code], 0), level)
    return out


async def requirements_by_position(institution_id: int, resolve: dict[str, int]
                                   ) -> tuple[dict[int, list[gaps.Requirement]], set[str]]:
    out: dict[int, list[gaps.Requirement]] = {}
    unknown: set[str] = set()
    for position_id, code, level, mandatory, weight in await PositionCompetency.filter(
            institution_id=institution_id).values_list("position_id", "code", "required_level",
                                                       "mandatory", "weight"):
        if code not in resolve:
            unknown.add(code)
            continue
        out.setdefault(position_id, []).append(
            gaps.Requirement(resolve[code], level, bool(mandatory), float(weight)))
    return out, unknown


async def offers(institution_id: int, resolve: dict[str, int], today: date | None = None
                 ) -> tuple[list[gaps.Offer], dict[int, dict[str, Any]]]:
    today = today or clock.now().date()
    courses = {cid: course_levels(items, resolve) for cid, items in await Course.filter(
        institution_id=institution_id).values_list("id", "competencies")}
    rows = await CourseClass.filter(institution_id=institution_id).exclude(
        status=ClassStatus.ENDED).values("id", "code", "title", "course_id", "starts_on")
    found, info = [], {}
    for r in rows:
        if r["starts_on"] is not None and r["starts_on"] < today:
            continue
        develops = courses.get(r["course_id"], {})
        if develops:
            found.append(gaps.Offer(r["id"], develops, r["starts_on"]))
            info[r["id"]] = {"id": r["id"], "code": r["code"], "title": r["title"],
                             "course_id": r["course_id"], "starts_on": r["starts_on"]}
    return found, info


def _gap_dict(g: gaps.Gap, names: dict[int, dict[str, str]]) -> dict[str, Any]:
    return {"competency_id": g.competency_id, **names.get(g.competency_id, {}),
            "required": g.required, "current": g.current, "gap": g.size,
            "mandatory": g.mandatory, "weight": g.weight}


async def _names(ids: set[int]) -> dict[int, dict[str, str]]:
    from lms_assessment.models import Competency

    if not ids:
        return {}
    return {r["id"]: {"code": r["code"], "name": r["name"], "name_en": r["name_en"]}
            for r in await Competency.filter(id__in=list(ids)).values("id", "code", "name",
                                                                        "name_en")}


async def person(institution_id: int, user_id: int) -> dict[str, Any]:
    user = await User.filter(id=user_id, memberships__institution_id=institution_id).first()
    if user is None:
        raise Problem(404, "Không tìm thấy người dùng.", "User not found.")
    resolve = await frameworks.resolve_codes(institution_id)
    reqs, unknown = await requirements_by_position(institution_id, resolve)
    mine = reqs.get(user.job_position_id or 0, [])
    current = (await profile.current_levels([user_id])).get(user_id, {})
    found = gaps.needs(mine, current)
    available, info = await offers(institution_id, resolve)
    chosen, uncovered = gaps.cover(found.open_gaps, available)
    names = await _names({r.competency_id for r in mine})
    return {"user_id": user_id, "full_name": user.full_name, "unit_id": user.unit_id,
            "position_id": user.job_position_id, "meets_standard": found.meets_standard,
            "priority": found.priority, "gaps": [_gap_dict(g, names) for g in found.gaps],
            "classes": [info[c] for c in chosen],
            "uncovered": [_gap_dict(g, names) for g in uncovered],
            "unknown_codes": sorted(unknown)}


async def unit(institution_id: int, unit_id: int | None, position_id: int | None = None,
               limit: int = 200) -> dict[str, Any]:
    """Everyone of the unit and its sub-units (the whole institution without a unit), most
    urgent first, with a count per competency of how many people need it (the planner's
    "how many people need what")."""
    people = User.filter(memberships__institution_id=institution_id, is_active=True)
    if unit_id is not None:
        top = await Unit.get_or_none(id=unit_id, institution_id=institution_id)
        if top is None:
            raise Problem(404, "Không tìm thấy đơn vị.", "Unit not found.")
        ids = await Unit.filter(institution_id=institution_id,
                                path__startswith=top.path).values_list("id", flat=True)
        people = people.filter(unit_id__in=list(ids))
    if position_id is not None:
        people = people.filter(job_position_id=position_id)
    rows = await people.distinct().values("id", "full_name", "sort_key", "unit_id",
                                          "job_position_id")
    resolve = await frameworks.resolve_codes(institution_id)
    reqs, unknown = await requirements_by_position(institution_id, resolve)
    levels = await profile.current_levels([r["id"] for r in rows]) if rows else {}
    listed, per_competency = [], {}
    meeting = with_standard = 0
    for r in rows:
        found = gaps.needs(reqs.get(r["job_position_id"] or 0, []), levels.get(r["id"], {}))
        if found.meets_standard is not None:
            with_standard += 1
            meeting += 1 if found.meets_standard else 0
        for g in found.open_gaps:
            entry = per_competency.setdefault(g.competency_id, {"people": 0, "mandatory": 0})
            entry["people"] += 1
            entry["mandatory"] += 1 if g.mandatory else 0
        if found.open_gaps:
            listed.append({"user_id": r["id"], "full_name": r["full_name"],
                           "unit_id": r["unit_id"], "position_id": r["job_position_id"],
                           "priority": found.priority, "meets_standard": found.meets_standard,
                           "gaps": len(found.open_gaps), "_sort": r["sort_key"]})
    listed.sort(key=lambda p: (-p["priority"], p["_sort"], p["user_id"]))
    for p in listed:
        p.pop("_sort")
    names = await _names(set(per_competency))
    return {"unit_id": unit_id, "position_id": position_id, "staff": len(rows),
            "with_standard": with_standard, "meeting": meeting,
            "share_meeting": round(meeting / len(rows), 4) if rows else None,
            "people": listed[:limit], "people_total": len(listed),
            "competencies": sorted(({"competency_id": cid, **names.get(cid, {}), **v}
                                    for cid, v in per_competency.items()),
                                   key=lambda c: (-c["people"], c.get("code", ""))),
            "unknown_codes": sorted(unknown)}
