"""The ``hello`` plugin: everything it adds to the LMS, through the public hooks only.

The LMS finds this module through the ``lms.plugins`` entry point in pyproject.toml, checks
``PLUGIN_INFO`` against its plugin API version, then registers the ``@hookimpl`` functions below.
A hook's implementation names only the arguments it uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.routing import BaseRoute, Route

from lms_core.models import Enrolment
from lms_core.plugin_api import (
    MenuItem, ModelApp, ModuleType, Permission, PluginInfo, SettingSpec, hookimpl,
)
from lms_core.services.settings import get_setting
from lms_hello import api, views
from lms_hello.models import Greeting

PLUGIN_INFO = PluginInfo(
    name="hello",
    version="0.1.0",
    api=">=1.0,<2",  # the range of lms_core.PLUGIN_API_VERSION this code was written for
    title="Lời chào",
    description="Plugin mẫu: lời chào, một loại bài học và một sự kiện ghi danh.",
)

HERE = Path(__file__).resolve().parent
WELCOME = SettingSpec("hello.welcome", "Chào mừng bạn đến với lớp học",
                      "Lời chào gửi cho học viên khi bắt đầu học một lớp")

_started: list[str] = []


@hookimpl
def lms_register_models() -> list[ModelApp]:
    return [ModelApp("hello", ("lms_hello.models",), "lms_hello.migrations")]


@hookimpl
def lms_register_routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/hello/greetings", api.list_greetings, methods=["GET"]),
        Route("/api/v1/hello/greetings", api.create_greeting, methods=["POST"]),
        Route("/hello", views.greetings_page, methods=["GET"], name="hello"),
    ]


@hookimpl
def lms_register_permissions() -> list[Permission]:
    return [Permission("hello.greet", "Xem và gửi lời chào", frozenset({"trainee"}))]


@hookimpl
def lms_register_settings() -> list[SettingSpec]:
    return [WELCOME]


@hookimpl
def lms_register_templates() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def lms_register_module_types() -> list[ModuleType]:
    return [ModuleType("hello", "Lời chào", "Greeting", render=views.render_module,
                       validate=views.validate_module, icon="👋")]


@hookimpl
def lms_register_menu_items() -> list[MenuItem]:
    return [MenuItem("hello", "Lời chào", "Greetings", "/hello", permission="hello.greet",
                     order=80)]


@hookimpl
def lms_startup(app: Any) -> None:
    _started.append(app.state.version)  # lifecycle hooks may open clients, warm caches...


@hookimpl
async def lms_event_enrolment_changed(enrolment: Enrolment, new_status: str,
                                      runtime: Any) -> None:
    """Greets a trainee who starts a class. Only called for institutions that enabled the plugin,
    and after the enrolment committed: an error here is logged and never undoes it."""
    if new_status != "active":
        return
    klass = await enrolment.klass
    # The institution's own greeting if it changed the setting, else the default.
    message = await get_setting(runtime.plugins, klass.institution_id, WELCOME.key)
    await Greeting.create(institution_id=klass.institution_id, user_id=enrolment.user_id,
                          message=f"{message}: {klass.title}")
