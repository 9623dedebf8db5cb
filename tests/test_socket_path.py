"""A websocket's short path through the app (lms_core/http/sockets.py), over a real server: the
session cookie and the bearer token still authenticate it, none of the HTTP middleware stays on
its stack, a route's own middleware still runs, a WebSocketException closes with its code, a
plugin an institution disabled refuses the socket, and an unknown path is refused."""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest
from starlette.exceptions import HTTPException, WebSocketException
from starlette.middleware import Middleware
from starlette.routing import Mount, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from live_server import serve_app
from lms_core.auth.tokens import issue_token
from test_plugin_system import make_plugin


async def whoami(ws: WebSocket) -> None:
    await ws.accept()
    principal = ws.scope.get("principal")
    stack = sorted({type(f.frame.f_locals["self"]).__name__ for f in inspect.stack(0)
                    if "self" in f.frame.f_locals})
    await ws.send_text(json.dumps({"login": principal.login if principal else None,
                                   "stack": stack, "tagged": ws.scope.get("tagged", False)}))
    await ws.close()


async def refuses(ws: WebSocket) -> None:
    await ws.accept()
    raise WebSocketException(4321, "không cho phép")


async def denies(ws: WebSocket) -> None:
    raise HTTPException(401, "Cần đăng nhập")


class Tag:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["tagged"] = True
        await self.app(scope, receive, send)


SOCKETS = make_plugin("sockets_probe", lms_register_routes=lambda: [
    WebSocketRoute("/ws/probe/whoami", whoami),
    WebSocketRoute("/ws/probe/tagged", whoami, middleware=[Middleware(Tag)]),
    WebSocketRoute("/ws/probe/refuses", refuses),
    WebSocketRoute("/ws/probe/refuses-tagged", refuses, middleware=[Middleware(Tag)]),
    WebSocketRoute("/ws/probe/denies", denies),
    Mount("/ws/probe/mounted", routes=[WebSocketRoute("/inner", whoami)]),
])


@pytest.fixture
def extra_plugins() -> list[Any]:
    return [SOCKETS]


async def said(url: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    async with connect(url, additional_headers=headers or {}) as ws:
        return json.loads(await ws.recv())


async def test_sockets_are_authenticated_without_the_http_stack(app, client_for, world):
    trainee = await client_for("trainee_a")
    cookie = {"Cookie": f"lms_session={trainee.cookies['lms_session']}"}
    _row, secret = await issue_token(world.users["lecturer_a"], world.inst["a"], "probe")
    async with serve_app(app) as host:
        url = f"ws://{host}/ws/probe/whoami"
        assert (await said(url))["login"] is None
        by_cookie = await said(url, cookie)
        assert by_cookie["login"] == "trainee_a"
        assert (await said(url, {"Authorization": f"Bearer {secret}"}))["login"] == "lecturer_a"
        for layer in ("CountRequests", "SessionMiddleware", "AuthMiddleware", "CSRFMiddleware",
                      "ServerErrorMiddleware", "ExceptionMiddleware", "IndexedRouter"):
            assert layer not in by_cookie["stack"]
        assert "SocketPath" in by_cookie["stack"]
        assert by_cookie["tagged"] is False

        assert (await said(f"ws://{host}/ws/probe/tagged", cookie))["tagged"] is True

        for path in ("refuses", "refuses-tagged"):  # either way to the endpoint
            async with connect(f"ws://{host}/ws/probe/{path}", additional_headers=cookie) as ws:
                with pytest.raises(ConnectionClosed) as closed:
                    await ws.recv()
            assert closed.value.rcvd.code == 4321
        with pytest.raises(InvalidStatus) as denied:
            await said(f"ws://{host}/ws/probe/denies", cookie)
        assert denied.value.response.status_code == 401
        assert (await said(f"ws://{host}/ws/probe/mounted/inner", cookie))["login"] == "trainee_a"

        with pytest.raises(InvalidStatus) as missing:
            await said(f"ws://{host}/ws/probe/khong-co", cookie)
        assert missing.value.response.status_code == 403


async def test_a_plugin_disabled_by_the_institution_refuses_its_sockets(app, client_for, world):
    admin_a = await client_for("admin_a")
    trainee_a, trainee_b = await client_for("trainee_a"), await client_for("trainee_b")
    r = await admin_a.put("/api/v1/plugins/sockets_probe", json={"enabled": False})
    assert r.status_code == 200, r.text
    async with serve_app(app) as host:
        url = f"ws://{host}/ws/probe/whoami"
        with pytest.raises(InvalidStatus) as refused:
            await said(url, {"Cookie": f"lms_session={trainee_a.cookies['lms_session']}"})
        assert refused.value.response.status_code == 403
        other = await said(url, {"Cookie": f"lms_session={trainee_b.cookies['lms_session']}"})
        assert other["login"] == "trainee_b"


#: Middleware that does nothing for a socket; any other belongs among the socket preludes.
HTTP_ONLY = {"CountRequests", "CSRFMiddleware"}


async def test_every_middleware_of_the_app_is_a_socket_prelude_or_http_only(app):
    stack = [m.cls.__name__ for m in app.user_middleware]
    preludes, layer = [], app.sockets.preludes
    while hasattr(layer, "app"):
        preludes.append(type(layer).__name__)
        layer = layer.app
    assert preludes == ["SessionMiddleware", "AuthMiddleware"]
    assert [m for m in stack if m not in HTTP_ONLY] == preludes, (
        "a middleware was added to create_app: if sockets need it, list it in the socket "
        "preludes too (lms_core/app.py, lms_core/http/sockets.py); if not, in HTTP_ONLY")
