"""Who rates a trainee's work after training: the supervisor of their own unit, else of the
nearest unit above it (seed 000: the employing agency's head assesses what changed)."""

from __future__ import annotations

from lms_core.models import Membership, Role, Unit


async def find_supervisor(institution_id: int, unit_id: int | None,
                          exclude_user_id: int | None = None) -> int | None:
    """A supervisor of the unit itself, else of the nearest unit above it (by the materialised
    path). Several in the same unit: the longest-standing account, so the choice is stable.
    Only supervisor roles in this institution count, and never the trainee themself."""
    if unit_id is None:
        return None
    unit = await Unit.get_or_none(id=unit_id, institution_id=institution_id)
    if unit is None:
        return None
    chain = [int(p) for p in unit.path.strip("/").split("/") if p.isdigit()] or [unit.id]
    rank = {uid: depth for depth, uid in enumerate(chain)}
    qs = Membership.filter(institution_id=institution_id, role=Role.SUPERVISOR,
                           user__is_active=True, user__unit_id__in=chain,
                           user__unit__institution_id=institution_id)
    if exclude_user_id is not None:
        qs = qs.exclude(user_id=exclude_user_id)
    rows = await qs.values_list("user_id", "user__unit_id")
    if not rows:
        return None
    return max(rows, key=lambda r: (rank[r[1]], -r[0]))[0]
