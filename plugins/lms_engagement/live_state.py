"""The room right now: each trainee's latest state in a running session, and the counts the
lecturer's console shows.

One row per (session, user) in ``engagement_live_state``. Sockets opening and closing change
``sockets``; signal batches set visible / focused / idle from their events in time order (only
events newer than the state already kept count, so a late batch cannot undo a newer state);
an interaction counts up. Several workers write the same rows, so every change is a single
statement. A user with two pages open (phone and laptop) has one row: the latest event of
either page wins here, while the figures after the session merge the pages exactly
(``timeline.py``).

Status of a trainee with an open socket: *away* when their page is hidden or has been silent
longer than twice the heartbeat plus a grace (a locked phone stops its timers and often its
socket's close), *distracted* when visible but idle or not focused, otherwise *attentive*.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Sequence

from lms_core.sql import as_bool, execute, fetch, fetch_rows

ATTENTIVE, DISTRACTED, AWAY = "attentive", "distracted", "away"
#: Added to twice the heartbeat before a silent page counts as away (a batch in flight).
GRACE_SECONDS = 5.0

_OPEN = (
    "INSERT INTO engagement_live_state (session_id, institution_id, user_id, sockets, visible, "
    "focused, idle, last_signal_at, state_at, first_seen_at, interactions) "
    "VALUES ($1, $2, $3, 1, $4, $4, $5, $6, $6, $6, 0) "
    "ON CONFLICT (session_id, user_id) DO UPDATE SET "
    "sockets = engagement_live_state.sockets + 1, last_signal_at = excluded.last_signal_at"
)
_CLOSE = ("UPDATE engagement_live_state SET sockets = CASE WHEN sockets > 0 THEN sockets - 1 "
          "ELSE 0 END WHERE session_id = $1 AND user_id = $2")
_INTERACTED = ("UPDATE engagement_live_state SET interactions = interactions + $3, "
               "visible = $4, focused = $4, idle = $5, last_signal_at = $6 "
               "WHERE session_id = $1 AND user_id = $2")


async def socket_opened(session_id: int, institution_id: int, user_id: int,
                        now: datetime) -> None:
    """A fresh page is taken as present and attentive until its first signals say otherwise."""
    await execute(_OPEN, session_id, institution_id, user_id, True, False, now)


async def socket_closed(session_id: int, user_id: int) -> None:
    await execute(_CLOSE, session_id, user_id)


async def interacted(session_id: int, user_id: int, now: datetime, count: int = 1) -> None:
    """Answering, asking or tapping proves the trainee is looking: attentive now."""
    await execute(_INTERACTED, session_id, user_id, count, True, False, now)


def batch_state(events: Iterable[tuple[datetime, str]]
                ) -> tuple[bool | None, bool | None, bool | None, datetime | None]:
    """What a batch says last about each flag (None: it does not say), and its newest time."""
    visible = focused = idle = None
    newest = None
    for at, kind in sorted(events):
        newest = at
        if kind in ("visible", "hidden"):
            visible = kind == "visible"
        elif kind in ("focus", "blur"):
            focused = kind == "focus"
        elif kind == "idle":
            idle = True
        elif kind in ("active", "interaction"):
            idle = False
    return visible, focused, idle, newest


@dataclass(frozen=True, slots=True)
class SignalState:
    """What one batch of signals does to its trainee's row: the flags it sets (None: it does
    not say), its newest corrected time (None: an empty batch, only a sign of life) and when it
    arrived. Built at once, applied by the event writer in the same transaction as the events,
    so a batch costs no statement (and no commit) of its own."""

    session_id: int
    institution_id: int
    user_id: int
    visible: bool | None
    focused: bool | None
    idle: bool | None
    newest: datetime | None
    now: datetime

    def key(self) -> tuple[int, int]:
        return self.session_id, self.user_id


def signal_state(session_id: int, institution_id: int, user_id: int,
                 events: Iterable[tuple[datetime, str]], now: datetime) -> SignalState:
    """``events``: (corrected time, kind) of one batch."""
    visible, focused, idle, newest = batch_state(events)
    return SignalState(session_id, institution_id, user_id, visible, focused, idle, newest, now)


# A batch newer than the state kept sets its flags; an older one (or an empty one) only counts
# as a sign of life, so a late batch never undoes a newer state.
_NEWER = "t.newest IS NOT NULL AND s.state_at <= t.newest"
_PG_SIGNALS = (
    "UPDATE engagement_live_state AS s SET "
    f"visible = CASE WHEN {_NEWER} THEN COALESCE(t.v, s.visible) ELSE s.visible END, "
    f"focused = CASE WHEN {_NEWER} THEN COALESCE(t.f, s.focused) ELSE s.focused END, "
    f"idle = CASE WHEN {_NEWER} THEN COALESCE(t.i, s.idle) ELSE s.idle END, "
    f"state_at = CASE WHEN {_NEWER} THEN t.newest ELSE s.state_at END, "
    "last_signal_at = t.now "
    "FROM unnest($1::int[], $2::int[], $3::boolean[], $4::boolean[], $5::boolean[], "
    "$6::timestamptz[], $7::timestamptz[]) AS t(sid, uid, v, f, i, now, newest) "
    "WHERE s.session_id = t.sid AND s.user_id = t.uid RETURNING s.session_id, s.user_id"
)
_ONE_SIGNALS = (
    "UPDATE engagement_live_state SET "
    "visible = CASE WHEN $7 IS NOT NULL AND state_at <= $7 THEN COALESCE($3, visible) "
    "ELSE visible END, "
    "focused = CASE WHEN $7 IS NOT NULL AND state_at <= $7 THEN COALESCE($4, focused) "
    "ELSE focused END, "
    "idle = CASE WHEN $7 IS NOT NULL AND state_at <= $7 THEN COALESCE($5, idle) ELSE idle END, "
    "state_at = CASE WHEN $7 IS NOT NULL AND state_at <= $7 THEN $7 ELSE state_at END, "
    "last_signal_at = $6 WHERE session_id = $1 AND user_id = $2"
)
_EARLY_ROW = (
    "INSERT INTO engagement_live_state (session_id, institution_id, user_id, sockets, visible, "
    "focused, idle, last_signal_at, state_at, first_seen_at, interactions) "
    "VALUES ($1, $2, $3, 0, $4, $5, $6, $7, $8, $7, 0) "
    "ON CONFLICT (session_id, user_id) DO NOTHING"
)


def _rounds(states: Sequence[SignalState]) -> list[list[SignalState]]:
    """Arrival order kept per trainee; each round names a row at most once (an UPDATE ... FROM
    that joins a row twice applies only one of them), in key order so that two workers flushing
    at once lock the rows in the same order."""
    rounds: list[list[SignalState]] = []
    seen: dict[tuple[int, int], int] = {}
    for state in states:
        depth = seen.get(state.key(), 0)
        seen[state.key()] = depth + 1
        if depth == len(rounds):
            rounds.append([])
        rounds[depth].append(state)
    for each in rounds:
        each.sort(key=SignalState.key)
    return rounds


async def apply_states(states: Sequence[SignalState], connection: Any) -> None:
    """Every batch's state of one flush, on the writer's transaction: one statement per round on
    PostgreSQL (one round unless a trainee sent twice within the flush), one per batch on
    SQLite (no network there). A trainee whose row is not there yet (signals before the socket
    hook ran) gets one with the batch's state."""
    if not states:
        return
    missing: list[SignalState] = []
    if connection.capabilities.dialect == "postgres":
        for each in _rounds(states):
            columns = ([s.session_id for s in each], [s.user_id for s in each],
                       [s.visible for s in each], [s.focused for s in each],
                       [s.idle for s in each], [s.now for s in each],
                       [s.newest for s in each])
            found = {(r[0], r[1]) for r in
                     await fetch_rows(_PG_SIGNALS, *columns, connection=connection)}
            missing += [s for s in each if s.key() not in found]
    else:
        for s in states:
            changed = await execute(_ONE_SIGNALS, s.session_id, s.user_id, s.visible,
                                    s.focused, s.idle, s.now, s.newest, connection=connection)
            if not changed:
                missing.append(s)
    for s in missing:
        if s.newest is None:  # an empty batch is no state to start a row with
            continue
        await execute(_EARLY_ROW, s.session_id, s.institution_id, s.user_id,
                      True if s.visible is None else s.visible,
                      True if s.focused is None else s.focused, bool(s.idle), s.now, s.newest,
                      connection=connection)


def aware(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


def status_of(row: dict[str, Any], now: datetime, stale_after: timedelta) -> str:
    last = aware(row["last_signal_at"])
    if last is None or now - last > stale_after or not as_bool(row["visible"]):
        return AWAY
    if as_bool(row["focused"]) and not as_bool(row["idle"]):
        return ATTENTIVE
    return DISTRACTED


def stale_after(heartbeat_seconds: float) -> timedelta:
    return timedelta(seconds=2 * heartbeat_seconds + GRACE_SECONDS)


async def rows(session_id: int) -> list[dict[str, Any]]:
    return await fetch(
        "SELECT s.user_id, s.sockets, s.visible, s.focused, s.idle, s.last_signal_at, "
        "s.interactions, s.nudged_at, u.full_name, u.sort_key FROM engagement_live_state s "
        "JOIN lms_user u ON u.id = s.user_id WHERE s.session_id = $1 ORDER BY u.sort_key, "
        "s.user_id", session_id)


def counts(all_rows: list[dict[str, Any]], now: datetime, heartbeat_seconds: float
           ) -> dict[str, Any]:
    """Counts only, no names: what the console shows by default."""
    limit = stale_after(heartbeat_seconds)
    out = {"present": 0, ATTENTIVE: 0, DISTRACTED: 0, AWAY: 0}
    interacted = 0
    for row in all_rows:
        if row["interactions"]:
            interacted += 1
        if not row["sockets"]:
            continue
        out["present"] += 1
        out[status_of(row, now, limit)] += 1
    seen = len(all_rows)
    return {**out, "seen": seen, "interacted": interacted,
            "coverage": round(interacted / seen, 3) if seen else None}


def names(all_rows: list[dict[str, Any]], now: datetime, heartbeat_seconds: float
          ) -> dict[str, list[dict[str, Any]]]:
    """Who is away or distracted, on the lecturer's request (the names are not on screen by
    default, so the room is not shamed on the projector)."""
    limit = stale_after(heartbeat_seconds)
    out: dict[str, list[dict[str, Any]]] = {AWAY: [], DISTRACTED: []}
    for row in all_rows:
        if not row["sockets"]:
            continue
        status = status_of(row, now, limit)
        if status in out:
            out[status].append({"user_id": row["user_id"], "full_name": row["full_name"],
                                "interactions": row["interactions"]})
    return out


async def mark_nudged(session_id: int, user_ids: list[int], now: datetime) -> None:
    for user_id in user_ids:
        await execute("UPDATE engagement_live_state SET nudged_at = $3 "
                      "WHERE session_id = $1 AND user_id = $2", session_id, user_id, now)
