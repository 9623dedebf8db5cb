"""Accepting a batch of events: read the body as a beacon sends it, check every event, put the
client's times onto the server clock and store the new ones in one transaction."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from starlette.requests import Request
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from lms_core.http.problems import Problem
from lms_core.models import CourseModule, Enrolment
from lms_core.models.enrolments import SEAT_HOLDING
from lms_engagement.models import EngagementEvent, EventKind
from lms_engagement.schemas import EventBatch, EventIn

MAX_BODY_BYTES = 256 * 1024
#: navigator.sendBeacon sends a string as text/plain, a Blob with its own type.
CONTENT_TYPES = ("application/json", "text/plain")
#: An event may not be stamped after the batch that carries it (beyond rounding).
FUTURE_TOLERANCE = timedelta(seconds=5)
#: Older events are refused: a page that kept a queue for a day is not telling about now.
MAX_AGE = timedelta(hours=24)


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
        raw = json.loads(b"".join(chunks) or b"null", parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise Problem(400, "Dữ liệu JSON không đọc được.", "Malformed JSON.") from None
    return EventBatch.model_validate(raw)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def corrected_times(batch: EventBatch, received: datetime) -> list[datetime]:
    """``received - (sent_at - at)``: the age of an event by the client's own clock, applied to
    the server clock, so a phone set minutes (or hours) wrong still lines up with the others."""
    out: list[datetime] = []
    errors: list[dict[str, Any]] = []
    for index, event in enumerate(batch.events):
        age = batch.sent_at - event.at
        if age < -FUTURE_TOLERANCE:
            errors.append(_error(index, "at", "later than sent_at"))
        elif age > MAX_AGE:
            errors.append(_error(index, "at", "more than 24 hours before sent_at"))
        else:
            out.append(received - max(age, timedelta(0)))
    if errors:
        first = errors[0]["index"]
        raise Problem(422, f"Thời điểm của sự kiện số {first} (đếm từ 0) không hợp lệ so với "
                           "thời điểm gửi.",
                      f"Event {first} has a time that does not fit the batch's sent_at.",
                      errors=errors)
    return out


async def enrolments_for_modules(institution_id: int, user_id: int,
                                 events: list[EventIn]) -> dict[int, int]:
    """Map each module named in the batch to the user's enrolment that covers it. A module the
    user does not learn (or of another institution) fails the batch, naming the event index."""
    module_ids = {e.module_id for e in events if e.module_id is not None}
    if not module_ids:
        return {}
    course_of = dict(await CourseModule.filter(
        id__in=module_ids, course__institution_id=institution_id,
    ).values_list("id", "course_id"))
    enrolment_of_course: dict[int, int] = {}
    if course_of:
        rows = await Enrolment.filter(
            user_id=user_id, status__in=SEAT_HOLDING, klass__institution_id=institution_id,
            klass__course_id__in=set(course_of.values()),
        ).order_by("id").values_list("klass__course_id", "id")
        enrolment_of_course = dict(rows)  # the latest enrolment wins
    mapping: dict[int, int] = {}
    errors: list[dict[str, Any]] = []
    for index, event in enumerate(events):
        if event.module_id is None:
            continue
        enrolment_id = enrolment_of_course.get(course_of.get(event.module_id, -1))
        if enrolment_id is None:
            errors.append(_error(index, "module_id", "not a module you are enrolled for"))
        else:
            mapping[event.module_id] = enrolment_id
    if errors:
        first = errors[0]
        raise Problem(422, f"Sự kiện số {first['index']} (đếm từ 0) gắn với module "
                           f"{events[first['index']].module_id} của một khoá học bạn không "
                           "ghi danh.",
                      f"Event {first['index']} refers to module "
                      f"{events[first['index']].module_id}, which you are not enrolled for.",
                      errors=errors[:50])
    return mapping


async def store_batch(institution_id: int, user_id: int, batch: EventBatch) -> dict[str, int]:
    received = datetime.now(timezone.utc)
    corrected = corrected_times(batch, received)
    enrolment_of = await enrolments_for_modules(institution_id, user_id, batch.events)
    unique: dict[str, tuple[EventIn, datetime]] = {}
    for event, ts in zip(batch.events, corrected):
        unique.setdefault(event.id, (event, ts))  # an id twice in one batch counts once
    for attempt in range(2):
        try:
            return await _insert_new(institution_id, user_id, unique, enrolment_of, received,
                                     len(batch.events))
        except IntegrityError:
            # A concurrent resend of the same batch won the race: the retry sees its rows
            # and counts them as duplicates instead of failing the request.
            if attempt:
                raise
    raise AssertionError("unreachable")


async def _insert_new(institution_id: int, user_id: int,
                      unique: dict[str, tuple[EventIn, datetime]], enrolment_of: dict[int, int],
                      received: datetime, sent: int) -> dict[str, int]:
    async with in_transaction():
        existing = set(await EngagementEvent.filter(
            user_id=user_id, client_id__in=list(unique)).values_list("client_id", flat=True))
        rows = [
            EngagementEvent(
                institution_id=institution_id, user_id=user_id,
                enrolment_id=enrolment_of.get(event.module_id) if event.module_id else None,
                module_id=event.module_id, live_session_id=event.live_session_id,
                client_id=client_id, kind=EventKind(event.kind), client_ts=event.at,
                server_ts=received, corrected_ts=ts, data=event.data,
            )
            for client_id, (event, ts) in unique.items() if client_id not in existing
        ]
        if rows:
            await EngagementEvent.bulk_create(rows, batch_size=500)
    return {"accepted": len(rows), "duplicates": sent - len(rows)}


def _error(index: int, field: str, message: str) -> dict[str, Any]:
    return {"field": f"events.{index}.{field}", "location": "body", "message": message,
            "index": index}
