"""Hooks the engagement plugin declares for other plugins (registered through the plugin
module's ``HOOKSPECS``, see docs/plugins.md)."""

from __future__ import annotations

from typing import Any

from lms_core.plugin_api import hookspec


@hookspec
def lms_engagement_attendance_rule(figures: dict[str, Any], period: dict[str, Any],
                                   institution_id: int) -> Any:
    """Asked for each trainee when a live period ends, after the institution's own rule
    (``engagement.attendance_rule``) has passed them. Answer None to agree, or a reason (a
    string, or a ``(vietnamese, english)`` pair) why the period does not count as attended.
    May be async.

    ``figures``: present_seconds, attentive_seconds, attentive_share, away_count,
    away_longest_seconds, away_total_seconds, interactions, checks_sent, checks_answered,
    checks_mean_latency_ms, score, user_id. ``period``: session_id, klass_id, title,
    started_at, ended_at."""
