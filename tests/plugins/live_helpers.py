"""Helpers shared by the live-session socket tests (activities, Q&A, hands, groups): a started
session, prepared activities, reading frames, and checks that no name leaks to trainees."""

from __future__ import annotations

import json
import random
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, AsyncIterator

from lms_core.app import create_app
from lms_core.models import Enrolment, EnrolmentStatus

from lms_live_sessions import codes
from lms_live_sessions.models import LiveSession

from .test_live_sessions import create_session, frames


async def live_session(client_for, world) -> tuple[Any, int]:
    """A started session of class "a", with trainee2_a enrolled too."""
    await Enrolment.create(user_id=world.users["trainee2_a"], klass_id=world.classes["a"],
                           status=EnrolmentStatus.ACTIVE)
    lecturer = await client_for("lecturer_a")
    session = await create_session(lecturer, world.classes["a"])
    r = await lecturer.post(f"/api/v1/live/sessions/{session['id']}/start")
    assert r.status_code == 200, r.text
    return lecturer, session["id"]


async def make_activity(lecturer, sid: int, **body: Any) -> dict[str, Any]:
    r = await lecturer.post(f"/api/v1/live/sessions/{sid}/activities", json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def first_state(ws) -> dict[str, Any]:
    state = json.loads(await ws.recv())
    assert state["type"] == "state" and state["v"] == 2
    return state


def of_type(kind: str, **match: Any):
    return lambda f: f["type"] == kind and all(f.get(k) == v for k, v in match.items())


async def answer(ws, activity_id: int, client_id: str, payload: dict[str, Any]
                 ) -> dict[str, Any]:
    await ws.send(json.dumps({"type": "answer", "activity_id": activity_id,
                              "client_id": client_id, "answer": payload}))
    got = await frames(ws, lambda f: f["type"] in ("ack", "error")
                       and f.get("client_id") == client_id)
    return got[-1]


def has_names(value: Any) -> bool:
    text = json.dumps(value, ensure_ascii=False)
    return "full_name" in text or "Nguyễn Văn" in text or "Trần Thị" in text


@asynccontextmanager
async def two_redis_workers(settings, world, redis_url: str
                            ) -> AsyncIterator[tuple[list[Any], int]]:
    """Two apps on one database sharing a Redis broker, a live session of class "a" and a
    second enrolled trainee: what every cross-worker test starts from. Brokers stop after."""
    await Enrolment.create(user_id=world.users["trainee2_a"], klass_id=world.classes["a"],
                           status=EnrolmentStatus.ACTIVE)
    workers = [create_app(replace(settings, broker_url=redis_url)) for _ in range(2)]
    for worker in workers:
        await worker.state.lms.broker.start()
        worker.state.lms.db_ready = True
    sid = random.randint(10**8, 2**31 - 2)
    await LiveSession.create(id=sid, klass_id=world.classes["a"], institution_id=world.inst["a"],
                             title="Tiết liên máy chủ", status="live",
                             starts_at=datetime(2026, 11, 20, 1, tzinfo=timezone.utc),
                             ends_at=datetime(2026, 11, 20, 3, tzinfo=timezone.utc),
                             join_code=codes.new_code())
    try:
        yield workers, sid
    finally:
        for worker in workers:
            await worker.state.lms.broker.stop()
