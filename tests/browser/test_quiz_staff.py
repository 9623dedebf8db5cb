"""The lecturer's quiz pages in a real browser (Debian's Chromium via Playwright, against
``lms serve`` seeded by ``lms demo --no-serve``): a GIFT file is chosen with the file picker
(read by FileReader in the page), previewed (a broken file shows its errors with line numbers
and keeps "Nhập" disabled), imported, then found by a search without diacritics in the bank.
The statistics page draws its histogram from real submitted attempts. Screenshots of the bank,
the import preview and the statistics go to docs/screenshots/quiz-staff-*.png.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from live_server import LMS, ROOT, Server, base_env

from .chromium import MARKS, PHONE, launched, sync_api

DESKTOP = {"width": 1366, "height": 900}
SHOTS = ROOT / "docs" / "screenshots"

pytestmark = MARKS

GIFT_OK = """$CATEGORY: Thủ tục hành chính

::TTHC-1::Thủ tục hành chính được công khai ở đâu?{
=Cơ sở dữ liệu quốc gia về thủ tục hành chính#Đúng, tại csdl.dichvucong.gov.vn
~Bảng tin của cơ quan#Chưa đủ
~Không cần công khai
}

::TTHC-2::Hồ sơ trực tuyến có giá trị pháp lý như hồ sơ giấy.{T}

::TTHC-3::Thời hạn giải quyết tối đa (ngày) của thủ tục này?{#15:0}
"""
GIFT_BROKEN = """::A::Câu thiếu dấu đóng ngoặc{
=Đúng
~Sai

::B::Câu hai{T}
"""


async def _seed(url: str) -> dict[str, Any]:
    """A quiz of two auto-graded questions in the demo course (unlimited attempts), so the
    statistics have attempts to describe."""
    from conftest import _model_apps
    from quiz_seed import seed_quiz
    from tortoise import Tortoise

    from lms_core.db import tortoise_config
    from lms_core.models import Course

    await Tortoise.init(config=tortoise_config(url, _model_apps()))
    try:
        course = await Course.get(code="CDS-101")
        module, _ = await seed_quiz(course.institution_id, course.id, key="kiem-tra-thong-ke",
                                    title="Kiểm tra thống kê", position=120, kind="practice",
                                    types=("single_choice", "true_false", "multiple_response"))
        return {"course": course.id, "module": module.id, "module_key": module.key}
    finally:
        await Tortoise.close_connections()


def _attempts(base: str, module_id: int) -> int:
    """Trainees of the demo take the quiz over the API with different answers: a spread of
    grades for the histogram. Returns how many attempts were submitted."""
    done = 0
    plans = [(True, True, True), (True, False, True), (False, False, False), (True, True, False),
             (False, True, True)]
    for login, password in (("hocvien1", "hocvien1-2026"), ("hocvien2", "hocvien2-2026")):
        with httpx.Client(base_url=base, timeout=10) as c:
            r = c.post("/api/v1/auth/login", json={"login": login, "password": password})
            assert r.status_code == 200, r.text
            c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
            for plan in plans:
                r = c.post(f"/api/v1/quizzes/modules/{module_id}/attempts")
                if r.status_code != 201 and r.status_code != 200:
                    break  # not enrolled: this trainee's attempts would not count anyway
                attempt = r.json()
                for slot, right in zip(attempt["slots"], plan):
                    q = slot["question"]
                    if q["type"] == "single_choice":
                        pick = [c_["id"] for c_ in q["choices"] if (c_["html"] == "Hà Nội") == right]
                        response = {"choice": pick[0]}
                    elif q["type"] == "true_false":
                        response = {"value": right}
                    else:
                        wanted = ("Đăng ký khai sinh", "Cấp đổi căn cước") if right else ("Mua vé xem phim",)
                        response = {"choices": [c_["id"] for c_ in q["choices"] if c_["html"] in wanted]}
                    r = c.put(f"/api/v1/quizzes/attempts/{attempt['id']}/slots/{slot['slot']}",
                              json={"response": response, "base_seq": slot["seq"]})
                    assert r.status_code == 200, r.text
                assert c.post(f"/api/v1/quizzes/attempts/{attempt['id']}/submit").status_code == 200
                done += 1
    return done


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("staff-browser")
    url = f"sqlite://{tmp / 'demo.sqlite3'}"
    env = base_env(tmp, url)
    done = subprocess.run([LMS, "demo", "--no-serve"], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    seeded = asyncio.run(_seed(url))
    server = Server(env)
    try:
        server.wait_ready()
        seeded["attempts"] = _attempts(server.url, seeded["module"])
        yield {**seeded, "url": server.url, "tmp": tmp}
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(site) -> Iterator[Any]:
    with launched() as chromium:
        yield chromium


def _lecturer(browser, site, viewport) -> Any:
    context = browser.new_context(viewport=viewport, locale="vi-VN", base_url=site["url"])
    context.set_default_timeout(8000)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=login]", "giangvien")
    page.fill("input[name=password]", "giangvien-2026")
    page.click("button[type=submit], form button.primary")
    page.wait_for_url(re.compile(r"/$"))
    return context, page


def _no_sideways_scroll(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll}px wide on a {width}px screen"


def test_lecturer_imports_gift_with_a_preview_and_finds_it_in_the_bank(browser, site):
    expect = sync_api.expect
    context, page = _lecturer(browser, site, DESKTOP)
    try:
        page.goto("/quizzes/transfer")
        category = page.get_by_label("Nhập vào nhóm câu hỏi")
        expect(category.locator("option")).not_to_have_count(1)  # categories loaded
        category.select_option(category.locator("option", has_text="Ngân hàng kiem-tra-thong-ke")
                               .get_attribute("value"))
        run = page.get_by_role("button", name="Nhập", exact=True)

        broken = site["tmp"] / "loi.gift.txt"
        broken.write_text(GIFT_BROKEN, encoding="utf-8")
        page.get_by_label("Chọn tệp (UTF-8)").set_input_files(str(broken))
        expect(page.get_by_label("Hoặc dán nội dung tệp vào đây")).to_have_value(GIFT_BROKEN)
        page.get_by_role("button", name="Xem trước").click()
        errors = page.locator("table.qs-import-errors tbody tr")
        expect(errors.first).to_be_visible()
        assert errors.count() >= 1
        assert errors.first.locator("td").first.inner_text().strip().isdigit()  # a line number
        expect(run).to_be_disabled()

        good = site["tmp"] / "thu-tuc.gift.txt"
        good.write_text(GIFT_OK, encoding="utf-8")
        page.get_by_label("Chọn tệp (UTF-8)").set_input_files(str(good))
        expect(run).to_be_disabled()  # a new text needs a new preview
        page.get_by_role("button", name="Xem trước").click()
        rows = page.locator("table.qs-import-preview tbody tr")
        expect(rows).to_have_count(3)
        expect(page.locator("table.qs-import-errors")).to_have_count(0)
        expect(rows.nth(0)).to_contain_text("Trắc nghiệm một đáp án")
        expect(rows.nth(1)).to_contain_text("Đúng/Sai")
        expect(rows.nth(2)).to_contain_text("Số")
        expect(page.locator("#imp-result")).to_contain_text("Thủ tục hành chính")  # new category
        expect(run).to_be_enabled()
        page.screenshot(path=str(SHOTS / "quiz-staff-import-preview.png"), full_page=True)
        run.click()
        expect(page.locator("#imp-result .notice")).to_contain_text("Đã nhập 3 câu hỏi")

        page.goto("/quizzes/bank")
        page.get_by_label("Tìm (có dấu hay không dấu đều được)").fill("cong khai o dau")
        page.get_by_role("button", name="Tìm", exact=True).click()
        hits = page.locator("#qlist li")
        expect(hits).to_have_count(1)
        expect(hits.first).to_contain_text("TTHC-1")
        expect(page.locator("#cat-tree")).to_contain_text("Thủ tục hành chính")
        page.get_by_label("Tìm (có dấu hay không dấu đều được)").fill("")
        page.get_by_role("button", name="Tìm", exact=True).click()
        expect(page.locator("#list-status")).to_contain_text("câu hỏi")
        page.screenshot(path=str(SHOTS / "quiz-staff-bank.png"), full_page=True)

        page.get_by_label("Tìm (có dấu hay không dấu đều được)").fill("TTHC-3")
        page.get_by_role("button", name="Tìm", exact=True).click()
        expect(hits).to_have_count(1)
        hits.first.locator("a.qname").click()
        expect(page.get_by_label("Giá trị đúng")).to_have_value("15")
        expect(page.locator("#q-preview")).to_contain_text("Thời hạn giải quyết")
    finally:
        context.close()


def test_statistics_page_draws_the_histogram_and_the_tables(browser, site):
    expect = sync_api.expect
    assert site["attempts"] >= 5
    context, page = _lecturer(browser, site, DESKTOP)
    try:
        # From the quiz's own page, as a Moodle user would go.
        page.goto(f"/courses/{site['course']}/m/{site['module_key']}")
        tools = page.get_by_role("navigation", name="Dành cho giảng viên")
        expect(tools.get_by_role("link")).to_have_count(3)
        tools.get_by_role("link", name="Kết quả và thống kê").click()
        page.wait_for_url(re.compile(rf"/quizzes/modules/{site['module']}/results$"))
        expect(page.locator("#res-table tbody tr").first).to_be_visible()
        svg = page.locator("svg.qs-chart")
        expect(svg.locator("title")).to_have_text("Số lượt làm bài theo khoảng điểm")
        expect(svg.locator("rect.bar")).to_have_count(10)
        # The quiz grades by the highest attempt: one attempt per trainee by default...
        expect(page.locator(".qs-figures dd").first).to_have_text("2")
        counts = [int(x) for x in page.locator("table.qs-hist-table tbody td.num").all_inner_texts()]
        assert sum(counts) == 2
        # ...and every attempt when asked; the download links follow the choice.
        page.get_by_label("Tính trên các lượt").select_option("all")
        expect(page.locator(".qs-figures dd").first).to_have_text(str(site["attempts"]))
        counts = [int(x) for x in page.locator("table.qs-hist-table tbody td.num").all_inner_texts()]
        assert sum(counts) == site["attempts"]
        assert page.get_by_role("link", name="Tải CSV").get_attribute("href").endswith(
            "statistics.csv?which=all")
        expect(page.locator("table.qs-question-stats tbody tr")).to_have_count(3)
        expect(page.locator(".qs-figures")).to_contain_text("Điểm trung bình")
        page.locator("details.qs-answers summary").first.click()
        page.screenshot(path=str(SHOTS / "quiz-staff-statistics.png"), full_page=True)
        with page.expect_download() as download:
            page.get_by_role("link", name="Tải CSV").click()
        assert download.value.suggested_filename.endswith(".csv")
    finally:
        context.close()
    trainee = browser.new_context(viewport=PHONE, locale="vi-VN", base_url=site["url"])
    try:
        tpage = trainee.new_page()
        tpage.goto("/login")
        tpage.fill("input[name=login]", "hocvien1")
        tpage.fill("input[name=password]", "hocvien1-2026")
        tpage.click("button[type=submit], form button.primary")
        tpage.wait_for_url(re.compile(r"/$"))
        tpage.goto(f"/courses/{site['course']}/m/{site['module_key']}")
        tpage.wait_for_load_state("networkidle")
        expect(tpage.locator("#quiz-app")).to_be_visible()
        expect(tpage.locator(".qs-staff-links")).to_have_count(0)
    finally:
        trainee.close()
    context, page = _lecturer(browser, site, PHONE)
    try:
        for url in ("/quizzes/bank", "/quizzes/transfer", f"/quizzes/modules/{site['module']}/results",
                    f"/quizzes/modules/{site['module']}/edit"):
            page.goto(url)
            page.wait_for_load_state("networkidle")
            _no_sideways_scroll(page, PHONE["width"])
    finally:
        context.close()


def test_editing_a_question_shows_errors_then_offers_the_regrade(browser, site):
    """Runs after the statistics test: it changes the key of a question those attempts hold."""
    expect = sync_api.expect
    context, page = _lecturer(browser, site, DESKTOP)
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        # (quiz_seed stores questions without a search key, so find it by its type.)
        page.goto("/quizzes/bank?type=single_choice")
        page.locator("#qlist a.qname", has_text="Thủ đô của Việt Nam").click()
        choices = page.locator(".qs-answer")
        expect(choices).to_have_count(3)
        grade = lambda i: choices.nth(i).get_by_label("Điểm (% của câu)")
        expect(grade(0)).to_have_value("100")
        grade(0).fill("0")  # no full-mark choice left: the API refuses, the form says where
        page.get_by_role("button", name="Lưu câu hỏi").click()
        expect(page.locator("#q-errors")).to_be_visible()
        expect(page.locator("#q-errors")).to_contain_text("Chưa lưu được")
        expect(page.locator(".qs-answer .field-error, [data-field=answers] .field-error").first).to_be_visible()
        grade(1).fill("100")  # Huế becomes the key: the attempts that chose Hà Nội lose marks
        page.get_by_role("button", name="Lưu câu hỏi").click()
        expect(page.locator("#q-status")).to_contain_text("Đã lưu phiên bản 2")
        expect(page.locator("#q-errors")).to_be_hidden()
        expect(page.locator(".field-error")).to_have_count(0)
        panel = page.locator("#regrade")
        expect(panel).to_be_visible()
        panel.get_by_role("button", name=re.compile("Chạy thử")).click()
        rows = panel.locator("table.qs-regrade-table tbody tr")
        expect(rows.first).to_be_visible()
        assert rows.count() >= 6
        expect(rows.first).to_contain_text("→")
        page.screenshot(path=str(SHOTS / "quiz-staff-question-regrade.png"), full_page=True)
        panel.get_by_role("button", name="Chấm lại thật").click()
        expect(panel).to_contain_text(f"Đã chấm lại {site['attempts']} lượt làm bài")

        # A new short-answer question: the type switch redraws the answers editor.
        page.goto("/quizzes/bank/new")
        page.get_by_label("Nhóm câu hỏi").select_option(
            page.locator("select[name=category_id] option", has_text="Thủ tục hành chính")
            .get_attribute("value"))
        page.get_by_label("Loại câu hỏi").select_option("short_answer")
        page.get_by_label("Nội dung câu hỏi").fill("Tên viết tắt của *Cổng Dịch vụ công quốc gia*?")
        page.get_by_label("Mẫu câu trả lời").fill("DVC*QG")
        page.get_by_label("Phân biệt dấu tiếng Việt").uncheck()
        page.get_by_role("button", name="Lưu câu hỏi").click()
        page.wait_for_url(re.compile(r"/quizzes/bank/questions/\d+\?created=1$"))
        expect(page.locator("#q-status")).to_have_text("Đã thêm câu hỏi.")
        expect(page.get_by_label("Mẫu câu trả lời")).to_have_value("DVC*QG")
        expect(page.get_by_label("Phân biệt dấu tiếng Việt")).not_to_be_checked()
        expect(page.locator("#q-preview em")).to_have_text("Cổng Dịch vụ công quốc gia")
    finally:
        context.close()


def test_quiz_editor_saves_settings_and_slots(browser, site):
    expect = sync_api.expect
    context, page = _lecturer(browser, site, DESKTOP)
    try:
        page.goto(f"/quizzes/modules/{site['module']}/edit")
        slots = page.locator("#slots li")
        expect(slots).to_have_count(3)
        page.get_by_label("Mở lúc").fill("2030-01-10T08:00")
        page.get_by_label("Đóng lúc").fill("2030-01-09T08:00")
        page.get_by_role("button", name="Lưu bài kiểm tra").click()
        expect(page.locator("#quiz-errors")).to_be_visible()
        page.get_by_label("Đóng lúc").fill("2030-01-20T17:00")
        page.get_by_label("Thời gian làm bài (phút, 0: không giới hạn)").fill("20")
        page.get_by_label("Từ nhóm câu hỏi").select_option(
            page.locator("#rand-cat option", has_text="Thủ tục hành chính").get_attribute("value"))
        page.get_by_label("Số câu rút mỗi lượt").fill("2")
        page.get_by_role("button", name="Thêm câu ngẫu nhiên").click()
        expect(slots).to_have_count(4)
        slots.nth(3).get_by_role("button", name="Đưa câu 4 lên").click()
        expect(slots.nth(2)).to_contain_text("2 câu ngẫu nhiên từ «Thủ tục hành chính»")
        page.get_by_role("button", name="Lưu bài kiểm tra").click()
        expect(page.locator("#quiz-status")).to_contain_text("Đã lưu")
        page.reload()
        expect(slots).to_have_count(4)
        expect(slots.nth(2)).to_contain_text("Thủ tục hành chính")
        expect(page.get_by_label("Thời gian làm bài (phút, 0: không giới hạn)")).to_have_value("20")
        expect(page.get_by_label("Mở lúc")).to_have_value("2030-01-10T08:00")  # Vietnam time kept
    finally:
        context.close()
    with httpx.Client(base_url=site["url"], timeout=10) as c:
        r = c.post("/api/v1/auth/login", json={"login": "giangvien",
                                               "password": "giangvien-2026"})
        assert r.status_code == 200, r.text
        settings = c.get(f"/api/v1/quizzes/modules/{site['module']}/settings").json()["settings"]
    assert settings["time_limit_seconds"] == 1200
    assert settings["opens_at"].startswith("2030-01-10T01:00:00")  # 08:00 at UTC+7
    assert settings["slots"][2]["kind"] == "random" and settings["slots"][2]["count"] == 2
