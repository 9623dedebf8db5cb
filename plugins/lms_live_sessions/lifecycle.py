"""An activity's life: prepared (draft or queued, reorderable), opened (one at a time per
session), closed. Each change is one transaction that takes the session's next ``seq`` first,
so it is serialised with every other change to the session on every worker, and tells the room
through ``events.emit`` (stored, then published once per audience).
"""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from lms_core.broker import Broker

from lms_live_sessions import quick_quiz
from lms_live_sessions.activities import ACTIVITY_FIELDS, LiveError, activity_dict, check_config
from lms_live_sessions.channel import bump_seq
from lms_live_sessions.events import ALL, PUBLIC, RUNNER, SCREEN, emit
from lms_live_sessions.models import Activity, ActivityResponse, ActivityState, LiveSession, \
    SessionStatus
from lms_live_sessions.results import compute, visible_to_trainees
from lms_live_sessions.service import utcnow

PREPARED = (ActivityState.DRAFT.value, ActivityState.QUEUED.value)


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


def not_found() -> LiveError:
    return LiveError(404, "not_found", "Không tìm thấy hoạt động.", "Activity not found.")


async def session_activities(session_id: int) -> list[dict[str, Any]]:
    """Every activity of the session: prepared ones in queue order, then those run, by time."""
    rows = await Activity.filter(session_id=session_id).order_by("position", "id").values(
        *ACTIVITY_FIELDS)
    return [activity_dict(r) for r in rows]


async def _tell_runners(broker: Broker | None, session_id: int) -> None:
    """The queue changed: the lecturer's other screens (a tablet, the laptop) follow."""
    seq, _ = await bump_seq(session_id)
    await emit(broker, session_id, seq, RUNNER, "activities",
               items=await session_activities(session_id))


async def create_activity(broker: Broker | None, session: LiveSession, *, kind: str,
                          prompt: str, config: dict[str, Any] | None, visibility: str,
                          allow_change: bool, queued: bool, actor_id: int | None,
                          plugins: Any = None) -> dict[str, Any]:
    """Prepared in advance (queued at the end, or a draft) or made on the spot (then opened by
    the caller). An ended session takes no new activity. A quick quiz fetches its question
    through the hook (``plugins``) and takes one answer per trainee."""
    normalised = check_config(kind, config)
    private: dict[str, Any] = {}
    if kind == quick_quiz.KIND:
        normalised, private = await quick_quiz.attach_question(
            plugins, session.institution_id, normalised)
        allow_change = False
    async with in_transaction():
        await _require_not_ended(session.id)
        top = await Activity.filter(session_id=session.id).order_by("-position").first(
        ).values_list("position", flat=True)
        row = await Activity.create(
            session_id=session.id, institution_id=session.institution_id, kind=kind,
            prompt=prompt, config=normalised, private=private, visibility=visibility,
            allow_change=allow_change,
            state=ActivityState.QUEUED if queued else ActivityState.DRAFT,
            position=(top or 0) + 1, created_by_id=actor_id)
        await _tell_runners(broker, session.id)
    return activity_dict(row)


async def _require_not_ended(session_id: int) -> str:
    seq_row = await LiveSession.filter(id=session_id).values_list("status", flat=True)
    status = _plain(seq_row[0]) if seq_row else None
    if status is None:
        raise LiveError(404, "not_found", "Không tìm thấy phiên học.", "Session not found.")
    if status == SessionStatus.ENDED.value:
        raise LiveError(409, "ended", "Phiên học đã kết thúc.", "The session has ended.")
    return status


async def update_activity(broker: Broker | None, activity: Activity, changes: dict[str, Any],
                          plugins: Any = None) -> dict[str, Any]:
    """The content (prompt, settings, kind) changes only before the activity opens: answers
    given to one question must not be counted under another. Who sees the results may change
    at any time (a lecturer reveals them after a discussion), and the room is told at once."""
    state = _plain(activity.state)
    content = {"prompt", "config", "kind", "allow_change", "queued"} & set(changes)
    if content and state not in PREPARED:
        raise LiveError(409, "not_editable",
                        "Hoạt động đã mở nên không sửa được nội dung, chỉ đổi được chế độ xem "
                        "kết quả.", "The activity has been opened: only who sees its results "
                                    "can change.")
    kind = changes.get("kind", _plain(activity.kind))
    if "config" in changes or "kind" in changes:
        activity.config = check_config(kind, changes.get("config", activity.config))
        activity.kind = kind
        activity.private = {}
        if kind == quick_quiz.KIND:
            activity.config, activity.private = await quick_quiz.attach_question(
                plugins, activity.institution_id, activity.config)
    if kind == quick_quiz.KIND:
        changes.pop("allow_change", None)
        activity.allow_change = False
    for name in ("prompt", "allow_change", "visibility"):
        if name in changes:
            setattr(activity, name, changes[name])
    if "queued" in changes:
        activity.state = ActivityState.QUEUED if changes["queued"] else ActivityState.DRAFT
    async with in_transaction():
        await activity.save()
        await _tell_runners(broker, activity.session_id)
        if "visibility" in changes and state not in PREPARED:
            await _emit_results(broker, activity.session_id, activity.id, trainees=ALWAYS)
    return activity_dict(activity)


async def reorder(broker: Broker | None, session_id: int, ids: list[int]) -> list[dict[str, Any]]:
    """``ids`` lists every prepared activity of the session once, in the new order."""
    async with in_transaction():
        await _require_not_ended(session_id)
        prepared = await Activity.filter(session_id=session_id, state__in=PREPARED).values_list(
            "id", flat=True)
        if sorted(ids) != sorted(prepared):
            raise LiveError(422, "invalid",
                            "Danh sách phải gồm đúng mỗi hoạt động đang chờ của phiên một lần.",
                            "List every prepared activity of the session exactly once.")
        for position, activity_id in enumerate(ids, start=1):
            await Activity.filter(id=activity_id).update(position=position)
        await _tell_runners(broker, session_id)
    return await session_activities(session_id)


async def delete_activity(broker: Broker | None, activity: Activity) -> None:
    """Prepared activities can go; one that ran keeps its answers, which are records of the
    trainees' participation."""
    if _plain(activity.state) not in PREPARED and (
            _plain(activity.state) == ActivityState.OPEN.value
            or await ActivityResponse.filter(activity_id=activity.id).exists()):
        raise LiveError(409, "not_deletable",
                        "Hoạt động đang mở hoặc đã có câu trả lời nên không xoá được.",
                        "The activity is open or has answers, so it cannot be deleted.")
    async with in_transaction():
        await Activity.filter(id=activity.id).delete()
        await _tell_runners(broker, activity.session_id)


async def open_activity(broker: Broker | None, session_id: int, activity_id: int
                        ) -> dict[str, Any]:
    """Push an activity to the room; one still open closes first (pushing the next question
    ends the current one, as lecturers expect)."""
    async with in_transaction():
        seq, status = await bump_seq(session_id)
        if status != SessionStatus.LIVE.value:
            raise LiveError(409, "not_live",
                            "Phiên học chưa bắt đầu hoặc đã kết thúc: hãy bắt đầu phiên trước "
                            "khi mở hoạt động.",
                            "The session is not live: start it before opening an activity.")
        row = await Activity.get_or_none(id=activity_id, session_id=session_id)
        if row is None:
            raise not_found()
        if _plain(row.state) == ActivityState.OPEN.value:
            raise LiveError(409, "already_open", "Hoạt động đang mở.",
                            "The activity is already open.")
        if _plain(row.state) == ActivityState.CLOSED.value:
            raise LiveError(409, "closed", "Hoạt động đã đóng, không mở lại được.",
                            "The activity is closed and cannot be reopened.")
        for other in await Activity.filter(session_id=session_id, state=ActivityState.OPEN
                                           ).values_list("id", flat=True):
            await _close(broker, session_id, other)
        row.state = ActivityState.OPEN
        row.opened_at = utcnow()
        await row.save(update_fields=["state", "opened_at"])
        shown = activity_dict(row)
        seq, _ = await bump_seq(session_id)  # after the closing frames, so numbers stay in order
        await emit(broker, session_id, seq, ALL, "activity_opened", activity=shown)
        await _tell_runners(broker, session_id)
    if shown["kind"] == quick_quiz.KIND:
        quick_quiz.schedule_close(broker, session_id, activity_id, shown["config"]["time_limit"])
    return shown


async def close_activity(broker: Broker | None, session_id: int, activity_id: int
                         ) -> dict[str, Any]:
    async with in_transaction():
        await bump_seq(session_id)  # serialise with every other change to the session
        row = await Activity.get_or_none(id=activity_id, session_id=session_id)
        if row is None:
            raise not_found()
        if _plain(row.state) != ActivityState.OPEN.value:
            raise LiveError(409, "not_open", "Hoạt động không ở trạng thái mở.",
                            "The activity is not open.")
        shown = await _close(broker, session_id, activity_id)
        await _tell_runners(broker, session_id)
    return shown


async def close_open_activities(broker: Broker | None, session_id: int) -> None:
    """When the session ends."""
    async with in_transaction():
        await bump_seq(session_id)
        ids = await Activity.filter(session_id=session_id, state=ActivityState.OPEN
                                    ).values_list("id", flat=True)
        for activity_id in ids:
            await _close(broker, session_id, activity_id)


async def _close(broker: Broker | None, session_id: int, activity_id: int) -> dict[str, Any]:
    """Inside a transaction holding the session lock: mark closed, tell everyone (with the
    final results when trainees may see them), then the final results for runners and the
    projector."""
    await Activity.filter(id=activity_id).update(state=ActivityState.CLOSED, closed_at=utcnow())
    row = (await Activity.filter(id=activity_id).values(*ACTIVITY_FIELDS))[0]
    shown = activity_dict(row)
    public = None
    if visible_to_trainees(shown["visibility"], shown["state"]):
        public = await compute(row, with_names=False)
    seq, _ = await bump_seq(session_id)
    await emit(broker, session_id, seq, ALL, "activity_closed", activity=shown, results=public)
    await _emit_results(broker, session_id, activity_id, trainees=NEVER)
    if shown["kind"] == quick_quiz.KIND:
        await _emit_leaderboard(broker, session_id)
    return shown


async def _emit_leaderboard(broker: Broker | None, session_id: int) -> None:
    """After a quick quiz closes: runners get the ranking with names, the projector the top
    of it without; each trainee's socket sends them their own place (``realtime``)."""
    ranked = await quick_quiz.leaderboard(session_id)
    seq, _ = await bump_seq(session_id)
    await emit(broker, session_id, seq, RUNNER, "leaderboard", items=quick_quiz.runner_board(
        ranked), total=len(ranked))
    seq, _ = await bump_seq(session_id)
    await emit(broker, session_id, seq, SCREEN, "leaderboard",
               items=quick_quiz.screen_board(ranked), total=len(ranked))


async def emit_results(broker: Broker | None, session_id: int, activity_id: int) -> None:
    """The coalesced live update (see ``fanout``): one transaction, one frame per audience."""
    async with in_transaction():
        await bump_seq(session_id)  # take the lock before reading the state
        state = await Activity.filter(id=activity_id).values_list("state", flat=True)
        if not state or _plain(state[0]) != ActivityState.OPEN.value:
            return  # closing already sent the final figures
        await _emit_results(broker, session_id, activity_id, trainees=IF_VISIBLE)


#: Whether trainees get a results frame: only when they may see it (live updates), always
#: (the lecturer changed who sees them, so screens show or hide them), or never (closing, whose
#: ``activity_closed`` already carried what they may see).
IF_VISIBLE, ALWAYS, NEVER = "if_visible", "always", "never"


async def _emit_results(broker: Broker | None, session_id: int, activity_id: int, *,
                        trainees: str) -> None:
    """Results are computed after the session lock is taken, so a frame with a higher ``seq``
    never carries older figures than one before it, whichever worker sends it."""
    rows = await Activity.filter(id=activity_id).values(*ACTIVITY_FIELDS)
    if not rows:
        return
    row = rows[0]
    final = _plain(row["state"]) == ActivityState.CLOSED.value
    visible = visible_to_trainees(row["visibility"], row["state"])
    seq, _ = await bump_seq(session_id)
    await emit(broker, session_id, seq, RUNNER, "results", activity_id=activity_id,
               final=final, visible=visible, results=await compute(row, with_names=True))
    anonymous = await compute(row, with_names=False)
    seq, _ = await bump_seq(session_id)
    await emit(broker, session_id, seq, SCREEN, "results", activity_id=activity_id,
               final=final, visible=visible, results=anonymous)
    if trainees == ALWAYS or (trainees == IF_VISIBLE and visible):
        seq, _ = await bump_seq(session_id)
        await emit(broker, session_id, seq, PUBLIC, "results", activity_id=activity_id,
                   final=final, visible=visible, results=anonymous if visible else None)
