"""Hook implementations of the `assessment` plugin: post-training assessment tied to job
positions (seed 000 asks to "pay attention to evaluation after training")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lms_core.plugin_api import ModelApp, Permission, PluginInfo, SettingSpec, StaticDir, hookimpl

from lms_assessment import hookspecs

#: The hooks this plugin declares for others (docs/plugins.md).
HOOKSPECS = hookspecs

PLUGIN_INFO = PluginInfo(
    name="assessment", version="0.1.0", api=">=1.1,<2", title="Đánh giá sau đào tạo",
    description="Thủ trưởng đánh giá việc vận dụng kiến thức sau khoá học, khung năng lực "
                "theo vị trí việc làm và báo cáo mức đáp ứng theo đơn vị.",
)

WAVES = "assessment.on_the_job_waves"
DEFAULT_PLAN = "assessment.default_plan"
CERTIFICATES = "assessment.certificates"
SETTINGS = [SettingSpec(WAVES, [30, 90],
                        "Các đợt đánh giá tại nơi làm việc sau khoá học (số ngày sau khi hoàn "
                        "thành), dùng khi kế hoạch đánh giá của lớp không đặt riêng."),
            SettingSpec(DEFAULT_PLAN, "",
                        "Mẫu kế hoạch đánh giá áp dụng cho lớp chưa có kế hoạch riêng "
                        "(standard hoặc short; để trống: chỉ đánh giá lớp đã đặt kế hoạch)."),
            SettingSpec(CERTIFICATES, False,
                        "Đơn vị cấp giấy chứng nhận (có mã QR để kiểm tra) cho học viên hoàn "
                        "thành khoá học. Kết quả vẫn được ghi vào hồ sơ năng lực khi không cấp.")]


@hookimpl
def lms_register_models() -> list[ModelApp]:
    return [ModelApp("assessment", ("lms_assessment.models",), "lms_assessment.migrations")]


@hookimpl
def lms_register_routes(settings: Any) -> list:
    from lms_assessment.api import routes
    from lms_assessment.certificate_api import routes as certificate_routes
    from lms_assessment.job_api import routes as job_routes
    from lms_assessment.pages import routes as page_routes
    from lms_assessment.plan_api import routes as plan_routes
    from lms_assessment.report_api import routes as report_routes

    return [*routes(), *plan_routes(), *job_routes(), *certificate_routes(), *report_routes(),
            *page_routes()]


@hookimpl
def lms_register_templates() -> list[Any]:
    """templates/assessment/*: the pages of ``pages/``."""
    return [Path(__file__).resolve().parent / "templates"]


@hookimpl
def lms_register_static() -> list[StaticDir]:
    return [StaticDir("assessment", Path(__file__).resolve().parent / "static")]


@hookimpl
def lms_register_menu_items() -> list[Any]:
    from lms_assessment.pages import menu_items

    return menu_items()


@hookimpl
def lms_register_permissions() -> list[Permission]:
    return [
        Permission("assessment.review", "Đánh giá tại nơi làm việc nhân sự của đơn vị sau đào "
                   "tạo (phiếu được giao)",
                   frozenset({"supervisor", "admin"})),
        Permission("assessment.manage", "Quản lý khung năng lực theo vị trí việc làm và mọi "
                   "phiếu đánh giá sau đào tạo", frozenset({"admin"})),
        Permission("assessment.report", "Xem báo cáo mức đáp ứng năng lực theo đơn vị",
                   frozenset({"planner", "admin"})),
        Permission("assessment.frameworks", "Nhập, sửa và xuất khung năng lực; chọn dùng khung "
                   "năng lực do cấp trên ban hành; đặt năng lực yêu cầu của từng vị trí việc "
                   "làm", frozenset({"planner", "admin"})),
        Permission("assessment.needs", "Xem nhu cầu đào tạo (năng lực còn thiếu) của nhân sự "
                   "trong đơn vị", frozenset({"supervisor", "planner", "admin"})),
    ]


@hookimpl
def lms_register_settings() -> list[SettingSpec]:
    return SETTINGS


@hookimpl
async def lms_event_course_completed(user: Any, course: Any, enrolment: Any,
                                     runtime: Any) -> None:
    from lms_assessment.certificates import issue
    from lms_assessment.course_evidence import record_course

    await record_course(enrolment, course, user.id)
    await issue(enrolment, getattr(runtime, "plugins", None))


@hookimpl
async def lms_event_enrolment_changed(enrolment: Any, new_status: str, runtime: Any) -> None:
    """Active: the on-the-job baseline. Completed (by the modules, or marked by an admin for an
    in-person class): the course's evidence, the on-the-job waves, the certificate. Each is
    idempotent, so the course-completed event firing too changes nothing."""
    from lms_assessment import on_the_job

    plugins = getattr(runtime, "plugins", None)  # None from the command line (lms demo)
    if new_status == "active":
        await on_the_job.schedule_baseline(enrolment, plugins)
    if new_status == "completed":
        from lms_assessment.certificates import issue
        from lms_assessment.course_evidence import record_course

        klass = await enrolment.klass
        await record_course(enrolment, await klass.course, enrolment.user_id)
        await on_the_job.schedule_waves(enrolment, plugins)
        await issue(enrolment, plugins)


@hookimpl
async def lms_event_module_completed(user: Any, module: Any, enrolment: Any,
                                     runtime: Any) -> None:
    """A post-test completed: its result per competency becomes evidence at once."""
    if getattr(module, "type", None) != "quiz":
        return
    from lms_assessment.learning import record_post_test

    await record_post_test(getattr(runtime, "plugins", None), module, user.id)


@hookimpl
async def lms_page_panels(page: str, context: dict[str, Any], principal: Any,
                          runtime: Any) -> list[Any]:
    """The viewer's competency levels on the course page; the way into the class's
    assessment on the class page (panels.py)."""
    from lms_assessment.panels import panels

    return await panels(page, context, principal, getattr(runtime, "plugins", None))


@hookimpl
async def lms_demo_loaded(institution: Any, users: dict[str, Any], classes: dict[str, Any],
                          settings: Any, plugins: Any) -> None:
    from lms_assessment.demo_data import load

    await load(institution, users, classes, settings, plugins)


@hookimpl
def lms_register_jobs() -> list[Any]:
    """The daily reminders of on-the-job ratings coming due or overdue."""
    from lms_core.plugin_api import JobSpec

    from lms_assessment.on_the_job import remind_job

    return [JobSpec("assessment.remind", remind_job, schedule="0 1 * * *",
                    description="Nhắc đánh giá sau đào tạo sắp đến hạn hoặc quá hạn "
                                "(08:00 giờ Việt Nam)")]
