"""The submit adds the stored grades up in SQL on PostgreSQL (one statement, attempts.py
``_finish_pg_sql``) and with ``attempts.total`` on SQLite, regrades and manual grading: the two
must agree to the last digit, on the awkward cases too (negative marks floored at 0,
questions worth nothing, an essay waiting, a quiz worth nothing, the pass mark's edge, the
deadline's grace)."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from lms_quizzes import attempts as svc
from lms_quizzes.models import Attempt, AttemptSlot, Quiz

Q = "/api/v1/quizzes"

EDGES = [
    # (max_marks, pass_fraction, [(max_mark, mark, state), ...])
    (3.0, 0.6, [(1.0, 1.0, "correct"), (1.0, -0.5, "incorrect"), (1.0, 0.8, "partial")]),
    (3.0, 0.6, [(1.0, 1.0, "correct"), (0.0, 5.0, "correct"), (2.0, None, "unanswered")]),
    (3.0, 0.6, [(1.0, 1.0, "correct"), (1.0, None, "needs_grading"), (1.0, 1.0, "correct")]),
    (0.0, 0.6, [(0.0, None, "unanswered"), (0.0, 0.0, "correct"), (0.0, None, "unanswered")]),
    (3.0, 2 / 3, [(1.0, 1.0, "correct"), (1.0, 1.0, "correct"), (1.0, 0.0, "incorrect")]),
    (3.0, 0.1, [(1.0, 0.1 + 0.2, "partial"), (1.0, 1 / 3, "partial"), (1.0, 0.0, "incorrect")]),
]


def _random_cases(n: int) -> list[tuple[float, float, list[tuple[float, float | None, str]]]]:
    rng = random.Random(20261203)
    cases = []
    for _ in range(n):
        slots = []
        for _ in range(3):
            max_mark = rng.choice([0.0, 0.5, 1.0, 2.0, 7.25])
            mark = rng.choice([None, round(rng.uniform(-1, 1) * max_mark, 7)])
            state = rng.choice(["correct", "partial", "incorrect", "unanswered"]
                               + ["needs_grading"] * (rng.random() < 0.1))
            slots.append((max_mark, mark, state))
        cases.append((sum(s[0] for s in slots), round(rng.random(), 3), slots))
    return cases


async def test_the_submit_totals_agree_with_attempts_total(client_for, quiz_world):
    trainee = await client_for("trainee_a")
    quiz = None
    for max_marks, pass_fraction, slots in EDGES + _random_cases(30):
        r = await trainee.post(f"{Q}/modules/{quiz_world['module']}/attempts")
        assert r.status_code == 201, r.text
        attempt_id = r.json()["id"]
        quiz = quiz or await Quiz.get(module_id=quiz_world["module"])
        await Quiz.filter(id=quiz.id).update(pass_fraction=pass_fraction)
        await Attempt.filter(id=attempt_id).update(max_marks=max_marks)
        for n, (max_mark, mark, state) in enumerate(slots, start=1):
            await AttemptSlot.filter(attempt_id=attempt_id, slot=n).update(
                max_mark=max_mark, mark=mark, state=state)
        closed, _settings, rows = await svc.close_attempt(attempt_id)
        expected = Attempt(max_marks=max_marks)
        svc.total(expected, [AttemptSlot(max_mark=m, mark=k, state=s) for m, k, s in slots],
                  pass_fraction)
        stored = await Attempt.get(id=attempt_id)
        for got in (closed, stored):
            assert (got.sum_marks, got.fraction, got.passed, got.needs_grading) == (
                expected.sum_marks, expected.fraction, expected.passed,
                expected.needs_grading), (max_marks, pass_fraction, slots)
        # the slots come back as JSON text, whose numbers SQLite writes to 15 digits
        assert [r.state for r in rows] == [s[2] for s in slots]
        assert [r.mark for r in rows] == [pytest.approx(s[1]) for s in slots]


async def test_a_late_submit_is_finished_at_the_deadline_and_its_grace(client_for, quiz_world):
    trainee = await client_for("trainee_a")
    r = await trainee.post(f"{Q}/modules/{quiz_world['module']}/attempts")
    attempt = await Attempt.get(id=r.json()["id"])
    deadline = attempt.started_at + timedelta(minutes=10)
    await Attempt.filter(id=attempt.id).update(deadline=deadline)
    closed, _settings, _rows = await svc.close_attempt(attempt.id, at=deadline + timedelta(hours=2))
    assert closed.finished_at == deadline + svc.GRACE
    assert (await Attempt.get(id=attempt.id)).finished_at == deadline + svc.GRACE
    r = await trainee.post(f"{Q}/modules/{quiz_world['module']}/attempts")
    early = deadline - timedelta(minutes=5)
    await Attempt.filter(id=r.json()["id"]).update(deadline=deadline)
    closed, _settings, _rows = await svc.close_attempt(r.json()["id"], at=early)
    assert closed.finished_at == early


@pytest.mark.parametrize("who", ["trainee2_a", "trainee_b"])
async def test_someone_elses_attempt_is_not_found_and_stays_open(client_for, quiz_world, who):
    owner = await client_for("trainee_a")
    r = await owner.post(f"{Q}/modules/{quiz_world['module']}/attempts")
    other = await client_for(who)
    refused = await other.post(f"{Q}/attempts/{r.json()['id']}/submit")
    assert refused.status_code == 404, refused.text
    assert (await Attempt.get(id=r.json()["id"])).state == svc.IN_PROGRESS


async def test_a_burst_of_submits_shares_statements_and_each_gets_its_own(app, client_for,
                                                                           quiz_world):
    """Twelve attempts submitted at once, with double clicks and a stranger's try in the same
    burst: on PostgreSQL they share statements (``lms_core.batching``); each attempt is finished
    once with its own total, the owner gets it, the stranger a 404."""
    import asyncio

    from lms_core.models import CourseModule

    trainee = await client_for("trainee_a")
    stranger = await client_for("trainee_b")
    template = await CourseModule.get(id=quiz_world["module"])
    ids = []
    for n in range(12):
        module = await CourseModule.create(course_id=template.course_id, key=f"kt-{n}",
                                           type="quiz", title=f"Kiểm tra {n}",
                                           position=20 + n, data=template.data)
        r = await trainee.post(f"{Q}/modules/{module.id}/attempts")
        assert r.status_code == 201, r.text
        attempt = r.json()
        slot = attempt["slots"][n % 3]["slot"]
        await trainee.put(f"{Q}/attempts/{attempt['id']}/slots/{slot}",
                          json={"response": {"value": True}})
        ids.append(attempt["id"])
    calls = [trainee.post(f"{Q}/attempts/{i}/submit") for i in ids]
    calls += [trainee.post(f"{Q}/attempts/{i}/submit") for i in ids[:4]]  # double clicks
    calls += [stranger.post(f"{Q}/attempts/{ids[5]}/submit")]
    replies = await asyncio.gather(*calls)
    assert [r.status_code for r in replies] == [200] * 16 + [404]
    for attempt_id, reply in zip(ids + ids[:4], replies):
        row = await Attempt.get(id=attempt_id)
        assert row.state == svc.FINISHED and reply.json()["id"] == attempt_id
        assert reply.json()["finished_at"] is not None
        marks = [s.mark for s in await AttemptSlot.filter(attempt_id=attempt_id)]
        assert row.sum_marks == pytest.approx(sum(max(0.0, m or 0.0) for m in marks))
    assert sum(r.mark or 0 for r in await AttemptSlot.filter(attempt_id__in=ids)) == 4
    from lms_quizzes.attempts import _submitter

    coalescer = _submitter(app.state.lms)
    if coalescer is not None and coalescer.keys:  # PostgreSQL
        assert coalescer.keys == 17 and coalescer.runs < 17
