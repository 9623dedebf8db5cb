"""The plugin's HTML: a page behind its menu entry, and the renderer of ``hello`` modules."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from lms_core.auth.principal import Principal
from lms_core.runtime import runtime
from lms_core.web.pages import page
from lms_core.web.templating import render
from lms_hello.api import my_greetings


@page("hello.greet")
async def greetings_page(request: Request, principal: Principal) -> Response:
    return await render(request, "hello/greetings.html",
                        {"greetings": await my_greetings(principal)})


async def render_module(request: Request, module: Any, enrolment: Any = None) -> str:
    """Shown inside the course page. Templates autoescape, so course data cannot inject HTML."""
    template = runtime(request).templates.get_template("hello/module.html")
    principal = request.scope.get("principal")
    return template.render(module=module, message=module.data.get("message", ""),
                           name=principal.full_name if principal else "")


def validate_module(data: dict[str, Any]) -> list[str]:
    """Checked when a course is imported, so a bad manifest is refused before it is stored."""
    message = data.get("message")
    if not isinstance(message, str) or not message.strip():
        return ["`message`: cần một lời chào không rỗng (a non-empty text is required)"]
    if len(message) > 500:
        return ["`message`: tối đa 500 ký tự (at most 500 characters)"]
    return []
