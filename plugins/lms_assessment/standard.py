"""The planners' figure: the share of staff meeting their position's required levels (the seeds'
"% meeting standard"), per unit including its sub-units, from the competency profile.

A person meets the standard when, for every *mandatory* requirement of their position, their
profile's level at the moment asked (``ProfileSegment`` containing it, the same test every
reader uses) reaches the required level. People whose position has no mandatory requirement
are staff ``without_standard``. The counting runs in the database, one statement whatever the
number of people; only the roll-up of units into their ancestors happens here, over the unit
tree.

How the statement stays fast at city scale (1,000,000 people, 6,000,000 segments: under 2 s on
2 cores, docs/performance.md): it reads each person once and their segments once, in user order
(the people by primary key, their segments through the covering index
``(user_id, competency_id, level, valid_from, valid_until)``), so the database merges the two
and counts per person as the rows stream by, with no hash of a million people, no sort and no
``DISTINCT``. The mandatory requirements are not joined: they travel as one array of integer
keys, ``position, competency, level`` packed as ``(position × 2²⁴ + competency) × 8 + level``,
one key for each level that satisfies a requirement (a level-3 requirement: keys for 3, 4 and
5), so "this segment satisfies a mandatory requirement of this person's position" is a lookup
in a hashed constant array; the number of mandatory requirements per position is another array,
indexed by position id. A person meets the standard when the count of their segments valid at
the moment that satisfy a requirement equals their position's count (a person's segments of one
competency never overlap: ``profile.segments`` builds a step function).

PostgreSQL hashes a constant array only in a plan made for the actual values; a generic plan of
the prepared statement would search the array linearly for every segment (minutes instead of a
second), so the statement runs in a transaction with ``plan_cache_mode = force_custom_plan``.
SQLite, the embedded default, runs the same statement with JSON arrays.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from lms_core import clock
from lms_core.http.problems import Problem
from lms_core.models import Unit
from lms_core.sql import dialect, fetch

from lms_assessment import frameworks, staff

#: Competency ids must stay below 2**24 and levels below 8 for the packed keys to be unique.
COMPETENCY_SPAN = 1 << 24
LEVEL_SPAN = 8
MAX_LEVEL = 5  # levels are 1 to 5 (profile.record_evidence)
#: At most this many ranges of people counted side by side (PostgreSQL's parallel workers per
#: query decide, up to this).
MAX_PARTS = 8

_COUNT = """
SELECT x.{group} AS group_id, COUNT(*) AS staff,
       COUNT(CASE WHEN x.need > 0 THEN 1 END) AS with_standard{meeting}
FROM (SELECT u.id, u.unit_id, u.job_position_id, COALESCE({need}, 0) AS need{met}
      FROM lms_user u
      LEFT JOIN assessment_profile_segment p ON p.user_id = u.id AND {valid}{p_range}
      WHERE {staff}
      GROUP BY u.id, u.unit_id, u.job_position_id) x
GROUP BY x.{group}
"""
#: The packed key of a segment (see the module's docstring).
_KEY = "(u.job_position_id::bigint * {span} + p.competency_id) * {levels} + p.level {member}"
#: The city-wide count in parts over ranges of user ids, one branch each of a UNION ALL:
#: PostgreSQL runs the branches side by side (Parallel Append), each still one ordered pass.
_PARTS = """
SELECT y.group_id, SUM(y.staff) AS staff, SUM(y.with_standard) AS with_standard{meeting}
FROM ({branches}) y
GROUP BY y.group_id
"""
_PG = {"member": "= ANY($2::bigint[])", "need": "($3::int[])[u.job_position_id - $4 + 1]"}
_SQLITE = {"member": "IN (SELECT value FROM json_each($2))",
           "need": "CASE WHEN u.job_position_id >= $4 THEN "
                   "json_extract($3, '$[' || (u.job_position_id - $4) || ']') END"}


_MANDATORY = ("SELECT pc.position_id, pc.code, pc.required_level "
              "FROM assessment_position_competency pc "
              "WHERE pc.institution_id = $1 AND pc.mandatory")
#: Within a subtree: the requirements of the positions its people hold, not the institution's.
_MANDATORY_WITHIN = _MANDATORY + (" AND pc.position_id IN (SELECT u.job_position_id "
                                  "FROM lms_user u WHERE {staff})")


async def mandatory_requirements(institution_id: int, unit_path: str | None = None
                                 ) -> list[tuple[int, int, int]]:
    """(position, competency, required level) of every mandatory requirement whose code a
    framework of the institution knows (of the positions held in one subtree, when given)."""
    resolve = await frameworks.resolve_codes(institution_id)
    if unit_path is None:
        rows = await fetch(_MANDATORY, institution_id)
    else:
        rows = await fetch(_MANDATORY_WITHIN.format(staff=staff.condition("$1", "$2")),
                           institution_id, staff.subtree_pattern(unit_path))
    return [(r["position_id"], resolve[r["code"]], r["required_level"]) for r in rows
            if r["code"] in resolve]


def requirement_keys(reqs: list[tuple[int, int, int]]) -> tuple[list[int], list[int], int]:
    """(keys of (position, competency, level) pairs that satisfy a requirement, mandatory
    requirements per position as an array from ``offset``, offset)."""
    keys: list[int] = []
    need: dict[int, int] = {}
    for position, competency, level in reqs:
        if not 0 <= competency < COMPETENCY_SPAN:
            raise ValueError(f"competency id {competency} outside the packed key's range")
        need[position] = need.get(position, 0) + 1
        keys.extend((position * COMPETENCY_SPAN + competency) * LEVEL_SPAN + lv
                    for lv in range(max(1, level), MAX_LEVEL + 1))
    offset = min(need, default=0)
    counts = [need.get(p, 0) for p in range(offset, max(need, default=-1) + 1)]
    return keys, counts, offset


def _meeting(i: int, n: int) -> str:
    """The column of the ``i``-th of ``n`` moments: ``meeting`` for a single moment."""
    return "meeting" if n == 1 else f"meeting{i}"


def _branch(group: str, dialect_parts: dict[str, str], unit_path: str | None,
            bounds: tuple[str, str] | None, moments: list[str]) -> str:
    """One counting pass over the people. With several moments (placeholders) the segments
    valid at any of them are joined once and each moment counts its own: one pass for a
    trend of years instead of one statement per year."""
    key = _KEY.format(span=COMPETENCY_SPAN, levels=LEVEL_SPAN,
                      member=dialect_parts["member"])
    if len(moments) == 1:
        valid = staff.valid_at(moments[0])
        met = f", COUNT(CASE WHEN {key} THEN 1 END) AS met0"
    else:
        # the requirement test once per segment, in the join (a person without a matching
        # segment still comes with NULLs, which no moment counts), then one test per moment
        valid = (f"p.valid_from <= {moments[-1]} AND (p.valid_until IS NULL "
                 f"OR p.valid_until > {moments[0]}) AND {key}")
        met = "".join(f", COUNT(CASE WHEN {staff.valid_at(m)} THEN 1 END) AS met{i}"
                      for i, m in enumerate(moments))
    meeting = "".join(f",\n       COUNT(CASE WHEN x.need > 0 AND x.met{i} = x.need THEN 1 END)"
                      f" AS {_meeting(i, len(moments))}" for i in range(len(moments)))
    return _COUNT.format(
        group=group, valid=valid, met=met, meeting=meeting, need=dialect_parts["need"],
        staff=staff.condition("$1", "$6" if unit_path is not None else None, ids=bounds),
        p_range=f" AND p.user_id >= {bounds[0]} AND p.user_id < {bounds[1]}" if bounds else "")


async def statement(institution_id: int, group: str, moment: datetime | None = None,
                    unit_path: str | None = None, parts: int = 1,
                    user_range: tuple[int, int] | None = None,
                    moments: list[datetime] | None = None) -> tuple[str, list[Any]]:
    """The counting statement and its arguments (the benchmark EXPLAINs it). With ``parts``
    above 1 (PostgreSQL) and ``user_range`` (lowest, highest user id), the people are counted
    in that many ranges of ids, side by side. ``moments`` (ascending; instead of ``moment``):
    one ``meeting<i>`` column per moment, ``meeting`` alone otherwise."""
    if group not in ("unit_id", "job_position_id"):
        raise ValueError(group)
    when = sorted(moments) if moments else [moment or clock.now()]
    keys, counts, offset = requirement_keys(await mandatory_requirements(institution_id,
                                                                         unit_path))
    pg = dialect() != "sqlite"
    args: list[Any] = [institution_id, keys if pg else json.dumps(keys),
                       counts if pg else json.dumps(counts), offset, when[0]]
    if unit_path is not None:
        args.append(staff.subtree_pattern(unit_path))
    marks = ["$5"]
    for m in when[1:]:
        args.append(m)
        marks.append(f"${len(args)}")
    if not pg or parts <= 1 or user_range is None:
        return _branch(group, _PG if pg else _SQLITE, unit_path, None, marks), args
    low, high = user_range
    edges = [low + (high + 1 - low) * i // parts for i in range(parts)] + [high + 1]
    branches = []
    for lo, hi in zip(edges, edges[1:]):
        args += [lo, hi]
        branches.append(_branch(group, _PG, unit_path, (f"${len(args) - 1}", f"${len(args)}"),
                                marks))
    meeting = "".join(f", SUM(y.{c}) AS {c}" for c in (_meeting(i, len(marks))
                                                        for i in range(len(marks))))
    return _PARTS.format(branches=" UNION ALL ".join(branches), meeting=meeting), args


async def prepared(conn: Any, institution_id: int, group: str, moment: datetime | None = None,
                   unit_path: str | None = None, moments: list[datetime] | None = None
                   ) -> tuple[str, list[Any]]:
    """The statement as it runs on ``conn`` (a PostgreSQL transaction): set to plan for the
    actual values, and for the whole institution in as many parts as the database runs
    parallel workers per query."""
    await conn.execute_script("SET LOCAL plan_cache_mode = force_custom_plan")
    parts, user_range = 1, None
    if unit_path is None:
        _, found = await conn.execute_query(
            "SELECT current_setting('max_parallel_workers_per_gather')::int AS n, "
            "MIN(id) AS lo, MAX(id) AS hi FROM lms_user")
        if found and found[0]["lo"] is not None:
            parts = max(1, min(MAX_PARTS, int(found[0]["n"])))
            user_range = (int(found[0]["lo"]), int(found[0]["hi"]))
    return await statement(institution_id, group, moment, unit_path, parts, user_range,
                           moments)


async def _counts_at(institution_id: int, group: str, moments: list[datetime],
                     unit_path: str | None = None
                     ) -> dict[datetime, dict[int | None, dict[str, int]]]:
    """moment -> group -> figures, every moment counted in the same single statement."""
    when = sorted(set(moments))
    if dialect() == "sqlite":
        sql, args = await statement(institution_id, group, None, unit_path, moments=when)
        rows = await fetch(sql, *args)
    else:
        async with in_transaction() as conn:
            sql, args = await prepared(conn, institution_id, group, None, unit_path, when)
            rows = await conn.execute_query_dict(sql, args)
    return {m: {r["group_id"]: {"staff": int(r["staff"]),
                                "with_standard": int(r["with_standard"]),
                                "meeting": int(r[_meeting(i, len(when))] or 0)} for r in rows}
            for i, m in enumerate(when)}


async def _counts(institution_id: int, group: str, moment: datetime | None,
                  unit_path: str | None = None) -> dict[int | None, dict[str, int]]:
    moment = moment or clock.now()
    return (await _counts_at(institution_id, group, [moment], unit_path))[moment]


async def _unit(institution_id: int, unit_id: int) -> Unit:
    unit = await Unit.get_or_none(id=unit_id, institution_id=institution_id)
    if unit is None:
        raise Problem(404, "Không tìm thấy đơn vị.", "Unit not found.")
    return unit


async def per_unit(institution_id: int, moment: datetime | None = None,
                   unit_id: int | None = None) -> dict[int | None, dict[str, int]]:
    """unit id (None: people without a unit) -> staff, with_standard, meeting (own people);
    within one unit and its sub-units when given."""
    path = (await _unit(institution_id, unit_id)).path if unit_id is not None else None
    return await _counts(institution_id, "unit_id", moment, path)


async def per_position(institution_id: int, moment: datetime | None = None,
                       unit_id: int | None = None) -> dict[int | None, dict[str, int]]:
    """job position id (None: people without one) -> staff, with_standard, meeting; within
    one unit and its sub-units when given."""
    path = (await _unit(institution_id, unit_id)).path if unit_id is not None else None
    return await _counts(institution_id, "job_position_id", moment, path)


async def per_position_at(institution_id: int, moments: list[datetime],
                          unit_id: int | None = None
                          ) -> dict[datetime, dict[int | None, dict[str, int]]]:
    """``per_position`` at each of several moments (a trend of years) in one statement: the
    people and their requirements are read once, their segments once."""
    path = (await _unit(institution_id, unit_id)).path if unit_id is not None else None
    return await _counts_at(institution_id, "job_position_id", moments, path)


def _share(f: dict[str, int]) -> float | None:
    return round(f["meeting"] / f["staff"], 4) if f["staff"] else None


async def report(institution_id: int, unit_id: int | None = None,
                 moment: datetime | None = None) -> dict[str, Any]:
    """Each unit of the tree (or of one subtree) with its sub-units' people included, and the
    total. A subtree's report counts that subtree's people only."""
    units = Unit.filter(institution_id=institution_id)
    if unit_id is not None:
        top = await _unit(institution_id, unit_id)
        units = units.filter(path__startswith=top.path)
    units_rows = await units.values("id", "name", "path", "parent_id", "depth")
    own = await _counts(institution_id, "unit_id", moment,
                        top.path if unit_id is not None else None)
    ids = {u["id"] for u in units_rows}
    rolled = {u["id"]: {"staff": 0, "with_standard": 0, "meeting": 0} for u in units_rows}
    by_id = {u["id"]: u for u in units_rows}
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
    ordered = sorted(units_rows, key=lambda u: u["path"])
    return {"unit_id": unit_id,
            "total": {**total, "share": _share(total),
                      "without_standard": total["staff"] - total["with_standard"]},
            "units": [{"id": u["id"], "name": u["name"], "parent_id": u["parent_id"],
                       "depth": u["depth"], **rolled[u["id"]], "share": _share(rolled[u["id"]])}
                      for u in ordered]}
