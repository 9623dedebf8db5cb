"""The assessment plugin: completing a course schedules the on-the-job ratings in waves for the
nearest supervisor (the institution's waves, the institution's default plan), and position
requirements are edited by admins."""

from __future__ import annotations

from datetime import timedelta

from lms_core.models import CourseClass, CourseModule, Enrolment, EnrolmentStatus, JobPosition, \
    Membership, User, Course
from lms_core.services.progress import complete_module
from lms_core.services.settings import set_setting
from lms_core.services.users import user_fields

from lms_assessment.models import AssessmentPlan, JobRating

V1 = "/api/v1/assessment"


async def complete_course(app, world, login: str = "trainee_a", tag: str = "a") -> Enrolment:
    """Complete every module through the progress service, as the course page would."""
    plugins = app.state.lms.plugins
    user = await User.get(id=world.users[login])
    enrolment = await Enrolment.get(user_id=user.id, klass_id=world.classes[tag])
    for module in await CourseModule.filter(course_id=world.courses[tag]).order_by("position"):
        await complete_module(plugins, enrolment, module, user)
    await enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED
    return enrolment


async def _standard_plan(client_for, world, **steps):
    admin = await client_for("admin_a")
    r = await admin.put(f"{V1}/classes/{world.classes['a']}/plan",
                        json={"template": "standard", "steps": steps})
    assert r.status_code == 200, r.text
    return admin


async def _supervisor_waves(enrolment):
    return await JobRating.filter(enrolment_id=enrolment.id, rater_role="supervisor",
                                  wave__gt=0).order_by("wave")


# --- scheduling ----------------------------------------------------------------------------


async def test_completing_schedules_each_wave_once_for_the_nearest_supervisor(app, client_for,
                                                                             world):
    await _standard_plan(client_for, world)
    enrolment = await complete_course(app, world)
    waves = await _supervisor_waves(enrolment)
    # course-completed and enrolment-changed both fired: still one rating per wave and rater
    assert [w.wave for w in waves] == [30, 90]
    assert await JobRating.filter(enrolment_id=enrolment.id, wave__gt=0).count() == 4
    # trainee_a is in the child unit, which has no supervisor: the root unit's one is chosen
    assert {w.rater_id for w in waves} == {world.users["supervisor_a"]}
    assert all(w.institution_id == world.inst["a"] and w.status == "pending" for w in waves)
    assert waves[1].due_on == enrolment.completed_at.date() + timedelta(days=90)


async def test_the_waves_follow_the_institution_setting_unless_the_plan_sets_its_own(
        app, client_for, world):
    await set_setting(app.state.lms.plugins, world.inst["a"], "assessment.on_the_job_waves",
                      [14, 60, 180])
    await _standard_plan(client_for, world)
    plan = await AssessmentPlan.get(klass_id=world.classes["a"])
    assert plan.steps["on_the_job"]["waves"] == [14, 60, 180]
    enrolment = await complete_course(app, world)
    assert [w.wave for w in await _supervisor_waves(enrolment)] == [14, 60, 180]
    await _standard_plan(client_for, world, on_the_job={"waves": [45]})
    plan = await AssessmentPlan.get(klass_id=world.classes["a"])
    assert plan.steps["on_the_job"]["waves"] == [45]


async def test_a_class_without_a_plan_follows_the_institutions_default_plan(app, world):
    enrolment = await complete_course(app, world)
    assert await JobRating.filter(enrolment_id=enrolment.id).count() == 0  # none by default
    await set_setting(app.state.lms.plugins, world.inst["a"], "assessment.default_plan",
                      "standard")
    other = await Enrolment.get(user_id=world.users["trainee_a"], klass_id=world.classes["a"])
    await Enrolment.filter(id=other.id).update(status=EnrolmentStatus.ACTIVE, completed_at=None)
    user = await User.get(id=world.users["trainee_a"])
    klass = await CourseClass.get(id=world.classes["a"])
    from lms_core.services.enrolments import change_enrolment

    await change_enrolment(app.state.lms.plugins, klass, user, EnrolmentStatus.COMPLETED,
                           actor_id=world.users["admin_a"])
    assert [w.wave for w in await _supervisor_waves(other)] == [30, 90]
    assert not await AssessmentPlan.filter(klass_id=klass.id).exists()  # nothing stored
    await set_setting(app.state.lms.plugins, world.inst["a"], "assessment.default_plan", "nope")
    from lms_assessment.plans import effective_plan

    assert await effective_plan(app.state.lms.plugins, klass) is None  # logged, not a crash


async def test_a_supervisor_of_the_trainees_own_unit_comes_first(app, client_for, world):
    # created first, so it would win the tie, but its supervisor role is in institution B
    foreign = await User.create(login="sep_khac", email="sk@example.vn",
                                unit_id=world.units["a-child"], **user_fields("Vũ Văn Khác"))
    await Membership.create(user=foreign, institution_id=world.inst["b"], role="supervisor")
    await Membership.create(user=foreign, institution_id=world.inst["a"], role="trainee")
    head = await User.create(login="truong_phong_a", email="tp@example.vn",
                             unit_id=world.units["a-child"], **user_fields("Lê Thị Hoa"))
    await Membership.create(user=head, institution_id=world.inst["a"], role="supervisor")
    await _standard_plan(client_for, world)
    enrolment = await complete_course(app, world)
    assert {w.rater_id for w in await _supervisor_waves(enrolment)} == {head.id}


async def test_without_any_supervisor_above_the_rating_waits_unassigned(app, client_for,
                                                                        world):
    await Membership.filter(user_id=world.users["supervisor_a"]).delete()
    await _standard_plan(client_for, world)
    enrolment = await complete_course(app, world)
    assert {w.rater_id for w in await _supervisor_waves(enrolment)} == {None}


async def test_manual_completion_by_an_admin_schedules_the_waves_too(app, client_for, world):
    admin = await _standard_plan(client_for, world)
    enrolment = await Enrolment.get(user_id=world.users["trainee_a"], klass_id=world.classes["a"])
    r = await admin.patch(f"/api/v1/enrolments/{enrolment.id}", json={"status": "completed"})
    assert r.status_code == 200, r.text
    assert [w.wave for w in await _supervisor_waves(enrolment)] == [30, 90]


async def test_the_single_review_endpoints_are_gone(client_for, world):
    admin = await client_for("admin_a")
    assert (await admin.get(f"{V1}/reviews")).status_code == 404
    assert (await admin.get(f"{V1}/coverage")).status_code == 404


# --- position frames -----------------------------------------------------------------------


async def test_admin_sets_a_position_frame(client_for, world):
    await Course.filter(id=world.courses["a"]).update(competencies=[
        {"code": "NL-01", "name": "Tiếp nhận hồ sơ", "name_en": "Receiving files"}])
    position = await JobPosition.create(institution_id=world.inst["a"], code="MC",
                                        title="Chuyên viên một cửa")
    foreign = await JobPosition.create(institution_id=world.inst["b"], code="MC",
                                       title="Chuyên viên một cửa")
    url = f"{V1}/positions/{position.id}/competencies"
    frame = {"items": [{"code": "NL-02", "required_level": 2},
                       {"code": "NL-01", "required_level": 3}]}
    admin = await client_for("admin_a")
    r = await admin.put(url, json=frame)
    assert r.status_code == 200, r.text
    got = r.json()["competencies"]
    assert [(c["code"], c["required_level"]) for c in got] == [("NL-01", 3), ("NL-02", 2)]
    assert got[0]["name"] == "Tiếp nhận hồ sơ" and got[0]["course_ids"] == [world.courses["a"]]
    assert got[1]["course_ids"] == []  # required, but no course teaches it yet: a visible gap

    r = await admin.put(url, json={"items": [{"code": "NL-01", "required_level": 1}]})
    assert [c["code"] for c in r.json()["competencies"]] == ["NL-01"]

    for bad in ({"items": [{"code": "A", "required_level": 1}, {"code": "A", "required_level": 2}]},
                {"items": [{"code": "A", "required_level": 6}]},
                {"items": [{"code": "có dấu", "required_level": 1}]}):
        assert (await admin.put(url, json=bad)).status_code == 422, bad
    assert (await admin.put(f"{V1}/positions/{foreign.id}/competencies",
                            json=frame)).status_code == 404

    for login in ("lecturer_a", "supervisor_a", "trainee_a"):  # planners and admins only
        assert (await (await client_for(login)).put(url, json=frame)).status_code == 403, login
    planner = await client_for("planner_a")
    listed = (await planner.get(f"{V1}/positions")).json()["items"]
    assert [(p["code"], [c["code"] for c in p["competencies"]]) for p in listed] == \
        [("MC", ["NL-01"])]
    assert (await planner.get(url)).json()["competencies"][0]["required_level"] == 1
    supervisor = await client_for("supervisor_a")
    assert (await supervisor.get(f"{V1}/positions")).status_code == 403
    planner_b = await client_for("planner_b")
    assert (await planner_b.get(url)).status_code == 404
