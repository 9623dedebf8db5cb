"""Hooks the live_sessions plugin declares for other plugins (registered through the plugin
module's ``HOOKSPECS``, see docs/plugins.md). The quick quiz reaches the question bank only
through the first two (a question; a search for the runner to pick one from): live_sessions
never imports the quizzes plugin, and works without it (the kind is then refused)."""

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


@hookspec
def lms_live_quiz_search(institution_id: int, text: str, limit: int) -> Any:
    """Bank questions a runner may pick for a quick quiz, found by ``text`` (diacritics and
    case ignored: "thu do" finds "Thủ đô"; empty: the newest), at most ``limit`` of them,
    newest first; None if this plugin has no bank in that institution. May be async. Only
    the types the quick quiz accepts (see ``lms_live_quiz_question``). Answer a list of dicts:
    ``id``, ``type``, ``name``, ``text`` (plain text, for a list to choose from) and
    ``category`` (its name). Nothing of the key: the list is shown on the runner's console,
    which may be on a shared screen.
    """


# --- the socket, for plugins that add to it (the engagement plugin does) ---------------------
#
# ``connection`` is the socket's ``realtime.LiveConnection``. What a plugin may use of it:
# ``session_id``, ``institution_id``, ``principal`` (user_id, full_name, locale), ``role``
# ("runner", "trainee", "guest"), ``enrolment_id`` (a trainee's), ``is_console`` (a runner's
# own socket, not the projector), ``plugins``, and the coroutines ``reply(type, **payload)``
# (a frame to this socket only), ``error(code, vi, en)``, ``broadcast(audience, type,
# **payload)`` (a numbered, stored frame for "all", "public", "runner" or "screen"),
# ``session_info()`` (status, started_at, ended_at, last_activity_at), and
# ``send_to_users(user_ids, type, **payload)`` (an unnumbered frame to those users' sockets on
# every worker, e.g. a nudge). Hooks may be async; an exception is logged, never closes the
# socket.


@hookspec
def lms_live_connected(connection: Any) -> None:
    """A socket joined its session and has its first state. Called for every socket of a user
    (a user may hold several)."""


@hookspec
def lms_live_disconnected(connection: Any) -> None:
    """A socket left (closed, dropped, or the session ended)."""


@hookspec
def lms_live_message(connection: Any, type: str, data: dict[str, Any]) -> Any:
    """A message whose ``type`` live_sessions does not know. Answer True when this plugin
    handled it (and replied); the first plugin to answer True wins. Nobody answering gets the
    client an ``unknown_type`` error frame."""


@hookspec
def lms_live_interaction(connection: Any, what: str, detail: dict[str, Any]) -> None:
    """A participant did something in the session, already accepted: ``what`` is "answer",
    "ask", "vote", "raise_hand", "lower_hand", "group_edit" or "check_in". ``detail`` carries
    the message's ``client_id`` (when it had one, so a retried send can be told apart) and the
    activity, question or group it was about."""


@hookspec
def lms_live_runner_feeds(connection: Any) -> list[Any]:
    """Coroutine functions (no arguments) to run while a runner's console is connected, e.g. a
    loop that sends live figures with ``connection.reply``; they are cancelled when it leaves."""


@hookspec
def lms_live_session_ended(session: Any, runtime: Any) -> None:
    """A session has ended and its presence intervals are closed; called once, before the
    attended trainees' live-session modules are completed (so a plugin can store what the
    completion filters will read)."""
