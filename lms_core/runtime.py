"""The objects one running app shares: settings, plugins, broker, job runner, templates,
principal cache, request load.

Stored on ``app.state.lms``; handlers reach it through ``runtime(request)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import HTTPConnection

from lms_core.auth.principal import PrincipalLoader
from lms_core.broker import Broker
from lms_core.cache import HotCache
from lms_core.http.load import RequestLoad
from lms_core.jobs.base import JobRunner
from lms_core.plugins import PluginManager
from lms_core.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    plugins: PluginManager
    broker: Broker
    principals: PrincipalLoader
    cache: HotCache | None = None
    templates: Any = None
    db_ready: bool = False
    #: Queued and periodic background work (``lms_core.jobs``), started with the app.
    jobs: JobRunner | None = None
    #: HTTP requests in flight, which background jobs wait on (``lms_core.http.load``).
    load: RequestLoad = field(default_factory=RequestLoad)


def runtime(conn: HTTPConnection) -> Runtime:
    return conn.app.state.lms
