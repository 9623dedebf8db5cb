"""A user's live sessions as an iCalendar feed (RFC 5545) behind a secret URL.

Calendar apps (Google Calendar, Outlook, a phone's calendar) fetch a feed without cookies, so
the URL itself is the credential: a random token of 256 bits, of which only the SHA-256 is
stored. The feed lists the sessions of the classes the owner learns in (an active or approved
enrolment) or teaches, within the institution the token was made in, from a month ago to half
a year ahead. The text is written by the ``icalendar`` library (line folding, escaping of
commas and semicolons, UTF-8), not by hand.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event
from tortoise.transactions import in_transaction

from lms_core.models import ClassLecturer, Enrolment
from lms_live_sessions.access import JOINING_STATUSES
from lms_live_sessions.models import CalendarFeed, LiveSession

#: How far back and ahead the feed reaches: recent periods stay visible for a while.
PAST = timedelta(days=30)
AHEAD = timedelta(days=183)
MAX_EVENTS = 500

MODE_LABELS = {"in_room": "Tại lớp (in the room)", "online": "Trực tuyến (online)",
               "both": "Tại lớp và trực tuyến (in the room and online)"}
STATUS_LABELS = {"scheduled": "Đã lên lịch (scheduled)", "live": "Đang diễn ra (live)",
                 "ended": "Đã kết thúc (ended)"}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def rotate(user_id: int, institution_id: int) -> str:
    """A new token for the user, replacing any earlier one (whose URL then answers 404).
    Returned once: only its hash is kept."""
    token = secrets.token_urlsafe(32)
    async with in_transaction():
        await CalendarFeed.filter(user_id=user_id).delete()
        await CalendarFeed.create(user_id=user_id, institution_id=institution_id,
                                  token_hash=token_hash(token))
    return token


async def revoke(user_id: int) -> bool:
    return await CalendarFeed.filter(user_id=user_id).delete() > 0


async def feed_of(token: str) -> CalendarFeed | None:
    """The feed this token opens, if it is current and its owner still active."""
    if not 20 <= len(token) <= 100:
        return None
    feed = await CalendarFeed.get_or_none(token_hash=token_hash(token)).select_related("user")
    if feed is None or not feed.user.is_active:
        return None
    return feed


async def sessions_of(user_id: int, institution_id: int, now: datetime) -> list[dict[str, Any]]:
    """The owner's sessions in the feed's institution only, whatever other memberships the
    user holds: a token never lists anything but its owner's classes there."""
    learning = await Enrolment.filter(user_id=user_id, status__in=JOINING_STATUSES).values_list(
        "klass_id", flat=True)
    teaching = await ClassLecturer.filter(user_id=user_id).values_list("klass_id", flat=True)
    class_ids = set(learning) | set(teaching)
    if not class_ids:
        return []
    return await LiveSession.filter(
        klass_id__in=sorted(class_ids), institution_id=institution_id,
        ends_at__gte=now - PAST, starts_at__lte=now + AHEAD,
    ).order_by("starts_at", "id").limit(MAX_EVENTS).values(
        "id", "title", "starts_at", "ends_at", "mode", "room", "meeting_url", "status",
        "created_at", "klass__title", "klass__code")


def _plain(value: Any) -> str:
    return str(getattr(value, "value", value))


def build(rows: list[dict[str, Any]], *, base_url: str, host: str, now: datetime) -> bytes:
    """One VEVENT per session: times in UTC, the summary and description in Vietnamese."""
    cal = Calendar()
    cal.add("prodid", "-//LMS Bồi dưỡng công chức//Phiên học trực tiếp//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "Lịch học trực tiếp")
    for row in rows:
        live_page = f"{base_url}/live/sessions/{row['id']}"
        event = Event()
        event.add("uid", f"live-session-{row['id']}@{host}")
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", row["starts_at"].astimezone(UTC))
        event.add("dtend", row["ends_at"].astimezone(UTC))
        event.add("summary", f"{row['title']} · {row['klass__title']}")
        if row["room"]:
            event.add("location", row["room"])
        event.add("url", row["meeting_url"] or live_page)
        mode, status = _plain(row["mode"]), _plain(row["status"])
        lines = [f"Lớp (class): {row['klass__title']} ({row['klass__code']})",
                 f"Hình thức (mode): {MODE_LABELS.get(mode, mode)}",
                 f"Trạng thái (status): {STATUS_LABELS.get(status, status)}",
                 f"Trang phiên học (live page): {live_page}"]
        if row["meeting_url"]:
            lines.append(f"Phòng họp trực tuyến (meeting): {row['meeting_url']}")
        event.add("description", "\n".join(lines))
        cal.add_component(event)
    return cal.to_ical()
