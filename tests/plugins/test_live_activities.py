"""Activities a lecturer pushes in a live session (poll, rating scale, word cloud, open
question) and protocol v2 over a real server with real websocket clients: answers acked once
per client_id, coalesced results with the lecturer's visibility rules, resume with ``since``,
error frames that close nothing, the CSV/XLSX export, and two workers over Redis."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import unicodedata

import openpyxl
import pytest
from websockets.asyncio.client import connect

from lms_core.models import Enrolment

from lms_live_sessions import events, fanout
from lms_live_sessions.models import ActivityResponse, LiveEvent, LiveSession

from .live_helpers import (
    answer, first_state, has_names, live_session, make_activity, of_type, two_redis_workers,
)
from .test_live_sessions import (  # noqa: F401  (redis_available is a fixture)
    REDIS_URL, cookie_of, create_session, frames, redis_available, serve,
)


# --- poll: the whole path --------------------------------------------------------------------


@pytest.mark.parametrize("ws_protocol", ["lms", "websockets-sansio"])
async def test_poll_answers_count_once_and_results_go_live(app, client_for, world, ws_protocol):
    """Also under uvicorn's own websocket protocol, which has no prepared-frame writer: the app
    falls back to ASGI sends and nothing changes for the room."""
    lecturer, sid = await live_session(client_for, world)
    t1, t2 = await client_for("trainee_a"), await client_for("trainee2_a")
    poll = await make_activity(lecturer, sid, kind="poll", prompt="Chọn hình thức học?",
                               config={"options": ["Trực tiếp", "Trực tuyến", "Kết hợp"]},
                               visibility="live")
    assert poll["state"] == "queued" and poll["config"]["multiple"] is False
    server = {} if ws_protocol == "lms" else {"ws": ws_protocol}
    async with serve(app, **server) as host:
        url = f"ws://{host}/ws/live/{sid}"
        async with connect(url, additional_headers=cookie_of(lecturer)) as wsl, \
                connect(url, additional_headers=cookie_of(t1)) as ws1, \
                connect(url, additional_headers=cookie_of(t2)) as ws2:
            lstate = await first_state(wsl)
            assert [a["id"] for a in lstate["activities"]] == [poll["id"]]
            assert (await first_state(ws1))["activity"] is None
            await first_state(ws2)
            r = await lecturer.post(f"/api/v1/live/activities/{poll['id']}/open")
            assert r.status_code == 200 and r.json()["state"] == "open"
            for ws in (ws1, ws2, wsl):
                opened = await frames(ws, of_type("activity_opened"))
                assert opened[-1]["activity"]["config"]["options"][2] == "Kết hợp"

            ack = await answer(ws1, poll["id"], "c-1", {"choices": [1]})
            assert ack == {"type": "ack", "v": 2, "activity_id": poll["id"],
                           "client_id": "c-1", "revision": 1}
            assert await answer(ws1, poll["id"], "c-1", {"choices": [1]}) == ack  # a retry
            assert (await answer(ws2, poll["id"], "x", {"choice": 0}))["revision"] == 1
            got = await frames(wsl, lambda f: f["type"] == "results"
                               and f["results"]["responses"] == 2)
            assert [o["count"] for o in got[-1]["results"]["options"]] == [1, 1, 0]
            seen = await frames(ws2, lambda f: f["type"] == "results"
                                and f["results"]["responses"] == 2)
            assert not has_names([f for f in seen if f["type"] == "results"])

            # changing one's mind replaces the answer; the old retry keeps its old ack
            assert (await answer(ws1, poll["id"], "c-2", {"choices": [0]}))["revision"] == 2
            assert await answer(ws1, poll["id"], "c-1", {"choices": [2]}) == ack
            got = await frames(wsl, lambda f: f["type"] == "results"
                               and f["results"]["options"][0]["count"] == 2)
            assert [o["count"] for o in got[-1]["results"]["options"]] == [2, 0, 0]
            # single choice refuses two options; the socket stays usable
            err = await answer(ws2, poll["id"], "x2", {"choices": [0, 1]})
            assert err["type"] == "error" and err["code"] == "invalid_answer"
            assert err["message"].startswith("Chỉ được chọn tối đa 1")
            assert err["message_en"] == "Choose at most 1 option(s)."

            # results were coalesced, not sent per answer (4 accepted answers here)
            await asyncio.sleep(0.5)
            rows = await ActivityResponse.filter(activity_id=poll["id"]).values(
                "user_id", "answer", "revision", "enrolment_id")
            assert sorted(r["revision"] for r in rows) == [1, 2] and len(rows) == 2
            enrolments = dict(await Enrolment.filter(klass_id=world.classes["a"]).values_list(
                "user_id", "id"))
            assert all(r["enrolment_id"] == enrolments[r["user_id"]] for r in rows)

            r = await lecturer.post(f"/api/v1/live/activities/{poll['id']}/close")
            assert r.status_code == 200 and r.json()["state"] == "closed"
            closed = await frames(ws1, of_type("activity_closed"))
            assert [o["count"] for o in closed[-1]["results"]["options"]] == [2, 0, 0]
            late = await answer(ws2, poll["id"], "x3", {"choices": [2]})
            assert late["code"] == "closed" and late["message"].startswith("Hoạt động đã đóng")
    runner = (await lecturer.get(f"/api/v1/live/activities/{poll['id']}/results")).json()
    assert runner["results"]["responses"] == 2
    trainee = (await t1.get(f"/api/v1/live/activities/{poll['id']}/results")).json()
    assert trainee["results"]["options"][0]["count"] == 2 and not has_names(trainee)


async def test_rating_hidden_from_trainees(app, client_for, world):
    lecturer, sid = await live_session(client_for, world)
    t1, t2 = await client_for("trainee_a"), await client_for("trainee2_a")
    rating = await make_activity(
        lecturer, sid, kind="rating", prompt="Bài giảng hôm nay hữu ích đến đâu?",
        config={"min": 1, "max": 5, "labels": {"1": "Không hữu ích", "5": "Rất hữu ích"}},
        visibility="hidden", allow_change=False, open=True)
    assert rating["state"] == "open"
    async with serve(app) as host:
        url = f"ws://{host}/ws/live/{sid}"
        async with connect(url, additional_headers=cookie_of(lecturer)) as wsl, \
                connect(url, additional_headers=cookie_of(t1)) as ws1, \
                connect(url, additional_headers=cookie_of(t2)) as ws2:
            await first_state(wsl)
            state1 = await first_state(ws1)
            assert state1["activity"]["id"] == rating["id"] and state1["results"] is None
            await first_state(ws2)
            assert (await answer(ws1, rating["id"], "a", {"value": 5}))["type"] == "ack"
            assert (await answer(ws2, rating["id"], "b", {"value": 2}))["type"] == "ack"
            again = await answer(ws1, rating["id"], "a2", {"value": 1})
            assert again["code"] == "already_answered"
            assert (await answer(ws2, rating["id"], "b3", {"value": 6}))["code"] \
                == "invalid_answer"
            got = await frames(wsl, lambda f: f["type"] == "results"
                               and f["results"]["responses"] == 2)
            res = got[-1]["results"]
            assert res["average"] == 3.5 and got[-1]["visible"] is False
            assert [d["count"] for d in res["distribution"]] == [0, 1, 0, 0, 1]
            assert res["distribution"][4]["label"] == "Rất hữu ích"
            r = await t1.get(f"/api/v1/live/activities/{rating['id']}/results")
            assert r.status_code == 403 and r.json()["detail"].startswith("Giảng viên chưa")
            await lecturer.post(f"/api/v1/live/activities/{rating['id']}/close")
            closed = await frames(ws1, of_type("activity_closed"))
            assert closed[-1]["results"] is None
            await ws1.send(json.dumps({"type": "ping"}))
            rest = await frames(ws1, of_type("pong"))
            assert not [f for f in closed + rest if f["type"] == "results"]
            assert not has_names(closed + rest)
            # the lecturer reveals the results afterwards: trainees get them at once
            r = await lecturer.patch(f"/api/v1/live/activities/{rating['id']}",
                                     json={"visibility": "after_close"})
            assert r.status_code == 200
            shown = await frames(ws2, of_type("results", activity_id=rating["id"]))
            assert shown[-1]["visible"] is True and shown[-1]["results"]["average"] == 3.5
            assert not has_names(shown[-1])
            r = await lecturer.patch(f"/api/v1/live/activities/{rating['id']}",
                                     json={"prompt": "Sửa sau khi đóng"})
            assert r.status_code == 409
    names = (await lecturer.get(f"/api/v1/live/activities/{rating['id']}/results")).json()
    assert names["results"]["responses"] == 2


async def test_word_cloud_counts_vietnamese_words_together(app, client_for, world):
    lecturer, sid = await live_session(client_for, world)
    t1, t2 = await client_for("trainee_a"), await client_for("trainee2_a")
    cloud = await make_activity(lecturer, sid, kind="word_cloud",
                                prompt="Một từ về chuyển đổi số?", config={"max_words": 2},
                                open=True)
    decomposed = unicodedata.normalize("NFD", "Hà Nội")
    async with serve(app) as host:
        url = f"ws://{host}/ws/live/{sid}"
        async with connect(url, additional_headers=cookie_of(lecturer)) as wsl, \
                connect(url, additional_headers=cookie_of(t1)) as ws1, \
                connect(url, additional_headers=cookie_of(t2)) as ws2:
            for ws in (wsl, ws1, ws2):
                await first_state(ws)
            assert (await answer(ws1, cloud["id"], "1", {"words": [decomposed, "Huế"]}))[
                "type"] == "ack"
            assert (await answer(ws2, cloud["id"], "2", {"words": ["  hà   NỘI ", "hà nội"]}))[
                "type"] == "ack"
            err = await answer(ws2, cloud["id"], "3", {"words": ["a", "b", "c"]})
            assert err["code"] == "invalid_answer"
            got = await frames(wsl, lambda f: f["type"] == "results"
                               and f["results"]["responses"] == 2)
            words = got[-1]["results"]["words"]
            assert words[0]["count"] == 2 and words[0]["text"] in ("Hà Nội", "hà NỘI")
            assert unicodedata.is_normalized("NFC", words[0]["text"])
            assert {"text": "Huế", "count": 1} in words and len(words) == 2
            await lecturer.post(f"/api/v1/live/activities/{cloud['id']}/close")
            # after_close (the default): nothing while open, everything at the close
            got1 = await frames(ws1, of_type("activity_closed"))
            assert not [f for f in got1 if f["type"] == "results"]
            assert got1[-1]["results"]["words"][0]["count"] == 2


async def test_open_question_pushed_over_the_socket(app, client_for, world):
    lecturer, sid = await live_session(client_for, world)
    t1 = await client_for("trainee_a")
    async with serve(app) as host:
        url = f"ws://{host}/ws/live/{sid}"
        async with connect(url, additional_headers=cookie_of(lecturer)) as wsl, \
                connect(url, additional_headers=cookie_of(t1)) as ws1, \
                connect(f"{url}?view=projector", additional_headers=cookie_of(lecturer)) as wsp:
            await first_state(wsl)
            await first_state(ws1)
            assert (await first_state(wsp))["you"]["view"] == "projector"
            await wsl.send(json.dumps({"type": "push_activity", "activity": {
                "kind": "open_question", "prompt": "Khó khăn lớn nhất khi áp dụng?",
                "visibility": "live"}}))
            opened = (await frames(ws1, of_type("activity_opened")))[-1]["activity"]
            assert opened["kind"] == "open_question" and opened["state"] == "open"
            text = "Thiếu   thời gian\n cho bồi dưỡng"
            assert (await answer(ws1, opened["id"], "q1", {"text": text}))["type"] == "ack"
            got = await frames(wsl, lambda f: f["type"] == "results"
                               and f["results"]["responses"] == 1)
            item = got[-1]["results"]["answers"][0]
            assert item["text"] == "Thiếu thời gian cho bồi dưỡng"
            assert item["user"]["full_name"] == "Nguyễn Văn Trainee A"
            mine = await frames(ws1, lambda f: f["type"] == "results")
            assert mine[-1]["results"]["answers"][0]["text"] == item["text"]
            assert not has_names(mine[-1])
            projected = await frames(wsp, lambda f: f["type"] == "results")
            assert projected[-1]["results"]["answers"] and not has_names(projected[-1])
            # the projector holds no lecturer controls
            await wsp.send(json.dumps({"type": "close_activity", "activity_id": opened["id"]}))
            assert (await frames(wsp, of_type("error")))[-1]["code"] == "forbidden"
            # pushing the next one closes this one
            await wsl.send(json.dumps({"type": "push_activity", "activity": {
                "kind": "poll", "prompt": "Tiếp tục?", "config": {"options": ["Có", "Không"]}}}))
            got = await frames(ws1, of_type("activity_opened"))
            closed = [f for f in got if f["type"] == "activity_closed"]
            assert closed and closed[-1]["activity"]["id"] == opened["id"]
            assert closed[-1]["seq"] < got[-1]["seq"]
            await wsl.send(json.dumps({"type": "push_activity", "activity": {
                "kind": "poll", "prompt": "Thiếu phương án", "config": {"options": ["Một"]}}}))
            err = (await frames(wsl, of_type("error")))[-1]
            assert err["code"] == "invalid" and "từ 2 đến" in err["message"]


# --- permissions and bad messages -------------------------------------------------------------


async def test_trainee_cannot_push_and_bad_messages_close_nothing(app, client_for, world):
    lecturer, sid = await live_session(client_for, world)
    t1, t2 = await client_for("trainee_a"), await client_for("trainee2_a")
    queued = await make_activity(lecturer, sid, kind="poll", prompt="Câu hỏi chuẩn bị sẵn",
                                 config={"options": ["A", "B"]})
    async with serve(app) as host:
        url = f"ws://{host}/ws/live/{sid}"
        async with connect(url, additional_headers=cookie_of(t1)) as ws1, \
                connect(url, additional_headers=cookie_of(t2)) as ws2:
            await first_state(ws1)
            await first_state(ws2)
            for message in ({"type": "push_activity", "activity": {
                                "kind": "poll", "prompt": "x", "config": {"options": ["1", "2"]}}},
                            {"type": "open_activity", "activity_id": queued["id"]},
                            {"type": "close_activity", "activity_id": queued["id"]}):
                await ws1.send(json.dumps(message))
                err = (await frames(ws1, of_type("error")))[-1]
                assert err["code"] == "forbidden"
                assert err["message"].startswith("Chỉ giảng viên của lớp")
            bad = [("{nope", "bad_json"), (json.dumps({"type": "answer"}), "invalid"),
                   (json.dumps({"type": "answer", "activity_id": queued["id"],
                                "client_id": "bad id with spaces", "answer": {}}),
                    "bad_client_id"),
                   (json.dumps({"type": "answer", "activity_id": 999999, "client_id": "z",
                                "answer": {"choices": [0]}}), "not_found"),
                   (json.dumps({"type": "answer", "activity_id": queued["id"],
                                "client_id": "z", "answer": {"choices": [0]}}), "not_open"),
                   (json.dumps({"type": "resume", "since": "yesterday"}), "invalid"),
                   ("x" * 5000, "too_large")]
            for text, code in bad:
                await ws1.send(text)
                assert (await frames(ws1, of_type("error")))[-1]["code"] == code, text
            assert await ActivityResponse.all().count() == 0
            # both sockets are still open and the room keeps hearing the lecturer
            await lecturer.post(f"/api/v1/live/activities/{queued['id']}/open")
            for ws in (ws1, ws2):
                assert (await frames(ws, of_type("activity_opened")))[-1]["activity"]["id"] \
                    == queued["id"]
            assert (await answer(ws1, queued["id"], "ok", {"choices": [1]}))["type"] == "ack"
    # REST: trainees hold no live.run, other institutions see nothing
    r = await t1.post(f"/api/v1/live/sessions/{sid}/activities",
                      json={"kind": "poll", "prompt": "x", "config": {"options": ["1", "2"]}})
    assert r.status_code == 403
    assert (await t1.post(f"/api/v1/live/activities/{queued['id']}/close")).status_code == 403
    lecturer_b = await client_for("lecturer_b")
    assert (await lecturer_b.get(f"/api/v1/live/sessions/{sid}/activities")).status_code == 404
    r = await lecturer_b.post(f"/api/v1/live/activities/{queued['id']}/close")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert (await lecturer_b.get(f"/api/v1/live/sessions/{sid}/export.csv")).status_code == 404


async def test_activity_api_queue_validation_and_conflicts(client_for, world):
    lecturer = await client_for("lecturer_a")
    session = await create_session(lecturer, world.classes["a"])
    sid = session["id"]
    base = f"/api/v1/live/sessions/{sid}/activities"
    for bad in ({"kind": "poll", "prompt": "x", "config": {"options": ["chỉ một"]}},
                {"kind": "poll", "prompt": "x", "config": {"options": ["A", "a"]}},
                {"kind": "poll", "prompt": "x", "config": {"options": ["A", "B"], "multi": True}},
                {"kind": "rating", "prompt": "x", "config": {"max": 11}},
                {"kind": "rating", "prompt": "x", "config": {"labels": {"9": "quá"}}},
                {"kind": "quiz", "prompt": "x"}, {"kind": "word_cloud", "prompt": ""},
                {"kind": "open_question", "prompt": "x", "visibility": "sometimes"}):
        r = await lecturer.post(base, json=bad)
        assert r.status_code == 422, (bad, r.text)
    r = await lecturer.post(base, json={"kind": "poll", "prompt": "x",
                                        "config": {"options": ["chỉ một"]}})
    assert "Bình chọn cần từ 2 đến 20 phương án" in r.text
    a = await make_activity(lecturer, sid, kind="poll", prompt="Một",
                            config={"options": ["A", "B"], "multiple": True})
    assert a["config"]["max_choices"] == 2
    b = await make_activity(lecturer, sid, kind="word_cloud", prompt="Hai", queued=False)
    c = await make_activity(lecturer, sid, kind="open_question", prompt="Ba")
    assert b["state"] == "draft" and [a["position"], b["position"], c["position"]] == [1, 2, 3]
    r = await lecturer.post(f"{base}/reorder", json={"ids": [c["id"], a["id"], b["id"]]})
    assert [x["id"] for x in r.json()["items"]] == [c["id"], a["id"], b["id"]]
    r = await lecturer.post(f"{base}/reorder", json={"ids": [c["id"], a["id"]]})
    assert r.status_code == 422
    r = await lecturer.patch(f"/api/v1/live/activities/{b['id']}",
                             json={"queued": True, "prompt": "Hai (sửa)"})
    assert r.json()["state"] == "queued" and r.json()["prompt"] == "Hai (sửa)"
    r = await lecturer.patch(f"/api/v1/live/activities/{b['id']}",
                             json={"kind": "rating"})
    assert r.json()["config"] == {"min": 1, "max": 5, "labels": {}}
    r = await lecturer.post(f"/api/v1/live/activities/{a['id']}/open")
    assert r.status_code == 409 and r.json()["code"] == "not_live"
    assert r.json()["detail"].startswith("Phiên học chưa bắt đầu")
    await lecturer.post(f"/api/v1/live/sessions/{sid}/start")
    assert (await lecturer.post(f"/api/v1/live/activities/{a['id']}/open")).status_code == 200
    assert (await lecturer.post(f"/api/v1/live/activities/{a['id']}/open")).json()["code"] \
        == "already_open"
    assert (await lecturer.delete(f"/api/v1/live/activities/{a['id']}")).status_code == 409
    assert (await lecturer.delete(f"/api/v1/live/activities/{c['id']}")).status_code == 200
    r = await lecturer.patch(f"/api/v1/live/activities/{a['id']}", json={"prompt": "khác"})
    assert r.status_code == 409 and r.json()["code"] == "not_editable"
    # ending the session closes what is open
    await lecturer.post(f"/api/v1/live/sessions/{sid}/end")
    states = {x["id"]: x["state"] for x in
              (await lecturer.get(base)).json()["items"]}
    assert states == {a["id"]: "closed", b["id"]: "queued"}
    r = await lecturer.post(base, json={"kind": "open_question", "prompt": "muộn"})
    assert r.status_code == 409 and r.json()["code"] == "ended"


# --- resume -------------------------------------------------------------------------------------


async def test_resume_with_since_replays_exactly_what_was_missed(app, client_for, world):
    lecturer, sid = await live_session(client_for, world)
    t1, t2 = await client_for("trainee_a"), await client_for("trainee2_a")
    poll = await make_activity(lecturer, sid, kind="poll", prompt="Đồng ý không?",
                               config={"options": ["Có", "Không"]}, visibility="live")
    async with serve(app) as host:
        url = f"ws://{host}/ws/live/{sid}"
        async with connect(url, additional_headers=cookie_of(t2)) as watcher:
            watched = [await first_state(watcher)]
            async with connect(url, additional_headers=cookie_of(t1)) as ws1:
                last = (await first_state(ws1))["seq"]
            # while trainee 1's phone is locked: the push, an answer, live results, a close
            await lecturer.post(f"/api/v1/live/activities/{poll['id']}/open")
            watched += await frames(watcher, of_type("activity_opened"))
            await watcher.send(json.dumps({"type": "answer", "activity_id": poll["id"],
                                           "client_id": "w1", "answer": {"choices": [0]}}))
            watched += await frames(watcher, of_type("ack"))  # keep every frame read
            watched += await frames(watcher, lambda f: f["type"] == "results")
            async with connect(f"{url}?since={last}", additional_headers=cookie_of(t1)) as ws1:
                replay = await frames(ws1, of_type("resumed"))
                resumed = replay.pop()
                assert resumed["since"] == last and resumed["replayed"] == len(replay)
                # (the resume point is the runners' frame of this join, which the watcher does
                # not hear: read up to the room's coalesced frame that follows it)
                watched += await frames(watcher, lambda f: f.get("seq", 0) >= resumed["seq"])
                expected = [f for f in watched if "seq" in f and last < f["seq"] <= resumed["seq"]]
                assert replay == expected  # the same frames, byte for byte decoded, in order
                kinds = [f["type"] for f in replay]
                assert "activity_opened" in kinds and "results" in kinds
                assert "activities" not in kinds  # the lecturer's queue frames stay theirs
                assert not has_names(replay)  # presence frames carry no names to trainees
                # and it goes on live from there
                await lecturer.post(f"/api/v1/live/activities/{poll['id']}/close")
                closed = await frames(ws1, of_type("activity_closed"))
                assert closed[0]["seq"] > resumed["seq"]
                # resume as a message, with nothing missed, replays nothing
                await ws1.send(json.dumps({"type": "resume", "since": closed[-1]["seq"]}))
                got = await frames(ws1, of_type("resumed"))
                assert got[-1]["replayed"] == 0
            # a phone that answered and dropped sees its own answer in the snapshot
            async with connect(url, additional_headers=cookie_of(t2)) as again:
                state = await first_state(again)
                assert state["activity"]["id"] == poll["id"]
                assert state["my_answer"] == {"answer": {"choices": [0]}, "client_id": "w1",
                                              "revision": 1}
                assert state["results"]["options"][0]["count"] == 1

            async with connect(f"{url}?since=999999999", additional_headers=cookie_of(t1)) as ws1:
                await first_state(ws1)  # a since from the future cannot be trusted: snapshot


async def test_old_frames_are_pruned_and_a_resume_past_them_gets_a_snapshot(
        app, client_for, world, monkeypatch):
    # each visit below is a join and a leave, a runners' frame each, and the coalesced frames
    # of the projector and the room: 12 to 36 frames, past what is kept
    monkeypatch.setattr(events, "KEEP", 12)
    monkeypatch.setattr(events, "PRUNE_EVERY", 3)
    lecturer, sid = await live_session(client_for, world)
    t1 = await client_for("trainee_a")
    async with serve(app) as host:
        url = f"ws://{host}/ws/live/{sid}"
        async with connect(url, additional_headers=cookie_of(t1)) as ws1:
            since = (await first_state(ws1))["seq"]
        for _ in range(6):
            async with connect(url, additional_headers=cookie_of(lecturer)) as wsl:
                await first_state(wsl)
        async def settled():
            if fanout.flusher_for(app.state.lms.broker).tasks:  # the room's presence still to come
                return False
            return (await LiveEvent.filter(session_id=sid).order_by("-seq").first()
                    .values_list("seq", flat=True)) == (await LiveSession.get(id=sid)).seq
        async with asyncio.timeout(5):
            while not await settled():
                await asyncio.sleep(0.02)
        kept = await LiveEvent.filter(session_id=sid).values_list("seq", flat=True)
        assert 0 < len(kept) < 12 + 3 and min(kept) > since + 1
        async with connect(f"{url}?since={since}", additional_headers=cookie_of(t1)) as ws1:
            state = await first_state(ws1)  # not a partial replay
            assert state["seq"] >= max(kept)
        async with connect(f"{url}?since={max(kept) - 1}",
                           additional_headers=cookie_of(t1)) as ws1:
            replay = await frames(ws1, of_type("resumed"))
            assert replay[0]["seq"] == max(kept) and replay[-1]["replayed"] >= 1


async def test_results_are_coalesced_not_sent_per_answer(app, client_for, world):
    lecturer, sid = await live_session(client_for, world)
    t1, t2 = await client_for("trainee_a"), await client_for("trainee2_a")
    rating = await make_activity(lecturer, sid, kind="rating", prompt="Mức độ?", open=True,
                                 visibility="live")
    async with serve(app) as host:
        url = f"ws://{host}/ws/live/{sid}"
        async with connect(url, additional_headers=cookie_of(lecturer)) as wsl, \
                connect(url, additional_headers=cookie_of(t1)) as ws1, \
                connect(url, additional_headers=cookie_of(t2)) as ws2:
            for ws in (wsl, ws1, ws2):
                await first_state(ws)
            sent = 0
            started = asyncio.get_running_loop().time()
            for i in range(15):  # 30 accepted answers; only the last round is all fives
                for n, ws in enumerate((ws1, ws2)):
                    value = 5 if i == 14 else 1 + i % 4
                    ack = await answer(ws, rating["id"], f"{n}-{i}", {"value": value})
                    assert ack["revision"] == i + 1
                    sent += 1
            elapsed = asyncio.get_running_loop().time() - started
            got = await frames(wsl, lambda f: f["type"] == "results"
                               and f["results"]["average"] == 5.0)
    results = [f for f in got if f["type"] == "results"]
    # at most one flush per interval while answers came in, plus the trailing one
    bound = int(elapsed / fanout.INTERVAL) + 2
    assert sent == 30 and 1 <= len(results) <= min(bound, 15), (len(results), elapsed)
    assert results[-1]["results"]["responses"] == 2
    stored = await LiveEvent.filter(session_id=sid, frame__contains='"type":"results"').count()
    assert stored <= 3 * len(results) + 3  # a frame per audience per flush, not per answer


# --- export -------------------------------------------------------------------------------------


async def test_export_csv_and_xlsx_per_session_and_class(app, client_for, world):
    lecturer, sid = await live_session(client_for, world)
    t1, t2 = await client_for("trainee_a"), await client_for("trainee2_a")
    poll = await make_activity(lecturer, sid, kind="poll", prompt="Chọn một",
                               config={"options": ["Phương án A", "Phương án B"]}, open=True)
    async with serve(app) as host:
        url = f"ws://{host}/ws/live/{sid}"
        async with connect(url, additional_headers=cookie_of(t1)) as ws1, \
                connect(url, additional_headers=cookie_of(t2)) as ws2:
            await first_state(ws1)
            await first_state(ws2)
            await answer(ws1, poll["id"], "p1", {"choices": [1]})
            await answer(ws2, poll["id"], "p2", {"choices": [0]})
            r = await lecturer.post(f"/api/v1/live/sessions/{sid}/activities", json={
                "kind": "open_question", "prompt": "Ý kiến?", "open": True})
            question = r.json()
            await frames(ws1, of_type("activity_opened"))
            ack = await answer(ws1, question["id"], "o1", {"text": "=HYPERLINK(\"x\")"})
            assert ack["type"] == "ack"
    r = await lecturer.get(f"/api/v1/live/sessions/{sid}/export.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "filename*=UTF-8''ho%E1%BA%A1t" in r.headers["content-disposition"]
    assert r.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Phiên học (Session)"
    answers = rows[1:rows.index([])]
    by_name = {(row[5], row[2]): row for row in answers}
    assert by_name[("Nguyễn Văn Trainee A", str(poll["id"]))][8] == "Phương án B"
    assert by_name[("Trần Thị Bình A", str(poll["id"]))][8] == "Phương án A"
    assert by_name[("Nguyễn Văn Trainee A", str(question["id"]))][8] == "'=HYPERLINK(\"x\")"
    # names in Vietnamese order (given name first: here both end in "A", then Nguyễn < Trần)
    assert [row[5] for row in answers if row[2] == str(poll["id"])] == [
        "Nguyễn Văn Trainee A", "Trần Thị Bình A"]
    summary = rows[rows.index([]) + 2:]
    assert summary[0][6] == "2" and "Phương án A: 1 | Phương án B: 1" in summary[0][7]

    r = await lecturer.get(f"/api/v1/live/classes/{world.classes['a']}/export.xlsx")
    assert r.status_code == 200 and "spreadsheetml" in r.headers["content-type"]
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["Câu trả lời", "Hoạt động", "Hỏi đáp", "Thảo luận nhóm"]
    sheet = [list(row) for row in book["Câu trả lời"].iter_rows(values_only=True)]
    assert len(sheet) == 4 and sheet[0][5] == "Họ và tên (Full name)"
    cells = {(row[5], row[2]): row for row in sheet[1:]}
    formula = cells[("Nguyễn Văn Trainee A", question["id"])][8]
    assert formula == "'=HYPERLINK(\"x\")"  # text, never a formula
    enrol = await Enrolment.get(user_id=world.users["trainee_a"], klass_id=world.classes["a"])
    assert cells[("Nguyễn Văn Trainee A", poll["id"])][7] == enrol.id
    assert (await lecturer.get(f"/api/v1/live/sessions/{sid}/export.pdf")).status_code == 404
    assert (await t1.get(f"/api/v1/live/sessions/{sid}/export.csv")).status_code == 403
    other = await client_for("lecturer_b")
    r = await other.get(f"/api/v1/live/classes/{world.classes['a']}/export.csv")
    assert r.status_code == 404


# --- two workers ---------------------------------------------------------------------------------


async def test_activity_across_two_workers_through_redis(app, settings, client_for, world,
                                                         redis_available):
    """The lecturer on one worker pushes a poll, trainees on the other answer, the results
    computed on the trainees' worker reach the lecturer's; a resume on the other worker
    replays from the database."""
    lecturer = await client_for("lecturer_a")
    async with two_redis_workers(settings, world, REDIS_URL) as (workers, sid):
        t1, t2 = await client_for("trainee_a"), await client_for("trainee2_a")
        async with serve(workers[0]) as host1, serve(workers[1]) as host2:
            async with connect(f"ws://{host1}/ws/live/{sid}",
                               additional_headers=cookie_of(t1)) as ws1, \
                    connect(f"ws://{host1}/ws/live/{sid}",
                            additional_headers=cookie_of(t2)) as ws2, \
                    connect(f"ws://{host2}/ws/live/{sid}",
                            additional_headers=cookie_of(lecturer)) as wsl:
                await first_state(ws1)
                last2 = (await first_state(ws2))["seq"]
                await first_state(wsl)
                await wsl.send(json.dumps({"type": "push_activity", "activity": {
                    "kind": "poll", "prompt": "Liên máy chủ?", "visibility": "live",
                    "config": {"options": ["Được", "Không"]}}}))
                opened = (await frames(ws1, of_type("activity_opened")))[-1]["activity"]
                await frames(ws2, of_type("activity_opened"))
                assert (await answer(ws1, opened["id"], "r1", {"choices": [0]}))["type"] == "ack"
                assert (await answer(ws2, opened["id"], "r2", {"choices": [0]}))["type"] == "ack"
                assert (await answer(ws2, opened["id"], "r2", {"choices": [0]}))["revision"] == 1
                got = await frames(wsl, lambda f: f["type"] == "results"
                                   and f["results"]["responses"] == 2)
                assert got[-1]["results"]["options"][0]["count"] == 2
            async with connect(f"ws://{host2}/ws/live/{sid}?since={last2}",
                               additional_headers=cookie_of(t2)) as again:
                replay = await frames(again, of_type("resumed"))
                assert "activity_opened" in [f["type"] for f in replay]
    assert await ActivityResponse.filter(session_id=sid).count() == 2
