"""Where the socket calls the hooks it declares for other plugins (``hookspecs.py``): joins and
leaves, messages it does not know, accepted interactions, feeds on the lecturer's console, and
the end of a session. A failing plugin is logged and skipped; it never closes a socket."""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any, Callable

log = logging.getLogger("lms.live")


async def connected(conn: Any) -> None:
    await conn.plugins.fire_event("lms_live_connected", conn.institution_id, connection=conn)


async def disconnected(conn: Any) -> None:
    await conn.plugins.fire_event("lms_live_disconnected", conn.institution_id,
                                  connection=conn)


async def interaction(conn: Any, what: str, data: dict[str, Any]) -> None:
    detail = {k: data[k] for k in ("client_id", "activity_id", "question_id", "group_id")
              if isinstance(data.get(k), (int, str)) and not isinstance(data.get(k), bool)
              and len(str(data[k])) <= 64}
    await conn.plugins.fire_event("lms_live_interaction", conn.institution_id,
                                  connection=conn, what=what, detail=detail)


async def message(conn: Any, kind: str, data: dict[str, Any]) -> bool:
    """True when a plugin took the message."""
    try:
        return bool(await conn.plugins.first_result("lms_live_message", conn.institution_id,
                                                    connection=conn, type=kind, data=data))
    except Exception:
        log.exception("a plugin failed on live message %r", kind[:40])
        await conn.error("plugin_error", "Không xử lý được tin nhắn này.",
                         "This message could not be handled.")
        return True


async def runner_feeds(conn: Any) -> list[asyncio.Task[Any]]:
    """Start the feeds plugins run on a runner's console; the caller cancels them."""
    try:
        feeds: list[Callable[[], Any]] = await conn.plugins.collect(
            "lms_live_runner_feeds", conn.institution_id, connection=conn)
    except Exception:
        log.exception("a plugin failed to give its live console feeds")
        return []
    return [asyncio.create_task(_guarded(feed)) for feed in feeds if callable(feed)]


async def _guarded(feed: Callable[[], Any]) -> None:
    try:
        result = feed()
        if inspect.isawaitable(result):
            await result
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("live console feed %r failed", getattr(feed, "__qualname__", feed))


async def session_ended(runtime: Any, session: Any) -> None:
    if runtime is None:
        return
    await runtime.plugins.fire_event("lms_live_session_ended", session.institution_id,
                                     session=session, runtime=runtime)
