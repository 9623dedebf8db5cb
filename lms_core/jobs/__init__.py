"""The app's job runner: queued and scheduled work that must not run inside a request.

Plugins register ``JobSpec``s through ``lms_register_jobs``; the app builds one runner from
``LMS_JOBS_URL`` (``factory``), starts it in its lifespan and exposes it as ``runtime.jobs``
(``base.JobRunner``). ``memory`` runs jobs on the app's own event loop, ``redis_runner`` on saq
with Redis; both take periodic ticks from ``lms_core.clock`` (``schedule``), so tests can move
the clock and call ``run_due()``.
"""

from lms_core.jobs.base import JobRunner, UnknownJob
from lms_core.jobs.factory import create_job_runner
from lms_core.plugin_api import JobContext, JobSpec

__all__ = ["JobContext", "JobRunner", "JobSpec", "UnknownJob", "create_job_runner"]
