"""Hook implementations of the `live_sessions` plugin: live class periods (tiết học trực tiếp)
held in a room, online or both, joined by code, with attendance."""

from __future__ import annotations

from typing import Any

from starlette.routing import WebSocketRoute

from lms_core.plugin_api import ModelApp, ModuleType, Permission, PluginInfo, hookimpl

from lms_live_sessions import activity_api, api, calendar_api, checkin_api, hookspecs, \
    interaction_api
from lms_live_sessions import views as live_views
from lms_live_sessions import quick_quiz
from lms_live_sessions.fanout import flusher_for
from lms_live_sessions.module_type import render_live_session, validate_data
from lms_live_sessions.realtime import live_socket
from lms_live_sessions.service import end_class_sessions

PLUGIN_INFO = PluginInfo(
    name="live_sessions", version="0.1.0", api=">=1.1,<2", title="Phiên học trực tiếp",
    description="Tiết học trực tiếp tại lớp hoặc trực tuyến, tham gia bằng mã, điểm danh, "
                "bình chọn, thang đánh giá, đám mây từ và câu hỏi mở.")

#: Hooks this plugin declares for others: the quick quiz's question from a question bank.
HOOKSPECS = hookspecs


@hookimpl
def lms_register_models() -> list[ModelApp]:
    return [ModelApp("live_sessions", ("lms_live_sessions.models",),
                     "lms_live_sessions.migrations")]


@hookimpl
def lms_register_settings() -> list[Any]:
    from lms_core.plugin_api import SettingSpec

    from lms_live_sessions.checkin import PERIOD_DEFAULT, PERIOD_SETTING

    return [SettingSpec(PERIOD_SETTING, PERIOD_DEFAULT,
                        "Số giây mỗi mã điểm danh của phiên học trực tiếp còn hiệu lực (10–600) "
                        "/ Seconds each live-session check-in code lasts")]


@hookimpl
def lms_register_permissions() -> list[Permission]:
    return [
        Permission("live.run", "Tạo, bắt đầu, kết thúc phiên học trực tiếp và xem điểm danh",
                   frozenset({"lecturer", "admin"})),
        Permission("live.join", "Tham gia phiên học trực tiếp",
                   frozenset({"trainee", "lecturer", "admin"})),
    ]


@hookimpl
def lms_register_module_types() -> list[ModuleType]:
    return [ModuleType("live_session", "Phiên học trực tiếp", "Live session",
                       render=render_live_session, validate=validate_data, icon="🎙️")]


@hookimpl
def lms_register_routes(settings: Any) -> list[Any]:
    # New route objects on every call: each app wraps its own in the plugin gate.
    return [*api.routes(), *activity_api.routes(), *interaction_api.routes(),
            *calendar_api.routes(), *checkin_api.routes(),
            *live_views.routes(),
            WebSocketRoute("/ws/live/{session_id:int}", live_socket, name="live.socket")]


@hookimpl
async def lms_event_class_ended(klass: Any, actor: Any, runtime: Any) -> None:
    """No period of an ended class may still be waiting or running."""
    await end_class_sessions(getattr(runtime, "broker", None), klass.id, runtime)


@hookimpl
async def lms_page_panels(page: str, context: dict[str, Any], principal: Any) -> list[Any]:
    """The class's live periods on the class page: the way into each (panels.py)."""
    from lms_live_sessions.panels import panels

    return await panels(page, context, principal)


@hookimpl
async def lms_shutdown(app: Any) -> None:
    """Pending results updates are dropped before the database closes: the state they carry
    is in the database, and clients get it with their next snapshot."""
    broker = getattr(getattr(getattr(app, "state", None), "lms", None), "broker", None)
    await quick_quiz.cancel_timers()
    if broker is not None:
        await flusher_for(broker).stop()


@hookimpl
def lms_register_templates() -> list[Any]:
    """templates/live_sessions/*: the console, projector, join and live pages (views.py)."""
    from pathlib import Path

    return [Path(__file__).resolve().parent / "templates"]


@hookimpl
def lms_register_static() -> list[Any]:
    """static/: the ES modules and stylesheet of the live pages, under /static/live_sessions/."""
    from pathlib import Path

    from lms_core.plugin_api import StaticDir

    return [StaticDir("live_sessions", Path(__file__).resolve().parent / "static")]


@hookimpl
def lms_register_menu_items() -> list[Any]:
    """Trainees in a room type the projected code here; the QR code leads to the same page."""
    from lms_core.plugin_api import MenuItem

    return [MenuItem("live-join", "Tham gia lớp trực tiếp", "Join a live class",
                     live_views.JOIN_PATH, permission="live.join", order=60)]


@hookimpl
def lms_register_jobs() -> list[Any]:
    """After a session ends: other plugins' figures, then the trainees' module completions."""
    from lms_core.plugin_api import JobSpec

    from lms_live_sessions.completion import after_end_job

    return [JobSpec("live_sessions.after_end", after_end_job,
                    description="Sau khi tiết học kết thúc: số liệu của các thành phần khác, "
                                "rồi ghi nhận hoàn thành cho học viên đã tham dự")]
