"""The three screens of a live class in a real browser (Debian's Chromium through Playwright,
against ``lms serve``): the lecturer (laptop) starts the session and pushes a poll from the
console, two trainees on 360×740 phones join by typing the code and answer, the lecturer's chart
and the projector show the counts, and a phone that goes offline keeps its screen, sends a
changed answer once the connection is back (same client_id, counted once) and still shows
"Đã gửi". Screenshots of the three screens go to docs/screenshots/live-*.png.

Skipped, saying so, when /usr/bin/chromium or playwright is missing (as the quiz page test)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from conftest import PASSWORD
from live_server import ROOT, seeded_server

from .chromium import MARKS, PHONE, launched, sync_api


LAPTOP = {"width": 1366, "height": 768}
HALL = {"width": 1920, "height": 1080}
SHOTS = ROOT / "docs" / "screenshots"

pytestmark = MARKS
expect = sync_api.expect


async def _seed(url: str) -> dict[str, Any]:
    """conftest's world, trainee2_a enrolled in class "a" too, and one scheduled session of
    that class (the lecturer starts it in the browser)."""
    from conftest import _model_apps, seed_world
    from tortoise import Tortoise

    from lms_core.db import tortoise_config
    from lms_core.models import Enrolment, EnrolmentStatus
    from lms_live_sessions import codes
    from lms_live_sessions.models import LiveSession

    await Tortoise.init(config=tortoise_config(url, _model_apps()))
    try:
        world = await seed_world()
        await Enrolment.create(user_id=world.users["trainee2_a"], klass_id=world.classes["a"],
                               status=EnrolmentStatus.ACTIVE)
        now = datetime.now(timezone.utc)
        session = await LiveSession.create(
            klass_id=world.classes["a"], institution_id=world.inst["a"],
            title="Tiết 2: Đạo đức công vụ", starts_at=now, ends_at=now + timedelta(hours=2),
            room="Hội trường A", join_code=codes.new_code())
        return {"session_id": session.id, "code": session.join_code}
    finally:
        await Tortoise.close_connections()


@pytest.fixture(scope="module")
def site(tmp_path_factory, db_templates) -> Iterator[dict[str, Any]]:
    with seeded_server(tmp_path_factory.mktemp("browser-live"), db_templates["sqlite"],
                       _seed) as site:
        yield site


@pytest.fixture(scope="module")
def browser(site) -> Iterator[Any]:
    with launched() as chromium:
        yield chromium


def _login(browser, site, login: str, **context: Any):
    ctx = browser.new_context(locale="vi-VN", base_url=site["url"], **context)
    ctx.set_default_timeout(6000)
    page = ctx.new_page()
    page.goto("/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], form button.primary")
    page.wait_for_url(re.compile(r"/$"))
    return ctx, page


def _bars(locator) -> list[str]:
    return [t.strip() for t in locator.locator(".lv-bar-count").all_text_contents()]


def test_a_live_poll_on_three_screens(browser, site):
    sid, code = site["session_id"], site["code"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    contexts = []
    try:
        lec_ctx, console = _login(browser, site, "lecturer_a", viewport=LAPTOP)
        contexts.append(lec_ctx)
        console.on("dialog", lambda dialog: dialog.accept())
        console.goto(f"/live/sessions/{sid}/console")
        expect(console.locator(".lv-code")).to_have_text(code)
        expect(console.locator("#lv-conn")).to_have_text("")  # connected
        console.click("#lv-start")
        expect(console.locator("#lv-status")).to_have_text("Đang diễn ra")

        projector = lec_ctx.new_page()
        projector.set_viewport_size(HALL)
        projector.goto(f"/live/sessions/{sid}/projector")
        expect(projector.locator(".pj-code")).to_have_text(code)  # nothing open yet: how to join
        expect(projector.locator("#pj-activity")).to_be_hidden()
        expect(projector.locator("#pj-conn")).to_have_text("")
        projector.screenshot(path=str(SHOTS / "live-projector-join.png"))

        # a queued rating first, then a poll pushed at once
        console.select_option("#lv-kind", "rating")
        console.fill("input[name=prompt]", "Mức độ hiểu bài của anh/chị?")
        console.click("button[value=queue]")
        expect(console.locator("#lv-queue li")).to_have_count(1)
        console.select_option("#lv-kind", "poll")
        console.fill("input[name=prompt]", "Hình thức bồi dưỡng phù hợp nhất?")
        console.fill("textarea[name=options]", "Trực tiếp\nTrực tuyến\nKết hợp")
        console.select_option("select[name=visibility]", "live")
        console.click("#lv-push")
        current = console.locator("#lv-current")
        expect(current.locator(".lv-prompt")).to_have_text("Hình thức bồi dưỡng phù hợp nhất?")
        expect(console.locator("#lv-queue li")).to_have_count(2)
        expect(console.locator('#lv-queue li[data-state="open"]')).to_have_count(1)

        expect(projector.locator("#pj-join")).to_be_hidden()
        expect(projector.locator("#pj-prompt")).to_have_text("Hình thức bồi dưỡng phù hợp nhất?")

        phones = []
        for login in ("trainee_a", "trainee2_a"):
            ctx, phone = _login(browser, site, login, viewport=PHONE, is_mobile=True,
                                has_touch=True)
            contexts.append(ctx)
            phone.goto("/live/join")
            phone.fill("#lv-code", code.lower())  # typed as people type it
            phone.click("#lv-join button[type=submit]")
            phone.wait_for_url(re.compile(rf"/live/sessions/{sid}$"))
            expect(phone.locator(".lv-prompt")).to_have_text("Hình thức bồi dưỡng phù hợp nhất?")
            phones.append(phone)
        expect(console.locator("#lv-participants")).to_have_text("2")  # 2 trainees: the lecturer is not counted

        t1, t2 = phones
        t1.get_by_label("Kết hợp").check()
        t1.tap("#lv-form button[type=submit]")
        t2.get_by_label("Trực tiếp").check()
        t2.tap("#lv-form button[type=submit]")
        for phone in phones:
            expect(phone.locator("#lv-sent")).to_have_text("Đã gửi")
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"the phone page is {width}px wide"

        expect(current.locator(".lv-results")).to_have_attribute("data-responses", "2")
        assert _bars(current) == ["1 · 50%", "0 · 0%", "1 · 50%"]
        pj = projector.locator("#pj-results")
        expect(pj.locator(".lv-results")).to_have_attribute("data-responses", "2")
        assert _bars(pj) == ["1 · 50%", "0 · 0%", "1 · 50%"]
        # results are live for trainees too (visibility "live"), without names
        expect(t2.locator("#lv-results .lv-results")).to_have_attribute("data-responses", "2")
        names = ("Nguyễn Văn Trainee A", "Trần Thị Bình A")
        assert not any(name in projector.content() for name in names)
        for phone in phones:  # the header shows one's own name; the live stage none at all
            stage = phone.locator("#lv-stage").inner_html()
            assert not any(name in stage for name in names)

        # the phone loses the network: its screen stays, a changed answer waits...
        t1.context.set_offline(True)
        expect(t1.locator("#lv-conn")).to_contain_text("Mất kết nối")
        t1.get_by_label("Trực tuyến").check()
        t1.tap("#lv-form button[type=submit]")
        expect(t1.locator("#lv-sent")).to_contain_text("Chưa gửi được")
        assert _bars(current) == ["1 · 50%", "0 · 0%", "1 · 50%"]
        # ...and goes once the network is back, on a resumed socket
        t1.context.set_offline(False)
        expect(t1.locator("#lv-sent")).to_have_text("Đã gửi")
        expect(t1.locator("#lv-conn")).to_have_text("")
        expect(t1.locator(".lv-prompt")).to_have_text("Hình thức bồi dưỡng phù hợp nhất?")
        expect(t1.get_by_label("Trực tuyến")).to_be_checked()
        expect(current.locator(".lv-bar-count").nth(1)).to_have_text("1 · 50%")
        assert _bars(current) == ["1 · 50%", "1 · 50%", "0 · 0%"]
        expect(pj.locator(".lv-bar-count").nth(2)).to_have_text("0 · 0%")
        expect(current.locator(".lv-results")).to_have_attribute("data-responses", "2")

        t1.screenshot(path=str(SHOTS / "live-phone.png"), full_page=True)
        projector.screenshot(path=str(SHOTS / "live-projector.png"))
        projector.set_viewport_size({"width": 1366, "height": 768})
        projector.screenshot(path=str(SHOTS / "live-projector-1366.png"))
        console.screenshot(path=str(SHOTS / "live-console.png"), full_page=True)

        # closing: the phones show the activity as closed, with the final figures
        current.locator("#lv-close").click()
        expect(t2.locator(".lv-kind")).to_contain_text("Đã đóng")
        expect(t2.locator("#lv-form button[type=submit]")).to_be_disabled()
        expect(t2.locator("#lv-sent")).to_have_text("Đã gửi")

        # the queued rating, opened from the list
        console.locator('#lv-queue li[data-kind="rating"] button[data-act="open"]').click()
        expect(t2.locator(".lv-prompt")).to_have_text("Mức độ hiểu bài của anh/chị?")
        t2.locator('input[name=value][value="4"]').check()
        t2.tap("#lv-form button[type=submit]")
        expect(t2.locator("#lv-sent")).to_have_text("Đã gửi")
        expect(current.locator(".lv-average strong")).to_have_text("4")

        # a word cloud: the same words typed differently count together, diacritics kept
        console.select_option("#lv-kind", "word_cloud")
        console.fill("input[name=prompt]", "Một từ về công vụ?")
        console.select_option("select[name=visibility]", "live")
        console.click("#lv-push")
        for phone, word in ((t1, "Liêm chính"), (t2, "liêm  CHÍNH")):
            expect(phone.locator(".lv-prompt")).to_have_text("Một từ về công vụ?")
            phone.fill("#lv-word-0", word)
            phone.tap("#lv-form button[type=submit]")
            expect(phone.locator("#lv-sent")).to_have_text("Đã gửi")
        cloud = projector.locator("#pj-results .lv-cloud li")
        expect(cloud).to_have_count(1)
        expect(cloud).to_have_attribute("data-count", "2")
        assert cloud.text_content() in ("Liêm chính", "liêm CHÍNH")
        projector.set_viewport_size(HALL)
        projector.screenshot(path=str(SHOTS / "live-projector-cloud.png"))
    finally:
        for ctx in contexts:
            ctx.close()
