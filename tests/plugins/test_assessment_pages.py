"""The planning pages of the assessment plugin, as a browser uses them (forms with the CSRF token
in the form, multipart uploads with it in the query): frameworks (list, tree, adopt, upload
with preview, merge), position requirements, training needs of a unit and of a person, the
nomination with the duplication warning and recognition instead, the recognition queue, and a
person's own profile. Who sees what, and the walls between institutions."""

from __future__ import annotations

import html
import json
import re
from datetime import date, datetime, timedelta, timezone

from lms_core.models import Course, CourseClass, Enrolment, EnrolmentStatus, JobPosition, \
    Membership, User

from lms_assessment import framework_files, frameworks, profile
from lms_assessment.models import Competency, Evidence, Exemption, ExemptionStatus, Framework, \
    PositionCompetency

from .test_assessment_frameworks import CSV


async def browser(client_for, login: str):
    """A logged-in client that sends the CSRF token only in forms, as a browser does."""
    client = await client_for(login)
    del client.headers["X-CSRF-Token"]
    token = (await client.get("/api/v1/me")).json()["csrf_token"]
    return client, token


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


async def _framework(world, code="KNL-A", name="", shared=False) -> dict[str, int]:
    """The test file of the API's tests, stored the way the API stores it (no login needed)."""
    parsed = framework_files.parse_csv(CSV.encode())
    framework, _counts = await frameworks.import_into(world.inst["a"], parsed, code=code,
                                                      name=name, shared=shared)
    return {c.code: c.id for c in await Competency.filter(framework_id=framework.id)} | \
        {"_id": framework.id}


async def _needs_world(client_for, world) -> dict[str, int]:
    """A framework, a position requiring two of its competencies (one optional), three people in
    it (trainee_a and cv_a under the supervisor's unit, trainee2_a outside), and an upcoming
    class whose course develops both mandatory competencies."""
    from conftest import password_hash
    from lms_core.services.users import user_fields

    comp = await _framework(world)
    cv = await User.create(login="cv_a", email="cv_a@example.vn", password_hash=password_hash(),
                           unit_id=world.units["a-child"], **user_fields("Lê Thị Chuyên Viên"))
    await Membership.create(user=cv, institution_id=world.inst["a"], role="trainee")
    world.users["cv_a"] = cv.id
    position = await JobPosition.create(institution_id=world.inst["a"], code="CV-MC",
                                        title="Công chức một cửa")
    await User.filter(id__in=[world.users[k] for k in ("trainee_a", "trainee2_a", "cv_a")]
                      ).update(job_position_id=position.id)
    for code, level, mandatory in (("NL-CDS-01", 3, True), ("NL-CDS-02", 2, True),
                                   ("NL-VB-01", 4, False)):
        await PositionCompetency.create(institution_id=world.inst["a"], position=position,
                                        code=code, required_level=level, mandatory=mandatory)
    await Course.filter(id=world.courses["a"]).update(competencies=[
        {"code": "NL-CDS-01", "name": "…", "level": 3},
        {"code": "NL-CDS-02", "name": "…", "level": 2}])
    await CourseClass.filter(id=world.classes["a-open"]).update(
        starts_on=date.today() + timedelta(days=10))
    await CourseClass.filter(id=world.classes["a"]).update(
        starts_on=date.today() - timedelta(days=10))  # started: not on offer
    return {**comp, "position": position.id}


# --- frameworks --------------------------------------------------------------------------------

async def test_framework_list_tree_and_adopting_by_role_and_institution(client_for, world):
    comp = await _framework(world, code="KNL-TP", name="Khung năng lực thành phố", shared=True)
    fid = comp["_id"]
    planner, token = await browser(client_for, "planner_a")
    r = await planner.get("/assessment/frameworks")
    assert r.status_code == 200 and "Khung năng lực của đơn vị" in r.text
    assert "Khung năng lực thành phố" in r.text and "Đơn vị khác được dùng" in r.text
    tree = await planner.get(f"/assessment/frameworks/{fid}")
    page = text_of(tree.text)
    assert tree.status_code == 200
    assert "CHUNG · Năng lực chung" in page and "NL-CDS-01 Nhận thức chuyển đổi số" in page
    assert "Mức 5 Hướng dẫn người khác" in page and "Mức 4 (chưa mô tả)" in page  # NL-CDS-02
    assert f"/api/v1/assessment/frameworks/{fid}/export.csv" in tree.text
    assert "Nhập thêm từ tệp" in tree.text  # its own: may merge
    exported = await planner.get(f"/api/v1/assessment/frameworks/{fid}/export.csv")
    assert exported.status_code == 200 and "NL-CDS-01" in exported.content.decode("utf-8-sig")
    case = await planner.get(f"/api/v1/assessment/frameworks/{fid}/case.json")
    assert case.status_code == 200 and case.json()["CFDocument"]["title"]

    supervisor = await client_for("supervisor_a")  # supervisors and trainees: no frameworks
    assert (await supervisor.get("/assessment/frameworks")).status_code == 403
    assert (await supervisor.get(f"/assessment/frameworks/{fid}")).status_code == 403

    # institution B: A's framework is offered, not readable until adopted, never editable
    b, b_token = await browser(client_for, "planner_b")
    listed = await b.get("/assessment/frameworks")
    assert "Sử dụng khung này" in listed.text and "Trường A" in listed.text
    assert (await b.get(f"/assessment/frameworks/{fid}")).status_code == 404
    r = await b.post(f"/assessment/frameworks/{fid}/use", data={"csrf_token": b_token,
                                                                 "use": "1"})
    assert r.status_code == 303 and r.headers["location"].endswith("notice=adopted")
    listed = await b.get(r.headers["location"])
    assert "Đã sử dụng khung năng lực dùng chung." in listed.text
    assert "Ngừng sử dụng" in listed.text
    tree = await b.get(f"/assessment/frameworks/{fid}")
    assert tree.status_code == 200 and "Nhập thêm từ tệp" not in tree.text
    r = await b.post(f"/assessment/frameworks/{fid}/preview?csrf_token={b_token}",
                     files={"file": ("k.csv", CSV.encode(), "text/csv")})
    assert r.status_code == 403
    r = await b.post(f"/assessment/frameworks/{fid}/use", data={"csrf_token": b_token,
                                                                 "use": "0"})
    assert r.status_code == 303
    assert (await b.get(f"/assessment/frameworks/{fid}")).status_code == 404
    # an unshared framework of A cannot be adopted at all
    private = (await _framework(world, code="KNL-RIENG"))["_id"]
    r = await b.post(f"/assessment/frameworks/{private}/use", data={"csrf_token": b_token,
                                                                     "use": "1"})
    assert r.status_code == 404
    # a form without the token is refused
    r = await b.post(f"/assessment/frameworks/{fid}/use", data={"use": "1"})
    assert r.status_code == 403


async def test_upload_preview_lists_every_line_error_and_stores_nothing(client_for, world):
    planner, token = await browser(client_for, "planner_a")
    bad = CSV + "CM,Năng lực chuyên môn,,NL-CDS-01,Trùng mã,,,,,,,\nCM,,,có dấu cách,Tên,,,,,,,\n"
    r = await planner.post(f"/assessment/frameworks/preview?csrf_token={token}",
                           data={"code": "KNL-A", "format": "auto"},
                           files={"file": ("khung.csv", bad.encode(), "text/csv")})
    assert r.status_code == 422
    page = text_of(r.text)
    assert "Tệp có lỗi, không nhập được" in page and "Chưa lưu gì." in page
    assert "Dòng 5 Mã năng lực NL-CDS-01 trùng với dòng 2." in page
    assert "Dòng 6 Mã năng lực “có dấu cách” không hợp lệ" in page
    assert 'name="content"' not in r.text  # nothing to store
    assert await Framework.all().count() == 0 and await Competency.all().count() == 0

    case = json.dumps({"CFDocument": {"title": "X"}, "CFItems": [
        {"identifier": "a", "fullStatement": "Không mã"}]})
    r = await planner.post(f"/assessment/frameworks/preview?csrf_token={token}",
                           data={"code": "KNL-B"},
                           files={"file": ("khung.json", case.encode(), "application/json")})
    assert r.status_code == 422 and "Mục 0" in r.text and "humanCodingScheme" in r.text
    r = await planner.post(f"/assessment/frameworks/preview?csrf_token={token}",
                           data={"code": "KNL-B"})
    assert r.status_code == 422 and "Hãy chọn tệp khung năng lực" in r.text
    assert await Framework.all().count() == 0


async def test_a_previewed_file_is_stored_then_merged(client_for, world):
    planner, token = await browser(client_for, "planner_a")
    r = await planner.post(f"/assessment/frameworks/preview?csrf_token={token}",
                           data={"code": "có dấu", "name": "Khung xã"},
                           files={"file": ("khung.csv", CSV.encode(), "text/csv")})
    assert r.status_code == 422 and "Mã chỉ gồm chữ không dấu" in r.text  # the code, not the file
    r = await planner.post(f"/assessment/frameworks/preview?csrf_token={token}",
                           data={"code": "KNL-A", "name": "Khung xã", "shared": "1"},
                           files={"file": ("khung.csv", CSV.encode(), "text/csv")})
    assert r.status_code == 200, r.text
    assert "3 năng lực, 2 nhóm" in text_of(r.text) and "Soạn thảo văn bản hành chính" in r.text
    assert await Framework.all().count() == 0  # a preview stores nothing
    content = re.search(r'name="content" value="([^"]+)"', r.text).group(1)
    store = {"format": "csv", "content": content, "code": "KNL-A", "name": "Khung xã",
             "shared": "1"}
    r = await planner.post(f"/assessment/frameworks?csrf_token={token}", files={"x": ("", b"")},
                           data=store)
    assert r.status_code == 303, r.text
    framework = await Framework.get(code="KNL-A")
    assert r.headers["location"].startswith(f"/assessment/frameworks/{framework.id}?notice=created")
    assert framework.name == "Khung xã" and framework.shared is True
    assert await Competency.filter(framework_id=framework.id).count() == 3
    page = await planner.get(r.headers["location"])
    assert "Đã tạo khung năng lực: 3 năng lực." in text_of(page.text)
    # the same code again: shown on the preview, nothing stored twice
    r = await planner.post(f"/assessment/frameworks?csrf_token={token}", files={"x": ("", b"")},
                           data=store)
    assert r.status_code == 409 and "Đã có khung năng lực mã KNL-A." in r.text
    # a tampered content is refused readably
    r = await planner.post(f"/assessment/frameworks?csrf_token={token}", files={"x": ("", b"")},
                           data={**store, "content": "không-phải-base64"})
    assert r.status_code == 422 and "hãy tải tệp lên lại" in r.text

    # merging: one competency changed, one added; the preview says which
    more = CSV.replace("Dịch vụ công trực tuyến,", "Dịch vụ công trực tuyến mức độ 4,") + \
        "CM,Năng lực chuyên môn,Professional,NL-VB-02,Lưu trữ hồ sơ,Records,,Biết,,,,\n"
    r = await planner.post(f"/assessment/frameworks/{framework.id}/preview?csrf_token={token}",
                           files={"file": ("them.csv", more.encode(), "text/csv")})
    assert r.status_code == 200
    page = text_of(r.text)
    assert "1 năng lực mới, 3 năng lực cập nhật" in page and "Thêm mới" in page
    content = re.search(r'name="content" value="([^"]+)"', r.text).group(1)
    assert await Competency.filter(framework_id=framework.id).count() == 3
    r = await planner.post(f"/assessment/frameworks/{framework.id}/import?csrf_token={token}",
                           files={"x": ("", b"")},
                           data={"format": "csv", "content": content, "shared": "1"})
    assert r.status_code == 303
    assert "notice=merged&added=1&updated=3" in r.headers["location"]
    assert await Competency.filter(framework_id=framework.id).count() == 4
    assert (await Competency.get(code="NL-CDS-02")).name == "Dịch vụ công trực tuyến mức độ 4"
    # B may not merge into A's framework, nor read it
    b, b_token = await browser(client_for, "planner_b")
    r = await b.post(f"/assessment/frameworks/{framework.id}/import?csrf_token={b_token}",
                     files={"x": ("", b"")}, data={"format": "csv", "content": content})
    assert r.status_code == 404


# --- position requirements ----------------------------------------------------------------------

async def test_position_requirements_form_validates_and_stores(client_for, world):
    comp = await _framework(world)
    position = await JobPosition.create(institution_id=world.inst["a"], code="CV-MC",
                                        title="Công chức một cửa")
    await PositionCompetency.create(institution_id=world.inst["a"], position=position,
                                    code="NL-CU", required_level=2)  # no framework knows it
    admin, token = await browser(client_for, "admin_a")
    listed = await admin.get("/assessment/positions")
    assert listed.status_code == 200 and "Công chức một cửa" in listed.text
    edit = await admin.get(f"/assessment/positions/{position.id}")
    assert edit.status_code == 200
    assert '<option value="NL-VB-01">NL-VB-01 · Soạn thảo văn bản hành chính</option>' in edit.text
    assert "Không có trong khung năng lực đang dùng" in edit.text  # NL-CU kept visible
    url = f"/assessment/positions/{position.id}"

    def rows(*items):
        data = {"csrf_token": token, "code": [], "level": [], "mandatory": [], "weight": []}
        for code, level, mandatory, weight in items:
            data["code"].append(code)
            data["level"].append(level)
            data["mandatory"].append(mandatory)
            data["weight"].append(weight)
        return data

    r = await admin.post(url, data=rows(("NL-CDS-01", "7", "1", "1"), ("NL-CDS-02", "2", "0", "x"),
                                        ("NL-KHONG-CO", "3", "1", "1"),
                                        ("NL-CDS-01", "2", "1", "1")))
    assert r.status_code == 422
    page = text_of(r.text)
    assert "Chưa lưu: hãy sửa các ô được đánh dấu." in page
    assert "Mức yêu cầu là một số từ 1 đến 5." in page
    assert "Trọng số là một số từ 0 đến 100." in page
    assert "Mã NL-KHONG-CO không có trong khung năng lực nào đang dùng." in page
    assert "Năng lực này đã có ở dòng 1." in page
    assert 'aria-invalid="true"' in r.text
    assert await PositionCompetency.filter(position_id=position.id).count() == 1  # unchanged

    r = await admin.post(url, data={**rows(("NL-CDS-01", "3", "1", "1")), "action": "more"})
    assert r.status_code == 200 and r.text.count('name="code"') == 1 + 3 + 3  # kept + blanks
    assert await PositionCompetency.filter(position_id=position.id).count() == 1

    r = await admin.post(url, data=rows(("NL-CDS-01", "3", "1", "1"),
                                        ("NL-VB-01", "4", "0", "1,5"), ("", "3", "1", "1"),
                                        ("NL-CU", "2", "1", "1")))
    assert r.status_code == 303 and r.headers["location"] == url + "?notice=saved"
    stored = await PositionCompetency.filter(position_id=position.id).order_by("code").values_list(
        "code", "required_level", "mandatory", "weight")
    assert stored == [("NL-CDS-01", 3, True, 1.0), ("NL-CU", 2, True, 1.0),
                      ("NL-VB-01", 4, False, 1.5)]
    assert "Đã lưu danh sách năng lực yêu cầu." in (await admin.get(r.headers["location"])).text
    assert comp["NL-CDS-01"]

    assert (await (await client_for("planner_a")).get(url)).status_code == 200  # they plan
    assert (await (await client_for("lecturer_a")).get(url)).status_code == 403
    other, other_token = await browser(client_for, "admin_b")
    assert (await other.get(url)).status_code == 404
    r = await other.post(url, data={"csrf_token": other_token, "code": "NL-CDS-01",
                                    "level": "3", "mandatory": "1", "weight": "1"})
    assert r.status_code == 404
    assert await PositionCompetency.filter(position_id=position.id).count() == 3


# --- training needs -----------------------------------------------------------------------------

async def test_unit_needs_page_and_the_supervisors_subtree(client_for, world):
    await _needs_world(client_for, world)
    planner = await client_for("planner_a")
    r = await planner.get("/assessment/needs")
    assert r.status_code == 200
    page = text_of(r.text)
    assert "Bao nhiêu người cần năng lực nào" in page
    assert "NL-CDS-01 Nhận thức chuyển đổi số 3 3" in page  # three people, all mandatory
    for name in ("Lê Thị Chuyên Viên", "Nguyễn Văn Trainee A", "Trần Thị Bình A"):
        assert name in page
    assert "Chưa đạt chuẩn" in page and "Công chức một cửa" in page

    sup = await client_for("supervisor_a")
    r = await sup.get("/assessment/needs")
    assert r.status_code == 200
    assert "Nguyễn Văn Trainee A" in r.text and "Lê Thị Chuyên Viên" in r.text
    assert "Trần Thị Bình A" not in r.text  # another unit
    assert "Toàn bộ cơ quan" not in r.text and "Phòng khác" not in r.text
    assert (await sup.get(f"/assessment/needs?unit_id={world.units['a-other']}")).status_code \
        == 403
    child = await sup.get(f"/assessment/needs?unit_id={world.units['a-child']}")
    assert child.status_code == 200 and "Nguyễn Văn Trainee A" in child.text
    assert (await sup.get(f"/assessment/needs/people/{world.users['trainee2_a']}")
            ).status_code == 403
    assert (await sup.get("/assessment/needs?unit_id=abc")).status_code == 422
    lecturer = await client_for("lecturer_a")
    assert (await lecturer.get("/assessment/needs")).status_code == 403
    assert (await lecturer.get(f"/assessment/needs/people/{world.users['cv_a']}")
            ).status_code == 403
    # another institution's unit and person are not found
    assert (await planner.get(f"/assessment/needs?unit_id={world.units['b']}")).status_code == 404
    b = await client_for("planner_b")
    assert (await b.get(f"/assessment/needs/people/{world.users['cv_a']}")).status_code == 404


async def test_person_page_nominate_warning_recognition_and_approval(client_for, world):
    comp = await _needs_world(client_for, world)
    cv = world.users["cv_a"]
    sup, token = await browser(client_for, "supervisor_a")
    r = await sup.get(f"/assessment/needs/people/{cv}")
    assert r.status_code == 200
    page = text_of(r.text)
    assert "NL-CDS-01 Nhận thức chuyển đổi số 3/5 – 3 Bắt buộc" in page
    assert "OPEN-a" in page and "Cử đi học" in page
    assert "Năng lực còn thiếu mà chưa lớp nào bù được" in page and "NL-VB-01" in page

    # evidence already covers the course: the nomination stops at a warning
    now = datetime.now(timezone.utc)
    for code, level in (("NL-CDS-01", 4), ("NL-CDS-02", 2)):
        await profile.record_evidence(institution_id=world.inst["a"], user_id=cv,
                                      competency_id=comp[code], level=level,
                                      source="prior_certificate", observed_at=now)
    url = f"/assessment/needs/people/{cv}"
    klass = world.classes["a-open"]
    page = await sup.get(url)  # it closes no gap now: offered among the other classes
    assert "Cử đi học lớp khác sắp mở" in page.text
    assert f'<option value="{klass}">OPEN-a · Lớp mở a' in page.text
    r = await sup.post(url + "/nominate", data={"csrf_token": token, "class_id": str(klass)})
    assert r.status_code == 200
    page = text_of(r.text)
    assert "Có thể trùng lặp đào tạo" in page and "Hồ sơ năng lực đã đạt" in page
    assert "Vẫn cử đi học lớp này" in page and "Gửi đề nghị công nhận" in page
    assert not await Enrolment.filter(user_id=cv, klass_id=klass).exists()

    # nominate anyway: through the core
    r = await sup.post(url + "/nominate", data={"csrf_token": token, "class_id": str(klass),
                                                "confirm": "1"})
    assert r.status_code == 303 and r.headers["location"] == url + "?notice=nominated"
    enrolment = await Enrolment.get(user_id=cv, klass_id=klass)
    assert enrolment.status == EnrolmentStatus.NOMINATED
    assert enrolment.nominated_by_id == world.users["supervisor_a"]

    # recognition instead: a reason is required, then one pending request
    r = await sup.post(url + "/exemption", data={"csrf_token": token, "class_id": str(klass),
                                                 "reason": "  "})
    assert r.status_code == 422 and "Hãy ghi căn cứ đề nghị công nhận" in r.text
    r = await sup.post(url + "/exemption", data={"csrf_token": token, "class_id": str(klass),
                                                 "reason": "Chứng chỉ CNTT nâng cao 2025"})
    assert r.status_code == 303 and r.headers["location"] == url + "?notice=exemption"
    exemption = await Exemption.get(user_id=cv)
    assert exemption.status == ExemptionStatus.PENDING and exemption.klass_id == klass
    assert exemption.requested_by_id == world.users["supervisor_a"]
    r = await sup.post(url + "/exemption", data={"csrf_token": token, "class_id": str(klass),
                                                 "reason": "Lần nữa"})
    assert r.status_code == 409 and "đang chờ duyệt" in r.text
    assert "Chứng chỉ CNTT nâng cao 2025" in (await sup.get(url)).text
    # outside the supervisor's unit: refused
    r = await sup.post(f"/assessment/needs/people/{world.users['trainee2_a']}/nominate",
                       data={"csrf_token": token, "class_id": str(klass), "confirm": "1"})
    assert r.status_code == 403
    assert not await Enrolment.filter(user_id=world.users["trainee2_a"], klass_id=klass).exists()

    # the admin's queue: approve with a note records the evidence and withdraws the nomination
    admin, admin_token = await browser(client_for, "admin_a")
    queue = await admin.get("/assessment/exemptions")
    page = text_of(queue.text)
    assert queue.status_code == 200 and "Lê Thị Chuyên Viên" in page
    assert "NL-CDS-01: mức 3" in page and "NL-CDS-02: mức 2" in page
    assert (await sup.get("/assessment/exemptions")).status_code == 403  # admins decide
    decide = f"/assessment/exemptions/{exemption.id}/decide"
    r = await admin.post(decide, data={"csrf_token": admin_token, "decision": "maybe"})
    assert r.status_code == 422 and "Hãy chọn duyệt hoặc từ chối." in r.text
    b, b_token = await browser(client_for, "admin_b")
    r = await b.post(decide, data={"csrf_token": b_token, "decision": "approve"})
    assert r.status_code == 404
    r = await admin.post(decide, data={"csrf_token": admin_token, "decision": "approve",
                                       "note": "Đồng ý công nhận"})
    assert r.status_code == 303 and r.headers["location"].endswith("notice=approved")
    await exemption.refresh_from_db()
    assert exemption.status == ExemptionStatus.APPROVED
    assert exemption.decision_note == "Đồng ý công nhận"
    rows = await Evidence.filter(user_id=cv, source="recognition").values_list(
        "competency_id", "level")
    assert sorted(rows) == sorted([(comp["NL-CDS-01"], 3), (comp["NL-CDS-02"], 2)])
    assert (await Enrolment.get(user_id=cv, klass_id=klass)).status == EnrolmentStatus.WITHDRAWN
    r = await admin.post(decide, data={"csrf_token": admin_token, "decision": "reject"})
    assert r.status_code == 409 and "Đề nghị này đã được xử lý." in r.text
    done = await admin.get("/assessment/exemptions?status=approved")
    assert "Đồng ý công nhận" in done.text
    assert (await admin.get("/assessment/exemptions?status=bogus")).status_code == 422


async def test_nominating_without_a_warning_goes_straight_to_the_core(client_for, world):
    await _needs_world(client_for, world)
    admin, token = await browser(client_for, "admin_a")
    user = world.users["trainee2_a"]
    r = await admin.post(f"/assessment/needs/people/{user}/nominate",
                         data={"csrf_token": token, "class_id": str(world.classes["a-open"])})
    assert r.status_code == 303
    assert (await Enrolment.get(user_id=user, klass_id=world.classes["a-open"])).status == \
        EnrolmentStatus.NOMINATED
    page = await admin.get(r.headers["location"])
    assert "Đã cử đi học; chờ quản trị duyệt." in page.text and "Đã được cử đi học" in page.text
    # a class of another institution, or none, is a readable error
    r = await admin.post(f"/assessment/needs/people/{user}/nominate",
                         data={"csrf_token": token, "class_id": str(world.classes["b-open"])})
    assert r.status_code == 404 and "Không tìm thấy lớp học." in r.text
    r = await admin.post(f"/assessment/needs/people/{user}/nominate",
                         data={"csrf_token": token, "class_id": "x"})
    assert r.status_code == 422 and "Hãy chọn lớp học." in r.text
    # planners see the needs but do not nominate
    planner, p_token = await browser(client_for, "planner_a")
    page = await planner.get(f"/assessment/needs/people/{world.users['cv_a']}")
    assert page.status_code == 200 and "Thủ trưởng đơn vị cử đi học" in page.text
    r = await planner.post(f"/assessment/needs/people/{world.users['cv_a']}/nominate",
                           data={"csrf_token": p_token, "class_id": str(world.classes["a-open"])})
    assert r.status_code == 403


# --- one's own profile --------------------------------------------------------------------------

async def test_own_profile_shows_levels_with_their_evidence(client_for, world, anon):
    comp = await _needs_world(client_for, world)
    me = world.users["trainee_a"]
    now = datetime.now(timezone.utc)
    await profile.record_evidence(institution_id=world.inst["a"], user_id=me,
                                  competency_id=comp["NL-CDS-01"], level=2, source="course",
                                  observed_at=now - timedelta(days=30))
    await profile.record_evidence(institution_id=world.inst["a"], user_id=me,
                                  competency_id=comp["NL-CDS-01"], level=4, source="supervisor",
                                  observed_at=now - timedelta(days=3),
                                  expires_at=datetime(2031, 6, 30, 12, tzinfo=timezone.utc))
    await profile.record_evidence(institution_id=world.inst["a"], user_id=me,
                                  competency_id=comp["NL-CDS-02"], level=3, source="practical",
                                  observed_at=now - timedelta(days=400),
                                  expires_at=now - timedelta(days=35))
    trainee = await client_for("trainee_a")
    r = await trainee.get("/assessment/me")
    assert r.status_code == 200
    page = text_of(r.text)
    assert "Hồ sơ năng lực của tôi" in page and "Công chức một cửa" in page
    levels = (await profile.current_levels([me]))[me]
    assert levels == {comp["NL-CDS-01"]: 4}  # the highest valid; the practical one expired
    assert "NL-CDS-01 Nhận thức chuyển đổi số 3/5 bắt buộc 4/5 Thủ trưởng đánh giá, mức 4" in page
    assert "hiệu lực đến 30/06/2031" in page
    assert "NL-CDS-02 Dịch vụ công trực tuyến 2/5 bắt buộc – còn thiếu 2" in page
    assert "Chưa có minh chứng còn hiệu lực" in page and "Đã hết hạn" in page
    assert "Hoàn thành khoá học: mức 2" in page
    assert "Chưa đạt chuẩn" in page
    # another person's evidence never shows
    other = await client_for("trainee2_a")
    assert "Thủ trưởng đánh giá, mức 4" not in (await other.get("/assessment/me")).text
    # the menu: everyone has their profile, only planners the frameworks
    home = await trainee.get("/assessment/me")
    assert 'href="/assessment/me"' in home.text and 'href="/assessment/frameworks"' not in home.text
    planner = await client_for("planner_a")
    menu = (await planner.get("/assessment/me")).text
    assert 'href="/assessment/frameworks"' in menu and 'href="/assessment/needs"' in menu
    assert 'href="/assessment/exemptions"' not in menu
    r = await anon.get("/assessment/me")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
