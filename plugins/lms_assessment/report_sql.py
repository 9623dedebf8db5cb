"""The statements behind the planners' reports (``reports.py``): each reads one kind of figure for
a scope (the institution, optionally one unit's subtree and one job position, a range of years)
in one statement whatever the number of people, grouped finely enough that ``reports.py`` can
add the groups up into any breakdown without asking again.

* **A class's year** is the year it ended (``ends_on``, else ``starts_on``); a class with neither
  date belongs to no year. So each class counts in exactly one year and years add up.
* **People** are selected by their *current* unit and position (``lms_user``): "the unit's
  training" is the training of the people who are in it now.
* **Enrolled** means a seat was held (approved, active or completed); **completed** is the
  status completed; withdrawn and merely nominated people are not counted.

Values always travel as parameters; only fixed fragments (dialect-specific expressions and the
optional filters) are put into the text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lms_core.sql import dialect, fetch

#: Statuses of an enrolment that held a seat (``lms_core.models.enrolments.SEAT_HOLDING``).
ENROLLED = "('approved', 'active', 'completed')"
#: The trainees of a class for the learning step (as ``learning.class_learning`` reads them).
LEARNING = "('active', 'completed')"


@dataclass(frozen=True)
class Filter:
    """Who and when: ``unit_path`` selects a unit's subtree (materialised path, digits and
    slashes only), ``position_id`` one job position; ``first``..``last`` are years."""

    institution_id: int
    first: int
    last: int
    unit_path: str | None = None
    position_id: int | None = None


@dataclass
class _Query:
    args: list[Any] = field(default_factory=list)

    def p(self, value: Any) -> str:
        self.args.append(value)
        return f"${len(self.args)}"


def _year_sql() -> str:
    if dialect() == "sqlite":
        return "CAST(substr(COALESCE(c.ends_on, c.starts_on), 1, 4) AS INTEGER)"
    return "CAST(EXTRACT(YEAR FROM COALESCE(c.ends_on, c.starts_on)) AS INTEGER)"


def _where(q: _Query, f: Filter) -> str:
    """Classes of the institution in the years asked, their trainees in the scope (aliases
    ``c`` class, ``u`` trainee)."""
    inst = q.p(f.institution_id)
    first, last = q.p(date(f.first, 1, 1)), q.p(date(f.last, 12, 31))
    # the class's year, COALESCE(ends_on, starts_on) in the range, spelt on the columns
    # themselves: PostgreSQL has statistics for them and none for the expression, which it
    # took for a few hundred classes of 45,000 and so read every enrolment of the years
    # before looking at the people of a district (10 s instead of 0.6 s)
    sql = (f"c.institution_id = {inst} AND (c.ends_on BETWEEN {first} AND {last}"
           f" OR (c.ends_on IS NULL AND c.starts_on BETWEEN {first} AND {last}))")
    if f.unit_path:
        sql += (f" AND u.unit_id IN (SELECT w.id FROM lms_unit w WHERE w.institution_id = {inst}"
                f" AND w.path LIKE {q.p(f.unit_path + '%')})")
    if f.position_id is not None:
        sql += f" AND u.job_position_id = {q.p(f.position_id)}"
    return sql


def _needs_people(f: Filter) -> bool:
    return bool(f.unit_path) or f.position_id is not None


#: The four training figures of a group of enrolments.
_FIGURES = ("COUNT(*) AS enrolled,"
            " SUM(CASE WHEN e.status = 'completed' THEN 1 ELSE 0 END) AS completed,"
            " COUNT(DISTINCT CASE WHEN e.status = 'completed' THEN e.user_id END) AS trained,"
            " COUNT(DISTINCT e.klass_id) AS classes")
GROUPS = ("year", "child", "position", "class")


def _child_sql(q: _Query, parent_path: str) -> str:
    """The id (as text) of the child of the unit at ``parent_path`` ("/" for the institution)
    that the trainee's unit lies in: the path segment after the parent's; NULL for the
    parent's own people and for people without a unit."""
    n = q.p(len(parent_path))
    rest = f"substr(w.path, CAST({n} AS INTEGER) + 1)"
    first = (f"substr({rest}, 1, instr({rest}, '/') - 1)" if dialect() == "sqlite"
             else f"split_part({rest}, '/', 1)")
    return f"CASE WHEN length(w.path) > CAST({n} AS INTEGER) THEN {first} END"


async def training(f: Filter, by: str) -> list[dict[str, Any]]:
    """Enrolled, completed, trained (distinct people who completed) and classes of the scope,
    per ``by``: ``year``; ``child`` (the child unit of the scope's unit, ``key`` its id as text,
    NULL for the unit's own people or, institution-wide, people without a unit); ``position``;
    or ``class`` (with its code, title, course and dates). Each statement returns one row per
    group, however many enrolments it counts."""
    if by not in GROUPS:
        raise ValueError(by)
    q = _Query()
    where = _where(q, f)
    join, extra = "", ""
    if by == "year":
        key = _year_sql()
    elif by == "position":
        key = "u.job_position_id"
    elif by == "child":
        key = _child_sql(q, f.unit_path or "/")
        join = " LEFT JOIN lms_unit w ON w.id = u.unit_id"
    else:
        key = "c.id"
        extra = (", c.code AS code, c.title AS title, c.course_id AS course_id,"
                 " c.starts_on AS starts_on, c.ends_on AS ends_on")
    group = "1" if by != "class" else "1, 2, 3, 4, 5, 6"
    # the trainee's row only when the scope or the grouping asks about them (the city's
    # trend by year counts enrolments alone)
    people = (" JOIN lms_user u ON u.id = e.user_id"
              if by in ("child", "position") or _needs_people(f) else "")
    sql = (f"SELECT {key} AS key{extra}, {_FIGURES} FROM lms_enrolment e"
           f" JOIN lms_class c ON c.id = e.klass_id{people}{join}"
           f" WHERE {where} AND e.status IN {ENROLLED} GROUP BY {group}")
    return await fetch(sql, *q.args)


async def learners(f: Filter, course_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """(class, course, trainee) of the learning step's trainees in the scope: the pairs whose
    pre- and post-tests give the classes' normalised change; of the classes of ``course_ids``
    only when given (those with quizzes: the others have no change to give)."""
    q = _Query()
    where = _where(q, f)
    if course_ids is not None:
        where += f" AND c.course_id IN ({_ids_sql(q, course_ids)})"
    # the trainee's row only when the scope filters people (city-wide, the index on
    # (klass, status, user) answers alone)
    people = " JOIN lms_user u ON u.id = e.user_id" if _needs_people(f) else ""
    sql = (f"SELECT e.klass_id AS class_id, c.course_id AS course_id, e.user_id AS user_id"
           f" FROM lms_enrolment e JOIN lms_class c ON c.id = e.klass_id{people}"
           f" WHERE {where} AND e.status IN {LEARNING}")
    return await fetch(sql, *q.args)


_CHANGE = """
WITH r AS (
    SELECT j.enrolment_id AS enrolment_id, j.rater_role AS role, j.wave AS wave,
           j.items AS items
    FROM assessment_job_rating j
    JOIN lms_class c ON c.id = j.klass_id
    JOIN lms_user u ON u.id = j.trainee_id
    WHERE j.institution_id = $1 AND j.status = 'done' AND {where}),
last AS (SELECT enrolment_id, role, MAX(wave) AS wave FROM r WHERE wave > 0
         GROUP BY enrolment_id, role),
pairs AS (
    SELECT r.enrolment_id AS enrolment_id, r.role AS role, {code} AS code,
           MAX(CASE WHEN r.wave = 0 THEN {level} END) AS base,
           MAX(CASE WHEN r.wave > 0 THEN {level} END) AS last
    FROM r JOIN last ON last.enrolment_id = r.enrolment_id AND last.role = r.role
                    AND (r.wave = 0 OR r.wave = last.wave)
    CROSS JOIN {each}
    GROUP BY 1, 2, 3)
SELECT role, code, COUNT(*) AS n, AVG(base) AS baseline, AVG(last) AS last,
       AVG(last - base) AS change
FROM pairs WHERE base IS NOT NULL AND last IS NOT NULL
GROUP BY role, code
"""


async def job_change(f: Filter) -> list[dict[str, Any]]:
    """Per rater role and competency code: how many trainees were rated both at the baseline
    (wave 0) and after it, the mean baseline level, the mean level of the *last* submitted wave
    after it, and the mean change (last − baseline, as ``on_the_job.changes`` defines it). One
    pass over the ratings: each (enrolment, rater) keeps its baseline and its last wave only."""
    q = _Query()
    where = _where(q, f)
    if dialect() == "sqlite":
        parts = {"code": "json_extract(x.value, '$.code')",
                 "level": "json_extract(x.value, '$.level')", "each": "json_each(r.items) AS x"}
    else:
        parts = {"code": "x.value->>'code'", "level": "CAST(x.value->>'level' AS INTEGER)",
                 "each": "LATERAL jsonb_array_elements(CAST(r.items AS jsonb)) AS x(value)"}
    return await fetch(_CHANGE.format(where=where, **parts), *q.args)


def _ids_sql(q: _Query, ids: list[int]) -> str:
    """A set of ids as one JSON parameter (no IN list to outgrow a driver's limits)."""
    n = q.p(json.dumps(sorted(ids)))
    if dialect() == "sqlite":
        return f"SELECT value FROM json_each({n})"
    return f"SELECT CAST(x AS INTEGER) FROM jsonb_array_elements_text(CAST({n} AS jsonb)) AS x"


async def survey_answers(institution_id: int, class_ids: list[int]) -> list[dict[str, Any]]:
    """(class, form item) -> the sum and number of answers on the *valid* class-quality forms
    of these classes (the scope's: forms are anonymous, so a scope picks classes, never people;
    a unit's figure is that of the classes its people attended)."""
    if not class_ids:
        return []
    q = _Query()
    q.p(institution_id)
    classes = _ids_sql(q, class_ids)
    if dialect() == "sqlite":
        each, value = "json_each(s.answers) AS a", "a.value"
    else:
        each, value = "jsonb_each_text(CAST(s.answers AS jsonb)) AS a(key, value)", \
            "CAST(a.value AS INTEGER)"
    sql = (f"SELECT p.klass_id AS class_id, a.key AS item, SUM({value}) AS total, COUNT(*) AS n"
           f" FROM assessment_survey_response s JOIN assessment_plan p ON p.id = s.plan_id, {each}"
           f" WHERE s.valid AND p.institution_id = $1 AND p.klass_id IN ({classes})"
           f" GROUP BY p.klass_id, a.key")
    return await fetch(sql, *q.args)


async def survey_forms(institution_id: int, class_ids: list[int]) -> list[dict[str, Any]]:
    """(class) -> forms received and how many of them were valid."""
    if not class_ids:
        return []
    q = _Query()
    q.p(institution_id)
    classes = _ids_sql(q, class_ids)
    sql = (f"SELECT p.klass_id AS class_id, COUNT(*) AS forms,"
           f" SUM(CASE WHEN s.valid THEN 1 ELSE 0 END) AS valid"
           f" FROM assessment_survey_response s JOIN assessment_plan p ON p.id = s.plan_id"
           f" WHERE p.institution_id = $1 AND p.klass_id IN ({classes}) GROUP BY p.klass_id")
    return await fetch(sql, *q.args)
