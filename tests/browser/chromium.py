"""What every browser test shares: Debian's Chromium (Playwright cannot download its own here),
the flags this closed network needs, the phone viewport, and the skip when either Chromium or
Playwright is missing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
#: Without the background-networking flags Chromium keeps dialling Google's hosts, which this
#: machine's closed network refuses many at a time.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PHONE = {"width": 360, "height": 740}

MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="/usr/bin/chromium is missing: install Debian's chromium package "
                              "(apt-get install -y chromium) to run the browser tests"),
]

sync_api = pytest.importorskip("playwright.sync_api",
                               reason="playwright is not installed (pip install -e '.[test]')")


@contextmanager
def launched() -> Iterator[Any]:
    """One headless Chromium for a test module (starting it costs about a second)."""
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


#: Page visibility emulated as a phone's browser reports it when the screen goes off or another
#: app comes to the front (and back).
HIDE = """() => {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
  Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
  document.dispatchEvent(new Event("visibilitychange"));
}"""
SHOW = """() => {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "visible" });
  Object.defineProperty(document, "hidden", { configurable: true, get: () => false });
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def watched_page(ctx: Any, errors: list[str]) -> Any:
    """A new page whose script errors are collected (a test fails on them) and whose confirm
    dialogs are accepted."""
    page = ctx.new_page()
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def log_in(page: Any, login: str, password: str) -> Any:
    """Through the login form, as a person does; lands on "my classes"."""
    import re

    page.goto("/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("form button.primary")
    page.wait_for_url(re.compile(r"/$"))
    return page
