"""The socket messages of Q&A, raise hand and group discussion: who may send each, and how its
outcome is told back. Kept out of ``realtime`` so the socket's plumbing (connecting, resuming,
forwarding) stays apart from what the room does.

Every accepted message gets an ``ok`` reply to the sender (``for`` names the message), every
refusal an ``error`` frame on the sender's socket only; the room hears of changes through
broadcasts (``questions``, ``hands``, ``discussion_*``, ``group_*``).
"""

from __future__ import annotations

from typing import Any, Protocol

from lms_core.auth.principal import Principal
from lms_core.http.problems import Problem

from lms_live_sessions import checkin, extensions, groups, hands, qna
from lms_live_sessions.access import RUNNER
from lms_live_sessions.activities import LiveError
from lms_live_sessions.channel import reply
from lms_live_sessions.events import RUNNER as RUNNER_LISTENER
from lms_live_sessions.events import SCREEN

#: Messages anyone in the session may send, except the projector view.
PARTICIPANT = {"ask", "vote", "raise_hand", "lower_hand", "group_edit", "check_in"}
#: Messages only a runner's own (non-projector) socket may send.
RUNNER_ONLY = {"moderate_question", "qna_settings", "lower_all_hands", "open_discussion",
               "close_discussion", "show_group", "checkin_settings"}
MESSAGES = PARTICIPANT | RUNNER_ONLY


class Connection(Protocol):
    """What a handler needs of ``realtime.LiveConnection``."""

    principal: Principal
    session_id: int
    institution_id: int
    role: str
    listener: str
    enrolment_id: int | None
    broker: Any
    plugins: Any

    async def send(self, text: str) -> None: ...

    async def _error(self, code: str, vi: str, en: str, **extra: Any) -> None: ...


def ok(kind: str, data: dict[str, Any], **payload: Any) -> str:
    """The sender's ``client_id`` comes back on every ``ok`` (when it sent a valid one), so a
    phone with several messages in flight knows which one this answers."""
    client_id = data.get("client_id")
    if "client_id" not in payload and isinstance(client_id, str) and 0 < len(client_id) <= 64:
        payload["client_id"] = client_id
    return reply("ok", **{"for": kind}, **payload)


async def handle(conn: Connection, kind: str, data: dict[str, Any]) -> None:
    """Dispatch one message; any ``LiveError`` becomes an error frame echoing the ids sent."""
    echo = {k: data[k] for k in ("client_id", "question_id", "group_id", "discussion_id")
            if isinstance(data.get(k), (int, str)) and len(str(data[k])) <= 64}
    try:
        if conn.listener == SCREEN:
            raise LiveError(403, "forbidden", "Màn chiếu chỉ để xem.",
                            "The projector view only shows the session.")
        runner = conn.role == RUNNER and conn.listener == RUNNER_LISTENER
        if kind in RUNNER_ONLY and not runner:
            raise LiveError(403, "forbidden", "Chỉ giảng viên của lớp mới làm được việc này.",
                            "Only the class's lecturers can do this.")
        await _HANDLERS[kind](conn, data, runner)
        if kind in PARTICIPANT and not runner:
            await extensions.interaction(conn, kind, data)
    except groups.StaleRevision as exc:
        # One frame with what the client needs to merge: the current text and its revision.
        en = conn.principal.locale == "en"
        await conn.send(reply("error", code=exc.code,
                              message=exc.detail_en if en else exc.detail,
                              message_vi=exc.detail, message_en=exc.detail_en, **echo,
                              current={"text": exc.text, "revision": exc.revision}))
    except LiveError as exc:
        await conn._error(exc.code, exc.detail, exc.detail_en, **echo)
    except Problem as problem:  # e.g. the session was deleted with its class meanwhile
        await conn._error("conflict", problem.detail, problem.detail_en, **echo)


async def _ask(conn: Connection, data: dict[str, Any], runner: bool) -> None:
    if runner:
        raise LiveError(403, "forbidden", "Giảng viên điều hành phiên không đặt câu hỏi.",
                        "Those running the session do not ask questions.")
    question, new = await qna.ask(
        session_id=conn.session_id, institution_id=conn.institution_id,
        user_id=conn.principal.user_id, full_name=conn.principal.full_name,
        enrolment_id=conn.enrolment_id, client_id=data.get("client_id"),
        text=data.get("text"), anonymous=data.get("anonymous", False))
    await conn.send(ok("ask", data, client_id=data.get("client_id"), question=question))
    if new:
        qna.mark_questions(conn.broker, conn.session_id)


async def _vote(conn: Connection, data: dict[str, Any], runner: bool) -> None:
    fields, changed = await qna.vote(
        session_id=conn.session_id, user_id=conn.principal.user_id,
        question_id=data.get("question_id"), client_id=data.get("client_id"),
        up=data.get("up", True))
    await conn.send(ok("vote", data, **fields))
    if changed:
        qna.mark_questions(conn.broker, conn.session_id)


async def _moderate(conn: Connection, data: dict[str, Any], runner: bool) -> None:
    changes = {k: data[k] for k in ("status", "pinned", "answered") if k in data}
    question = await qna.moderate(conn.session_id, data.get("question_id"), changes)
    await conn.send(ok("moderate_question", data, question=question))
    qna.mark_questions(conn.broker, conn.session_id)


async def _qna_settings(conn: Connection, data: dict[str, Any], runner: bool) -> None:
    moderated = await qna.set_moderated(conn.session_id, data.get("moderated"))
    await conn.send(ok("qna_settings", data, moderated=moderated))
    qna.mark_questions(conn.broker, conn.session_id)


async def _raise(conn: Connection, data: dict[str, Any], runner: bool) -> None:
    if runner:
        raise LiveError(403, "forbidden", "Giảng viên điều hành phiên không giơ tay.",
                        "Those running the session do not raise hands.")
    mine = await hands.set_hand(conn.broker, conn.session_id, conn.principal.user_id, True)
    await conn.send(ok("raise_hand", data, **mine))


async def _lower(conn: Connection, data: dict[str, Any], runner: bool) -> None:
    """A participant lowers their own hand; a runner lowers the hand of ``user_id``."""
    if runner:
        user_id = data.get("user_id")
        if isinstance(user_id, bool) or not isinstance(user_id, int) or user_id <= 0:
            raise LiveError(422, "invalid", "Thiếu hoặc sai “user_id”.",
                            "Missing or invalid “user_id”.")
        count = await hands.lower(conn.broker, conn.session_id, conn.principal.user_id,
                                  user_id)
        await conn.send(ok("lower_hand", data, lowered=count))
        return
    mine = await hands.set_hand(conn.broker, conn.session_id, conn.principal.user_id, False)
    await conn.send(ok("lower_hand", data, **mine))


async def _lower_all(conn: Connection, data: dict[str, Any], runner: bool) -> None:
    count = await hands.lower(conn.broker, conn.session_id, conn.principal.user_id)
    await conn.send(ok("lower_all_hands", data, lowered=count))


async def _group_edit(conn: Connection, data: dict[str, Any], runner: bool) -> None:
    fields, _changed = await groups.edit(
        conn.broker, session_id=conn.session_id, user_id=conn.principal.user_id,
        full_name=conn.principal.full_name, group_id=data.get("group_id"),
        base_revision=data.get("base_revision"), text=data.get("text"),
        client_id=data.get("client_id"))
    await conn.send(ok("group_edit", data, **fields))


async def _open_discussion(conn: Connection, data: dict[str, Any], runner: bool) -> None:
    body = data.get("discussion")
    if not isinstance(body, dict):
        raise LiveError(422, "invalid", "Thiếu “discussion”.", "Missing “discussion”.")
    shown = await groups.open_discussion(
        conn.broker, conn.session_id, prompt=body.get("prompt"), mode=body.get("mode"),
        group_size=body.get("group_size"), groups=body.get("groups"),
        actor_id=conn.principal.user_id)
    await conn.send(ok("open_discussion", data, discussion_id=shown["id"]))


async def _close_discussion(conn: Connection, data: dict[str, Any], runner: bool) -> None:
    await groups.close_discussion(conn.broker, conn.session_id, data.get("discussion_id"))
    await conn.send(ok("close_discussion", data, discussion_id=data.get("discussion_id")))


async def _show_group(conn: Connection, data: dict[str, Any], runner: bool) -> None:
    group = await groups.show_group(conn.broker, conn.session_id, data.get("discussion_id"),
                                    data.get("group_id"))
    await conn.send(ok("show_group", data, discussion_id=data.get("discussion_id"),
                       group_id=group["id"] if group else None))


async def _check_in(conn: Connection, data: dict[str, Any], runner: bool) -> None:
    done = await checkin.check_in(conn.broker, conn.session_id, conn.principal.user_id,
                                  conn.principal.full_name, conn.role, data.get("code"))
    await conn.send(ok("check_in", data, **done))


async def _checkin_settings(conn: Connection, data: dict[str, Any], runner: bool) -> None:
    required = data.get("required")
    if not isinstance(required, bool):
        raise LiveError(422, "invalid", "“required” phải là true hoặc false.",
                        "“required” must be true or false.")
    period = await checkin.period_setting(conn.plugins, conn.institution_id)
    await conn.send(ok("checkin_settings", data, **await checkin.set_required(
        conn.broker, conn.session_id, required, period)))


_HANDLERS = {"check_in": _check_in, "checkin_settings": _checkin_settings, "ask": _ask,
             "vote": _vote, "moderate_question": _moderate,
             "qna_settings": _qna_settings, "raise_hand": _raise, "lower_hand": _lower,
             "lower_all_hands": _lower_all, "group_edit": _group_edit,
             "open_discussion": _open_discussion, "close_discussion": _close_discussion,
             "show_group": _show_group}
