"""Q&A (like Slido): participants ask questions during the session, everyone upvotes, runners
moderate, pin and mark answered.

* A question is stored once per (session, author, client_id): a phone that retries an ask
  creates nothing new and gets the same question back.
* A vote is one row per (question, user) with an ``active`` flag: voting twice counts once,
  un-voting is allowed, and a retried vote or un-vote (same ``client_id``) changes nothing.
* ``anonymous`` hides the author from other participants and the projector; runners always see
  who asked (a civil-service class is not an anonymous forum for those running it).
* In a session with ``qna_moderated`` a new question is ``pending`` until a runner approves it.

The list the room sees is ordered pinned first, then by votes, then oldest first. It is sent
coalesced like results (``fanout``): asks and votes only mark the session's list dirty, and one
``questions`` frame per audience follows within the interval, computed from the database.
"""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from lms_core.broker import Broker

from lms_live_sessions.activities import LiveError, check_client_id, invalid
from lms_live_sessions.channel import bump_seq
from lms_live_sessions.events import PUBLIC, RUNNER, SCREEN, emit
from lms_live_sessions.fanout import flusher_for
from lms_live_sessions.models import LiveQuestion, LiveSession, QuestionStatus, QuestionVote, \
    SessionStatus
from lms_live_sessions.results import clean_text
from lms_live_sessions.service import utcnow

MAX_QUESTION_CHARS = 500
#: The list sent to screens: enough for any class; the export has every question.
LIST_LIMIT = 200
#: Client ids remembered per vote row (retries of recent changes).
REMEMBERED_IDS = 32
QUESTION_FIELDS = ("id", "text", "anonymous", "status", "pinned", "answered", "answered_at",
                   "votes", "created_at", "user_id", "user__full_name")
ORDER = ("-pinned", "-votes", "created_at", "id")


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


def question_dict(row: dict[str, Any], *, with_author: bool) -> dict[str, Any]:
    """``author`` is null for an anonymous question unless ``with_author`` (runners)."""
    shown = with_author or not row["anonymous"]
    return {"id": row["id"], "text": row["text"], "votes": row["votes"],
            "status": _plain(row["status"]), "pinned": row["pinned"],
            "answered": row["answered"], "anonymous": row["anonymous"],
            "created_at": row["created_at"], "answered_at": row["answered_at"],
            "author": {"user_id": row["user_id"], "full_name": row["user__full_name"]}
            if shown else None}


async def question_list(session_id: int, *, runner: bool) -> list[dict[str, Any]]:
    """Runners get every question (pending and hidden too) with its author; the room gets the
    visible ones, authors of anonymous ones left out."""
    qs = LiveQuestion.filter(session_id=session_id)
    if not runner:
        qs = qs.filter(status=QuestionStatus.VISIBLE)
    rows = await qs.order_by(*ORDER).limit(LIST_LIMIT).values(*QUESTION_FIELDS)
    return [question_dict(r, with_author=runner) for r in rows]


async def qna_state(session_id: int, user_id: int, *, listener: str, moderated: bool
                    ) -> dict[str, Any]:
    """The ``qna`` part of a snapshot: the list as this audience sees it and, for a
    participant, which questions they voted for and their own questions (pending ones too)."""
    out: dict[str, Any] = {"moderated": moderated,
                           "items": await question_list(session_id, runner=listener == RUNNER)}
    if listener == PUBLIC:
        out["my_votes"] = sorted(await QuestionVote.filter(
            question__session_id=session_id, user_id=user_id, active=True).values_list(
            "question_id", flat=True))
        mine = await LiveQuestion.filter(session_id=session_id, user_id=user_id).order_by(
            "id").values(*QUESTION_FIELDS)
        out["mine"] = [question_dict(r, with_author=True) for r in mine]
    return out


async def emit_questions(broker: Broker | None, session_id: int) -> None:
    """One frame per audience, read after taking the session lock so a later ``seq`` never
    carries an older list."""
    async with in_transaction():
        await bump_seq(session_id)
        moderated = (await LiveSession.filter(id=session_id).values_list(
            "qna_moderated", flat=True))[0]
        for audience in (RUNNER, SCREEN, PUBLIC):
            items = await question_list(session_id, runner=audience == RUNNER)
            seq, _ = await bump_seq(session_id)
            await emit(broker, session_id, seq, audience, "questions", moderated=moderated,
                       items=items)


def mark_questions(broker: Broker | None, session_id: int) -> None:
    flusher_for(broker).mark_key(("qna", session_id),
                                 lambda: emit_questions(broker, session_id))


async def _live_session(session_id: int) -> LiveSession:
    session = await LiveSession.get_or_none(id=session_id)
    if session is None:
        raise LiveError(404, "not_found", "Không tìm thấy phiên học.", "Session not found.")
    if _plain(session.status) != SessionStatus.LIVE.value:
        raise LiveError(409, "not_live", "Phiên học chưa bắt đầu hoặc đã kết thúc.",
                        "The session is not live.")
    return session


async def ask(*, session_id: int, institution_id: int, user_id: int, full_name: str,
              enrolment_id: int | None, client_id: Any, text: Any, anonymous: Any
              ) -> tuple[dict[str, Any], bool]:
    """Store a question; returns it (as its author sees it) and whether it is new."""
    client_id = check_client_id(client_id)
    if not isinstance(anonymous, bool):
        raise invalid("“anonymous” phải là true hoặc false.", "“anonymous” must be a boolean.")
    cleaned = clean_text(text) if isinstance(text, str) else ""
    if not cleaned or len(cleaned) > MAX_QUESTION_CHARS:
        raise LiveError(422, "invalid_question",
                        f"Câu hỏi là một đoạn chữ từ 1 đến {MAX_QUESTION_CHARS} ký tự.",
                        f"A question is text of 1 to {MAX_QUESTION_CHARS} characters.")
    existing = await LiveQuestion.filter(session_id=session_id, user_id=user_id,
                                         client_id=client_id).values(*QUESTION_FIELDS)
    if existing:
        return question_dict(existing[0], with_author=True), False
    session = await _live_session(session_id)
    status = QuestionStatus.PENDING if session.qna_moderated else QuestionStatus.VISIBLE
    try:
        row = await LiveQuestion.create(
            session_id=session_id, institution_id=institution_id, user_id=user_id,
            enrolment_id=enrolment_id, client_id=client_id, text=cleaned, anonymous=anonymous,
            status=status)
    except IntegrityError:  # the same ask raced itself on two workers
        again = await LiveQuestion.filter(session_id=session_id, user_id=user_id,
                                          client_id=client_id).values(*QUESTION_FIELDS)
        return question_dict(again[0], with_author=True), False
    return question_dict({**{k: getattr(row, k, None) for k in QUESTION_FIELDS[:-2]},
                          "user_id": user_id, "user__full_name": full_name},
                         with_author=True), True


def _question_id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 2**31 - 1:
        raise invalid("Thiếu hoặc sai “question_id”.", "Missing or invalid “question_id”.")
    return value


def not_found() -> LiveError:
    return LiveError(404, "not_found", "Không tìm thấy câu hỏi.", "Question not found.")


async def vote(*, session_id: int, user_id: int, question_id: Any, client_id: Any, up: Any
               ) -> tuple[dict[str, Any], bool]:
    """Vote (``up`` true) or take the vote back; returns the reply's fields and whether the
    count changed. Only questions the room sees can be voted on."""
    question_id = _question_id(question_id)
    client_id = check_client_id(client_id)
    if not isinstance(up, bool):
        raise invalid("“up” phải là true hoặc false.", "“up” must be a boolean.")
    for attempt in range(2):
        try:
            return await _vote(session_id, user_id, question_id, client_id, up)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


async def _vote(session_id: int, user_id: int, question_id: int, client_id: str, up: bool
                ) -> tuple[dict[str, Any], bool]:
    def fields(voted: bool) -> dict[str, Any]:
        return {"question_id": question_id, "client_id": client_id, "voted": voted}

    known = await QuestionVote.filter(question_id=question_id, user_id=user_id).values(
        "client_ids")
    if known and client_id in (known[0]["client_ids"] or {}):
        return fields(known[0]["client_ids"][client_id]), False
    if not await LiveQuestion.filter(id=question_id, session_id=session_id,
                                     status=QuestionStatus.VISIBLE).exists():
        raise not_found()
    async with in_transaction():
        row = await QuestionVote.filter(question_id=question_id, user_id=user_id
                                        ).select_for_update().first()
        if row is None:
            if up:
                await QuestionVote.create(question_id=question_id, user_id=user_id, active=True,
                                          client_ids={client_id: True})
                await LiveQuestion.filter(id=question_id).update(votes=F("votes") + 1)
                return fields(True), True
            await QuestionVote.create(question_id=question_id, user_id=user_id, active=False,
                                      client_ids={client_id: False})
            return fields(False), False
        ids = dict(row.client_ids or {})
        if client_id in ids:
            return fields(ids[client_id]), False
        ids[client_id] = up
        if len(ids) > REMEMBERED_IDS:
            ids = dict(list(ids.items())[-REMEMBERED_IDS:])
        changed = row.active != up
        row.active, row.client_ids = up, ids
        await row.save(update_fields=["active", "client_ids", "updated_at"])
        if changed:
            await LiveQuestion.filter(id=question_id).update(
                votes=F("votes") + (1 if up else -1))
        return fields(up), changed


async def moderate(session_id: int, question_id: Any, changes: dict[str, Any]
                   ) -> dict[str, Any]:
    """A runner's change: ``status`` (``visible`` approves or shows again, ``hidden`` takes it
    down), ``pinned`` (one pinned question at a time: pinning unpins the others), ``answered``.
    Returns the question as runners see it."""
    question_id = _question_id(question_id)
    allowed = {"status", "pinned", "answered"}
    if not changes or set(changes) - allowed:
        raise invalid("Chỉ đổi được “status”, “pinned” hoặc “answered”.",
                      "Only “status”, “pinned” or “answered” can change.")
    status = changes.get("status")
    if status is not None and status not in (QuestionStatus.VISIBLE.value,
                                             QuestionStatus.HIDDEN.value):
        raise invalid("“status” là “visible” hoặc “hidden”.",
                      "“status” is “visible” or “hidden”.")
    for name in ("pinned", "answered"):
        if name in changes and not isinstance(changes[name], bool):
            raise invalid(f"“{name}” phải là true hoặc false.", f"“{name}” must be a boolean.")
    async with in_transaction():
        await bump_seq(session_id)  # serialise with the session's other changes
        row = await LiveQuestion.get_or_none(id=question_id, session_id=session_id)
        if row is None:
            raise not_found()
        if status is not None:
            row.status = QuestionStatus(status)
        if changes.get("pinned"):
            await LiveQuestion.filter(session_id=session_id, pinned=True).update(pinned=False)
        if "pinned" in changes:
            row.pinned = changes["pinned"]
        if "answered" in changes:
            row.answered = changes["answered"]
            row.answered_at = utcnow() if changes["answered"] else None
        await row.save()
    shown = await LiveQuestion.filter(id=question_id).values(*QUESTION_FIELDS)
    return question_dict(shown[0], with_author=True)


async def set_moderated(session_id: int, moderated: Any) -> bool:
    """Switch approval on or off. Questions already pending stay pending until approved."""
    if not isinstance(moderated, bool):
        raise invalid("“moderated” phải là true hoặc false.", "“moderated” must be a boolean.")
    await LiveSession.filter(id=session_id).update(qna_moderated=moderated)
    return moderated
