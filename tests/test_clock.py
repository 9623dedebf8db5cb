"""``lms_core.clock`` and the test-clock endpoint: the clock moves in-process and through
``/api/v1/system/clock``, which exists only with ``LMS_TEST_CLOCK=1``, is for administrators,
needs the CSRF token, keeps its offset in the database for every worker, refuses bad input
with a readable message, and moves what the job runner sees. Two real server processes agreeing
on the offset: tests/e2e/test_clock_servers.py."""

from __future__ import annotations

import asyncio
import types
from datetime import datetime, timedelta, timezone

import pytest

from lms_core.models import PlatformValue
from lms_core.plugin_api import JobContext, JobSpec, PluginInfo, hookimpl

URL = "/api/v1/system/clock"
DAY = 86400.0


def close_to(a: datetime, b: datetime, within: float = 5.0) -> bool:
    return abs((a - b).total_seconds()) < within


def test_now_is_aware_utc_real_time_plus_the_offset(clock):
    real = datetime.now(timezone.utc)
    assert clock.now().tzinfo is not None and clock.now().utcoffset() == timedelta(0)
    assert close_to(clock.now(), real)
    clock.advance(timedelta(days=90))
    assert close_to(clock.now(), real + timedelta(days=90))
    assert clock.offset() == timedelta(days=90)
    clock.advance(timedelta(hours=1))
    assert clock.offset() == timedelta(days=90, hours=1)
    clock.reset()
    assert clock.offset() == timedelta(0) and close_to(clock.now(), real)


@pytest.fixture
def settings(settings, request):
    settings.test_clock = getattr(request, "param", True)
    return settings


def clock_plugin(ran: list[datetime]) -> types.ModuleType:
    module = types.ModuleType("test_plugin_clock_jobs")
    module.PLUGIN_INFO = PluginInfo(name="clock_jobs", version="0.1.0")

    async def remind(ctx: JobContext) -> None:
        ran.append(ctx.scheduled_for)

    module.lms_register_jobs = hookimpl(lambda: [JobSpec("clock_jobs.remind", remind,
                                                         schedule="0 2 * * *")])
    return module


@pytest.fixture
def ran() -> list[datetime]:
    return []


@pytest.fixture
def extra_plugins(ran):
    return [clock_plugin(ran)]


@pytest.mark.parametrize("settings", [False], indirect=True)
async def test_the_endpoint_does_not_exist_without_the_setting(app, world, client_for, anon):
    admin = await client_for("admin_a")
    assert (await admin.get(URL)).status_code == 404
    r = await admin.post(URL, json={"advance_days": 90})
    assert r.status_code == 404, r.text
    assert (await anon.get(URL)).status_code == 404
    assert "/api/v1/system/clock" not in (await anon.get("/api/v1/openapi.json")).text


async def test_only_administrators_may_read_or_move_it(app, world, client_for, anon, clock):
    assert (await anon.get(URL)).status_code == 401
    assert (await anon.post(URL, json={"advance_days": 1})).status_code == 401
    for login in ("lecturer_a", "trainee_a", "supervisor_a", "planner_a"):
        client = await client_for(login)
        assert (await client.get(URL)).status_code == 403, login
        r = await client.post(URL, json={"advance_days": 90})
        assert r.status_code == 403, login
        assert r.json()["detail_en"] == "You are not allowed to do this."
    assert clock.offset() == timedelta(0)


async def test_a_move_needs_the_csrf_token(app, world, client_for, clock):
    admin = await client_for("admin_a")
    r = await admin.post(URL, json={"advance_days": 90}, headers={"X-CSRF-Token": ""})
    assert r.status_code == 403 and "CSRF" in r.json()["detail_en"]
    assert clock.offset() == timedelta(0)


async def test_an_administrator_moves_the_clock_of_every_worker(app, world, client_for, clock):
    admin = await client_for("admin_a")
    assert URL in (await admin.get("/api/v1/openapi.json")).json()["paths"]
    before = (await admin.get(URL)).json()
    assert before["offset_seconds"] == 0 and close_to(datetime.fromisoformat(before["now"]),
                                                      datetime.now(timezone.utc))
    r = await admin.post(URL, json={"advance_days": 90})
    assert r.status_code == 200, r.text
    moved = r.json()
    assert moved["offset_days"] == 90 and moved["offset_seconds"] == 90 * DAY
    assert close_to(datetime.fromisoformat(moved["now"]),
                    datetime.fromisoformat(moved["real_now"]) + timedelta(days=90))
    assert close_to(clock.now(), datetime.now(timezone.utc) + timedelta(days=90))
    # kept in the database, where the other workers read it
    assert (await PlatformValue.get(key=clock.SHARED_KEY)).value == 90 * DAY
    r = await admin.post(URL, json={"advance_seconds": 30})
    assert r.json()["offset_seconds"] == 90 * DAY + 30
    # a worker that never saw the move (its copy is blank) reads it from the database
    clock.reset()
    assert clock.offset() == timedelta(0)
    assert (await admin.get(URL)).json()["offset_seconds"] == 90 * DAY + 30
    assert clock.offset() == timedelta(days=90, seconds=30)
    r = await admin.post(URL, json={"advance_days": -10})
    assert r.json()["offset_seconds"] == 80 * DAY + 30
    r = await admin.post(URL, json={"reset": True})
    assert r.json()["offset_seconds"] == 0 and clock.offset() == timedelta(0)


async def test_a_moved_clock_runs_what_became_due_in_the_server(app, world, client_for, ran):
    """What an end-to-end test relies on: move the clock, and the server's own job timer runs
    the periodic job that became due, without anyone calling run_due()."""
    admin = await client_for("admin_a")
    assert ran == []
    await admin.post(URL, json={"advance_days": 90})
    for _ in range(300):
        if ran:
            break
        await asyncio.sleep(0.01)
    assert len(ran) == 1 and ran[0].hour == 2
    assert await app.state.lms.jobs.run_due() == []  # that tick is taken


@pytest.mark.parametrize("body, where", [
    ({}, "exactly one"),
    ({"advance_days": 1, "advance_seconds": 5}, "exactly one"),
    ({"reset": False}, "exactly one"),
    ({"advance_days": "90"}, "advance_days"),
    ({"advance_days": True}, "advance_days"),
    ({"advance_days": 10_000}, "advance_days"),
    ({"advance_seconds": None, "advance_days": None}, "exactly one"),
    ({"advance_hours": 3}, "advance_hours"),
    ({"advance_days": -1}, "cannot go back past the real time"),
])
async def test_bad_input_is_a_4xx_with_a_readable_message(app, world, client_for, clock, body,
                                                         where):
    admin = await client_for("admin_a")
    r = await admin.post(URL, json=body)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert where in problem["detail_en"], problem
    assert problem["detail_vi"] and problem["detail_vi"] != problem["detail_en"]
    assert clock.offset() == timedelta(0)


async def test_a_body_that_is_not_json_is_refused(app, world, client_for):
    admin = await client_for("admin_a")
    r = await admin.post(URL, content=b"advance_days=90",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415
    r = await admin.post(URL, content=b"{advance_days: NaN",
                         headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "Malformed JSON" in r.json()["detail_en"]
    r = await admin.post(URL, content=b'{"advance_days": NaN}',
                         headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and "advance_days" in r.json()["detail_en"]


async def test_the_app_rereads_the_shared_offset_about_once_a_second(app, clock):
    await PlatformValue.create(key=clock.SHARED_KEY, value=3600.0)  # another worker moved it
    for _ in range(40):
        if clock.offset() == timedelta(hours=1):
            break
        await asyncio.sleep(0.05)
    assert clock.offset() == timedelta(hours=1)
