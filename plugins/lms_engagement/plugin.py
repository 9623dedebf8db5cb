"""Hook implementations of the `engagement` plugin: interaction tracking against phone-scrolling
(seed 003 asks that trainees "come to learn, not sit scrolling their phones")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lms_core.plugin_api import (
    ModelApp, PageScript, Permission, PluginInfo, SettingSpec, StaticDir, hookimpl,
)

PLUGIN_INFO = PluginInfo(
    name="engagement", version="0.1.0", api=">=1.0,<2", title="Theo dõi tương tác",
    description="Ghi nhận tương tác của học viên trên trang học: trang hiện hay ẩn, có thao tác "
                "hay không, nhịp báo trang còn mở.",
)

HEARTBEAT_SETTING = "engagement.heartbeat_seconds"
HEARTBEAT_DEFAULT = 15


@hookimpl
def lms_register_models() -> list[ModelApp]:
    return [ModelApp("engagement", ("lms_engagement.models",), "lms_engagement.migrations")]


@hookimpl
def lms_register_routes(settings: Any) -> list:
    from lms_engagement.api import routes

    return routes()


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
    return [SettingSpec(HEARTBEAT_SETTING, HEARTBEAT_DEFAULT,
                        "Khoảng cách (giây) giữa hai nhịp báo trang còn mở; mất nhịp quá 2 lần "
                        "khoảng này được tính là rời trang.")]


@hookimpl
def lms_register_page_scripts() -> list[PageScript]:
    return [PageScript("/static/engagement/boot.js", frozenset({"lesson"}))]
