"""The ``page`` decorator: the HTML counterpart of ``api`` (login redirect, permission check,
problems shown as an error page in the user's language)."""

from __future__ import annotations

from typing import Any, Awaitable, Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from lms_core.http.problems import Problem, request_locale, to_problem
from lms_core.web.templating import render


def page(permission: str | None = None, anonymous: bool = False
         ) -> Callable[[Callable[..., Awaitable[Any]]], Callable[[Request], Awaitable[Response]]]:
    def decorate(fn: Callable[..., Awaitable[Any]]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            principal = request.scope.get("principal")
            if principal is None and not anonymous:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
            try:
                if permission and not principal.can(permission):
                    raise Problem(403)
                return await fn(request, principal)
            except Exception as exc:
                return await error_page(request, to_problem(exc))

        endpoint.__name__ = fn.__name__
        endpoint.__doc__ = fn.__doc__
        return endpoint

    return decorate


async def error_page(request: Request, problem: Problem) -> Response:
    locale = request_locale(request)
    message = problem.detail_en if locale == "en" else problem.detail
    return await render(request, "error.html", {"status": problem.status, "message": message,
                                                "errors": problem.errors},
                        status_code=problem.status)


def safe_next(target: str | None) -> str:
    """Only same-site relative paths: an open redirect after login is a phishing tool."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
