"""Chooses the job runner from ``LMS_JOBS_URL``: in-process (empty or ``memory://``, the default)
or saq on Redis (``redis://...``) for several workers."""

from __future__ import annotations

from typing import Any, Mapping

from lms_core.jobs.base import JobRunner
from lms_core.plugin_api import JobSpec
from lms_core.settings import Settings


def create_job_runner(settings: Settings, jobs: Mapping[str, JobSpec], runtime: Any) -> JobRunner:
    url = settings.jobs_url
    if url in ("", "memory", "memory://"):
        from lms_core.jobs.memory import MemoryJobRunner

        return MemoryJobRunner(jobs, runtime)
    if url.startswith(("redis://", "rediss://")):
        from lms_core.jobs.redis_runner import RedisJobRunner

        return RedisJobRunner(url, jobs, runtime, namespace=settings.broker_namespace)
    raise ValueError(f"LMS_JOBS_URL: unknown job queue {url!r} "
                     "(use memory:// for one process or redis://host:port/db for several)")
