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
and a route with middleware of its own, or a class endpoint, goes through ``route.handle``.
"""

from __future__ import annotations

import inspect
from typing import Any, Sequence

from starlette.middleware import Middleware
from starlette.routing import Match, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.exceptions import WebSocketException
from starlette.websockets import WebSocket

#: ids of the scopes whose preludes all called on (kept out of the scope itself: a key added
#: and removed still grows the dict, to the next size, for the socket's life)
_passed: set[int] = set()


async def _reached(scope: Scope, receive: Receive, send: Send) -> None:
    _passed.add(id(scope))


class SocketPath:
    def __init__(self, router: Any, preludes: Sequence[Middleware]) -> None:
        app: ASGIApp = _reached
        for cls, args, kwargs in reversed(preludes):
            app = cls(app, *args, **kwargs)
        self.preludes = app
        self.router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.preludes(scope, receive, send)
        finally:
            passed = id(scope) in _passed
            _passed.discard(id(scope))
        if not passed:
            return  # a prelude answered the socket itself
        route = None
        for candidate in self.router.candidates(scope["path"]):
            match, child = candidate.matches(scope)
            if match is Match.FULL:
                # "route" and "path_params" as Starlette's router sets them; not "router" and
                # "endpoint", which sockets do not use: the 14 keys of the server's scope and
                # what the app adds stay within one dict size (21 keys; 22 doubles it)
                route = candidate
                scope["route"] = route
                scope["path_params"] = child["path_params"]
                break
        if route is None:  # as Starlette's router: close before accepting (a 403)
            await send({"type": "websocket.close", "code": 1000})
            return
        if not isinstance(route, WebSocketRoute):
            await route.handle(scope, receive, send)
            return
        gate, inner = _gate_of(route)
        if gate is not None and not await gate.allows(scope):
            await gate.refuse(scope, receive, send)
            return
        if not _plain_session(inner):
            await inner(scope, receive, send)
            return
        websocket = WebSocket(scope, receive=receive, send=send)
        try:
            await route.endpoint(websocket)
        except WebSocketException as exc:  # what Starlette's exception middleware does
            await websocket.close(code=exc.code, reason=exc.reason)


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
