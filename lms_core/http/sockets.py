"""A websocket's short way through the app: its middleware runs as a prelude, then its endpoint.

A request passes through the middleware stack and is gone in milliseconds; a live-class socket
stays for hours, and everything on its call stack stays with it. Through Starlette's stack
that is a suspended coroutine per layer (server errors, request counting, session, auth, CSRF,
exception handling, router, route, exception handling again) with their closures and wrapped
``send``s: ~8 KiB of a socket's ~33 KiB, measured with tracemalloc (docs/performance.md),
times 10,000 phones in one class. Of those layers only two do anything for a socket, the
session cookie and authentication, and neither wraps ``receive`` or ``send`` for it. So a
socket runs them as *preludes*: the chain is called with an innermost app that only notes it
was reached, the preludes return once ``scope["session"]`` and ``scope["principal"]`` are set,
and the endpoint is then called from here, with the server's own ``receive`` and ``send``.
A prelude that refuses (does not call on) has answered the socket itself. Middleware that
must wrap a socket's messages does not belong among the preludes.

Routing is the app's router's (``IndexedRouter``), plugin routes keep their ``PluginGate``,
a route with middleware of its own, a class endpoint or a Mount runs as Starlette runs it,
and a ``WebSocketException`` or ``HTTPException`` from any of them is answered as Starlette's
exception middleware answers it. Middleware added to the app later does not reach sockets
until it is listed here as a prelude too (tests/test_socket_path.py holds the list).
"""

from __future__ import annotations

import inspect
from contextvars import ContextVar
from typing import Any, Sequence

from starlette._utils import get_route_path
from starlette.exceptions import HTTPException, WebSocketException
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Match, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

#: The scope the innermost prelude received, set by ``_reached`` within this socket's own task
#: (not a scope key: a key added and removed still grows the dict, for the socket's life).
_PASSED: ContextVar[Scope | None] = ContextVar("lms_socket_preludes_passed", default=None)


async def _reached(scope: Scope, receive: Receive, send: Send) -> None:
    _PASSED.set(scope)


class SocketPath:
    def __init__(self, router: Any, preludes: Sequence[Middleware]) -> None:
        app: ASGIApp = _reached
        for cls, args, kwargs in reversed(preludes):
            app = cls(app, *args, **kwargs)
        self.preludes = app
        self.router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _PASSED.set(None)
        try:
            await self.preludes(scope, receive, send)
            passed = _PASSED.get()
        finally:
            _PASSED.reset(token)
        if passed is None:
            return  # a prelude answered the socket itself
        scope = passed  # the same dict, unless a prelude passed on a copy
        route, child = self._route(scope)
        if route is None:  # as Starlette's router: close before accepting (a 403)
            await send({"type": "websocket.close", "code": 1000})
            return
        if isinstance(route, WebSocketRoute):
            # "route" and "path_params" as Starlette's router sets them; not "router" and
            # "endpoint", which sockets do not use: the 14 keys of the server's scope and
            # what the app adds stay within one dict size (21 keys; 22 doubles it)
            scope["route"] = route
            scope["path_params"] = child["path_params"]
        else:
            scope.update(child)  # a Mount: its root_path and params for the app inside
        websocket = WebSocket(scope, receive=receive, send=send)
        try:
            await self._dispatch(route, scope, receive, send, websocket)
        except WebSocketException as exc:  # what Starlette's exception middleware does
            await websocket.close(code=exc.code, reason=exc.reason)
        except HTTPException as exc:
            await _deny(websocket, exc)

    def _route(self, scope: Scope) -> tuple[Any, Scope]:
        for candidate in self.router.candidates(get_route_path(scope)):
            match, child = candidate.matches(scope)
            if match is Match.FULL:
                return candidate, child
        return None, {}

    @staticmethod
    async def _dispatch(route: Any, scope: Scope, receive: Receive, send: Send,
                        websocket: WebSocket) -> None:
        if not isinstance(route, WebSocketRoute):
            await route.handle(scope, receive, send)
            return
        gate, inner = _gate_of(route)
        if gate is not None and not await gate.allows(scope):
            await gate.refuse(scope, receive, send)
        elif _plain_session(inner):
            await route.endpoint(websocket)
        else:  # route middleware, a class endpoint: as Starlette runs them
            await inner(scope, receive, send)


async def _deny(websocket: WebSocket, exc: HTTPException) -> None:
    """An HTTPException before the handshake is answered with its status, as Starlette's
    exception middleware does; after it (or without the server's extension), 1011."""
    try:
        await websocket.send_denial_response(PlainTextResponse(
            exc.detail, status_code=exc.status_code, headers=exc.headers))
    except RuntimeError:
        await websocket.close(code=1011)


def _gate_of(route: WebSocketRoute) -> tuple[Any, ASGIApp]:
    """The route's ``PluginGate`` (None for core routes) and the app it guards."""
    from lms_core.app import PluginGate

    if isinstance(route.app, PluginGate):
        return route.app, route.app.app
    return None, route.app


def _plain_session(app: ASGIApp) -> bool:
    """Starlette's wrapper of a ``func(websocket)`` endpoint with no route middleware, which
    only adds an exception handler the app's own handlers do not use for sockets."""
    return inspect.isfunction(app) and app.__qualname__ == "websocket_session.<locals>.app"
