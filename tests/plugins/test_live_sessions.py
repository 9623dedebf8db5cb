"""The live_sessions plugin: who may create, see, run and join a session; the module page; the
socket protocol over a real server (presence, start/end, seq, errors, attendance); and fan-out
between two workers through Redis."""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from live_server import serve_app as serve  # noqa: F401  (the other live tests import it here)
from lms_core.app import create_app
from lms_core.models import CourseModule, Enrolment, EnrolmentStatus

from lms_live_sessions import codes
from lms_live_sessions.models import Attendance, LiveSession, SessionStatus
from lms_live_sessions.service import utcnow

REDIS_URL = "redis://127.0.0.1:6379/0"


def session_body(**overrides: Any) -> dict[str, Any]:
    body = {"title": "Tiết 1: Luật Cán bộ, công chức", "starts_at": "2026-11-20T08:00:00+07:00",
            "ends_at": "2026-11-20T10:00:00+07:00", "mode": "both", "room": "Phòng 201",
            "meeting_url": "https://meet.example.vn/tiet-1"}
    body.update(overrides)
    return body


async def create_session(client, class_id: int, **overrides: Any) -> dict[str, Any]:
    r = await client.post(f"/api/v1/live/classes/{class_id}/sessions",
                          json=session_body(**overrides))
    assert r.status_code == 201, r.text
    return r.json()


# --- API: creating, seeing, running ------------------------------------------------------


async def test_lecturer_creates_a_session_and_only_runners_see_the_code(client_for, world):
    lecturer = await client_for("lecturer_a")
    created = await create_session(lecturer, world.classes["a"],
                                   starts_at="2026-11-20T08:00", ends_at="2026-11-20T09:30")
    assert created["status"] == "scheduled" and created["mode"] == "both"
    assert codes.normalise(created["join_code"]) == created["join_code"]
    # a time without an offset is Vietnamese wall-clock time
    assert created["starts_at"].startswith("2026-11-20T01:00:00")
    assert created["ws_url"] == f"/ws/live/{created['id']}"

    trainee = await client_for("trainee_a")
    listed = (await trainee.get(f"/api/v1/live/classes/{world.classes['a']}/sessions")).json()
    assert [s["id"] for s in listed["items"]] == [created["id"]]
    assert "join_code" not in listed["items"][0]
    one = (await trainee.get(f"/api/v1/live/sessions/{created['id']}")).json()
    assert one["title"] == "Tiết 1: Luật Cán bộ, công chức" and "join_code" not in one
    mine = (await lecturer.get(f"/api/v1/live/classes/{world.classes['a']}/sessions")).json()
    assert mine["items"][0]["join_code"] == created["join_code"]


async def test_lecturer_of_another_class_and_other_institutions_are_refused(client_for, world):
    admin = await client_for("admin_a")
    lecturer = await client_for("lecturer_a")
    # lecturer_a teaches class "a" but not the open class of the same institution
    r = await lecturer.post(f"/api/v1/live/classes/{world.classes['a-open']}/sessions",
                            json=session_body())
    assert r.status_code == 403 and "giảng viên của lớp" in r.json()["detail"]
    other = await create_session(admin, world.classes["a-open"])
    for action in ("start", "end"):
        r = await lecturer.post(f"/api/v1/live/sessions/{other['id']}/{action}")
        assert r.status_code == 403
    r = await lecturer.get(f"/api/v1/live/sessions/{other['id']}/attendance")
    assert r.status_code == 403
    # a trainee holds no live.run at all
    trainee = await client_for("trainee_a")
    r = await trainee.post(f"/api/v1/live/classes/{world.classes['a']}/sessions",
                           json=session_body())
    assert r.status_code == 403
    # the lecturer of institution B cannot reach institution A's class
    lecturer_b = await client_for("lecturer_b")
    r = await lecturer_b.post(f"/api/v1/live/classes/{world.classes['a']}/sessions",
                              json=session_body())
    assert r.status_code == 404
    assert await LiveSession.filter(klass_id=world.classes["a"]).count() == 0


async def test_trainee_of_institution_b_cannot_see_institution_a_sessions(client_for, world):
    lecturer = await client_for("lecturer_a")
    session = await create_session(lecturer, world.classes["a"], allow_guests=True)
    trainee_b = await client_for("trainee_b")
    assert (await trainee_b.get(
        f"/api/v1/live/classes/{world.classes['a']}/sessions")).status_code == 404
    assert (await trainee_b.get(f"/api/v1/live/sessions/{session['id']}")).status_code == 404
    # even a guest-friendly session's code does not work across institutions
    r = await trainee_b.post("/api/v1/live/join", json={"code": session["join_code"]})
    assert r.status_code == 404
    lecturer_b = await client_for("lecturer_b")
    r = await lecturer_b.get(f"/api/v1/live/sessions/{session['id']}/attendance")
    assert r.status_code == 404
    r = await lecturer_b.post(f"/api/v1/live/sessions/{session['id']}/start")
    assert r.status_code == 404


async def test_join_by_code(client_for, world):
    lecturer = await client_for("lecturer_a")
    session = await create_session(lecturer, world.classes["a"])
    code = session["join_code"]
    trainee = await client_for("trainee_a")
    typed = f"{code[:3].lower()}-{code[3:].lower()}"  # as people type it
    r = await trainee.post("/api/v1/live/join", json={"code": typed})
    assert r.status_code == 200, r.text
    assert r.json()["role"] == "trainee" and r.json()["session"]["id"] == session["id"]
    assert "join_code" not in r.json()["session"]
    assert (await lecturer.post("/api/v1/live/join", json={"code": code})).json()["role"] \
        == "runner"

    outsider = await client_for("trainee2_a")  # same institution, not in the class
    r = await outsider.post("/api/v1/live/join", json={"code": code})
    assert r.status_code == 403
    assert r.json()["detail"].startswith("Bạn không thuộc lớp học của phiên này")
    # a withdrawn trainee is no longer in the class
    await Enrolment.filter(user_id=world.users["trainee_a"]).update(
        status=EnrolmentStatus.WITHDRAWN)
    assert (await trainee.post("/api/v1/live/join", json={"code": code})).status_code == 403

    unused = next(c for c in ("AAAAAA", "BBBBBB") if c != code)
    for wrong in (unused, "O0I1L5", "", "x" * 30):
        r = await outsider.post("/api/v1/live/join", json={"code": wrong})
        assert r.status_code in (404, 422), (wrong, r.status_code)
        if wrong == unused:
            assert r.status_code == 404 and "Mã tham gia không đúng" in r.json()["detail"]

    guests = await create_session(lecturer, world.classes["a"], allow_guests=True)
    r = await outsider.post("/api/v1/live/join", json={"code": guests["join_code"]})
    assert r.status_code == 200 and r.json()["role"] == "guest"
    assert (await outsider.get(f"/api/v1/live/sessions/{guests['id']}")).status_code == 200
    supervisor = await client_for("supervisor_a")  # holds no live.join
    r = await supervisor.post("/api/v1/live/join", json={"code": guests["join_code"]})
    assert r.status_code == 403


async def test_invalid_sessions_are_refused_with_422(client_for, world):
    lecturer = await client_for("lecturer_a")
    url = f"/api/v1/live/classes/{world.classes['a']}/sessions"
    for bad in ("javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<b>x</b>",
                "https://meet.example.vn/\"onmouseover=alert(1)", "//evil.example/x",
                "https:///nohost", "ftp://files.example.vn/x", " javascript:alert(1)"):
        r = await lecturer.post(url, json=session_body(meeting_url=bad))
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["errors"][0]["field"] == "meeting_url"
    r = await lecturer.post(url, json=session_body(ends_at="2026-11-20T07:00:00+07:00"))
    assert r.status_code == 422 and "Giờ kết thúc phải sau giờ bắt đầu" in r.text
    r = await lecturer.post(url, json=session_body(ends_at="2026-11-22T07:00:00+07:00"))
    assert r.status_code == 422
    r = await lecturer.post(url, json=session_body(mode="hybrid"))
    assert r.status_code == 422
    assert await LiveSession.all().count() == 0
    ok = await create_session(lecturer, world.classes["a"], meeting_url="", mode="in_room")
    assert ok["meeting_url"] == ""


async def test_start_and_end_life_cycle(client_for, world):
    lecturer = await client_for("lecturer_a")
    session = await create_session(lecturer, world.classes["a"])
    sid = session["id"]
    r = await lecturer.post(f"/api/v1/live/sessions/{sid}/start")
    assert r.status_code == 200 and r.json()["status"] == "live" and r.json()["started_at"]
    r = await lecturer.post(f"/api/v1/live/sessions/{sid}/start")
    assert r.status_code == 409 and r.json()["detail"] == "Phiên học đang diễn ra."
    admin = await client_for("admin_a")
    r = await admin.post(f"/api/v1/live/sessions/{sid}/end")
    assert r.status_code == 200 and r.json()["status"] == "ended"
    assert r.json()["join_code"] is None  # freed for another session
    assert (await lecturer.post(f"/api/v1/live/sessions/{sid}/end")).status_code == 409
    waiting = await create_session(lecturer, world.classes["a"])
    base = f"/api/v1/live/classes/{world.classes['a']}/sessions"
    assert [s["id"] for s in (await lecturer.get(f"{base}?status=ended")).json()["items"]] \
        == [sid]
    assert [s["id"] for s in (await lecturer.get(f"{base}?status=scheduled")).json()["items"]] \
        == [waiting["id"]]
    assert (await lecturer.get(f"{base}?status=lost")).status_code == 422
    assert (await lecturer.post(f"/api/v1/live/sessions/{sid}/start")).status_code == 409
    trainee = await client_for("trainee_a")
    r = await trainee.post("/api/v1/live/join", json={"code": session["join_code"]})
    assert r.status_code == 404
    assert (await trainee.post(f"/api/v1/live/sessions/{sid}/start")).status_code == 403


async def test_class_ended_event_ends_its_sessions(app, client_for, world):
    lecturer = await client_for("lecturer_a")
    live = await create_session(lecturer, world.classes["a"])
    await lecturer.post(f"/api/v1/live/sessions/{live['id']}/start")
    waiting = await create_session(lecturer, world.classes["a"])
    admin = await client_for("admin_a")
    elsewhere = await create_session(admin, world.classes["a-open"])
    from lms_core.models import CourseClass

    klass = await CourseClass.get(id=world.classes["a"])
    sub = await app.state.lms.broker.subscribe(f"live:{live['id']}")
    await app.state.lms.plugins.fire_event("lms_event_class_ended", world.inst["a"],
                                           klass=klass, actor=None)
    told = json.loads(await asyncio.wait_for(sub.get(), 2))  # connected sockets hear it
    await sub.close()
    assert told["type"] == "status" and told["status"] == "ended"
    statuses = dict(await LiveSession.all().values_list("id", "status"))
    assert statuses[live["id"]] == SessionStatus.ENDED
    assert statuses[waiting["id"]] == SessionStatus.ENDED
    assert statuses[elsewhere["id"]] == SessionStatus.SCHEDULED
    r = await lecturer.post(f"/api/v1/live/classes/{world.classes['a']}/sessions",
                            json=session_body())
    assert r.status_code == 201  # the event alone does not end the class itself


async def test_module_page_escapes_and_offers_join(client_for, world):
    lecturer = await client_for("lecturer_a")
    await create_session(lecturer, world.classes["a"], title="<script>alert(1)</script>",
                         room="P.<b>201</b>", meeting_url="https://meet.example.vn/a")
    await create_session(lecturer, world.classes["a"], title="Tiết 2",
                         meeting_url="https://meet.example.vn/b?x=1&y=2")
    await CourseModule.create(course_id=world.courses["a"], key="truc-tiep",
                              type="live_session", title="Học trực tiếp", position=9)
    trainee = await client_for("trainee_a")
    r = await trainee.get(f"/courses/{world.courses['a']}/m/truc-tiep")
    assert r.status_code == 200, r.text
    html = r.text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "P.&lt;b&gt;201&lt;/b&gt;" in html
    assert 'href="https://meet.example.vn/b?x=1&amp;y=2"' in html
    assert "data-ws-url=\"/ws/live/" in html and "Tham gia" in html
    assert "15:00–17:00, 20/11/2026" not in html and "08:00–10:00, 20/11/2026" in html


# --- the socket over a real server --------------------------------------------------------


def cookie_of(client) -> dict[str, str]:
    return {"Cookie": f"lms_session={client.cookies['lms_session']}"}


async def frames(ws, until, timeout: float = 5.0) -> list[dict[str, Any]]:
    """Read frames until one satisfies ``until``; return all read, that one last."""
    got: list[dict[str, Any]] = []
    async with asyncio.timeout(timeout):
        while True:
            got.append(json.loads(await ws.recv()))
            if until(got[-1]):
                return got


def seqs(got: list[dict[str, Any]]) -> list[int]:
    return [f["seq"] for f in got if "seq" in f]


async def wait_for_row(predicate, timeout: float = 5.0):
    async with asyncio.timeout(timeout):
        while True:
            row = await predicate()
            if row:
                return row
            await asyncio.sleep(0.02)


async def test_socket_flow_presence_start_errors_and_attendance(app, client_for, world):
    await Enrolment.create(user_id=world.users["trainee2_a"], klass_id=world.classes["a"],
                           status=EnrolmentStatus.APPROVED)
    lecturer = await client_for("lecturer_a")
    t1, t2 = await client_for("trainee_a"), await client_for("trainee2_a")
    session = await create_session(lecturer, world.classes["a"])
    sid = session["id"]
    async with serve(app) as host:
        url = f"ws://{host}/ws/live/{sid}"
        async with connect(url, additional_headers=cookie_of(t1)) as ws1, \
                connect(url, additional_headers=cookie_of(t2)) as ws2:
            first1 = json.loads(await ws1.recv())
            assert first1["type"] == "state" and first1["v"] == 2  # protocol v2
            assert first1["session"]["status"] == "scheduled"
            assert first1["you"] == {"user_id": world.users["trainee_a"], "role": "trainee",
                                     "can_run": False, "view": "participant"}
            assert "join_code" not in first1["session"]
            first2 = json.loads(await ws2.recv())
            assert first2["type"] == "state"

            async with connect(url, additional_headers=cookie_of(lecturer)) as wsl:
                state = json.loads(await wsl.recv())
                assert state["type"] == "state" and state["participants"] == 3
                assert state["you"]["can_run"] is True and state["session"]["join_code"]
                got1 = await frames(ws1, lambda f: f.get("participants") == 3)
                assert got1[-1]["type"] == "presence" and got1[-1]["event"] == "join"

                await wsl.send(json.dumps({"type": "start"}))
                got1 += await frames(ws1, lambda f: f["type"] == "status")
                got2 = [first2] + await frames(ws2, lambda f: f["type"] == "status")
                for got in ([first1] + got1, got2):
                    numbers = seqs(got)
                    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
                    assert got[-1]["status"] == "live"
                assert got1[-1]["seq"] == got2[-1]["seq"]  # one broadcast, same number
                await frames(wsl, lambda f: f["type"] == "status")

                # bad JSON: an error frame, and the socket stays usable
                await ws1.send("{not json")
                err = await frames(ws1, lambda f: f["type"] == "error")
                assert err[-1]["code"] == "bad_json" and err[-1]["message"]
                await ws1.send("[" * 2000 + "]" * 2000)
                assert (await frames(ws1, lambda f: f["type"] == "error"))[-1]["code"] \
                    == "bad_json"
                await ws1.send(json.dumps({"type": "dance"}))
                assert (await frames(ws1, lambda f: f["type"] == "error"))[-1]["code"] \
                    == "unknown_type"
                await ws1.send(json.dumps(["start"]))
                assert (await frames(ws1, lambda f: f["type"] == "error"))[-1]["code"] \
                    == "bad_message"
                # a trainee cannot start or end the session
                await ws1.send(json.dumps({"type": "end"}))
                refused = await frames(ws1, lambda f: f["type"] == "error")
                assert refused[-1]["code"] == "forbidden"
                assert refused[-1]["message"].startswith("Chỉ giảng viên")
                await ws1.send(json.dumps({"type": "ping"}))
                assert (await frames(ws1, lambda f: f["type"] == "pong"))[-1]["v"] == 2
                # (a broadcast leaves just before its transaction commits, which keeps the
                # numbering in order across workers: the row may trail it by a moment)
                async def still_live():
                    return (await LiveSession.get(id=sid)).status == SessionStatus.LIVE

                assert await wait_for_row(still_live)
                # the lecturer starting twice gets the conflict as an error frame
                await wsl.send(json.dumps({"type": "start"}))
                assert (await frames(wsl, lambda f: f["type"] == "error"))[-1]["code"] \
                    == "conflict"

                # trainee 1 was present for 90 seconds (moved back, not slept)
                att = await Attendance.get(session_id=sid, user_id=world.users["trainee_a"])
                assert att.joins == 1 and att.open_connections == 1
                att.present_since = att.present_since - timedelta(seconds=90)
                await att.save(update_fields=["present_since"])
                await ws1.close()
                left = await frames(wsl, lambda f: f["type"] == "presence"
                                    and f["event"] == "leave")
                assert left[-1]["participants"] == 2
                assert left[-1]["user_id"] == world.users["trainee_a"]

            async def left_row():
                att = await Attendance.get(session_id=sid, user_id=world.users["trainee_a"])
                return att if att.last_leave_at is not None else None

            att = await wait_for_row(left_row)
            assert att.open_connections == 0 and att.present_since is None
            assert 90 <= att.seconds_present < 120
            assert att.first_join_at <= att.last_leave_at
    sheet = (await lecturer.get(f"/api/v1/live/sessions/{sid}/attendance")).json()
    by_login = {item["user"]["login"]: item for item in sheet["items"]}
    assert set(by_login) == {"trainee_a", "trainee2_a", "lecturer_a"}
    assert by_login["trainee_a"]["seconds_present"] >= 90
    assert by_login["trainee_a"]["present"] is False and by_login["trainee_a"]["joins"] == 1
    assert sheet["absent"] == []


async def test_socket_refusals_and_two_tabs_counted_once(app, client_for, world):
    lecturer = await client_for("lecturer_a")
    session = await create_session(lecturer, world.classes["a"])
    sid = session["id"]
    trainee = await client_for("trainee_a")
    outsider = await client_for("trainee2_a")
    trainee_b = await client_for("trainee_b")

    async def refused(url: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        async with connect(url, additional_headers=headers) as ws:
            error = json.loads(await ws.recv())
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 5)
            return closed.value.rcvd.code, error

    async with serve(app) as host:
        url = f"ws://{host}/ws/live/{sid}"
        code, error = await refused(url, {})
        assert code == 4401 and error["code"] == "unauthenticated"
        code, error = await refused(url, cookie_of(outsider))
        assert code == 4403 and error["message"].startswith("Bạn không thuộc lớp học")
        code, _ = await refused(url, cookie_of(trainee_b))
        assert code == 4404
        code, _ = await refused(f"ws://{host}/ws/live/999999", cookie_of(trainee))
        assert code == 4404
        code, error = await refused(url, {**cookie_of(trainee), "Origin": "https://evil.example"})
        assert code == 4403 and error["code"] == "origin"
        assert await Attendance.filter(session_id=sid).count() == 0

        # the same trainee on a laptop and a phone is one participant, present until both leave
        async with connect(url, additional_headers=cookie_of(trainee)) as tab1:
            assert json.loads(await tab1.recv())["participants"] == 1
            async with connect(url, additional_headers=cookie_of(trainee)) as tab2:
                assert json.loads(await tab2.recv())["participants"] == 1
            leave = await frames(tab1, lambda f: f.get("event") == "leave")
            assert leave[-1]["participants"] == 1

            async def one_tab_left():
                att = await Attendance.get(session_id=sid, user_id=world.users["trainee_a"])
                return att if att.open_connections == 1 else None

            att = await wait_for_row(one_tab_left)
            assert att.joins == 2 and att.present_since is not None

        async def closed_row():
            att = await Attendance.get(session_id=sid, user_id=world.users["trainee_a"])
            return att if att.open_connections == 0 else None

        att = await wait_for_row(closed_row)
        assert att.present_since is None and att.last_leave_at is not None

        # ending the session stops the clock for those still connected
        async with connect(url, additional_headers=cookie_of(trainee)) as tab:
            assert json.loads(await tab.recv())["type"] == "state"
            await Attendance.filter(session_id=sid, user_id=world.users["trainee_a"]).update(
                present_since=utcnow() - timedelta(seconds=60))
            before, left_before = att.seconds_present, att.last_leave_at
            assert (await lecturer.post(f"/api/v1/live/sessions/{sid}/end")).status_code == 200
            ended = await frames(tab, lambda f: f["type"] == "status")
            assert ended[-1]["status"] == "ended"
            att = await Attendance.get(session_id=sid, user_id=world.users["trainee_a"])
            assert att.open_connections == 0 and att.present_since is None
            assert 60 <= att.seconds_present - before < 70
            frozen = att.seconds_present

        async def left_after_end():
            att = await Attendance.get(session_id=sid, user_id=world.users["trainee_a"])
            return att if att.last_leave_at > left_before else None

        att = await wait_for_row(left_after_end)
        assert att.seconds_present == frozen and att.open_connections == 0
        sheet = (await lecturer.get(f"/api/v1/live/sessions/{sid}/attendance")).json()
        assert sheet["items"][0]["present"] is False and sheet["items"][0]["joins"] == 3

        # an ended session takes no one in
        code, error = await refused(url, cookie_of(trainee))
        assert code == 4410 and error["code"] == "ended"


@pytest.fixture
async def redis_available() -> None:
    import redis.asyncio as aioredis

    client = aioredis.from_url(REDIS_URL)
    try:
        await asyncio.wait_for(client.ping(), 2)
    except Exception:
        pytest.skip("Redis is not reachable at " + REDIS_URL)
    finally:
        await client.aclose()


async def test_two_workers_share_broadcasts_through_redis(app, settings, client_for, world,
                                                          redis_available):
    """Two apps with their own Redis brokers stand for two workers: a trainee on one sees the
    lecturer on the other start the session, and presence crosses over too."""
    workers = [create_app(replace(settings, broker_url=REDIS_URL)) for _ in range(2)]
    for worker in workers:
        await worker.state.lms.broker.start()
        worker.state.lms.db_ready = True
    # A random id keeps this channel apart from other test runs sharing the Redis server.
    sid = random.randint(10**8, 2**31 - 2)
    await LiveSession.create(id=sid, klass_id=world.classes["a"], institution_id=world.inst["a"],
                             title="Tiết liên máy chủ",
                             starts_at=datetime(2026, 11, 20, 1, tzinfo=timezone.utc),
                             ends_at=datetime(2026, 11, 20, 3, tzinfo=timezone.utc),
                             join_code=codes.new_code())
    lecturer, trainee = await client_for("lecturer_a"), await client_for("trainee_a")
    try:
        async with serve(workers[0]) as host1, serve(workers[1]) as host2:
            async with connect(f"ws://{host1}/ws/live/{sid}",
                               additional_headers=cookie_of(trainee)) as ws_t:
                assert json.loads(await ws_t.recv())["type"] == "state"
                async with connect(f"ws://{host2}/ws/live/{sid}",
                                   additional_headers=cookie_of(lecturer)) as ws_l:
                    assert json.loads(await ws_l.recv())["participants"] == 2
                    joined = await frames(ws_t, lambda f: f.get("participants") == 2)
                    # the trainee learns that someone came, not who (names go to runners)
                    assert joined[-1]["type"] == "presence" and joined[-1]["trainees"] == 1
                    assert "user_id" not in joined[-1] and "full_name" not in joined[-1]
                    await ws_l.send(json.dumps({"type": "start"}))
                    status = await frames(ws_t, lambda f: f["type"] == "status")
                    assert status[-1]["status"] == "live"
                    assert status[-1]["seq"] > joined[-1]["seq"]
    finally:
        for worker in workers:
            await worker.state.lms.broker.stop()
