"""The server-rendered pages: login, home, course and lesson, language, the admin pages and their
forms (classes, enrolling, staff-list upload, users, plugins), CSRF on forms, and the guard that
every template msgid has a Vietnamese translation."""

from __future__ import annotations

import io
import re
import types
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from conftest import PASSWORD
from lms_core.models import (
    ClassLecturer, CourseClass, DeliveryMode, Enrolment, EnrolmentStatus, Membership, Role, User,
)
from lms_core.models.classes import ClassStatus
from lms_core.plugin_api import PluginInfo
from lms_core.web.admin import ENUM_MSGIDS, MAX_UPLOAD_BYTES

ROOT = Path(__file__).resolve().parent.parent

toy_plugin = types.ModuleType("lms_test_toy_plugin")
toy_plugin.PLUGIN_INFO = PluginInfo(name="toy", version="0.0.1", title="Thành phần thử")


@pytest.fixture
def extra_plugins():
    """A plugin of the test's own, so disabling one does not depend on other plugins' state."""
    return [toy_plugin]


async def form_client(client_for, login: str):
    """A logged-in client that, like a browser, sends the CSRF token only in the form."""
    client = await client_for(login)
    del client.headers["X-CSRF-Token"]
    token = (await client.get("/api/v1/me")).json()["csrf_token"]
    assert token
    return client, token


def cells(html: str, table_class: str) -> list[list[str]]:
    table = re.search(rf'<table class="{table_class}">(.*?)</table>', html, re.S)
    assert table, f"no table {table_class}"
    body = table.group(1).split("<tbody>", 1)[1]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


# --- pages every user sees ------------------------------------------------------------------

async def test_login_form_flow_and_open_redirect(anon, world):
    r = await anon.get("/admin/classes")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/admin/classes"
    r = await anon.get("/login", params={"next": "//evil.com/x"})
    assert r.status_code == 200 and 'name="next" value="/"' in r.text
    assert "Tên đăng nhập" in r.text and "Mật khẩu" in r.text

    r = await anon.post("/login", data={"login": "trainee_a", "password": "sai-mat-khau",
                                        "next": "/courses"})
    assert r.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu." in r.text
    assert 'value="trainee_a"' in r.text  # the login is kept
    assert (await anon.get("/")).status_code == 303  # still logged out

    r = await anon.post("/login", data={"login": "trainee_a", "password": PASSWORD,
                                        "next": "/courses"})
    assert r.status_code == 303 and r.headers["location"] == "/courses"
    for evil in ("//evil.com", "https://evil.com/", "/\\evil.com", "javascript:alert(1)"):
        r = await anon.post("/login", data={"login": "trainee_a", "password": PASSWORD,
                                            "next": evil})
        assert r.status_code == 303 and r.headers["location"] == "/", evil
    r = await anon.get("/")
    assert r.status_code == 200 and "Lớp a" in r.text


async def test_home_course_lesson_and_marking_completed(client_for, world):
    trainee, token = await form_client(client_for, "trainee_a")
    course = world.courses["a"]
    home = await trainee.get("/")
    assert home.status_code == 200
    assert "Lớp của tôi" in home.text and "Lớp a" in home.text and "Đang học" in home.text
    assert "Lớp b" not in home.text
    assert "Lớp mở a" in home.text  # the open class trainees may join

    page = await trainee.get(f"/courses/{course}")
    assert page.status_code == 200 and "Bài 1" in page.text and "Bài 3" in page.text
    assert "Đã hoàn thành 0/3 bài" in page.text

    lesson = await trainee.get(f"/courses/{course}/m/bai-1")
    assert lesson.status_code == 200
    assert "<h1>Bài 1</h1>" in lesson.text and "Đánh dấu đã học xong" in lesson.text
    assert f'name="csrf_token" value="{token}"' in lesson.text

    r = await trainee.post(f"/courses/{course}/m/bai-1/complete", data={"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == f"/courses/{course}"
    page = await trainee.get(f"/courses/{course}")
    assert "Đã hoàn thành 1/3 bài" in page.text and 'aria-valuenow="33"' in page.text


async def test_language_switch_makes_pages_english(client_for, world):
    trainee, token = await form_client(client_for, "trainee_a")
    r = await trainee.get("/")
    assert '<html lang="vi">' in r.text and "Lớp của tôi" in r.text
    r = await trainee.post("/lang", data={"lang": "en", "next": "/", "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/"
    r = await trainee.get("/")
    assert '<html lang="en">' in r.text
    assert "My classes" in r.text and "Active" in r.text and "Lớp của tôi" not in r.text
    assert (await User.get(id=world.users["trainee_a"])).locale == "en"
    r = await trainee.get(f"/courses/{world.courses['a']}")
    assert "Completed 0 of 3 modules" in r.text
    r = await trainee.get("/admin/classes")
    assert r.status_code == 403 and "You are not allowed to do this." in r.text


# --- admin pages ----------------------------------------------------------------------------

async def test_admin_pages_for_admin_and_not_for_trainee(client_for, world):
    admin, _ = await form_client(client_for, "admin_a")
    trainee, token = await form_client(client_for, "trainee_a")
    pages = ["/admin/classes", f"/admin/classes/{world.classes['a']}", "/admin/users",
             "/admin/plugins"]
    for url in pages:
        r = await admin.get(url)
        assert r.status_code == 200, (url, r.text[:500])
        r = await trainee.get(url)
        assert r.status_code == 403, url
        assert "Bạn không có quyền thực hiện thao tác này." in r.text
    classes = (await admin.get("/admin/classes")).text
    assert "K-a" in classes and "OPEN-a" in classes and "K-b" not in classes
    assert "1 / 10" in classes  # seats taken / capacity
    users = (await admin.get("/admin/users")).text
    assert "Trần Thị Bình A" in users and "Trần Thị Bình B" not in users
    # Another institution's class is not found, not shown.
    r = await admin.get(f"/admin/classes/{world.classes['b']}")
    assert r.status_code == 404 and "Lớp b" not in r.text
    for url, data in [("/admin/classes", {"code": "X"}), ("/admin/users", {"login": "x"}),
                      ("/admin/plugins/toy", {"enabled": "0"}),
                      (f"/admin/classes/{world.classes['a']}/enrol",
                       {"user_id": str(world.users["trainee2_a"])})]:
        r = await trainee.post(url, data={**data, "csrf_token": token})
        assert r.status_code == 403, url
    assert await Enrolment.filter(user_id=world.users["trainee2_a"]).count() == 0


async def test_create_class_through_the_form(client_for, world):
    admin, token = await form_client(client_for, "admin_a")
    page = await admin.get("/admin/classes")
    assert f'name="csrf_token" value="{token}"' in page.text
    assert "Nguyễn Văn Lecturer A" in page.text and "Nguyễn Văn Lecturer B" not in page.text
    form = {"csrf_token": token, "course_id": str(world.courses["a"]), "code": "K-MOI",
            "title": "Lớp bồi dưỡng kỹ năng số", "starts_on": "2026-12-01",
            "ends_on": "2026-12-05", "delivery_mode": "online", "capacity": "2",
            "self_enrol": "1", "location": "Hội trường A",
            "lecturer_ids": [str(world.users["lecturer_a"])]}
    r = await admin.post("/admin/classes", data=form)
    assert r.status_code == 303, r.text[:2000]
    klass = await CourseClass.get(institution_id=world.inst["a"], code="K-MOI")
    assert r.headers["location"] == f"/admin/classes/{klass.id}?notice=created"
    assert klass.delivery_mode == DeliveryMode.ONLINE and klass.capacity == 2
    assert klass.self_enrol and str(klass.ends_on) == "2026-12-05"
    assert await ClassLecturer.filter(klass=klass, user_id=world.users["lecturer_a"]).exists()
    page = await admin.get(r.headers["location"])
    assert "Đã tạo lớp học." in page.text and "Trực tuyến" in page.text
    assert "Nguyễn Văn Lecturer A" in page.text
    found = (await admin.get("/admin/classes", params={"q": "KY NANG so"})).text
    assert "K-MOI" in found and "OPEN-a" not in found

    # The same code again: the service's message next to the form, the input kept.
    r = await admin.post("/admin/classes", data={**form, "title": "Lớp trùng mã"})
    assert r.status_code == 409
    assert "Mã lớp K-MOI đã có." in r.text and 'value="Lớp trùng mã"' in r.text
    # Field errors, each next to its field; nothing is created.
    bad = {**form, "code": "mã có dấu", "title": "", "ends_on": "2026-11-01",
           "capacity": "-3", "delivery_mode": "by-pigeon", "lecturer_ids": ["²"]}
    r = await admin.post("/admin/classes", data=bad)
    assert r.status_code == 422
    for field, message in [("code", "Mã lớp chỉ gồm chữ không dấu"),
                           ("title", "Hãy nhập tên lớp."),
                           ("ends_on", "Ngày kết thúc phải sau ngày bắt đầu."),
                           ("capacity", "Sĩ số tối đa là một số"),
                           ("delivery_mode", "Hình thức học không hợp lệ."),
                           ("lecturer_ids", "Giảng viên không hợp lệ.")]:
        assert re.search(rf'id="err-{field}"[^>]*>{message}', r.text), field
    assert 'value="mã có dấu"' in r.text
    # Another institution's course and lecturer are refused.
    r = await admin.post("/admin/classes", data={**form, "code": "K-B1",
                                                  "course_id": str(world.courses["b"])})
    assert r.status_code == 422 and "Khoá học không tồn tại." in r.text
    r = await admin.post("/admin/classes", data={
        **form, "code": "K-B2", "lecturer_ids": [str(world.users["lecturer_b"])]})
    assert r.status_code == 422 and "Không phải giảng viên của đơn vị" in r.text
    assert await CourseClass.filter(institution_id=world.inst["a"]).count() == 3


async def test_enrol_approve_and_withdraw_through_the_forms(client_for, world):
    admin, token = await form_client(client_for, "admin_a")
    class_id = world.classes["a"]
    r = await admin.get(f"/admin/classes/{class_id}", params={"q": "tran thi BINH"})
    assert r.status_code == 200
    assert "Trần Thị Bình A" in r.text and "Trần Thị Bình B" not in r.text
    assert "Nguyễn Văn Trainee A" in r.text  # on the roster
    assert f'name="user_id" value="{world.users["trainee2_a"]}"' in r.text

    r = await admin.post(f"/admin/classes/{class_id}/enrol", data={
        "csrf_token": token, "user_id": str(world.users["trainee2_a"]), "status": "nominated"})
    assert r.status_code == 303
    e = await Enrolment.get(klass_id=class_id, user_id=world.users["trainee2_a"])
    assert e.status == EnrolmentStatus.NOMINATED
    page = await admin.get(r.headers["location"])
    assert "Đã ghi danh vào lớp." in page.text and "Được cử đi học" in page.text
    assert f'action="/admin/classes/{class_id}/enrolments/{e.id}"' in page.text
    assert "Duyệt" in page.text and "Rút khỏi lớp" in page.text

    url = f"/admin/classes/{class_id}/enrolments/{e.id}"
    r = await admin.post(url, data={"csrf_token": token, "status": "approved"})
    assert r.status_code == 303
    await e.refresh_from_db()
    assert e.status == EnrolmentStatus.APPROVED and e.approved_by_id == world.users["admin_a"]
    r = await admin.post(url, data={"csrf_token": token, "status": "withdrawn"})
    assert r.status_code == 303
    await e.refresh_from_db()
    assert e.status == EnrolmentStatus.WITHDRAWN
    assert "Đã rút" in (await admin.get(f"/admin/classes/{class_id}")).text
    # A transition the life cycle forbids is explained on the page, in Vietnamese.
    trainee_e = await Enrolment.get(klass_id=class_id, user_id=world.users["trainee_a"])
    r = await admin.post(f"/admin/classes/{class_id}/enrolments/{trainee_e.id}",
                         data={"csrf_token": token, "status": "approved"})
    assert r.status_code == 409 and "Không thể chuyển trạng thái ghi danh" in r.text
    # Someone from another institution cannot be enrolled.
    r = await admin.post(f"/admin/classes/{class_id}/enrol", data={
        "csrf_token": token, "user_id": str(world.users["trainee_b"])})
    assert r.status_code == 404 and "Không tìm thấy người dùng." in r.text
    assert not await Enrolment.filter(user_id=world.users["trainee_b"],
                                      klass_id=class_id).exists()


async def test_csv_with_two_bad_rows_lists_both_and_creates_nobody(client_for, world):
    admin, token = await form_client(client_for, "admin_a")
    class_id = world.classes["a"]
    users_before = await User.all().count()
    csv_text = ("Họ và tên,Email,Đơn vị\n"
                "Lê Thị Hoa,hoa@example.vn,Phòng Tổ chức\n"
                "Phạm Văn Nam,khong-phai-email,\n"
                "Đỗ Minh Tuấn,tuan@example.vn,\n"
                "Vũ Thị Lan,lan@example.vn,Phòng Không Có\n")
    r = await admin.post(f"/admin/classes/{class_id}/import?csrf_token={token}",
                         files={"file": ("danh-sach.csv", csv_text.encode("utf-8"), "text/csv")})
    assert r.status_code == 422
    rows = cells(r.text, "import-errors")
    assert [row[0] for row in rows] == ["3", "5"]
    assert rows[0][1] == "Email" and "khong-phai-email" in rows[0][2]
    assert "Phòng Không Có" in rows[1][2]
    assert "Chưa nhập dữ liệu nào: tệp có 2 lỗi cần sửa." in r.text
    assert await User.all().count() == users_before
    assert await Enrolment.filter(klass_id=class_id).count() == 1


async def test_good_xlsx_creates_users_and_enrols_them(client_for, world):
    from openpyxl import Workbook

    admin, token = await form_client(client_for, "admin_a")
    class_id = world.classes["a"]
    book = Workbook()
    sheet = book.active
    sheet.append(["DANH SÁCH CÁN BỘ CỬ ĐI HỌC"])
    sheet.append(["STT", "Họ và tên", "Email", "Đơn vị", "Tên đăng nhập"])
    sheet.append([1, "Lê Thị Hoa", "hoa@example.vn", "phong to chuc", None])
    sheet.append([2, "Phạm Văn Nam", "nam@example.vn", None, "pvnam"])
    sheet.append([3, "Trần Thị Bình", "t2a@example.vn", None, "trainee2_a"])
    buf = io.BytesIO()
    book.save(buf)
    r = await admin.post(
        f"/admin/classes/{class_id}/import?csrf_token={token}",
        files={"file": ("Danh sách.xlsx", buf.getvalue(),
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")})
    assert r.status_code == 200, r.text[-3000:]
    assert "Đã nhập xong: tạo mới 2, cập nhật 1, ghi danh vào lớp 3 người." in r.text
    hoa = await User.get(login="hoa@example.vn")
    assert hoa.full_name == "Lê Thị Hoa" and hoa.unit_id == world.units["a-child"]
    assert await Membership.filter(user=hoa, institution_id=world.inst["a"],
                                   role=Role.TRAINEE).exists()
    nam = await User.get(login="pvnam")
    for uid in (hoa.id, nam.id, world.users["trainee2_a"]):
        e = await Enrolment.get(klass_id=class_id, user_id=uid)
        assert e.status == EnrolmentStatus.ACTIVE
    assert "Lê Thị Hoa" in r.text and "Phạm Văn Nam" in r.text  # now on the roster


async def test_upload_limits_and_whole_file_errors(client_for, world):
    admin, token = await form_client(client_for, "admin_a")
    url = f"/admin/classes/{world.classes['a']}/import?csrf_token={token}"
    users_before = await User.all().count()
    big = b"Ho va ten,Email\n" + b"x" * MAX_UPLOAD_BYTES
    r = await admin.post(url, files={"file": ("lon.csv", big, "text/csv")})
    assert r.status_code == 413 and "Tệp quá lớn: tối đa 5 MB." in r.text
    r = await admin.post(url, files={"file": ("lon.csv", big + b"x" * 100_000, "text/csv")})
    assert r.status_code == 413 and "Tệp quá lớn: tối đa 5 MB." in r.text
    r = await admin.post(url, files={"file": ("ghi-chu.txt", b"abc", "text/plain")})
    assert r.status_code == 422 and "Định dạng tệp không được hỗ trợ" in r.text
    r = await admin.post(url, files={"file": ("hong.xlsx", b"not a zip", "application/zip")})
    assert r.status_code == 422 and "Tệp không phải là tệp Excel .xlsx hợp lệ." in r.text
    r = await admin.post(url, data={"nothing": "here"}, files={})
    assert r.status_code == 422 and "Hãy chọn tệp danh sách" in r.text
    assert await User.all().count() == users_before


async def test_users_page_search_and_create_user(app, client_for, world):
    admin, token = await form_client(client_for, "admin_a")
    r = await admin.get("/admin/users", params={"q": "TRAN thi"})
    assert r.status_code == 200
    assert "Trần Thị Bình A" in r.text and "Nguyễn Văn Trainee A" not in r.text
    assert "Học viên" in r.text and "Phòng khác" in r.text  # role and unit
    # Vietnamese order: by given name, and đ after d (a plain sort gets both wrong).
    from lms_core.services.users import create_user
    for login, name in [("hv1", "Lê Văn Đức"), ("hv2", "Trần Văn Dũng"), ("hv3", "Vũ Văn An")]:
        await create_user(app.state.lms.plugins, world.inst["a"], login=login,
                          email=f"{login}@example.vn", full_name=name)
    text = (await admin.get("/admin/users", params={"q": "van"})).text
    positions = [text.index(n) for n in ("Vũ Văn An", "Trần Văn Dũng", "Lê Văn Đức")]
    assert positions == sorted(positions)
    r = await admin.post("/admin/users", data={
        "csrf_token": token, "login": "gv.hoang", "email": "hoang@example.vn",
        "full_name": "Hoàng Văn Giảng", "password": "mot-mat-khau-dai", "roles": ["lecturer"],
        "unit_id": str(world.units["a"]), "locale": "vi"})
    assert r.status_code == 303
    user = await User.get(login="gv.hoang")
    assert user.unit_id == world.units["a"] and user.full_name == "Hoàng Văn Giảng"
    assert await Membership.filter(user=user, institution_id=world.inst["a"],
                                   role=Role.LECTURER).exists()
    page = await admin.get(r.headers["location"])
    assert "Đã tạo người dùng gv.hoang." in page.text and "Hoàng Văn Giảng" in page.text
    page = await admin.get("/admin/users?created=Hãy+gọi+số+0900")
    assert "Đã tạo người dùng" not in page.text and "0900" not in page.text
    assert "Hoàng Văn Giảng" in (await admin.get("/admin/classes")).text  # a lecturer now
    r = await admin.post("/admin/users", data={
        "csrf_token": token, "login": "admin_a", "email": "x@example.vn",
        "full_name": "Người Trùng Tên", "roles": ["trainee"]})
    assert r.status_code == 409 and "Tên đăng nhập admin_a đã được dùng." in r.text
    assert 'value="Người Trùng Tên"' in r.text
    r = await admin.post("/admin/users", data={
        "csrf_token": token, "login": "ok.login", "email": "ok@example.vn", "full_name": "",
        "roles": ["wizard"]})
    assert r.status_code == 422
    assert "Hãy nhập họ và tên." in r.text and "Hãy chọn ít nhất một vai trò." in r.text
    r = await admin.post("/admin/users", data={
        "csrf_token": token, "login": "ok.login", "email": "ok@example.vn",
        "full_name": "Ai Đó", "roles": ["trainee"], "unit_id": str(world.units["b"])})
    assert r.status_code == 422 and f"Đơn vị {world.units['b']} không tồn tại." in r.text
    assert not await User.filter(login="ok.login").exists()


async def test_disable_and_enable_a_plugin_through_the_form(app, client_for, world):
    admin, token = await form_client(client_for, "admin_a")
    plugins = app.state.lms.plugins
    page = await admin.get("/admin/plugins")
    assert "Thành phần thử" in page.text and "lõi, luôn bật" in page.text
    assert 'action="/admin/plugins/toy"' in page.text
    assert 'action="/admin/plugins/core"' not in page.text
    r = await admin.post("/admin/plugins/toy", data={"csrf_token": token, "enabled": "0"})
    assert r.status_code == 303 and r.headers["location"] == "/admin/plugins"
    assert "toy" not in await plugins.enabled_for(world.inst["a"])
    assert "toy" in await plugins.enabled_for(world.inst["b"])
    page = await admin.get("/admin/plugins")
    assert re.search(r'action="/admin/plugins/toy".*?name="enabled" value="1"', page.text, re.S)
    r = await admin.post("/admin/plugins/toy", data={"csrf_token": token, "enabled": "1"})
    assert r.status_code == 303 and "toy" in await plugins.enabled_for(world.inst["a"])
    r = await admin.post("/admin/plugins/core", data={"csrf_token": token, "enabled": "0"})
    assert r.status_code == 409 and "Không thể tắt thành phần lõi core." in r.text
    r = await admin.post("/admin/plugins/no-such", data={"csrf_token": token, "enabled": "0"})
    assert r.status_code == 404


async def test_form_post_without_csrf_token_is_refused(client_for, world):
    admin, token = await form_client(client_for, "admin_a")
    form = {"course_id": str(world.courses["a"]), "code": "K-CSRF", "title": "Lớp giả mạo"}
    r = await admin.post("/admin/classes", data=form)
    assert r.status_code == 403
    r = await admin.post("/admin/classes", data={**form, "csrf_token": "x" * 32})
    assert r.status_code == 403
    r = await admin.post(f"/admin/classes/{world.classes['a']}/import",
                         files={"file": ("a.csv", b"Ho va ten,Email\nA,a@example.vn\n")})
    assert r.status_code == 403
    assert not await CourseClass.filter(code="K-CSRF").exists()
    assert not await User.filter(email="a@example.vn").exists()


# --- message catalogues ---------------------------------------------------------------------

def _catalogue(lang: str):
    with (ROOT / "lms_core" / "locale" / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\(\w+\)[sd]", text))


def test_every_template_msgid_has_a_vietnamese_translation():
    """The guard against drift: a string added to a template without a translation fails."""
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, f"{filename}:{lineno}")
    assert len(found) > 100 and "My classes" in found and "Import a staff list" in found
    vi = _catalogue("vi")
    problems = []
    for msgid, where in sorted(found.items()):
        entry = vi.get(msgid)
        strings = entry.string if entry is not None else ""
        strings = strings if isinstance(strings, tuple) else (strings,)
        if entry is None or entry.fuzzy or not all(s.strip() for s in strings):
            problems.append(f"{where}: {msgid!r} has no Vietnamese translation")
            continue
        for s in strings:
            if _placeholders(s) != _placeholders(msgid):
                problems.append(f"{where}: {msgid!r} placeholders differ in {s!r}")
    assert not problems, "\n".join(problems)


def test_enum_values_shown_in_templates_are_translated_both_ways():
    values = {m.value for enum in (DeliveryMode, ClassStatus, EnrolmentStatus, Role)
              for m in enum}
    assert values == set(ENUM_MSGIDS)
    vi, en = _catalogue("vi"), _catalogue("en")
    for value in values:
        assert vi.get(value) and vi.get(value).string.strip(), value
        assert en.get(value) and en.get(value).string.strip() not in ("", value), value
    wanted = {"in_person": "Trực tiếp", "online": "Trực tuyến", "blended": "Kết hợp",
              "nominated": "Được cử đi học", "approved": "Đã duyệt", "active": "Đang học",
              "completed": "Đã hoàn thành", "withdrawn": "Đã rút"}
    assert {k: vi.get(k).string for k in wanted} == wanted


async def test_lesson_page_loads_enabled_plugins_page_scripts(client_for, world):
    trainee = await client_for("trainee_a")
    page = await trainee.get(f"/courses/{world.courses['a']}/m/bai-1")
    assert page.status_code == 200
    assert '<script type="module" src="/static/engagement/boot.js">' in page.text
    assert 'data-page="lesson"' in page.text and 'data-enrolled="1"' in page.text
    assert (await trainee.get("/static/engagement/boot.js")).status_code == 200
    admin = await client_for("admin_a")
    r = await admin.put("/api/v1/plugins/engagement", json={"enabled": False})
    assert r.status_code == 200
    page = await trainee.get(f"/courses/{world.courses['a']}/m/bai-1")
    assert "/static/engagement/boot.js" not in page.text


def test_menu_entries_gather_under_their_groups():
    from lms_core.plugin_api import MenuItem
    from lms_core.web.templating import grouped_menu

    items = [MenuItem("home", "Lớp của tôi", "My classes", "/", order=10),
             MenuItem("a", "A", "A", "/a", order=60, group="admin"),
             MenuItem("b", "B", "B", "/b", order=95, group="personal"),
             MenuItem("c", "C", "C", "/c", order=70, group="admin"),
             MenuItem("x", "X", "X", "/x", order=45, group="no-such-group")]
    menu = grouped_menu(items)
    assert [e.get("group", e.get("key")) for e in menu] == ["home", "b", "x", "admin"]
    admin = menu[-1]
    assert admin["label"] == "Quản trị" and [l["url"] for l in admin["links"]] == ["/a", "/c"]
    assert menu[1] == {"url": "/b", "label": "B", "label_en": "B", "key": "b", "order": 40}


async def test_the_admin_menu_is_one_group_that_opens(client_for, world):
    page = (await (await client_for("admin_a")).get("/")).text
    assert '<details class="menu-group">' in page and "<summary>Quản trị</summary>" in page
    assert 'href="/admin/users"' in page and 'aria-current="page"' in page
    trainee = (await (await client_for("trainee_a")).get("/")).text
    assert "<summary>Quản trị</summary>" not in trainee


def test_days_are_written_as_people_write_them():
    from datetime import date

    from lms_core.web.templating import format_day

    assert format_day(date(2026, 12, 2), "vi") == "02/12/2026"
    assert format_day("2026-12-16", "vi") == "16/12/2026"
    assert format_day(date(2026, 12, 2), "en") == "2 Dec 2026"
    assert format_day(None, "vi") == ""
