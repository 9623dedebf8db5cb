"""The Starlette app factory: settings -> plugins -> routes and middleware -> lifespan (database,
broker, job runner, plugins' start-up)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any, AsyncIterator, Iterable

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from tortoise import Tortoise

from lms_core import __version__, clock
from lms_core.auth.csrf import CSRFMiddleware
from lms_core.auth.middleware import AuthMiddleware
from lms_core.auth.principal import PrincipalLoader, role_permission_map
from lms_core.broker import create_broker
from lms_core.cache import HotCache, watch_models
from lms_core.cache import listen as listen_for_invalidations
from lms_core.db import tortoise_config
from lms_core.http.load import CountRequests
from lms_core.http.problems import Problem, problem_response, to_problem
from lms_core.http.routing import IndexedRouter
from lms_core.http.sockets import SocketPath
from lms_core.jobs import create_job_runner
from lms_core.plugins import PluginManager
from lms_core.runtime import Runtime
from lms_core.settings import PROJECT_ROOT, Settings

log = logging.getLogger("lms")

FRONTEND = PROJECT_ROOT / "frontend"


class PluginGate:
    """Answers 404 on a plugin's routes for institutions that disabled the plugin."""

    def __init__(self, app: ASGIApp, plugin: str) -> None:
        self.app = app
        self.plugin = plugin

    async def allows(self, scope: Scope) -> bool:
        principal = scope.get("principal")
        if principal is None or principal.institution_id is None:
            return True
        lms: Runtime = scope["app"].state.lms
        return self.plugin in await lms.plugins.enabled_for(principal.institution_id)

    async def refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4404})
            return
        response = problem_response(Request(scope), Problem(
            404, "Thành phần này chưa được bật cho đơn vị của bạn.",
            "This feature is not enabled for your institution."))
        await response(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not await self.allows(scope):
            await self.refuse(scope, receive, send)
            return
        await self.app(scope, receive, send)


class LmsApp(Starlette):
    """Starlette, with websockets on their short path (``http.sockets``)."""

    sockets: SocketPath | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and self.sockets is not None:
            scope["app"] = self
            await self.sockets(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def _gate_plugin_routes(plugins: PluginManager) -> list[BaseRoute]:
    routes = []
    for route in plugins.registry.routes:
        owner = plugins.registry.route_owner.get(id(route))
        if owner and not plugins.plugins[owner].essential:
            route.app = PluginGate(route.app, owner)  # type: ignore[attr-defined]
        routes.append(route)
    return routes


def create_app(settings: Settings | None = None, extra_plugins: Iterable[Any] = ()) -> Starlette:
    settings = settings or Settings.from_env()
    plugins = PluginManager(settings.disabled_plugins).load(extra_plugins)
    plugins.collect_routes(settings)
    principals = PrincipalLoader(role_permission_map(plugins.registry.permissions))
    broker = create_broker(settings.broker_url, settings.broker_namespace)
    lms = Runtime(settings=settings, plugins=plugins, broker=broker,
                  principals=principals, cache=HotCache(settings.cache_ttl))
    jobs = lms.jobs = create_job_runner(settings, plugins.registry.jobs, lms)
    watch_models()
    plugins.runtime = lms

    from lms_core.api import routes as api_routes
    from lms_core.web import routes as web_routes
    from lms_core.web.templating import build_templates

    lms.templates = build_templates(FRONTEND / "templates", plugins)

    static: list[BaseRoute] = [Mount("/static/core", StaticFiles(directory=FRONTEND / "static"),
                                     name="static")]
    for sdir in plugins.registry.static_dirs:
        static.append(Mount(f"/static/{sdir.prefix}", StaticFiles(directory=Path(sdir.path)),
                            name=f"static-{sdir.prefix}"))

    routes = [*api_routes(settings), *_gate_plugin_routes(plugins), *web_routes(settings),
              *static]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # The global fallback makes the ORM reachable from request tasks, which do not inherit
        # the lifespan task's context.
        await Tortoise.init(config=tortoise_config(settings.database_url,
                                                   plugins.registry.model_apps),
                            _enable_global_fallback=True)
        await lms.broker.start()
        cache_listener = await listen_for_invalidations(lms.cache, lms.broker)
        lms.db_ready = True
        clock_follower: asyncio.Task[None] | None = None
        try:
            if settings.test_clock:
                await clock.load_shared(max_age=0)
                clock_follower = asyncio.create_task(clock.follow_shared())
            # Jobs start before lms_startup (which may queue some) and stop after lms_shutdown,
            # with the database and the broker open.
            await jobs.start()
            try:
                await plugins.call_lifecycle("lms_startup", app=app)
                yield
            finally:
                try:
                    await plugins.call_lifecycle("lms_shutdown", app=app)
                finally:
                    await jobs.stop()
        finally:
            lms.db_ready = False
            for task in (cache_listener, clock_follower):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            await lms.broker.stop()
            await Tortoise.close_connections()

    async def on_error(request: Request, exc: Exception) -> Response:
        return problem_response(request, to_problem(exc))

    session = Middleware(SessionMiddleware, secret_key=settings.secret_key,
                         session_cookie="lms_session", max_age=settings.session_max_age,
                         same_site="lax", https_only=settings.https_only)
    auth = Middleware(AuthMiddleware, loader=principals)
    middleware = [Middleware(CountRequests, load=lms.load), session, auth,
                  Middleware(CSRFMiddleware)]
    app = LmsApp(debug=settings.debug, routes=routes, middleware=middleware,
                    lifespan=lifespan, exception_handlers={Exception: on_error, 404: on_error,
                                                           405: on_error})
    app.router = IndexedRouter(routes=routes, lifespan=lifespan)  # same routes, found faster
    # What a socket needs of the stack: a middleware added above reaches sockets only if it is
    # listed here too (tests/test_socket_path.py checks the two lists together).
    app.sockets = SocketPath(app.router, [session, auth])
    app.state.lms = lms
    app.state.version = __version__
    return app
