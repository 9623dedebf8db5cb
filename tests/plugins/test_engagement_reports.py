"""After a period: the reports (JSON and pages), their CSV/XLSX exports with the same figures,
the xAPI statements, the trainee's own page with the notice, and who may read what (the class's
lecturers and the institution's admins, never another lecturer, institution or trainee)."""

from __future__ import annotations

import csv
import io
import unicodedata

import openpyxl

from conftest import password_hash
from lms_core.models import Membership, User
from lms_core.services.users import user_fields

from lms_engagement import results
from lms_engagement.models import AttentionAnswer, AttentionCheck, CheckSource

from .test_engagement_period import PHONE_LOCK, TAB_SWITCH, Event, _live_world, _store, at


async def _ended_period(app, world):
    session = await _live_world(world)
    await _store(app, world, "trainee_a", session.id,
                 TAB_SWITCH + [Event("ws:answer:1", "interaction", at(30))])
    await _store(app, world, "trainee2_a", session.id, PHONE_LOCK)
    check = await AttentionCheck.create(session_id=session.id, institution_id=world.inst["a"],
                                        sent_at=at(200), expires_at=at(220), seconds=20,
                                        source=CheckSource.LECTURER, recipients=2)
    await AttentionAnswer.create(check=check, user_id=world.users["trainee_a"],
                                 answered_at=at(202), latency_ms=2000, in_time=True)
    await results.finish(session, app.state.lms.plugins)
    return session


async def _other_lecturer(world) -> None:
    user = await User.create(login="lecturer2_a", email="l2a@example.vn",
                             password_hash=password_hash(), unit_id=world.units["a"],
                             **user_fields("Phạm Văn Giảng"))
    await Membership.create(user=user, institution_id=world.inst["a"], role="lecturer")


async def test_period_report_exports_and_pages_agree(app, client_for, world):
    session = await _ended_period(app, world)
    lecturer = await client_for("lecturer_a")
    r = await lecturer.get(f"/api/v1/engagement/periods/{session.id}")
    assert r.status_code == 200, r.text
    data = r.json()
    assert (data["present"], data["interacted"], data["coverage"]) == (2, 1, 0.5)
    assert [t["full_name"] for t in data["trainees"]] == \
        ["Nguyễn Văn Trainee A", "Trần Thị Bình A"]  # Vietnamese order
    first = data["trainees"][0]
    assert (first["attentive_share"], first["interactions"], first["attended"]) == (0.8, 1, True)
    assert first["score"] == round(100 * (0.6 * 0.8 + 0.3 / 3 + 0.1))
    assert data["drops"][0]["minute"] == 1

    r = await lecturer.get(f"/api/v1/engagement/periods/{session.id}/export.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Họ và tên (Full name)"
    assert rows[1][:5] == ["Nguyễn Văn Trainee A", "trainee_a", "5.0", "4.0", "0.8"]
    assert rows[1][13] == "có" and rows[2][13] == "không"
    assert rows[2][14].startswith("Thời gian chú ý 63%")
    r = await lecturer.get(f"/api/v1/engagement/periods/{session.id}/export.xlsx?lang=en")
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    sheet = book["Học viên"]
    assert sheet.cell(2, 1).value == "Nguyễn Văn Trainee A" and sheet.cell(2, 5).value == 0.8
    assert sheet.cell(3, 14).value == "no"
    assert sheet.cell(3, 15).value == "Attentive 63% of the time, below the required 70%."
    assert [c.value for c in book["Diễn biến theo phút"]["D"]][1:] == \
        [0.667, 0.167, 0.746, 1.0, 1.0]

    html = (await lecturer.get(f"/engagement/periods/{session.id}")).text
    assert "Tiết 1: Chuyển đổi số" in html and "<svg" in html and "50%" in html
    assert "Trần Thị Bình A" in html and "Thời gian chú ý 63%" in html
    assert (await lecturer.get("/engagement")).status_code == 200
    klass = (await lecturer.get(f"/api/v1/engagement/classes/{world.classes['a']}")).json()
    assert [p["session_id"] for p in klass["periods"]] == [session.id]
    assert klass["trainees"][0]["attended"] == 1 and klass["trainees"][1]["attended"] == 0
    r = await lecturer.get(f"/api/v1/engagement/classes/{world.classes['a']}/export.csv")
    text = r.content.decode("utf-8-sig")
    assert "Số tiết được tính (Attended)" in text and "Trần Thị Bình A" in text
    assert (await lecturer.get(f"/engagement/classes/{world.classes['a']}")).status_code == 200


async def test_who_may_read_the_reports(app, client_for, world):
    session = await _ended_period(app, world)
    url = f"/api/v1/engagement/periods/{session.id}"
    assert (await (await client_for("admin_a")).get(url)).status_code == 200
    assert (await (await client_for("planner_a")).get(url)).status_code == 200
    await _other_lecturer(world)
    other = await client_for("lecturer2_a")
    assert (await other.get(url)).status_code == 403
    assert (await other.get(f"/engagement/periods/{session.id}")).status_code == 403
    assert (await other.get(f"/api/v1/engagement/xapi?session_id={session.id}")).status_code \
        == 403
    trainee = await client_for("trainee_a")
    assert (await trainee.get(url)).status_code == 403
    assert (await trainee.get(url + "/export.csv")).status_code == 403
    # another institution's admin does not even learn that it exists
    assert (await (await client_for("admin_b")).get(url)).status_code == 404
    assert (await (await client_for("admin_b")).get(
        f"/api/v1/engagement/classes/{world.classes['a']}")).status_code == 404
    assert (await (await client_for("lecturer_a")).get(
        "/api/v1/engagement/periods/99999")).status_code == 404


async def test_xapi_statements_page_through_events_answers_and_results(app, client_for, world):
    session = await _ended_period(app, world)
    lecturer = await client_for("lecturer_a")
    r = await lecturer.get(f"/api/v1/engagement/xapi?session_id={session.id}&limit=7")
    assert r.status_code == 200
    collected, page, pages = [], r.json(), 1
    while True:
        collected += page["statements"]
        if not page["more"]:
            break
        page = (await lecturer.get(page["more"])).json()
        pages += 1
    assert pages > 2
    verbs = [s["verb"]["display"]["en-US"] for s in collected]
    assert verbs.count("joined") == 3 and verbs.count("left") == 3  # two sockets for one
    assert "heartbeat" not in verbs and verbs.count("responded") == 1
    assert verbs.count("attended") == 2 and verbs.count("interacted") == 1
    assert len({s["id"] for s in collected}) == len(collected)
    attended = [s for s in collected if s["verb"]["display"]["en-US"] == "attended"]
    mine = next(s for s in attended if s["actor"]["account"]["name"] == "trainee_a")
    assert mine["result"]["success"] is True and mine["result"]["score"]["max"] == 100
    assert mine["result"]["duration"] == "PT300S"
    assert mine["object"]["id"].endswith(f"/live/sessions/{session.id}")
    assert mine["actor"]["name"] == "Nguyễn Văn Trainee A" and "mbox" not in mine["actor"]
    assert mine["context"]["registration"]
    # the same export again gives the same statement ids (an LRS stores each once)
    again = (await lecturer.get(f"/api/v1/engagement/xapi?session_id={session.id}")).json()
    assert {s["id"] for s in again["statements"]} <= {s["id"] for s in collected}
    with_beats = (await lecturer.get(
        f"/api/v1/engagement/xapi?session_id={session.id}&heartbeats=true")).json()
    assert any(s["verb"]["display"]["en-US"] == "still on the page"
               for s in with_beats["statements"])
    bad = await lecturer.get("/api/v1/engagement/xapi")
    assert bad.status_code == 400 and "session_id" in bad.json()["detail_en"]
    assert (await lecturer.get("/api/v1/engagement/xapi?session_id=1&cursor=x1")).status_code \
        == 422


async def test_a_trainee_sees_their_own_figures_and_what_is_recorded(app, client_for, world):
    await _ended_period(app, world)
    trainee = await client_for("trainee2_a")
    mine = (await trainee.get("/api/v1/engagement/me")).json()
    assert mine["retention_days"] == 365
    assert [(p["title"], p["attended"]) for p in mine["periods"]] == \
        [("Tiết 1: Chuyển đổi số", False)]
    html = (await trainee.get("/engagement/me")).text
    assert "Hệ thống ghi nhận những gì" in html and "Không dùng camera" in html
    assert "Tiết 1: Chuyển đổi số" in html and "Nguyễn Văn Trainee A" not in html
    assert unicodedata.is_normalized("NFC", html)
    other = (await (await client_for("trainee_b")).get("/api/v1/engagement/me")).json()
    assert other["periods"] == []
