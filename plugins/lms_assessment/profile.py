"""A person's competency profile: from their evidence to their level of each competency, over
time.

The rule of a competency (its own, else its framework's default) says how valid evidence
combines; evidence is valid from ``observed_at`` until ``expires_at`` (never, when None), and
withdrawn evidence does not count:

* ``highest``: the highest level of the valid evidence;
* ``latest``: the level of the most recent valid evidence (the later ``observed_at``, then the
  later record);
* ``priority``: the most trusted source that has valid evidence (``source_priority``, most
  trusted first; sources not listed come after, in the order of ``DEFAULT_PRIORITY``), and
  within it the latest.

Because evidence expires, the level is a step function of time. It is computed whole when
evidence arrives (``segments``) and stored as ``ProfileSegment`` rows in the same transaction
as the evidence, so the profile is up to date at once, expiry needs no nightly job, and the
level at a moment is simply the segment containing it, for the course page, the profile and
the reports alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Sequence

from tortoise.transactions import in_transaction

from lms_core import clock

from lms_assessment.models import CombineRule, Competency, Evidence, EvidenceSource, \
    ProfileSegment

DEFAULT_PRIORITY = ("practical", "supervisor", "post_test", "recognition", "prior_certificate",
                    "course", "self")


@dataclass(frozen=True)
class Proof:
    id: int
    level: int
    source: str
    observed_at: datetime
    expires_at: datetime | None


@dataclass(frozen=True)
class Segment:
    valid_from: datetime
    valid_until: datetime | None
    level: int
    evidence_id: int


def _rank(priority: Sequence[str]) -> dict[str, int]:
    order = list(dict.fromkeys([*priority, *DEFAULT_PRIORITY]))
    return {source: i for i, source in enumerate(order)}


def level_at(proofs: Iterable[Proof], moment: datetime, rule: str,
             priority: Sequence[str] = ()) -> Proof | None:
    """The evidence that sets the level at ``moment`` (None: no level)."""
    valid = [p for p in proofs if p.observed_at <= moment
             and (p.expires_at is None or moment < p.expires_at)]
    if not valid:
        return None
    if rule == CombineRule.LATEST.value:
        return max(valid, key=lambda p: (p.observed_at, p.id))
    if rule == CombineRule.PRIORITY.value:
        rank = _rank(priority)
        best = min(rank.get(p.source, len(rank)) for p in valid)
        return max((p for p in valid if rank.get(p.source, len(rank)) == best),
                   key=lambda p: (p.observed_at, p.id))
    return max(valid, key=lambda p: (p.level, p.observed_at, p.id))


def segments(proofs: Sequence[Proof], rule: str, priority: Sequence[str] = ()) -> list[Segment]:
    """The whole step function: between two moments at which evidence starts or ends, the level
    does not change. Adjacent stretches of the same level and evidence are one segment; no
    segment where there is no level."""
    moments = sorted({p.observed_at for p in proofs} | {p.expires_at for p in proofs
                                                        if p.expires_at is not None})
    out: list[Segment] = []
    for i, start in enumerate(moments):
        end = moments[i + 1] if i + 1 < len(moments) else None
        chosen = level_at(proofs, start, rule, priority)
        if chosen is None:
            continue
        if out and out[-1].valid_until == start and out[-1].level == chosen.level \
                and out[-1].evidence_id == chosen.id:
            out[-1] = Segment(out[-1].valid_from, end, chosen.level, chosen.id)
        else:
            out.append(Segment(start, end, chosen.level, chosen.id))
    return out


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


async def rule_of(competency_id: int) -> tuple[str, list[str]]:
    row = await Competency.filter(id=competency_id).values(
        "rule", "source_priority", "framework__default_rule")
    if not row:
        raise LookupError(f"no competency {competency_id}")
    rule = row[0]["rule"] or row[0]["framework__default_rule"] or CombineRule.HIGHEST
    priority = row[0]["source_priority"] if isinstance(row[0]["source_priority"], list) else []
    return getattr(rule, "value", rule), [str(s) for s in priority]


async def rebuild(user_id: int, competency_id: int, institution_id: int) -> list[Segment]:
    """Recompute one person's segments for one competency from all their evidence. Call inside
    the transaction that changed the evidence."""
    rows = await Evidence.filter(user_id=user_id, competency_id=competency_id,
                                 withdrawn_at__isnull=True).values(
        "id", "level", "source", "observed_at", "expires_at")
    proofs = [Proof(r["id"], r["level"], getattr(r["source"], "value", r["source"]),
                    _aware(r["observed_at"]), _aware(r["expires_at"])) for r in rows]
    rule, priority = await rule_of(competency_id)
    found = segments(proofs, rule, priority)
    await ProfileSegment.filter(user_id=user_id, competency_id=competency_id).delete()
    if found:
        await ProfileSegment.bulk_create([
            ProfileSegment(institution_id=institution_id, user_id=user_id,
                           competency_id=competency_id, level=s.level, valid_from=s.valid_from,
                           valid_until=s.valid_until, evidence_id=s.evidence_id)
            for s in found])
    return found


async def record_evidence(*, institution_id: int, user_id: int, competency_id: int, level: int,
                          source: EvidenceSource | str, observed_at: datetime,
                          expires_at: datetime | None = None, ref: str = "",
                          recorded_by_id: int | None = None, note: str = "",
                          replace_ref: bool = True) -> Evidence:
    """Store evidence and update the profile in one transaction. With ``replace_ref`` an
    earlier evidence of the same ``ref`` for the same competency (a regraded test, a revised
    rating) is withdrawn, so the same fact never counts twice; the very same evidence told
    again (same ref, level, source and expiry) is returned as it is."""
    if not 1 <= level <= 5:
        raise ValueError("level must be 1 to 5")
    async with in_transaction():
        if ref:
            same = await Evidence.filter(
                user_id=user_id, competency_id=competency_id, ref=ref, level=level,
                source=EvidenceSource(source), expires_at=expires_at,
                withdrawn_at__isnull=True).first()
            if same is not None:  # the same fact told twice (two events of one completion)
                return same
        if ref and replace_ref:
            await Evidence.filter(user_id=user_id, competency_id=competency_id, ref=ref,
                                  withdrawn_at__isnull=True).update(
                withdrawn_at=clock.now())
        evidence = await Evidence.create(
            institution_id=institution_id, user_id=user_id, competency_id=competency_id,
            level=level, source=EvidenceSource(source), observed_at=observed_at,
            expires_at=expires_at, ref=ref[:64], recorded_by_id=recorded_by_id, note=note)
        await rebuild(user_id, competency_id, institution_id)
    return evidence


async def withdraw(evidence_id: int) -> None:
    async with in_transaction():
        evidence = await Evidence.get(id=evidence_id)
        evidence.withdrawn_at = clock.now()
        await evidence.save(update_fields=["withdrawn_at"])
        await rebuild(evidence.user_id, evidence.competency_id, evidence.institution_id)


async def current_levels(user_ids: Sequence[int], moment: datetime | None = None,
                         competency_ids: Sequence[int] | None = None
                         ) -> dict[int, dict[int, int]]:
    """user -> competency -> level at ``moment`` (now): the one query every reader uses."""
    moment = moment or clock.now()
    qs = ProfileSegment.filter(user_id__in=list(user_ids), valid_from__lte=moment)
    if competency_ids is not None:
        qs = qs.filter(competency_id__in=list(competency_ids))
    out: dict[int, dict[int, int]] = {}
    for user_id, competency_id, level, until in await qs.values_list(
            "user_id", "competency_id", "level", "valid_until"):
        until = _aware(until)
        if until is None or moment < until:
            out.setdefault(user_id, {})[competency_id] = level
    return out


def evidence_dict(row: dict[str, Any]) -> dict[str, Any]:
    return {k: getattr(v, "value", v) for k, v in row.items()}
