"""Training needs: what a person lacks for their job position, and the fewest classes that
close it. Pure: the callers read the rows (requirements, current levels, classes on offer).

* **gap** of a requirement = required level − current level (0 when met; no level is 0).
* A person **meets the standard** of their position when every *mandatory* requirement's gap is
  0 (optional ones do not decide it); a position with no mandatory requirement defines no
  standard (``None``).
* **priority** of a person = Σ weight × gap over their requirements, mandatory ones counted
  twice: who a supervisor should send first.
* **cover**: the smallest set of classes whose courses develop every competency with a gap up
  to its required level (a class develops a competency "to level L"). Exact (fewest classes,
  then fewest weighted gaps left, then earliest start) by search when there are at most
  ``EXACT_LIMIT`` useful classes; beyond that the classic greedy choice (the class closing the
  most weighted gap first), which is within a log factor of the best. Gaps no class closes are
  reported as ``uncovered``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from typing import Iterable, Sequence

EXACT_LIMIT = 16


@dataclass(frozen=True)
class Requirement:
    competency_id: int
    level: int
    mandatory: bool = True
    weight: float = 1.0


@dataclass(frozen=True)
class Gap:
    competency_id: int
    required: int
    current: int
    mandatory: bool
    weight: float

    @property
    def size(self) -> int:
        return max(0, self.required - self.current)


@dataclass(frozen=True)
class Offer:
    """A class on offer: what its course develops (competency -> level reached)."""

    class_id: int
    develops: dict[int, int]
    starts_on: date | None = None


@dataclass
class PersonNeeds:
    gaps: list[Gap]
    meets_standard: bool | None
    priority: float
    open_gaps: list[Gap] = field(default_factory=list)


def needs(requirements: Sequence[Requirement], current: dict[int, int]) -> PersonNeeds:
    gaps = [Gap(r.competency_id, r.level, current.get(r.competency_id, 0), r.mandatory,
                r.weight) for r in requirements]
    mandatory = [g for g in gaps if g.mandatory]
    meets = None if not mandatory else all(g.size == 0 for g in mandatory)
    priority = sum(g.weight * g.size * (2 if g.mandatory else 1) for g in gaps)
    return PersonNeeds(gaps=gaps, meets_standard=meets, priority=round(priority, 3),
                       open_gaps=[g for g in gaps if g.size > 0])


def _closes(offer: Offer, gap: Gap) -> bool:
    return offer.develops.get(gap.competency_id, 0) >= gap.required


def cover(gaps: Iterable[Gap], offers: Sequence[Offer]) -> tuple[list[int], list[Gap]]:
    """(class ids to take, gaps no class closes)."""
    open_gaps = [g for g in gaps if g.size > 0]
    closable = [g for g in open_gaps if any(_closes(o, g) for o in offers)]
    uncovered = [g for g in open_gaps if g not in closable]
    useful = [o for o in offers if any(_closes(o, g) for g in closable)]
    if not closable:
        return [], uncovered
    key = {id(g): i for i, g in enumerate(closable)}
    masks = {o.class_id: sum(1 << key[id(g)] for g in closable if _closes(o, g)) for o in useful}
    full = (1 << len(closable)) - 1
    start = {o.class_id: (o.starts_on or date.max) for o in useful}
    if len(useful) <= EXACT_LIMIT:
        for size in range(1, len(useful) + 1):
            best = None
            for combo in combinations(useful, size):
                got = 0
                for o in combo:
                    got |= masks[o.class_id]
                if got == full:
                    rank = (sorted(start[o.class_id] for o in combo), [o.class_id for o in combo])
                    if best is None or rank < best[0]:
                        best = (rank, [o.class_id for o in combo])
            if best is not None:
                return sorted(best[1], key=lambda c: (start[c], c)), uncovered
    chosen: list[int] = []
    left = full
    weights = [g.weight * g.size * (2 if g.mandatory else 1) for g in closable]
    while left:
        def gain(o: Offer) -> tuple[float, int, int]:
            m = masks[o.class_id] & left
            return (sum(w for i, w in enumerate(weights) if m >> i & 1),
                    -start[o.class_id].toordinal(), -o.class_id)
        pick = max((o for o in useful if masks[o.class_id] & left), key=gain)
        chosen.append(pick.class_id)
        left &= ~masks[pick.class_id]
    return sorted(chosen, key=lambda c: (start[c], c)), uncovered
