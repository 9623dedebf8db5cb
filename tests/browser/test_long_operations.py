"""Long operations show that they are under way (app.js): an export is fetched by the page,
which says the file is being made, then that it arrived, and saves it under the server's
name; a failing export shows the server's message instead of a broken file; an upload form
says it is sending and checking the file and cannot be sent twice."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import PASSWORD
from live_server import seeded_server

from .chromium import MARKS, launched, log_in, sync_api

pytestmark = MARKS
expect = sync_api.expect


async def _seed(url: str) -> dict[str, Any]:
    from conftest import _model_apps, seed_world
    from tortoise import Tortoise

    from lms_core.db import tortoise_config

    await Tortoise.init(config=tortoise_config(url, _model_apps()))
    try:
        world = await seed_world()
        return {"units": world.units}
    finally:
        await Tortoise.close_connections()


@pytest.fixture(scope="module")
def site(tmp_path_factory, db_templates) -> Iterator[dict[str, Any]]:
    with seeded_server(tmp_path_factory.mktemp("browser-long-ops"), db_templates["sqlite"],
                       _seed) as site:
        yield site


def test_exports_and_uploads_say_what_is_happening(site, tmp_path):
    with launched() as browser:
        ctx = browser.new_context(locale="vi-VN", base_url=site["url"],
                                  viewport={"width": 1366, "height": 768})
        ctx.set_default_timeout(10000)
        page = log_in(ctx.new_page(), "planner_a", PASSWORD)

        page.goto("/assessment/reports")
        link = page.locator("a[download]", has_text="Tải Excel (XLSX)")
        with page.expect_download() as download:
            link.click()
        assert download.value.suggested_filename.endswith(".xlsx")
        assert download.value.path().read_bytes()[:2] == b"PK"  # a real workbook
        expect(page.locator(".op-status[data-kind=done]")).to_contain_text("Đã tải xong")
        assert page.locator(".op-status").count() == 1  # one status, no loop of fetches

        # a failing export: the server's message, no file
        page.evaluate("""() => {
            const a = document.createElement("a");
            a.href = "/api/v1/assessment/certificates/999999.pdf";
            a.download = "x.pdf"; a.id = "broken"; a.textContent = "PDF";
            document.querySelector("main").append(a);
        }""")
        page.click("#broken")
        expect(page.locator("#broken + .op-status[data-kind=error]")).to_contain_text(
            "Không tải được tệp: Không tìm thấy chứng nhận.")

        # an upload: the button is held and the page says the file is being checked
        csv = tmp_path / "khung.csv"
        csv.write_text("group_code,group_name,group_name_en,code,name,name_en,description,"
                       "level_1,level_2,level_3,level_4,level_5\n"
                       "G,Nhóm,,NL-1,Năng lực một,,,a,b,c,d,e\n", encoding="utf-8")
        page.goto("/assessment/frameworks")
        form = page.locator("form[enctype='multipart/form-data']").first
        form.locator("input[type=file]").set_input_files(str(csv))
        code = form.locator("input[name=code]")
        if code.count():
            code.fill("KNL-X")
        # what the page shows while the server works: seen by a listener that runs after
        # app.js's and then keeps the form from leaving, so the page can be read
        page.evaluate("""() => window.addEventListener("submit", (event) => {
            event.preventDefault();
            const form = event.target;
            setTimeout(() => { window.__busy = {
                busy: form.getAttribute("aria-busy"),
                status: form.querySelector(".op-status")?.textContent ?? "",
                disabled: event.submitter?.disabled ?? null }; }, 50);
        })""")
        form.locator("button").last.click()
        page.wait_for_function("() => window.__busy !== undefined")
        busy = page.evaluate("() => window.__busy")
        assert busy["busy"] == "true" and busy["disabled"] is True
        assert "Đang gửi tệp và kiểm tra" in busy["status"]
        ctx.close()
