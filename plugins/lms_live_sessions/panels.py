"""What the live-sessions plugin adds to the core's class page (``lms_page_panels``): the class's
in-room and online periods, so that nobody needs to know an address by heart.

* a **trainee** of the class sees each period with its time and room, and the way into the
  live page while a period is scheduled or running (the code typed in the room still works);
* those who **run** the class (its lecturers, administrators) see the console of each period
  and the scheduling page of the class.

Who is which is ``access.py``'s decision, the same as the pages and the socket.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from lms_core.plugin_api import PagePanel

from lms_live_sessions.access import JOINING_STATUSES, can_run
from lms_live_sessions.models import LiveSession, SessionMode, SessionStatus

#: Periods are scheduled in Vietnamese wall-clock time (live-schedule.js shows them so too).
VN = ZoneInfo("Asia/Ho_Chi_Minh")
#: The most periods listed: a long in-service programme may have many.
SHOWN = 50

STATUS = {"scheduled": ("Sắp diễn ra", "Scheduled"), "live": ("Đang diễn ra", "Live"),
          "ended": ("Đã kết thúc", "Ended")}
MODE = {"in_room": ("Tại phòng học", "In the room"), "online": ("Trực tuyến", "Online"),
        "both": ("Tại phòng và trực tuyến", "In the room and online")}


def when(starts_at: datetime, ends_at: datetime) -> str:
    """``08:00–10:00, 04/03/2030`` in Vietnamese time, as the scheduling page writes it."""
    start, end = starts_at.astimezone(VN), ends_at.astimezone(VN)
    return f"{start:%H:%M}–{end:%H:%M}, {start:%d/%m/%Y}"


def _value(v: Any) -> str:
    return str(getattr(v, "value", v))


async def class_panel(klass: Any, enrolment: Any, principal: Any) -> PagePanel | None:
    runner = await can_run(principal, klass.id)
    trainee = enrolment is not None and enrolment.status in JOINING_STATUSES
    if not runner and not trainee:
        return None
    rows = await LiveSession.filter(klass_id=klass.id).order_by("starts_at", "id").limit(
        SHOWN).values("id", "title", "starts_at", "ends_at", "mode", "room", "status")
    if not rows and not runner:
        return None
    sessions = []
    for r in rows:
        status, mode = _value(r["status"]), _value(r["mode"])
        url = ""
        if runner:
            url = f"/live/sessions/{r['id']}/console"
        elif status != SessionStatus.ENDED.value:
            url = f"/live/sessions/{r['id']}"
        sessions.append({"title": r["title"], "when": when(r["starts_at"], r["ends_at"]),
                         "room": r["room"] if mode != SessionMode.ONLINE.value else "",
                         "mode": MODE.get(mode, (mode, mode)),
                         "status": status, "status_label": STATUS.get(status, (status, status)),
                         "url": url})
    return PagePanel("Phiên học trực tiếp", "Live sessions", "live_sessions/_panel_class.html",
                     {"sessions": sessions, "runner": runner,
                      "schedule_url": f"/live/classes/{klass.id}/sessions"}, order=20)


async def panels(page: str, context: dict[str, Any], principal: Any) -> list[PagePanel]:
    if page != "class" or context.get("klass") is None:
        return []
    panel = await class_panel(context["klass"], context.get("enrolment"), principal)
    return [panel] if panel is not None else []
