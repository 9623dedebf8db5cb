"""The job runner (``lms_core.jobs``) on both backends: in-process always, saq on Redis when
LMS_TEST_REDIS_URL is set. Queued jobs run with their arguments outside the request that queued
them; a failing job is retried, then given up and logged, and the app carries on; a periodic job
becomes due when ``lms_core.clock`` moves and runs once; two runners on one Redis run each tick
once; plugins register jobs through ``lms_register_jobs`` and wrong ones stop the start-up."""

from __future__ import annotations

import asyncio
import logging
import os
import time
import types
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, AsyncIterator, Awaitable, Callable

import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from lms_core.jobs import JobContext, JobSpec, UnknownJob, create_job_runner
from lms_core.jobs.memory import MemoryJobRunner
from lms_core.jobs.schedule import is_due, latest_tick
from lms_core.plugin_api import PluginInfo, hookimpl
from lms_core.plugins import PluginError, PluginManager
from lms_core.settings import Settings

REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "")
RUNNERS = ["memory"] + (["redis"] if REDIS_URL else [])
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="LMS_TEST_REDIS_URL is not set")
UTC = timezone.utc


@dataclass
class Run:
    name: str
    kwargs: dict[str, Any]
    attempt: int
    scheduled_for: datetime | None
    task: str
    runtime: Any


@dataclass
class Seen:
    """What the test jobs did, in order."""

    runs: list[Run] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def of(self, name: str) -> list[Run]:
        return [r for r in self.runs if r.name == name]

    async def until(self, check: Callable[[], bool], timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            assert time.monotonic() < deadline, f"timed out; runs so far: {self.runs}"
            await asyncio.sleep(0.01)


def job_specs(seen: Seen) -> list[JobSpec]:
    def recorder(name: str) -> Callable[..., Awaitable[Any]]:
        async def record(ctx: JobContext, **kwargs: Any) -> Any:
            task = asyncio.current_task()
            seen.runs.append(Run(name, kwargs, ctx.attempt, ctx.scheduled_for,
                                 task.get_name() if task else "", ctx.runtime))
            return sum(v for v in kwargs.values() if isinstance(v, int))
        return record

    async def flaky(ctx: JobContext) -> None:
        await recorder("tests.flaky")(ctx)
        if ctx.attempt == 1:
            raise ConnectionError("the mail server hung up")

    async def broken(ctx: JobContext, **kwargs: Any) -> None:
        await recorder("tests.broken")(ctx, **kwargs)
        raise RuntimeError("kaputt")

    async def slow(ctx: JobContext) -> None:
        await recorder("tests.slow")(ctx)
        await asyncio.sleep(30)

    async def waits(ctx: JobContext) -> None:
        await seen.release.wait()
        await recorder("tests.waits")(ctx)

    return [
        JobSpec("tests.record", recorder("tests.record"), description="records its call"),
        JobSpec("tests.flaky", flaky, retry_delay=0),
        JobSpec("tests.broken", broken, attempts=3, retry_delay=0),
        JobSpec("tests.slow", slow, attempts=1, timeout=0.2),
        JobSpec("tests.waits", waits),
        JobSpec("tests.hourly", recorder("tests.hourly"), schedule=3600),
        JobSpec("tests.daily", recorder("tests.daily"), schedule="0 3 * * *"),
    ]


def by_name(specs: list[JobSpec]) -> dict[str, JobSpec]:
    return {s.name: s for s in specs}


def namespace() -> str:
    return f"lms-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"


async def drop_namespace(ns: str) -> None:
    """Remove every key a Redis runner of namespace ``ns`` wrote (queue, jobs, last ticks)."""
    import redis.asyncio as aioredis

    client = aioredis.from_url(REDIS_URL)
    try:
        for pattern in (f"saq:{ns}:*", f"saq:job:{ns}:*", f"saq:abort:{ns}:*", f"{ns}:*"):
            async for key in client.scan_iter(match=pattern):
                await client.delete(key)
    finally:
        await client.aclose()


def make_runner(kind: str, specs: list[JobSpec], runtime: Any, ns: str, tick: float = 60.0) -> Any:
    """A runner whose own timer stays quiet (tick 60 s) unless a test wants it, so that
    ``run_due`` alone decides what runs."""
    if kind == "memory":
        return MemoryJobRunner(by_name(specs), runtime, tick=tick)
    from lms_core.jobs.redis_runner import RedisJobRunner

    return RedisJobRunner(REDIS_URL, by_name(specs), runtime, namespace=ns, tick=tick)


@pytest.fixture
def seen() -> Seen:
    return Seen()


@pytest.fixture(params=RUNNERS)
async def runner(request, seen) -> AsyncIterator[Any]:
    ns = namespace()
    r = make_runner(request.param, job_specs(seen), types.SimpleNamespace(tag="runtime"), ns)
    await r.start()
    try:
        yield r
    finally:
        await r.stop()
        if request.param == "redis":
            await drop_namespace(ns)


# --- queued jobs ---------------------------------------------------------------------------


async def test_enqueue_runs_the_job_with_its_arguments_in_a_worker(runner, seen):
    job_id = await runner.enqueue("tests.record", class_id=7, days=[30, 90], note="Lớp K-a")
    assert isinstance(job_id, str) and job_id
    await seen.until(lambda: seen.of("tests.record"))
    [run] = seen.runs
    assert run.kwargs == {"class_id": 7, "days": [30, 90], "note": "Lớp K-a"}
    assert run.attempt == 1 and run.scheduled_for is None
    assert run.runtime.tag == "runtime"
    assert run.task != asyncio.current_task().get_name()  # not in the caller's task


async def test_arguments_go_through_json_on_every_backend(runner, seen):
    with pytest.raises(TypeError, match="tests.record.*JSON-serialisable"):
        await runner.enqueue("tests.record", when=datetime.now(UTC))
    # what JSON changes, it changes in-process too: a tuple arrives as a list
    await runner.enqueue("tests.record", pair=(1, 2), key="not saq's job key", timeout=3)
    await seen.until(lambda: seen.of("tests.record"))
    assert seen.runs[0].kwargs == {"pair": [1, 2], "key": "not saq's job key", "timeout": 3}


async def test_an_unknown_job_is_refused_with_the_known_names(runner):
    with pytest.raises(UnknownJob, match="no job 'tests.nope'.*tests.record"):
        await runner.enqueue("tests.nope")
    with pytest.raises(UnknownJob):
        await runner.run("tests.nope")


async def test_run_executes_one_job_now_and_returns_its_result(runner, seen):
    assert await runner.run("tests.record", a=2, b=3) == 5
    assert [r.kwargs for r in seen.runs] == [{"a": 2, "b": 3}]
    with pytest.raises(RuntimeError, match="kaputt"):
        await runner.run("tests.broken")
    assert len(seen.of("tests.broken")) == 1  # run() does not retry: the test sees the error


async def test_a_failing_job_is_retried_and_succeeds(runner, seen, caplog):
    caplog.set_level(logging.WARNING, logger="lms.jobs")
    await runner.enqueue("tests.flaky")
    await seen.until(lambda: len(seen.of("tests.flaky")) == 2)
    assert [r.attempt for r in seen.of("tests.flaky")] == [1, 2]
    await asyncio.sleep(0.1)
    assert len(seen.of("tests.flaky")) == 2
    warnings = [r for r in caplog.records if r.name == "lms.jobs"]
    assert [r.levelno for r in warnings] == [logging.WARNING]
    assert "tests.flaky" in warnings[0].getMessage()
    assert "attempt 1 of 3; retrying" in warnings[0].getMessage()
    assert "the mail server hung up" in caplog.text  # the traceback is in the log


async def test_a_job_that_keeps_failing_is_given_up_and_logged(runner, seen, caplog):
    caplog.set_level(logging.WARNING, logger="lms.jobs")
    await runner.enqueue("tests.broken", class_id=1)

    def gave_up() -> bool:
        return any("giving up" in r.getMessage() for r in caplog.records if r.name == "lms.jobs")

    await seen.until(gave_up)
    assert [r.attempt for r in seen.of("tests.broken")] == [1, 2, 3]
    lines = [r for r in caplog.records if r.name == "lms.jobs"]
    assert [r.levelno for r in lines] == [logging.WARNING, logging.WARNING, logging.ERROR]
    assert "tests.broken" in lines[-1].getMessage() and "attempt 3 of 3" in lines[-1].getMessage()
    assert lines[-1].exc_info and "kaputt" in str(lines[-1].exc_info[1])
    # the runner carries on with other work
    await runner.enqueue("tests.record", after=1)
    await seen.until(lambda: seen.of("tests.record"))
    await asyncio.sleep(0.1)
    assert len(seen.of("tests.broken")) == 3


async def test_a_job_past_its_timeout_is_cancelled_and_logged(runner, seen, caplog):
    caplog.set_level(logging.WARNING, logger="lms.jobs")
    await runner.enqueue("tests.slow")
    await seen.until(lambda: any("giving up" in r.getMessage() for r in caplog.records
                                 if r.name == "lms.jobs"))
    assert len(seen.of("tests.slow")) == 1


async def test_in_process_retries_back_off(seen):
    stamps: list[float] = []

    async def broken(ctx: JobContext) -> None:
        stamps.append(time.monotonic())
        raise RuntimeError("still down")

    r = MemoryJobRunner({"t.b": JobSpec("t.b", broken, attempts=3, retry_delay=0.05)}, None)
    await r.start()
    try:
        await r.enqueue("t.b")
        await seen.until(lambda: len(stamps) == 3)
    finally:
        await r.stop()
    assert stamps[1] - stamps[0] >= 0.05 and stamps[2] - stamps[1] >= 0.1


# --- periodic jobs and the clock ------------------------------------------------------------


def land(clock: Any, days: int, hour: int = 10, minute: int = 30) -> None:
    """Move the clock to ``days`` from today at a fixed time of day (UTC): far from the daily
    03:00 tick, so that "one hour later" crosses the hourly tick only, whenever the suite runs."""
    today = clock.now().replace(hour=hour, minute=minute, second=0, microsecond=0)
    clock.advance(today + timedelta(days=days) - clock.now())


def ours(names: list[str]) -> list[str]:
    """This module's jobs among those that ran: the installed plugins have periodic jobs of
    their own (engagement's purge, assessment's reminders), due on the same moved clock."""
    return sorted(n for n in names if n.startswith("tests."))


async def test_a_periodic_job_runs_once_when_the_clock_moves_past_its_tick(runner, seen, clock):
    assert ours(await runner.run_due()) == []  # just started: nothing is due yet
    land(clock, 90)
    assert ours(await runner.run_due()) == ["tests.daily", "tests.hourly"]
    # 90 days of missed ticks make one run each, for the latest tick
    assert len(seen.runs) == 2
    [daily] = seen.of("tests.daily")
    assert daily.scheduled_for is not None and daily.scheduled_for.hour == 3
    assert timedelta(0) <= clock.now() - daily.scheduled_for < timedelta(days=1)
    [hourly] = seen.of("tests.hourly")
    assert timedelta(0) <= clock.now() - hourly.scheduled_for < timedelta(hours=1)
    assert ours(await runner.run_due()) == []
    clock.advance(timedelta(hours=1))
    assert ours(await runner.run_due()) == ["tests.hourly"]
    assert len(seen.of("tests.hourly")) == 2 and len(seen.of("tests.daily")) == 1


async def test_the_runner_starts_due_jobs_on_its_own_timer(seen, clock):
    r = make_runner("memory", job_specs(seen), None, "", tick=0.05)
    await r.start()
    try:
        await asyncio.sleep(0.1)
        assert seen.runs == []
        clock.advance(timedelta(days=1))
        await seen.until(lambda: seen.of("tests.hourly") and seen.of("tests.daily"), 2)
        assert seen.of("tests.hourly")[0].task.startswith("lms-job-worker")
    finally:
        await r.stop()


async def test_a_clock_moved_back_starts_counting_again(runner, seen, clock):
    land(clock, 5)
    assert ours(await runner.run_due()) == ["tests.daily", "tests.hourly"]
    clock.advance(timedelta(days=-3))  # back: no tick is due until one passes again
    assert ours(await runner.run_due()) == []
    clock.advance(timedelta(hours=1))
    assert ours(await runner.run_due()) == ["tests.hourly"]


def test_ticks_are_the_same_on_every_worker_and_only_the_latest_counts():
    moment = datetime(2026, 5, 1, 3, 0, 0, tzinfo=UTC)
    assert latest_tick("0 3 * * *", moment) == int(moment.timestamp() * 1000)
    assert latest_tick("0 3 * * *", moment - timedelta(seconds=1)) == int(
        (moment - timedelta(days=1)).timestamp() * 1000)
    assert latest_tick(3600, moment + timedelta(minutes=59)) == int(moment.timestamp() * 1000)
    assert latest_tick(0.5, datetime.fromtimestamp(10.7, UTC)) == 10_500
    assert not is_due(None, 5) and not is_due(5, 5) and not is_due(9, 5) and is_due(4, 5)


# --- several workers on one Redis -----------------------------------------------------------


async def _two_runners(seen: Seen, specs: list[JobSpec], tick: float) -> tuple[Any, Any, str]:
    ns = namespace()
    a = make_runner("redis", specs, "worker a", ns, tick=tick)
    b = make_runner("redis", specs, "worker b", ns, tick=tick)
    await a.start()
    await b.start()
    return a, b, ns


@needs_redis
async def test_two_runners_on_one_redis_run_each_tick_once(seen):
    async def every_second(ctx: JobContext) -> None:
        seen.runs.append(Run("tick", {}, ctx.attempt, ctx.scheduled_for, "", ctx.runtime))

    a, b, ns = await _two_runners(seen, [JobSpec("tests.tick", every_second, schedule=1)], 0.05)
    try:
        await asyncio.sleep(3.4)
    finally:
        await a.stop()
        await b.stop()
        await drop_namespace(ns)
    per_tick = Counter(r.scheduled_for for r in seen.runs)
    assert len(per_tick) >= 2, seen.runs
    assert set(per_tick.values()) == {1}, per_tick
    ticks = sorted(per_tick)
    assert all(later - earlier == timedelta(seconds=1) for earlier, later in zip(ticks, ticks[1:]))


@needs_redis
async def test_two_runners_moved_90_days_run_a_daily_job_once(seen, clock):
    a, b, ns = await _two_runners(seen, job_specs(seen), 60.0)
    try:
        clock.advance(timedelta(days=90))
        started = await asyncio.gather(a.run_due(), b.run_due(), a.run_due(), b.run_due())
        assert sorted(n for names in started for n in names) == ["tests.daily", "tests.hourly"]
        assert len(seen.of("tests.daily")) == 1 and len(seen.of("tests.hourly")) == 1
        await asyncio.sleep(0.2)
        assert len(seen.runs) == 2
    finally:
        await a.stop()
        await b.stop()
        await drop_namespace(ns)


@needs_redis
async def test_a_job_queued_by_one_runner_can_run_in_another(seen):
    specs = job_specs(seen)
    ns = namespace()
    producer = make_runner("redis", specs, "producer", ns)
    consumer = make_runner("redis", specs, "consumer", ns)
    await producer.start()
    await producer._worker.stop()  # this process only queues; the other one works
    await consumer.start()
    try:
        await producer.enqueue("tests.record", n=1)
        await seen.until(lambda: seen.runs)
        assert seen.runs[0].runtime == "consumer"
    finally:
        await producer.stop()
        await consumer.stop()
        await drop_namespace(ns)


@needs_redis
async def test_a_job_swept_as_a_worker_takes_it_does_not_run_twice(seen):
    """saq's sweep (each worker's start, then once a minute) queues again a job it catches
    between being dequeued and marked active: without the runner's run marks, about one job in
    a hundred ran twice here."""
    ns = namespace()
    r = make_runner("redis", job_specs(seen), None, ns)
    await r.start()
    try:
        for n in range(150):
            await r.enqueue("tests.record", n=n)
            await r.queue.redis.delete(f"saq:{r.queue_name}:sweep")  # lift the once-a-minute lock
            await r.queue.sweep()
        await seen.until(lambda: len({run.kwargs["n"] for run in seen.runs}) == 150)
        await asyncio.sleep(0.3)
    finally:
        await r.stop()
        await drop_namespace(ns)
    counts = Counter(run.kwargs["n"] for run in seen.runs)
    assert [n for n, times in counts.items() if times > 1] == []


# --- in the app: registration, lifespan, requests -------------------------------------------


def jobs_plugin(seen: Seen) -> types.ModuleType:
    """A plugin that registers the test jobs and a route queuing one of them."""
    module = types.ModuleType("test_plugin_jobs")
    module.PLUGIN_INFO = PluginInfo(name="test_jobs", version="0.1.0")

    async def later(request: Request) -> JSONResponse:
        job_id = await request.app.state.lms.jobs.enqueue("tests.waits")
        return JSONResponse({"job": job_id}, status_code=202)

    module.lms_register_jobs = hookimpl(lambda: job_specs(seen))
    module.lms_register_routes = hookimpl(
        lambda: [Route("/api/v1/test-jobs/later", later, methods=["POST"])])
    return module


@pytest.fixture
def extra_plugins(seen) -> list[Any]:
    return [jobs_plugin(seen)]


@pytest.fixture(params=RUNNERS)
async def settings(settings, request) -> AsyncIterator[Any]:
    if request.param == "redis":
        settings.jobs_url = REDIS_URL
        settings.broker_namespace = namespace()
    yield settings
    if request.param == "redis":
        await drop_namespace(settings.broker_namespace)


async def test_the_app_runs_plugin_jobs_and_never_inside_the_request(app, anon, seen):
    jobs = app.state.lms.jobs
    assert jobs.name == ("redis" if app.state.lms.settings.jobs_url.startswith("redis")
                         else "memory")
    assert "tests.daily" in app.state.lms.plugins.registry.jobs
    assert app.state.lms.plugins.registry.job_owner["tests.daily"] == "test_jobs"
    response = await anon.post("/api/v1/test-jobs/later")
    assert response.status_code == 202  # answered while the job is still waiting
    assert seen.runs == []
    seen.release.set()
    await seen.until(lambda: seen.of("tests.waits"))
    assert seen.runs[0].runtime is app.state.lms


async def test_a_job_failing_for_good_leaves_the_app_working(app, anon, seen, caplog, clock):
    caplog.set_level(logging.WARNING, logger="lms.jobs")
    await app.state.lms.jobs.enqueue("tests.broken")
    await seen.until(lambda: any("giving up" in r.getMessage() for r in caplog.records))
    assert (await anon.get("/healthz")).status_code == 200
    clock.advance(timedelta(days=30))
    assert ours(await app.state.lms.jobs.run_due()) == ["tests.daily", "tests.hourly"]


def test_jobs_are_checked_when_plugins_load():
    async def job(ctx: JobContext) -> None: ...

    def plugin(name: str, specs: list[Any]) -> types.ModuleType:
        module = types.ModuleType(f"test_plugin_{name}")
        module.PLUGIN_INFO = PluginInfo(name=name, version="0.1.0")
        module.lms_register_jobs = hookimpl(lambda: specs)
        return module

    def load(*modules: types.ModuleType) -> PluginManager:
        return PluginManager(disabled=["live_sessions", "quizzes", "engagement",
                                       "assessment"]).load(modules)

    assert load(plugin("ok", [JobSpec("ok.a", job, schedule="*/5 * * * *")])).registry.jobs
    with pytest.raises(PluginError, match="redefines job 'ok.a'"):
        load(plugin("first", [JobSpec("ok.a", job)]), plugin("second", [JobSpec("ok.a", job)]))
    with pytest.raises(PluginError, match="'bad': job 'bad.a': invalid cron expression"):
        load(plugin("bad", [JobSpec("bad.a", job, schedule="every day")]))
    with pytest.raises(PluginError, match="'sync': job 'sync.a': its function must be async"):
        load(plugin("sync", [JobSpec("sync.a", lambda ctx: None)]))
    with pytest.raises(PluginError, match="must return JobSpec entries"):
        load(plugin("loose", [("loose.a", job)]))
    with pytest.raises(ValueError, match="more than 0 seconds"):
        JobSpec("x.y", job, schedule=0)
    with pytest.raises(ValueError, match="job name"):
        JobSpec("x y", job)


def test_the_jobs_url_picks_the_runner(tmp_path):
    def runner_for(url: str) -> Any:
        settings = Settings(database_url="sqlite://:memory:", broker_url="memory://",
                            secret_key="x" * 48, var_dir=tmp_path, content_dir=tmp_path,
                            jobs_url=url, broker_namespace="inst-1")
        return create_job_runner(settings, {}, None)

    assert runner_for("memory://").name == "memory"
    redis_runner = runner_for("redis://127.0.0.1:6379/0")
    assert redis_runner.name == "redis" and redis_runner.queue_name == "inst-1:jobs"
    with pytest.raises(ValueError, match="LMS_JOBS_URL: unknown job queue 'amqp://rabbit'"):
        runner_for("amqp://rabbit")


# --- background work waits for a lull in requests --------------------------------------------

@pytest.mark.parametrize("kind", RUNNERS)
async def test_a_job_waits_while_the_worker_is_busy_serving_requests(kind, seen):
    """A whole class submitting at once: the jobs their submits queue wait until the requests
    are served, or until ``max_defer`` after they were queued, whichever comes first."""
    from lms_core.http.load import RequestLoad

    load = RequestLoad(busy_at=2, max_defer=30.0)
    ns = namespace()
    r = make_runner(kind, job_specs(seen), types.SimpleNamespace(tag="runtime", load=load), ns)
    await r.start()
    try:
        load.in_flight = 3
        await r.enqueue("tests.record", n=1)
        await asyncio.sleep(0.5)
        assert not seen.of("tests.record")  # held back while busy
        load.in_flight = 2  # no longer above busy_at
        await seen.until(lambda: seen.of("tests.record"))
        load.max_defer = 0.3  # a job queued 0.3 s ago runs however busy the worker is
        load.in_flight = 50
        await r.enqueue("tests.record", n=2)
        await seen.until(lambda: len(seen.of("tests.record")) == 2)
    finally:
        await r.stop()
        if kind == "redis":
            await drop_namespace(ns)


async def test_request_load_settles_at_once_when_quiet_and_never_past_max_defer():
    from lms_core.http.load import RequestLoad

    load = RequestLoad(busy_at=1, max_defer=0.2)
    assert await load.settle() < 0.05
    load.in_flight = 2
    waited = await load.settle()
    assert 0.15 < waited < 0.5
    assert await load.settle(queued_at=time.monotonic() - 1.0) < 0.05  # queued long ago
    load.in_flight, load.max_defer, load.quiet_for = 0, 5.0, 0.3
    load.last_busy = time.monotonic()  # busy a moment ago: wait for a real lull
    waited = await load.settle()
    assert 0.25 < waited < 0.6
    load.in_flight = 1  # one page being served is no reason to wait
    load.last_busy = 0.0
    assert await load.settle() < 0.05


async def test_the_app_counts_requests_in_flight_and_not_websockets(app, anon):
    load = app.state.lms.load
    assert load.in_flight == 0
    seen_inside = []

    async def peek(request):
        from starlette.responses import PlainTextResponse

        seen_inside.append(load.in_flight)
        return PlainTextResponse("ok")

    from starlette.routing import Route

    app.router.routes.insert(0, Route("/__peek", peek))
    assert (await anon.get("/__peek")).status_code == 200
    assert seen_inside == [1] and load.in_flight == 0
    assert (await anon.get("/no-such-page")).status_code == 404
    assert load.in_flight == 0
