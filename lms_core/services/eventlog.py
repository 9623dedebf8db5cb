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
