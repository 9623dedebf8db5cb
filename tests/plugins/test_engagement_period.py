"""One live period's figures from recorded event sequences (tab switch, phone lock, idle,
reconnect, duplicate batch, skewed clock), checked exactly; then the figures stored when the
session ends, the attendance rule, a plugin's own rule through the hook, and module completion
held back for a trainee who did not meet it."""

from __future__ import annotations

import types
from datetime import datetime, timedelta, timezone

import pytest

from lms_core.models import CourseModule, Enrolment, EnrolmentStatus, ModuleProgress
from lms_core.plugin_api import hookimpl
from lms_core.services.settings import set_setting

from lms_engagement import ingest, period, results
from lms_engagement.models import AttentionAnswer, AttentionCheck, CheckSource, PeriodResult, \
    PeriodSummary
from lms_engagement.schemas import EventBatch
from lms_engagement.timeline import Event

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
HB = 15


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def page(name: str, *items: tuple[float, str]) -> list[Event]:
    return [Event(f"{name}:{i}", kind, at(t)) for i, (t, kind) in enumerate(items, start=1)]


def sockets(*spans: tuple[float, float | None], name: str = "s") -> list[Event]:
    out = []
    for n, (start, end) in enumerate(spans):
        out.append(Event(f"srv:{name}{n}:joined", "joined", at(start)))
        if end is not None:
            out.append(Event(f"srv:{name}{n}:left", "left", at(end)))
    return out


def beats(start: float, end: float, every: float = HB) -> list[tuple[float, str]]:
    out, t = [], start
    while t <= end + 1e-9:
        out.append((t, "heartbeat"))
        t += every
    return out


def figures(events, start=0.0, end=300.0, checks=(), answers=None):
    return period.trainee(1, events, HB, at(start).timestamp(), at(end).timestamp(),
                          list(checks), answers or {})


TAB_SWITCH = sockets((0, 300)) + page(
    "p", (1, "visible"), (16, "heartbeat"), (31, "heartbeat"), (40, "hidden"),
    (100, "visible"), *beats(115, 295))
PHONE_LOCK = sockets((0, 70), (150, 300)) + page(
    "p", (0.5, "visible"), (15.5, "heartbeat"), (30.5, "heartbeat"), (40, "hidden"),
    (150.5, "visible"), *beats(165.5, 285.5))


def test_tab_switch():
    f = figures(TAB_SWITCH)
    assert f.present_seconds == 300
    # 0-1 (before the first signal) and 295-300 (after the last heartbeat) keep their state
    assert f.attentive_seconds == 1 + 39 + 195 + 5
    assert (f.away_count, f.away_longest_seconds, f.away_total_seconds) == (1, 60, 60)
    assert f.attentive_share == 0.8 and f.score == 52  # 100 × 0.65 × 0.8, no check, no tap


def test_phone_lock_drops_the_socket_but_the_minutes_count_as_away():
    f = figures(PHONE_LOCK)
    # the socket was gone 70-150: a reconnection within two minutes keeps the trainee present
    assert f.present_seconds == 300
    assert f.attentive_seconds == pytest.approx(0.5 + 39.5 + 135 + 14.5)
    assert (f.away_count, f.away_total_seconds) == (1, pytest.approx(110.5))


def test_idle_is_visible_not_attentive():
    events = sockets((0, 180)) + page(
        "p", (0, "visible"), *beats(15, 45), (60, "idle"), *beats(75, 105), (120, "active"),
        *beats(135, 165))
    f = figures(events, end=180)
    assert (f.present_seconds, f.visible_seconds, f.attentive_seconds) == (180, 180, 120)
    assert f.away_count == 0


def test_a_long_absence_is_not_present_and_a_new_page_takes_over():
    events = sockets((0, 60), (300, 360)) + page("p", (0, "visible"), *beats(15, 45)) + \
        page("q", (300, "visible"), *beats(315, 345))
    f = figures(events, end=400)
    assert (f.present_seconds, f.attentive_seconds, f.away_count) == (120, 120, 0)


def test_a_connected_page_that_says_nothing_is_away():
    f = figures(sockets((0, 120)))
    assert (f.present_seconds, f.attentive_seconds, f.away_total_seconds) == (120, 0, 120)


def test_duplicates_and_order_do_not_change_anything():
    shuffled = list(reversed(TAB_SWITCH)) + TAB_SWITCH[3:9]
    assert figures(shuffled) == figures(TAB_SWITCH)


def test_interactions_checks_and_score():
    events = TAB_SWITCH + [Event("ws:answer:a1", "interaction", at(20)),
                           Event("ws:ask:q1", "interaction", at(200))]
    checks = [period.CheckSent(7, at(50), at(70)), period.CheckSent(8, at(200), at(220)),
              period.CheckSent(9, at(400), at(420))]  # the last after the period
    f = figures(events, checks=checks, answers={8: (1500, True), 7: (30000, False)})
    assert (f.interactions, f.checks_sent, f.checks_answered) == (2, 2, 1)
    assert f.checks_mean_latency_ms == 15750
    assert f.score == round(100 * (0.6 * 0.8 + 0.3 * 2 / 3 + 0.1 * 0.5))


def test_room_coverage_timeline_and_the_drop():
    a = figures(TAB_SWITCH + [Event("ws:answer:x", "interaction", at(10))])
    b = period.trainee(2, PHONE_LOCK, HB, at(0).timestamp(), at(300).timestamp(), [], {})
    room = period.room([a, b], at(0).timestamp(), at(300).timestamp())
    assert (room.present, room.interacted, room.coverage) == (2, 1, 0.5)
    shares = [p["attentive_share"] for p in room.timeline]
    assert shares == [0.667, 0.167, 0.746, 1.0, 1.0]
    assert [p["present"] for p in room.timeline] == [2, 2, 2, 2, 2]
    assert room.drops == [{"minute": 1, "at": at(60).isoformat(), "attentive_share": 0.167,
                           "before": 0.667, "present": 2}]
    assert room.attentive_share == round((240 + 189.5) / 600, 3)


# --- through the database: ingestion with a skewed clock, the end of the session --------------


async def _live_world(world):
    """A live session row of class "a", run 08:00-08:05 (written straight to the table: the
    socket is tested elsewhere)."""
    from lms_live_sessions import codes
    from lms_live_sessions.models import LiveSession

    await Enrolment.create(user_id=world.users["trainee2_a"], klass_id=world.classes["a"],
                           status=EnrolmentStatus.ACTIVE)
    return await LiveSession.create(
        klass_id=world.classes["a"], institution_id=world.inst["a"], title="Tiết 1: Chuyển đổi số",
        starts_at=at(0), ends_at=at(3600), status="ended", started_at=at(0), ended_at=at(300),
        join_code=codes.new_code())


async def _store(app, world, user: str, session_id: int, events: list[Event],
                 skew: timedelta = timedelta(0)) -> None:
    """As the socket stores them: server events on the server clock, page batches sent with the
    phone's clock ``skew`` off (every 30 s of the period)."""
    plugins = app.state.lms.plugins
    user_id = world.users[user]
    server = [e for e in events if e.client_id.startswith(("srv:", "ws:"))]
    rows = [ingest.EventRow(world.inst["a"], user_id, None, None, session_id, e.client_id,
                            e.kind, e.at, e.at, e.at, {}) for e in server]
    await ingest.write(plugins, rows)
    pages = sorted((e for e in events if e not in server), key=lambda e: e.at)
    while pages:
        first = pages[0].at
        chunk = [e for e in pages if e.at < first + timedelta(seconds=30)]
        pages = pages[len(chunk):]
        received = chunk[-1].at + timedelta(seconds=2)
        body = {"sent_at": (received + skew).isoformat(),
                "events": [{"id": e.client_id, "kind": e.kind, "at": (e.at + skew).isoformat()}
                           for e in chunk]}
        batch = EventBatch.model_validate(body)
        for _ in range(2):  # every batch arrives twice (a resend after a lost answer)
            await ingest.write(plugins, ingest.rows_for(
                world.inst["a"], user_id, batch, received, {}, live_session_id=session_id))


async def test_the_end_of_a_period_stores_figures_that_match_a_clock_skewed_phone(app, world):
    session = await _live_world(world)
    await _store(app, world, "trainee_a", session.id, TAB_SWITCH,
                 skew=timedelta(hours=-1, seconds=-7))
    await _store(app, world, "trainee2_a", session.id,
                 PHONE_LOCK + [Event("ws:answer:z", "interaction", at(200))],
                 skew=timedelta(minutes=12))
    check = await AttentionCheck.create(session_id=session.id, institution_id=world.inst["a"],
                                        sent_at=at(200), expires_at=at(220), seconds=20,
                                        source=CheckSource.LECTURER, recipients=2)
    await AttentionAnswer.create(check=check, user_id=world.users["trainee2_a"],
                                 answered_at=at(203), latency_ms=3000, in_time=True)
    stored = await results.finish(session, app.state.lms.plugins)
    assert stored == 2
    rows = {r["user_id"]: r for r in await PeriodResult.filter(session_id=session.id).values()}
    a, b = rows[world.users["trainee_a"]], rows[world.users["trainee2_a"]]
    assert (a["present_seconds"], a["attentive_seconds"], a["away_count"]) == (300, 240, 1)
    # attentive enough (80% ≥ 70%) but never interacted
    assert a["attended"] is False and a["reason_en"] == "0 interaction(s); at least 1 needed."
    assert a["reason"] == "Có 0 lần tương tác, cần ít nhất 1."
    assert (b["present_seconds"], b["interactions"], b["checks_answered"]) == (300, 1, 1)
    assert b["attentive_seconds"] == pytest.approx(189.5)
    assert b["attended"] is False and "63%" in b["reason"]
    summary = await PeriodSummary.get(session_id=session.id)
    assert (summary.present, summary.interacted, summary.coverage) == (2, 1, 0.5)
    assert [p["attentive_share"] for p in summary.timeline] == [0.667, 0.167, 0.746, 1.0, 1.0]

    # the institution lowers its bar: computing again replaces the rows
    await set_setting(app.state.lms.plugins, world.inst["a"], "engagement.attendance_rule",
                      {"min_attentive_share": 0.6, "min_interactions": 1})
    await results.finish(session, app.state.lms.plugins)
    rows = {r["user_id"]: r for r in await PeriodResult.filter(session_id=session.id).values()}
    assert rows[world.users["trainee2_a"]]["attended"] is True
    assert rows[world.users["trainee_a"]]["reason_en"] == \
        "0 interaction(s); at least 1 needed."
    assert await PeriodResult.filter(session_id=session.id).count() == 2


def _strict(figures, period, institution_id):
    """A plugin's own rule: a period with an unanswered attention check does not count."""
    if figures["checks_sent"] > figures["checks_answered"]:
        return ("Chưa trả lời câu hỏi kiểm tra.", "An attention check went unanswered.")
    return None


def _rule_plugin():
    from lms_core.plugin_api import PluginInfo

    module = types.ModuleType("strict_rule")
    module.PLUGIN_INFO = PluginInfo(name="strict_rule", version="1.0", api=">=1.0,<2",
                                    title="Quy tắc chặt")
    module.lms_engagement_attendance_rule = hookimpl(_strict)
    return module


@pytest.fixture
def extra_plugins():
    return [_rule_plugin()]


async def test_a_plugin_rule_and_the_completion_of_the_live_module(app, world):
    session = await _live_world(world)
    module = await CourseModule.create(course_id=world.courses["a"], key="tiet-1",
                                       type="live_session",
                                       title="Tiết học trực tiếp", position=90,
                                       data={"session_id": session.id})
    await set_setting(app.state.lms.plugins, world.inst["a"], "engagement.attendance_rule",
                      {"min_attentive_share": 0.5, "min_interactions": 0})
    await _store(app, world, "trainee_a", session.id, TAB_SWITCH)
    await _store(app, world, "trainee2_a", session.id, PHONE_LOCK)
    check = await AttentionCheck.create(session_id=session.id, institution_id=world.inst["a"],
                                        sent_at=at(200), expires_at=at(220), seconds=20,
                                        source=CheckSource.RULE, recipients=2)
    await AttentionAnswer.create(check=check, user_id=world.users["trainee_a"],
                                 answered_at=at(201), latency_ms=1000, in_time=True)
    # the live plugin's end-of-session step: figures first, then module completion
    from lms_live_sessions.completion import after_end
    from lms_live_sessions.models import Attendance

    for user in ("trainee_a", "trainee2_a"):
        await Attendance.create(session_id=session.id, user_id=world.users[user],
                                first_join_at=at(0), last_leave_at=at(300), seconds_present=300,
                                joins=1, open_connections=0, role="trainee")
    done = await after_end(app.state.lms, session.id)
    assert done == {"completed": 1, "held": 1}
    rows = {r["user_id"]: r for r in await PeriodResult.filter(session_id=session.id).values()}
    assert rows[world.users["trainee_a"]]["attended"] is True
    assert rows[world.users["trainee2_a"]]["reason_en"] == "An attention check went unanswered."
    progress = {p["enrolment__user_id"]: p["status"] for p in await ModuleProgress.filter(
        module_id=module.id).values("enrolment__user_id", "status")}
    assert str(getattr(progress[world.users["trainee_a"]], "value",
                       progress[world.users["trainee_a"]])) == "completed"
    assert world.users["trainee2_a"] not in progress


async def test_ending_a_session_queues_the_figures_and_the_completions(app, client_for, world):
    """Through the API, as the lecturer's click does: the end answers at once and the job runner
    stores the figures and completes the live module of the trainee who met the rule."""
    import asyncio

    from lms_live_sessions.models import Attendance, LiveSession

    session = await _live_world(world)
    await LiveSession.filter(id=session.id).update(status="live", ended_at=None)
    module = await CourseModule.create(course_id=world.courses["a"], key="tiet-2",
                                       type="live_session", title="Tiết học trực tiếp",
                                       position=91, data={"session_id": session.id})
    await set_setting(app.state.lms.plugins, world.inst["a"], "engagement.attendance_rule",
                      {"min_attentive_share": 0.0, "min_interactions": 0})
    now = datetime.now(timezone.utc)
    events = [Event("srv:s0:joined", "joined", now - timedelta(seconds=60)),
              Event("p:1", "visible", now - timedelta(seconds=59))]
    await _store(app, world, "trainee_a", session.id, events)
    await LiveSession.filter(id=session.id).update(started_at=now - timedelta(seconds=90))
    await Attendance.create(session_id=session.id, user_id=world.users["trainee_a"],
                            first_join_at=now - timedelta(seconds=60), seconds_present=60,
                            joins=1, open_connections=1, present_since=None, role="trainee")
    lecturer = await client_for("lecturer_a")
    r = await lecturer.post(f"/api/v1/live/sessions/{session.id}/end")
    assert r.status_code == 200, r.text
    for _ in range(200):
        if await ModuleProgress.filter(module_id=module.id, status="completed").exists():
            break
        await asyncio.sleep(0.05)
    assert await PeriodResult.filter(session_id=session.id).count() == 1
    assert await ModuleProgress.filter(module_id=module.id, status="completed").count() == 1
