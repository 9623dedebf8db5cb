"""How busy this worker is serving people, so that background jobs can wait for a lull.

The end of a timed test sends a whole class's submits in the same second, and each submit
queues a job (the quiz's course progress) that costs the worker several times the submit
itself. Run at once, in the same event loop, those jobs double the time the last trainee waits
for a grade. So the job runners ask ``RequestLoad.settle`` before each run: while HTTP
requests are in flight (more than ``BUSY_AT``), or were under ``QUIET_FOR`` ago, the run
waits, but never more than ``MAX_DEFER`` seconds after it was queued, so under sustained load
jobs still run at full pace, only late. Websockets are not counted: a live class keeps
hundreds open all the time, idle.
"""

from __future__ import annotations

import asyncio
import time

from starlette.types import ASGIApp, Receive, Scope, Send

#: In-flight requests above which the worker counts as busy. One trainee's page (a request or
#: two) must not hold the job back: they submit, open the course page, and expect the module
#: ticked, which the progress job records.
BUSY_AT = 8
#: How long the worker stays busy after it last had more than ``BUSY_AT`` requests: a class
#: sends in bursts (so does a load generator), and a job started in the gap between two bursts,
#: or while the last requests of one are served, still holds the CPU they wait on.
QUIET_FOR = 0.2
#: The longest a queued job waits for the load to drop, from when it was queued.
MAX_DEFER = 5.0
_POLL = 0.05


class RequestLoad:
    """The count of HTTP requests this process is serving."""

    def __init__(self, busy_at: int = BUSY_AT, max_defer: float = MAX_DEFER,
                 quiet_for: float = QUIET_FOR) -> None:
        self.in_flight = 0
        self.busy_at = busy_at
        self.max_defer = max_defer
        self.quiet_for = quiet_for
        #: When the worker last had more than ``busy_at`` requests in flight (monotonic).
        self.last_busy = 0.0

    def busy(self) -> bool:
        return (self.in_flight > self.busy_at
                or time.monotonic() - self.last_busy < self.quiet_for)

    async def settle(self, queued_at: float | None = None) -> float:
        """Wait while the worker is busy, up to ``max_defer`` after ``queued_at`` (a
        ``time.monotonic()``; now when not given). Returns the seconds waited."""
        started = time.monotonic()
        until = (queued_at if queued_at is not None else started) + self.max_defer
        while self.busy() and time.monotonic() < until:
            await asyncio.sleep(_POLL)
        return time.monotonic() - started


class CountRequests:
    """Pure-ASGI middleware keeping ``RequestLoad.in_flight``."""

    def __init__(self, app: ASGIApp, load: RequestLoad) -> None:
        self.app = app
        self.load = load

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        load = self.load
        load.in_flight += 1
        if load.in_flight > load.busy_at:
            load.last_busy = time.monotonic()
        try:
            await self.app(scope, receive, send)
        finally:
            if load.in_flight > load.busy_at:
                load.last_busy = time.monotonic()
            load.in_flight -= 1
