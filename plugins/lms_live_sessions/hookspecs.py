"""Hooks the live_sessions plugin declares for other plugins (registered through the plugin
module's ``HOOKSPECS``, see docs/plugins.md). The quick quiz reaches the question bank only
through these: live_sessions never imports the quizzes plugin, and works without it (the kind
is then refused)."""

from __future__ import annotations

from typing import Any

from lms_core.plugin_api import hookspec


@hookspec
def lms_live_quiz_question(institution_id: int, question_id: int) -> Any:
    """A bank question for a quick quiz, or None if this plugin has no such question in that
    institution. May be async. Answer a dict:

    * ``type``: one of ``single_choice``, ``multiple_response``, ``true_false``,
      ``numerical``, ``short_answer`` (other types: answer None or a ``type`` the quick quiz
      refuses);
    * ``view``: what trainees may see before the question closes (text, choices with ids),
      nothing that gives the answer away;
    * ``key``: what may be shown once it has closed (the right choices or answers);
    * ``grade``: a callable taking the trainee's response and returning the fraction earned,
      0 to 1 (None if it cannot be graded automatically).
    """
