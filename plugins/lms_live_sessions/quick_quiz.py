"""The quick quiz: a runner opens a question of the institution's question bank with a time
limit; trainees answer on their phones; faster right answers earn more (as in Kahoot).

The question comes through the ``lms_live_quiz_question`` hook (``hookspecs.py``), and the
runner finds it through ``lms_live_quiz_search``; the quizzes plugin implements both: this
plugin never imports it. With no enabled implementation the
kind is refused (``quiz_unavailable``).

* The public view of the question is stored in the activity's ``config.question`` (everyone
  may see it); the key in ``Activity.private``, which no frame carries until the question has
  closed. Each answer is graded when it arrives, through the hook, and only the sender's
  ``ack`` follows: nobody learns whether they were right before the close.
* Score = round(points x fraction x (1 - t / (2 x limit))), t the seconds from opening to the
  answer, capped at the limit: full points for an instant answer, half at the time limit,
  nothing for a wrong one; ``fraction`` is the share of the question earned (partial credit
  of a multiple-response question counts). Answers after the limit (and a 1 s grace for the
  network) are refused with ``time_up``; the worker that opened the question closes it when
  the limit is reached.
* The leaderboard sums a trainee's scores over the session's closed quick quizzes, ties broken
  by the total time taken. Runners get it with names; the projector the top 5 with scores
  and no names (it never receives names); each trainee gets their own score and rank.
"""

from __future__ import annotations

import asyncio
import math
import time
from datetime import datetime
from typing import Any

from tortoise.expressions import Q

from lms_core.broker import Broker
from lms_live_sessions.activities import LiveError, invalid
from lms_live_sessions.models import ActivityKind, ActivityResponse, ActivityState

HOOK = "lms_live_quiz_question"
SEARCH_HOOK = "lms_live_quiz_search"
KIND = ActivityKind.QUICK_QUIZ.value
QUIZ_TYPES = ("single_choice", "multiple_response", "true_false", "numerical", "short_answer")
TIME_LIMIT_DEFAULT, TIME_LIMIT_MIN, TIME_LIMIT_MAX = 20, 5, 300
POINTS_DEFAULT, POINTS_MIN, POINTS_MAX = 1000, 100, 10000
GRACE_SECONDS = 1.0
RUNNER_TOP, SCREEN_TOP = 50, 5
MAX_TEXT = 200

_timers: set[asyncio.Task[Any]] = set()


def clock() -> float:
    """Seconds since the epoch for timing answers; tests replace it instead of sleeping."""
    return time.time()


def unavailable() -> LiveError:
    return LiveError(409, "quiz_unavailable",
                     "Câu hỏi nhanh cần thành phần “Câu hỏi và bài kiểm tra” (ngân hàng câu "
                     "hỏi), nhưng thành phần này chưa được bật cho đơn vị của bạn.",
                     "The quick quiz needs the quizzes plugin (the question bank), which is "
                     "not enabled for your institution.")


def _int(config: dict[str, Any], name: str, default: int, lo: int, hi: int) -> int:
    value = config.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise invalid(f"“{name}” phải là số nguyên từ {lo} đến {hi}.",
                      f"“{name}” must be a whole number from {lo} to {hi}.")
    return value


def check_config(config: dict[str, Any]) -> dict[str, Any]:
    """The runner's settings (pure): which bank question, how long, how many points. The
    question itself is attached by ``attach_question``, which needs the hook."""
    unknown = sorted(set(config) - {"question_id", "time_limit", "points", "question"})
    if unknown:
        raise invalid(f"Thiết lập không được hỗ trợ: {', '.join(unknown)[:100]}.",
                      f"Unsupported settings: {', '.join(unknown)[:100]}.")
    return {"question_id": _int(config, "question_id", 0, 1, 2**31 - 1),
            "time_limit": _int(config, "time_limit", TIME_LIMIT_DEFAULT, TIME_LIMIT_MIN,
                               TIME_LIMIT_MAX),
            "points": _int(config, "points", POINTS_DEFAULT, POINTS_MIN, POINTS_MAX)}


async def _question(plugins: Any, institution_id: int, question_id: int) -> dict[str, Any]:
    if plugins is None or not plugins.implementers(
            HOOK, await plugins.enabled_for(institution_id)):
        raise unavailable()
    got = await plugins.first_result(HOOK, institution_id, institution_id=institution_id,
                                     question_id=question_id)
    if not got:
        raise LiveError(404, "question_not_found", "Không tìm thấy câu hỏi trong ngân hàng "
                                                   "câu hỏi của đơn vị.",
                        "No such question in your institution's question bank.")
    if got.get("type") not in QUIZ_TYPES or "view" not in got:
        raise invalid("Câu hỏi nhanh chỉ dùng câu một lựa chọn, nhiều lựa chọn, đúng/sai, số "
                      "hoặc trả lời ngắn.",
                      "A quick quiz takes single or multiple choice, true/false, numerical or "
                      "short-answer questions only.")
    return got


async def search_questions(plugins: Any, institution_id: int, text: str, limit: int
                           ) -> list[dict[str, Any]]:
    """Bank questions a runner may pick, through ``lms_live_quiz_search`` (the same
    ``quiz_unavailable`` as the quick quiz itself when no enabled plugin offers a bank)."""
    if plugins is None or not plugins.implementers(
            SEARCH_HOOK, await plugins.enabled_for(institution_id)):
        raise unavailable()
    got = await plugins.first_result(SEARCH_HOOK, institution_id, institution_id=institution_id,
                                     text=text, limit=limit)
    return [item for item in got or () if item.get("type") in QUIZ_TYPES][:limit]


async def attach_question(plugins: Any, institution_id: int, config: dict[str, Any]
                          ) -> tuple[dict[str, Any], dict[str, Any]]:
    """(config with the public ``question``, the private part with the ``key``)."""
    got = await _question(plugins, institution_id, config["question_id"])
    return ({**config, "question": {**got["view"], "type": got["type"]}},
            {"key": got["key"]})


def check_response(config: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """The response in the shape the question bank grades (pure)."""
    question = config.get("question") or {}
    qtype = question.get("type")
    ids = {c.get("id") for c in question.get("choices", ())}

    def bad(vi: str, en: str) -> LiveError:
        return LiveError(422, "invalid_answer", vi, en)

    if qtype == "single_choice":
        choice = answer.get("choice")
        if isinstance(choice, bool) or choice not in ids:
            raise bad("Hãy chọn một phương án.", "Choose one of the options.")
        return {"choice": choice}
    if qtype == "multiple_response":
        choices = answer.get("choices")
        if not isinstance(choices, list) or not choices or any(
                isinstance(c, bool) or c not in ids for c in choices):
            raise bad("Hãy chọn một hoặc nhiều phương án.", "Choose one or more options.")
        return {"choices": sorted(set(choices))}
    if qtype == "true_false":
        if not isinstance(answer.get("value"), bool):
            raise bad("Hãy chọn Đúng hoặc Sai.", "Choose true or false.")
        return {"value": answer["value"]}
    value = answer.get("value") if qtype == "numerical" else answer.get("text")
    if qtype == "numerical" and not isinstance(value, bool) and isinstance(value, (int, float)) \
            and math.isfinite(value):
        return {"value": value}
    if isinstance(value, str) and 0 < len(value.strip()) <= MAX_TEXT:
        return {"value": value.strip()} if qtype == "numerical" else {"text": value.strip()}
    raise bad(f"Hãy nhập câu trả lời (tối đa {MAX_TEXT} ký tự).",
              f"Type an answer (at most {MAX_TEXT} characters).")


def elapsed(opened_at: datetime | None) -> float:
    return 0.0 if opened_at is None else max(0.0, clock() - opened_at.timestamp())


def speed_score(fraction: float, seconds: float, limit: int, points: int) -> int:
    t = min(max(seconds, 0.0), float(limit))
    return round(points * max(0.0, min(1.0, fraction)) * (1 - t / (2 * limit)))


async def grade_answer(plugins: Any, institution_id: int, activity: dict[str, Any],
                       response: dict[str, Any]) -> dict[str, Any]:
    """The stored fields of one answer: fraction, time taken, score. Refuses answers after
    the time limit. Graded through the hook, on whichever worker received the answer."""
    config = activity["config"]
    seconds = elapsed(activity.get("opened_at"))
    if seconds > config["time_limit"] + GRACE_SECONDS:
        raise LiveError(409, "time_up", "Đã hết giờ trả lời câu hỏi này.",
                        "Time is up for this question.")
    got = await _question(plugins, institution_id, config["question_id"])
    fraction = got["grade"](response)
    fraction = 0.0 if fraction is None else float(fraction)
    return {"fraction": fraction, "elapsed_ms": round(seconds * 1000),
            "score": speed_score(fraction, seconds, config["time_limit"], config["points"])}


# --- closing on time ----------------------------------------------------------------------


def schedule_close(broker: Broker | None, session_id: int, activity_id: int,
                   seconds: float) -> None:
    """Close the question when its time is up (and the grace has passed). Whoever closes it
    first (a runner, this timer on any worker) wins; the others find it closed."""
    async def close_later() -> None:
        from lms_live_sessions.lifecycle import close_activity

        await asyncio.sleep(seconds + GRACE_SECONDS)
        try:
            await close_activity(broker, session_id, activity_id)
        except LiveError:
            pass  # closed already
    task = asyncio.create_task(close_later())
    _timers.add(task)
    task.add_done_callback(_timers.discard)


async def cancel_timers() -> None:
    """At shutdown: an open question stays open and is closed by its runner next time."""
    tasks = list(_timers)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


# --- results and leaderboard --------------------------------------------------------------


def aggregate(activity: dict[str, Any], rows: list[dict[str, Any]], key: dict[str, Any] | None
              ) -> dict[str, Any]:
    """How many answered and, for choice questions, how many chose each choice (live, like
    Kahoot's bars). Who was right, how many were right and the key only once closed."""
    question = (activity.get("config") or {}).get("question") or {}
    out: dict[str, Any] = {}
    if question.get("choices"):
        counts: dict[Any, int] = {}
        for r in rows:
            a = r["answer"]
            chosen = a.get("choices") or ([a["choice"]] if "choice" in a else [])
            if "value" in a and isinstance(a["value"], bool):
                chosen = [1 if a["value"] else 2]
            for c in chosen:
                counts[c] = counts.get(c, 0) + 1
        out["choices"] = [{"id": c["id"], "count": counts.get(c["id"], 0)}
                          for c in question["choices"]]
    if key is not None:
        out["key"] = key
        out["correct"] = sum(1 for r in rows if (r.get("fraction") or 0) >= 1 - 1e-9)
        out["average_score"] = round(sum(r.get("score") or 0 for r in rows) / len(rows)) \
            if rows else None
    return out


async def leaderboard(session_id: int, closing: int | None = None) -> list[dict[str, Any]]:
    """Every trainee who answered a closed quick quiz of the session, best first. ``closing``
    counts that quiz as closed already: a socket that has just received its
    ``activity_closed`` may read before the closing transaction commits (the broadcast leaves
    just before), and its answers are committed anyway. Each entry also carries ``last``:
    the fields of the user's answer to ``closing``."""
    closed = Q(activity__state=ActivityState.CLOSED)
    if closing is not None:
        closed |= Q(activity_id=closing)
    rows = await ActivityResponse.filter(closed, session_id=session_id,
                                         activity__kind=KIND).values(
        "activity_id", "user_id", "user__full_name", "user__sort_key", "score", "fraction",
        "elapsed_ms")
    totals: dict[int, dict[str, Any]] = {}
    last: dict[int, dict[str, Any]] = {}
    for r in rows:
        entry = totals.setdefault(r["user_id"], {
            "user_id": r["user_id"], "full_name": r["user__full_name"], "score": 0,
            "correct": 0, "answered": 0, "ms": 0, "_sort": r["user__sort_key"] or ""})
        entry["score"] += r["score"] or 0
        entry["answered"] += 1
        entry["ms"] += r["elapsed_ms"] or 0
        entry["correct"] += (r["fraction"] or 0) >= 1 - 1e-9
        if r["activity_id"] == closing:
            last[r["user_id"]] = {"score": r["score"], "fraction": r["fraction"],
                                  "elapsed_ms": r["elapsed_ms"]}
    ranked = sorted(totals.values(), key=lambda e: (-e["score"], e["ms"], e["_sort"]))
    for rank, entry in enumerate(ranked, start=1):
        entry["rank"] = rank
        del entry["_sort"]
        if closing is not None:
            entry["last"] = last.get(entry["user_id"])
    return ranked


#: Rankings just computed for a closing quiz, shared by every socket of this worker (each
#: trainee's socket asks at the same moment): (session, activity) -> (when, computation).
#: Reused for a few seconds only: the ranking of a closed quiz no longer changes, but ids
#: are reused by another database (tests) and a task belongs to one event loop.
_rankings: dict[tuple[int, int], tuple[float, asyncio.Task[list[dict[str, Any]]]]] = {}
RANKINGS_KEPT = 16
RANKING_REUSE_SECONDS = 5.0


def _ranking_for(session_id: int, activity_id: int) -> asyncio.Task[list[dict[str, Any]]]:
    key, now = (session_id, activity_id), time.monotonic()
    hit = _rankings.get(key)
    if hit is not None and now - hit[0] < RANKING_REUSE_SECONDS \
            and hit[1].get_loop() is asyncio.get_running_loop():
        return hit[1]
    task = asyncio.ensure_future(leaderboard(session_id, activity_id))
    _rankings[key] = (now, task)
    while len(_rankings) > RANKINGS_KEPT:
        _rankings.pop(next(iter(_rankings)))
    return task


def runner_board(ranked: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return ranked[:RUNNER_TOP]


def screen_board(ranked: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """No names and no ids: the screen is seen by the whole room."""
    return [{"rank": e["rank"], "score": e["score"], "correct": e["correct"]}
            for e in ranked[:SCREEN_TOP]]


def own_standing(ranked: list[dict[str, Any]], user_id: int) -> dict[str, Any]:
    mine = next((e for e in ranked if e["user_id"] == user_id), None)
    return {"rank": mine["rank"] if mine else None, "of": len(ranked),
            "total": mine["score"] if mine else 0,
            "correct": mine["correct"] if mine else 0}


async def my_result(activity_id: int, session_id: int, user_id: int, *,
                    shared: bool = True) -> dict[str, Any]:
    """What one trainee sees after a quick quiz closes: this question's score and their place
    on the session's leaderboard. ``shared``: use (or start) this worker's one computation
    for the quiz that just closed; a snapshot reads afresh."""
    ranked = await (_ranking_for(session_id, activity_id) if shared
                    else leaderboard(session_id, activity_id))
    mine = next((e for e in ranked if e["user_id"] == user_id), None)
    answer = (mine or {}).get("last") or {"score": None, "fraction": None, "elapsed_ms": None}
    return {"activity_id": activity_id, **answer, **own_standing(ranked, user_id)}
