"""Health check and the OpenAPI document."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import Response
from tortoise import connections

from lms_core.http.endpoints import api
from lms_core.http.jsonio import JSON
from lms_core.http.openapi import build_openapi
from lms_core.runtime import runtime

log = logging.getLogger("lms.health")


@api("GET", permission=None, anonymous=True, summary="Health of the database and the broker",
     tags=("system",), responses={503: "A dependency is down"})
async def healthz(request: Request, principal) -> Response:
    """Load balancers call this; it touches the database and the broker for real."""
    lms = runtime(request)
    db_ok, broker_ok = False, False
    if lms.db_ready:
        try:
            await connections.get("default").execute_query("SELECT 1")
            db_ok = True
        except Exception:
            log.exception("health check: database unreachable")
        broker_ok = await lms.broker.ping()
    ok = db_ok and broker_ok
    return JSON({"status": "ok" if ok else "degraded",
                 "database": {"ok": db_ok, "engine": lms.settings.database_url.split(":", 1)[0]},
                 "broker": {"ok": broker_ok, "kind": lms.broker.name}},
                status_code=200 if ok else 503)


@api("GET", permission=None, anonymous=True, summary="This OpenAPI document", tags=("system",))
async def openapi(request: Request, principal) -> Response:
    doc = getattr(request.app.state, "openapi_doc", None)
    if doc is None:
        doc = build_openapi(request.app.routes, request.app.state.version)
        request.app.state.openapi_doc = doc
    return JSON(doc)
