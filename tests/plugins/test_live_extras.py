"""The rest of the live sessions: presence that names people to runners only, the timed check-in
code, the per-user iCal feed and the quick quiz from the quiz bank (through a hook)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from icalendar import Calendar
from lms_live_sessions.models import LiveSession
from lms_live_sessions.service import utcnow
from websockets.asyncio.client import connect

from lms_core.models import Enrolment, EnrolmentStatus

from .live_helpers import answer, first_state, live_session, of_type
from .quiz_setup import ESSAY, question
from .test_live_interaction import NAME_1, NAME_2, more_trainees, quiet, request
from .test_live_sessions import cookie_of, create_session, frames, serve


def _mentions(received: list[dict[str, Any]], *texts: str) -> bool:
    dumped = json.dumps(received, ensure_ascii=False)
    return any(t in dumped for t in texts)


# --- presence -----------------------------------------------------------------------------


async def test_presence_names_reach_runners_only(app, client_for, world):
    lecturer, sid = await live_session(client_for, world)
    t1, t2 = await client_for("trainee_a"), await client_for("trainee2_a")
    async with serve(app) as host:
        url = f"ws://{host}/ws/live/{sid}"
        async with connect(url, additional_headers=cookie_of(lecturer)) as wsl, \
                connect(f"{url}?view=projector", additional_headers=cookie_of(lecturer)) as wsp:
            state_l, state_p = await first_state(wsl), await first_state(wsp)
            # the console and the projector: runners are not trainees present
            assert state_p["trainees"] == 0 and state_l["trainees"] == 0
            async with connect(url, additional_headers=cookie_of(t1)) as ws1:
                state1 = await first_state(ws1)
                # the lecturer's console and projector are one participant (one user)
                assert state1["trainees"] == 1 and state1["participants"] == 2
                async with connect(url, additional_headers=cookie_of(t2)) as ws2:
                    await first_state(ws2)
                    runner = await frames(wsl, lambda f: f["type"] == "presence"
                                          and f.get("full_name") == NAME_2)
                    assert runner[-1]["user_id"] == world.users["trainee2_a"]
                    assert runner[-1]["trainees"] == 2 and runner[-1]["participants"] == 3
                    seen1 = await frames(ws1, lambda f: f["type"] == "presence"
                                         and f["trainees"] == 2)
                    projected = await frames(wsp, lambda f: f["type"] == "presence"
                                             and f["trainees"] == 2)
                    assert seen1[-1] == {"seq": seen1[-1]["seq"], "type": "presence", "v": 2,
                                         "event": "join", "participants": 3, "trainees": 2}
                    assert set(projected[-1]) == set(seen1[-1])
                    # the same join is numbered separately per audience
                    assert len({runner[-1]["seq"], seen1[-1]["seq"], projected[-1]["seq"]}) == 3
                left = await frames(ws1, lambda f: f["type"] == "presence"
                                    and f["event"] == "leave")
                assert left[-1]["trainees"] == 1 and "user_id" not in left[-1]
                log1 = [state1, *seen1, *left, *await quiet(ws1)]
            log_p = [state_p, *projected, *await quiet(wsp)]
            runner += await frames(wsl, lambda f: f["type"] == "presence"
                                   and f["event"] == "leave" and f["user_id"]
                                   == world.users["trainee_a"])
            assert runner[-1]["full_name"] == NAME_1 and runner[-1]["trainees"] == 0
    # nobody but runners ever got a name or someone else's id in a presence frame
    for log in (log1, log_p):
        presence = [f for f in log if f["type"] == "presence"]
        assert presence and not _mentions(presence, NAME_1, NAME_2, "full_name", "user_id")
    assert not _mentions(log_p, NAME_1, NAME_2)
    one = (await t1.get(f"/api/v1/live/sessions/{sid}")).json()
    assert one["trainees"] == 0 and "participants" in one


# --- iCal feed ----------------------------------------------------------------------------


def _at(delta: timedelta) -> str:
    return (utcnow() + delta).replace(microsecond=0).isoformat()


async def test_ical_feed_lists_the_owners_sessions_and_rotates(app, client_for, anon, world):
    lecturer = await client_for("lecturer_a")
    mine = await create_session(
        lecturer, world.classes["a"], title="Tiết 3: Đạo đức công vụ",
        starts_at=_at(timedelta(days=2)), ends_at=_at(timedelta(days=2, hours=2)),
        room="Phòng 305, nhà A", meeting_url="https://meet.example.vn/tiet-3")
    in_room = await create_session(
        lecturer, world.classes["a"], title="Tiết 4: Văn hoá công sở", mode="in_room",
        meeting_url="", starts_at=_at(timedelta(days=-3)),
        ends_at=_at(timedelta(days=-3, hours=1)))
    old = await create_session(lecturer, world.classes["a"], title="Tiết cũ",
                               starts_at=_at(timedelta(days=-90)),
                               ends_at=_at(timedelta(days=-90, hours=1)))
    admin = await client_for("admin_a")
    other_class = await create_session(admin, world.classes["a-open"], title="Lớp khác",
                                       starts_at=_at(timedelta(days=1)),
                                       ends_at=_at(timedelta(days=1, hours=1)))

    trainee = await client_for("trainee_a")
    assert (await trainee.get("/api/v1/live/calendar")).json()["active"] is False
    r = await trainee.post("/api/v1/live/calendar")
    assert r.status_code == 201, r.text
    url = r.json()["url"]
    assert url.startswith("http://testserver/api/v1/live/calendar/") and url.endswith(".ics")
    path = url.removeprefix("http://testserver")
    token = path.rsplit("/", 1)[1].removesuffix(".ics")

    feed = await anon.get(path)  # no cookie: calendar apps send none
    assert feed.status_code == 200, feed.text
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(feed.content)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {f"live-session-{mine['id']}@testserver",
                           f"live-session-{in_room['id']}@testserver"}
    event = events[f"live-session-{mine['id']}@testserver"]
    assert str(event["summary"]) == "Tiết 3: Đạo đức công vụ · Lớp a"
    assert str(event["location"]) == "Phòng 305, nhà A"
    assert str(event["url"]) == "https://meet.example.vn/tiet-3"
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start.utcoffset() == timedelta(0) and end - start == timedelta(hours=2)
    assert start == datetime.fromisoformat(mine["starts_at"].replace("Z", "+00:00"))
    assert b"DTSTART:" in feed.content and b"Z\r\n" in feed.content  # UTC, not a TZID
    assert "Lớp (class): Lớp a" in str(event["description"])
    assert mine["join_code"] not in feed.text  # the join code is for runners only
    room_only = events[f"live-session-{in_room['id']}@testserver"]
    assert str(room_only["url"]) == f"http://testserver/live/sessions/{in_room['id']}"
    assert str(room_only["location"]) == "Phòng 201"
    assert old["id"] and other_class["id"]  # too old, and a class trainee_a is not in

    # the lecturer's own feed lists the sessions they teach; never the trainee's token
    lect_url = (await lecturer.post("/api/v1/live/calendar")).json()["url"]
    lect = Calendar.from_ical((await anon.get(lect_url.removeprefix("http://testserver"))
                               ).content)
    assert {str(e["uid"]) for e in lect.walk("VEVENT")} == set(events)
    # trainee2_a is in no class: another user's feed is empty, not the trainee's
    other = await client_for("trainee2_a")
    other_url = (await other.post("/api/v1/live/calendar")).json()["url"]
    empty = Calendar.from_ical((await anon.get(other_url.removeprefix("http://testserver"))
                                ).content)
    assert empty.walk("VEVENT") == []

    status = (await trainee.get("/api/v1/live/calendar")).json()
    assert status["active"] is True and status["last_used_at"]
    # rotating ends the old URL; revoking ends the new one; unknown tokens look the same
    new_url = (await trainee.post("/api/v1/live/calendar")).json()["url"]
    assert new_url != url
    assert (await anon.get(path)).status_code == 404
    new_path = new_url.removeprefix("http://testserver")
    assert (await anon.get(new_path)).status_code == 200
    assert (await trainee.delete("/api/v1/live/calendar")).json() == {"revoked": True}
    assert (await anon.get(new_path)).status_code == 404
    assert (await anon.get("/api/v1/live/calendar/" + "x" * 43 + ".ics")).status_code == 404
    assert token not in json.dumps(status)


async def test_ical_feed_is_scoped_to_the_institution_it_was_made_in(app, client_for, anon,
                                                                     world):
    lecturer_b = await client_for("lecturer_b")
    await create_session(lecturer_b, world.classes["b"], title="Tiết của trường B",
                         starts_at=_at(timedelta(days=1)), ends_at=_at(timedelta(days=1, hours=1)))
    # a trainee of institution A enrolled (by mistake) in a class of B: A's token lists none
    # of B's sessions
    await Enrolment.create(user_id=world.users["trainee_a"], klass_id=world.classes["b"],
                           status=EnrolmentStatus.ACTIVE)
    trainee = await client_for("trainee_a")
    url = (await trainee.post("/api/v1/live/calendar")).json()["url"]
    cal = Calendar.from_ical((await anon.get(url.removeprefix("http://testserver"))).content)
    assert cal.walk("VEVENT") == []


# --- check-in code ------------------------------------------------------------------------

T0 = 1_800_000_000.0  # the start of a 30-second window (1_800_000_000 / 30 is whole)


async def test_checkin_code_windows_and_attendance(app, client_for, world, monkeypatch):
    from lms_live_sessions import checkin

    clock = {"now": T0 + 5}
    monkeypatch.setattr(checkin, "clock", lambda: clock["now"])
    lecturer, sid = await live_session(client_for, world)
    (late_login,) = await more_trainees(world, ("Lê Văn Muộn", "a-child"))
    t1, t2, late = (await client_for("trainee_a"), await client_for("trainee2_a"),
                    await client_for(late_login))
    async with serve(app) as host:
        url = f"ws://{host}/ws/live/{sid}"
        async with connect(url, additional_headers=cookie_of(lecturer)) as wsl, \
                connect(f"{url}?view=projector", additional_headers=cookie_of(lecturer)) as wsp, \
                connect(url, additional_headers=cookie_of(t1)) as ws1, \
                connect(url, additional_headers=cookie_of(t2)) as ws2:
            for ws in (wsl, wsp, ws1, ws2):
                assert (await first_state(ws))["checkin"]["required"] is False
            log1: list[dict[str, Any]] = []
            refused = await request(ws1, "check_in", code="123456", log=log1)
            assert refused["code"] == "not_required"
            # a trainee cannot turn it on; the projector cannot either
            assert (await request(ws1, "checkin_settings", required=True))["code"] \
                == "forbidden"
            assert (await request(wsp, "checkin_settings", required=True))["code"] \
                == "forbidden"
            done = await request(wsl, "checkin_settings", required=True)
            assert done == {"type": "ok", "v": 2, "for": "checkin_settings", "required": True,
                            "period": 30}
            window = int((T0 + 5) // 30)
            session = await LiveSession.get(id=sid)
            code = checkin.code_for(session.checkin_secret, sid, window)
            # runners and the projector get the code, with when it changes
            for ws in (wsl, wsp):
                shown = await frames(ws, of_type("checkin_code"))
                assert shown[-1]["code"] == code and shown[-1]["period"] == 30
                assert shown[-1]["seconds_left"] == 25.0
            log1 += await frames(ws1, lambda f: f["type"] == "checkin")
            assert log1[-1]["required"] is True and "code" not in log1[-1]

            wrong = "000000" if code != "000000" else "111111"
            assert (await request(ws1, "check_in", code=wrong, log=log1))["code"] \
                == "invalid_code"
            # the next window: the previous code is still accepted (typed just before it
            # changed), and spaces or a dash as people type it are fine
            clock["now"] = T0 + 35
            ok1 = await request(ws1, "check_in", code=f"{code[:3]} {code[3:]}", log=log1)
            assert ok1["for"] == "check_in" and ok1["already"] is False
            again = await request(ws1, "check_in", code=code, log=log1)
            assert again["already"] is True and again["checked_in_at"] == ok1["checked_in_at"]
            named = await frames(wsl, of_type("checked_in"))
            assert named[-1]["full_name"] == NAME_1 and named[-1]["count"] == 1
            counted = await frames(wsp, of_type("checked_in"))
            assert counted[-1]["count"] == 1 and "full_name" not in counted[-1] \
                and "user_id" not in counted[-1]
            # two windows on, the first code has expired
            clock["now"] = T0 + 65
            r = await t2.post(f"/api/v1/live/sessions/{sid}/checkin", json={"code": code})
            assert r.status_code == 422 and r.json()["code"] == "invalid_code"
            assert r.json()["detail"].startswith("Mã điểm danh không đúng")
            # the lecturer's REST view has the code of now; a late trainee checks in by REST
            now_code = (await lecturer.get(f"/api/v1/live/sessions/{sid}/checkin")).json()
            assert now_code["code"] == checkin.code_for(session.checkin_secret, sid, window + 2)
            assert now_code["checked_in"] == 1
            assert (await t1.get(f"/api/v1/live/sessions/{sid}/checkin")).status_code == 403
            r = await late.post(f"/api/v1/live/sessions/{sid}/checkin",
                                json={"code": now_code["code"]})
            assert r.status_code == 200, r.text
            # a runner does not check in
            r = await lecturer.post(f"/api/v1/live/sessions/{sid}/checkin",
                                    json={"code": now_code["code"]})
            assert r.status_code == 403
            log1 += await quiet(ws1)
    # no trainee frame ever carried the code
    assert not _mentions(log1, code, now_code["code"])
    assert not any(f["type"] == "checkin_code" for f in log1)

    sheet = (await lecturer.get(f"/api/v1/live/sessions/{sid}/attendance")).json()
    by_login = {item["user"]["login"]: item for item in sheet["items"]}
    assert sheet["checkin_required"] is True
    assert by_login["trainee_a"]["checked_in_at"] and by_login["trainee_a"]["attended"]
    assert by_login["trainee2_a"]["checked_in_at"] is None
    assert by_login["trainee2_a"]["attended"] is False  # came, but never typed the code
    assert by_login[late_login]["attended"] is True
    assert by_login["lecturer_a"]["attended"] is False  # runners are not attendees
    assert sheet["attended"] == 2
    csv_text = (await lecturer.get(f"/api/v1/live/sessions/{sid}/attendance.csv")
                ).content.decode("utf-8-sig")
    lines = {line.split(",")[1]: line for line in csv_text.splitlines()[1:]}
    assert lines["trainee_a"].endswith("Có (yes)") and lines["trainee2_a"].endswith("Không (no)")
    assert "Điểm danh bằng mã lúc" in csv_text.splitlines()[0]
    # without the requirement, everyone who came counts
    await lecturer.put(f"/api/v1/live/sessions/{sid}/checkin", json={"required": False})
    sheet = (await lecturer.get(f"/api/v1/live/sessions/{sid}/attendance")).json()
    assert sheet["attended"] == 3


# --- quick quiz -----------------------------------------------------------------------------


async def quiz_question(world, quiz_world, body: dict[str, Any]) -> int:
    return (await question(world.inst["a"], quiz_world["category"], body)).id


def _leaks_key(received: list[dict[str, Any]]) -> bool:
    """Anything that tells the answer: fractions, the key, right choices, accepted texts."""
    text = json.dumps(received, ensure_ascii=False)
    return any(word in text for word in ('"fraction"', '"key"', '"right"', '"correct_value"',
                                         "Cổng Dịch vụ công quốc gia", '"correct"'))


async def test_quick_quiz_speed_scores_leaderboard_and_no_early_key(
        app, client_for, world, quiz_world, monkeypatch):
    from lms_live_sessions import quick_quiz

    clock = {"now": 0.0}
    monkeypatch.setattr(quick_quiz, "clock", lambda: clock["now"])
    single, true_false, _short = quiz_world["questions"]
    lecturer, sid = await live_session(client_for, world)
    t1, t2 = await client_for("trainee_a"), await client_for("trainee2_a")
    base = f"/api/v1/live/sessions/{sid}/activities"
    async with serve(app) as host:
        url = f"ws://{host}/ws/live/{sid}"
        async with connect(url, additional_headers=cookie_of(lecturer)) as wsl, \
                connect(f"{url}?view=projector", additional_headers=cookie_of(lecturer)) as wsp, \
                connect(url, additional_headers=cookie_of(t1)) as ws1, \
                connect(url, additional_headers=cookie_of(t2)) as ws2:
            logs: dict[Any, list[dict[str, Any]]] = {ws: [await first_state(ws)]
                                                     for ws in (wsl, wsp, ws1, ws2)}
            r = await lecturer.post(base, json={
                "kind": "quick_quiz", "prompt": "Câu hỏi nhanh 1", "allow_change": True,
                "config": {"question_id": single.id, "time_limit": 60}})
            assert r.status_code == 201, r.text
            made = r.json()
            assert made["allow_change"] is False  # one answer per trainee
            view = made["config"]["question"]
            assert view["type"] == "single_choice" and "Thủ đô" in view["text_html"]
            assert not _leaks_key([made]) and "private" not in made
            right = next(c["id"] for c in view["choices"] if "Hà Nội" in c["html"])
            wrong = next(c["id"] for c in view["choices"] if "Huế" in c["html"])

            assert (await lecturer.post(f"/api/v1/live/activities/{made['id']}/open")
                    ).status_code == 200
            opened = await frames(ws1, of_type("activity_opened"))
            logs[ws1] += opened
            start = datetime.fromisoformat(opened[-1]["activity"]["opened_at"]).timestamp()
            logs[ws2] += await frames(ws2, of_type("activity_opened"))
            # trainee 1 answers at once, trainee 2 after half the time limit
            clock["now"] = start
            got = await answer(ws1, made["id"], "q1-a", {"choice": right})
            assert got["type"] == "ack" and set(got) == {"type", "v", "activity_id",
                                                         "client_id", "revision"}
            clock["now"] = start + 30
            assert (await answer(ws2, made["id"], "q1-b", {"choice": right}))["type"] == "ack"
            # a second answer is refused, a retry of the first is the same ack
            again = await answer(ws1, made["id"], "q1-c", {"choice": wrong})
            assert again["code"] == "already_answered"
            assert (await answer(ws1, made["id"], "q1-a", {"choice": right}))["revision"] == 1
            bad = await answer(ws2, made["id"], "q1-d", {"text": "Hà Nội"})
            assert bad["code"] in ("invalid_answer", "already_answered")
            live = (await lecturer.get(f"/api/v1/live/activities/{made['id']}/results")
                    ).json()["results"]
            assert live["responses"] == 2 and "key" not in live and "correct" not in live
            for ws in (wsl, wsp, ws1, ws2):
                logs[ws] += await quiet(ws)
                assert not _leaks_key(logs[ws])  # nothing tells the answer before closing

            assert (await lecturer.post(f"/api/v1/live/activities/{made['id']}/close")
                    ).status_code == 200
            closed = await frames(ws1, of_type("activity_closed"))
            assert closed[-1]["results"]["key"]["right"] == [right]
            mine = await frames(ws1, of_type("quiz_result"))
            assert mine[-1]["score"] == 1000 and mine[-1]["rank"] == 1 and mine[-1]["of"] == 2
            theirs = await frames(ws2, of_type("quiz_result"))
            # 30 s of 60: 1000 x (1 - 30 / 120) = 750
            assert theirs[-1]["score"] == 750 and theirs[-1]["rank"] == 2
            assert theirs[-1]["elapsed_ms"] == 30000 and theirs[-1]["fraction"] == 1.0
            board = await frames(wsl, of_type("leaderboard"))
            assert [(e["full_name"], e["score"]) for e in board[-1]["items"]] == [
                (NAME_1, 1000), (NAME_2, 750)]
            screen = await frames(wsp, of_type("leaderboard"))
            assert screen[-1]["items"] == [{"rank": 1, "score": 1000, "correct": 1},
                                           {"rank": 2, "score": 750, "correct": 1}]

            # a true/false quiz pushed on the socket: a wrong answer scores 0, a late one is
            # refused
            await wsl.send(json.dumps({"type": "push_activity", "activity": {
                "kind": "quick_quiz", "prompt": "Câu hỏi nhanh 2",
                "config": {"question_id": true_false.id, "time_limit": 60}}}))
            opened = await frames(ws1, of_type("activity_opened"))
            second = opened[-1]["activity"]
            start = datetime.fromisoformat(second["opened_at"]).timestamp()
            clock["now"] = start + 5
            assert (await answer(ws1, second["id"], "q2-a", {"value": False}))["type"] == "ack"
            clock["now"] = start + 62
            late = await answer(ws2, second["id"], "q2-b", {"value": True})
            assert late["code"] == "time_up" and late["message"] == "Đã hết giờ trả lời câu hỏi này."
            await wsl.send(json.dumps({"type": "close_activity", "activity_id": second["id"]}))
            mine = await frames(ws1, of_type("quiz_result"))
            assert mine[-1]["score"] == 0 and mine[-1]["total"] == 1000 and mine[-1]["rank"] == 1
            board = await frames(wsl, of_type("leaderboard"))
            assert [(e["full_name"], e["score"], e["answered"]) for e in board[-1]["items"]] \
                == [(NAME_1, 1000, 2), (NAME_2, 750, 1)]
            screen = await frames(wsp, of_type("leaderboard"))
            logs[wsp] += screen
            assert not _mentions(logs[wsp], NAME_1, NAME_2)
        # a reconnecting phone gets its result in the snapshot
        async with connect(url, additional_headers=cookie_of(t2)) as ws2:
            state = await first_state(ws2)
            assert state["quiz_result"]["total"] == 750 and state["quiz_result"]["rank"] == 2
            assert "leaderboard" not in state
    csv_text = (await lecturer.get(f"/api/v1/live/sessions/{sid}/export.csv")
                ).content.decode("utf-8-sig")
    assert "Câu hỏi nhanh (Quick quiz)" in csv_text and "(điểm/score 750)" in csv_text


async def test_quick_quiz_refused_without_the_quizzes_plugin(app, client_for, world,
                                                             quiz_world):
    single = quiz_world["questions"][0]
    lecturer, sid = await live_session(client_for, world)
    base = f"/api/v1/live/sessions/{sid}/activities"
    body = {"kind": "quick_quiz", "prompt": "Câu hỏi nhanh",
            "config": {"question_id": single.id}}
    # another institution's question, or none, is not found
    r = await lecturer.post(base, json={**body, "config": {"question_id": 987654}})
    assert r.status_code == 404 and r.json()["code"] == "question_not_found"
    # an essay cannot be answered in a few seconds
    essay = await quiz_question(world, quiz_world, ESSAY)
    r = await lecturer.post(base, json={**body, "config": {"question_id": essay}})
    assert r.status_code == 422 and r.json()["code"] == "invalid"
    await app.state.lms.plugins.set_enabled(world.inst["a"], "quizzes", False)
    r = await lecturer.post(base, json=body)
    assert r.status_code == 409 and r.json()["code"] == "quiz_unavailable"
    assert "Câu hỏi và bài kiểm tra" in r.json()["detail"]
    t1 = await client_for("trainee_a")
    async with serve(app) as host:
        url = f"ws://{host}/ws/live/{sid}"
        async with connect(url, additional_headers=cookie_of(lecturer)) as wsl, \
                connect(url, additional_headers=cookie_of(t1)) as ws1:
            await first_state(wsl)
            await first_state(ws1)
            await wsl.send(json.dumps({"type": "push_activity", "activity": body}))
            err = await frames(wsl, of_type("error"))
            assert err[-1]["code"] == "quiz_unavailable"
            # the error closes nobody's socket
            for ws in (wsl, ws1):
                assert (await quiet(ws))[-1]["type"] == "pong"
    # other kinds still work
    r = await lecturer.post(base, json={"kind": "rating", "prompt": "Mức độ?"})
    assert r.status_code == 201
