"""The core's named permissions and menu. Handlers check these names, never roles directly, so an
institution's plugin can add its own permissions the same way."""

from __future__ import annotations

from lms_core.plugin_api import MenuItem, Permission, PluginInfo, hookimpl

PLUGIN_INFO = PluginInfo(name="core", version="0.1.0", title="Lõi hệ thống")

A, L, T, S, P = "admin", "lecturer", "trainee", "supervisor", "planner"
ALL = frozenset({A, L, T, S, P})

PERMISSIONS = [
    Permission("institution.manage", "Sửa thông tin đơn vị đào tạo, cây đơn vị, vị trí việc làm",
               frozenset({A})),
    Permission("users.view", "Xem danh sách người dùng của đơn vị đào tạo", frozenset({A, P, S})),
    Permission("users.manage", "Tạo, sửa, khoá người dùng và gán vai trò", frozenset({A})),
    Permission("users.import", "Nhập danh sách cán bộ từ tệp CSV/XLSX", frozenset({A})),
    Permission("courses.view", "Xem danh mục khoá học", ALL),
    Permission("courses.manage", "Nhập và sửa khoá học", frozenset({A})),
    Permission("classes.view", "Xem lớp học (trong phạm vi của mình)", ALL),
    Permission("classes.manage", "Tạo, sửa lớp học và phân công giảng viên", frozenset({A})),
    Permission("enrolments.view", "Xem danh sách học viên của lớp", frozenset({A, L, S, P})),
    Permission("enrolments.manage", "Ghi danh, duyệt, rút học viên", frozenset({A})),
    Permission("enrolments.nominate", "Cử cán bộ đi học", frozenset({A, S})),
    Permission("enrolments.self", "Tự đăng ký vào lớp mở", frozenset({T})),
    Permission("progress.record", "Ghi nhận tiến độ học của bản thân", frozenset({T})),
    Permission("plugins.view", "Xem các thành phần mở rộng đã cài", frozenset({A})),
    Permission("plugins.manage", "Bật, tắt thành phần mở rộng cho đơn vị", frozenset({A})),
    Permission("reports.view", "Xem báo cáo của đơn vị đào tạo", frozenset({A, P})),
    Permission("tokens.own", "Tạo mã truy cập API cho bản thân", ALL),
    Permission("system.clock",
               "Dời đồng hồ thử nghiệm (chỉ khi máy chủ chạy với LMS_TEST_CLOCK=1)", frozenset({A})),
]


@hookimpl
def lms_register_permissions() -> list[Permission]:
    return PERMISSIONS


@hookimpl
def lms_register_menu_items() -> list[MenuItem]:
    return [
        MenuItem("home", "Lớp của tôi", "My classes", "/", "", 10),
        MenuItem("catalogue", "Danh mục khoá học", "Course catalogue", "/courses", "courses.view", 20),
        MenuItem("admin-classes", "Quản lý lớp", "Manage classes", "/admin/classes",
                 "classes.manage", 60, group="admin"),
        MenuItem("admin-users", "Người dùng", "Users", "/admin/users", "users.manage", 70, group="admin"),
        MenuItem("admin-plugins", "Thành phần mở rộng", "Plugins", "/admin/plugins",
                 "plugins.view", 90, group="admin"),
    ]
