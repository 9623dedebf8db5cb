"""The job runner interface, and what both runners share: checking a call, running one job,
the retry delays and the log lines of a failure."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime
from typing import Any, Mapping, Protocol

from lms_core.plugin_api import JobContext, JobSpec

log = logging.getLogger("lms.jobs")

#: The longest wait between two attempts of a failing job, however many attempts it has.
MAX_RETRY_DELAY = 300.0


class UnknownJob(LookupError):
    """``enqueue`` or ``run`` named a job no plugin registered."""


class JobRunner(Protocol):
    """What ``runtime.jobs`` offers. The app starts it after the database is ready and stops it
    before the database closes; plugins only enqueue, tests also run jobs on the spot."""

    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def enqueue(self, name: str, **kwargs: Any) -> str:
        """Queue one run of job ``name`` with these (JSON-serialisable) arguments; returns its
        id at once, the job runs in a worker, never in the caller's request."""
        ...

    async def run(self, name: str, **kwargs: Any) -> Any:
        """Run job ``name`` now in the caller's task, once, and return its result (tests)."""
        ...

    async def run_due(self) -> list[str]:
        """Start every periodic job due at ``clock.now()`` and wait until the runs this process
        started have finished (with their retries); returns the names started (tests)."""
        ...


class RunnerBase:
    """The parts of a runner that do not depend on where the queue lives."""

    def __init__(self, jobs: Mapping[str, JobSpec], runtime: Any) -> None:
        self.jobs = dict(jobs)
        self.runtime = runtime
        self.periodic = [spec for spec in self.jobs.values() if spec.schedule is not None]

    async def settle(self, queued_at: float | None) -> None:
        """Before a run: wait while this worker is busy serving requests, for at most a few
        seconds after the job was queued (``lms_core.http.load``)."""
        load = getattr(self.runtime, "load", None)
        if load is not None:
            await load.settle(queued_at)

    def spec(self, name: str) -> JobSpec:
        try:
            return self.jobs[name]
        except KeyError:
            known = ", ".join(sorted(self.jobs)) or "none"
            raise UnknownJob(f"no job {name!r} is registered (registered: {known})") from None

    def checked_kwargs(self, name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The arguments as the job will see them after a trip through JSON, in every backend,
        so that a tuple, a date or a model passed in-process fails (or changes) on a laptop
        exactly as it would on Redis."""
        try:
            return json.loads(json.dumps(kwargs))
        except (TypeError, ValueError) as exc:
            raise TypeError(f"job {name!r}: arguments must be JSON-serialisable ({exc})") from None

    def context(self, spec: JobSpec, job_id: str, kwargs: dict[str, Any], attempt: int = 1,
                scheduled_for: datetime | None = None) -> JobContext:
        return JobContext(runtime=self.runtime, name=spec.name, job_id=job_id, kwargs=kwargs,
                          attempt=attempt, scheduled_for=scheduled_for)

    async def run(self, name: str, **kwargs: Any) -> Any:
        spec = self.spec(name)
        kwargs = self.checked_kwargs(name, kwargs)
        return await invoke(spec, self.context(spec, "inline", kwargs))


async def invoke(spec: JobSpec, ctx: JobContext) -> Any:
    """One attempt of a job, in the caller's task, cancelled after ``spec.timeout`` seconds
    (``TimeoutError``)."""
    async with asyncio.timeout(spec.timeout):
        return await spec.function(ctx, **ctx.kwargs)


def retry_delay(spec: JobSpec, attempt: int) -> float:
    """Seconds before the attempt after ``attempt``: ``retry_delay``, doubling, at most
    ``MAX_RETRY_DELAY``."""
    return min(MAX_RETRY_DELAY, spec.retry_delay * 2 ** (attempt - 1))


def log_failure(spec: JobSpec, job_id: str, attempt: int, attempts: int,
                retry_in: float | None) -> None:
    """The failure's line in the log, with its traceback: a retry is a warning, giving up is an
    error. Call from inside the ``except`` block."""
    if retry_in is not None:
        log.warning("job %s (%s) failed on attempt %d of %d; retrying within %.1f s", spec.name,
                    job_id, attempt, attempts, retry_in, exc_info=True)
    else:
        log.error("job %s (%s) failed on attempt %d of %d; giving up", spec.name, job_id,
                  attempt, attempts, exc_info=True)
