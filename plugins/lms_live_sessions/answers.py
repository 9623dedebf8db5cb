"""A trainee's answer: stored against them and their enrolment, counted once however often the
phone retries, replaced when they change their mind (if the activity allows it).

Idempotency: every answer message carries the client's own ``client_id``. The answer row is
unique per (activity, user), and remembers which ``client_id`` produced which ``revision``. A
message whose ``client_id`` the row already knows is a retry: it gets the same ``ack`` as the
first time and changes nothing, even if the activity closed meanwhile. Two copies racing on two
workers both try to insert, the unique constraint lets one in, and the other finds it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from lms_live_sessions import quick_quiz
from lms_live_sessions.activities import LiveError, check_answer, check_client_id
from lms_live_sessions.models import Activity, ActivityResponse, ActivityState

#: Client ids remembered per answer: enough for any burst of retries of recent changes.
REMEMBERED_IDS = 32
#: An answer may race the commit of the push it answers (the broadcast leaves just before
#: the transaction commits): one short second look before refusing.
OPEN_RACE_SECONDS = 0.1


def ack(activity_id: int, client_id: str, revision: int) -> dict[str, Any]:
    return {"activity_id": activity_id, "client_id": client_id, "revision": revision}


async def record_answer(*, session_id: int, institution_id: int, user_id: int,
                        enrolment_id: int | None, activity_id: Any, client_id: Any,
                        answer: Any, plugins: Any = None) -> tuple[dict[str, Any], bool]:
    """Store the answer; returns the ack's fields and whether anything changed (so results
    need recomputing). Raises ``LiveError`` with the code the error frame carries."""
    if isinstance(activity_id, bool) or not isinstance(activity_id, int) \
            or not 0 < activity_id <= 2**31 - 1:
        raise LiveError(422, "invalid", "Thiếu hoặc sai “activity_id”.",
                        "Missing or invalid “activity_id”.")
    client_id = check_client_id(client_id)
    for attempt in range(2):
        try:
            return await _record(session_id, institution_id, user_id, enrolment_id,
                                 activity_id, client_id, answer, plugins)
        except IntegrityError:
            if attempt:
                raise
            # the same first answer arrived twice at once: the row exists now, look again
    raise AssertionError("unreachable")


async def _activity(session_id: int, activity_id: int) -> dict[str, Any]:
    rows = await Activity.filter(id=activity_id, session_id=session_id).values(
        "id", "kind", "state", "config", "allow_change", "opened_at")
    if not rows:
        raise LiveError(404, "not_found", "Không tìm thấy hoạt động.", "Activity not found.")
    row = rows[0]
    if getattr(row["state"], "value", row["state"]) in ("draft", "queued"):
        await asyncio.sleep(OPEN_RACE_SECONDS)
        row = (await Activity.filter(id=activity_id).values(
            "id", "kind", "state", "config", "allow_change", "opened_at"))[0]
    return row


async def _record(session_id: int, institution_id: int, user_id: int, enrolment_id: int | None,
                  activity_id: int, client_id: str, answer: Any, plugins: Any
                  ) -> tuple[dict[str, Any], bool]:
    existing = await ActivityResponse.filter(activity_id=activity_id, user_id=user_id,
                                             session_id=session_id).values("client_ids")
    if existing and client_id in (existing[0]["client_ids"] or {}):
        return ack(activity_id, client_id, existing[0]["client_ids"][client_id]), False
    activity = await _activity(session_id, activity_id)
    if getattr(activity["state"], "value", activity["state"]) != ActivityState.OPEN.value:
        closed = getattr(activity["state"], "value", activity["state"]) == "closed"
        raise LiveError(409, "closed" if closed else "not_open",
                        "Hoạt động đã đóng, không nhận thêm câu trả lời." if closed
                        else "Hoạt động chưa mở.",
                        "The activity is closed: no more answers." if closed
                        else "The activity is not open yet.")
    normalised = check_answer(activity["kind"], activity["config"], answer)
    graded: dict[str, Any] = {}
    if getattr(activity["kind"], "value", activity["kind"]) == quick_quiz.KIND:
        if existing:  # one answer per trainee, and no grading (or timing) of a second one
            raise _already_answered()
        graded = await quick_quiz.grade_answer(plugins, institution_id, activity, normalised)
    async with in_transaction():
        row = await ActivityResponse.filter(activity_id=activity_id, user_id=user_id
                                            ).select_for_update().first()
        if row is None:
            await ActivityResponse.create(
                activity_id=activity_id, session_id=session_id, institution_id=institution_id,
                user_id=user_id, enrolment_id=enrolment_id, answer=normalised,
                client_id=client_id, client_ids={client_id: 1}, revision=1, **graded)
            return ack(activity_id, client_id, 1), True
        ids = dict(row.client_ids or {})
        if client_id in ids:  # a retry that raced its own first copy
            return ack(activity_id, client_id, ids[client_id]), False
        if not activity["allow_change"]:
            raise _already_answered()
        row.revision += 1
        ids[client_id] = row.revision
        if len(ids) > REMEMBERED_IDS:
            ids = dict(sorted(ids.items(), key=lambda kv: kv[1])[-REMEMBERED_IDS:])
        row.client_ids = ids
        row.client_id = client_id
        row.answer = normalised
        await row.save(update_fields=["revision", "client_ids", "client_id", "answer",
                                      "updated_at"])
        return ack(activity_id, client_id, row.revision), True


def _already_answered() -> LiveError:
    return LiveError(409, "already_answered",
                     "Bạn đã trả lời hoạt động này, không đổi được câu trả lời.",
                     "You have already answered this activity and cannot change it.")


async def my_answer(activity_id: int, user_id: int) -> dict[str, Any] | None:
    """For the snapshot: what this user answered, so a reconnecting phone shows it again."""
    rows = await ActivityResponse.filter(activity_id=activity_id, user_id=user_id).values(
        "answer", "client_id", "revision")
    return rows[0] if rows else None
