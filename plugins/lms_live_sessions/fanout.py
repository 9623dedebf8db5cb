"""Coalesced results: answers arrive by the thousand, results leave a few times a second.

Re-broadcasting results on every answer to every socket costs answers x sockets sends (10,000
trainees answering: 10^8). Instead each answer only marks its activity dirty on the worker
that took it; the worker sends the activity's results at most once per ``INTERVAL`` (a trailing
throttle: the first answer starts a timer, answers meanwhile ride along, a last flush follows
the last answer). Figures are read from the database, so with several workers each sends what
is stored, at most once per interval each, and the latest ``seq`` always has the latest figures.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

from lms_live_sessions.lifecycle import emit_results

log = logging.getLogger("lms.live")

INTERVAL = 0.3


class ResultsFlusher:
    """One per broker (that is, per app/worker)."""

    def __init__(self, broker: Any) -> None:
        self.broker = broker
        self.tasks: dict[int, asyncio.Task[None]] = {}
        self.dirty: set[int] = set()

    def mark(self, session_id: int, activity_id: int) -> None:
        if activity_id in self.tasks:
            self.dirty.add(activity_id)
            return
        self.tasks[activity_id] = asyncio.create_task(self._run(session_id, activity_id))

    async def _run(self, session_id: int, activity_id: int) -> None:
        try:
            while True:
                await asyncio.sleep(INTERVAL)
                self.dirty.discard(activity_id)
                try:
                    await emit_results(self.broker, session_id, activity_id)
                except Exception:
                    log.exception("could not send results of activity %s", activity_id)
                if activity_id not in self.dirty:
                    return  # no await between this test and the removal below
        finally:
            self.tasks.pop(activity_id, None)

    async def stop(self) -> None:
        tasks = list(self.tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


_flushers: "weakref.WeakKeyDictionary[Any, ResultsFlusher]" = weakref.WeakKeyDictionary()


def flusher_for(broker: Any) -> ResultsFlusher:
    flusher = _flushers.get(broker)
    if flusher is None:
        flusher = _flushers[broker] = ResultsFlusher(broker)
    return flusher


async def stop_all() -> None:
    """At shutdown, before the database closes."""
    for flusher in list(_flushers.values()):
        await flusher.stop()
