"""The engagement plugin: the attention arithmetic on hand-made sequences, then the beacon endpoint
(content types, CSRF in the query, clock-skew correction, duplicates, enrolment checks, limits)
and the summary's permissions."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import datetime, timedelta, timezone

import pytest

from lms_core.models import CourseModule
from lms_core.services.settings import set_setting
from lms_engagement.models import EngagementEvent
from lms_engagement.timeline import Event, summarise

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
URL = "/api/v1/engagement/events"


def ev(seconds: float, kind: str, counter: int, page: str = "p") -> Event:
    return Event(f"{page}:{counter}", kind, T0 + timedelta(seconds=seconds))


def seq(*items: tuple[float, str], page: str = "p", start: int = 1) -> list[Event]:
    return [ev(t, k, start + i, page) for i, (t, k) in enumerate(items)]


# --- the pure computation -------------------------------------------------------------------


def test_visible_attentive_and_one_away_episode():
    events = seq((0, "visible"), (0, "focus"), (15, "heartbeat"), (30, "heartbeat"),
                 (45, "heartbeat"), (60, "hidden"), (120, "visible"), (135, "heartbeat"),
                 (150, "hidden"))
    s = summarise(events, 15)
    assert s.tracked_seconds == 150
    assert s.visible_seconds == 90 and s.attentive_seconds == 90
    assert (s.away_count, s.away_longest_seconds, s.away_total_seconds) == (1, 60, 60)
    assert s.as_dict()["attentive_share"] == 0.6


def test_out_of_order_and_duplicated_input_gives_the_same_figures():
    events = seq((0, "visible"), (10, "interaction"), (15, "heartbeat"), (20, "blur"),
                 (30, "heartbeat"), (35, "focus"), (45, "heartbeat"), (50, "hidden"),
                 (90, "visible"), (105, "heartbeat"), (110, "interaction"), (120, "hidden"))
    expected = summarise(events, 15)
    shuffled = events + random.Random(7).sample(events, 6)
    random.Random(3).shuffle(shuffled)
    again = summarise(shuffled, 15)
    assert again == expected
    assert again.events == 12 and again.interactions == 2
    assert again.attentive_seconds == 20 + 15 + 30  # 0-20, 35-50, 90-120
    assert again.visible_seconds == 80


def test_a_heartbeat_gap_counts_as_away_even_while_visible():
    events = seq((0, "visible"), (15, "heartbeat"), (30, "heartbeat"), (100, "heartbeat"),
                 (115, "heartbeat"))
    s = summarise(events, 15)
    assert s.visible_seconds == 45
    assert (s.away_count, s.away_total_seconds) == (1, 70)
    # exactly twice the interval is still present; the rule is "longer than"
    assert summarise(seq((0, "visible"), (30, "heartbeat")), 15).away_count == 0
    # a longer heartbeat interval (the institution's setting) tolerates the same gap
    assert summarise(events, 40).away_count == 0


def test_hidden_then_a_gap_is_a_single_episode_and_longest_is_tracked():
    events = seq((0, "visible"), (10, "hidden"), (25, "visible"), (30, "heartbeat"),
                 (40, "hidden"), (100, "visible"), (200, "heartbeat"), (215, "heartbeat"),
                 (220, "hidden"))
    s = summarise(events, 15)
    # away: 10-25 (hidden, 15 s), then 40-100 hidden and 100-200 a gap: one episode of 160 s
    assert (s.away_count, s.away_longest_seconds, s.away_total_seconds) == (2, 160, 175)
    assert s.visible_seconds == 10 + 15 + 20


def test_idle_and_blur_are_visible_but_not_attentive():
    events = seq((0, "visible"), (0, "focus"), (15, "heartbeat"), (20, "blur"),
                 (30, "heartbeat"), (40, "focus"), (45, "heartbeat"), (50, "idle"),
                 (60, "heartbeat"), (70, "interaction"), (75, "heartbeat"), (80, "hidden"))
    s = summarise(events, 15)
    assert s.visible_seconds == 80
    assert s.attentive_seconds == 20 + 10 + 10  # 0-20, 40-50, 70-80
    assert s.away_count == 0 and s.interactions == 1


def test_pages_open_together_are_merged_by_their_best_state():
    background = seq((0, "visible"), (5, "hidden"), (100, "visible"), (105, "hidden"), page="a")
    reading = seq(*[(t, "heartbeat") for t in range(5, 101, 15)], (100, "hidden"), page="b")
    s = summarise(background + reading, 15)
    assert s.pages == 2
    assert s.away_count == 0  # the hidden tab does not hide the page being read
    assert s.visible_seconds == 105 and s.tracked_seconds == 105


def test_time_covered_by_no_page_is_neither_visible_nor_away():
    morning = seq((0, "visible"), (15, "heartbeat"), (20, "hidden"), page="m")
    evening = seq((36000, "visible"), (36015, "heartbeat"), page="e")
    s = summarise(morning + evening, 15)
    assert s.tracked_seconds == 35 and s.away_count == 0


def test_events_at_the_same_moment_follow_the_page_counter_numerically():
    # counters 9 and 10 at one instant: "p:10" sorts before "p:9" as text, not as a number
    events = [ev(0, "visible", 1), ev(5, "hidden", 9), ev(5, "visible", 10),
              ev(20, "heartbeat", 11)]
    assert summarise(events, 15).visible_seconds == 20


def test_nothing_to_summarise():
    s = summarise([], 15).as_dict()
    assert s["events"] == 0 and s["attentive_share"] is None and s["away"]["count"] == 0


# --- the endpoint ---------------------------------------------------------------------------


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def batch(events: list[dict], sent_at: datetime | None = None) -> dict:
    return {"sent_at": iso(sent_at or datetime.now(timezone.utc)), "events": events}


async def module_ids(world, tag: str = "a") -> list[int]:
    return list(await CourseModule.filter(course_id=world.courses[tag]).order_by("position")
                .values_list("id", flat=True))


async def test_batch_is_stored_once_with_skew_corrected_times(client_for, world):
    trainee = await client_for("trainee_a")
    module = (await module_ids(world))[0]
    client_now = datetime.now(timezone.utc) - timedelta(hours=3)  # a phone 3 hours behind
    events = [{"id": f"pg1:{i}", "kind": k, "at": iso(client_now - timedelta(seconds=30 - i)),
               "module_id": module} for i, k in enumerate(["visible", "focus", "heartbeat"])]
    events.append({"id": "pg1:3", "kind": "interaction", "at": iso(client_now),
                   "data": {"via": "pointerdown"}})
    r = await trainee.post(URL, json=batch(events, client_now))
    assert r.status_code == 200, r.text
    assert r.json() == {"accepted": 4, "duplicates": 0}

    rows = await EngagementEvent.filter(user_id=world.users["trainee_a"]).order_by("client_id")
    assert [row.client_id for row in rows] == ["pg1:0", "pg1:1", "pg1:2", "pg1:3"]
    first = rows[0]
    assert first.institution_id == world.inst["a"] and first.module_id == module
    assert first.enrolment_id is not None and rows[3].enrolment_id is None
    assert first.server_ts - first.corrected_ts == timedelta(seconds=30)
    assert abs((first.server_ts - datetime.now(timezone.utc)).total_seconds()) < 60
    assert abs((first.client_ts - (client_now - timedelta(seconds=30))).total_seconds()) < 0.01
    assert rows[3].data == {"via": "pointerdown"}

    # the same batch again (a lost answer, a retried beacon) plus one new event
    again = await trainee.post(URL, json=batch(
        events + [{"id": "pg1:4", "kind": "hidden", "at": iso(client_now)}], client_now))
    assert again.json() == {"accepted": 1, "duplicates": 4}
    same_twice = await trainee.post(URL, json=batch(
        [{"id": "pg2:1", "kind": "visible", "at": iso(client_now)}] * 2, client_now))
    assert same_twice.json() == {"accepted": 1, "duplicates": 1}
    assert await EngagementEvent.filter(user_id=world.users["trainee_a"]).count() == 6


async def test_the_same_batch_sent_concurrently_is_stored_once(client_for, world):
    trainee = await client_for("trainee_a")
    now = datetime.now(timezone.utc)
    body = batch([{"id": f"c:{i}", "kind": "heartbeat", "at": iso(now)} for i in range(50)], now)
    answers = await asyncio.gather(*(trainee.post(URL, json=body) for _ in range(3)))
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert sum(a.json()["accepted"] for a in answers) == 50
    assert sum(a.json()["duplicates"] for a in answers) == 100
    assert await EngagementEvent.filter(user_id=world.users["trainee_a"]).count() == 50


async def test_beacon_text_plain_with_csrf_in_query(client_for, world):
    trainee = await client_for("trainee_a")
    token = trainee.headers.pop("X-CSRF-Token")  # sendBeacon cannot set headers
    body = json.dumps(batch([{"id": "b:1", "kind": "hidden",
                              "at": iso(datetime.now(timezone.utc))}]))
    plain = {"Content-Type": "text/plain;charset=UTF-8"}
    r = await trainee.post(URL, content=body, headers=plain)
    assert r.status_code == 403
    r = await trainee.post(f"{URL}?csrf_token={token}", content=body, headers=plain)
    assert r.status_code == 200 and r.json()["accepted"] == 1
    r = await trainee.post(f"{URL}?csrf_token={token}", content=body,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415


async def test_module_not_enrolled_for_is_refused_naming_the_event(client_for, world):
    now = iso(datetime.now(timezone.utc))
    own, foreign = (await module_ids(world, "a"))[0], (await module_ids(world, "b"))[0]
    trainee = await client_for("trainee_a")
    r = await trainee.post(URL, json=batch([
        {"id": "x:1", "kind": "visible", "at": now, "module_id": own},
        {"id": "x:2", "kind": "heartbeat", "at": now},
        {"id": "x:3", "kind": "heartbeat", "at": now, "module_id": foreign},
    ]))
    assert r.status_code == 422
    problem = r.json()
    assert "số 2" in problem["detail_vi"] and "Event 2" in problem["detail_en"]
    assert [e["field"] for e in problem["errors"]] == ["events.2.module_id"]
    assert await EngagementEvent.all().count() == 0  # nothing of a refused batch is kept

    # trainee2_a is in institution A but not enrolled in the class running that course
    outsider = await client_for("trainee2_a")
    r = await outsider.post(URL, json=batch([{"id": "y:1", "kind": "visible", "at": now,
                                              "module_id": own}]))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "events.0.module_id"


BAD_BATCHES = [
    (b"{not json", 400),
    (b"[" * 150_000 + b"]" * 150_000, 413),
    (b"[" * 50_000 + b"]" * 50_000, 400),
    (b'{"sent_at": "2026-03-02T08:00:00Z", "events": [{"id": "a:1", "kind": "visible",'
     b' "at": "2026-03-02T08:00:00Z", "data": {"x": NaN}}]}', 400),
    (b'{"sent_at": "2026-03-02T08:00:00Z", "events": [{"id": "a:1", "kind": "visible",'
     b' "at": "2026-03-02T08:00:00Z", "data": {"x": 1e400}}]}', 400),  # no finite double
    (b'{"sent_at": "2026-03-02T08:00:00Z", "events": [{"id": "a:1", "kind": "visible",'
     b' "at": "2026-03-02T08:00:00Z", "data": {"x": "\\u0000"}}]}', 422),
    (b'{"sent_at": "2026-03-02T08:00:00", "events": []}', 422),
    (b'{"sent_at": "2026-03-02T08:00:00Z", "events": [{"id": "a b", "kind": "visible",'
     b' "at": "2026-03-02T08:00:00Z"}]}', 422),
    (b'{"sent_at": "2026-03-02T08:00:00Z", "events": [{"id": "a:1", "kind": "scrolling",'
     b' "at": "2026-03-02T08:00:00Z"}]}', 422),
    (b'{"sent_at": "2026-03-02T08:00:00Z", "events": [{"id": "a:1", "kind": "visible",'
     b' "at": "2026-03-02T09:00:00Z"}]}', 422),
    (b'{"sent_at": "2026-03-02T08:00:00Z", "events": [{"id": "a:1", "kind": "visible",'
     b' "at": "2026-02-01T08:00:00Z"}]}', 422),
    (b'{"sent_at": "9999-12-31T23:59:59Z", "events": [{"id": "a:1", "kind": "visible",'
     b' "at": "0001-01-01T00:00:00Z"}]}', 422),
    (b'{"sent_at": "2026-03-02T08:00:00Z", "events": [{"id": "a:1", "kind": "visible",'
     b' "at": "2026-03-02T08:00:00Z", "module_id": 99999999999}]}', 422),
]


async def test_bad_batches_get_4xx_never_500(client_for, world):
    trainee = await client_for("trainee_a")
    for body, status in BAD_BATCHES:
        r = await trainee.post(URL, content=body, headers={"Content-Type": "application/json"})
        assert r.status_code == status, (body[:120], r.text)
        assert r.json()["detail"]
    assert await EngagementEvent.all().count() == 0


async def test_batch_limits(client_for, world):
    trainee = await client_for("trainee_a")
    now = iso(datetime.now(timezone.utc))
    many = [{"id": f"m:{i}", "kind": "heartbeat", "at": now} for i in range(501)]
    r = await trainee.post(URL, json=batch(many))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "events"
    r = await trainee.post(URL, json=batch(many[:500]))
    assert r.json() == {"accepted": 500, "duplicates": 0}
    padded = batch([{"id": "big:1", "kind": "visible", "at": now, "data": {"x": "y" * 200}}])
    padded["events"] *= 1400  # about 300 KB
    r = await trainee.post(URL, json=padded)
    assert r.status_code == 413


async def test_anonymous_cannot_post(anon, world):
    r = await anon.post(URL, json=batch([]))
    assert r.status_code == 401


# --- the summary ----------------------------------------------------------------------------


async def post_timeline(client, items: list[tuple[float, str]], module: int | None = None,
                        page: str = "s") -> None:
    now = datetime.now(timezone.utc)
    last = max(t for t, _ in items)
    events = []
    for i, (t, kind) in enumerate(items):
        event = {"id": f"{page}:{i + 1}", "kind": kind,
                 "at": iso(now - timedelta(seconds=last - t))}
        if module is not None:
            event["module_id"] = module
        events.append(event)
    r = await client.post(URL, json=batch(events, now))
    assert r.status_code == 200, r.text


async def test_summary_own_figures_and_module_filter(client_for, world):
    trainee = await client_for("trainee_a")
    module = (await module_ids(world))[0]
    await post_timeline(trainee, [(0, "visible"), (15, "heartbeat"), (30, "heartbeat"),
                                  (40, "blur"), (45, "heartbeat"), (60, "hidden")], module)
    await post_timeline(trainee, [(0, "visible"), (10, "heartbeat"), (20, "interaction")],
                        page="other")
    r = await trainee.get(f"/api/v1/engagement/summary?module_id={module}")
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["user_id"] == world.users["trainee_a"] and s["heartbeat_seconds"] == 15
    assert s["events"] == 6 and s["interactions"] == 0
    assert s["visible_seconds"] == pytest.approx(60, abs=0.1)
    assert s["attentive_seconds"] == pytest.approx(40, abs=0.1)
    everything = (await trainee.get("/api/v1/engagement/summary")).json()
    assert everything["events"] == 9 and everything["interactions"] == 1
    later = datetime.now(timezone.utc) + timedelta(minutes=5)
    r = await trainee.get("/api/v1/engagement/summary", params={"since": later.isoformat()})
    assert r.status_code == 200 and r.json()["events"] == 0
    r = await trainee.get("/api/v1/engagement/summary", params={"until": later.isoformat()})
    assert r.json()["events"] == 9
    r = await trainee.get("/api/v1/engagement/summary", params={"since": "2026-03-02T08:00:00"})
    assert r.status_code == 422  # a time without its offset is ambiguous


async def test_summary_gap_follows_the_heartbeat_setting(app, client_for, world):
    trainee = await client_for("trainee_a")
    await post_timeline(trainee, [(0, "visible"), (15, "heartbeat"), (55, "heartbeat"),
                                  (70, "hidden")])
    s = (await trainee.get("/api/v1/engagement/summary")).json()
    assert s["away"]["count"] == 1 and s["away"]["total_seconds"] == pytest.approx(40, abs=0.1)
    await set_setting(app.state.lms.plugins, world.inst["a"], "engagement.heartbeat_seconds", 30)
    s = (await trainee.get("/api/v1/engagement/summary")).json()
    assert s["heartbeat_seconds"] == 30 and s["away"]["count"] == 0
    assert s["visible_seconds"] == pytest.approx(70, abs=0.1)


async def test_summary_of_someone_else_needs_engagement_view_in_the_same_institution(
        client_for, world):
    trainee = await client_for("trainee_a")
    await post_timeline(trainee, [(0, "visible"), (15, "heartbeat")])
    target = world.users["trainee_a"]
    for login in ("lecturer_a", "planner_a"):  # admins hold the permission too (see below)
        client = await client_for(login)
        r = await client.get(f"/api/v1/engagement/summary?user_id={target}")
        assert r.status_code == 200 and r.json()["events"] == 2, login
    other = await client_for("trainee2_a")
    assert (await other.get(f"/api/v1/engagement/summary?user_id={target}")).status_code == 403
    supervisor = await client_for("supervisor_a")
    r = await supervisor.get(f"/api/v1/engagement/summary?user_id={target}")
    assert r.status_code == 403
    foreign = await client_for("lecturer_b")
    r = await foreign.get(f"/api/v1/engagement/summary?user_id={target}")
    assert r.status_code == 404
    own = (await foreign.get("/api/v1/engagement/summary")).json()
    assert own["events"] == 0


async def test_engagement_view_permission_and_script_are_registered(app, anon):
    perms = app.state.lms.plugins.registry.permissions
    assert perms["engagement.view"].roles == frozenset({"lecturer", "admin", "planner"})
    r = await anon.get("/static/engagement/engagement.js")
    assert r.status_code == 200
    assert "sendBeacon" in r.text and "csrf_token" in r.text and "keepalive: true" in r.text
