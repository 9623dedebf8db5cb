"""The "% meeting standard" statement (standard.py) against the rule it implements, computed
here the slow way (``profile.current_levels`` and ``gaps.needs``, person by person), on a small
organisation holding every case the one-pass statement must get right: evidence that lapses or
starts later, a revised level, a person with two roles (counted once), an inactive person, a
member of another institution sitting in this one's unit, people without a unit or a position,
a position with optional requirements only (and the lowest id, below the packed array's
offset), a requirement whose code no framework knows. On PostgreSQL also: the city-wide
statement split into ranges of people gives the same counts as in one piece."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from tortoise.transactions import in_transaction

from lms_core.models import JobPosition, Membership, User
from lms_core.services.users import user_fields
from lms_core.sql import dialect

from lms_assessment import frameworks, gaps, needs, profile, standard
from lms_assessment.models import Competency, Framework, PositionCompetency


def test_requirement_keys_hold_one_key_per_satisfying_level():
    keys, counts, offset = standard.requirement_keys([(5, 7, 3), (5, 9, 1), (8, 7, 5)])

    def key(position, competency, level):
        return (position * standard.COMPETENCY_SPAN + competency) * standard.LEVEL_SPAN + level

    assert sorted(keys) == sorted([key(5, 7, lv) for lv in (3, 4, 5)]
                                  + [key(5, 9, lv) for lv in (1, 2, 3, 4, 5)] + [key(8, 7, 5)])
    assert (offset, counts) == (5, [2, 0, 0, 1])
    assert standard.requirement_keys([]) == ([], [], 0)
    with pytest.raises(ValueError):
        standard.requirement_keys([(1, standard.COMPETENCY_SPAN, 1)])


async def _person(world, tag: str, unit: str | None, position: int | None, *,
                  active: bool = True, roles: tuple[str, ...] = ("trainee",),
                  institution: str = "a") -> int:
    user = await User.create(login=f"p-{tag}", email=f"p-{tag}@example.vn", is_active=active,
                             unit_id=world.units[unit] if unit else None,
                             job_position_id=position, **user_fields(f"Lê Thị {tag}"))
    for role in roles:
        await Membership.create(user=user, institution_id=world.inst[institution], role=role)
    return user.id


async def _organisation(world) -> dict[str, int]:
    inst = world.inst["a"]
    framework = await Framework.create(institution_id=inst, code="KNL-T", name="Khung thử")
    comp = {code: (await Competency.create(framework=framework, code=code, name=code)).id
            for code in ("A", "B", "C")}
    optional_only = await JobPosition.create(institution_id=inst, code="P-OPT",
                                             title="Chuyên viên (chỉ yêu cầu tuỳ chọn)")
    clerk = await JobPosition.create(institution_id=inst, code="P-MC",
                                     title="Công chức một cửa")
    lead = await JobPosition.create(institution_id=inst, code="P-TP", title="Trưởng phòng")
    for position, code, level, mandatory in (
            (optional_only, "A", 2, False),
            (clerk, "A", 3, True), (clerk, "B", 2, True), (clerk, "C", 4, False),
            (lead, "C", 1, True), (lead, "NL-CHUA-CO", 3, True)):
        await PositionCompetency.create(institution_id=inst, position=position, code=code,
                                        required_level=level, mandatory=mandatory)
    now = datetime.now(timezone.utc)
    day = timedelta(days=1)

    async def proof(uid, code, level, observed=-30, expires=None, ref=""):
        await profile.record_evidence(
            institution_id=inst, user_id=uid, competency_id=comp[code], level=level,
            source="supervisor", observed_at=now + observed * day,
            expires_at=now + expires * day if expires is not None else None, ref=ref)

    p1 = await _person(world, "1", "a-child", clerk.id)
    await proof(p1, "A", 3)
    await proof(p1, "B", 2)
    p2 = await _person(world, "2", "a-child", clerk.id)
    await proof(p2, "A", 3)
    await proof(p2, "B", 3, observed=-90, expires=-10)  # lapsed ten days ago
    await proof(p2, "B", 1)
    p3 = await _person(world, "3", "a-other", clerk.id)
    await proof(p3, "A", 4, expires=5)  # a certificate lapsing in five days
    await proof(p3, "B", 5)
    p4 = await _person(world, "4", "a", clerk.id)
    await proof(p4, "A", 3, observed=3)  # counts from three days on
    await proof(p4, "B", 2)
    p5 = await _person(world, "5", "a-child", lead.id, roles=("trainee", "supervisor"))
    await proof(p5, "C", 2, ref="rating:1")
    await proof(p5, "C", 1, ref="rating:1")  # revised: the first one is withdrawn
    p6 = await _person(world, "6", "a-other", optional_only.id)
    await proof(p6, "A", 5)
    p7 = await _person(world, "7", "a-child", clerk.id, active=False)
    await proof(p7, "A", 5)
    await proof(p7, "B", 5)
    p8 = await _person(world, "8", None, clerk.id)
    await proof(p8, "A", 3)
    await proof(p8, "B", 4)
    await _person(world, "9", "a-child", None)
    p10 = await _person(world, "10", "a-child", clerk.id, institution="b")
    await proof(p10, "A", 5)
    await proof(p10, "B", 5)
    return {"clerk": clerk.id, "lead": lead.id, "optional": optional_only.id}


async def _expected(inst: int, moment: datetime, group: str = "unit_id",
                    units: set[int] | None = None) -> dict:
    """The rule, person by person."""
    people = await User.filter(memberships__institution_id=inst, is_active=True).distinct(
        ).values("id", "unit_id", "job_position_id")
    if units is not None:
        people = [p for p in people if p["unit_id"] in units]
    reqs, _ = await needs.requirements_by_position(inst, await frameworks.resolve_codes(inst))
    levels = await profile.current_levels([p["id"] for p in people], moment)
    out: dict = {}
    for p in people:
        found = gaps.needs(reqs.get(p["job_position_id"] or 0, []), levels.get(p["id"], {}))
        figures = out.setdefault(p[group], {"staff": 0, "with_standard": 0, "meeting": 0})
        figures["staff"] += 1
        figures["with_standard"] += found.meets_standard is not None
        figures["meeting"] += bool(found.meets_standard)
    return out


def _total(figures: dict) -> tuple[int, int, int]:
    return tuple(sum(f[k] for f in figures.values()) for k in ("staff", "with_standard",
                                                                "meeting"))


async def test_the_statement_counts_what_the_rule_says(app, world):
    await _organisation(world)
    inst = world.inst["a"]
    now = datetime.now(timezone.utc)
    subtree = {world.units["a"], world.units["a-child"]}
    for moment in (now, now + timedelta(days=10), now - timedelta(days=400)):
        assert await standard.per_unit(inst, moment) == await _expected(inst, moment)
        assert await standard.per_position(inst, moment) == \
            await _expected(inst, moment, "job_position_id")
        assert await standard.per_position(inst, moment, unit_id=world.units["a"]) == \
            await _expected(inst, moment, "job_position_id", subtree)
        report = await standard.report(inst, world.units["a"], moment)
        total = report["total"]
        assert (total["staff"], total["with_standard"], total["meeting"]) == \
            _total(await _expected(inst, moment, units=subtree))
        assert {u["id"] for u in report["units"]} == subtree
    # several moments in one statement (the report's trend): each as if asked alone
    moments = [now, now + timedelta(days=10), now - timedelta(days=400)]
    for unit_id, units in ((None, None), (world.units["a"], subtree)):
        together = await standard.per_position_at(inst, moments, unit_id)
        assert set(together) == set(moments)
        for moment in moments:
            assert together[moment] == await _expected(inst, moment, "job_position_id", units)
    # the figures themselves: 6 world users and 8 of ours are staff (not the inactive one,
    # not the other institution's); p1, p3, p5, p8 meet now; p3's certificate lapses and
    # p4's evidence starts within ten days; nobody had evidence 400 days ago
    assert _total(await standard.per_unit(inst, now)) == (14, 6, 4)
    assert _total(await standard.per_unit(inst, now + timedelta(days=10))) == (14, 6, 4)
    assert _total(await standard.per_unit(inst, now - timedelta(days=400)))[2] == 0
    assert (await standard.per_unit(inst, now))[None] == {"staff": 1, "with_standard": 1,
                                                          "meeting": 1}  # p8, no unit
    # the gap report of a unit counts the same people the same way
    unit = await needs.unit(inst, world.units["a"])
    assert (unit["staff"], unit["with_standard"], unit["meeting"]) == \
        _total(await _expected(inst, now, units=subtree))
    assert unit["unknown_codes"] == ["NL-CHUA-CO"]


async def test_institution_b_sees_none_of_it(app, world):
    await _organisation(world)
    figures = await standard.per_unit(world.inst["b"])
    assert _total(figures) == (7, 0, 0)  # its 6 world users and p10, with no requirement
    assert world.units["a-child"] in figures  # p10 sits in A's unit, counted for B only


async def test_the_whole_institution_in_parts_counts_the_same(app, world):
    if dialect() == "sqlite":
        pytest.skip("the statement is split only on PostgreSQL")
    await _organisation(world)
    inst = world.inst["a"]
    ids = await User.all().values_list("id", flat=True)
    whole = await standard.per_unit(inst)
    for parts in (1, 2, 3, 7):
        sql, args = await standard.statement(inst, "unit_id", None, None, parts,
                                             (min(ids), max(ids)))
        async with in_transaction() as conn:
            await conn.execute_script("SET LOCAL plan_cache_mode = force_custom_plan")
            rows = await conn.execute_query_dict(sql, args)
        assert {r["group_id"]: {"staff": int(r["staff"]),
                                "with_standard": int(r["with_standard"]),
                                "meeting": int(r["meeting"])} for r in rows} == whole, parts
