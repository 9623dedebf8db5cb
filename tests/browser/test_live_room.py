"""The room around the activities, in a real browser (Debian's Chromium through Playwright,
against ``lms serve``): the lecturer's console on a laptop, the projector at 1920×1080 and two
trainees on 360×740 phones.

* Q&A: a question asked anonymously and upvoted from the other phone, marked answered from the
  console; with approval on, a question waits, is approved and reaches the room.
* A hand raised on a phone and lowered by the lecturer.
* A discussion split into groups; both members edit the shared answer, one of them offline
  meanwhile (their edit is refused as stale, they see the group's text and merge, nothing
  typed is lost); the lecturer shows the group on the projector.
* A check-in code read off the projector and typed on a phone (a wrong one refused).
* A quick quiz picked from the bank by a search without diacritics, answered on both phones,
  the leaderboard on the console (names) and the projector (none), each phone its own result.
* The class's scheduling page: a session scheduled, edited and cancelled; and a queued
  activity edited and moved in the console's queue.

Screenshots go to docs/screenshots/live-room-*.png. Skipped like the other browser tests when
Chromium or Playwright is missing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from conftest import PASSWORD
from live_server import ROOT, seeded_server

from .chromium import MARKS, PHONE, launched, log_in, sync_api, watched_page

LAPTOP = {"width": 1366, "height": 768}
HALL = {"width": 1920, "height": 1080}
SHOTS = ROOT / "docs" / "screenshots"
NAMES = ("Nguyễn Văn Trainee A", "Trần Thị Bình A")
WAIT = 10000

pytestmark = MARKS
expect = sync_api.expect


async def _seed(url: str) -> dict[str, Any]:
    """conftest's world, trainee2_a in class "a" too, a scheduled session of that class and a
    question bank (the sample questions) in institution "a"."""
    from conftest import _model_apps, seed_world
    from quiz_seed import QUESTIONS, create_question
    from tortoise import Tortoise

    from lms_core.db import tortoise_config
    from lms_core.models import Enrolment, EnrolmentStatus
    from lms_live_sessions import codes
    from lms_live_sessions.models import LiveSession
    from lms_quizzes.models import QuestionCategory

    await Tortoise.init(config=tortoise_config(url, _model_apps()))
    try:
        world = await seed_world()
        await Enrolment.create(user_id=world.users["trainee2_a"], klass_id=world.classes["a"],
                               status=EnrolmentStatus.ACTIVE)
        now = datetime.now(timezone.utc)
        session = await LiveSession.create(
            klass_id=world.classes["a"], institution_id=world.inst["a"],
            title="Tiết 4: Cải cách hành chính", starts_at=now, ends_at=now + timedelta(hours=2),
            room="Hội trường B", join_code=codes.new_code())
        cat = await QuestionCategory.create(institution_id=world.inst["a"], name="Kiến thức chung")
        cat.path = f"/{cat.id}/"
        await cat.save()
        for body in QUESTIONS:
            await create_question(world.inst["a"], cat.id, body)
        return {"session_id": session.id, "code": session.join_code,
                "class_id": world.classes["a"]}
    finally:
        await Tortoise.close_connections()


@pytest.fixture(scope="module")
def site(tmp_path_factory, db_templates) -> Iterator[dict[str, Any]]:
    with seeded_server(tmp_path_factory.mktemp("browser-live-room"), db_templates["sqlite"],
                       _seed) as site:
        yield site


@pytest.fixture(scope="module")
def browser(site) -> Iterator[Any]:
    with launched() as chromium:
        yield chromium


class Screens:
    """Logged-in pages, each with its JavaScript errors collected (a test fails on any)."""

    def __init__(self, browser, site) -> None:
        self.browser, self.site = browser, site
        self.contexts: list[Any] = []
        self.errors: list[str] = []

    def login(self, login: str, **context: Any):
        ctx = self.browser.new_context(locale="vi-VN", base_url=self.site["url"], **context)
        ctx.set_default_timeout(WAIT)
        self.contexts.append(ctx)
        return log_in(self.page(ctx), login, PASSWORD)

    def page(self, ctx):
        return watched_page(ctx, self.errors)

    def phone(self, login: str):
        return self.login(login, viewport=PHONE, is_mobile=True, has_touch=True)

    def close(self) -> None:
        for ctx in self.contexts:
            ctx.close()


def fits(page) -> None:
    """Nothing wider than the phone: no sideways scrolling at 360 px."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def test_the_room_on_console_projector_and_two_phones(browser, site):
    sid = site["session_id"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    screens = Screens(browser, site)
    try:
        console = screens.login("lecturer_a", viewport=LAPTOP)
        console.goto(f"/live/sessions/{sid}/console")
        expect(console.locator("#lv-conn")).to_have_text("")
        console.click("#lv-start")
        expect(console.locator("#lv-status")).to_have_text("Đang diễn ra")
        projector = screens.page(console.context)
        projector.set_viewport_size(HALL)
        projector.goto(f"/live/sessions/{sid}/projector")
        expect(projector.locator("#pj-join")).to_be_visible()

        t1, t2 = screens.phone("trainee_a"), screens.phone("trainee2_a")
        for phone in (t1, t2):
            phone.goto(f"/live/sessions/{sid}")
            expect(phone.locator("#lv-conn")).to_have_text("")
            expect(phone.locator("#lv-hand-button")).to_be_enabled()
        expect(console.locator("#lv-participants")).to_have_text("2")

        # --- Q&A: asked anonymously, upvoted by the other phone, answered by the lecturer --
        t1.fill("#lv-ask-text", "Hồ sơ nộp trực tuyến có cần bản giấy không?")
        t1.check("#lv-ask-anonymous")
        t1.tap("#lv-ask button[type=submit]")
        expect(t1.locator("#lv-ask-msg")).to_have_text("Đã gửi câu hỏi.")
        mine = t1.locator("#lv-questions .lv-q").first
        expect(mine.locator(".lv-tag-mine")).to_have_text("Của tôi")
        expect(mine.locator(".lv-q-meta")).to_contain_text("Ẩn danh")
        asked = t2.locator("#lv-questions .lv-q").first
        expect(asked.locator(".lv-q-text")).to_have_text("Hồ sơ nộp trực tuyến có cần bản giấy không?")
        expect(asked.locator(".lv-tag-mine")).to_have_count(0)
        asked.locator(".lv-vote").tap()
        expect(asked.locator(".lv-vote")).to_have_attribute("aria-pressed", "true")
        expect(asked.locator(".lv-vote-count")).to_have_text("1")
        expect(mine.locator(".lv-vote-count")).to_have_text("1")
        moderated = console.locator("#lv-mod-list .lv-q").first
        expect(moderated.locator(".lv-vote-count")).to_have_text("1")
        expect(moderated.locator(".lv-q-meta")).to_contain_text("Ẩn danh")
        assert NAMES[0] not in console.locator("#lv-qna-panel").inner_text()
        # the projector shows the room's questions while nothing else is up
        expect(projector.locator("#pj-questions .pj-q-text")).to_have_text(
            "Hồ sơ nộp trực tuyến có cần bản giấy không?")
        projector.screenshot(path=str(SHOTS / "live-room-projector-questions.png"))
        moderated.get_by_role("button", name=re.compile("^Đã trả lời")).click()
        expect(asked.locator(".lv-tag-answered")).to_have_text("Đã trả lời")
        expect(mine.locator(".lv-tag-answered")).to_have_text("Đã trả lời")

        # with approval on, a question waits for the lecturer before the room sees it
        console.check("#lv-qna-moderated")
        expect(t2.locator("#lv-ask-note")).to_contain_text("duyệt")
        t2.fill("#lv-ask-text", "Thời hạn giải quyết hồ sơ là bao lâu?")
        t2.tap("#lv-ask button[type=submit]")
        expect(t2.locator("#lv-ask-msg")).to_contain_text("khi giảng viên duyệt")
        expect(t2.locator("#lv-q-waiting .lv-q-text")).to_have_text("Thời hạn giải quyết hồ sơ là bao lâu?")
        expect(t1.locator("#lv-questions .lv-q")).to_have_count(1)
        pending = console.locator('#lv-mod-list .lv-q[data-status="pending"]')
        expect(pending.locator(".lv-q-meta")).to_contain_text(NAMES[1])  # not anonymous
        expect(console.locator('.lv-filter[data-filter="pending"]')).to_have_attribute("aria-pressed", "true")
        pending.get_by_role("button", name=re.compile("^Duyệt")).click()
        expect(t1.locator("#lv-questions .lv-q")).to_have_count(2)
        expect(t2.locator("#lv-q-waiting .lv-q")).to_have_count(0)
        expect(t2.locator('#lv-questions .lv-q .lv-tag-mine')).to_have_text("Của tôi")
        console.uncheck("#lv-qna-moderated")
        fits(t1)
        t1.screenshot(path=str(SHOTS / "live-room-phone-qna.png"), full_page=True)

        # --- a hand raised on a phone, lowered by the lecturer -----------------------------
        t2.tap("#lv-hand-button")
        expect(t2.locator("#lv-hand-button")).to_have_attribute("aria-pressed", "true")
        expect(t1.locator("#lv-hand-count")).to_have_text("1 người đang giơ tay")
        hand = console.locator("#lv-hands li")
        expect(hand.locator(".lv-hand-name")).to_have_text(NAMES[1])
        expect(console.locator("#lv-hands-count")).to_have_text("1 người đang giơ tay")
        hand.get_by_role("button", name=f"Hạ tay: {NAMES[1]}").click()
        expect(t2.locator("#lv-hand-button")).to_have_attribute("aria-pressed", "false")
        expect(t2.locator("#lv-hand-msg")).to_have_text("Giảng viên đã hạ tay của anh/chị.")
        expect(console.locator("#lv-hands li")).to_have_count(0)

        # --- group discussion: one group of two, a shared answer, a merge, the projector ---
        console.fill("#lv-disc-prompt", "Đề xuất một giải pháp giảm thủ tục giấy tờ.")
        console.select_option("#lv-disc-by", "group_size")
        console.fill("#lv-disc-size", "2")
        console.click("#lv-disc-open")
        expect(console.locator("#lv-groups-msg")).to_have_text("Đã chia 1 nhóm.")
        for phone in (t1, t2):
            expect(phone.locator("#lv-group")).to_be_visible()
            expect(phone.locator("#lv-group-prompt")).to_have_text("Đề xuất một giải pháp giảm thủ tục giấy tờ.")
            expect(phone.locator("#lv-group-name")).to_have_text("Nhóm 1")
            expect(phone.locator(".lv-members li")).to_have_count(2)
        t1.fill("#lv-group-text", "Liên thông dữ liệu dân cư")
        expect(t1.locator("#lv-group-status")).to_have_text("Đã lưu · bản 1")
        expect(t2.locator("#lv-group-text")).to_have_value("Liên thông dữ liệu dân cư")
        expect(t2.locator("#lv-group-status")).to_contain_text(f"{NAMES[0]} vừa sửa")
        # the second phone loses the network and keeps typing; the first edits meanwhile
        t2.context.set_offline(True)
        expect(t2.locator("#lv-conn")).to_contain_text("Mất kết nối")
        t2.locator("#lv-group-text").press("End")
        t2.locator("#lv-group-text").type("\nKý số hồ sơ")
        expect(t2.locator("#lv-group-status")).to_contain_text("Chưa lưu được")
        t1.locator("#lv-group-text").press("End")
        t1.locator("#lv-group-text").type("\nMột cửa điện tử")
        expect(t1.locator("#lv-group-status")).to_have_text("Đã lưu · bản 2")
        t2.context.set_offline(False)
        conflict = t2.locator("#lv-group-conflict")
        expect(conflict).to_be_visible()
        expect(conflict.locator("#lv-group-theirs")).to_have_text("Liên thông dữ liệu dân cư\nMột cửa điện tử")
        expect(t2.locator("#lv-group-text")).to_have_value("Liên thông dữ liệu dân cư\nKý số hồ sơ")  # kept
        fits(t2)
        t2.screenshot(path=str(SHOTS / "live-room-phone-group-merge.png"), full_page=True)
        t2.click("#lv-group-merge")
        merged = "Liên thông dữ liệu dân cư\nMột cửa điện tử\nKý số hồ sơ"
        expect(t2.locator("#lv-group-status")).to_have_text("Đã lưu · bản 3")
        expect(conflict).to_be_hidden()
        expect(t1.locator("#lv-group-text")).to_have_value(merged)
        card = console.locator("#lv-group-cards li").first
        expect(card.locator(".lv-group-answer")).to_have_text(merged)
        card.get_by_role("button", name="Chiếu Nhóm 1 lên màn hình").click()
        expect(projector.locator("#pj-group-answer")).to_have_text(merged)
        expect(projector.locator("#pj-group-name")).to_have_text("Nhóm 1")
        expect(t1.locator("#lv-group-shown")).to_contain_text("Đang chiếu lên màn hình: Nhóm 1")
        assert not any(name in projector.locator("main").inner_text() for name in NAMES)
        projector.screenshot(path=str(SHOTS / "live-room-projector-group.png"))
        console.screenshot(path=str(SHOTS / "live-room-console.png"), full_page=True)
        console.click("#lv-disc-close")
        expect(t1.locator("#lv-group-final")).to_contain_text("Một cửa điện tử")
        expect(t1.locator("#lv-group-text")).to_be_hidden()

        # --- check-in: the code read off the projector, typed on a phone -------------------
        console.click("#lv-checkin-toggle")
        expect(console.locator("#lv-checkin-now")).to_have_text(re.compile(r"^\d{6}$"))
        code = projector.locator("#pj-checkin-code")
        expect(code).to_have_text(re.compile(r"^\d{6}$"))
        projector.screenshot(path=str(SHOTS / "live-room-projector-checkin.png"))
        expect(t1.locator("#lv-checkin")).to_be_visible()
        wrong = f"{(int(code.text_content()) + 500000) % 1000000:06d}"
        t2.fill("#lv-checkin-code", wrong)
        t2.tap("#lv-checkin-form button[type=submit]")
        expect(t2.locator("#lv-checkin-msg")).to_contain_text("Mã điểm danh không đúng")
        t1.fill("#lv-checkin-code", code.text_content())
        t1.tap("#lv-checkin-form button[type=submit]")
        expect(t1.locator("#lv-checkin-done")).to_contain_text("Đã điểm danh lúc")
        expect(console.locator("#lv-checkin-count")).to_contain_text("1 học viên đã điểm danh")
        console.click("#lv-checkin-toggle")
        expect(t2.locator("#lv-checkin")).to_be_hidden()
        expect(projector.locator("#pj-checkin")).to_be_hidden()

        # --- a quick quiz from the bank, searched without diacritics -----------------------
        console.select_option("#lv-kind", "quick_quiz")
        console.fill("#lv-quiz-search", "thu do viet nam")
        found = console.locator("#lv-quiz-results .lv-quiz-option")
        expect(found).to_have_count(1)
        expect(found).to_contain_text("Thủ đô của Việt Nam là thành phố nào?")
        expect(found).to_contain_text("Một lựa chọn")
        found.locator("input").check()
        console.fill("input[name=time_limit]", "60")
        console.click("#lv-push")
        expect(console.locator("#lv-current .lv-prompt")).to_have_text("Thủ đô của Việt Nam là thành phố nào?")
        expect(console.locator("#lv-console-timer")).to_contain_text("giây")
        expect(projector.locator("#pj-timer-num")).to_have_text(re.compile(r"^(60|59|58|57|56|55)$"))
        expect(projector.locator(".pj-qchoice")).to_have_count(3)
        for phone, pick in ((t1, "Hà Nội"), (t2, "Huế")):
            expect(phone.locator(".lv-qchoice")).to_have_count(3)
            expect(phone.locator(".lv-timer-num")).to_have_text(re.compile(r"^\d+$"))
            phone.locator(".lv-qchoice", has_text=pick).tap()
            expect(phone.locator("#lv-quiz-sent")).to_contain_text("Đã gửi")
            expect(phone.locator(".lv-qchoice", has_text=pick)).to_have_attribute("aria-pressed", "true")
            expect(phone.locator(".lv-qchoice").first).to_be_disabled()
            fits(phone)
        t1.screenshot(path=str(SHOTS / "live-room-phone-quiz.png"), full_page=True)
        projector.screenshot(path=str(SHOTS / "live-room-projector-quiz.png"))
        expect(console.locator("#lv-current .lv-results")).to_have_attribute("data-responses", "2")
        console.click("#lv-close")
        r1, r2 = t1.locator("#lv-quiz-result"), t2.locator("#lv-quiz-result")
        expect(r1.locator(".lv-quiz-outcome")).to_have_text("Chính xác!")
        expect(r1.locator(".lv-quiz-rank")).to_have_text("Hạng 1 / 2")
        expect(r1.locator(".lv-quiz-score")).to_contain_text("điểm")
        expect(r2.locator(".lv-quiz-outcome")).to_have_text("Chưa chính xác")
        expect(r2.locator(".lv-quiz-rank")).to_have_text("Hạng 2 / 2")
        expect(r2.locator(".lv-quiz-score")).to_have_text("+0 điểm")
        expect(t2.locator(".lv-quiz-key")).to_contain_text("Hà Nội")
        rows = console.locator("#lv-board tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0).locator("th")).to_have_text(NAMES[0])
        expect(rows.nth(1).locator("th")).to_have_text(NAMES[1])
        board = projector.locator("#pj-board tbody tr")
        expect(board).to_have_count(2)
        expect(projector.locator(".pj-quiz-key")).to_contain_text("Hà Nội")
        assert not any(name in projector.locator("main").inner_text() for name in NAMES)
        fits(t1)
        t1.screenshot(path=str(SHOTS / "live-room-phone-result.png"), full_page=True)
        projector.screenshot(path=str(SHOTS / "live-room-projector-leaderboard.png"))
        projector.set_viewport_size(LAPTOP)
        projector.screenshot(path=str(SHOTS / "live-room-projector-leaderboard-1366.png"))
        overflow = projector.evaluate("document.documentElement.scrollWidth")
        assert overflow <= LAPTOP["width"], f"the projector is {overflow}px wide at 1366"
        assert not screens.errors, screens.errors
    finally:
        screens.close()


def test_scheduling_and_the_console_queue(browser, site):
    screens = Screens(browser, site)
    try:
        page = screens.login("lecturer_a", viewport=LAPTOP)
        page.goto(f"/live/classes/{site['class_id']}/sessions")
        expect(page.locator("#lv-sched-list-msg")).to_have_text("")
        before = page.locator("#lv-sessions li").count()
        page.fill("input[name=title]", "Tiết 5: Văn hoá công sở")
        page.fill("input[name=starts_at]", "2030-03-04T08:00")
        page.fill("input[name=ends_at]", "2030-03-04T07:00")
        page.click("#lv-sched-submit")
        expect(page.locator("#lv-sched-msg")).to_have_text("Giờ kết thúc phải sau giờ bắt đầu.")
        page.fill("input[name=ends_at]", "2030-03-04T09:30")
        page.select_option("select[name=mode]", "online")
        expect(page.locator("input[name=room]")).to_be_hidden()
        page.fill("input[name=meeting_url]", "javascript:alert(1)")
        page.click("#lv-sched-submit")
        expect(page.locator("#lv-sched-msg")).to_contain_text("http:// hoặc https://")  # the server's
        page.fill("input[name=meeting_url]", "https://meet.example.vn/tiet-5")
        page.click("#lv-sched-submit")
        expect(page.locator("#lv-sched-msg")).to_contain_text("Đã lên lịch “Tiết 5: Văn hoá công sở”")
        expect(page.locator("#lv-sessions li")).to_have_count(before + 1)
        item = page.locator("#lv-sessions li", has_text="Tiết 5: Văn hoá công sở")
        expect(item.locator(".lv-session-when")).to_have_text(re.compile(r"^08:00–09:30, .*04/03/2030$"))
        expect(item).to_contain_text("Trực tuyến")
        item.locator('button[data-act="edit"]').click()
        expect(page.locator("#sched-form-h")).to_have_text("Sửa phiên học")
        expect(page.locator("input[name=starts_at]")).to_have_value("2030-03-04T08:00")
        page.fill("input[name=title]", "Tiết 5: Văn hoá công sở (dời lịch)")
        page.fill("input[name=starts_at]", "2030-03-05T13:30")
        page.fill("input[name=ends_at]", "2030-03-05T15:00")
        page.click("#lv-sched-submit")
        expect(page.locator("#lv-sched-msg")).to_have_text("Đã lưu thay đổi.")
        item = page.locator("#lv-sessions li", has_text="(dời lịch)")
        expect(item.locator(".lv-session-when")).to_have_text(re.compile(r"^13:30–15:00, .*05/03/2030$"))
        page.screenshot(path=str(SHOTS / "live-room-schedule.png"), full_page=True)
        # a started session can be neither edited nor cancelled: no buttons for it
        live = page.locator('#lv-sessions li[data-status="live"]')
        if live.count():
            expect(live.first.locator('button[data-act="edit"]')).to_have_count(0)
        item.locator('button[data-act="cancel"]').click()  # the dialog is accepted
        expect(page.locator("#lv-sched-msg")).to_contain_text("Đã huỷ phiên học")
        expect(page.locator("#lv-sessions li", has_text="(dời lịch)")).to_have_count(0)

        # the console: a queued activity edited, then moved down the queue
        page.goto(f"/live/sessions/{site['session_id']}/console")
        expect(page.locator("#lv-conn")).to_have_text("")
        page.select_option("#lv-kind", "open_question")
        page.fill("input[name=prompt]", "Điều anh/chị tâm đắc nhất?")
        page.click("#lv-queue-add")
        queued = page.locator('#lv-queue li[data-state="queued"]')
        # the form is cleared when the server has queued it: wait, as a person would see it go
        expect(queued).to_have_count(1)
        page.select_option("#lv-kind", "poll")
        page.fill("input[name=prompt]", "Buổi sau học vào giờ nào?")
        page.fill("textarea[name=options]", "Sáng\nChiều")
        page.click("#lv-queue-add")
        queued = page.locator('#lv-queue li[data-state="queued"]')
        expect(queued).to_have_count(2)
        queued.nth(1).locator('button[data-act="edit"]').click()
        expect(page.locator("#new-h")).to_have_text("Sửa hoạt động")
        expect(page.locator("textarea[name=options]")).to_have_value("Sáng\nChiều")
        page.fill("textarea[name=options]", "Sáng\nChiều\nTối")
        page.fill("input[name=prompt]", "Buổi sau nên học vào giờ nào?")
        page.click("#lv-save")
        expect(page.locator("#lv-new-msg")).to_have_text("Đã lưu thay đổi.")
        expect(queued.nth(1).locator(".lv-item-prompt")).to_have_text("Buổi sau nên học vào giờ nào?")
        queued.nth(0).get_by_role("button", name=re.compile("^Xuống dưới")).click()
        expect(queued.nth(0).locator(".lv-item-prompt")).to_have_text("Buổi sau nên học vào giờ nào?")
        expect(queued.nth(1).locator(".lv-item-prompt")).to_have_text("Điều anh/chị tâm đắc nhất?")
        focused = page.evaluate("document.activeElement.closest('li')?.dataset.kind")
        assert focused == "open_question"  # the keyboard stays with the moved activity
        assert not screens.errors, screens.errors
    finally:
        screens.close()
