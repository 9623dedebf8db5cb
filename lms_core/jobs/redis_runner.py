"""The job runner for several workers (``LMS_JOBS_URL=redis://...``): a saq queue on Redis, and
a saq worker inside every app process, started and stopped by the app's lifespan.

saq brings the durable queue, the workers, retries with backoff and the sweeping of jobs left
behind by a dead process. The periodic schedule is this module's own, for one reason: saq's
``CronJob`` reads the real time (``datetime.now`` in ``Worker.schedule``), so it cannot follow
``lms_core.clock`` when a test moves it 90 days; and its de-duplication by job key only lasts
while a run is incomplete, so a worker polling just as a fast run finished could queue the same
tick again. Here every process computes the same latest tick from ``clock.now()`` and claims it
with one atomic Lua script over the last tick taken (``schedule.is_due``): one process wins per
tick, and it queues the run under the job's fixed saq key, so a slow periodic job also never
runs twice at once.

saq delivers at least once (its sweep can queue again a job it caught just as a worker took it);
a lease and a "done" mark per run in Redis make such a repeat a no-op, so a reminder is not sent
twice. A job killed half-way (the process died) does run again: write jobs so that a second run
after a partial first one does no harm.

Keys and the queue name start with ``Settings.broker_namespace``: two installations, or two test
processes, on one Redis never take each other's jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import uuid
from typing import Any, Mapping

from saq import Job, Queue, Worker
from saq.job import TERMINAL_STATUSES

from lms_core import clock
from lms_core.jobs.base import (
    MAX_RETRY_DELAY,
    RunnerBase,
    invoke,
    log_failure,
    retry_delay,
)
from lms_core.jobs.schedule import latest_tick, tick_time
from lms_core.plugin_api import JobSpec

log = logging.getLogger("lms.jobs")

#: ``schedule.is_due`` as one atomic step: KEYS[1] holds the last tick taken, ARGV[1] is the
#: latest tick now; the tick becomes the last one, and 1 means "run it".
CLAIM_TICK = """
local last = tonumber(redis.call('GET', KEYS[1]))
local tick = tonumber(ARGV[1])
redis.call('SET', KEYS[1], ARGV[1])
if last ~= nil and last < tick then return 1 end
return 0
"""


#: How long a finished run is remembered, so that a repeated delivery of it is skipped.
DONE_MARK_SECONDS = 3600


class _ShutdownNotice(logging.Filter):
    """saq warns at every stop that tasks "did not finish within the shutdown grace period":
    its upkeep loops sleep for up to a minute and the grace here is 0 on purpose (a run cut
    short is queued again), so that line says nothing and is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Some tasks did not finish within the shutdown")


logging.getLogger("saq").addFilter(_ShutdownNotice())


class _AppWorker(Worker):
    """saq's worker without its SIGINT/SIGTERM handlers: inside uvicorn they would replace
    uvicorn's own, and a SIGTERM would stop the jobs but never the server."""

    SIGNALS: list[Any] = []


class RedisJobRunner(RunnerBase):
    name = "redis"

    def __init__(self, url: str, jobs: Mapping[str, JobSpec], runtime: Any, *,
                 namespace: str = "lms", concurrency: int = 8, tick: float = 1.0) -> None:
        super().__init__(jobs, runtime)
        self.url = url
        self.namespace = namespace
        self.queue_name = f"{namespace}:jobs"
        self.concurrency = concurrency
        self.tick = tick
        self.queue: Queue | None = None
        self._worker: Worker | None = None
        self._worker_task: asyncio.Task[None] | None = None
        self._timer: asyncio.Task[None] | None = None
        self._claim: Any = None
        self._dispatch_lock = asyncio.Lock()
        #: Periodic runs this process queued, by saq key (one fixed key per job, so it stays
        #: small), until ``run_due`` sees them over.
        self._waiting: dict[str, JobSpec] = {}
        self._failing = False

    def tick_key(self, name: str) -> str:
        return f"{self.namespace}:jobs:last-tick:{name}"

    def periodic_key(self, name: str) -> str:
        # saq keeps a job's abort flag under "saq:abort:<key>" for every queue alike, so even
        # the key carries the namespace.
        return f"{self.namespace}:periodic:{name}"

    async def start(self) -> None:
        """Connect, start the saq worker and the periodic timer. Redis unreachable fails the
        start (the first tick is claimed here), so a wrong ``LMS_JOBS_URL`` is seen at once."""
        self.queue = Queue.from_url(self.url, name=self.queue_name)
        try:
            await self.queue.connect()
            self._claim = self.queue.redis.register_script(CLAIM_TICK)  # type: ignore[attr-defined]
            self._worker = _AppWorker(
                self.queue, [(s.name, self._saq_function(s)) for s in self.jobs.values()],
                concurrency=self.concurrency,
                timers={"schedule": 1, "abort": 1, "worker_info": 10, "sweep": 60})
            self._worker_task = asyncio.create_task(self._worker.start(), name="lms-saq-worker")
            async with self._dispatch_lock:
                await self._dispatch_due()  # first sight counts from now; after a restart, catch up
        except BaseException:
            await self.stop()
            raise
        self._timer = asyncio.create_task(self._every_tick(), name="lms-job-timer")

    async def stop(self) -> None:
        """Stop the timer and the worker. A run cut short goes back to the queue (saq retries
        it as "cancelled"), where another worker, or this one after a restart, takes it."""
        if self._timer is not None:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
        if self._worker is not None:
            await self._worker.stop()
        if self._worker_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker_task
        if self.queue is not None:
            await self.queue.disconnect()
        self._timer = self._worker = self._worker_task = self.queue = None

    async def enqueue(self, name: str, **kwargs: Any) -> str:
        spec = self.spec(name)
        key = uuid.uuid4().hex
        await self._queue_run(spec, key, self.checked_kwargs(name, kwargs), {})
        return key

    async def run_due(self) -> list[str]:
        async with self._dispatch_lock:
            started = await self._dispatch_due()
        await self._wait_for_periodic_runs()
        return started

    # --- inside ------------------------------------------------------------------------------

    def _saq_function(self, spec: JobSpec) -> Any:
        """The function saq calls: builds the job's context, runs the job unless this run was
        already done (or is going on elsewhere), and logs a failure by job name before saq
        retries it or gives up."""

        async def call(saq_ctx: dict[str, Any], **kwargs: Any) -> None:
            job: Job = saq_ctx["job"]
            tick = job.meta.get("tick")
            ctx = self.context(spec, job.key, kwargs, job.attempts,
                               tick_time(tick) if tick is not None else None)
            run_key = f"{self.namespace}:jobs:run:{job.key}:{tick or 0}"
            # saq's ``queued`` is wall-clock milliseconds; settle counts on the monotonic clock
            await self.settle(time.monotonic() - max(0.0, time.time() - job.queued / 1000))
            if not await self._begin(run_key, spec):
                log.info("job %s (%s): a repeated delivery of a run already done or still "
                         "going; skipped", spec.name, job.key)
                return
            try:
                await invoke(spec, ctx)
            except Exception:
                # saq waits a random part of this (jitter, so workers do not retry in step)
                log_failure(spec, job.key, job.attempts, job.retries,
                            retry_delay(spec, job.attempts) if job.retryable else None)
                await self._end(run_key, done=False)
                raise
            except BaseException:  # cancelled (shutdown): saq queues it again
                await self._end(run_key, done=False)
                raise
            await self._end(run_key, done=True)
            # The result is dropped: saq would store it as JSON, and nobody reads it.

        return call

    async def _begin(self, run_key: str, spec: JobSpec) -> bool:
        """Take this run's lease, unless it is held or the run is already done.

        saq delivers a job at least once: its sweep (at each worker's start, then once a
        minute) takes a job caught between being dequeued and marked active for an abandoned
        one and queues it again, which would send a reminder twice. A lease while the run goes
        on and a "done" mark for an hour afterwards turn that repeat into a no-op."""
        redis = self.queue.redis  # type: ignore[union-attr]
        if not await redis.set(f"{run_key}:lease", 1, nx=True, ex=math.ceil(spec.timeout) + 5):
            return False
        if await redis.exists(f"{run_key}:done"):
            await redis.delete(f"{run_key}:lease")
            return False
        return True

    async def _end(self, run_key: str, done: bool) -> None:
        redis = self.queue.redis  # type: ignore[union-attr]
        async with redis.pipeline(transaction=True) as pipe:
            if done:
                pipe.set(f"{run_key}:done", 1, ex=DONE_MARK_SECONDS)
            pipe.delete(f"{run_key}:lease")
            await pipe.execute()

    async def _queue_run(self, spec: JobSpec, key: str, kwargs: dict[str, Any],
                         meta: dict[str, Any]) -> bool:
        """Queue one run under ``key``; False when a run with that key is still incomplete."""
        if self.queue is None:
            raise RuntimeError("the job runner is not running")
        # A Job built here, not queue.enqueue(name, **kwargs): saq would take an argument named
        # like a Job field (key, timeout, meta...) for that field.
        # saq's own timeout is a backstop a second later: invoke() times the run out first, so
        # that the failure is logged and retried like any other.
        job = Job(function=spec.name, kwargs=kwargs, key=key, timeout=math.ceil(spec.timeout) + 1,
                  retries=spec.attempts, retry_delay=spec.retry_delay,
                  retry_backoff=MAX_RETRY_DELAY, meta=meta)
        return await self.queue.enqueue(job) is not None

    async def _dispatch_due(self) -> list[str]:
        now = clock.now()
        started = []
        for spec in self.periodic:
            tick = latest_tick(spec.schedule, now)  # type: ignore[arg-type]
            if not await self._claim(keys=[self.tick_key(spec.name)], args=[tick]):
                continue
            key = self.periodic_key(spec.name)
            if await self._queue_run(spec, key, {}, {"tick": tick}):
                started.append(spec.name)
            else:
                log.info("job %s: skipping the tick of %s, its last run is still going",
                         spec.name, tick_time(tick).isoformat())
            self._waiting[key] = spec
        return started

    async def _every_tick(self) -> None:
        while True:
            await asyncio.sleep(self.tick)
            try:
                async with self._dispatch_lock:
                    await self._dispatch_due()
            except Exception:  # Redis away: say so once, keep trying
                if not self._failing:
                    log.exception("could not start the periodic jobs; retrying every %.0f s",
                                  self.tick)
                self._failing = True
            else:
                if self._failing:
                    log.info("periodic jobs start again")
                self._failing = False

    async def _wait_for_periodic_runs(self) -> None:
        """Poll the periodic runs this process queued until each is over (done, failed after
        its retries, or aborted)."""
        assert self.queue is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(
            (s.attempts * (s.timeout + MAX_RETRY_DELAY) for s in self._waiting.values()),
            default=0)
        while self._waiting:
            keys = list(self._waiting)
            for key, job in zip(keys, await self.queue.jobs(keys)):
                if job is None or job.status in TERMINAL_STATUSES:
                    self._waiting.pop(key, None)
            if self._waiting:
                if loop.time() > deadline:
                    raise TimeoutError(f"periodic jobs still running: {sorted(self._waiting)}")
                await asyncio.sleep(0.05)
