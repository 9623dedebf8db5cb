"""The engagement plugin on the live socket, over a real server with real websocket clients:
signals stored once with the socket's own session, the console's counts (no names unless
asked), nudges that reach only the away, attention checks timed by the server, interactions
from the live activities, and the quiet-room rule."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone

import pytest
from websockets.asyncio.client import connect

from lms_core.services.settings import set_setting

from lms_engagement import live as engagement_live
from lms_engagement.models import AttentionAnswer, EngagementEvent, LiveState

from .live_helpers import answer, first_state, live_session, make_activity, of_type
from .test_live_sessions import cookie_of, frames, serve


@pytest.fixture(autouse=True)
def fast_feed(monkeypatch):
    monkeypatch.setattr(engagement_live, "FEED_SECONDS", 0.1)


def batch(events, *, sent_at=None, label="b1"):
    sent = sent_at or datetime.now(timezone.utc)
    return json.dumps({"type": "signals", "batch": label, "sent_at": sent.isoformat(),
                       "events": events})


def event(page: str, n: int, kind: str, at: datetime | None = None):
    return {"id": f"{page}:{n}", "kind": kind,
            "at": (at or datetime.now(timezone.utc)).isoformat()}


def ok_for(kind: str):
    return lambda f: f["type"] in ("ok", "error") and (f.get("for") == kind
                                                       or f["type"] == "error")


def figures(**match):
    return lambda f: f["type"] == "engagement" and all(f.get(k) == v for k, v in match.items())


async def test_signals_counts_names_and_nudges(app, client_for, world):
    lecturer, sid = await live_session(client_for, world)
    t1, t2 = await client_for("trainee_a"), await client_for("trainee2_a")
    async with serve(app) as host:
        url = f"ws://{host}/ws/live/{sid}"
        async with connect(url, additional_headers=cookie_of(lecturer)) as wsl, \
                connect(url, additional_headers=cookie_of(t1)) as ws1, \
                connect(url, additional_headers=cookie_of(t2)) as ws2:
            for ws in (wsl, ws1, ws2):
                await first_state(ws)
            got = await frames(wsl, figures(present=2, attentive=2))
            shown = got[-1]
            assert shown["away"] == 0 and shown["seen"] == 2 and shown["coverage"] == 0
            assert "full_name" not in json.dumps(shown)  # counts only, by default

            # trainee 1's page goes hidden: stored once, the console counts one away
            hidden = batch([event("p1", 1, "visible"), event("p1", 2, "hidden")])
            await ws1.send(hidden)
            reply = (await frames(ws1, ok_for("signals")))[-1]
            assert reply == {"type": "ok", "v": 2, "for": "signals", "batch": "b1",
                             "accepted": 2, "duplicates": 0}
            await ws1.send(hidden)  # resent after a drop: nothing new
            again = (await frames(ws1, ok_for("signals")))[-1]
            assert (again["accepted"], again["duplicates"]) == (0, 2)
            await frames(wsl, figures(present=2, away=1, attentive=1))

            await wsl.send(json.dumps({"type": "engagement_names"}))
            names = (await frames(wsl, of_type("engagement_names")))[-1]
            assert [p["user_id"] for p in names["away"]] == [world.users["trainee_a"]]
            assert names["away"][0]["full_name"] and names["distracted"] == []

            await wsl.send(json.dumps({"type": "nudge"}))
            done = (await frames(wsl, ok_for("nudge")))[-1]
            assert (done["nudged"], done["skipped"]) == (1, 0)
            nudge = (await frames(ws1, of_type("nudge")))[-1]
            assert nudge["message_en"].startswith("Your lecturer")
            await wsl.send(json.dumps({"type": "nudge"}))  # at most once a minute each
            assert (await frames(wsl, ok_for("nudge")))[-1]["skipped"] == 1
            # trainee 2 never got a nudge: the next thing it reads is its own pong
            await ws2.send(json.dumps({"type": "ping"}))
            assert [f["type"] for f in await frames(ws2, of_type("pong"))
                    if f["type"] == "nudge"] == []

            # back on the page, idle then active again
            await ws1.send(batch([event("p1", 3, "visible")], label="b2"))
            await frames(ws1, ok_for("signals"))
            await frames(wsl, figures(away=0, attentive=2))
            await ws2.send(batch([event("p2", 1, "idle")], label="x"))
            await frames(ws2, ok_for("signals"))
            await frames(wsl, figures(distracted=1, attentive=1))

            # the lecturer's own socket is not the room
            await wsl.send(batch([event("l", 1, "hidden")]))
            assert (await frames(wsl, of_type("error")))[-1]["code"] == "forbidden"
            # a trainee cannot nudge or see names
            await ws1.send(json.dumps({"type": "engagement_names"}))
            assert (await frames(ws1, of_type("error")))[-1]["code"] == "forbidden"
            # a malformed batch is an error frame; the socket keeps working
            await ws1.send(json.dumps({"type": "signals", "events": [{"id": "!"}]}))
            err = (await frames(ws1, of_type("error")))[-1]
            assert err["code"] == "invalid"
            await ws1.send(json.dumps({"type": "ping"}))
            await frames(ws1, of_type("pong"))

    rows = await EngagementEvent.filter(live_session_id=sid).order_by("id").values(
        "user_id", "kind", "enrolment_id", "module_id", "client_id")
    mine = [r for r in rows if r["user_id"] == world.users["trainee_a"]]
    assert [r["kind"] for r in mine if not r["client_id"].startswith("srv:")] == \
        ["visible", "hidden", "visible"]
    assert {r["kind"] for r in mine if r["client_id"].startswith("srv:")} == {"joined", "left"}
    assert all(r["enrolment_id"] is not None and r["module_id"] is None for r in mine)
    assert not [r for r in rows if r["user_id"] == world.users["lecturer_a"]]
    state = await LiveState.get(session_id=sid, user_id=world.users["trainee_a"])
    assert state.sockets == 0 and state.nudged_at is not None


async def test_attention_checks_and_interactions(app, client_for, world):
    lecturer, sid = await live_session(client_for, world)
    t1, t2 = await client_for("trainee_a"), await client_for("trainee2_a")
    poll = await make_activity(lecturer, sid, kind="poll", prompt="Đã rõ chưa?",
                               config={"options": ["Rõ", "Chưa rõ"]})
    async with serve(app) as host:
        url = f"ws://{host}/ws/live/{sid}"
        async with connect(url, additional_headers=cookie_of(lecturer)) as wsl, \
                connect(url, additional_headers=cookie_of(t1)) as ws1, \
                connect(url, additional_headers=cookie_of(t2)) as ws2:
            for ws in (wsl, ws1, ws2):
                await first_state(ws)
            await frames(wsl, figures(present=2))
            await wsl.send(json.dumps({"type": "attention_check", "seconds": 5}))
            got = (await frames(wsl, ok_for("attention_check")))[-1]
            assert got["type"] == "ok", got
            check_id = got["check_id"]
            for ws in (ws1, ws2):
                sent = (await frames(ws, of_type("attention_check")))[-1]
                assert sent["check_id"] == check_id and sent["seconds"] == 5
            await ws1.send(json.dumps({"type": "attention_ack", "check_id": check_id}))
            first = (await frames(ws1, ok_for("attention_ack")))[-1]
            assert first["in_time"] is True and 0 <= first["latency_ms"] < 3000
            await ws1.send(json.dumps({"type": "attention_ack", "check_id": check_id}))
            assert (await frames(ws1, ok_for("attention_ack")))[-1] == first  # once each
            got = await frames(wsl, lambda f: f["type"] == "engagement" and f["check"]
                               and f["check"]["answered"] == 1)
            assert got[-1]["check"]["recipients"] == 2
            await ws2.send(json.dumps({"type": "attention_ack", "check_id": 999999}))
            assert (await frames(ws2, of_type("error")))[-1]["code"] == "not_found"
            await ws2.send(json.dumps({"type": "attention_check"}))
            assert (await frames(ws2, of_type("error")))[-1]["code"] == "forbidden"
            await wsl.send(json.dumps({"type": "attention_check", "seconds": 1000}))
            assert (await frames(wsl, of_type("error")))[-1]["code"] == "invalid"

            # an answer to a live activity is an interaction: coverage goes to one in two
            r = await lecturer.post(f"/api/v1/live/activities/{poll['id']}/open")
            assert r.status_code == 200
            await frames(ws2, of_type("activity_opened"))
            assert (await answer(ws2, poll["id"], "a-1", {"choice": 0}))["type"] == "ack"
            assert (await answer(ws2, poll["id"], "a-1", {"choice": 0}))["type"] == "ack"
            await frames(wsl, figures(interacted=1, coverage=0.5))
    answers = await AttentionAnswer.filter(check_id=check_id).count()
    assert answers == 1
    interactions = await EngagementEvent.filter(live_session_id=sid, kind="interaction").values(
        "user_id", "data", "client_id")
    assert interactions == [{"user_id": world.users["trainee2_a"],
                             "data": {"what": "answer", "activity_id": poll["id"]},
                             "client_id": "ws:answer:a-1"}]


async def test_a_quiet_room_gets_a_check_by_itself(app, client_for, world):
    lecturer, sid = await live_session(client_for, world)
    t1 = await client_for("trainee_a")
    await set_setting(app.state.lms.plugins, world.inst["a"],
                      "engagement.attention_check_minutes", 0.01)  # 0.6 s of quiet
    async with serve(app) as host:
        url = f"ws://{host}/ws/live/{sid}"
        async with connect(url, additional_headers=cookie_of(t1)) as ws1:
            await first_state(ws1)
            await asyncio.sleep(0.7)
            async with connect(url, additional_headers=cookie_of(lecturer)) as wsl:
                await first_state(wsl)
                sent = (await frames(ws1, of_type("attention_check")))[-1]
                assert sent["source"] == "rule"
                shown = (await frames(wsl, lambda f: f["type"] == "engagement"
                                      and f.get("check")))[-1]
                assert shown["check"]["check_id"] == sent["check_id"]
                # and not again straight away
                await asyncio.sleep(0.3)
                await ws1.send(json.dumps({"type": "ping"}))
                later = await frames(ws1, of_type("pong"))
                assert not [f for f in later if f["type"] == "attention_check"]
