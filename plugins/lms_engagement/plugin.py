"""Hook implementations of the `engagement` plugin: interaction tracking against phone-scrolling
(seed 003 asks that trainees "come to learn, not sit scrolling their phones").

The live sessions' hooks are optional implementations: engagement runs without that plugin
(lesson pages only), and never imports it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lms_core.plugin_api import (
    ModelApp, PageScript, Permission, PluginInfo, SettingSpec, StaticDir, hookimpl,
)

from lms_engagement import config, hookspecs

#: The hooks this plugin declares for others (docs/plugins.md, "Plugins that declare hooks").
HOOKSPECS = hookspecs

PLUGIN_INFO = PluginInfo(
    name="engagement", version="0.2.0", api=">=1.1,<2", title="Theo dõi tương tác",
    description="Đo mức độ chú ý và tương tác của học viên trên trang học và trong tiết học "
                "trực tiếp (trang hiện hay ẩn, có thao tác hay không), cho giảng viên thấy ngay "
                "trong giờ học và tính vào việc hoàn thành tiết học.",
)


@hookimpl
def lms_register_models() -> list[ModelApp]:
    return [ModelApp("engagement", ("lms_engagement.models",), "lms_engagement.migrations")]


@hookimpl
def lms_register_routes(settings: Any) -> list:
    from lms_engagement.api import routes
    from lms_engagement.views import routes as page_routes

    return [*routes(), *page_routes()]


@hookimpl
def lms_register_static() -> list[StaticDir]:
    return [StaticDir("engagement", Path(__file__).resolve().parent / "static")]


@hookimpl
def lms_register_permissions() -> list[Permission]:
    return [Permission("engagement.view",
                       "Xem mức độ tương tác của học viên trong đơn vị đào tạo",
                       frozenset({"lecturer", "admin", "planner"}))]


@hookimpl
def lms_register_settings() -> list[SettingSpec]:
    return [SettingSpec(key, config.DEFAULTS[key], config.DESCRIPTIONS[key])
            for key in config.DEFAULTS]


@hookimpl
def lms_register_page_scripts() -> list[PageScript]:
    return [PageScript("/static/engagement/boot.js", frozenset({"lesson"})),
            PageScript("/static/engagement/live-trainee.js", frozenset({"live-trainee"})),
            PageScript("/static/engagement/live-console.js", frozenset({"live-console"}))]


@hookimpl
async def lms_shutdown(app: Any) -> None:
    """The last events waiting for a flush are written before the database closes."""
    from lms_engagement.writer import writer_for

    plugins = getattr(getattr(getattr(app, "state", None), "lms", None), "plugins", None)
    if plugins is not None:
        await writer_for(plugins).stop()


# --- the live socket (hooks declared by live_sessions) ---------------------------------------

@hookimpl(optionalhook=True)
async def lms_live_connected(connection: Any) -> None:
    from lms_engagement import live

    await live.connected(connection)


@hookimpl(optionalhook=True)
async def lms_live_disconnected(connection: Any) -> None:
    from lms_engagement import live

    await live.disconnected(connection)


@hookimpl(optionalhook=True)
async def lms_live_message(connection: Any, type: str, data: dict[str, Any]) -> Any:
    from lms_engagement import live

    return await live.message(connection, type, data)


@hookimpl(optionalhook=True)
async def lms_live_interaction(connection: Any, what: str, detail: dict[str, Any]) -> None:
    from lms_engagement import live

    await live.interaction(connection, what, detail)


@hookimpl(optionalhook=True)
def lms_live_runner_feeds(connection: Any) -> list[Any]:
    from lms_engagement import live

    return live.feeds(connection)


@hookimpl(optionalhook=True)
async def lms_live_session_ended(session: Any, runtime: Any) -> None:
    """Store the period's figures before live_sessions completes the trainees' modules."""
    from lms_engagement.results import finish

    await finish(session, runtime.plugins)


@hookimpl
async def lms_filter_module_completion(user: Any, module: Any, enrolment: Any,
                                       runtime: Any) -> Any:
    """A live-session module is not completed by a period that did not count as attended
    under the institution's rule (the reason is the period's stored one)."""
    from lms_engagement.completion import hold_back

    return await hold_back(user, module, enrolment)


@hookimpl
def lms_register_templates() -> list[Any]:
    """templates/engagement/*: the reports and the trainee's own page (views.py)."""
    return [Path(__file__).resolve().parent / "templates"]


@hookimpl
def lms_register_menu_items() -> list[Any]:
    from lms_core.plugin_api import MenuItem

    return [MenuItem("engagement-reports", "Báo cáo tương tác", "Engagement reports",
                     "/engagement", permission="engagement.view", order=80, group="reports"),
            MenuItem("engagement-me", "Dữ liệu tương tác của tôi", "My engagement data",
                     "/engagement/me", order=95, group="personal")]


@hookimpl
def lms_register_jobs() -> list[Any]:
    """The daily purge of detailed data older than each institution's retention period."""
    from lms_core.plugin_api import JobSpec

    from lms_engagement.retention import purge_job

    return [JobSpec("engagement.purge", purge_job, schedule="0 20 * * *",
                    description="Xoá dữ liệu tương tác chi tiết quá thời hạn lưu giữ "
                                "(03:00 giờ Việt Nam)")]
