"""How present trainees are split into discussion groups. Pure functions, no database: the
rules are easy to get subtly wrong (a group of one left over, a unit cut in three) and are
reasoned about here on their own.

* ``random``: shuffled, then dealt into groups whose sizes differ by at most one.
* ``unit``: colleagues of one unit (``users.unit_id``) stay together. With ``group_size`` a
  unit larger than it is cut into even parts; with ``groups`` the trainees, ordered by unit,
  are cut into that many even runs, so a unit is split only where it must be.

Exactly one of ``group_size`` (2-50) and ``groups`` (1-100) is given. Group sizes never differ
by more than one within a unit (``unit`` mode) or within the room (``random`` mode).
"""

from __future__ import annotations

import math
import random
from typing import Any, Sequence

from lms_core.text import word_key

MAX_GROUP_SIZE = 50
MAX_GROUPS = 100


def even_parts(items: Sequence[Any], parts: int) -> list[list[Any]]:
    """``items`` cut into ``parts`` consecutive runs whose lengths differ by at most one."""
    parts = max(1, min(parts, len(items)))
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(list(items[start:end]))
        start = end
    return out


def split(members: Sequence[dict[str, Any]], mode: str, *, group_size: int | None,
          groups: int | None, rng: random.Random | None = None
          ) -> list[tuple[str, list[dict[str, Any]]]]:
    """``members``: dicts with ``user_id``, ``full_name``, ``unit_id``, ``unit_name``, in a
    stable order (by name). Returns ``(name_vi, members)`` per group, in order."""
    if not members:
        return []
    rng = rng or random.SystemRandom()
    if mode == "random":
        shuffled = list(members)
        rng.shuffle(shuffled)
        count = groups if groups is not None else math.ceil(len(shuffled) / group_size)
        return [(f"Nhóm {i + 1}", part)
                for i, part in enumerate(even_parts(shuffled, count))]
    by_unit: dict[Any, list[dict[str, Any]]] = {}
    for member in members:
        by_unit.setdefault(member["unit_id"], []).append(member)
    # Units in Vietnamese alphabetical order (people without a unit last), so groups are
    # numbered the way a lecturer reads the list.
    units = sorted(by_unit.values(), key=lambda ms: (ms[0]["unit_name"] is None,
                                                      word_key(ms[0]["unit_name"] or ""),
                                                      str(ms[0]["unit_id"])))
    if groups is not None:
        ordered = [m for unit in units for m in unit]
        parts = even_parts(ordered, groups)
        return [(f"Nhóm {i + 1}: {_unit_names(part)}", part) for i, part in enumerate(parts)]
    out: list[tuple[str, list[dict[str, Any]]]] = []
    for unit in units:
        name = unit[0]["unit_name"] or "Chưa có đơn vị"
        parts = even_parts(unit, math.ceil(len(unit) / group_size))
        for j, part in enumerate(parts):
            suffix = f" ({j + 1})" if len(parts) > 1 else ""
            out.append((f"Nhóm {len(out) + 1}: {name}{suffix}", part))
    return out


def _unit_names(part: list[dict[str, Any]]) -> str:
    names: list[str] = []
    for member in part:
        name = member["unit_name"] or "Chưa có đơn vị"
        if name not in names:
            names.append(name)
    return ", ".join(names)[:200]
