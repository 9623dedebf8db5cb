"""The competency profile (evidence -> level over time, by each competency's rule, expiry
without any nightly job) and the training-needs arithmetic (gaps, meeting the standard,
priority, the fewest classes that close the gaps)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from lms_assessment import gaps, profile
from lms_assessment.gaps import Gap, Offer, Requirement
from lms_assessment.models import CombineRule, Competency, Framework, ProfileSegment
from lms_assessment.profile import Proof

T = datetime(2026, 1, 1, tzinfo=timezone.utc)


def d(days: float) -> datetime:
    return T + timedelta(days=days)


def proofs():
    return [Proof(1, 2, "post_test", d(0), None),
            Proof(2, 4, "prior_certificate", d(10), d(40)),
            Proof(3, 3, "supervisor", d(20), None),
            Proof(4, 1, "self", d(30), d(35))]


def levels(segs):
    return [(s.valid_from, s.valid_until, s.level, s.evidence_id) for s in segs]


def test_highest_with_a_certificate_that_expires():
    assert levels(profile.segments(proofs(), "highest")) == [
        (d(0), d(10), 2, 1), (d(10), d(40), 4, 2), (d(40), None, 3, 3)]


def test_latest_follows_the_newest_valid_evidence_and_falls_back_when_it_expires():
    assert levels(profile.segments(proofs(), "latest")) == [
        (d(0), d(10), 2, 1), (d(10), d(20), 4, 2), (d(20), d(30), 3, 3),
        (d(30), d(35), 1, 4), (d(35), None, 3, 3)]


def test_priority_by_source():
    segs = profile.segments(proofs(), "priority", ["supervisor", "post_test"])
    assert levels(segs) == [(d(0), d(20), 2, 1), (d(20), None, 3, 3)]
    # without a list: practical > supervisor > post_test > ... > self
    assert levels(profile.segments(proofs()[:2], "priority")) == [
        (d(0), None, 2, 1)]


def test_no_evidence_no_level_and_a_gap_between_expiries():
    assert profile.segments([], "highest") == []
    only = [Proof(1, 3, "prior_certificate", d(0), d(5)), Proof(2, 2, "self", d(10), d(12))]
    assert levels(profile.segments(only, "highest")) == [(d(0), d(5), 3, 1),
                                                         (d(10), d(12), 2, 2)]
    assert profile.level_at(only, d(7), "highest") is None


async def test_evidence_updates_the_profile_at_once_and_expiry_needs_no_job(app, world):
    fw = await Framework.create(institution_id=world.inst["a"], code="KNL-HN",
                                name="Khung năng lực chung", default_rule=CombineRule.HIGHEST)
    comp = await Competency.create(framework=fw, code="CDS", name="Chuyển đổi số")
    latest = await Competency.create(framework=fw, code="GT", name="Giao tiếp",
                                     rule=CombineRule.LATEST)
    user = world.users["trainee_a"]
    now = datetime.now(timezone.utc)
    await profile.record_evidence(institution_id=world.inst["a"], user_id=user,
                                  competency_id=comp.id, level=2, source="post_test",
                                  observed_at=now - timedelta(days=1), ref="quiz_attempt:1")
    assert await profile.current_levels([user]) == {user: {comp.id: 2}}
    await profile.record_evidence(institution_id=world.inst["a"], user_id=user,
                                  competency_id=comp.id, level=4, source="prior_certificate",
                                  observed_at=now - timedelta(hours=1),
                                  expires_at=now + timedelta(days=30), ref="cert:77")
    assert (await profile.current_levels([user]))[user][comp.id] == 4
    # thirty-one days on, the certificate has lapsed: the same query, no job in between
    later = now + timedelta(days=31)
    assert (await profile.current_levels([user], later))[user][comp.id] == 2
    # a regraded test replaces its earlier evidence instead of adding to it
    await profile.record_evidence(institution_id=world.inst["a"], user_id=user,
                                  competency_id=comp.id, level=3, source="post_test",
                                  observed_at=now - timedelta(days=1), ref="quiz_attempt:1")
    assert (await profile.current_levels([user], later))[user][comp.id] == 3
    await profile.record_evidence(institution_id=world.inst["a"], user_id=user,
                                  competency_id=latest.id, level=5, source="self",
                                  observed_at=now - timedelta(days=3))
    await profile.record_evidence(institution_id=world.inst["a"], user_id=user,
                                  competency_id=latest.id, level=2, source="supervisor",
                                  observed_at=now - timedelta(days=2))
    assert (await profile.current_levels([user]))[user][latest.id] == 2  # the latest wins
    assert await ProfileSegment.filter(user_id=user, competency_id=latest.id).count() == 2
    with pytest.raises(ValueError):
        await profile.record_evidence(institution_id=world.inst["a"], user_id=user,
                                      competency_id=comp.id, level=6, source="self",
                                      observed_at=now)


# --- gaps ----------------------------------------------------------------------------------


REQ = [Requirement(1, 3), Requirement(2, 2), Requirement(3, 4, mandatory=False, weight=0.5)]


def test_gaps_standard_and_priority():
    n = gaps.needs(REQ, {1: 3, 2: 1})
    assert [g.size for g in n.gaps] == [0, 1, 4]
    assert n.meets_standard is False and n.priority == 1 * 1 * 2 + 0.5 * 4
    assert gaps.needs(REQ, {1: 5, 2: 2}).meets_standard is True  # the optional gap left
    assert gaps.needs([Requirement(3, 4, mandatory=False)], {}).meets_standard is None


def test_the_fewest_classes_that_close_the_gaps():
    open_gaps = [Gap(1, 3, 0, True, 1), Gap(2, 2, 1, True, 1), Gap(3, 4, 0, False, 0.5),
                 Gap(9, 2, 0, True, 1)]
    offers = [Offer(10, {1: 3}, date(2026, 3, 1)), Offer(11, {2: 2}, date(2026, 2, 1)),
              Offer(12, {1: 4, 2: 2}, date(2026, 5, 1)), Offer(13, {3: 4}, date(2026, 4, 1)),
              Offer(14, {3: 3, 1: 2}, date(2026, 1, 1))]
    chosen, uncovered = gaps.cover(open_gaps, offers)
    assert chosen == [13, 12]  # two classes, where 10 + 11 + 13 would take three
    assert [g.competency_id for g in uncovered] == [9]
    # the greedy path for many classes gives a valid cover too
    many = offers + [Offer(100 + i, {50 + i: 1}) for i in range(20)]
    gaps.EXACT_LIMIT, saved = 2, gaps.EXACT_LIMIT
    try:
        chosen, _ = gaps.cover(open_gaps, many)
    finally:
        gaps.EXACT_LIMIT = saved
    assert set(chosen) == {12, 13}
