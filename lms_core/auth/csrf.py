"""CSRF protection for cookie-authenticated requests, as pure ASGI middleware.

Every session holds a random ``csrf`` token. An unsafe request (POST, PUT, PATCH, DELETE) that
relies on the session cookie must present it: in the ``X-CSRF-Token`` header (the ES modules
do this), in the ``csrf_token`` field of a urlencoded form (buffered here, forms are small), or in
the ``csrf_token`` query parameter (multipart uploads, whose bodies are not buffered).
Bearer-token requests carry no ambient credentials and are exempt.
"""

from __future__ import annotations

import hmac
import json
import secrets
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Receive, Scope, Send

from lms_core.http.bodies import read_capped, replay

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
MAX_FORM_BYTES = 1_000_000
EXEMPT_PATHS = ("/login", "/api/v1/auth/login")  # no session yet; rate-limited instead


def ensure_token(session: dict) -> str:
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 20:
        token = secrets.token_urlsafe(24)
        session["csrf"] = token
    return token


class CSRFMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in SAFE_METHODS
            or scope["path"] in EXEMPT_PATHS
            or not (scope.get("session") or {}).get("uid")
            or _header(scope, b"authorization", "").lower().startswith("bearer ")
        ):
            await self.app(scope, receive, send)
            return
        expected = scope["session"].get("csrf", "")
        supplied = _header(scope, b"x-csrf-token", "")
        if not supplied:
            qs = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            supplied = (qs.get("csrf_token") or [""])[0]
        ctype = _header(scope, b"content-type", "")
        if not supplied and ctype.startswith("application/x-www-form-urlencoded"):
            body = await read_capped(receive, MAX_FORM_BYTES)
            if body is None:
                await _reject(send, 413, "Biểu mẫu quá lớn.", "Form too large.")
                return
            form = parse_qs(body.decode("utf-8", "replace"))
            supplied = (form.get("csrf_token") or [""])[0]
            receive = replay(body)
        if not expected or not supplied or not hmac.compare_digest(expected, supplied):
            await _reject(
                send, 403,
                "Yêu cầu không hợp lệ (thiếu hoặc sai mã CSRF). Hãy tải lại trang và thử lại.",
                "Missing or invalid CSRF token. Reload the page and try again.",
            )
            return
        await self.app(scope, receive, send)


def _header(scope: Scope, name: bytes, default: str) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return default


async def _reject(send: Send, status: int, detail: str, detail_en: str) -> None:
    body = json.dumps({
        "type": "about:blank", "title": "Forbidden" if status == 403 else "Too large",
        "status": status, "detail": detail, "detail_en": detail_en,
    }, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/problem+json; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
    ]})
    await send({"type": "http.response.body", "body": body})
