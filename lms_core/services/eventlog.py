"""Writes the event log and tells plugins, in that order, after the action committed."""

from __future__ import annotations

import logging
from typing import Any

from lms_core.models import EventLog
from lms_core.plugins import PluginManager

log = logging.getLogger("lms.events")


async def emit(plugins: PluginManager, hook: str, institution_id: int | None,
               actor_id: int | None, payload: dict[str, Any], **hook_kwargs: Any) -> None:
    try:
        await EventLog.create(institution_id=institution_id, actor_id=actor_id,
                              name=hook.removeprefix("lms_event_"), payload=payload)
    except Exception:  # the action already committed; a log failure must not undo its answer
        log.exception("could not write event log for %s", hook)
    await plugins.fire_event(hook, institution_id, **hook_kwargs)


PendingEvent = tuple[str, "int | None", "int | None", dict[str, Any], dict[str, Any]]


async def emit_all(plugins: PluginManager, events: list[PendingEvent]) -> None:
    """Emit events collected while a larger transaction was open, once it has committed."""
    for hook, institution_id, actor_id, payload, kwargs in events:
        await emit(plugins, hook, institution_id, actor_id, payload, **kwargs)
