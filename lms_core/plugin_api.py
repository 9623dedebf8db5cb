"""What a plugin imports: the ``hookimpl`` marker and the value types hooks exchange.

Together with ``lms_core.hookspecs`` this module is the public plugin API. Names here follow the
compatibility promise in docs/plugins.md: within a major ``PLUGIN_API_VERSION`` nothing is removed
or changes meaning; new fields get defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    """A navigation entry, shown when the user holds ``permission`` (or to everyone if empty)."""

    key: str
    label: str
    label_en: str
    url: str
    permission: str = ""
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
