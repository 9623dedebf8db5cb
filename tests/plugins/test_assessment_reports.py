"""The planners' reports on a small world whose figures are worked out by hand below: trained,
classes, completion, normalised gain (the same as the learning step's), % meeting standard at
the end of a past year (expired and later evidence telling the moment apart), change at work
per rater, class quality per course and lecturer (invalid forms and comments left out); the
year and position filters; drill-down rows adding up; who sees what; CSV, XLSX and PDF; and
the pages (report with its charts, person) for a planner and a supervisor.

The world (institution A of ``seed_world``, Y = last year)::

    Sở Nội vụ a (R)  ─ Phòng Tổ chức (C)       Phòng khác (O)
      Tâm (Văn thư)     trainee_a, Hoa, Đức      Bình = trainee2_a (Văn thư)
      supervisor_a      (Chuyên viên); admin,
                        lecturer, planner

    Chuyên viên requires NL-CDS-01 ≥ 3, Văn thư NL-VB-01 ≥ 2 (mandatory).
    Class X (course a, ended Y-06-30): trainee_a, Hoa, Bình completed; Đức active; Tâm withdrawn.
    Class V (course VB, ended Y-10-15): Tâm, Hoa completed.
    Class Z (course a, ended Y-1): Đức completed.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone

import openpyxl
from pypdf import PdfReader

from conftest import password_hash
from lms_core.models import (
    ClassLecturer, Course, CourseClass, CourseModule, Enrolment, EnrolmentStatus, JobPosition,
    Membership, User,
)
from lms_core.services.users import user_fields

from lms_assessment import profile, reports
from lms_assessment.models import AssessmentPlan, Competency, EvidenceSource, JobRating, \
    PositionCompetency, SurveyResponse
from lms_quizzes.models import Attempt, Quiz

from .test_assessment_frameworks import _import

Y = reports.current_year() - 1
URL = "/api/v1/assessment/reports"


def at(month: int, day: int, year: int = Y) -> datetime:
    return datetime(year, month, day, 3, tzinfo=timezone.utc)


async def _person(world, name: str, unit: int, position: int | None) -> int:
    login = name.split()[-1].lower() + "_a"
    user = await User.create(login=login, email=f"{login}@example.vn",
                             password_hash=password_hash(), unit_id=unit,
                             job_position_id=position, **user_fields(name))
    await Membership.create(user=user, institution_id=world.inst["a"], role="trainee")
    return user.id


async def _enrol(user: int, klass: int, status: str) -> Enrolment:
    return await Enrolment.create(user_id=user, klass_id=klass, status=EnrolmentStatus(status),
                                  completed_at=at(6, 30) if status == "completed" else None)


async def _test(world, klass: int, user: int, quiz: Quiz, fraction: float) -> None:
    enrolment = await Enrolment.get(user_id=user, klass_id=klass)
    await Attempt.create(quiz=quiz, user_id=user, enrolment=enrolment, number=1,
                         state="finished", seed=1, started_at=at(6, 1), finished_at=at(6, 1),
                         sum_marks=fraction * 4, max_marks=4, fraction=fraction)


async def _rating(world, klass: int, user: int, role: str, wave: int, level: int | None,
                  code: str = "NL-CDS-01") -> None:
    enrolment = await Enrolment.get(user_id=user, klass_id=klass)
    await JobRating.create(institution_id=world.inst["a"], klass_id=klass,
                           enrolment_id=enrolment.id, trainee_id=user, rater_role=role,
                           rater_id=None, wave=wave, due_on=date(Y, 7, 1),
                           status="done" if level is not None else "pending",
                           items=[{"code": code, "level": level, "example": ""}]
                           if level is not None else [],
                           submitted_at=at(8, 1) if level is not None else None)


def _form(keys: list[str], value: int, **special: int) -> dict[str, int]:
    return {k: special.get(k, value) for k in keys}


async def seed(planner, world) -> dict:
    """The world above; ``planner`` (planner_a's client) imports the framework."""
    await _import(planner, code="KNL-A")
    inst, units = world.inst["a"], world.units
    cv = await JobPosition.create(institution_id=inst, code="CV", title="Chuyên viên")
    vt = await JobPosition.create(institution_id=inst, code="VT", title="Văn thư")
    await PositionCompetency.create(institution_id=inst, position_id=cv.id, code="NL-CDS-01",
                                    required_level=3)
    await PositionCompetency.create(institution_id=inst, position_id=cv.id, code="NL-CDS-02",
                                    required_level=2, mandatory=False)
    await PositionCompetency.create(institution_id=inst, position_id=vt.id, code="NL-VB-01",
                                    required_level=2)
    u = dict(world.users)
    u["hoa"] = await _person(world, "Lê Thị Hoa", units["a-child"], cv.id)
    u["duc"] = await _person(world, "Phạm Văn Đức", units["a-child"], cv.id)
    u["tam"] = await _person(world, "Hoàng Minh Tâm", units["a"], vt.id)
    await User.filter(id=u["trainee_a"]).update(job_position_id=cv.id)
    await User.filter(id=u["trainee2_a"]).update(job_position_id=vt.id)

    course_a = world.courses["a"]
    await Course.filter(id=course_a).update(competencies=[{"code": "NL-CDS-01", "level": 3}])
    course_vb = await Course.create(institution_id=inst, code="C-VB",
                                    title="Soạn thảo văn bản hành chính",
                                    competencies=[{"code": "NL-VB-01", "level": 2}])
    x = world.classes["a"]
    await CourseClass.filter(id=x).update(starts_on=date(Y, 3, 1), ends_on=date(Y, 6, 30))
    v = (await CourseClass.create(institution_id=inst, course=course_vb, code="K-VB",
                                  title="Lớp soạn thảo văn bản", starts_on=date(Y, 9, 1),
                                  ends_on=date(Y, 10, 15))).id
    z = (await CourseClass.create(institution_id=inst, course_id=course_a, code="K-CU",
                                  title="Lớp năm trước", ends_on=date(Y - 1, 5, 20))).id
    await Enrolment.filter(user_id=u["trainee_a"], klass_id=x).update(
        status=EnrolmentStatus.COMPLETED, completed_at=at(6, 30))
    for who, status in (("hoa", "completed"), ("duc", "active"), ("trainee2_a", "completed"),
                        ("tam", "withdrawn")):
        await _enrol(u[who], x, status)
    await _enrol(u["tam"], v, "completed")
    await _enrol(u["hoa"], v, "completed")
    await _enrol(u["duc"], z, "completed")

    # the profile: at the end of Y only Hoa and Tâm meet their standard (Bình's evidence
    # expired on 1 December, Đức's arrives this year, trainee_a's level is too low)
    comp = {c.code: c.id for c in await Competency.all()}

    async def evidence(user, code, level, observed, expires=None, source="course"):
        await profile.record_evidence(institution_id=inst, user_id=user,
                                      competency_id=comp[code], level=level,
                                      source=EvidenceSource(source), observed_at=observed,
                                      expires_at=expires, ref=f"seed:{user}:{code}")

    await evidence(u["hoa"], "NL-CDS-01", 3, at(7, 1))
    await evidence(u["trainee_a"], "NL-CDS-01", 2, at(7, 1), source="post_test")
    await evidence(u["tam"], "NL-VB-01", 2, at(10, 20))
    await evidence(u["trainee2_a"], "NL-VB-01", 3, at(7, 1), expires=at(12, 1),
                   source="prior_certificate")
    await evidence(u["duc"], "NL-CDS-01", 3, datetime.now(timezone.utc) - timedelta(minutes=1),
                   source="practical")

    # pre- and post-tests of course a: changes 0.6667 (trainee_a), 1.0 (Hoa), 0.0 (Bình);
    # Đức sat only the pre-test
    quizzes = {}
    for key, kind in (("dau-vao", "pre_test"), ("cuoi-khoa", "post_test")):
        module = await CourseModule.create(course_id=course_a, key=key, type="quiz", title=key,
                                           position=20 + len(key))
        quizzes[kind] = await Quiz.create(institution_id=inst, module=module, kind=kind,
                                          grading_method="highest")
    for who, pre, post in (("trainee_a", 0.25, 0.75), ("hoa", 0.5, 1.0),
                           ("trainee2_a", 1.0, 1.0), ("duc", 0.5, None)):
        await _test(world, x, u[who], quizzes["pre_test"], pre)
        if post is not None:
            await _test(world, x, u[who], quizzes["post_test"], post)

    # on the job, NL-CDS-01 from the baseline to the last wave rated:
    # supervisor +2 (trainee_a), +1 (Hoa), +3 (Bình); self 0 (trainee_a), +2 (Hoa)
    for who, role, waves in (("trainee_a", "supervisor", ((0, 2), (30, 3), (90, 4))),
                             ("trainee_a", "self", ((0, 3), (30, 3), (90, None))),
                             ("hoa", "supervisor", ((0, 2), (30, 3))),
                             ("hoa", "self", ((0, 2), (90, 4))),
                             ("trainee2_a", "supervisor", ((0, 1), (30, 4)))):
        for wave, level in waves:
            await _rating(world, x, u[who], role, wave, level)
    await _rating(world, z, u["duc"], "supervisor", 0, 1)
    await _rating(world, z, u["duc"], "supervisor", 30, 5)

    # class quality: X has two valid forms and an invalid one; V one form, another lecturer
    giang = await User.create(login="giang_a", email="giang@example.vn",
                              password_hash=password_hash(), **user_fields("Phạm Văn Giảng"))
    await Membership.create(user=giang, institution_id=inst, role="lecturer")
    await ClassLecturer.create(klass_id=v, user_id=giang.id)
    u["giang"] = giang.id
    lect = world.users["lecturer_a"]
    base = ["P1", "P2", "P3", "H1", "H2", "F1", "F2", "F3", "O1", "O2", "U1", "U2"]
    plan_x = await AssessmentPlan.create(institution_id=inst, klass_id=x, steps={})
    plan_v = await AssessmentPlan.create(institution_id=inst, klass_id=v, steps={})
    keys_x = base + [f"L{i}@{lect}" for i in (1, 2, 3)]
    keys_v = base + [f"L{i}@{giang.id}" for i in (1, 2, 3)]
    for plan, answers, valid, comment in (
            (plan_x, _form(keys_x, 4, U1=5, U2=5), True, "Rất bổ ích"),
            (plan_x, _form(keys_x, 3), True, ""),
            (plan_x, _form(keys_x[:10], 1), False, "Bình luận bí mật"),
            (plan_v, _form(keys_v, 5), True, "")):
        await SurveyResponse.create(plan=plan, answers=answers, comment=comment, items=15,
                                    unanswered=15 - len(answers), valid=valid,
                                    submitted_on=date(Y, 7, 1))
    return {"u": u, "cv": cv.id, "vt": vt.id, "x": x, "v": v, "z": z}


def _sums(report: dict) -> dict:
    keys = ("trained", "enrolled", "completed", "staff", "with_standard", "meeting")
    return {k: sum(r[k] for r in report["units"]) for k in keys}


async def test_figures_of_a_year_by_hand(app, client_for, world):
    planner = await client_for("planner_a")
    s = await seed(planner, world)
    r = await planner.get(URL, params={"year": Y})
    assert r.status_code == 200, r.text
    rep = r.json()
    f = rep["figures"]
    # enrolments: X trainee_a, Hoa, Đức, Bình (Tâm withdrew) + V Tâm, Hoa; completed all but Đức
    assert (f["trained"], f["classes"], f["enrolled"], f["completed"]) == (4, 2, 6, 5)
    assert f["completion_rate"] == round(5 / 6, 4)
    # staff: 6 people of seed_world + Hoa, Đức, Tâm + Giảng (a lecturer without a unit);
    # with a standard: the five with a position
    assert (f["staff"], f["with_standard"], f["meeting"]) == (10, 5, 2)
    assert f["share"] == 0.2 and f["without_standard"] == 5
    gain_x = round((round(0.5 / 0.75, 4) + 1.0 + 0.0) / 3, 4)
    assert f["gain"] == gain_x and f["gain_classes"] == 1
    classes = {c["code"]: c for c in rep["classes"]}
    assert set(classes) == {"K-a", "K-VB"}
    assert classes["K-a"]["with_both"] == 3 and classes["K-VB"]["gain"] is None
    assert classes["K-VB"]["course_title"] == "Soạn thảo văn bản hành chính"
    # the learning step says the same of class X
    learning = (await (await client_for("admin_a")).get(
        f"/api/v1/assessment/classes/{s['x']}/learning")).json()
    assert learning["class_change"] == classes["K-a"]["gain"]

    sup = rep["changes"]["supervisor"]
    assert sup["n"] == 3 and sup["change"] == 2.0
    assert sup["competencies"] == [{"code": "NL-CDS-01", "name": "Nhận thức chuyển đổi số",
                                    "name_en": "Digital mindset", "n": 3,
                                    "baseline": round(5 / 3, 2), "last": round(11 / 3, 2),
                                    "change": 2.0}]
    own = rep["changes"]["self"]
    assert own["n"] == 2 and own["change"] == 1.0 and own["competencies"][0]["baseline"] == 2.5

    q = rep["quality"]
    by_title = {c["title"]: c for c in q["courses"]}
    a = by_title["Khoá học a"]
    assert (a["forms"], a["valid"], a["invalid"], a["classes"]) == (3, 2, 1, 1)
    assert a["sections"]["programme"]["mean"] == 3.5
    assert a["sections"]["usefulness"]["mean"] == 4.0
    assert a["overall"] == {"n": 30, "mean": round(107 / 30, 2)}
    assert by_title["Soạn thảo văn bản hành chính"]["overall"]["mean"] == 5.0
    assert [(x["full_name"], x["mean"], x["n"]) for x in q["lecturers"]] == [
        ("Nguyễn Văn Lecturer A", 3.5, 6), ("Phạm Văn Giảng", 5.0, 3)]
    # the survey step's own results agree, and nothing says who wrote what
    results = (await (await client_for("admin_a")).get(
        f"/api/v1/assessment/classes/{s['x']}/survey/results")).json()
    assert {x["section"]: x["mean"] for x in results["sections"]} == \
        {k: v["mean"] for k, v in a["sections"].items()}
    assert "Bình luận bí mật" not in r.text and "Rất bổ ích" not in r.text

    # per child unit (R, O), per position, per year
    units = {x["name"]: x for x in rep["units"]}
    # Vietnamese order, then the people without a unit
    assert [(x["name"], x["own"]) for x in rep["units"]] == [
        ("Phòng khác", False), ("Sở Nội vụ a", False), ("", True)]
    assert rep["units"][2]["staff"] == 1
    assert (units["Sở Nội vụ a"]["trained"], units["Sở Nội vụ a"]["enrolled"],
            units["Sở Nội vụ a"]["staff"], units["Sở Nội vụ a"]["meeting"]) == (3, 5, 8, 2)
    assert units["Sở Nội vụ a"]["has_children"] is True
    assert (units["Phòng khác"]["trained"], units["Phòng khác"]["meeting"]) == (1, 0)
    assert _sums(rep) == {k: f[k] for k in _sums(rep)}
    positions = {p["title"]: p for p in rep["positions"]}
    assert (positions["Chuyên viên"]["trained"], positions["Chuyên viên"]["meeting"],
            positions["Chuyên viên"]["staff"]) == (2, 1, 3)
    assert (positions["Văn thư"]["trained"], positions["Văn thư"]["share"]) == (2, 0.5)
    years = {y["year"]: y for y in rep["years"]}
    assert list(years) == list(range(Y - 4, Y + 1))
    assert (years[Y - 1]["trained"], years[Y - 1]["classes"]) == (1, 1)
    assert years[Y]["trained"] == 4 and years[Y]["share"] == f["share"]


async def test_year_and_position_filters_and_the_moment(client_for, world):
    planner = await client_for("planner_a")
    s = await seed(planner, world)
    before = (await planner.get(URL, params={"year": Y - 1})).json()
    f = before["figures"]
    assert (f["trained"], f["classes"], f["enrolled"], f["completed"]) == (1, 1, 1, 1)
    assert f["meeting"] == 0 and f["gain"] is None  # nobody's evidence dates from before Y
    assert before["changes"]["supervisor"]["change"] == 4.0
    assert before["quality"]["courses"] == []
    # now: Đức's new evidence counts, Bình's has expired
    now = (await planner.get(URL)).json()
    assert now["scope"]["year"] == Y + 1 and now["figures"]["meeting"] == 3
    assert now["figures"]["trained"] == 0

    cv = (await planner.get(URL, params={"year": Y, "position_id": s["cv"]})).json()
    f = cv["figures"]
    assert (f["trained"], f["enrolled"], f["completed"], f["classes"]) == (2, 4, 3, 2)
    assert (f["staff"], f["meeting"], f["share"]) == (3, 1, round(1 / 3, 4))
    assert [p["title"] for p in cv["positions"]] == ["Chuyên viên"]
    assert _sums(cv) == {k: f[k] for k in _sums(cv)}
    assert cv["scope"]["position"]["title"] == "Chuyên viên"
    # one unit with one position: the rows still add up (own people as the remainder)
    inner = (await planner.get(URL, params={"year": Y, "position_id": s["vt"],
                                            "unit_id": world.units["a"]})).json()
    assert (inner["figures"]["staff"], inner["figures"]["meeting"]) == (1, 1)
    assert _sums(inner) == {k: inner["figures"][k] for k in _sums(inner)}


async def test_drill_down_from_the_city_to_a_person(client_for, world):
    planner = await client_for("planner_a")
    s = await seed(planner, world)
    unit = (await planner.get(URL, params={"year": Y, "unit_id": world.units["a"]})).json()
    f = unit["figures"]
    assert (f["trained"], f["enrolled"], f["completed"], f["staff"], f["meeting"]) == \
        (3, 5, 4, 8, 2)
    rows = {(x["name"], x["own"]): x for x in unit["units"]}
    assert rows[("Phòng Tổ chức", False)]["trained"] == 2
    assert rows[("", True)]["trained"] == 1 and rows[("", True)]["staff"] == 2
    assert _sums(unit) == {k: f[k] for k in _sums(unit)}
    assert f["gain"] == round((round(0.5 / 0.75, 4) + 1.0) / 2, 4)  # only R's trainees
    assert [p["full_name"] for p in unit["people"]] == ["Nguyễn Văn Supervisor A",
                                                        "Hoàng Minh Tâm"]  # by given name

    child = (await planner.get(URL, params={"year": Y, "unit_id": world.units["a-child"]})
             ).json()
    assert child["units"] == [] or all(x["own"] for x in child["units"])
    assert [c["name"] for c in child["scope"]["crumbs"]] == ["Sở Nội vụ a", "Phòng Tổ chức"]
    people = {p["full_name"]: p for p in child["people"]}
    assert people["Lê Thị Hoa"]["meets_standard"] is True
    assert people["Lê Thị Hoa"]["classes_completed"] == 2
    assert people["Phạm Văn Đức"]["meets_standard"] is False  # at the end of Y
    assert people["Nguyễn Văn Admin A"]["meets_standard"] is None

    # the person says what the needs API says (now: Đức meets it)
    person = (await planner.get(f"{URL}/people/{s['u']['duc']}")).json()
    needs = (await planner.get(f"/api/v1/assessment/needs/people/{s['u']['duc']}")).json()
    assert person["gaps"] == needs["gaps"] and person["meets_standard"] is needs["meets_standard"]
    assert person["meets_standard"] is True
    assert [e["source"] for e in person["evidence"]] == ["practical"]
    assert {c["code"]: c["status"] for c in person["classes_taken"]} == \
        {"K-a": "active", "K-CU": "completed"}
    binh = (await planner.get(f"{URL}/people/{s['u']['trainee2_a']}")).json()
    assert binh["evidence"][0]["valid"] is False and binh["meets_standard"] is False


async def test_supervisors_see_their_own_unit_and_trainees_nothing(client_for, world):
    s = await seed(await client_for("planner_a"), world)
    for login in ("trainee_a", "lecturer_a"):
        client = await client_for(login)
        assert (await client.get(URL)).status_code == 403
        assert (await client.get(f"{URL}/people/{s['u']['hoa']}")).status_code == 403
        assert (await client.get("/assessment/reports")).status_code == 403
    sup = await client_for("supervisor_a")
    mine = (await sup.get(URL, params={"year": Y})).json()
    assert mine["scope"]["unit"]["id"] == world.units["a"]  # their own unit by default
    assert mine["figures"]["trained"] == 3 and "Phòng khác" not in str(mine["units"])
    assert (await sup.get(URL, params={"unit_id": world.units["a-child"]})).status_code == 200
    r = await sup.get(URL, params={"unit_id": world.units["a-other"]})
    assert r.status_code == 403 and r.json()["detail_en"]
    assert (await sup.get(f"{URL}/people/{s['u']['trainee2_a']}")).status_code == 403
    assert (await sup.get(f"{URL}/people/{s['u']['hoa']}")).status_code == 200
    assert (await sup.get(f"{URL}/export.csv",
                          params={"unit_id": world.units["a-other"]})).status_code == 403
    assert (await sup.get(URL, params={"unit_id": world.units["b"]})).status_code == 404


async def test_another_institution_is_not_found_and_bad_input_is_422(client_for, world):
    planner = await client_for("planner_a")
    await seed(planner, world)
    b_unit, b_user = world.units["b"], world.users["trainee_b"]
    b_position = await JobPosition.create(institution_id=world.inst["b"], code="X", title="X")
    for params in ({"unit_id": b_unit}, {"position_id": b_position.id}):
        r = await planner.get(URL, params=params)
        assert r.status_code == 404 and "Không tìm thấy" in r.json()["detail_vi"]
    assert (await planner.get(f"{URL}/people/{b_user}")).status_code == 404
    for bad in ({"year": 1999}, {"year": Y + 2}, {"year": "năm"}, {"unit_id": 0},
                {"colour": "red"}):
        r = await planner.get(URL, params=bad)
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["detail_vi"] and r.json()["detail_en"]
    other = (await (await client_for("planner_b")).get(URL, params={"year": Y})).json()
    assert other["figures"]["trained"] == 0 and "Hoa" not in str(other)
    assert other["scope"]["institution"]["name"] == "Trường B"


async def test_csv_xlsx_and_pdf_exports(client_for, world):
    planner = await client_for("planner_a")
    await seed(planner, world)
    params = {"year": Y, "unit_id": world.units["a-child"]}
    r = await planner.get(f"{URL}/export.csv", params=params)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")
    text = r.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Chỉ tiêu (Figure)", "Giá trị (Value)"]
    summary = {row[0]: row[1] for row in rows[1:15] if len(row) == 2}
    assert summary["Đã đào tạo, người (Trained, people)"] == "2"
    assert "Lê Thị Hoa" in text and "Phạm Văn Đức" in text and "Chuyên viên" in text
    assert "filename*=UTF-8''bao-cao-dao-tao" in r.headers["content-disposition"]

    r = await planner.get(f"{URL}/export.xlsx", params={"year": Y})
    assert r.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert {"Tổng hợp", "Theo đơn vị", "Theo vị trí việc làm", "Theo năm", "Các lớp",
            "Chất lượng theo khoá", "Theo giảng viên"} <= set(book.sheetnames)
    units = [[c.value for c in row] for row in book["Theo đơn vị"].iter_rows(min_row=2)]
    assert ["Sở Nội vụ a", 3, 2, 5, 4, 0.8] == units[1][:6]
    assert units[1][-1] == 0.25  # 2 of 8 meet their standard

    r = await planner.get(f"{URL}/summary.pdf", params={"year": Y})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    assert f"Báo cáo kết quả đào tạo, bồi dưỡng năm {Y}" in pdf
    for expected in ("Trường A", "Sở Nội vụ a", "Phòng khác", "Chuyên viên", "Văn thư",
                     "83,3%", "20%", "Soạn thảo văn bản hành chính", "Phạm Văn Giảng"):
        assert expected in pdf, expected
    # in English for a reader who chose English
    token = planner.headers["X-CSRF-Token"]
    assert (await planner.post("/lang", data={"lang": "en", "next": "/",
                                              "csrf_token": token})).status_code == 303
    r = await planner.get(f"{URL}/summary.pdf", params={"year": Y})
    pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    assert f"Training report {Y}" in pdf and "83.3%" in pdf and "Per unit" in pdf
    page = (await planner.get("/assessment/reports", params={"year": Y})).text
    assert "Per unit" in page and "83.3%" in page and "the end of" in page
    assert "Theo đơn vị" not in page


async def test_pages_for_planner_and_supervisor(client_for, world):
    planner = await client_for("planner_a")
    s = await seed(planner, world)
    r = await planner.get("/assessment/reports", params={"year": Y, "position_id": ""})
    assert r.status_code == 200, r.text
    html = r.text
    assert html.count('<svg class="as-report-chart"') == 2
    assert "Tỉ lệ nhân sự đạt chuẩn vị trí việc làm theo đơn vị" in html
    assert "20%" in html and "Chưa gắn đơn vị" in html and "83,3%" in html and "Sở Nội vụ a" in html
    assert f'href="/assessment/reports?unit_id={world.units["a"]}&amp;year={Y}"' in html
    assert "/api/v1/assessment/reports/summary.pdf?year=" in html
    assert "Bình luận bí mật" not in html
    r = await planner.get("/assessment/reports",
                          params={"year": Y, "unit_id": world.units["a-child"]})
    assert r.status_code == 200
    assert f'href="/assessment/reports/people/{s["u"]["hoa"]}"' in r.text
    assert "Lê Thị Hoa" in r.text and "Phòng Tổ chức" in r.text
    person = await planner.get(f"/assessment/reports/people/{s['u']['hoa']}")
    assert person.status_code == 200
    assert "Lê Thị Hoa" in person.text and "Nhận thức chuyển đổi số" in person.text
    assert "Hoàn thành khoá học" in person.text and "Lớp soạn thảo văn bản" in person.text
    assert (await planner.get("/assessment/reports", params={"year": "x"})).status_code == 422

    sup = await client_for("supervisor_a")
    r = await sup.get("/assessment/reports", params={"year": Y})
    assert r.status_code == 200
    assert "Phòng Tổ chức" in r.text and "Phòng khác" not in r.text
    assert "Trường A</a>" not in r.text  # no link above their own unit
    assert '<svg class="as-report-chart"' in r.text
    r = await sup.get("/assessment/reports", params={"unit_id": world.units["a-other"]})
    assert r.status_code == 403
    assert (await sup.get(f"/assessment/reports/people/{s['u']['trainee2_a']}")
            ).status_code == 403
    menu = (await planner.get("/")).text
    assert 'href="/assessment/reports"' in menu


def test_charts_escape_text_and_draw_nothing_for_a_missing_value():
    from lms_assessment import chart

    svg = str(chart.bars([("Phường <Bến Nghé>", 0.5), ("Chưa có số liệu", None)], "Tỉ lệ & chuẩn"))
    assert svg.startswith('<svg class="as-report-chart"') and 'role="img"' in svg
    assert "&lt;Bến Nghé&gt;" in svg and "<Bến" not in svg and "Tỉ lệ &amp; chuẩn" in svg
    assert svg.count("<rect") == 1 and "50%" in svg and "–" in svg
    line = str(chart.trend([("2023", None), ("2024", 0.25), ("2025", 0.5)], "Xu hướng"))
    assert line.count("<polyline") == 1 and line.count("<circle") == 2


def test_figures_read_the_vietnamese_way():
    from lms_assessment import report_format as fmt

    assert (fmt.pct(5 / 6), fmt.pct(5 / 6, "en"), fmt.pct(0.2), fmt.pct(None)) == \
        ("83,3%", "83.3%", "20%", "–")
    assert (fmt.num(0.5556), fmt.num(12345), fmt.num(12345, "en")) == ("0,56", "12.345", "12,345")
    assert (fmt.signed(1.5), fmt.signed(-0.25, "en"), fmt.signed(0)) == ("+1,5", "−0.25", "0")
    assert fmt.day("2025-12-31T17:00:00+00:00") == "01/01/2026"  # midnight in Vietnam
    assert fmt.day(date(2025, 6, 30)) == "30/06/2025"
