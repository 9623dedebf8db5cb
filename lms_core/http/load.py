"""How busy this worker is serving people, so that background jobs can wait for a lull.

The end of a timed test sends a whole class's submits in the same second, and each submit
queues a job (the quiz's course progress) that costs the worker several times the submit
itself. Run at once, in the same event loop, those jobs double the time the last trainee waits
for a grade. So the job runners ask ``RequestLoad.settle`` before each run: while HTTP
requests are in flight (more than ``BUSY_AT``), or the last one ended under ``QUIET_FOR`` ago,
the run waits, but never more than ``MAX_DEFER`` seconds after it was queued, so under
sustained load jobs still run at full pace, only late.
Websockets are not counted: a live class keeps hundreds open all the time, idle.
"""

from __future__ import annotations

import asyncio
import time

from starlette.types import ASGIApp, Receive, Scope, Send

#: In-flight requests above which the worker counts as busy: any. A job that starts while
#: the last requests of a burst are still being served takes the CPU they wait on (with 8, the
#: slowest submits of a class shared the worker with four progress jobs); the lulls between
#: requests of an ordinary day are many and short, and jobs fit in them.
BUSY_AT = 0
#: How long the worker must have been without requests to count as quiet: a load generator
#: or a class on a shared Wi-Fi sends in bursts, and a job started in the gap between two
#: bursts still holds the CPU when the next arrives.
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
        #: When the last request ended (monotonic).
        self.last_request = 0.0

    def busy(self) -> bool:
        return (self.in_flight > self.busy_at
                or time.monotonic() - self.last_request < self.quiet_for)

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
        try:
            await self.app(scope, receive, send)
        finally:
            load.in_flight -= 1
            load.last_request = time.monotonic()
