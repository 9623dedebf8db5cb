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


@hookspec
def lms_assessment_quiz_results(institution_id: int, module_ids: list[int],
                                user_ids: list[int] | None) -> list[Any]:
    """Test results for the learning step (pre-test and post-test), answered by the plugin that
    owns the quiz modules (quizzes). May be async. One dict per (module, user) with a graded
    result: ``module_id``, ``user_id``, ``kind`` ("pre_test", "post_test", "graded",
    "practice"), ``fraction`` (0..1, by the quiz's grading method), ``finished_at``, and
    ``competencies``: {competency code: fraction earned on the questions tagged with it}.
    ``user_ids`` None: everyone with a result. Modules the plugin does not own are skipped."""
