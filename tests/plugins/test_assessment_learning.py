"""The learning step: pre- and post-test grades read from the quizzes plugin through the
assessment hook, each trainee's normalised change (defined for a perfect pre-test), the class's
and per competency; and a completed post-test recorded as evidence at once."""

from __future__ import annotations

from datetime import datetime, timezone

from lms_core.models import CourseModule, Enrolment, EnrolmentStatus, User
from lms_core.services.progress import complete_module

from lms_assessment import learning, profile
from lms_assessment.models import Competency, Evidence
from lms_quizzes.models import Attempt, AttemptSlot, QuestionCategory, Quiz

from .test_assessment_frameworks import _import

NOW = datetime(2026, 11, 1, 8, tzinfo=timezone.utc)


def test_normalised_change():
    assert learning.change(0.4, 0.7) == 0.5
    assert learning.change(0.8, 0.6) == -0.25
    assert learning.change(1.0, 1.0) == 0.0  # a perfect pre-test kept: defined, no change
    assert learning.change(1.0, 0.9) == -0.1
    assert learning.change(0.0, 0.0) == 0.0
    assert learning.change(0.0, 0.5) == 0.5
    assert learning.change(None, 0.5) is None
    assert learning.evidence_level(0.85, 3) == 3 and learning.evidence_level(0.6, 3) == 2
    assert learning.evidence_level(0.6, 1) == 1 and learning.evidence_level(0.5, 3) is None


async def _quiz(world, key: str, kind: str) -> tuple[CourseModule, Quiz]:
    module = await CourseModule.create(course_id=world.courses["a"], key=key, type="quiz",
                                       title=key, position=50 + len(key))
    quiz = await Quiz.create(institution_id=world.inst["a"], module=module, kind=kind,
                             grading_method="highest")
    return module, quiz


async def _attempt(world, quiz: Quiz, user: str, number: int, marks: list[tuple[int, float]]):
    enrolment = await Enrolment.get(user_id=world.users[user], klass_id=world.classes["a"])
    total = sum(m for _q, m in marks)
    attempt = await Attempt.create(quiz=quiz, user_id=world.users[user], enrolment=enrolment,
                                   number=number, state="finished", seed=1, started_at=NOW,
                                   finished_at=NOW, sum_marks=total, max_marks=len(marks),
                                   fraction=total / len(marks))
    for slot, (question_id, mark) in enumerate(marks, start=1):
        await AttemptSlot.create(attempt=attempt, slot=slot, question_id=question_id,
                                 question={}, max_mark=1, mark=mark, fraction=mark,
                                 state="graded")


async def test_class_learning_and_the_post_test_as_evidence(app, client_for, world):
    await _import(await client_for("planner_a"), code="KNL-A")
    from lms_core.models import Course

    await Course.filter(id=world.courses["a"]).update(competencies=[
        {"code": "NL-CDS-01", "name": "…", "level": 3}, {"code": "NL-CDS-02", "name": "…"}])
    await Enrolment.create(user_id=world.users["trainee2_a"], klass_id=world.classes["a"],
                           status=EnrolmentStatus.ACTIVE)
    category = await QuestionCategory.create(institution_id=world.inst["a"], name="Chung",
                                             path="/")
    from .quiz_setup import question

    qs = []
    for i, codes in enumerate((("NL-CDS-01",), ("NL-CDS-01",), ("NL-CDS-02",), ("NL-CDS-02",))):
        body = {"type": "true_false", "text": f"Câu hỏi số {i}", "options": {"correct": True}}
        qs.append((await question(world.inst["a"], category.id, body, codes)).id)
    pre_m, pre = await _quiz(world, "dau-vao", "pre_test")
    post_m, post = await _quiz(world, "cuoi-khoa", "post_test")
    # trainee A: 1/4 then 3/4 (a second, better try counts: highest); trainee 2: 4/4 then 4/4
    await _attempt(world, pre, "trainee_a", 1, [(qs[0], 1), (qs[1], 0), (qs[2], 0), (qs[3], 0)])
    await _attempt(world, post, "trainee_a", 1, [(qs[0], 1), (qs[1], 0), (qs[2], 0), (qs[3], 0)])
    await _attempt(world, post, "trainee_a", 2, [(qs[0], 1), (qs[1], 1), (qs[2], 1), (qs[3], 0)])
    await _attempt(world, pre, "trainee2_a", 1, [(q, 1) for q in qs])
    await _attempt(world, post, "trainee2_a", 1, [(q, 1) for q in qs])

    lecturer = await client_for("lecturer_a")
    r = await lecturer.get(f"/api/v1/assessment/classes/{world.classes['a']}/learning")
    assert r.status_code == 200, r.text
    data = r.json()
    rows = {t["full_name"]: (t["pre"], t["post"], t["change"]) for t in data["trainees"]}
    assert rows == {"Nguyễn Văn Trainee A": (0.25, 0.75, round(0.5 / 0.75, 4)),
                    "Trần Thị Bình A": (1.0, 1.0, 0.0)}
    assert data["with_both"] == 2 and data["class_change"] == round((0.6667 + 0) / 2, 4)
    comps = {c["code"]: c for c in data["competencies"]}
    assert comps["NL-CDS-01"]["post_mean"] == 1.0 and comps["NL-CDS-02"]["pre_mean"] == 0.5
    assert (await (await client_for("trainee_a")).get(
        f"/api/v1/assessment/classes/{world.classes['a']}/learning")).status_code == 403

    # completing the post-test module: evidence per competency it tests, at once
    user = await User.get(id=world.users["trainee_a"])
    enrolment = await Enrolment.get(user_id=user.id, klass_id=world.classes["a"])
    await complete_module(app.state.lms.plugins, enrolment, post_m, user)
    comp = {c.code: c.id for c in await Competency.all()}
    rows = await Evidence.filter(user_id=user.id).values("competency_id", "level", "source")
    # NL-CDS-01: 2/2 (level 3, the course's); NL-CDS-02: 1/2 = 50%, no evidence
    assert [(r["competency_id"], r["level"], r["source"].value) for r in rows] == \
        [(comp["NL-CDS-01"], 3, "post_test")]
    assert (await profile.current_levels([user.id]))[user.id] == {comp["NL-CDS-01"]: 3}


def test_the_grade_comes_from_the_attempts_the_quizs_method_names():
    from lms_quizzes.assessment_results import _graded

    rows = [{"id": 1, "number": 2, "fraction": 0.5}, {"id": 2, "number": 1, "fraction": 0.8},
            {"id": 3, "number": 3, "fraction": 0.8}]
    assert [a["id"] for a in _graded("first", rows)] == [2]
    assert [a["id"] for a in _graded("last", rows)] == [3]
    assert [a["id"] for a in _graded("average", rows)] == [2, 1, 3]
    assert [a["id"] for a in _graded("highest", rows)] == [2]  # the earlier of two best
    assert _graded("highest", []) == []
