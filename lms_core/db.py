"""Database configuration: one Tortoise app for the core and one per plugin that has models."""

from __future__ import annotations

from typing import Any, Iterable
from urllib.parse import urlsplit

from lms_core.plugin_api import ModelApp

#: Connections per worker when the URL does not say (``?maxsize=N``). Tortoise's default of 5
#: queues a busy worker's requests behind each other; more than ~10 per worker only moves the
#: queue into PostgreSQL, which has a core or two per worker, not dozens.
DEFAULT_PG_POOL_SIZE = 10

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


async def _release_connection(connection: Any) -> None:
    """What asyncpg's pool runs when a connection goes back, instead of its default
    ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``: that is one more round
    trip per query (Tortoise takes a connection per query), measured at a third of the
    database work of the "my classes" page. The app never takes advisory locks, opens cursors
    outside a transaction, LISTENs or SETs session state, so only an open transaction (a
    cancelled request) can be left behind, and that is rolled back here."""
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


def _connection(database_url: str) -> str | dict[str, Any]:
    url = _normalise_url(database_url)
    if not is_postgres(url):
        return url
    from tortoise.backends.base.config_generator import expand_db_url

    conf = expand_db_url(url)
    credentials = conf["credentials"]
    credentials.setdefault("maxsize", DEFAULT_PG_POOL_SIZE)
    credentials["reset"] = _release_connection
    return conf


def tortoise_config(database_url: str, model_apps: Iterable[ModelApp] = ()) -> dict[str, Any]:
    apps: dict[str, Any] = {}
    for app in (CORE_APP, *model_apps):
        apps[app.label] = {"models": list(app.models), "default_connection": "default"}
        if app.migrations:
            apps[app.label]["migrations"] = app.migrations
    return {
        "connections": {"default": _connection(database_url)},
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
