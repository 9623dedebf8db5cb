"""The ``state`` frame: everything a socket needs to draw the session from scratch, for what its
role may see. Sent on connect, and on a resume whose missed frames are no longer stored."""

from __future__ import annotations

from typing import Any

from lms_live_sessions import quick_quiz
from lms_live_sessions.activities import ACTIVITY_FIELDS, activity_dict
from lms_live_sessions.answers import my_answer
from lms_live_sessions.channel import frame
from lms_live_sessions.checkin import checkin_state
from lms_live_sessions.events import PUBLIC, RUNNER
from lms_live_sessions.groups import discussion_state
from lms_live_sessions.hands import hands_state
from lms_live_sessions.lifecycle import session_activities
from lms_live_sessions.models import Activity, ActivityState, LiveSession
from lms_live_sessions.presence import counts
from lms_live_sessions.qna import qna_state
from lms_live_sessions.results import compute, visible_to_trainees
from lms_live_sessions.service import SESSION_FIELDS, session_dict


async def current_activity(session_id: int) -> dict[str, Any] | None:
    """The open activity, or else the one closed last (its results may be on screen)."""
    row = await Activity.filter(session_id=session_id, state=ActivityState.OPEN).values(
        *ACTIVITY_FIELDS)
    if not row:
        row = await Activity.filter(session_id=session_id, state=ActivityState.CLOSED
                                    ).order_by("-closed_at", "-id").limit(1).values(
            *ACTIVITY_FIELDS)
    return row[0] if row else None


async def _quiz_part(payload: dict[str, Any], session_id: int, user_id: int,
                     listener: str) -> None:
    """Quick quizzes: the leaderboard for runners (names) and the projector (top, no names);
    a trainee's own result when the quiz on screen has closed."""
    if not await Activity.filter(session_id=session_id, kind=quick_quiz.KIND,
                                 state=ActivityState.CLOSED).exists():
        return
    activity = payload.get("activity")
    if listener == PUBLIC:
        if activity and activity["kind"] == quick_quiz.KIND and activity["state"] == "closed":
            payload["quiz_result"] = await quick_quiz.my_result(activity["id"], session_id,
                                                                user_id, shared=False)
        return
    ranked = await quick_quiz.leaderboard(session_id)
    board = quick_quiz.runner_board if listener == RUNNER else quick_quiz.screen_board
    payload["leaderboard"] = {"items": board(ranked), "total": len(ranked)}


async def snapshot(session_id: int, you: dict[str, Any], listener: str) -> tuple[int, bytes]:
    """The seq is read first: the data is at least as new as it, and later frames (full
    states of what they describe) apply on top without harm."""
    row = (await LiveSession.filter(id=session_id).values("seq", "qna_moderated",
                                                          *SESSION_FIELDS))[0]
    seq = int(row["seq"])
    runner = listener == RUNNER
    payload: dict[str, Any] = {
        "session": session_dict(row, with_code=runner),
        **await counts(session_id), "you": you,
        "activity": None, "my_answer": None, "results": None}
    activity = await current_activity(session_id)
    if activity is not None:
        shown = activity_dict(activity)
        payload["activity"] = shown
        if listener == PUBLIC:
            payload["my_answer"] = await my_answer(activity["id"], you["user_id"])
            if visible_to_trainees(shown["visibility"], shown["state"]):
                payload["results"] = await compute(activity, with_names=False)
        else:
            payload["results"] = await compute(activity, with_names=runner)
    if runner:
        payload["activities"] = await session_activities(session_id)
    user_id = you["user_id"]
    payload["qna"] = await qna_state(session_id, user_id, listener=listener,
                                     moderated=row["qna_moderated"])
    payload["hands"] = await hands_state(session_id, user_id, listener=listener)
    payload["discussion"] = await discussion_state(session_id, user_id, listener=listener)
    payload["checkin"] = await checkin_state(session_id, user_id, listener=listener)
    await _quiz_part(payload, session_id, user_id, listener)
    return seq, frame(seq, "state", **payload)
