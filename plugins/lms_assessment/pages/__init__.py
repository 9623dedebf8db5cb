"""The assessment plugin's web pages, server-rendered from the same functions as its JSON API.

Each module here serves one audience's pages and exposes ``ROUTES`` (Starlette routes) and,
when it deserves a menu entry, ``MENU`` (``MenuItem``s); ``plugin.py`` collects them, so adding
a page module is one line in ``MODULES``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

#: Page modules, in menu order.
MODULES: tuple[str, ...] = ("frameworks", "positions", "needs", "exemptions", "profile",
                             "class_plan", "survey", "task", "ratings", "reports",
                             "certificates")


def _modules() -> list[Any]:
    return [import_module(f"{__name__}.{name}") for name in MODULES]


def routes() -> list[Any]:
    return [route for module in _modules() for route in getattr(module, "ROUTES", ())]


def menu_items() -> list[Any]:
    return [item for module in _modules() for item in getattr(module, "MENU", ())]
