"""The planners' figure: the share of staff meeting their position's required levels (the seeds'
"% meeting standard"), per unit including its sub-units, from the competency profile.

A person meets the standard when, for every *mandatory* requirement of their position, their
profile's level at the moment asked (``ProfileSegment`` containing it, the same test every
reader uses) reaches the required level. People whose position has no mandatory requirement
are staff ``without_standard``. The counting runs in the database, one statement whatever the
number of people (the requirements travel as one JSON parameter); only the roll-up of units
into their ancestors happens here, over the unit tree.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from lms_core import clock
from lms_core.http.problems import Problem
from lms_core.models import Unit
from lms_core.sql import dialect, fetch

from lms_assessment import frameworks
from lms_assessment.models import PositionCompetency

#: The mandatory requirements as rows, from one JSON parameter ($2).
_REQ_PG = ("SELECT r.position_id, r.competency_id, r.level FROM jsonb_to_recordset($2::jsonb) "
           "AS r(position_id int, competency_id int, level int)")
_REQ_SQLITE = ("SELECT json_extract(j.value, '$[0]') AS position_id, "
               "json_extract(j.value, '$[1]') AS competency_id, "
               "json_extract(j.value, '$[2]') AS level FROM json_each($2) AS j")
_COUNT = """
WITH req AS ({req}),
need AS (SELECT position_id, COUNT(*) AS n FROM req GROUP BY position_id),
staff AS (
    SELECT DISTINCT u.id, u.unit_id, u.job_position_id FROM lms_user u
    JOIN lms_membership m ON m.user_id = u.id
    WHERE m.institution_id = $1 AND u.is_active{within}),
met AS (
    SELECT s.id, COUNT(*) AS n FROM staff s
    JOIN req r ON r.position_id = s.job_position_id
    JOIN assessment_profile_segment p ON p.user_id = s.id AND p.competency_id = r.competency_id
     AND p.valid_from <= $3 AND (p.valid_until IS NULL OR p.valid_until > $3)
     AND p.level >= r.level
    GROUP BY s.id)
SELECT s.{group} AS group_id, COUNT(*) AS staff, COUNT(need.n) AS with_standard,
       SUM(CASE WHEN need.n IS NOT NULL AND COALESCE(met.n, 0) = need.n THEN 1 ELSE 0 END)
           AS meeting
FROM staff s LEFT JOIN need ON need.position_id = s.job_position_id
LEFT JOIN met ON met.id = s.id
GROUP BY s.{group}
"""


async def mandatory_requirements(institution_id: int) -> list[tuple[int, int, int]]:
    resolve = await frameworks.resolve_codes(institution_id)
    rows = await PositionCompetency.filter(institution_id=institution_id, mandatory=True
                                           ).values_list("position_id", "code", "required_level")
    return [(p, resolve[c], lv) for p, c, lv in rows if c in resolve]


_WITHIN = (" AND u.unit_id IN (SELECT w.id FROM lms_unit w WHERE w.institution_id = $1"
           " AND w.path LIKE $4)")


async def _counts(institution_id: int, group: str, moment: datetime | None,
                  unit_path: str | None = None) -> dict[int | None, dict[str, int]]:
    moment = moment or clock.now()
    reqs = await mandatory_requirements(institution_id)
    if dialect() == "sqlite":
        payload = json.dumps([list(r) for r in reqs])
        sql = _COUNT.format(req=_REQ_SQLITE, group=group, within=_WITHIN if unit_path else "")
    else:
        payload = json.dumps([{"position_id": p, "competency_id": c, "level": lv}
                              for p, c, lv in reqs])
        sql = _COUNT.format(req=_REQ_PG, group=group, within=_WITHIN if unit_path else "")
    args: list[Any] = [institution_id, payload, moment]
    if unit_path:
        args.append(unit_path + "%")  # materialised paths hold digits and slashes only
    rows = await fetch(sql, *args)
    return {r["group_id"]: {"staff": int(r["staff"]), "with_standard": int(r["with_standard"]),
                            "meeting": int(r["meeting"] or 0)} for r in rows}


async def per_unit(institution_id: int, moment: datetime | None = None
                   ) -> dict[int | None, dict[str, int]]:
    """unit id (None: people without a unit) -> staff, with_standard, meeting (own people)."""
    return await _counts(institution_id, "unit_id", moment)


async def per_position(institution_id: int, moment: datetime | None = None,
                       unit_id: int | None = None) -> dict[int | None, dict[str, int]]:
    """job position id (None: people without one) -> staff, with_standard, meeting; within
    one unit and its sub-units when given."""
    path = None
    if unit_id is not None:
        unit = await Unit.get_or_none(id=unit_id, institution_id=institution_id)
        if unit is None:
            raise Problem(404, "Không tìm thấy đơn vị.", "Unit not found.")
        path = unit.path
    return await _counts(institution_id, "job_position_id", moment, path)


def _share(f: dict[str, int]) -> float | None:
    return round(f["meeting"] / f["staff"], 4) if f["staff"] else None


async def report(institution_id: int, unit_id: int | None = None,
                 moment: datetime | None = None) -> dict[str, Any]:
    """Each unit of the tree (or of one subtree) with its sub-units' people included, and the
    total."""
    own = await per_unit(institution_id, moment)
    units = await Unit.filter(institution_id=institution_id).values(
        "id", "name", "path", "parent_id", "depth")
    if unit_id is not None:
        top = next((u for u in units if u["id"] == unit_id), None)
        if top is None:
            raise Problem(404, "Không tìm thấy đơn vị.", "Unit not found.")
        units = [u for u in units if u["path"].startswith(top["path"])]
    ids = {u["id"] for u in units}
    rolled = {u["id"]: {"staff": 0, "with_standard": 0, "meeting": 0} for u in units}
    by_id = {u["id"]: u for u in units}
    total = {"staff": 0, "with_standard": 0, "meeting": 0}
    for uid, figures in own.items():
        if uid not in ids:
            continue
        for key in total:
            total[key] += figures[key]
        ancestors = {int(p) for p in by_id[uid]["path"].strip("/").split("/") if p.isdigit()}
        for ancestor in ancestors | {uid}:
            if ancestor in rolled:
                for key in total:
                    rolled[ancestor][key] += figures[key]
    ordered = sorted(units, key=lambda u: u["path"])
    return {"unit_id": unit_id,
            "total": {**total, "share": _share(total),
                      "without_standard": total["staff"] - total["with_standard"]},
            "units": [{"id": u["id"], "name": u["name"], "parent_id": u["parent_id"],
                       "depth": u["depth"], **rolled[u["id"]], "share": _share(rolled[u["id"]])}
                      for u in ordered]}
