"""Administration pages the blended-class journey (tests/browser/test_journey.py) needed: the
institution's staff list imported on the users page without enrolling anyone, a password given
by an admin to a person (the imported have none), and a class ended from its page. Forms post
like a browser: the CSRF token in the form only."""

from __future__ import annotations

import io

from conftest import PASSWORD

from lms_core.models import (
    CourseClass, Enrolment, EnrolmentStatus, EventLog, JobPosition, Membership, Role, User,
)
from lms_core.models.classes import ClassStatus


async def form_client(client_for, login: str):
    client = await client_for(login)
    del client.headers["X-CSRF-Token"]
    token = (await client.get("/api/v1/me")).json()["csrf_token"]
    return client, token


def _xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    sheet.append(["STT", "Họ và tên", "Email", "Đơn vị", "Vị trí việc làm", "Tên đăng nhập"])
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_the_users_page_imports_the_staff_list_and_enrols_nobody(client_for, world):
    position = await JobPosition.create(institution_id=world.inst["a"], code="CV-MC",
                                        title="Công chức một cửa")
    admin, token = await form_client(client_for, "admin_a")
    page = await admin.get("/admin/users")
    assert "Nhập danh sách nhân sự" in page.text and 'action="/admin/users/import' in page.text
    enrolments = await Enrolment.all().count()
    data = _xlsx([[1, "Lê Thị Ánh", "anh@example.vn", "Phòng Tổ chức", "Công chức một cửa",
                   None],
                  [2, "Trần Thị Bình", "t2a@example.vn", "Phòng khác", None, "trainee2_a"]])
    r = await admin.post(f"/admin/users/import?csrf_token={token}",
                         files={"file": ("danh-sach.xlsx", data, XLSX)})
    assert r.status_code == 200, r.text[-2000:]
    assert "Đã nhập xong: tạo mới 1, cập nhật 1 người." in r.text
    anh = await User.get(login="anh@example.vn")
    assert (anh.unit_id, anh.job_position_id) == (world.units["a-child"], position.id)
    assert await Membership.filter(user=anh, institution_id=world.inst["a"],
                                   role=Role.TRAINEE).exists()
    assert await Enrolment.all().count() == enrolments  # the list enrols nobody

    bad = _xlsx([[1, "Võ Văn Cường", "cuong@example.vn", "Phòng Không Có", None, None]])
    r = await admin.post(f"/admin/users/import?csrf_token={token}",
                         files={"file": ("sai.xlsx", bad, XLSX)})
    assert r.status_code == 422
    assert "Chưa nhập dữ liệu nào: tệp có 1 lỗi cần sửa." in r.text and "Phòng Không Có" in r.text
    assert not await User.filter(login="cuong@example.vn").exists()
    r = await admin.post(f"/admin/users/import?csrf_token={token}", data={"x": "1"}, files={})
    assert r.status_code == 422 and "Hãy chọn tệp danh sách" in r.text

    lecturer, lecturer_token = await form_client(client_for, "lecturer_a")
    r = await lecturer.post(f"/admin/users/import?csrf_token={lecturer_token}",
                            files={"file": ("danh-sach.xlsx", data, XLSX)})
    assert r.status_code == 403


async def test_an_admin_gives_a_person_a_password(anon, client_for, world):
    admin, token = await form_client(client_for, "admin_a")
    trainee = world.users["trainee2_a"]
    page = await admin.get("/admin/users", params={"q": "trainee2_a"})
    assert f'action="/admin/users/{trainee}/password"' in page.text
    assert "Mật khẩu mới cho Trần Thị Bình A" in page.text  # each row's field is named
    r = await admin.post(f"/admin/users/{trainee}/password",
                         data={"csrf_token": token, "password": "Mot-cua-2026"})
    assert r.status_code == 303
    assert r.headers["location"] == "/admin/users?q=trainee2_a&password_set=trainee2_a"
    shown = await admin.get(r.headers["location"])
    assert "Đã đặt mật khẩu cho trainee2_a" in shown.text
    r = await anon.post("/api/v1/auth/login", json={"login": "trainee2_a",
                                                    "password": "Mot-cua-2026"})
    assert r.status_code == 200, r.text
    assert (await User.get(id=trainee)).session_epoch == 1  # older sessions ended

    r = await admin.post(f"/admin/users/{trainee}/password",
                         data={"csrf_token": token, "password": "ngan"})
    assert r.status_code == 422 and "Mật khẩu phải có ít nhất" in r.text
    r = await admin.post(f"/admin/users/{trainee}/password", data={"csrf_token": token})
    assert r.status_code == 422 and "Hãy nhập mật khẩu mới." in r.text
    r = await admin.post(f"/admin/users/{world.users['trainee_b']}/password",
                         data={"csrf_token": token, "password": "Mot-cua-2026"})
    assert r.status_code == 404  # another institution's person
    r = await admin.post(f"/admin/users/{trainee}/password",
                         data={"password": "Mot-cua-2026"})
    assert r.status_code == 403  # no CSRF token
    lecturer, lecturer_token = await form_client(client_for, "lecturer_a")
    r = await lecturer.post(f"/admin/users/{trainee}/password",
                            data={"csrf_token": lecturer_token, "password": "Mot-cua-2026"})
    assert r.status_code == 403
    r = await anon.post("/api/v1/auth/login", json={"login": "trainee2_a", "password": PASSWORD})
    assert r.status_code == 401  # still the admin's password


async def test_a_class_ends_from_its_admin_page(client_for, world):
    admin, token = await form_client(client_for, "admin_a")
    class_id = world.classes["a"]
    page = await admin.get(f"/admin/classes/{class_id}")
    assert "Kết thúc lớp học" in page.text
    r = await admin.post(f"/admin/classes/{class_id}/end", data={"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"].endswith("?notice=ended")
    assert (await CourseClass.get(id=class_id)).status == ClassStatus.ENDED
    assert await EventLog.filter(name="class_ended").count() == 1
    page = await admin.get(r.headers["location"])
    assert "Lớp học đã kết thúc." in page.text and 'action="/admin/classes/' \
        f'{class_id}/end"' not in page.text
    r = await admin.post(f"/admin/classes/{class_id}/end", data={"csrf_token": token})
    assert r.status_code == 409 and "Lớp đã kết thúc." in r.text
    # ended: the roster's people can only be marked completed, as the core's rule says
    e = await Enrolment.get(klass_id=class_id, user_id=world.users["trainee_a"])
    assert e.status == EnrolmentStatus.ACTIVE
    r = await admin.post(f"/admin/classes/{world.classes['b']}/end", data={"csrf_token": token})
    assert r.status_code == 404
    lecturer, lecturer_token = await form_client(client_for, "lecturer_a")
    r = await lecturer.post(f"/admin/classes/{world.classes['a-open']}/end",
                            data={"csrf_token": lecturer_token})
    assert r.status_code == 403
    assert (await CourseClass.get(id=world.classes["a-open"])).status != ClassStatus.ENDED
