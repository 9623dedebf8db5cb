"""Attention in a live class, in a real browser (Debian's Chromium through Playwright, against
``lms serve``): a trainee on a phone joins, their page goes hidden (the page's visibility is
emulated: headless Chromium has no other tab to switch to) and the lecturer's console counts one
away; the lecturer asks for names, nudges, asks "still with us?" and the phone answers; back on
the page the count returns to zero; after the end, the period's report lists the trainee.
Screenshots go to docs/screenshots/engagement-*.png."""

from __future__ import annotations

import re
from typing import Any

from .chromium import HIDE, MARKS, PHONE, SHOW, sync_api
from .test_live_pages import LAPTOP, SHOTS, _login, browser, site  # noqa: F401 (fixtures)

pytestmark = MARKS
expect = sync_api.expect

def _count(page, which: str):
    return page.locator(f"#eg-{which} .eg-num")


def test_the_console_sees_a_hidden_phone_as_away(browser, site):  # noqa: F811
    sid = site["session_id"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    contexts: list[Any] = []
    try:
        lec_ctx, console = _login(browser, site, "lecturer_a", viewport=LAPTOP)
        contexts.append(lec_ctx)
        console.on("dialog", lambda dialog: dialog.accept())
        console.goto(f"/live/sessions/{sid}/console")
        if console.locator("#lv-start").is_visible():
            console.click("#lv-start")
        expect(console.locator("#lv-status")).to_have_text("Đang diễn ra")
        expect(console.locator("#eg-panel h2")).to_have_text("Mức độ chú ý")

        ctx, phone = _login(browser, site, "trainee_a", viewport=PHONE, is_mobile=True,
                            has_touch=True)
        contexts.append(ctx)
        phone.goto(f"/live/sessions/{sid}")
        expect(phone.locator("#lv-conn")).to_have_text("")
        expect(phone.locator("#eg-notice")).to_contain_text("Trang này ghi nhận")
        expect(_count(console, "present")).to_have_text("1", timeout=10000)
        expect(_count(console, "attentive")).to_have_text("1", timeout=10000)
        expect(_count(console, "away")).to_have_text("0")
        expect(console.locator("#eg-nudge")).to_be_disabled()

        # the phone leaves the class page: the console counts one away, without a name
        phone.evaluate(HIDE)
        expect(_count(console, "away")).to_have_text("1", timeout=10000)
        expect(_count(console, "attentive")).to_have_text("0")
        assert "Nguyễn Văn Trainee A" not in console.locator("#eg-panel").inner_text()
        console.click("#eg-show-names")
        expect(console.locator("#eg-names")).to_contain_text("Nguyễn Văn Trainee A")
        console.screenshot(path=str(SHOTS / "engagement-console.png"), full_page=True)

        console.click("#eg-nudge")
        expect(console.locator("#eg-msg")).to_have_text("Đã nhắc 1 học viên.")
        expect(phone.locator('#eg-banner[data-kind="nudge"]')).to_be_visible()
        expect(phone.locator("#eg-banner")).to_contain_text("Giảng viên mời anh/chị quay lại")

        # back on the page
        phone.evaluate(SHOW)
        expect(_count(console, "away")).to_have_text("0", timeout=10000)
        expect(_count(console, "attentive")).to_have_text("1")

        # "still with us?": one tap on the phone, counted on the console
        console.click("#eg-ask")
        expect(phone.locator("#eg-ack")).to_be_visible()
        phone.screenshot(path=str(SHOTS / "engagement-phone-check.png"), full_page=True)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the phone page is {width}px wide"
        phone.tap("#eg-ack")
        expect(phone.locator("#eg-banner")).to_contain_text("Cảm ơn anh/chị!")
        expect(console.locator("#eg-check")).to_have_text(
            "Kiểm tra chú ý gần nhất: 1/1 trả lời kịp", timeout=10000)

        # an instant poll reaches the phone, and answering it is an interaction
        console.click("#eg-poll")
        expect(phone.locator(".lv-prompt")).to_have_text("Anh/chị có đang theo kịp bài không?")
        phone.get_by_label("Theo kịp").check()
        phone.tap("#lv-form button[type=submit]")
        expect(phone.locator("#lv-sent")).to_have_text("Đã gửi")
        expect(console.locator("#eg-coverage")).to_contain_text("Đã tương tác: 1/1", timeout=10000)

        console.click("#lv-end")
        expect(console.locator("#lv-status")).to_have_text("Đã kết thúc")
        # the report is made by the job runner right after the end: a moment, not a click
        for _ in range(40):
            console.goto(f"/engagement/periods/{sid}")
            if console.locator("h1").inner_text() == "Tiết 2: Đạo đức công vụ":
                break
            console.wait_for_timeout(250)
        expect(console.locator("h1")).to_have_text("Tiết 2: Đạo đức công vụ")
        row = console.locator("tbody tr", has_text="Nguyễn Văn Trainee A")
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(3)).to_have_text("1")  # one interaction
        console.screenshot(path=str(SHOTS / "engagement-report.png"), full_page=True)

        phone.goto("/engagement/me")
        expect(phone.locator("h1")).to_have_text("Dữ liệu tương tác của tôi")
        expect(phone.locator("tbody")).to_contain_text("Tiết 2: Đạo đức công vụ")
        phone.screenshot(path=str(SHOTS / "engagement-me.png"), full_page=True)
        assert re.search(r"\d", phone.locator("tbody td").first.inner_text())
    finally:
        for context in contexts:
            context.close()
