"""The API behind the lecturer's scheduling page and console: a scheduled session edited (every
rule of a new session still holds) or cancelled, and only while it has not started; the bank
search a quick quiz is picked with (diacritics ignored, only the types a quick quiz runs, the
institution's own bank, never an answer), through the live plugin's ``lms_live_quiz_search``
hook, refused with ``quiz_unavailable`` when no enabled plugin offers a bank."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from lms_live_sessions.models import Activity, LiveSession

from .live_helpers import first_state, make_activity
from .quiz_setup import ESSAY, question
from .test_live_sessions import cookie_of, create_session, frames, serve


def _url(sid: int) -> str:
    return f"/api/v1/live/sessions/{sid}"


# --- editing and cancelling a scheduled session --------------------------------------------


async def test_a_scheduled_session_is_edited_with_the_rules_of_a_new_one(client_for, world):
    lecturer = await client_for("lecturer_a")
    made = await create_session(lecturer, world.classes["a"])
    sid = made["id"]
    # times without an offset are Vietnamese wall-clock time
    r = await lecturer.patch(_url(sid), json={
        "title": "Tiết 1 (dời lịch): Luật Cán bộ, công chức", "starts_at": "2026-11-21T13:30",
        "ends_at": "2026-11-21T15:00", "mode": "online", "allow_guests": True})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["title"] == "Tiết 1 (dời lịch): Luật Cán bộ, công chức"
    assert got["starts_at"].startswith("2026-11-21T06:30") and got["mode"] == "online"
    assert got["allow_guests"] is True and got["join_code"] == made["join_code"]
    # what was not sent stays as it was
    assert got["room"] == "Phòng 201" and got["meeting_url"] == "https://meet.example.vn/tiet-1"
    row = await LiveSession.get(id=sid)
    assert row.title == got["title"] and row.allow_guests

    # the merged session must still be valid: an end before the (unchanged) start...
    r = await lecturer.patch(_url(sid), json={"ends_at": "2026-11-21T13:00"})
    assert r.status_code == 422 and "Giờ kết thúc phải sau giờ bắt đầu" in r.text
    # ...a session over 24 hours, a link that is not http(s), a null, an unknown field
    r = await lecturer.patch(_url(sid), json={"ends_at": "2026-11-23T13:00"})
    assert r.status_code == 422
    r = await lecturer.patch(_url(sid), json={"meeting_url": "javascript:alert(1)"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "meeting_url"
    r = await lecturer.patch(_url(sid), json={"title": None})
    assert r.status_code == 422 and r.json()["code"] == "invalid"
    r = await lecturer.patch(_url(sid), json={"status": "live"})
    assert r.status_code == 422
    r = await lecturer.patch(_url(sid), json={"title": ""})
    assert r.status_code == 422
    assert (await LiveSession.get(id=sid)).title == got["title"]  # nothing half-applied


async def test_only_a_scheduled_session_is_edited_or_cancelled(client_for, world):
    lecturer = await client_for("lecturer_a")
    sid = (await create_session(lecturer, world.classes["a"]))["id"]
    assert (await lecturer.post(f"{_url(sid)}/start")).status_code == 200
    r = await lecturer.patch(_url(sid), json={"title": "Đổi tên giữa giờ"})
    assert r.status_code == 409 and r.json()["code"] == "not_scheduled"
    assert "chưa bắt đầu" in r.json()["detail"]
    assert (await LiveSession.get(id=sid)).title != "Đổi tên giữa giờ"
    r = await lecturer.delete(_url(sid))
    assert r.status_code == 409 and r.json()["code"] == "not_scheduled"
    assert (await lecturer.post(f"{_url(sid)}/end")).status_code == 200
    r = await lecturer.delete(_url(sid))
    assert r.status_code == 409
    r = await lecturer.patch(_url(sid), json={"title": "x"})
    assert r.status_code == 409
    assert r.json()["detail_vi"].startswith("Chỉ sửa được phiên học chưa bắt đầu")
    assert r.json()["detail_en"].startswith("Only a session that has not started")
    assert await LiveSession.filter(id=sid).exists()


async def test_who_may_edit_or_cancel(client_for, world):
    admin = await client_for("admin_a")
    lecturer = await client_for("lecturer_a")
    mine = (await create_session(lecturer, world.classes["a"]))["id"]
    other = (await create_session(admin, world.classes["a-open"]))["id"]
    # a lecturer of another class of the same institution, a trainee, another institution
    assert (await lecturer.patch(_url(other), json={"title": "x"})).status_code == 403
    assert (await lecturer.delete(_url(other))).status_code == 403
    trainee = await client_for("trainee_a")
    assert (await trainee.patch(_url(mine), json={"title": "x"})).status_code == 403
    assert (await trainee.delete(_url(mine))).status_code == 403
    for login in ("lecturer_b", "admin_b"):
        outsider = await client_for(login)
        assert (await outsider.patch(_url(mine), json={"title": "x"})).status_code == 404
        assert (await outsider.delete(_url(mine))).status_code == 404
    assert (await lecturer.patch(_url(404404), json={"title": "x"})).status_code == 404
    # the institution's administrator runs every class
    r = await admin.patch(_url(mine), json={"room": "Hội trường B"})
    assert r.status_code == 200 and r.json()["room"] == "Hội trường B"
    assert (await LiveSession.get(id=other)).title != "x"


async def test_cancelling_takes_what_was_prepared_and_closes_the_way_in(app, client_for, world):
    lecturer = await client_for("lecturer_a")
    made = await create_session(lecturer, world.classes["a"])
    sid = made["id"]
    await make_activity(lecturer, sid, kind="rating", prompt="Mức độ hiểu bài?")
    trainee = await client_for("trainee_a")
    async with serve(app) as host:
        url = f"ws://{host}/ws/live/{sid}"
        # a trainee opened the page early: the session is scheduled, the socket is allowed;
        # when it is cancelled the page is told, and the socket closed, not left waiting
        async with connect(url, additional_headers=cookie_of(trainee)) as ws, \
                connect(url, additional_headers=cookie_of(lecturer)) as console:
            assert (await first_state(ws))["session"]["status"] == "scheduled"
            await first_state(console)
            r = await lecturer.delete(_url(sid))
            assert r.status_code == 200 and r.json() == {"deleted": sid}
            for socket in (ws, console):
                last = await frames(socket, lambda f: f["type"] == "status")
                assert last[-1]["status"] == "cancelled" and last[-1]["session_id"] == sid
                with pytest.raises(ConnectionClosed) as closed:
                    await asyncio.wait_for(socket.recv(), 5)
                assert closed.value.rcvd.code == 4409
        assert not await LiveSession.filter(id=sid).exists()
        assert not await Activity.filter(session_id=sid).exists()
        # the page's socket now finds no session (a fatal close: the page stops retrying)
        async with connect(url, additional_headers=cookie_of(trainee)) as ws:
            refused = json.loads(await ws.recv())
            assert refused["code"] == "not_found"
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd.code == 4404
    r = await trainee.post("/api/v1/live/join", json={"code": made["join_code"]})
    assert r.status_code == 404
    listed = (await lecturer.get(f"/api/v1/live/classes/{world.classes['a']}/sessions")).json()
    assert listed["total"] == 0
    assert (await lecturer.delete(_url(sid))).status_code == 404


# --- the bank search of a quick quiz --------------------------------------------------------


async def test_quiz_questions_searched_without_diacritics_and_only_live_types(
        app, client_for, world, quiz_world):
    lecturer = await client_for("lecturer_a")
    sid = (await create_session(lecturer, world.classes["a"]))["id"]
    single, true_false, short = quiz_world["questions"]
    essay = await question(world.inst["a"], quiz_world["category"], ESSAY)
    base = f"{_url(sid)}/quiz-questions"

    r = await lecturer.get(base)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    # the newest first, the essay left out (it cannot be answered in a few seconds)
    assert [i["id"] for i in items] == [short.id, true_false.id, single.id]
    assert essay.id not in [i["id"] for i in items]
    first = next(i for i in items if i["id"] == single.id)
    assert set(first) == {"id", "type", "name", "text", "category"}
    assert first["type"] == "single_choice" and first["text"] == "Thủ đô của Việt Nam?"
    assert first["category"] == "Chuyển đổi số"
    # nothing of the key: no answers, fractions or feedback
    dumped = json.dumps(r.json(), ensure_ascii=False)
    assert "Hà Nội" not in dumped and "fraction" not in dumped and "Đúng rồi" not in dumped

    for typed in ("thu do", "THỦ ĐÔ", "Thu  Do viet"):
        r = await lecturer.get(base, params={"search": typed})
        assert [i["id"] for i in r.json()["items"]] == [single.id], typed
    r = await lecturer.get(base, params={"search": "ba kho khan"})  # only the essay has it
    assert r.json()["items"] == []
    r = await lecturer.get(base, params={"search": "", "limit": 2})
    assert len(r.json()["items"]) == 2
    assert (await lecturer.get(base, params={"limit": 0})).status_code == 422
    assert (await lecturer.get(base, params={"search": "x" * 201})).status_code == 422

    # a question found this way is what a quick quiz is made of
    made = await make_activity(lecturer, sid, kind="quick_quiz", prompt="Câu hỏi nhanh",
                               config={"question_id": first["id"], "time_limit": 15})
    assert made["config"]["question"]["type"] == "single_choice"

    # runners only; another institution's lecturer finds nothing of this session
    assert (await (await client_for("trainee_a")).get(base)).status_code == 403
    assert (await (await client_for("lecturer_b")).get(base)).status_code == 404


async def test_quiz_questions_are_another_institutions_own_and_unavailable_without_a_bank(
        app, client_for, world, quiz_world):
    admin_b = await client_for("admin_b")
    sid_b = (await create_session(admin_b, world.classes["b"]))["id"]
    r = await admin_b.get(f"{_url(sid_b)}/quiz-questions", params={"search": "thu do"})
    assert r.status_code == 200 and r.json()["items"] == []  # institution A's bank stays there

    lecturer = await client_for("lecturer_a")
    sid = (await create_session(lecturer, world.classes["a"]))["id"]
    await app.state.lms.plugins.set_enabled(world.inst["a"], "quizzes", False)
    r = await lecturer.get(f"{_url(sid)}/quiz-questions")
    assert r.status_code == 409 and r.json()["code"] == "quiz_unavailable"
    assert "Câu hỏi và bài kiểm tra" in r.json()["detail"]
    assert r.json()["detail_en"].startswith("The quick quiz needs the quizzes plugin")


async def test_the_search_hook_is_declared_by_live_sessions_and_optional_in_quizzes(app):
    from lms_quizzes import live_quiz

    plugins = app.state.lms.plugins
    assert plugins.implementers("lms_live_quiz_search", frozenset({"quizzes", "live_sessions"})
                                ) == ["quizzes"]
    marker = next(v for k, v in vars(live_quiz.lms_live_quiz_search).items()
                  if k.endswith("_impl"))
    assert marker["optionalhook"] is True


def test_a_bank_question_becomes_a_prompt_without_its_markup():
    """The search's text is the quick quiz's prompt on every phone: "**toàn trình**" must read
    as the words, not the asterisks, and inline tags must not move the punctuation."""
    from lms_quizzes.live_quiz import reading_text

    assert reading_text("Với dịch vụ công trực tuyến **toàn trình**, người dân", "markdown") \
        == "Với dịch vụ công trực tuyến toàn trình, người dân"
    assert reading_text("<p>Thủ đô &amp; <b>Hà Nội</b>?</p><p>Chọn một.</p>", "html") \
        == "Thủ đô & Hà Nội? Chọn một."
    # Markdown escapes raw HTML: it stays literal words (the pages set it as text, never HTML)
    assert reading_text("<script>x</script>Câu *một*", "markdown") == "<script>x</script>Câu một"
