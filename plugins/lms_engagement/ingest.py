"""Accepting a batch of events: read the body as a beacon sends it, check every event, put the
client's times onto the server clock and hand the rows to the group-commit writer."""

from __future__ import annotations

import time
import weakref
from datetime import datetime, timedelta, timezone
from typing import Any, Sequence

import orjson
from starlette.requests import Request
from lms_core.http.problems import Problem
from lms_core.sql import fetch, in_list
from lms_core.models.enrolments import SEAT_HOLDING
from lms_engagement import live_state
from lms_engagement.schemas import EventBatch, EventIn
from lms_engagement.writer import EventRow, writer_for

MAX_BODY_BYTES = 256 * 1024
#: navigator.sendBeacon sends a string as text/plain, a Blob with its own type.
CONTENT_TYPES = ("application/json", "text/plain")
#: An event may not be stamped after the batch that carries it (beyond rounding).
FUTURE_TOLERANCE = timedelta(seconds=5)
#: Older events are refused: a page that kept a queue for a day is not telling about now.
MAX_AGE = timedelta(hours=24)
_NO_TIME = timedelta(0)
_TOO_LATE = -FUTURE_TOLERANCE


async def read_batch(request: Request) -> EventBatch:
    """Parse the body ourselves: the ``api`` decorator only takes application/json, and a beacon
    cannot choose its headers. The size limit is enforced while reading, not after."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in CONTENT_TYPES:
        raise Problem(415, "Dữ liệu phải là JSON (application/json hoặc text/plain).",
                      "The body must be JSON sent as application/json or text/plain.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise Problem(413)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise Problem(413)
        chunks.append(chunk)
    try:
        raw = orjson.loads(b"".join(chunks) or b"null")  # refuses NaN and Infinity itself
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise Problem(400, "Dữ liệu JSON không đọc được.", "Malformed JSON.") from None
    return EventBatch.model_validate(raw)


def corrected_times(batch: EventBatch, received: datetime) -> list[datetime]:
    """``received - (sent_at - at)``: the age of an event by the client's own clock, applied to
    the server clock, so a phone set minutes (or hours) wrong still lines up with the others."""
    out: list[datetime] = []
    errors: list[dict[str, Any]] = []
    sent = batch.sent_at
    for index, event in enumerate(batch.events):
        age = sent - event["at"]
        if age <= _NO_TIME:  # stamped at (or, by rounding, just after) sending: now
            if age < _TOO_LATE:
                errors.append(_error(index, "at", "later than sent_at"))
            else:
                out.append(received)
        elif age > MAX_AGE:
            errors.append(_error(index, "at", "more than 24 hours before sent_at"))
        else:
            out.append(received - age)
    if errors:
        first = errors[0]["index"]
        raise Problem(422, f"Thời điểm của sự kiện số {first} (đếm từ 0) không hợp lệ so với "
                           "thời điểm gửi.",
                      f"Event {first} has a time that does not fit the batch's sent_at.",
                      errors=errors)
    return out


#: Per app (its plugin manager): (institution, user, module) -> (enrolment, expiry). Only what
#: was found, never a refusal, so a new enrolment counts at once and a withdrawn one at most
#: ``REMEMBER_SECONDS`` late.
_ENROLMENTS: "weakref.WeakKeyDictionary[Any, dict[tuple[int, int, int], tuple[int, float]]]" = \
    weakref.WeakKeyDictionary()
REMEMBER_SECONDS = 60.0
_REMEMBER_MAX = 100_000


def _cache(plugins: Any) -> dict[tuple[int, int, int], tuple[int, float]] | None:
    if plugins is None:
        return None
    found = _ENROLMENTS.get(plugins)
    if found is None:
        found = _ENROLMENTS[plugins] = {}
    return found


def _remembered(cache: Any, institution_id: int, user_id: int,
                module_ids: set[int]) -> dict[int, int] | None:
    if cache is None:
        return None
    now = time.monotonic()
    out: dict[int, int] = {}
    for module_id in module_ids:
        hit = cache.get((institution_id, user_id, module_id))
        if hit is None or hit[1] < now:
            return None
        out[module_id] = hit[0]
    return out


def _remember(cache: Any, institution_id: int, user_id: int, mapping: dict[int, int]) -> None:
    if cache is None:
        return
    if len(cache) > _REMEMBER_MAX:
        cache.clear()
    until = time.monotonic() + REMEMBER_SECONDS
    for module_id, enrolment_id in mapping.items():
        cache[(institution_id, user_id, module_id)] = (enrolment_id, until)


async def enrolments_for_modules(institution_id: int, user_id: int,
                                 events: list[EventIn], plugins: Any = None) -> dict[int, int]:
    """Map each module named in the batch to the user's enrolment that covers it. A module the
    user does not learn (or of another institution) fails the batch, naming the event index."""
    module_ids = {m for e in events if (m := e.get("module_id")) is not None}
    if not module_ids:
        return {}
    cache = _cache(plugins)
    known = _remembered(cache, institution_id, user_id, module_ids)
    if known is not None:  # a page sends every few seconds: its enrolment did not change
        return known
    # one hand-written query (a page's first batch misses the cache: a class's worth of pages
    # arrive together); the latest seat-holding enrolment wins
    found = await fetch(
        "SELECT m.id AS module_id, e.id AS enrolment_id FROM lms_course_module m "
        "JOIN lms_course c ON c.id = m.course_id AND c.institution_id = $1 "
        "JOIN lms_class k ON k.course_id = c.id AND k.institution_id = $1 "
        "JOIN lms_enrolment e ON e.klass_id = k.id AND e.user_id = $2 "
        f"AND e.status IN ({in_list(3, len(SEAT_HOLDING))}) "
        f"WHERE m.id IN ({in_list(3 + len(SEAT_HOLDING), len(module_ids))}) ORDER BY e.id",
        institution_id, user_id, *(status.value for status in SEAT_HOLDING), *module_ids)
    enrolment_of_module = {row["module_id"]: row["enrolment_id"] for row in found}
    mapping: dict[int, int] = {}
    errors: list[dict[str, Any]] = []
    for index, event in enumerate(events):
        module_id = event.get("module_id")
        if module_id is None:
            continue
        enrolment_id = enrolment_of_module.get(module_id)
        if enrolment_id is None:
            errors.append(_error(index, "module_id", "not a module you are enrolled for"))
        else:
            mapping[module_id] = enrolment_id
    if not errors:
        _remember(cache, institution_id, user_id, mapping)
    if errors:
        index = errors[0]["index"]
        module_id = events[index].get("module_id")
        raise Problem(422, f"Sự kiện số {index} (đếm từ 0) gắn với module {module_id} của một "
                           "khoá học bạn không ghi danh.",
                      f"Event {index} refers to module {module_id}, which you are not enrolled "
                      "for.", errors=errors[:50])
    return mapping


async def check_live_sessions(user_id: int, events: list[EventIn]) -> None:
    """A beacon may carry a live page's events (sent when the page hid, as its socket went
    away): only for a session the user's own socket has joined, which the live state records."""
    from lms_engagement.models import LiveState

    wanted = {s for e in events if (s := e.get("live_session_id")) is not None}
    if not wanted:
        return
    joined = set(await LiveState.filter(session_id__in=wanted, user_id=user_id).values_list(
        "session_id", flat=True))
    for index, event in enumerate(events):
        session_id = event.get("live_session_id")
        if session_id is not None and session_id not in joined:
            raise Problem(422, f"Sự kiện số {index} (đếm từ 0) gắn với phiên học trực tiếp "
                               f"{session_id} mà bạn chưa tham gia.",
                          f"Event {index} refers to live session {session_id}, "
                          "which you have not joined.",
                          errors=[_error(index, "live_session_id",
                                         "not a live session you have joined")])


def rows_for(institution_id: int, user_id: int, batch: EventBatch, received: datetime,
             enrolment_of: dict[int, int], *, live_session_id: int | None = None,
             enrolment_id: int | None = None) -> list[EventRow]:
    """The batch as table rows, times corrected, an id sent twice in one batch kept once. A
    live socket passes its own session (and the trainee's enrolment): what a page claims about
    either is not trusted there. (One loop, positional rows: this runs for every event.)"""
    corrected = corrected_times(batch, received)
    seen: set[str] = set()
    rows: list[EventRow] = []
    append = rows.append
    if live_session_id is not None:
        for event, ts in zip(batch.events, corrected):
            client_id = event["id"]
            if client_id not in seen:
                seen.add(client_id)
                append(EventRow(institution_id, user_id, enrolment_id, None, live_session_id,
                                client_id, event["kind"], event["at"], received, ts,
                                event.get("data") or {}))
        return rows
    for event, ts in zip(batch.events, corrected):
        client_id = event["id"]
        if client_id not in seen:
            seen.add(client_id)
            module_id = event.get("module_id")
            append(EventRow(institution_id, user_id,
                            enrolment_of.get(module_id) if module_id else None, module_id,
                            event.get("live_session_id"), client_id, event["kind"],
                            event["at"], received, ts, event.get("data") or {}))
    return rows


async def store_batch(plugins: Any, institution_id: int, user_id: int,
                      batch: EventBatch) -> dict[str, int]:
    """The beacon's batch: checked whole (a bad event refuses all of it), then written."""
    received = datetime.now(timezone.utc)
    enrolment_of = await enrolments_for_modules(institution_id, user_id, batch.events, plugins)
    await check_live_sessions(user_id, batch.events)
    rows = rows_for(institution_id, user_id, batch, received, enrolment_of)
    by_session: dict[int, list[tuple[datetime, str]]] = {}
    for row in rows:
        if row.live_session_id is not None:
            by_session.setdefault(row.live_session_id, []).append((row.corrected_ts, row.kind))
    # a live page's last words: the console's counts follow them too
    states = [live_state.signal_state(session_id, institution_id, user_id, events, received)
              for session_id, events in by_session.items()]
    accepted = await write(plugins, rows, states)
    return {"accepted": accepted, "duplicates": len(batch.events) - accepted}


async def write(plugins: Any, rows: list[EventRow],
                states: Sequence[live_state.SignalState] = ()) -> int:
    """Through the app's group-commit writer; a database failure is a 503 the page retries."""
    try:
        return await writer_for(plugins).write(rows, states)
    except Exception:
        raise Problem(503, "Chưa lưu được dữ liệu, trang sẽ gửi lại sau.",
                      "The events could not be stored now; the page will send them again.") \
            from None


def _error(index: int, field: str, message: str) -> dict[str, Any]:
    return {"field": f"events.{index}.{field}", "location": "body", "message": message,
            "index": index}
