"""Coverage of job-position standards per unit (what planners report as "% of staff meeting
their position's standard"). Pure: the figures come from plain rows, so they can be checked on a
small hand-made organisation.

A person *meets* the standard when every competency their job position requires appears among
the competencies of the courses they completed. People whose position requires nothing (or who
have no position) are counted as staff but cannot meet a standard that is not defined, so they
lower the share and are reported as ``without_standard``: a gap in the data is a gap to close.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from lms_core.text import name_sort_key, word_key


@dataclass(frozen=True)
class UnitRow:
    id: int
    name: str
    path: str
    parent_id: int | None = None
    depth: int = 0


@dataclass(frozen=True)
class Person:
    id: int
    full_name: str
    unit_id: int | None
    position_id: int | None


def course_codes(competencies: Any) -> set[str]:
    """Codes of a course's ``competencies`` list, tolerating hand-edited rows."""
    codes: set[str] = set()
    for item in competencies if isinstance(competencies, list) else []:
        code = item.get("code") if isinstance(item, dict) else item
        if isinstance(code, str) and code:
            codes.add(code)
    return codes


def missing_for(person: Person, requirements: dict[int, dict[str, int]],
                covered: dict[int, set[str]]) -> list[str] | None:
    """Required codes not covered yet; None when the person has no standard to meet."""
    required = requirements.get(person.position_id or 0) or {}
    if not required:
        return None
    have = covered.get(person.id, set())
    return sorted(code for code in required if code not in have)


def _figures() -> dict[str, Any]:
    return {"staff": 0, "with_standard": 0, "meeting": 0, "without_standard": 0}


def _add(figures: dict[str, Any], missing: list[str] | None) -> None:
    figures["staff"] += 1
    if missing is None:
        figures["without_standard"] += 1
        return
    figures["with_standard"] += 1
    if not missing:
        figures["meeting"] += 1


def _share(figures: dict[str, Any]) -> dict[str, Any]:
    staff = figures["staff"]
    figures["share"] = round(figures["meeting"] / staff, 4) if staff else None
    return figures


def _ancestors(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part.isdigit()]


def tree_order(units: Iterable[UnitRow]) -> list[UnitRow]:
    """Parents before their sub-units, siblings in Vietnamese alphabetical order."""
    units = list(units)
    ids = {u.id for u in units}
    children: dict[int | None, list[UnitRow]] = {}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in ids else None
        children.setdefault(parent, []).append(unit)
    for group in children.values():
        group.sort(key=lambda u: (word_key(u.name), u.id))
    ordered: list[UnitRow] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        unit = stack.pop()
        ordered.append(unit)
        stack.extend(reversed(children.get(unit.id, [])))
    return ordered


def coverage(units: Iterable[UnitRow], people: Iterable[Person],
             requirements: dict[int, dict[str, int]], covered: dict[int, set[str]],
             details: bool = False) -> dict[str, Any]:
    """Figures per unit, each including its sub-units, plus the total over ``units``.

    Only people whose unit is among ``units`` count (the caller passes one subtree or the whole
    institution); people without a unit are counted apart in ``without_unit``."""
    ordered = tree_order(units)
    by_id = {u.id: u for u in ordered}
    figures = {u.id: _figures() for u in ordered}
    total = _figures()
    without_unit = 0
    listed: list[dict[str, Any]] = []
    for person in people:
        unit = by_id.get(person.unit_id or 0)
        if unit is None:
            without_unit += person.unit_id is None
            continue
        missing = missing_for(person, requirements, covered)
        _add(total, missing)
        for ancestor in {*_ancestors(unit.path), unit.id}:
            if ancestor in figures:
                _add(figures[ancestor], missing)
        if details:
            listed.append({"id": person.id, "full_name": person.full_name,
                           "unit_id": person.unit_id, "position_id": person.position_id,
                           "meets_standard": missing == [] if missing is not None else None,
                           "missing": missing or []})
    out: dict[str, Any] = {
        "total": {**_share(total), "without_unit": without_unit},
        "units": [{"id": u.id, "name": u.name, "parent_id": u.parent_id, "depth": u.depth,
                   **_share(figures[u.id])} for u in ordered],
    }
    if details:
        listed.sort(key=lambda p: (name_sort_key(p["full_name"]), p["id"]))
        out["people"] = listed
    return out
