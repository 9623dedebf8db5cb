"""Health check, the OpenAPI document, and the test clock.

``/api/v1/system/clock`` reads and moves ``lms_core.clock`` in a real server, for end-to-end
tests that must see "90 days later". Its routes exist only with ``LMS_TEST_CLOCK=1``; a move goes
through the database, so every worker of the server agrees within a second."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from tortoise import connections

from lms_core import clock
from lms_core.api.schemas import ClockMove
from lms_core.http.endpoints import api
from lms_core.http.jsonio import JSON
from lms_core.http.openapi import build_openapi
from lms_core.http.problems import Problem
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


# --- the test clock (LMS_TEST_CLOCK=1 only) ---------------------------------------------------


def _state() -> dict[str, Any]:
    moved = clock.offset()
    return {"now": clock.now().isoformat(), "real_now": datetime.now(timezone.utc).isoformat(),
            "offset_seconds": moved.total_seconds(), "offset_days": moved / timedelta(days=1)}


@api("GET", permission="system.clock", summary="The test clock (LMS_TEST_CLOCK=1 only)",
     tags=("system",))
async def read_clock(request: Request, principal: Any) -> dict[str, Any]:
    """What ``clock.now()`` answers in this worker, read fresh from the database."""
    await clock.load_shared(max_age=0)
    return _state()


@api("POST", permission="system.clock", body=ClockMove,
     summary="Move the test clock (LMS_TEST_CLOCK=1 only)", tags=("system",),
     responses={422: "Not exactly one of advance_seconds, advance_days, reset; or the clock "
                     "would go back past the real time"})
async def move_clock(request: Request, principal: Any, body: ClockMove) -> dict[str, Any]:
    """Move the clock of every worker: ``{"advance_days": 90}``, ``{"advance_seconds": 30}``
    or ``{"reset": true}``. It never goes back past the real time."""
    given = [k for k in ("advance_seconds", "advance_days", "reset")
             if getattr(body, k) is not None]
    if len(given) != 1 or body.reset is False:
        raise Problem(422, "Hãy gửi đúng một trong các trường advance_seconds, advance_days "
                           "hoặc reset (true).",
                      "Send exactly one of advance_seconds, advance_days or reset (true).")
    if body.reset:
        delta = None
    elif body.advance_days is not None:
        delta = timedelta(days=body.advance_days)
    else:
        delta = timedelta(seconds=body.advance_seconds or 0)
    try:
        await clock.move_shared(delta)
    except ValueError:
        raise Problem(422, "Đồng hồ thử nghiệm không thể lùi về trước giờ thật.",
                      "The test clock cannot go back past the real time.") from None
    return _state()
