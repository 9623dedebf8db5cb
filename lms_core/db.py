"""Database configuration: one Tortoise app for the core and one per plugin that has models."""

from __future__ import annotations

from typing import Any, Iterable
from urllib.parse import urlsplit

from lms_core.plugin_api import ModelApp

CORE_APP = ModelApp(label="lms", models=("lms_core.models",), migrations="lms_core.migrations")


def _normalise_url(url: str) -> str:
    """SQLite gets ``synchronous=NORMAL`` with WAL (safe against a process crash and about 50x
    faster per commit, see STACK-NOTES); PostgreSQL URLs pass through unchanged."""
    if url.startswith("sqlite://") and url != "sqlite://:memory:":
        if "synchronous=" not in url:
            url += ("&" if "?" in url else "?") + "synchronous=NORMAL"
    if url.startswith("postgresql://"):
        url = "postgres://" + url[len("postgresql://"):]
    return url


def tortoise_config(database_url: str, model_apps: Iterable[ModelApp] = ()) -> dict[str, Any]:
    apps: dict[str, Any] = {}
    for app in (CORE_APP, *model_apps):
        apps[app.label] = {"models": list(app.models), "default_connection": "default"}
        if app.migrations:
            apps[app.label]["migrations"] = app.migrations
    return {
        "connections": {"default": _normalise_url(database_url)},
        "apps": apps,
        "use_tz": True,
        "timezone": "UTC",
    }


def is_postgres(database_url: str) -> bool:
    return urlsplit(database_url).scheme in {"postgres", "postgresql", "asyncpg"}


def __getattr__(name: str) -> Any:
    """``TORTOISE_ORM`` for the ``tortoise`` CLI (makemigrations), built from the environment."""
    if name == "TORTOISE_ORM":
        from lms_core.plugins import PluginManager
        from lms_core.settings import Settings

        settings = Settings.from_env()
        plugins = PluginManager(settings.disabled_plugins).load()
        return tortoise_config(settings.database_url, plugins.registry.model_apps)
    raise AttributeError(name)
