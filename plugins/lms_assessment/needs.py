"""Training needs from the database: a person's gaps against their position, a unit's (with its
sub-units) people by priority, and the classes that close the gaps (``gaps.py`` does the
arithmetic; this reads the rows it needs in a handful of queries, whatever the unit's size).

Requirements name competency codes (``PositionCompetency``); codes resolve through the
frameworks the institution uses (``frameworks.resolve_codes``). A code no framework knows yet
is reported (``unknown_codes``) rather than silently dropped. Current levels are the profile's:
``profile.current_levels`` for one person; for a unit, one statement reads the levels of its
people with the same test (``staff.valid_at``), the same numbers the profile page and the
"% meeting standard" show. A unit's report reads that unit's people, their positions'
requirements and their segments only (200 people: ~20 ms in a city of 1,000,000,
docs/performance.md).

Classes on offer: the institution's classes not ended whose start is today or later (or not
set), with what their course develops: the course's declared competencies at their declared
``level`` (``DEFAULT_COURSE_LEVEL`` when the manifest gives none).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Iterable

from lms_core import clock
from lms_core.http.problems import Problem
from lms_core.models import Course, CourseClass, Unit, User
from lms_core.models.classes import ClassStatus
from lms_core.sql import fetch

from lms_assessment import frameworks, gaps, profile, staff
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


async def requirements_by_position(institution_id: int, resolve: dict[str, int],
                                   positions: Iterable[int] | None = None
                                   ) -> tuple[dict[int, list[gaps.Requirement]], set[str]]:
    """Requirements per position (of the given positions only, when given: a unit's report
    reads its people's positions, not the institution's two thousand), and the codes no
    framework knows among them."""
    out: dict[int, list[gaps.Requirement]] = {}
    unknown: set[str] = set()
    rows = PositionCompetency.filter(institution_id=institution_id)
    if positions is not None:
        wanted = sorted(set(positions))
        if not wanted:
            return out, unknown
        rows = rows.filter(position_id__in=wanted)
    for position_id, code, level, mandatory, weight in await rows.values_list(
            "position_id", "code", "required_level", "mandatory", "weight"):
        if code not in resolve:
            unknown.add(code)
            continue
        out.setdefault(position_id, []).append(
            gaps.Requirement(resolve[code], level, bool(mandatory), float(weight)))
    return out, unknown


async def unknown_codes(institution_id: int, resolve: dict[str, int]) -> list[str]:
    """Codes the institution's positions require that no framework it uses knows (yet)."""
    codes = await PositionCompetency.filter(institution_id=institution_id).distinct(
        ).values_list("code", flat=True)
    return sorted({c for c in codes if c not in resolve})


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
    reqs, _ = await requirements_by_position(institution_id, resolve,
                                             [user.job_position_id or 0])
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
            "unknown_codes": await unknown_codes(institution_id, resolve)}


_PEOPLE = "SELECT u.id, u.full_name, u.sort_key, u.unit_id, u.job_position_id " \
          "FROM lms_user u WHERE {staff}"
#: The levels at $2 of the same people, in one statement (no list of ids sent back and forth:
#: a district has tens of thousands of people).
_LEVELS = ("SELECT p.user_id, p.competency_id, p.level FROM assessment_profile_segment p "
           "JOIN lms_user u ON u.id = p.user_id WHERE {staff} AND {valid}")


def _statements(institution_id: int, path: str | None, position_id: int | None,
                moment: datetime) -> tuple[tuple[str, list[Any]], tuple[str, list[Any]]]:
    """(people SQL, args), (levels SQL, args), numbered for the filters asked."""
    filters: list[Any] = ([staff.subtree_pattern(path)] if path is not None else []) + \
        ([position_id] if position_id is not None else [])

    def where(first: int) -> str:
        n = iter(range(first, first + 2))
        return staff.condition("$1", f"${next(n)}" if path is not None else None,
                               f"${next(n)}" if position_id is not None else None)

    return ((_PEOPLE.format(staff=where(2)), [institution_id, *filters]),
            (_LEVELS.format(staff=where(3), valid=staff.valid_at("$2")),
             [institution_id, moment, *filters]))


async def unit(institution_id: int, unit_id: int | None, position_id: int | None = None,
               limit: int = 200) -> dict[str, Any]:
    """Everyone of the unit and its sub-units (the whole institution without a unit), most
    urgent first, with a count per competency of how many people need it (the planner's
    "how many people need what"). Reads the rows of those people only: their requirements,
    their levels now (the same test as ``profile.current_levels``)."""
    path = None
    if unit_id is not None:
        top = await Unit.get_or_none(id=unit_id, institution_id=institution_id)
        if top is None:
            raise Problem(404, "Không tìm thấy đơn vị.", "Unit not found.")
        path = top.path
    (people_sql, people_args), (levels_sql, levels_args) = _statements(
        institution_id, path, position_id, clock.now())
    rows = await fetch(people_sql, *people_args)
    resolve = await frameworks.resolve_codes(institution_id)
    reqs, _ = await requirements_by_position(institution_id, resolve,
                                             (r["job_position_id"] or 0 for r in rows))
    levels: dict[int, dict[int, int]] = {}
    if rows:
        for r in await fetch(levels_sql, *levels_args):
            levels.setdefault(r["user_id"], {})[r["competency_id"]] = r["level"]
    rows.sort(key=lambda r: r["id"])
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
            "unknown_codes": await unknown_codes(institution_id, resolve)}
