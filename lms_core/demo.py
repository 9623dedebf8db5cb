"""Demo data for `make demo`: an institution with a unit tree, job positions, the sample course,
a class and one account per role. Idempotent: running it again changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

from lms_core.models import (
    ClassLecturer, CourseClass, Institution, JobPosition, Membership, Unit, User,
)
from lms_core.models.enrolments import EnrolmentStatus
from lms_core.plugins import PluginManager
from lms_core.services.content_import import import_course
from lms_core.services.enrolments import change_enrolment
from lms_core.services.users import create_unit, create_user
from lms_core.settings import Settings
from lms_core.text import fold

ACCOUNTS = [
    # login, password, full name, role, unit code, position code
    ("admin", "admin-demo-2026", "Trần Thị Quản Trị", "admin", "TCT", None),
    ("giangvien", "giangvien-2026", "Nguyễn Văn Giảng", "lecturer", "TCT", None),
    ("hocvien1", "hocvien1-2026", "Lê Thị Ánh", "trainee", "PB-MOTCUA", "CV-MOTCUA"),
    ("hocvien2", "hocvien2-2026", "Phạm Đức Bình", "trainee", "PB-VANPHONG", "CV-VANTHU"),
    ("truongphong", "truongphong-2026", "Hoàng Minh Châu", "supervisor", "UBND-AB", "LD-PHUONG"),
    ("kehoach", "kehoach-2026", "Đỗ Thu Hà", "planner", "TCT", None),
]

UNITS = [  # code, name, parent code
    ("TCT", "Trường Chính trị tỉnh", None),
    ("UBND-AB", "UBND phường An Bình", None),
    ("PB-MOTCUA", "Bộ phận Một cửa", "UBND-AB"),
    ("PB-VANPHONG", "Văn phòng HĐND và UBND", "UBND-AB"),
]

POSITIONS = [  # code, title, unit code, level
    ("CV-MOTCUA", "Công chức tiếp nhận và trả kết quả hồ sơ", "PB-MOTCUA", "Chuyên viên"),
    ("CV-VANTHU", "Văn thư - lưu trữ", "PB-VANPHONG", "Cán sự"),
    ("LD-PHUONG", "Phó Chủ tịch UBND phường", "UBND-AB", "Lãnh đạo"),
]


async def load_demo(settings: Settings, plugins: PluginManager) -> list[tuple[str, str, str]]:
    inst, _ = await Institution.get_or_create(
        code="demo", defaults={"name": "Trường Chính trị tỉnh (demo)",
                               "name_en": "Provincial Political School (demo)"})
    units: dict[str, int] = {}
    for code, name, parent in UNITS:
        unit = await Unit.get_or_none(institution=inst, code=code)
        if unit is None:
            unit = await create_unit(inst.id, code, name, units.get(parent) if parent else None)
        units[code] = unit.id
    positions: dict[str, int] = {}
    for code, title, unit_code, level in POSITIONS:
        pos, _ = await JobPosition.get_or_create(
            institution=inst, code=code,
            defaults={"title": title, "unit_id": units[unit_code], "level": level})
        positions[code] = pos.id
    users: dict[str, User] = {}
    for login, password, name, role, unit_code, pos_code in ACCOUNTS:
        user = await User.get_or_none(login=login)
        if user is None:
            user = await create_user(plugins, inst.id, login=login, email=f"{login}@demo.lms.vn",
                                     full_name=name, password=password, roles=[role],
                                     unit_id=units[unit_code],
                                     job_position_id=positions.get(pos_code) if pos_code else None)
        elif not await Membership.filter(user=user, institution=inst).exists():
            await Membership.create(user=user, institution=inst, role=role)
        users[login] = user
    course = None
    for folder in sorted(settings.content_dir.glob("*/course.yaml")):
        course, _ = await import_course(settings, plugins, inst.id, folder.parent)
    if course is not None and not await CourseClass.filter(institution=inst,
                                                           code="CDS-2026-01").exists():
        start = date.today()
        klass = await CourseClass.create(
            institution=inst, course=course, code="CDS-2026-01",
            title="Lớp Chuyển đổi số - phường An Bình, khoá 1",
            title_key=fold("Lớp Chuyển đổi số - phường An Bình, khoá 1"), starts_on=start,
            ends_on=start + timedelta(days=14), delivery_mode="blended", capacity=40,
            location="Hội trường A, Trường Chính trị tỉnh", schedule=[
                {"starts_at": f"{start + timedelta(days=d)}T08:00:00+07:00",
                 "ends_at": f"{start + timedelta(days=d)}T11:00:00+07:00",
                 "room": "Hội trường A"} for d in (0, 7)])
        await ClassLecturer.create(klass=klass, user=users["giangvien"])
        for login in ("hocvien1", "hocvien2"):
            await change_enrolment(plugins, klass, users[login], EnrolmentStatus.ACTIVE,
                                   actor_id=users["admin"].id)
        await CourseClass.create(
            institution=inst, course=course, code="CDS-2026-TUHOC",
            title="Chuyển đổi số - lớp trực tuyến tự đăng ký",
            title_key=fold("Chuyển đổi số - lớp trực tuyến tự đăng ký"), delivery_mode="online",
            capacity=0, self_enrol=True, starts_on=start)
    classes = {c.code: c for c in await CourseClass.filter(institution=inst)}
    await plugins.call_lifecycle("lms_demo_loaded", institution=inst, users=users,
                                 classes=classes, settings=settings, plugins=plugins)
    return [(login, password, role) for login, password, _n, role, _u, _p in ACCOUNTS]
