"""What a plugin imports: the ``hookimpl`` marker and the value types hooks exchange.

Together with ``lms_core.hookspecs`` this module is the public plugin API. Names here follow the
compatibility promise in docs/plugins.md: within a major ``PLUGIN_API_VERSION`` nothing is removed
or changes meaning; new fields get defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Awaitable, Callable

import pluggy

PROJECT_NAME = "lms"

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
#: For a plugin that declares hooks of its own (its module's ``HOOKSPECS``, docs/plugins.md).
hookspec = pluggy.HookspecMarker(PROJECT_NAME)


@dataclass(frozen=True)
class PluginInfo:
    """What a plugin module declares as ``PLUGIN_INFO``: checked before anything is registered,
    so an incompatible plugin is refused at start-up with a reason, not half-way through a request.

    ``api`` is a version range over ``lms_core.PLUGIN_API_VERSION`` such as ``">=1.0,<2"``;
    ``requires`` names other plugins this one needs (optionally ``"quizzes>=0.2"``).
    """

    name: str
    version: str
    api: str = ">=1.0,<2"
    requires: tuple[str, ...] = ()
    title: str = ""
    description: str = ""


@dataclass(frozen=True)
class Permission:
    """A named capability and the roles that hold it by default."""

    name: str
    description: str
    roles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class MenuItem:
    """A navigation entry, shown when the user holds ``permission`` (or to everyone if empty).
    Entries with the same ``group`` (a key of ``MENU_GROUPS``) are shown together under that
    group's label, so the bar stays short however many plugins add pages."""

    key: str
    label: str
    label_en: str
    url: str
    permission: str = ""
    order: int = 100
    group: str = ""


#: The menu's groups (key: Vietnamese, English, order); an entry without a group stands alone.
MENU_GROUPS: dict[str, tuple[str, str, int]] = {
    "personal": ("Cá nhân", "My records", 40),
    "teaching": ("Giảng dạy", "Teaching", 30),
    "assessment": ("Năng lực và đánh giá", "Competencies and assessment", 50),
    "reports": ("Báo cáo", "Reports", 70),
    "admin": ("Quản trị", "Administration", 90),
}


@dataclass(frozen=True)
class PagePanel:
    """A section a plugin adds to a core page (``lms_page_panels``): a heading and a template of
    the plugin's own, rendered inside the page with ``panel.context`` as ``data`` (escaped like
    the page itself: a plugin never hands the core raw HTML)."""

    title: str
    title_en: str
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


@dataclass(frozen=True)
class SettingSpec:
    """A per-institution setting with its default; ``key`` is ``"<plugin>.<name>"``."""

    key: str
    default: Any
    description: str = ""


ModuleRenderer = Callable[..., Awaitable[str]]


@dataclass(frozen=True)
class ModuleType:
    """A kind of step a course can contain.

    ``render(request, module, enrolment)`` returns the HTML shown inside the course page;
    ``validate(data)`` returns a list of error messages for the manifest's ``data`` block.
    """

    key: str
    title: str
    title_en: str
    render: ModuleRenderer | None = None
    validate: Callable[[dict[str, Any]], list[str]] | None = None
    icon: str = "📄"


@dataclass(frozen=True)
class ModelApp:
    """A Tortoise app a plugin adds: its label, model modules and migrations package."""

    label: str
    models: tuple[str, ...]
    migrations: str | None = None


@dataclass(frozen=True)
class StaticDir:
    """Static files served under ``/static/<prefix>/``."""

    prefix: str
    path: Path


@dataclass(frozen=True)
class PageScript:
    """An ES module added to pages whose name is in ``pages`` (e.g. "lesson", "course",
    "class", "home"). Page context (module id, course id...) is on ``<body data-*>``, so the
    script needs no inline bootstrap."""

    url: str
    pages: frozenset[str]


JobFunction = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class JobSpec:
    """Background work a plugin hands to the app's job runner (``lms_register_jobs``), so that
    slow or scheduled work never runs inside a request.

    ``function`` is ``async def f(ctx: JobContext, **kwargs)``; the keyword arguments are the
    ones given to ``runtime.jobs.enqueue(name, **kwargs)`` and must be JSON-serialisable (they
    cross Redis when several workers run, and go through JSON in-process too, so a mistake shows
    on a laptop). ``schedule`` makes the job periodic: a cron expression in UTC
    (``"0 3 * * *"``, a sixth field for seconds) or an interval in seconds (``3600``); the
    runner runs it once per tick across all workers, reading the time from
    ``lms_core.clock.now()``. A failing run is retried ``attempts - 1`` times, waiting
    ``retry_delay`` seconds and doubling; ``timeout`` (seconds) cancels a run that hangs.
    Name jobs ``"<plugin>.<name>"``: names are global.
    """

    name: str
    function: JobFunction
    schedule: str | float | None = None
    description: str = ""
    attempts: int = 3
    retry_delay: float = 5.0
    timeout: float = 600.0

    def __post_init__(self) -> None:
        if not self.name or not all(c.isalnum() or c in "._-" for c in self.name):
            raise ValueError(f"job name {self.name!r}: use letters, digits and . _ -")
        if isinstance(self.schedule, bool) or not isinstance(self.schedule, (str, int, float,
                                                                             type(None))):
            raise TypeError(f"job {self.name}: schedule is a cron string or seconds")
        if isinstance(self.schedule, (int, float)) and not self.schedule > 0:
            raise ValueError(f"job {self.name}: an interval must be more than 0 seconds")
        if self.attempts < 1 or self.retry_delay < 0 or not self.timeout > 0:
            raise ValueError(f"job {self.name}: attempts >= 1, retry_delay >= 0, timeout > 0")


@dataclass(frozen=True)
class JobContext:
    """What a job function receives first: the app's ``Runtime`` (settings, plugins, broker,
    ``jobs`` to enqueue follow-up work) and what this run is."""

    runtime: Any
    name: str
    job_id: str
    kwargs: dict[str, Any]
    attempt: int = 1
    #: For a periodic run, the tick it runs for (``clock.now()`` time, UTC); None otherwise.
    scheduled_for: datetime | None = None


class ActionRefused(Exception):
    """Raised (or returned as a reason string) by a filter hook to stop an action.

    The message is shown to the user, so write it for them; ``message_en`` is the English one.
    """

    def __init__(self, message: str, message_en: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.message_en = message_en or message


@dataclass
class EnrolmentRequest:
    """What a filter sees before an enrolment changes: it may refuse it."""

    user: Any
    klass: Any
    new_status: str
    actor: Any = None
    old_status: str | None = None
    via: str = "manual"  # manual | self | nomination | import | approval
    extra: dict[str, Any] = field(default_factory=dict)
