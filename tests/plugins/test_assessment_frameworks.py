"""Competency frameworks through the API: CSV and IMS CASE import (whole-file checks with line
numbers, preview, nothing half-imported), export and re-import giving the same framework,
sharing from one institution to another; then training needs from positions, evidence and the
classes on offer, with a supervisor limited to their own unit."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone

from lms_core.models import Course, CourseClass, JobPosition, User

from lms_assessment import frameworks, profile, standard
from lms_assessment.models import Competency, CompetencyLevel, Evidence, Framework

CSV = """group_code,group_name,group_name_en,code,name,name_en,description,level_1,level_2,level_3,level_4,level_5
CHUNG,Năng lực chung,Core,NL-CDS-01,Nhận thức chuyển đổi số,Digital mindset,"Hiểu vì sao, làm gì",Biết,Hiểu,Vận dụng,Thành thạo,Hướng dẫn người khác
CHUNG,Năng lực chung,Core,NL-CDS-02,Dịch vụ công trực tuyến,Online public services,,Biết,Hiểu,Vận dụng,,
CM,Năng lực chuyên môn,Professional,NL-VB-01,Soạn thảo văn bản hành chính,Drafting official documents,,Biết,Hiểu,Vận dụng,Thành thạo,Chuyên gia
"""


async def _import(client, content=CSV, fmt="csv", **extra):
    return await client.post("/api/v1/assessment/frameworks",
                             json={"format": fmt, "content": content, **extra})


async def test_csv_import_preview_errors_and_round_trip(client_for, world):
    planner = await client_for("planner_a")
    preview = await _import(planner, preview=True)
    assert preview.status_code == 201 and preview.json()["preview"] is True
    assert [c["code"] for c in preview.json()["competencies"]] == \
        ["NL-CDS-01", "NL-CDS-02", "NL-VB-01"]
    assert await Framework.all().count() == 0  # a preview stores nothing

    bad = CSV + "CM,Năng lực chuyên môn,,NL-CDS-01,Trùng mã,,,,,,,\nCM,,,có dấu cách,Tên,,,,,,,\n"
    r = await _import(planner, bad, code="KNL-A")
    assert r.status_code == 422
    problems = r.json()["errors"]
    assert [p["line"] for p in problems] == [5, 6]
    assert "dòng 5" in r.json()["detail"] and "line 5" in r.json()["detail_en"]
    assert await Framework.all().count() == 0 and await Competency.all().count() == 0
    r = await _import(planner, "code,name,colour\nA,B,red\n", code="KNL-A")
    assert r.status_code == 422 and "colour" in r.json()["detail_en"]

    r = await _import(planner, code="KNL-A", name="Khung năng lực công chức cấp xã")
    assert r.status_code == 201, r.text
    tree = r.json()
    assert tree["imported"] == {"groups_added": 2, "competencies_added": 3,
                                "competencies_updated": 0}
    first = tree["competencies"][0]
    assert first["group"] == "CHUNG" and first["description"] == "Hiểu vì sao, làm gì"
    assert [lv["level"] for lv in first["levels"]] == [1, 2, 3, 4, 5]
    assert [lv["level"] for lv in tree["competencies"][1]["levels"]] == [1, 2, 3]
    assert (await _import(planner, code="KNL-A")).status_code == 409

    fid = tree["id"]
    exported = await planner.get(f"/api/v1/assessment/frameworks/{fid}/export.csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    original = list(csv.reader(io.StringIO(CSV)))
    assert rows == original  # the same file back
    # merging the file again changes nothing but counts updates
    again = await planner.post(f"/api/v1/assessment/frameworks/{fid}/import",
                               json={"format": "csv", "content": CSV})
    assert again.json()["imported"]["competencies_updated"] == 3
    assert await Competency.all().count() == 3 and await CompetencyLevel.all().count() == 13
    # trainees and lecturers do not manage frameworks
    assert (await (await client_for("trainee_a")).get(
        "/api/v1/assessment/frameworks")).status_code == 403


async def test_case_export_reimports_as_the_same_framework_and_sharing(client_for, world):
    planner = await client_for("planner_a")
    fid = (await _import(planner, code="KNL-TP", name="Khung năng lực thành phố",
                         shared=True)).json()["id"]
    package = (await planner.get(f"/api/v1/assessment/frameworks/{fid}/case.json")).json()
    assert package["CFDocument"]["title"] == "Khung năng lực thành phố"
    kinds = sorted({i["CFItemType"] for i in package["CFItems"]})
    assert kinds == ["Competency", "Competency Group"]
    assert all(a["associationType"] == "isChildOf" for a in package["CFAssociations"])
    assert len(package["CFRubrics"]) == 3

    # institution B imports the CASE file as a framework of its own: the same content
    other = await client_for("planner_b")
    import json as _json

    r = await _import(other, _json.dumps(package, ensure_ascii=False), fmt="case",
                      code="KNL-COPY")
    assert r.status_code == 201, r.text
    mine, theirs = (await planner.get(f"/api/v1/assessment/frameworks/{fid}")).json(), r.json()
    strip = lambda t: [{k: c[k] for k in ("code", "name", "name_en", "description", "group",
                                           "levels")} for c in t["competencies"]]  # noqa: E731
    assert strip(theirs) == strip(mine)
    assert theirs["groups"] == mine["groups"]
    bad = await _import(other, '{"CFDocument": {}, "CFItems": [{"identifier": "x", '
                               '"fullStatement": "Không mã"}]}', fmt="case", code="X")
    assert bad.status_code == 422 and "humanCodingScheme" in bad.json()["detail_en"]

    # sharing: B sees A's shared framework, adopts it, reads it, may not edit it
    listed = (await other.get("/api/v1/assessment/frameworks")).json()
    assert [f["code"] for f in listed["available"]] == ["KNL-TP"]
    assert (await other.get(f"/api/v1/assessment/frameworks/{fid}")).status_code == 404
    assert (await other.post(f"/api/v1/assessment/frameworks/{fid}/use",
                             json={"use": True})).status_code == 200
    assert (await other.get(f"/api/v1/assessment/frameworks/{fid}")).status_code == 200
    r = await other.post(f"/api/v1/assessment/frameworks/{fid}/import",
                         json={"format": "csv", "content": CSV})
    assert r.status_code == 403
    # B's own framework wins for a code both define
    codes = await frameworks.resolve_codes(world.inst["b"])
    own = await Competency.get(code="NL-CDS-01", framework__code="KNL-COPY")
    assert codes["NL-CDS-01"] == own.id


async def test_training_needs_for_a_person_and_a_unit(app, client_for, world):
    planner = await client_for("planner_a")
    await _import(planner, code="KNL-A")
    comp = {c.code: c.id for c in await Competency.all()}
    position = await JobPosition.create(institution_id=world.inst["a"], code="CV-MC",
                                        title="Công chức một cửa")
    for login in ("trainee_a", "trainee2_a", "lecturer_a"):
        await User.filter(id=world.users[login]).update(job_position_id=position.id)
    admin = await client_for("admin_a")
    r = await admin.put(f"/api/v1/assessment/positions/{position.id}/competencies", json={
        "items": [{"code": "NL-CDS-01", "required_level": 3},
                  {"code": "NL-CDS-02", "required_level": 2, "weight": 2},
                  {"code": "NL-VB-01", "required_level": 4, "mandatory": False},
                  {"code": "NL-CHUA-CO", "required_level": 1}]})
    assert r.status_code == 200, r.text
    # a class whose course develops NL-CDS-01 to 3 and NL-CDS-02 to 3, starting soon
    await Course.filter(id=world.courses["a"]).update(competencies=[
        {"code": "NL-CDS-01", "name": "…", "level": 3}, {"code": "NL-CDS-02", "name": "…"}])
    await CourseClass.filter(id=world.classes["a"]).update(
        starts_on=date.today() + timedelta(days=10))
    now = datetime.now(timezone.utc)
    await profile.record_evidence(institution_id=world.inst["a"],
                                  user_id=world.users["trainee_a"],
                                  competency_id=comp["NL-CDS-02"], level=2, source="supervisor",
                                  observed_at=now)

    r = await planner.get(f"/api/v1/assessment/needs/people/{world.users['trainee_a']}")
    assert r.status_code == 200, r.text
    person = r.json()
    assert [(g["code"], g["gap"]) for g in person["gaps"]] == \
        [("NL-CDS-01", 3), ("NL-CDS-02", 0), ("NL-VB-01", 4)]
    assert person["meets_standard"] is False and person["priority"] == 3 * 2 + 4
    assert [c["id"] for c in person["classes"]] == [world.classes["a"]]
    assert [g["code"] for g in person["uncovered"]] == ["NL-VB-01"]
    assert person["unknown_codes"] == ["NL-CHUA-CO"]

    unit = (await planner.get("/api/v1/assessment/needs")).json()
    assert unit["staff"] >= 3 and unit["with_standard"] == 3 and unit["meeting"] == 0
    order = [(p["full_name"], p["priority"]) for p in unit["people"]]
    # most urgent first (no evidence at all: 3×2 + 2×2×2 + 4), then in Vietnamese name order
    assert order == [("Nguyễn Văn Lecturer A", 18), ("Trần Thị Bình A", 18),
                     ("Nguyễn Văn Trainee A", 10)]
    counts = {c["code"]: c["people"] for c in unit["competencies"]}
    assert counts == {"NL-CDS-01": 3, "NL-CDS-02": 2, "NL-VB-01": 3}

    # the supervisor of the root unit sees their subtree; a trainee sees nothing
    sup = await client_for("supervisor_a")
    assert (await sup.get("/api/v1/assessment/needs")).status_code == 200
    assert (await sup.get(
        f"/api/v1/assessment/needs?unit_id={world.units['a-other']}")).status_code == 403
    assert (await sup.get(
        f"/api/v1/assessment/needs/people/{world.users['trainee2_a']}")).status_code == 403
    assert (await (await client_for("trainee_a")).get(
        "/api/v1/assessment/needs")).status_code == 403
    assert (await (await client_for("planner_b")).get(
        f"/api/v1/assessment/needs/people/{world.users['trainee_a']}")).status_code == 404


async def test_completing_the_course_is_evidence_at_once(app, client_for, world):
    planner = await client_for("planner_a")
    await _import(planner, code="KNL-A")
    await Course.filter(id=world.courses["a"]).update(competencies=[
        {"code": "NL-CDS-01", "name": "…", "level": 3}, {"code": "NL-XX", "name": "…"}])
    admin = await client_for("admin_a")
    from lms_core.models import Enrolment

    enrolment = await Enrolment.get(user_id=world.users["trainee_a"], klass_id=world.classes["a"])
    r = await admin.patch(f"/api/v1/enrolments/{enrolment.id}", json={"status": "completed"})
    assert r.status_code == 200, r.text
    rows = await Evidence.filter(user_id=world.users["trainee_a"]).values(
        "level", "source", "ref")
    assert rows == [{"level": 3, "source": "course", "ref": f"enrolment:{enrolment.id}"}]
    comp = await Competency.get(code="NL-CDS-01")
    assert (await profile.current_levels([world.users["trainee_a"]])) == \
        {world.users["trainee_a"]: {comp.id: 3}}


async def test_meeting_the_standard_per_unit_agrees_with_the_needs(app, client_for, world):
    planner = await client_for("planner_a")
    await _import(planner, code="KNL-A")
    comp = {c.code: c.id for c in await Competency.all()}
    position = await JobPosition.create(institution_id=world.inst["a"], code="CV-MC",
                                        title="Công chức một cửa")
    for login in ("trainee_a", "trainee2_a", "lecturer_a"):
        await User.filter(id=world.users[login]).update(job_position_id=position.id)
    admin = await client_for("admin_a")
    await admin.put(f"/api/v1/assessment/positions/{position.id}/competencies", json={
        "items": [{"code": "NL-CDS-01", "required_level": 3},
                  {"code": "NL-VB-01", "required_level": 4, "mandatory": False}]})
    now = datetime.now(timezone.utc)
    for login, level, expires in (("trainee_a", 3, None), ("trainee2_a", 4, now + timedelta(days=5)),
                                  ("lecturer_a", 2, None)):
        await profile.record_evidence(institution_id=world.inst["a"], user_id=world.users[login],
                                      competency_id=comp["NL-CDS-01"], level=level,
                                      source="practical", observed_at=now - timedelta(days=1),
                                      expires_at=expires)
    r = await planner.get("/api/v1/assessment/standard")
    assert r.status_code == 200, r.text
    data = r.json()
    assert (data["total"]["with_standard"], data["total"]["meeting"]) == (3, 2)
    root = next(u for u in data["units"] if u["id"] == world.units["a"])
    child = next(u for u in data["units"] if u["id"] == world.units["a-child"])
    other = next(u for u in data["units"] if u["id"] == world.units["a-other"])
    assert (child["meeting"], other["meeting"]) == (1, 1)  # trainee_a; trainee2_a
    assert root["meeting"] == 1 and root["with_standard"] == 2  # child's people roll up
    # the same figure the needs report gives
    unit = (await planner.get("/api/v1/assessment/needs")).json()
    assert (unit["with_standard"], unit["meeting"]) == (3, 2)
    # six days on, trainee2_a's certificate has lapsed: both reports follow, no job in between
    later = await standard.report(world.inst["a"], None, now + timedelta(days=6))
    assert later["total"]["meeting"] == 1
    # the same count by position, for the institution and within one sub-unit
    by_position = await standard.per_position(world.inst["a"])
    assert by_position[position.id] == {"staff": 3, "with_standard": 3, "meeting": 2}
    in_child = await standard.per_position(world.inst["a"], unit_id=world.units["a-child"])
    assert in_child[position.id]["meeting"] == 1
    assert in_child[position.id]["staff"] == child["staff"] - sum(
        f["staff"] for p, f in in_child.items() if p != position.id)
    sup = await client_for("supervisor_a")
    scoped = (await sup.get("/api/v1/assessment/standard")).json()
    assert scoped["unit_id"] == world.units["a"] and scoped["total"]["meeting"] == 1
