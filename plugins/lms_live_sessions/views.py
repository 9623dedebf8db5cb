"""The three screens of a live class, as server-rendered shells driven by ES modules in
``static/``: the lecturer's console, the projector view and the trainee's live page (with the
page where a trainee types the join code or lands from the QR code).

A fourth page lists a class's sessions for its lecturers and administrators, to schedule,
edit and cancel them (``live-schedule.js`` over the sessions API).

The server decides who may see each page (403 / 404 here, never a page that then fails in the
browser) with the same rules as the socket and the API (``access.py``), and renders what must
not depend on JavaScript or on the socket: the join code and its QR code (an SVG made here by
segno, so no join link is ever sent to an outside QR service), the session's title and status.
Everything that changes during the class comes over the socket (``docs/live-protocol.md``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import segno
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from lms_core.auth.principal import Principal
from lms_core.http.endpoints import path_int
from lms_core.http.problems import Problem, request_locale
from lms_core.web.pages import page
from lms_core.web.templating import render

from lms_live_sessions import codes
from lms_live_sessions.access import RUNNER, class_of_institution, join_role, not_in_class, \
    require_run, require_visible
from lms_live_sessions.models import LiveSession

JOIN_PATH = "/live/join"
#: Error correction of the QR code: "M" survives a projector's glare or a reflection on part
#: of the screen; segno raises it further when the URL leaves room in the same version.
QR_ERROR = "m"


def join_url(request: Request, code: str) -> str:
    """The absolute address a phone opens from the QR code: the site as the lecturer's browser
    reached it, so it works on the room's network without any configured public URL."""
    base = str(request.base_url).rstrip("/")
    return f"{base}{JOIN_PATH}?code={quote(code)}"


def qr_svg(url: str, label: str) -> Markup:
    """An inline SVG QR code of ``url`` (sized by CSS through its viewBox). segno escapes the
    title it writes; the URL is ours (base URL and a code of a fixed alphabet)."""
    svg = segno.make(url, error=QR_ERROR).svg_inline(
        scale=1, border=4, omitsize=True, light="#fff", svgclass="live-qr-svg", lineclass=None,
        title=label)
    return Markup(svg.replace("<svg ", '<svg role="img" focusable="false" ', 1))


async def _session(principal: Principal, request: Request) -> LiveSession:
    session = await LiveSession.get_or_none(id=path_int(request, "session_id"),
                                            institution_id=principal.institution_id)
    if session is None:
        raise Problem(404, "Không tìm thấy phiên học.", "Session not found.")
    return session


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


async def _runner_context(request: Request, principal: Principal) -> dict[str, Any]:
    """What the console and the projector share: the session, checked to be run by the caller,
    and its join link and QR code while it has a code (an ended session has none)."""
    session = await _session(principal, request)
    await require_run(principal, session.klass_id)
    klass = await session.klass
    status = _plain(session.status)
    ctx: dict[str, Any] = {"session": session, "klass": klass, "status": status,
                           "join_code": session.join_code, "join_url": "", "qr": ""}
    if session.join_code:
        ctx["join_url"] = join_url(request, session.join_code)
        label = ("QR code to join: " if request_locale(request) == "en" else
                 "Mã QR để tham gia: ")
        ctx["qr"] = qr_svg(ctx["join_url"], label + ctx["join_url"])
    ctx["body_data"] = {"session-id": session.id, "status": status,
                        "join-url": ctx["join_url"]}
    return ctx


@page("live.run")
async def console_page(request: Request, principal: Principal) -> Response:
    """The lecturer's console: start and end, join code and QR, presence, the activity queue,
    live results and exports. Only the class's lecturers or an administrator."""
    ctx = await _runner_context(request, principal)
    return await render(request, "live_sessions/console.html", {**ctx, "page": "live-console"})


@page("live.run")
async def projector_page(request: Request, principal: Principal) -> Response:
    """The hall's screen: big join code and QR, then the open activity and its anonymous
    results when the lecturer lets the room see them. Opened by a runner, on the projector."""
    ctx = await _runner_context(request, principal)
    return await render(request, "live_sessions/projector.html",
                        {**ctx, "page": "live-projector"})


@page("live.run")
async def schedule_page(request: Request, principal: Principal) -> Response:
    """A class's live sessions for those who run it: schedule one, edit or cancel one that has
    not started, open the console of any. 404 for another institution's class, 403 for who
    does not run it, as the API answers."""
    klass = await class_of_institution(principal, path_int(request, "class_id"))
    await require_run(principal, klass.id)
    course = await klass.course
    return await render(request, "live_sessions/schedule.html", {
        "page": "live-schedule", "klass": klass, "course": course,
        "body_data": {"class-id": klass.id}})


@page("live.join")
async def join_page(request: Request, principal: Principal) -> Response:
    """Where a trainee types the six-character code, or lands from the QR code with
    ``?code=`` (the script then joins at once). The join itself is the REST endpoint."""
    raw = request.query_params.get("code", "")[:32]
    code = codes.normalise(raw) or ""
    return await render(request, "live_sessions/join.html", {
        "page": "live-join", "code": code, "typed": raw if not code else code,
        "body_data": {"code": code}})


@page("live.join")
async def live_page(request: Request, principal: Principal) -> Response:
    """The trainee's live page (phones first). Runners are sent to their console: they do
    not answer activities. Someone not in the class gets 403, or 404 if they cannot even see
    the class, as the API answers."""
    session = await _session(principal, request)
    role = await join_role(principal, session)
    if role is None:
        await require_visible(principal, session)
        raise not_in_class()
    if role == RUNNER:
        return RedirectResponse(f"/live/sessions/{session.id}/console", status_code=303)
    klass = await session.klass
    status = _plain(session.status)
    return await render(request, "live_sessions/live.html", {
        "page": "live-trainee", "session": session, "klass": klass, "status": status,
        "role": role,
        "body_data": {"session-id": session.id, "status": status,
                      "user-id": principal.user_id}})


def routes() -> list[BaseRoute]:
    """The page routes, built fresh on each call as ``lms_register_routes`` requires."""
    return [
        Route(JOIN_PATH, join_page, name="live.join_page"),
        Route("/live/sessions/{session_id:int}", live_page, name="live.live_page"),
        Route("/live/sessions/{session_id:int}/console", console_page, name="live.console_page"),
        Route("/live/sessions/{session_id:int}/projector", projector_page,
              name="live.projector_page"),
        Route("/live/classes/{class_id:int}/sessions", schedule_page, name="live.schedule_page"),
    ]

