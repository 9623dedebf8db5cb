"""Sections plugins add to the core's class and course pages (hook ``lms_page_panels``): the
assessment plugin's links and the trainee's competency levels, say, without the core knowing
of assessment."""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request

from lms_core.plugin_api import PagePanel

log = logging.getLogger("lms.web")


async def page_panels(request: Request, page: str, context: dict[str, Any]) -> list[PagePanel]:
    principal = request.scope.get("principal")
    if principal is None:
        return []
    plugins = request.app.state.lms.plugins
    found = await plugins.collect_each("lms_page_panels", principal.institution_id, page=page,
                                       context=context, principal=principal)
    panels = [p for p in found if isinstance(p, PagePanel)]
    if len(panels) != len(found):
        log.warning("lms_page_panels answered %d items that are not PagePanel on %s",
                    len(found) - len(panels), page)
    return sorted(panels, key=lambda p: p.order)
