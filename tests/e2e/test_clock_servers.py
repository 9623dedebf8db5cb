"""Two ``lms serve`` processes with ``LMS_TEST_CLOCK=1`` on one database agree on the test
clock: moved through one, it is read through the other (within the second each worker waits
before reading it again), and so is its reset. What a browser test does to "wait 90 days"."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from pathlib import Path
from typing import AsyncIterator

import httpx
import pytest

from conftest import BACKENDS, PASSWORD, _pg_admin, _pg_url
from live_server import Server, base_env

pytestmark = pytest.mark.e2e

DAY = 86400.0


async def _seed(url: str) -> None:
    from tortoise import Tortoise
    from tortoise.backends.base.executor import EXECUTOR_CACHE

    from conftest import _model_apps, seed_world
    from lms_core.db import tortoise_config

    EXECUTOR_CACHE.clear()
    await Tortoise.init(config=tortoise_config(url, _model_apps()))
    try:
        await seed_world()
    finally:
        await Tortoise.close_connections()


@pytest.fixture(params=BACKENDS)
async def shared_database(request, db_templates, tmp_path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        target = tmp_path / "shared.sqlite3"
        shutil.copy(db_templates["sqlite"], target)
        url = f"sqlite://{target}"
        await _seed(url)
        yield url
        return
    name = f"lms_clock_{os.getpid()}"
    await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{db_templates["postgres"]}"')
    try:
        await _seed(_pg_url(name))
        yield _pg_url(name)
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(server: Server) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=10)
    r = client.post("/api/v1/auth/login", json={"login": "admin_a", "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client


def _wait_for_offset(client: httpx.Client, seconds: float, timeout: float = 5.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        state = client.get("/api/v1/system/clock").json()
        if state["offset_seconds"] == seconds or time.monotonic() > deadline:
            return state
        time.sleep(0.1)


async def test_two_servers_on_one_database_agree_on_the_test_clock(shared_database, tmp_path):
    servers = []
    try:
        for n in (1, 2):
            env = base_env(Path(tmp_path / f"s{n}"), shared_database)
            env["LMS_TEST_CLOCK"] = "1"
            env["LMS_SECRET_KEY"] = "e2e-clock-" + "x" * 40
            servers.append(Server(env))
        await asyncio.gather(*(asyncio.to_thread(s.wait_ready) for s in servers))
        one, two = (_admin(s) for s in servers)
        try:
            assert two.get("/api/v1/system/clock").json()["offset_seconds"] == 0
            r = one.post("/api/v1/system/clock", json={"advance_days": 90})
            assert r.status_code == 200, r.text
            assert r.json()["offset_days"] == 90
            seen = _wait_for_offset(two, 90 * DAY)
            assert seen["offset_days"] == 90, seen
            r = two.post("/api/v1/system/clock", json={"reset": True})
            assert r.json()["offset_seconds"] == 0
            assert _wait_for_offset(one, 0)["offset_seconds"] == 0
        finally:
            one.close()
            two.close()
    finally:
        for server in servers:
            server.stop()
    for server in servers:
        log = server.log.read_text()
        assert server.proc.returncode in (0, -15), log[-3000:]
        assert "Application shutdown complete" in log
