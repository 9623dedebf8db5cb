"""The assessment plugin: a completed course schedules one post-training review for the nearest
supervisor, reviews are submitted once by the right person, position frames are edited by admins
and the coverage report counts staff meeting their position's standard per unit."""

from __future__ import annotations

from datetime import timedelta

from lms_core.models import (
    Course, CourseClass, CourseCompletion, CourseModule, Enrolment, EnrolmentStatus, JobPosition,
    Membership, Unit, User,
)
from lms_core.services.progress import complete_module
from lms_core.services.settings import set_setting
from lms_core.services.users import user_fields
from lms_core.text import fold
from lms_assessment.coverage import Person, UnitRow, coverage, tree_order
from lms_assessment.models import PositionCompetency, PostTrainingReview

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


# --- scheduling ----------------------------------------------------------------------------


async def test_completing_a_course_schedules_one_review_for_the_nearest_supervisor(app, world):
    enrolment = await complete_course(app, world)
    reviews = await PostTrainingReview.all()
    assert len(reviews) == 1  # course-completed and enrolment-changed both fired: still one
    review = reviews[0]
    assert review.enrolment_id == enrolment.id
    assert review.trainee_id == world.users["trainee_a"]
    assert review.institution_id == world.inst["a"]
    # trainee_a is in the child unit, which has no supervisor: the root unit's one is chosen
    assert review.reviewer_id == world.users["supervisor_a"]
    assert review.status == "pending" and review.rating is None
    assert review.due_on == enrolment.completed_at.date() + timedelta(days=90)


async def test_the_delay_follows_the_institution_setting(app, world):
    await set_setting(app.state.lms.plugins, world.inst["a"], "assessment.review_after_days", 30)
    enrolment = await complete_course(app, world)
    review = await PostTrainingReview.get(enrolment_id=enrolment.id)
    assert review.due_on == enrolment.completed_at.date() + timedelta(days=30)


async def test_a_supervisor_of_the_trainees_own_unit_comes_first(app, world):
    # created first, so it would win the tie, but its supervisor role is in institution B
    foreign = await User.create(login="sep_khac", email="sk@example.vn",
                                unit_id=world.units["a-child"], **user_fields("Vũ Văn Khác"))
    await Membership.create(user=foreign, institution_id=world.inst["b"], role="supervisor")
    await Membership.create(user=foreign, institution_id=world.inst["a"], role="trainee")
    head = await User.create(login="truong_phong_a", email="tp@example.vn",
                             unit_id=world.units["a-child"], **user_fields("Lê Thị Hoa"))
    await Membership.create(user=head, institution_id=world.inst["a"], role="supervisor")
    await complete_course(app, world)
    review = await PostTrainingReview.get()
    assert review.reviewer_id == head.id


async def test_without_any_supervisor_above_the_review_waits_for_an_admin(app, client_for,
                                                                          world):
    await Membership.filter(user_id=world.users["supervisor_a"]).delete()
    await complete_course(app, world)
    review = await PostTrainingReview.get()
    assert review.reviewer_id is None
    admin = await client_for("admin_a")
    r = await admin.post(f"{V1}/reviews/{review.id}/submit",
                         json={"rating": 4, "applied_level": 3, "comment": "Đã áp dụng tốt."})
    assert r.status_code == 200, r.text
    assert r.json()["reviewer"]["id"] == world.users["admin_a"]


async def test_manual_completion_by_an_admin_schedules_a_review_too(app, client_for, world):
    enrolment = await Enrolment.get(user_id=world.users["trainee_a"], klass_id=world.classes["a"])
    admin = await client_for("admin_a")
    r = await admin.patch(f"/api/v1/enrolments/{enrolment.id}", json={"status": "completed"})
    assert r.status_code == 200, r.text
    assert await PostTrainingReview.filter(enrolment_id=enrolment.id).count() == 1


# --- listing and submitting ----------------------------------------------------------------


async def test_review_flow_and_the_walls_around_it(app, client_for, world):
    await complete_course(app, world)
    review = await PostTrainingReview.get()
    url = f"{V1}/reviews/{review.id}/submit"

    supervisor = await client_for("supervisor_a")
    listed = (await supervisor.get(f"{V1}/reviews")).json()
    assert listed["total"] == 1
    item = listed["items"][0]
    assert item["id"] == review.id and item["status"] == "pending" and item["is_due"] is False
    assert item["trainee"]["full_name"] == "Nguyễn Văn Trainee A"
    assert item["course"]["id"] == world.courses["a"] and item["class"]["code"] == "K-a"

    other = await client_for("supervisor_b")
    assert (await other.get(f"{V1}/reviews?status=all")).json() == {"total": 0, "items": []}
    assert (await other.get(f"{V1}/reviews/{review.id}")).status_code == 404
    r = await other.post(url, json={"rating": 5, "applied_level": 5})
    assert r.status_code == 404
    for login in ("trainee_a", "lecturer_a", "planner_a"):
        client = await client_for(login)
        assert (await client.get(f"{V1}/reviews")).status_code == 403, login
        assert (await client.post(url, json={"rating": 5, "applied_level": 5})).status_code == 403

    for bad in ({"rating": 0, "applied_level": 3}, {"rating": 6, "applied_level": 3},
                {"rating": 3, "applied_level": 9}, {"rating": "4", "applied_level": 3},
                {"rating": True, "applied_level": 3}, {"rating": 3.5, "applied_level": 3},
                {"applied_level": 3}, {"rating": 3, "applied_level": 3, "comment": "x" * 4001},
                {"rating": 3, "applied_level": 3, "extra": 1}):
        r = await supervisor.post(url, json=bad)
        assert r.status_code == 422, bad
    assert (await PostTrainingReview.get(id=review.id)).status == "pending"

    r = await supervisor.post(url, json={"rating": 4, "applied_level": 3,
                                         "comment": "Vận dụng tốt vào tiếp nhận hồ sơ."})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["status"], body["rating"], body["applied_level"]) == ("done", 4, 3)
    assert body["submitted_at"] and body["reviewer"]["id"] == world.users["supervisor_a"]

    again = await supervisor.post(url, json={"rating": 1, "applied_level": 1})
    assert again.status_code == 409
    stored = await PostTrainingReview.get(id=review.id)
    assert (stored.rating, stored.applied_level) == (4, 3)
    assert (await supervisor.get(f"{V1}/reviews")).json()["total"] == 0
    done = (await supervisor.get(f"{V1}/reviews?status=done")).json()
    assert [i["id"] for i in done["items"]] == [review.id]

    admin = await client_for("admin_a")
    assert (await admin.get(f"{V1}/reviews?status=all")).json()["total"] == 1
    assert (await admin.post(url, json={"rating": 2, "applied_level": 2})).status_code == 409


async def test_each_institution_sees_only_its_reviews(app, client_for, world):
    await complete_course(app, world, "trainee_a", "a")
    await complete_course(app, world, "trainee_b", "b")
    admin_a = await client_for("admin_a")
    items = (await admin_a.get(f"{V1}/reviews")).json()["items"]
    assert [i["trainee"]["id"] for i in items] == [world.users["trainee_a"]]
    supervisor_b = await client_for("supervisor_b")
    items = (await supervisor_b.get(f"{V1}/reviews")).json()["items"]
    assert [i["trainee"]["id"] for i in items] == [world.users["trainee_b"]]


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

    planner = await client_for("planner_a")
    assert (await planner.put(url, json=frame)).status_code == 403
    listed = (await planner.get(f"{V1}/positions")).json()["items"]
    assert [(p["code"], [c["code"] for c in p["competencies"]]) for p in listed] == \
        [("MC", ["NL-01"])]
    assert (await planner.get(url)).json()["competencies"][0]["required_level"] == 1
    supervisor = await client_for("supervisor_a")
    assert (await supervisor.get(f"{V1}/positions")).status_code == 403
    planner_b = await client_for("planner_b")
    assert (await planner_b.get(url)).status_code == 404


# --- coverage ------------------------------------------------------------------------------


def test_coverage_figures_aggregate_sub_units():
    units = [UnitRow(1, "Sở Nội vụ", "/1/"), UnitRow(2, "Phòng Tổ chức", "/1/2/", 1, 1),
             UnitRow(3, "Phòng Công chức", "/1/3/", 1, 1),
             UnitRow(4, "Tổ một cửa", "/1/2/4/", 2, 2)]
    people = [Person(10, "Trần Văn Đức", 4, 100), Person(11, "Lê Thị An", 2, 100),
              Person(12, "Phạm Minh Ánh", 3, 200), Person(13, "Hồ Văn Bình", 1, None),
              Person(14, "Không Đơn Vị", None, 100)]
    requirements = {100: {"A": 2, "B": 1}, 200: {"C": 1}}
    covered = {10: {"A", "B", "X"}, 11: {"A"}, 12: {"C"}, 14: {"A", "B"}}
    out = coverage(units, people, requirements, covered, details=True)
    rows = {u["id"]: u for u in out["units"]}
    assert [u["id"] for u in out["units"]] == [1, 3, 2, 4]  # Công chức before Tổ chức
    assert {k: rows[1][k] for k in ("staff", "with_standard", "meeting", "without_standard",
                                    "share")} == {"staff": 4, "with_standard": 3, "meeting": 2,
                                                  "without_standard": 1, "share": 0.5}
    assert (rows[2]["staff"], rows[2]["meeting"], rows[2]["share"]) == (2, 1, 0.5)
    assert (rows[4]["staff"], rows[4]["share"]) == (1, 1.0)
    assert out["total"]["staff"] == 4 and out["total"]["without_unit"] == 1
    assert [p["full_name"] for p in out["people"]] == \
        ["Lê Thị An", "Phạm Minh Ánh", "Hồ Văn Bình", "Trần Văn Đức"]
    an = out["people"][0]
    assert an["meets_standard"] is False and an["missing"] == ["B"]
    assert out["people"][2]["meets_standard"] is None


def test_tree_order_tolerates_units_outside_the_subtree():
    units = [UnitRow(5, "Phòng B", "/1/5/", 1, 1), UnitRow(6, "Phòng A", "/1/6/", 1, 1)]
    assert [u.id for u in tree_order(units)] == [6, 5]
    assert coverage([], [], {}, {})["total"]["share"] is None


async def test_coverage_report_on_a_small_organisation(client_for, world):
    inst = world.inst["a"]
    root = await Unit.create(institution_id=inst, code="SO-X", name="Sở Xây dựng")
    root.path = f"/{root.id}/"
    await root.save()
    team = await Unit.create(institution_id=inst, code="SO-X-1", name="Phòng Quản lý nhà",
                             parent=root, depth=1)
    team.path = f"{root.path}{team.id}/"
    await team.save()
    clerk = await JobPosition.create(institution_id=inst, code="VT-MC", title="Một cửa")
    head = await JobPosition.create(institution_id=inst, code="VT-LD", title="Lãnh đạo phòng")
    await PositionCompetency.create(institution_id=inst, position=clerk, code="NL-01",
                                    required_level=2)
    await PositionCompetency.create(institution_id=inst, position=clerk, code="NL-02",
                                    required_level=1)
    await PositionCompetency.create(institution_id=inst, position=head, code="NL-09",
                                    required_level=3)
    basic = await Course.create(institution_id=inst, code="C-MC", title="Một cửa",
                                competencies=[{"code": "NL-01", "name": "Hồ sơ"},
                                              {"code": "NL-02", "name": "Giao tiếp"}])
    lead = await Course.create(institution_id=inst, code="C-LD", title="Lãnh đạo",
                               competencies=[{"code": "NL-09", "name": "Điều hành"}])
    # the same codes taught by another institution do not count here
    elsewhere = await Course.create(institution_id=world.inst["b"], code="C-MC-B", title="MC",
                                    competencies=[{"code": "NL-01"}, {"code": "NL-02"}])

    async def person(name: str, unit: Unit, position: JobPosition | None, *courses: Course):
        login = fold(name).replace(" ", ".")
        user = await User.create(login=login, email=f"{login}@example.vn",
                                 unit_id=unit.id, job_position_id=position.id if position else None,
                                 **user_fields(name))
        await Membership.create(user=user, institution_id=inst, role="trainee")
        for course in courses:
            klass = await CourseClass.create(institution_id=course.institution_id, course=course,
                                             code=f"K{user.id}-{course.id}", title="Lớp")
            await CourseCompletion.create(user=user, course=course, klass=klass)
        return user

    await person("Nguyễn Văn Bình", team, clerk, basic)         # meets
    await person("Trần Thị An", team, clerk, elsewhere)         # misses NL-01, NL-02
    await person("Lê Văn Đức", root, head, lead, basic)         # meets
    await person("Phạm Thị Ánh", root, None)                    # no standard
    await person("Đỗ Minh Châu", root, head)                    # misses NL-09

    planner = await client_for("planner_a")
    r = await planner.get(f"{V1}/coverage?unit_id={root.id}&details=true")
    assert r.status_code == 200, r.text
    report = r.json()
    by_id = {u["id"]: u for u in report["units"]}
    assert [u["id"] for u in report["units"]] == [root.id, team.id]
    assert (by_id[root.id]["staff"], by_id[root.id]["meeting"], by_id[root.id]["share"]) == \
        (5, 2, 0.4)
    assert by_id[root.id]["without_standard"] == 1 and by_id[root.id]["with_standard"] == 4
    assert (by_id[team.id]["staff"], by_id[team.id]["meeting"], by_id[team.id]["share"]) == \
        (2, 1, 0.5)
    assert report["total"]["staff"] == 5
    assert [p["full_name"] for p in report["people"]] == \
        ["Trần Thị An", "Phạm Thị Ánh", "Nguyễn Văn Bình", "Đỗ Minh Châu", "Lê Văn Đức"]
    missing = {p["full_name"]: p["missing"] for p in report["people"]}
    assert missing["Trần Thị An"] == ["NL-01", "NL-02"] and missing["Đỗ Minh Châu"] == ["NL-09"]

    whole = (await planner.get(f"{V1}/coverage")).json()
    assert {root.id, team.id, world.units["a"]} <= {u["id"] for u in whole["units"]}
    assert "people" not in whole
    assert whole["total"]["staff"] > 5  # the seeded users of institution A are staff too

    planner_b = await client_for("planner_b")
    assert (await planner_b.get(f"{V1}/coverage?unit_id={root.id}")).status_code == 404
    supervisor = await client_for("supervisor_a")
    assert (await supervisor.get(f"{V1}/coverage")).status_code == 403
