"""The plugin API: every hook a plugin (built-in or an institution's own) may implement.

Three kinds of hooks, told apart by their names:

* ``lms_register_*`` are asked once at start-up and return what the plugin adds (routes,
  models, templates, module types, permissions, settings, menu entries, background jobs).
  Synchronous.
* ``lms_filter_*`` run *before* an action and may stop it by raising
  :class:`~lms_core.plugin_api.ActionRefused` or returning a reason string. They may be
  ``async def``. Only plugins enabled for the action's institution are asked.
* ``lms_event_*`` are told *after* something happened. They may be ``async def`` and are awaited;
  an exception in one is logged with the plugin's name and never breaks the request that fired it.
  Only plugins enabled for the event's institution are told.

Plus two lifecycle hooks, ``lms_startup`` and ``lms_shutdown``, awaited from the core's lifespan
(mounted sub-applications get no lifespan of their own).

Filters and events also receive ``runtime`` (``lms_core.runtime.Runtime``: settings, plugins,
broker) for plugins that need to read a setting or publish a message. Implementations receive
only the arguments they name, so new arguments can be added without breaking existing plugins. Each hook is documented in docs/plugins.md; a test keeps them in step.
"""

from __future__ import annotations

from typing import Any

import pluggy

from lms_core.plugin_api import (
    EnrolmentRequest,
    JobSpec,
    MenuItem,
    ModelApp,
    PageScript,
    ModuleType,
    Permission,
    PROJECT_NAME,
    SettingSpec,
    StaticDir,
)

hookspec = pluggy.HookspecMarker(PROJECT_NAME)


# --- registration -------------------------------------------------------------------------


@hookspec
def lms_register_routes(settings: Any) -> list[Any]:
    """Return Starlette routes (``Route``, ``WebSocketRoute``, ``Mount``) to add to the app.

    Paths are absolute; use ``/api/v1/<plugin>/...`` for JSON and ``/<plugin>/...`` for pages.
    The core answers 404 on them for institutions that disabled the plugin.
    """


@hookspec
def lms_register_models() -> list[ModelApp]:
    """Return the Tortoise apps (label, model modules, migrations package) the plugin owns."""


@hookspec
def lms_register_templates() -> list[Any]:
    """Return folders of Jinja2 templates; they are searched after the core's own."""


@hookspec
def lms_register_static() -> list[StaticDir]:
    """Return static folders, served under ``/static/<prefix>/``."""


@hookspec
def lms_register_module_types() -> list[ModuleType]:
    """Return the kinds of course modules the plugin provides (lesson, quiz, live session...)."""


@hookspec
def lms_register_permissions() -> list[Permission]:
    """Return named permissions with the roles that hold them by default."""


@hookspec
def lms_register_settings() -> list[SettingSpec]:
    """Return per-institution settings with their defaults."""


@hookspec
def lms_register_menu_items() -> list[MenuItem]:
    """Return navigation entries; each is shown only to users holding its permission."""


@hookspec
def lms_register_page_scripts() -> list[PageScript]:
    """Return ES modules to load on named pages (only for institutions that enabled the plugin).
    The page's context is in ``document.body.dataset``."""


@hookspec
def lms_register_jobs() -> list[JobSpec]:
    """Return background jobs: work queued with ``runtime.jobs.enqueue(name, **kwargs)`` and,
    with a ``schedule``, periodic work. They run in the app's job runner (in-process, or on
    Redis with ``LMS_JOBS_URL``), never in a request; a periodic job runs once per tick for the
    whole installation, whatever the number of workers, and is not filtered by institution."""


@hookspec
def lms_page_panels(page: str, context: dict[str, Any], principal: Any,
                    runtime: Any) -> list[Any]:
    """Return ``PagePanel`` sections to show on a core page (``page`` is ``"class"`` or
    ``"course"``; ``context`` holds what the page shows: ``klass``, ``course``, ``enrolment``).
    Asked on every view of the page for the plugins enabled in the viewer's institution; a
    failing plugin is logged and its panel left out, never the page."""


# --- lifecycle ----------------------------------------------------------------------------


@hookspec
def lms_startup(app: Any) -> None:
    """Called (and awaited if async) when the app starts, after the database is ready."""


@hookspec
def lms_shutdown(app: Any) -> None:
    """Called (and awaited if async) when the app stops, before the database closes."""


@hookspec
def lms_demo_loaded(institution: Any, users: dict[str, Any], classes: dict[str, Any],
                    settings: Any, plugins: Any) -> None:
    """``lms demo`` loaded the core's demo data (``users`` and ``classes`` by login and code):
    add the plugin's own, idempotently (the command runs again on every start). ``plugins`` is
    the plugin manager (the command line has no app runtime)."""


# --- filters: may refuse an action before it happens --------------------------------------


@hookspec
def lms_filter_enrolment(request: EnrolmentRequest, runtime: Any) -> str | None:
    """Asked before an enrolment is created or changes status. Refuse with a reason string or
    by raising ``ActionRefused``; return None to allow."""


@hookspec
def lms_filter_module_completion(
    user: Any, module: Any, enrolment: Any, runtime: Any
) -> str | None:
    """Asked before a module is marked completed; return a reason to hold completion back
    (e.g. an attendance rule not met yet). Return None to allow."""


@hookspec
def lms_filter_course_completion(
    user: Any, course: Any, enrolment: Any, runtime: Any
) -> str | None:
    """Asked before a course is marked completed once every module is; a reason holds it back."""


@hookspec
def lms_filter_course_import(
    folder: Any, course: Any, institution_id: int, outcome: str, runtime: Any
) -> list[Any] | None:
    """Asked inside a course import's transaction, after the course and its modules are
    written, so a plugin can read its own files of the course folder (the quizzes plugin reads
    ``questions/*.gift``) and write what they hold. Return ``ContentError``s
    (``lms_core.content.errors``) to refuse the whole import: nothing of it is kept."""


# --- events: told after it happened ---------------------------------------------------------


@hookspec
def lms_event_user_created(user: Any, institution: Any, actor: Any, runtime: Any) -> None:
    """A user was created (by an admin, an import or the CLI)."""


@hookspec
def lms_event_enrolment_changed(
    enrolment: Any, old_status: str | None, new_status: str, actor: Any, runtime: Any
) -> None:
    """An enrolment was created (``old_status`` None) or changed status."""


@hookspec
def lms_event_module_completed(user: Any, module: Any, enrolment: Any, runtime: Any) -> None:
    """A trainee completed a course module."""


@hookspec
def lms_event_course_completed(user: Any, course: Any, enrolment: Any, runtime: Any) -> None:
    """A trainee completed every module of a course in a class."""


@hookspec
def lms_event_class_ended(klass: Any, actor: Any, runtime: Any) -> None:
    """A class was marked ended."""
