"""The quiz page in a real browser, at phone size: Debian's Chromium driven by Playwright against
``lms serve`` (seeded with conftest's world, a question bank and two quizzes).

What only a browser can show: the attempt page's JavaScript renders every question type with
working controls, saves as the trainee goes, survives a reload, resolves a second tab's newer
answer, retries while offline, flags into the navigation panel, submits after a confirmation,
shows the review the API returns, submits by itself when the time is up, and never scrolls
sideways on a 360 px screen.

Playwright cannot download its own browser here, so the test uses /usr/bin/chromium and is
skipped, saying so, when it is missing (.ci/run installs it from Debian's packages).
"""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import PASSWORD
from live_server import ROOT, Server, base_env

from .chromium import MARKS, PHONE, launched, sync_api

SCREENSHOT = ROOT / "docs" / "screenshots" / "quiz-attempt-phone.png"

pytestmark = MARKS


async def _seed(url: str) -> dict[str, Any]:
    """conftest's world (institution A: a course, a class, an enrolled trainee_a), plus two
    quizzes in that course: a practice quiz of every auto-graded type, one question per page
    (its review shows everything at once), and a 2-second quiz for the timer. Seeded in
    process, not with ``lms demo``: the demo hashes six passwords with argon2 and imports a
    course with images, which would double the test's time for nothing it checks."""
    from conftest import _model_apps, seed_world
    from quiz_seed import seed_quiz
    from tortoise import Tortoise

    from lms_core.db import tortoise_config

    await Tortoise.init(config=tortoise_config(url, _model_apps()))
    try:
        world = await seed_world()
        inst, course = world.inst["a"], world.courses["a"]
        types = ("description", "single_choice", "multiple_response", "true_false",
                 "short_answer", "numerical", "matching", "ordering")
        main, questions = await seed_quiz(
            inst, course, key="kiem-tra-thu", title="Kiểm tra thử", types=types,
            kind="practice", layout="one_per_page", time_limit_seconds=900, pass_fraction=0.5,
            position=100)
        timed, _ = await seed_quiz(inst, course, key="kiem-tra-nhanh", title="Kiểm tra nhanh",
                                   types=("true_false",), kind="practice",
                                   time_limit_seconds=2, position=101)
        return {"course": course, "main": main.key, "timed": timed.key,
                "count": len(questions)}
    finally:
        await Tortoise.close_connections()


@pytest.fixture(scope="module")
def site(tmp_path_factory, db_templates) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("browser")
    target = tmp / "lms.sqlite3"
    shutil.copy(db_templates["sqlite"], target)  # migrated once per run by conftest
    url = f"sqlite://{target}"
    seeded = asyncio.run(_seed(url))
    server = Server(base_env(tmp, url))
    try:
        server.wait_ready()
        yield {**seeded, "url": server.url, "server": server}
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(site) -> Iterator[Any]:
    with launched() as chromium:
        yield chromium


@pytest.fixture
def phone(browser, site) -> Iterator[Any]:
    """A logged-in trainee's browser at 360×740 with touch, Vietnamese."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  locale="vi-VN", base_url=site["url"])
    context.set_default_timeout(5000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "the quiz is timed: start?"
    page.goto("/login")
    page.fill("input[name=login]", "trainee_a")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], form button.primary")
    page.wait_for_url(re.compile(r"/$"))
    try:
        yield page
    finally:
        context.close()


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px screen"


def _saved(page) -> None:
    sync_api.expect(page.locator(".qz-status")).to_have_text("Đã lưu")


def _question(page):
    return page.locator(".qz-q:not([hidden])")


def _next(page) -> None:
    page.click(".qz-pager .qz-next")


def _order(page) -> list[str]:
    return [t.strip() for t in _question(page).locator(".qz-item-text").all_inner_texts()]


def _go(page, number: str) -> None:
    """Jump with the navigation panel, which is folded away on a phone."""
    toggle = page.locator(".qz-nav-toggle")
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    page.locator(f".qz-nav-btn:text-is('{number}')").click()


def test_trainee_takes_a_quiz_on_a_phone(phone, site, browser):
    expect = sync_api.expect
    page = phone
    page.goto(f"/courses/{site['course']}/m/{site['main']}")
    facts = page.locator(".qz-facts")
    expect(facts).to_contain_text("Thời gian làm bài")
    expect(facts).to_contain_text("15 phút")
    _no_sideways_scroll(page)
    page.click("[data-quiz-start]")

    # The attempt: a description first, then one question per page.
    expect(page.locator(".qz-timer")).to_have_text(re.compile(r"^1[45]:\d\d$"))
    expect(_question(page)).to_contain_text("Kiến thức chung về chuyển đổi số")
    expect(page.locator(".qz-nav-list button")).to_have_count(site["count"])
    expect(page.locator(".qz-nav")).to_be_hidden()  # folded away on a phone
    attempt_url = page.url
    assert "?attempt=" in attempt_url
    _next(page)

    q = _question(page)
    expect(q.locator(".qz-qtitle")).to_contain_text("Câu 1")
    q.get_by_label("Hà Nội").check()
    _saved(page)
    _next(page)
    q = _question(page)
    q.get_by_label("Đăng ký khai sinh").check()
    q.get_by_label("Cấp đổi căn cước").check()
    _next(page)
    q = _question(page)
    q.get_by_label("Sai").check()  # wrong on purpose: the mark must show it
    _next(page)
    _question(page).get_by_label("Câu trả lời").fill("dvcqg")
    _next(page)
    number = _question(page).get_by_label("Câu trả lời")
    number.fill("3,14")  # a decimal comma
    expect(_question(page).locator(".qz-warn")).to_be_hidden()
    _next(page)
    q = _question(page)
    q.get_by_label("Bộ Nội vụ").select_option("Quản lý công chức")
    q.get_by_label("Bộ Tài chính").select_option("Quản lý ngân sách")
    _next(page)

    # Ordering by keyboard only: focus an "up" button and press Enter until sorted.
    right = ["Đăng nhập", "Điền tờ khai", "Nộp hồ sơ"]
    for step in range(6):
        current = _order(page)
        if current == right:
            break
        wrong = next(i for i, text in enumerate(current) if text != right[i])
        want = current.index(right[wrong])
        button = _question(page).get_by_role("button", name=f"Đưa “{right[wrong]}” lên")
        button.focus()
        for _ in range(want - wrong):
            page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.dataset.dir") in ("up", "down")
    assert _order(page) == right
    # Flag it: the flag shows in the navigation panel.
    _question(page).get_by_role("button", name="Gắn cờ").click()
    _saved(page)
    nav_button = page.locator(".qz-nav-btn.qz-current")
    expect(nav_button).to_have_class(re.compile("qz-flagged"))
    expect(nav_button).to_have_attribute("aria-label", re.compile("đã gắn cờ"))
    expect(page.locator(".qz-nav-btn.qz-answered")).to_have_count(7)
    _no_sideways_scroll(page)
    page.locator(".qz-nav-toggle").click()
    expect(page.locator(".qz-nav")).to_be_visible()
    page.locator(".qz-nav-toggle").click()
    expect(page.locator(".qz-nav")).to_be_hidden()
    page.screenshot(path=str(SCREENSHOT))

    # Reload mid-attempt: every answer and the flag come back from the server.
    page.reload()
    expect(page.locator(".qz-timer")).to_be_visible()
    assert _order(page) == right  # the page came back on the question it was on
    expect(_question(page).get_by_role("button", name="Bỏ cờ")).to_be_visible()
    _go(page, "1")
    expect(_question(page).get_by_label("Hà Nội")).to_be_checked()
    _go(page, "2")
    expect(_question(page).get_by_label("Cấp đổi căn cước")).to_be_checked()
    expect(_question(page).get_by_label("Mua vé xem phim")).not_to_be_checked()
    _go(page, "4")
    expect(_question(page).get_by_label("Câu trả lời")).to_have_value("dvcqg")
    _go(page, "5")
    expect(_question(page).get_by_label("Câu trả lời")).to_have_value("3,14")
    _go(page, "6")
    expect(_question(page).get_by_label("Bộ Tài chính")).to_have_value("Quản lý ngân sách")

    # A second tab changes question 1; this tab's next save is refused and shows theirs.
    other = page.context.new_page()
    other.goto(attempt_url.split("#")[0] + "#q2")
    other.locator(".qz-q:not([hidden])").get_by_label("Huế").check()
    expect(other.locator(".qz-status")).to_have_text("Đã lưu")
    other.close()
    _go(page, "1")
    # click, not check: the refusal puts "Huế" back at once, which check() takes for a miss
    _question(page).get_by_label("Đà Nẵng").click()
    expect(_question(page).locator(".qz-qnote")).to_contain_text("từ một cửa sổ khác")
    expect(_question(page).get_by_label("Huế")).to_be_checked()
    _saved(page)

    # Offline: the save waits and says so, then goes through when the network is back.
    page.context.set_offline(True)
    _question(page).get_by_label("Hà Nội").check()
    expect(page.locator(".qz-status")).to_have_text(re.compile("Mất kết nối|Không lưu được"))
    page.context.set_offline(False)
    _saved(page)

    # Submit: the confirmation lists what is unanswered (nothing) and what is flagged.
    page.click(".qz-bar-finish")
    dialog = page.locator("dialog.qz-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Bạn đã trả lời tất cả các câu hỏi.")
    expect(dialog).to_contain_text("Câu 7")  # flagged
    dialog.locator(".qz-confirm-go").click()

    # The review: 6 of 7 (true/false was wrong), and the practice quiz shows the key.
    result = page.locator(".qz-result")
    expect(result).to_contain_text("Kết quả lượt làm bài 1")
    expect(result).to_contain_text("6/7")
    expect(result).to_contain_text("85,7%")
    expect(result).to_contain_text("Đạt")
    wrong = page.locator(".qz-review-q.qz-state-incorrect")
    expect(wrong).to_have_count(1)
    expect(wrong).to_contain_text("Chữ ký số")
    expect(page.locator(".qz-review-q.qz-state-correct")).to_have_count(6)
    expect(page.locator(".qz-general")).to_contain_text("Hà Nội là thủ đô từ năm 1010.")
    _no_sideways_scroll(page)

    # Reloading the review shows it again; the front page lists the attempt with its mark.
    page.reload()
    expect(page.locator(".qz-result")).to_contain_text("6/7")
    page.goto(f"/courses/{site['course']}/m/{site['main']}")
    expect(page.locator(".qz-attempt-row")).to_contain_text("6/7 (85,7%)")
    expect(page.locator("[data-quiz-start]")).to_have_text("Làm lại")


def test_the_page_submits_by_itself_when_time_is_up(phone, site):
    expect = sync_api.expect
    page = phone
    page.goto(f"/courses/{site['course']}/m/{site['timed']}")
    page.click("[data-quiz-start]")
    expect(page.locator(".qz-timer")).to_have_text(re.compile(r"^00:0[0-2]$"))
    _question(page).get_by_label("Đúng").check()
    _saved(page)
    result = page.locator(".qz-result")
    expect(result).to_contain_text("Kết quả lượt làm bài 1", timeout=8000)
    expect(result).to_contain_text("1/1")
