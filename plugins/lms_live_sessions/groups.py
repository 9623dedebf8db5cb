"""Group discussion: a runner splits the present trainees into groups (``grouping``), each group
writes one shared answer to the prompt, runners follow every group live and put one group's
answer on the projector.

The shared answer is edited optimistically: an edit names the ``revision`` it was based on and
is refused (``stale_revision``, with the current text) when another member got in first, so
the client merges and tries again; nobody's words are overwritten unseen. Accepted edits go at
once to the group's own audience (``group:<id>``, see ``events``) and nowhere else in the room;
runners get every group's answers coalesced (``fanout``), and the projector the shown group's.
One discussion is open per session at a time: opening another closes the previous one.
"""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from lms_core.broker import Broker
from lms_core.models import Enrolment

from lms_live_sessions.access import JOINING_STATUSES
from lms_live_sessions.activities import LiveError, check_client_id, invalid
from lms_live_sessions.channel import bump_seq
from lms_live_sessions.events import ALL, RUNNER, emit, group_audience
from lms_live_sessions.fanout import flusher_for
from lms_live_sessions.grouping import MAX_GROUP_SIZE, MAX_GROUPS, split
from lms_live_sessions.models import Attendance, Discussion, DiscussionGroup, \
    DiscussionMember, LiveSession, SessionStatus
from lms_live_sessions.results import clean_text
from lms_live_sessions.service import utcnow

MAX_ANSWER_CHARS = 2000
MAX_PROMPT_CHARS = 500
REMEMBERED_IDS = 32
DISCUSSION_FIELDS = ("id", "session_id", "prompt", "mode", "open", "shown_group_id",
                     "created_at", "closed_at")


class StaleRevision(LiveError):
    """The edit was based on an older revision: carries the current text to merge with."""

    def __init__(self, group_id: int, text: str, revision: int) -> None:
        super().__init__(409, "stale_revision",
                         "Nhóm vừa có người sửa câu trả lời: hãy xem bản mới rồi sửa lại.",
                         "Someone in your group has just edited the answer: merge with the "
                         "current text and try again.")
        self.group_id, self.text, self.revision = group_id, text, revision


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


def _int_id(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 2**31 - 1:
        raise invalid(f"Thiếu hoặc sai “{name}”.", f"Missing or invalid “{name}”.")
    return value


def group_not_found() -> LiveError:
    return LiveError(404, "not_found", "Không tìm thấy nhóm.", "Group not found.")


def check_split(mode: Any, group_size: Any, groups: Any) -> tuple[str, int | None, int | None]:
    """The same rules for the REST body and the socket message."""
    if mode not in ("random", "unit"):
        raise invalid("“mode” là “random” hoặc “unit”.", "“mode” is “random” or “unit”.")
    if (group_size is None) == (groups is None):
        raise invalid("Hãy cho đúng một trong hai: số người mỗi nhóm (“group_size”) hoặc số "
                      "nhóm (“groups”).", "Give exactly one of “group_size” or “groups”.")
    for value, lo, hi, name in ((group_size, 2, MAX_GROUP_SIZE, "group_size"),
                                (groups, 1, MAX_GROUPS, "groups")):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or not lo <= value <= hi):
            raise invalid(f"“{name}” phải là số nguyên từ {lo} đến {hi}.",
                          f"“{name}” must be a whole number from {lo} to {hi}.")
    return mode, group_size, groups


async def present_trainees(session: LiveSession) -> list[dict[str, Any]]:
    """Trainees connected now (an open socket on any worker) whose enrolment lets them join:
    runners and guests present are not split into groups."""
    present = await Attendance.filter(session_id=session.id, open_connections__gt=0
                                      ).values_list("user_id", flat=True)
    enrolled = set(await Enrolment.filter(
        klass_id=session.klass_id, user_id__in=list(present) or [0],
        status__in=JOINING_STATUSES).values_list("user_id", flat=True))
    rows = await Attendance.filter(session_id=session.id, user_id__in=list(enrolled) or [0]
                                   ).order_by("user__sort_key", "user_id").values(
        "user_id", "user__full_name", "user__unit_id", "user__unit__name")
    return [{"user_id": r["user_id"], "full_name": r["user__full_name"],
             "unit_id": r["user__unit_id"], "unit_name": r["user__unit__name"]} for r in rows]


async def discussion_dict(discussion_id: int, *, with_answers: bool) -> dict[str, Any] | None:
    """A discussion with its groups and members (the room may know who is in which group: it
    is how people find each other). Answers only ``with_answers`` (runners)."""
    rows = await Discussion.filter(id=discussion_id).values(*DISCUSSION_FIELDS)
    if not rows:
        return None
    out = {k: _plain(v) for k, v in rows[0].items()}
    members: dict[int, list[dict[str, Any]]] = {}
    for m in await DiscussionMember.filter(discussion_id=discussion_id).order_by(
            "user__sort_key", "user_id").values("group_id", "user_id", "user__full_name"):
        members.setdefault(m["group_id"], []).append(
            {"user_id": m["user_id"], "full_name": m["user__full_name"]})
    groups = []
    for g in await DiscussionGroup.filter(discussion_id=discussion_id).order_by(
            "number").values("id", "number", "name", "answer", "revision", "updated_at",
                             "updated_by_id"):
        item = {"id": g["id"], "number": g["number"], "name": g["name"],
                "members": members.get(g["id"], [])}
        if with_answers:
            item.update(answer=g["answer"], revision=g["revision"], updated_at=g["updated_at"],
                        updated_by=g["updated_by_id"])
        groups.append(item)
    out["groups"] = groups
    return out


async def group_answer(group_id: int) -> dict[str, Any] | None:
    rows = await DiscussionGroup.filter(id=group_id).values(
        "id", "discussion_id", "number", "name", "answer", "revision", "updated_at")
    return rows[0] if rows else None


async def open_discussion(broker: Broker | None, session_id: int, *, prompt: Any, mode: Any,
                          group_size: Any = None, groups: Any = None, actor_id: int | None
                          ) -> dict[str, Any]:
    """Split the trainees present now and tell the room (``discussion_opened``, with groups
    and members). Trainees who join later are not in a group (the lecturer splits again)."""
    mode, group_size, groups = check_split(mode, group_size, groups)
    text = clean_text(prompt) if isinstance(prompt, str) else ""
    if not text or len(text) > MAX_PROMPT_CHARS:
        raise invalid(f"Đề bài thảo luận là một đoạn chữ từ 1 đến {MAX_PROMPT_CHARS} ký tự.",
                      f"The discussion prompt is text of 1 to {MAX_PROMPT_CHARS} characters.")
    async with in_transaction():
        _seq, status = await bump_seq(session_id)
        if status != SessionStatus.LIVE.value:
            raise LiveError(409, "not_live", "Phiên học chưa bắt đầu hoặc đã kết thúc: hãy bắt "
                                             "đầu phiên trước khi chia nhóm.",
                            "The session is not live: start it before splitting into groups.")
        session = await LiveSession.get(id=session_id)
        parts = split(await present_trainees(session), mode, group_size=group_size,
                      groups=groups)
        if not parts:
            raise LiveError(409, "no_trainees", "Chưa có học viên nào trong phiên để chia nhóm.",
                            "No trainee is present to split into groups.")
        for previous in await Discussion.filter(session_id=session_id, open=True).values_list(
                "id", flat=True):
            await _close(broker, session_id, previous)
        discussion = await Discussion.create(session_id=session_id,
                                             institution_id=session.institution_id,
                                             prompt=text, mode=mode, created_by_id=actor_id)
        for number, (name, members) in enumerate(parts, start=1):
            group = await DiscussionGroup.create(discussion_id=discussion.id,
                                                 session_id=session_id, number=number,
                                                 name=name)
            await DiscussionMember.bulk_create([
                DiscussionMember(group_id=group.id, discussion_id=discussion.id,
                                 session_id=session_id, user_id=m["user_id"])
                for m in members])
        shown = await discussion_dict(discussion.id, with_answers=False)
        seq, _ = await bump_seq(session_id)
        await emit(broker, session_id, seq, ALL, "discussion_opened", discussion=shown)
    return await discussion_dict(discussion.id, with_answers=True)


async def close_discussion(broker: Broker | None, session_id: int, discussion_id: Any
                           ) -> dict[str, Any]:
    discussion_id = _int_id(discussion_id, "discussion_id")
    async with in_transaction():
        await bump_seq(session_id)
        if not await Discussion.filter(id=discussion_id, session_id=session_id).exists():
            raise LiveError(404, "not_found", "Không tìm thấy buổi thảo luận.",
                            "Discussion not found.")
        if not await Discussion.filter(id=discussion_id, open=True).exists():
            raise LiveError(409, "not_open", "Buổi thảo luận đã kết thúc.",
                            "The discussion is already closed.")
        await _close(broker, session_id, discussion_id)
    return await discussion_dict(discussion_id, with_answers=True)


async def close_open_discussions(broker: Broker | None, session_id: int) -> None:
    """When the session ends: no group is left writing in a session that is over."""
    async with in_transaction():
        await bump_seq(session_id)
        for discussion_id in await Discussion.filter(session_id=session_id, open=True
                                                     ).values_list("id", flat=True):
            await _close(broker, session_id, discussion_id)


async def _close(broker: Broker | None, session_id: int, discussion_id: int) -> None:
    """Inside a transaction holding the session lock: closed for edits; runners get the final
    answers, everyone the closing."""
    await Discussion.filter(id=discussion_id).update(open=False, closed_at=utcnow())
    seq, _ = await bump_seq(session_id)
    await emit(broker, session_id, seq, ALL, "discussion_closed", discussion_id=discussion_id)
    await _emit_answers(broker, session_id, discussion_id)


async def edit(broker: Broker | None, *, session_id: int, user_id: int, full_name: str,
               group_id: Any, base_revision: Any, text: Any, client_id: Any
               ) -> tuple[dict[str, Any], bool]:
    """Replace the group's shared answer if ``base_revision`` is its current revision.
    Returns the reply's fields and whether anything changed; raises ``StaleRevision``."""
    group_id = _int_id(group_id, "group_id")
    client_id = check_client_id(client_id)
    if isinstance(base_revision, bool) or not isinstance(base_revision, int) \
            or base_revision < 0:
        raise invalid("Thiếu hoặc sai “base_revision”.", "Missing or invalid “base_revision”.")
    if not isinstance(text, str) or len(text) > MAX_ANSWER_CHARS:
        raise LiveError(422, "invalid_answer",
                        f"Câu trả lời của nhóm dài tối đa {MAX_ANSWER_CHARS} ký tự.",
                        f"The group's answer has at most {MAX_ANSWER_CHARS} characters.")
    cleaned = _clean_multiline(text)
    async with in_transaction():
        _seq, status = await bump_seq(session_id)
        group = await DiscussionGroup.filter(id=group_id, session_id=session_id
                                             ).select_for_update().first()
        if group is None or not await DiscussionMember.filter(group_id=group_id,
                                                              user_id=user_id).exists():
            raise group_not_found()
        ids = dict(group.client_ids or {})
        fields = {"group_id": group_id, "client_id": client_id}
        if client_id in ids:  # a retry: the same reply, nothing applied twice
            return {**fields, "revision": ids[client_id]}, False
        if status != SessionStatus.LIVE.value or not await Discussion.filter(
                id=group.discussion_id, open=True).exists():
            raise LiveError(409, "closed", "Buổi thảo luận đã kết thúc, không sửa được nữa.",
                            "The discussion is closed: the answer can no longer change.")
        if base_revision != group.revision:
            raise StaleRevision(group_id, group.answer, group.revision)
        group.revision += 1
        ids[client_id] = group.revision
        if len(ids) > REMEMBERED_IDS:
            ids = dict(sorted(ids.items(), key=lambda kv: kv[1])[-REMEMBERED_IDS:])
        group.answer, group.client_ids = cleaned, ids
        group.updated_by_id, group.updated_at = user_id, utcnow()
        await group.save()
        seq, _ = await bump_seq(session_id)
        await emit(broker, session_id, seq, group_audience(group_id), "group_answer",
                   discussion_id=group.discussion_id, group_id=group_id, text=cleaned,
                   revision=group.revision, by={"user_id": user_id, "full_name": full_name})
        discussion_id = group.discussion_id
    mark_answers(broker, session_id, discussion_id)
    return {**fields, "revision": ids[client_id]}, True


def _clean_multiline(text: str) -> str:
    """Line breaks are kept (a group writes points), each line cleaned like other text."""
    return "\n".join(clean_text(line) for line in text.replace("\r\n", "\n").split("\n")
                     ).strip("\n")


def mark_answers(broker: Broker | None, session_id: int, discussion_id: int) -> None:
    async def flush() -> None:
        async with in_transaction():
            await bump_seq(session_id)
            await _emit_answers(broker, session_id, discussion_id)

    flusher_for(broker).mark_key(("discussion", discussion_id), flush)


async def _emit_answers(broker: Broker | None, session_id: int, discussion_id: int) -> None:
    """Inside a transaction holding the session lock: every group's answer to runners, and the
    shown group's again to everyone when it changed since it was last sent."""
    shown = await discussion_dict(discussion_id, with_answers=True)
    if shown is None:
        return
    seq, _ = await bump_seq(session_id)
    await emit(broker, session_id, seq, RUNNER, "group_answers", discussion_id=discussion_id,
               open=shown["open"], groups=shown["groups"])
    row = await Discussion.get(id=discussion_id)
    if row.shown_group_id is not None:
        group = await group_answer(row.shown_group_id)
        if group is not None and group["revision"] != row.shown_revision:
            await _emit_shown(broker, session_id, row, group)


async def _emit_shown(broker: Broker | None, session_id: int, row: Discussion,
                      group: dict[str, Any] | None) -> None:
    row.shown_group_id = group["id"] if group else None
    row.shown_revision = group["revision"] if group else 0
    await row.save(update_fields=["shown_group_id", "shown_revision"])
    seq, _ = await bump_seq(session_id)
    await emit(broker, session_id, seq, ALL, "group_shown", discussion_id=row.id, group=group)


async def show_group(broker: Broker | None, session_id: int, discussion_id: Any,
                     group_id: Any) -> dict[str, Any] | None:
    """Put one group's answer on the projector (and every screen), or take it down with
    ``group_id`` null. It follows later edits of that group until another is shown."""
    discussion_id = _int_id(discussion_id, "discussion_id")
    async with in_transaction():
        await bump_seq(session_id)
        row = await Discussion.get_or_none(id=discussion_id, session_id=session_id)
        if row is None:
            raise LiveError(404, "not_found", "Không tìm thấy buổi thảo luận.",
                            "Discussion not found.")
        group = None
        if group_id is not None:
            group_id = _int_id(group_id, "group_id")
            group = await group_answer(group_id)
            if group is None or group["discussion_id"] != discussion_id:
                raise group_not_found()
        await _emit_shown(broker, session_id, row, group)
    return group


async def user_groups(session_id: int, user_id: int, *, open_only: bool) -> list[int]:
    """The groups this user is in: the open discussion's for the live channel, all of the
    session's for a replay."""
    qs = DiscussionMember.filter(session_id=session_id, user_id=user_id)
    if open_only:
        qs = qs.filter(discussion__open=True)
    return list(await qs.values_list("group_id", flat=True))


async def current_discussion(session_id: int) -> int | None:
    """The open discussion, or else the one closed last."""
    row = await Discussion.filter(session_id=session_id).order_by("-open", "-id").first(
    ).values_list("id", flat=True)
    return row


async def discussion_state(session_id: int, user_id: int, *, listener: str
                           ) -> dict[str, Any] | None:
    """The ``discussion`` part of a snapshot: runners get every answer; a participant their
    own group's answer (``my_group``); everyone the shown group's."""
    discussion_id = await current_discussion(session_id)
    if discussion_id is None:
        return None
    out = await discussion_dict(discussion_id, with_answers=listener == RUNNER)
    row = await Discussion.get(id=discussion_id)
    out["shown"] = await group_answer(row.shown_group_id) if row.shown_group_id else None
    if listener not in (RUNNER, "screen"):
        mine = await DiscussionMember.filter(discussion_id=discussion_id, user_id=user_id
                                             ).values_list("group_id", flat=True)
        out["my_group"] = await group_answer(mine[0]) if mine else None
    return out
