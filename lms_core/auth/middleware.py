"""Pure-ASGI authentication (BaseHTTPMiddleware costs ~6x throughput, see STACK-NOTES).

Puts a ``Principal`` (or None) into ``scope["principal"]``: from a bearer token if the request
carries ``Authorization: Bearer``, else from the signed session cookie that Starlette's
SessionMiddleware has already decoded into ``scope["session"]``.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from lms_core.auth.principal import PrincipalLoader
from lms_core.auth.tokens import resolve_token


class AuthMiddleware:
    def __init__(self, app: ASGIApp, loader: PrincipalLoader) -> None:
        self.app = app
        self.loader = loader

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        principal = None
        auth = _header(scope, b"authorization")
        if auth and auth[:7].lower() == "bearer ":
            found = await resolve_token(auth[7:].strip())
            if found:
                principal = await self.loader.load(found[0], found[1], "token")
            scope["auth_failed"] = principal is None
        else:
            session = scope.get("session") or {}
            uid = session.get("uid")
            if isinstance(uid, int):
                inst = session.get("inst")
                principal = await self.loader.load(uid, inst if isinstance(inst, int) else None,
                                                   "session")
                if principal is not None and principal.session_epoch != session.get("epoch", 0):
                    principal = None  # signed before the last password change
        scope["principal"] = principal
        await self.app(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None
