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
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from lms_live_sessions.lifecycle import emit_results

log = logging.getLogger("lms.live")

INTERVAL = 0.3
#: Seconds a flush in progress may take to finish at shutdown.
STOP_GRACE = 2.0


class ResultsFlusher:
    """One per broker (that is, per app/worker). Keys are activity ids for results; other
    coalesced lists (the Q&A list, the groups' answers) use keys of their own, such as
    ``("qna", session_id)``, with the coroutine that sends them."""

    def __init__(self, broker: Any) -> None:
        self.broker = broker
        self.tasks: dict[Hashable, asyncio.Task[None]] = {}
        self.dirty: set[Hashable] = set()
        #: Keys whose flush is running: cancelling one mid-transaction could leave a database
        #: connection busy while the pool closes, so ``stop`` lets them finish.
        self.flushing: set[Hashable] = set()

    def mark(self, session_id: int, activity_id: int) -> None:
        self.mark_key(activity_id, lambda: emit_results(self.broker, session_id, activity_id))

    def mark_key(self, key: Hashable, flush: Callable[[], Awaitable[None]],
                 interval: float = INTERVAL) -> None:
        """Send ``flush()`` within ``interval`` seconds, once for every change made meanwhile
        (the interval of the first change holds until the key is flushed)."""
        if key in self.tasks:
            self.dirty.add(key)
            return
        self.tasks[key] = asyncio.create_task(self._run(key, flush, interval))

    async def _run(self, key: Hashable, flush: Callable[[], Awaitable[None]],
                   interval: float) -> None:
        try:
            while True:
                await asyncio.sleep(interval)
                self.dirty.discard(key)
                self.flushing.add(key)
                try:
                    await flush()
                except Exception:
                    log.exception("could not send the coalesced update %r", key)
                finally:
                    self.flushing.discard(key)
                if key not in self.dirty:
                    return  # no await between this test and the removal below
        finally:
            self.tasks.pop(key, None)

    async def stop(self) -> None:
        """Waiting updates are dropped (the database holds what they would say); one being
        sent is given a moment to finish its transaction, then cancelled too."""
        running = [t for k, t in self.tasks.items() if k in self.flushing]
        waiting = [t for t in self.tasks.values() if t not in running]
        for task in waiting:
            task.cancel()
        if running:
            await asyncio.wait(running, timeout=STOP_GRACE)
        for task in running:
            task.cancel()
        await asyncio.gather(*waiting, *running, return_exceptions=True)


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
