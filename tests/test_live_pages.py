"""The live-class pages (plugins/lms_live_sessions/views.py): the lecturer's console and the
projector view for those who run the session only, the trainee's live page and the join page,
each refused to the wrong role (403) and to another institution (404); the QR code is an SVG
rendered here that encodes the join URL (checked module by module against segno's encoding of
the expected URL, not trusted), and the projector page never prints a name. What the pages'
scripts do over the socket is driven in tests/browser/test_live_pages.py."""

from __future__ import annotations

import re
from typing import Any

import segno
from conftest import password_hash

from lms_core.models import CourseModule, Membership, User
from lms_core.services.users import user_fields

from lms_live_sessions.models import Activity, ActivityResponse
from lms_live_sessions.views import QR_ERROR


async def _session(client, class_id: int, **overrides: Any) -> dict[str, Any]:
    body = {"title": "Tiết 3: Kỹ năng soạn thảo văn bản", "starts_at": "2026-12-02T08:00:00+07:00",
            "ends_at": "2026-12-02T10:00:00+07:00", "mode": "in_room", "room": "Phòng 305"}
    body.update(overrides)
    r = await client.post(f"/api/v1/live/classes/{class_id}/sessions", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def qr_matrix(html: str) -> list[list[bool]]:
    """Redraw the QR code of the page's inline SVG as a grid of dark modules. segno draws each
    row's dark runs as a path of horizontal strokes: ``M x y`` (absolute), ``m dx dy``
    (relative), ``h n`` (a dark run of n modules); strokes sit on half-module y values. The
    white background is a separate filled path."""
    found = re.search(r'<svg[^>]*class="live-qr-svg"[^>]*>.*?</svg>', html, re.S)
    assert found, "no QR code SVG on the page"
    svg = found.group(0)
    size = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    assert size, svg[:200]
    width, height = int(size.group(1)), int(size.group(2))
    dark = re.search(r'<path stroke="#000" d="([^"]+)"', svg)  # the light one is a fill
    assert dark, svg[:300]
    path = dark.group(1)
    grid = [[False] * width for _ in range(height)]
    x = y = 0.0
    for op, args in re.findall(r"([MmHhVv])([^MmHhVv]*)", path):
        nums = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", args)]
        if op == "M":
            x, y = nums
        elif op == "m":
            x, y = x + nums[0], y + nums[1]
        elif op == "h":
            row = int(y - 0.5)
            for col in range(int(x), int(x + nums[0])):
                grid[row][col] = True
            x += nums[0]
        else:
            raise AssertionError(f"unexpected path command {op!r}")
    return grid


def expected_matrix(url: str, border: int) -> list[list[bool]]:
    """segno's own encoding of ``url``, with the quiet zone, to compare with the page's."""
    qr = segno.make(url, error=QR_ERROR)
    return [[bool(v) for v in row] for row in qr.matrix_iter(border=border)]


async def test_console_for_the_class_lecturer_with_code_and_qr_of_the_join_url(client_for,
                                                                                world):
    lecturer = await client_for("lecturer_a")
    session = await _session(lecturer, world.classes["a"])
    code, sid = session["join_code"], session["id"]
    r = await lecturer.get(f"/live/sessions/{sid}/console")
    assert r.status_code == 200, r.text[:500]
    html = r.text
    assert '<html lang="vi">' in html
    for text in ("Tiết 3: Kỹ năng soạn thảo văn bản", "Mã tham gia", "Bắt đầu phiên học",
                 "Kết thúc phiên học", "Mở màn hình trình chiếu", "Tạo hoạt động",
                 "Bình chọn", "Thang đánh giá", "Đám mây từ", "Câu hỏi mở",
                 "học viên đang có mặt", f"/live/sessions/{sid}/projector",
                 f"/api/v1/live/sessions/{sid}/export.csv",
                 f"/api/v1/live/sessions/{sid}/export.xlsx",
                 '<script type="module" src="/static/live_sessions/live-console.js">',
                 f'data-session-id="{sid}"'):
        assert text in html, text
    assert '<p class="lv-code"' in html and f">{code}</p>" in html
    join_url = f"http://testserver/live/join?code={code}"
    assert f'href="{join_url}"' in html
    grid = qr_matrix(html)
    assert grid == expected_matrix(join_url, border=4)
    assert grid != expected_matrix(f"http://testserver/live/join?code={code[::-1]}", border=4)
    # the room's panels, the quick quiz in the activity form, the class's schedule
    for text in ("Hỏi đáp", "Giơ tay phát biểu", "Điểm danh bằng mã", "Thảo luận nhóm",
                 "Câu hỏi nhanh (từ ngân hàng câu hỏi)", 'id="lv-quiz-search"',
                 f'href="/live/classes/{world.classes["a"]}/sessions"', 'id="lv-qna-body"',
                 'id="lv-hands-body"', 'id="lv-checkin-body"', 'id="lv-groups-body"'):
        assert text in html, text
    for name in ("live-common.js", "live-console.js", "live-projector.js", "live-trainee.js",
                 "live-join.js", "live.css", "live-room.js", "live-quiz.js", "live-schedule.js",
                 "room-questions.js", "room-hand.js", "room-group.js", "room-checkin.js",
                 "group-editor.js", "console-room.js", "console-form.js", "console-questions.js",
                 "console-hands.js", "console-checkin.js", "console-groups.js",
                 "console-board.js", "console-quiz-pick.js", "projector-views.js"):
        asset = await lecturer.get(f"/static/live_sessions/{name}")
        assert asset.status_code == 200 and len(asset.content) > 500, name


async def test_only_runners_get_the_console_and_projector(client_for, world):
    user = await User.create(login="lecturer2_a", email="l2a@example.vn",
                             password_hash=password_hash(), unit_id=world.units["a-child"],
                             **user_fields("Lê Thị Giảng"))
    await Membership.create(user=user, institution_id=world.inst["a"], role="lecturer")
    lecturer = await client_for("lecturer_a")
    sid = (await _session(lecturer, world.classes["a"]))["id"]
    admin = await client_for("admin_a")
    for url in (f"/live/sessions/{sid}/console", f"/live/sessions/{sid}/projector"):
        assert (await admin.get(url)).status_code == 200, url  # administrators run any class
        trainee = await client_for("trainee_a")
        r = await trainee.get(url)
        assert r.status_code == 403, url
        assert "live-console.js" not in r.text and "lv-code" not in r.text
        for other in ("lecturer_b", "admin_b"):
            r = await (await client_for(other)).get(url)
            assert r.status_code == 404, (url, other)
        # without live.run the page is refused before any lookup: no id is confirmed
        assert (await (await client_for("trainee_b")).get(url)).status_code == 403
        # a lecturer of the same institution who does not teach this class
        assert (await (await client_for("lecturer2_a")).get(url)).status_code == 403, url
    # a planner of the same institution does not run live sessions
    assert (await (await client_for("planner_a")).get(f"/live/sessions/{sid}/console")
            ).status_code == 403
    r = await (await client_for("lecturer_a")).get("/live/sessions/999999/console")
    assert r.status_code == 404


async def test_projector_shows_code_and_qr_and_never_names(client_for, world):
    lecturer = await client_for("lecturer_a")
    session = await _session(lecturer, world.classes["a"])
    sid, code = session["id"], session["join_code"]
    assert (await lecturer.post(f"/api/v1/live/sessions/{sid}/start")).status_code == 200
    r = await lecturer.post(f"/api/v1/live/sessions/{sid}/activities", json={
        "kind": "open_question", "prompt": "Anh/chị mong đợi gì?", "open": True,
        "visibility": "live"})
    assert r.status_code == 201, r.text
    activity = await Activity.get(id=r.json()["id"])
    await ActivityResponse.create(activity=activity, session_id=sid,
                                  institution_id=world.inst["a"],
                                  user_id=world.users["trainee_a"], answer={"text": "Thực hành"},
                                  client_id="c-1", client_ids={"c-1": 1})
    html = (await lecturer.get(f"/live/sessions/{sid}/projector")).text
    assert '<html lang="vi">' in html and "live-projector.js" in html
    assert f'<p class="pj-code">{code}</p>' in html
    assert "http://testserver/live/join" in html
    assert qr_matrix(html) == expected_matrix(f"http://testserver/live/join?code={code}", 4)
    names = await User.filter(id__in=[world.users["trainee_a"], world.users["lecturer_a"]]
                              ).values_list("full_name", flat=True)
    assert names and all(name not in html for name in names)
    assert "Nguyễn Văn" not in html and 'class="who"' not in html  # no site header either


async def test_ended_session_has_no_code_or_qr(client_for, world):
    lecturer = await client_for("lecturer_a")
    sid = (await _session(lecturer, world.classes["a"]))["id"]
    assert (await lecturer.post(f"/api/v1/live/sessions/{sid}/end")).status_code == 200
    for url in (f"/live/sessions/{sid}/console", f"/live/sessions/{sid}/projector"):
        html = (await lecturer.get(url)).text
        assert "live-qr-svg" not in html and "đã kết thúc" in html, url


async def test_trainee_live_page_and_refusals(client_for, world):
    lecturer = await client_for("lecturer_a")
    sid = (await _session(lecturer, world.classes["a"]))["id"]
    trainee = await client_for("trainee_a")
    r = await trainee.get(f"/live/sessions/{sid}")
    assert r.status_code == 200, r.text[:300]
    html = r.text
    for text in ('<html lang="vi">', "live-trainee.js", f'data-session-id="{sid}"',
                 "Chưa bắt đầu", "Tiết 3: Kỹ năng soạn thảo văn bản"):
        assert text in html, text
    assert "lv-code" not in html and "live-qr-svg" not in html  # no join code for trainees
    # the lecturer is sent to the console: runners do not answer
    r = await lecturer.get(f"/live/sessions/{sid}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/live/sessions/{sid}/console"
    # same institution, not in the class (which they cannot see): 404, as the API answers
    outsider = await (await client_for("trainee2_a")).get(f"/live/sessions/{sid}")
    assert outsider.status_code == 404
    assert "live-trainee.js" not in outsider.text
    # a planner does not take part in live sessions at all (no live.join)
    assert (await (await client_for("planner_a")).get(f"/live/sessions/{sid}")).status_code == 403
    for other in ("trainee_b", "lecturer_b"):
        assert (await (await client_for(other)).get(f"/live/sessions/{sid}")).status_code == 404


async def test_guest_session_lets_the_institution_in(client_for, world):
    lecturer = await client_for("lecturer_a")
    sid = (await _session(lecturer, world.classes["a"], allow_guests=True))["id"]
    r = await (await client_for("trainee2_a")).get(f"/live/sessions/{sid}")
    assert r.status_code == 200 and "live-trainee.js" in r.text
    assert (await (await client_for("trainee_b")).get(f"/live/sessions/{sid}")).status_code == 404


async def test_join_page_takes_the_code_from_the_qr_url(client_for, world, anon):
    trainee = await client_for("trainee_a")
    r = await trainee.get("/live/join?code=kx4-m7q")
    assert r.status_code == 200
    assert 'data-code="KX4M7Q"' in r.text and 'value="KX4M7Q"' in r.text
    assert "Nhập mã 6 ký tự" in r.text and "live-join.js" in r.text
    r = await trainee.get('/live/join?code="><script>x</script>')
    assert 'data-code=""' in r.text and "<script>x</script>" not in r.text
    assert '<a href="/live/join">Tham gia lớp trực tiếp</a>' in (await trainee.get("/")).text
    r = await anon.get("/live/join?code=KX4M7Q")  # a phone not signed in yet: log in first
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/live/join%3Fcode%3DKX4M7Q"


async def test_module_page_links_each_role_to_its_screen(client_for, world):
    lecturer = await client_for("lecturer_a")
    sid = (await _session(lecturer, world.classes["a"]))["id"]
    await CourseModule.create(course_id=world.courses["a"], key="truc-tiep",
                              type="live_session", title="Học trực tiếp", position=9)
    url = f"/courses/{world.courses['a']}/m/truc-tiep"
    html = (await (await client_for("trainee_a")).get(url)).text
    assert f'href="/live/sessions/{sid}"' in html and "Tham gia" in html
    assert "/console" not in html
    html = (await lecturer.get(url)).text
    assert f'href="/live/sessions/{sid}/console"' in html
    assert f'href="/live/sessions/{sid}/projector"' in html
    # the class's schedule, from its session and on its own (where the first one is made)
    schedule = f'href="/live/classes/{world.classes["a"]}/sessions"'
    assert html.count(schedule) == 2 and "Lên lịch phiên học: lớp" in html
    assert "/live/classes/" not in (await (await client_for("trainee_a")).get(url)).text


async def test_schedule_page_for_those_who_run_the_class(client_for, world):
    user = await User.create(login="lecturer3_a", email="l3a@example.vn",
                             password_hash=password_hash(), unit_id=world.units["a-child"],
                             **user_fields("Phạm Văn Giảng"))
    await Membership.create(user=user, institution_id=world.inst["a"], role="lecturer")
    url = f"/live/classes/{world.classes['a']}/sessions"
    for login in ("lecturer_a", "admin_a"):
        r = await (await client_for(login)).get(url)
        assert r.status_code == 200, (login, r.text[:300])
        for text in ('<html lang="vi">', "Lịch phiên học trực tiếp", "Lên lịch phiên học mới",
                     '<script type="module" src="/static/live_sessions/live-schedule.js">',
                     f'data-class-id="{world.classes["a"]}"', 'type="datetime-local"',
                     "Tại phòng học", "Trực tuyến", "Kết hợp", "giờ Việt Nam",
                     f'href="/classes/{world.classes["a"]}"'):
            assert text in r.text, (login, text)
    assert (await (await client_for("trainee_a")).get(url)).status_code == 403
    assert (await (await client_for("lecturer3_a")).get(url)).status_code == 403  # not theirs
    for other in ("lecturer_b", "admin_b"):
        assert (await (await client_for(other)).get(url)).status_code == 404
    r = await (await client_for("lecturer_a")).get("/live/classes/999999/sessions")
    assert r.status_code == 404


async def test_english_console(client_for, world):
    lecturer = await client_for("lecturer_a")
    sid = (await _session(lecturer, world.classes["a"]))["id"]
    token = (await lecturer.get("/api/v1/me")).json()["csrf_token"]
    r = await lecturer.post("/lang", data={"lang": "en", "next": "/", "csrf_token": token})
    assert r.status_code == 303
    html = (await lecturer.get(f"/live/sessions/{sid}/console")).text
    assert '<html lang="en">' in html
    for text in ("Join code", "Start the session", "Open the projector view", "Word cloud",
                 "QR code to join"):
        assert text in html, text
    assert "Bắt đầu phiên học" not in html
