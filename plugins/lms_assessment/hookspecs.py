"""Hooks the assessment plugin declares for other plugins (registered through the plugin
module's ``HOOKSPECS``, see docs/plugins.md)."""

from __future__ import annotations

from typing import Any

from lms_core.plugin_api import hookspec


@hookspec
def lms_assessment_steps() -> list[Any]:
    """Steps an institution's plugin adds to the post-training assessment plan, as dicts
    ``{"key", "name", "name_en", "weight"}`` (``key`` not one of reaction, learning,
    application, on_the_job). Admins switch them on or off and weigh them like the built-in
    ones; the plugin records their results itself."""
