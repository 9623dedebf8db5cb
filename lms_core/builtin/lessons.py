"""The "lesson" module type: a Markdown page imported from content/, already sanitised."""

from __future__ import annotations

from typing import Any

from lms_core.plugin_api import ModuleType, PluginInfo, hookimpl

PLUGIN_INFO = PluginInfo(name="lessons", version="0.1.0", title="Bài học")


async def render_lesson(request: Any, module: Any, enrolment: Any = None) -> str:
    # body_html was rendered and sanitised at import time (lms_core.content).
    return module.body_html


@hookimpl
def lms_register_module_types() -> list[ModuleType]:
    return [ModuleType("lesson", "Bài học", "Lesson", render=render_lesson, icon="📖")]
