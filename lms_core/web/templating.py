"""Jinja2 set-up: the core's templates in frontend/templates, then each plugin's folders;
``_`` and ``ngettext`` are bound per request to the caller's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from lms_core.auth.csrf import ensure_token
from lms_core.http.problems import request_locale
from lms_core.i18n import CORE_LOCALE_DIR, Catalogues
from lms_core.plugins import PluginManager


def build_templates(core_dir: Path, plugins: PluginManager) -> Jinja2Templates:
    dirs = [core_dir, *plugins.registry.template_dirs]
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in dirs])
    env = jinja2.Environment(loader=loader, autoescape=jinja2.select_autoescape(default=True),
                             trim_blocks=True, lstrip_blocks=True)
    templates = Jinja2Templates(env=env)
    locale_dirs = [CORE_LOCALE_DIR] + [Path(d).parent / "locale" for d in
                                       plugins.registry.template_dirs]
    templates.catalogues = Catalogues(locale_dirs)  # type: ignore[attr-defined]
    return templates


def format_day(value: Any, locale: str) -> str:
    """A calendar day as people write it: 02/12/2026 in Vietnamese, 2 Dec 2026 in English."""
    if value is None or value == "":
        return ""
    from datetime import date

    from babel.dates import format_date

    if isinstance(value, str):  # cached rows carry ISO text
        value = date.fromisoformat(value[:10])
    return format_date(value, "d MMM y" if locale == "en" else "dd/MM/y", locale=locale)


def grouped_menu(items: list[Any]) -> list[dict[str, Any]]:
    """The menu bar's entries: an item alone, or a group of items under its label (a group of
    one is shown as its item). Groups take their place by ``MENU_GROUPS``' order, items alone by
    their own; inside a group, items keep their order."""
    from lms_core.plugin_api import MENU_GROUPS

    entries: list[dict[str, Any]] = []
    groups: dict[str, dict[str, Any]] = {}
    for item in items:
        link = {"url": item.url, "label": item.label, "label_en": item.label_en,
                "key": item.key}
        group = MENU_GROUPS.get(item.group) if item.group else None
        if group is None:
            entries.append({**link, "order": item.order})
            continue
        if item.group not in groups:
            groups[item.group] = {"group": item.group, "label": group[0], "label_en": group[1],
                                  "order": group[2], "links": []}
            entries.append(groups[item.group])
        groups[item.group]["links"].append(link)
    for key, entry in groups.items():
        if len(entry["links"]) == 1:
            only = entry["links"][0]
            entry.clear()
            entry.update({**only, "order": MENU_GROUPS[key][2]})
    return sorted(entries, key=lambda e: e["order"])


async def render(request: Request, name: str, context: dict[str, Any] | None = None,
                 status_code: int = 200) -> HTMLResponse:
    lms = request.app.state.lms
    templates: Jinja2Templates = lms.templates
    locale = request_locale(request)
    principal = request.scope.get("principal")
    menu: list[Any] = []
    scripts: list[str] = []
    page_name = (context or {}).get("page", "")
    if principal is not None:
        enabled = await lms.plugins.enabled_for(principal.institution_id)
        owner = lms.plugins.registry.menu_owner
        menu = grouped_menu([m for m in lms.plugins.registry.menu_items
                             if (not m.permission or principal.can(m.permission))
                             and owner.get(m.key, "core") in enabled])
        scripts = [s.url for plugin, s in lms.plugins.registry.page_scripts
                   if page_name in s.pages and plugin in enabled]
    ctx = {
        "request": request,
        "principal": principal,
        "locale": locale,
        "_": templates.catalogues.gettext(locale),  # type: ignore[attr-defined]
        "ngettext": templates.catalogues.ngettext(locale),  # type: ignore[attr-defined]
        "csrf_token": ensure_token(request.session),
        "menu": menu,
        "page_scripts": scripts,
        "page": page_name,
        "body_data": {},
        "label": (lambda vi, en: en if locale == "en" and en else vi),
        "day": (lambda d: format_day(d, locale)),
    }
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)
