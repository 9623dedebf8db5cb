"""No one sits the same content twice: the duplication warning (profile already at the course's
level, or the course completed recently), recognition of prior learning approved by an admin
(evidence recorded, the nomination withdrawn through the core), and the overlap report."""

from __future__ import annotations

from datetime import datetime, timezone

from lms_core.models import Course, CourseCompletion, CourseModule, Enrolment, EnrolmentStatus

from lms_assessment import profile
from lms_assessment.models import Competency, Evidence

from .test_assessment_frameworks import _import


async def _staff(world) -> int:
    """A civil servant of the supervisor's unit, not enrolled anywhere."""
    from conftest import password_hash
    from lms_core.models import Membership, User
    from lms_core.services.users import user_fields

    user = await User.create(login="cv_a", email="cv_a@example.vn", password_hash=password_hash(),
                             unit_id=world.units["a-child"], **user_fields("Lê Thị Chuyên Viên"))
    await Membership.create(user=user, institution_id=world.inst["a"], role="trainee")
    world.users["cv_a"] = user.id
    return user.id


async def _setup(client_for, world):
    await _staff(world)
    planner = await client_for("planner_a")
    await _import(planner, code="KNL-A")
    await Course.filter(id=world.courses["a"]).update(competencies=[
        {"code": "NL-CDS-01", "name": "…", "level": 3},
        {"code": "NL-CDS-02", "name": "…", "level": 2}])
    return {c.code: c.id for c in await Competency.all()}


async def test_warned_when_the_profile_already_covers_the_course(client_for, world):
    comp = await _setup(client_for, world)
    sup = await client_for("supervisor_a")
    url = (f"/api/v1/assessment/duplication?user_id={world.users['cv_a']}"
           f"&class_id={world.classes['a']}")
    first = (await sup.get(url)).json()
    assert first["warn"] is False and [c["covered"] for c in first["competencies"]] == \
        [False, False]
    now = datetime.now(timezone.utc)
    for code, level in (("NL-CDS-01", 4), ("NL-CDS-02", 2)):
        await profile.record_evidence(institution_id=world.inst["a"],
                                      user_id=world.users["cv_a"],
                                      competency_id=comp[code], level=level,
                                      source="prior_certificate", observed_at=now)
    warned = (await sup.get(url)).json()
    assert warned["warn"] is True and warned["covered"] is True
    assert warned["message"].startswith("Hồ sơ năng lực đã đạt")

    # recently completed: warned as well, whatever the profile
    await CourseCompletion.create(user_id=world.users["trainee_a"], course_id=world.courses["a"],
                                  klass_id=world.classes["a"])
    recent = (await sup.get(f"/api/v1/assessment/duplication?user_id={world.users['trainee_a']}"
                            f"&course_id={world.courses['a']}")).json()
    assert recent["warn"] is True and recent["recent_completion"] is not None
    assert (await sup.get("/api/v1/assessment/duplication?user_id=1")).status_code == 400
    assert (await (await client_for("trainee_a")).get(url)).status_code == 403


async def test_recognition_instead_of_the_course(client_for, world):
    comp = await _setup(client_for, world)
    sup = await client_for("supervisor_a")
    # nominated first, then exempted instead
    r = await sup.post(f"/api/v1/classes/{world.classes['a']}/nominations",
                       json={"user_ids": [world.users["cv_a"]]})
    assert r.status_code == 201, r.text
    r = await sup.post("/api/v1/assessment/exemptions", json={
        "user_id": world.users["cv_a"], "course_id": world.courses["a"],
        "class_id": world.classes["a"], "reason": "Đã có chứng chỉ ứng dụng CNTT nâng cao"})
    assert r.status_code == 201, r.text
    exemption = r.json()
    assert (await sup.post("/api/v1/assessment/exemptions", json={
        "user_id": world.users["cv_a"], "course_id": world.courses["a"]})).status_code == 409
    assert (await sup.post(f"/api/v1/assessment/exemptions/{exemption['id']}/decide",
                           json={"approve": True})).status_code == 403  # admins decide
    admin = await client_for("admin_a")
    pending = (await admin.get("/api/v1/assessment/exemptions")).json()["items"]
    assert [e["id"] for e in pending] == [exemption["id"]]
    r = await admin.post(f"/api/v1/assessment/exemptions/{exemption['id']}/decide",
                         json={"approve": True, "note": "Đồng ý công nhận"})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    again = await admin.post(f"/api/v1/assessment/exemptions/{exemption['id']}/decide",
                             json={"approve": False})
    assert again.status_code == 409
    rows = await Evidence.filter(user_id=world.users["cv_a"]).values(
        "competency_id", "level", "source", "ref")
    assert sorted((r["competency_id"], r["level"]) for r in rows) == \
        [(comp["NL-CDS-01"], 3), (comp["NL-CDS-02"], 2)]
    assert {r["source"].value for r in rows} == {"recognition"}
    enrolment = await Enrolment.get(user_id=world.users["cv_a"], klass_id=world.classes["a"])
    assert enrolment.status == EnrolmentStatus.WITHDRAWN
    check = (await sup.get(f"/api/v1/assessment/duplication?user_id={world.users['cv_a']}"
                           f"&course_id={world.courses['a']}")).json()
    assert check["covered"] is True


async def test_overlap_between_courses(client_for, world):
    await _setup(client_for, world)
    text = ("<p>Cổng dịch vụ công quốc gia cho phép người dân nộp hồ sơ trực tuyến, theo dõi "
            "tiến độ giải quyết và nhận kết quả tại nhà mà không phải đến cơ quan nhà nước.</p>")
    copy = await Course.create(institution_id=world.inst["a"], code="C-a2",
                               title="Dịch vụ công trực tuyến", title_key="dich vu cong",
                               competencies=[{"code": "NL-CDS-02", "name": "…"}])
    await CourseModule.create(course_id=world.courses["a"], key="dvc", type="lesson",
                              title="Dịch vụ công", position=9, body_html=text)
    await CourseModule.create(course=copy, key="dvc-copy", type="lesson", title="Bài chép lại",
                              position=0, body_html=text + "<p>Thêm một câu.</p>")
    planner = await client_for("planner_a")
    items = (await planner.get("/api/v1/assessment/overlap")).json()["items"]
    pair = next(i for i in items if {i["course_a"]["id"], i["course_b"]["id"]} ==
                {world.courses["a"], copy.id})
    assert pair["shared_competencies"] == ["NL-CDS-02"] and pair["competency_overlap"] == 0.5
    assert pair["content_overlap"] > 0.3
    assert pair["shared_modules"][0]["module_b"] == "Bài chép lại"
    assert (await (await client_for("lecturer_a")).get(
        "/api/v1/assessment/overlap")).status_code == 403
