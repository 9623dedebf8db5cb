"""The ``live_session`` course module: where and when the class meets live, and a way in.

A module may name one session (``data: {session_id: 12}``); without one it shows the upcoming
and running sessions of the viewer's own class, so a course can carry the step before its
sessions are scheduled. Those who run the course's classes also get the page where each class's
sessions are scheduled. Every value is escaped: titles, rooms and links are typed by people.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from markupsafe import Markup, escape

from lms_core.http.problems import Problem, request_locale
from lms_core.models import CourseClass
from lms_core.models.classes import ClassStatus

from lms_live_sessions.access import RUNNER, join_role, require_visible
from lms_live_sessions.models import LiveSession, SessionMode, SessionStatus
from lms_live_sessions.schemas import VN_TZ, check_meeting_url

MAX_SHOWN = 5

_TEXT = {
    "vi": {"none": "Chưa có phiên học trực tiếp nào sắp diễn ra.",
           "live": "Đang diễn ra", "scheduled": "Sắp diễn ra", "ended": "Đã kết thúc",
           "room": "Phòng học", "online": "Học trực tuyến", "join": "Tham gia",
           "tz": "giờ Việt Nam", "console": "Điều khiển phiên học",
           "projector": "Màn hình trình chiếu", "code": "Tham gia bằng mã",
           "schedule": "Lịch phiên học của lớp", "schedule_for": "Lên lịch phiên học: lớp"},
    "en": {"none": "No live session is coming up yet.",
           "live": "Live now", "scheduled": "Upcoming", "ended": "Ended",
           "room": "Room", "online": "Online", "join": "Join", "tz": "Vietnam time",
           "console": "Session console", "projector": "Projector view",
           "code": "Join with a code", "schedule": "The class's sessions",
           "schedule_for": "Schedule sessions: class"},
}


def validate_data(data: dict[str, Any]) -> list[str]:
    session_id = data.get("session_id")
    if session_id is None:
        return []
    if isinstance(session_id, bool) or not isinstance(session_id, int) or not (
            0 < session_id <= 2**31 - 1):
        return ["session_id phải là số nguyên dương (session_id must be a positive integer)."]
    return []


async def render_live_session(request: Any, module: Any, enrolment: Any = None) -> str:
    principal = request.scope.get("principal")
    text = _TEXT["en" if request_locale(request) == "en" else "vi"]
    title = module.title_en if text is _TEXT["en"] and module.title_en else module.title
    parts = [f'<section class="live-sessions"><h1>{escape(title)}</h1>']
    sessions = await _sessions_for(principal, module, enrolment) if principal else []
    if not sessions:
        parts.append(f'<p class="muted">{escape(text["none"])}</p>')
    else:
        parts.append('<ul class="live-list">')
        for session in sessions:
            parts.append(_item(session, text, await join_role(principal, session)))
        parts.append("</ul>")
    if principal and enrolment is None:
        parts.extend(await _schedule_links(principal, module, text))
    parts.append("</section>")
    return str(Markup("".join(parts)))


async def _schedule_links(principal: Any, module: Any, text: dict[str, str]) -> list[str]:
    """For those who run classes of this course: the page where each class's sessions are
    scheduled (so the first session can be made from here)."""
    if not principal.can("live.run"):
        return []
    qs = CourseClass.filter(course_id=module.course_id, institution_id=principal.institution_id
                            ).exclude(status=ClassStatus.ENDED)
    if not principal.can("classes.manage"):
        qs = qs.filter(lecturer_links__user_id=principal.user_id)
    classes = await qs.order_by("code", "id").limit(MAX_SHOWN).values("id", "code")
    if not classes:
        return []
    links = " ".join(f'<a class="button live-schedule" href="/live/classes/{c["id"]}/sessions">'
                     f'{escape(text["schedule_for"])} {escape(c["code"])}</a>' for c in classes)
    return [f'<p class="live-actions live-schedule-links">{links}</p>']


async def _sessions_for(principal: Any, module: Any, enrolment: Any) -> list[LiveSession]:
    data = module.data if isinstance(module.data, dict) else {}
    if not validate_data(data) and data.get("session_id"):
        session = await LiveSession.get_or_none(id=data["session_id"],
                                                institution_id=principal.institution_id)
        if session is None:
            return []
        try:
            await require_visible(principal, session)
        except Problem:
            return []
        return [session]
    qs = LiveSession.filter(institution_id=principal.institution_id).exclude(
        status=SessionStatus.ENDED)
    if enrolment is not None:
        qs = qs.filter(klass_id=enrolment.klass_id)
    else:  # a lecturer previewing the course: the sessions of the classes they teach
        qs = qs.filter(klass__course_id=module.course_id,
                       klass__lecturer_links__user_id=principal.user_id)
    return await qs.order_by("starts_at", "id").limit(MAX_SHOWN)


def _item(session: LiveSession, text: dict[str, str], role: str | None) -> str:
    """One session; its way in depends on the viewer: runners get the console and the
    projector view, trainees (and allowed guests) the live page, others nothing."""
    status = getattr(session.status, "value", session.status)
    mode = getattr(session.mode, "value", session.mode)
    out = [
        f'<li class="live-session" data-session-id="{session.id}" '
        f'data-status="{escape(status)}">',
        f'<h2>{escape(session.title)} <span class="badge badge-{escape(status)}">'
        f'{escape(text.get(status, status))}</span></h2>',
        f'<p><time datetime="{escape(session.starts_at.isoformat())}">'
        f'{escape(_when(session.starts_at, session.ends_at))}</time> '
        f'<span class="muted">({escape(text["tz"])})</span></p>',
    ]
    if mode in (SessionMode.IN_ROOM.value, SessionMode.BOTH.value) and session.room:
        out.append(f'<p>{escape(text["room"])}: {escape(session.room)}</p>')
    if mode in (SessionMode.ONLINE.value, SessionMode.BOTH.value) and _safe(session.meeting_url):
        url = escape(session.meeting_url)
        out.append(f'<p>{escape(text["online"])}: <a href="{url}" target="_blank" '
                   f'rel="noopener noreferrer">{url}</a></p>')
    if role == RUNNER:
        out.append(f'<p class="live-actions"><a class="button primary live-console" '
                   f'href="/live/sessions/{session.id}/console">{escape(text["console"])}</a> '
                   f'<a class="button live-projector" href="/live/sessions/{session.id}/projector"'
                   f' target="lv-projector-{session.id}">{escape(text["projector"])}</a> '
                   f'<a class="button live-schedule" href="/live/classes/{session.klass_id}/sessions">'
                   f'{escape(text["schedule"])}</a></p>')
    elif role is not None and status != SessionStatus.ENDED.value:
        out.append(f'<p class="live-actions"><a class="button primary live-join" '
                   f'href="/live/sessions/{session.id}" data-session-id="{session.id}" '
                   f'data-ws-url="/ws/live/{session.id}">{escape(text["join"])}</a> '
                   f'<a class="button live-code" href="/live/join">{escape(text["code"])}</a></p>')
    out.append("</li>")
    return "".join(out)


def _safe(url: str) -> bool:
    """Checked again on the way out: a link is only ever rendered if it is http(s)."""
    try:
        return bool(check_meeting_url(url))
    except ValueError:
        return False


def _when(starts_at: datetime, ends_at: datetime) -> str:
    start, end = starts_at.astimezone(VN_TZ), ends_at.astimezone(VN_TZ)
    if start.date() == end.date():
        return f"{start:%H:%M}–{end:%H:%M}, {start:%d/%m/%Y}"
    return f"{start:%H:%M %d/%m/%Y} – {end:%H:%M %d/%m/%Y}"
