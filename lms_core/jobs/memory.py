"""The in-process job runner, the default (``LMS_JOBS_URL`` empty or ``memory://``): a few
worker tasks on the app's event loop and a timer that starts periodic jobs.

Right for one server process. Queued jobs live in memory, so those not started when the process
stops are lost (the log says how many), and with several processes every one of them would run
every periodic job: use ``redis://`` there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Mapping

from lms_core import clock
from lms_core.jobs.base import RunnerBase, invoke, log_failure, retry_delay
from lms_core.jobs.schedule import TickBook, latest_tick, tick_time
from lms_core.plugin_api import JobSpec

log = logging.getLogger("lms.jobs")


@dataclass(frozen=True)
class _Run:
    id: str
    spec: JobSpec
    kwargs: dict[str, Any]
    attempt: int = 1
    scheduled_for: datetime | None = None
    #: Periodic runs only: set when the run is over (done or given up), for ``run_due``.
    done: asyncio.Future[None] | None = None
    queued_at: float = field(default_factory=time.monotonic)


class MemoryJobRunner(RunnerBase):
    name = "memory"

    def __init__(self, jobs: Mapping[str, JobSpec], runtime: Any, *, concurrency: int = 4,
                 tick: float = 1.0, max_queued: int = 10_000, grace: float = 10.0) -> None:
        super().__init__(jobs, runtime)
        self.concurrency = concurrency
        self.tick = tick
        self.max_queued = max_queued
        self.grace = grace
        self._queue: asyncio.Queue[_Run] | None = None
        self._workers: list[asyncio.Task[None]] = []
        self._busy: set[asyncio.Task[Any]] = set()
        self._timer: asyncio.Task[None] | None = None
        self._retries: dict[asyncio.TimerHandle, _Run] = {}
        self._book = TickBook()
        self._periodic_runs: dict[str, asyncio.Future[None]] = {}
        self._closing = False

    async def start(self) -> None:
        self._closing = False
        self._queue = asyncio.Queue(self.max_queued)
        self._dispatch_due()  # first sight of each periodic job: counts from now
        self._workers = [asyncio.create_task(self._work(), name=f"lms-job-worker-{i}")
                         for i in range(self.concurrency)]
        self._timer = asyncio.create_task(self._every_tick(), name="lms-job-timer")

    async def stop(self) -> None:
        """Stop taking jobs; give running ones ``grace`` seconds, then cancel them."""
        self._closing = True
        if self._timer is not None:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
        for handle, run in self._retries.items():
            handle.cancel()
            self._finish(run)
        if self._retries:
            log.warning("%d job retries dropped at shutdown", len(self._retries))
        self._retries.clear()
        for worker in self._workers:
            if worker not in self._busy:
                worker.cancel()
        busy = [w for w in self._workers if w in self._busy]
        if busy:
            await asyncio.wait(busy, timeout=self.grace)
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []
        dropped = 0
        while self._queue is not None and not self._queue.empty():
            self._finish(self._queue.get_nowait())
            dropped += 1
        if dropped:
            log.warning("%d queued jobs dropped at shutdown (in-process queue)", dropped)

    async def enqueue(self, name: str, **kwargs: Any) -> str:
        spec = self.spec(name)
        run = _Run(id=uuid.uuid4().hex, spec=spec, kwargs=self.checked_kwargs(name, kwargs))
        self._put(run)
        return run.id

    async def run_due(self) -> list[str]:
        started = self._dispatch_due()
        waiting = [f for f in self._periodic_runs.values() if not f.done()]
        if waiting:
            await asyncio.gather(*waiting)
        return started

    # --- inside ------------------------------------------------------------------------------

    def _put(self, run: _Run) -> None:
        if self._queue is None or self._closing:
            raise RuntimeError("the job runner is not running")
        try:
            self._queue.put_nowait(run)
        except asyncio.QueueFull:
            raise RuntimeError(f"the in-process job queue is full ({self.max_queued} jobs "
                               "waiting); is a job failing or LMS_JOBS_URL needed?") from None

    def _dispatch_due(self) -> list[str]:
        """Queue every periodic job whose latest tick has not been taken yet, unless its last
        run is still going (a slow job never runs twice at once)."""
        now = clock.now()
        started = []
        for spec in self.periodic:
            tick = latest_tick(spec.schedule, now)  # type: ignore[arg-type]
            if not self._book.claim(spec.name, tick):
                continue
            previous = self._periodic_runs.get(spec.name)
            if previous is not None and not previous.done():
                log.info("job %s: skipping the tick of %s, its last run is still going",
                         spec.name, tick_time(tick).isoformat())
                continue
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._periodic_runs[spec.name] = done
            self._put(_Run(id=uuid.uuid4().hex, spec=spec, kwargs={},
                           scheduled_for=tick_time(tick), done=done))
            started.append(spec.name)
        return started

    async def _every_tick(self) -> None:
        while True:
            await asyncio.sleep(self.tick)
            try:
                self._dispatch_due()
            except Exception:  # a broken schedule must not stop the other jobs' timer
                log.exception("could not start the periodic jobs")

    async def _work(self) -> None:
        assert self._queue is not None
        me = asyncio.current_task()
        assert me is not None
        while not self._closing:
            run = await self._queue.get()
            try:
                await self.settle(run.queued_at)
            except asyncio.CancelledError:  # stopped while waiting: as if still queued
                self._finish(run)
                raise
            self._busy.add(me)
            try:
                await self._attempt(run)
            finally:
                self._busy.discard(me)

    async def _attempt(self, run: _Run) -> None:
        ctx = self.context(run.spec, run.id, run.kwargs, run.attempt, run.scheduled_for)
        try:
            await invoke(run.spec, ctx)
        except Exception:
            if run.attempt < run.spec.attempts and not self._closing:
                delay = retry_delay(run.spec, run.attempt)
                log_failure(run.spec, run.id, run.attempt, run.spec.attempts, delay)
                self._retry_later(delay, replace(run, attempt=run.attempt + 1))
                return
            log_failure(run.spec, run.id, run.attempt, run.spec.attempts, None)
        except asyncio.CancelledError:
            self._finish(run)
            raise
        self._finish(run)

    def _retry_later(self, delay: float, run: _Run) -> None:
        def again() -> None:
            self._retries.pop(handle, None)
            try:
                self._put(run)
            except RuntimeError as exc:
                log.error("job %s (%s) not retried: %s", run.spec.name, run.id, exc)
                self._finish(run)

        handle = asyncio.get_running_loop().call_later(delay, again)
        self._retries[handle] = run

    @staticmethod
    def _finish(run: _Run) -> None:
        if run.done is not None and not run.done.done():
            run.done.set_result(None)
