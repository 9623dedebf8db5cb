"""The recorded events as xAPI statements (1.0.3), for an institution's Learning Record Store.

Three kinds, in this order, each paged by its own row id (the ``more`` link carries the
cursor, as an LRS's own StatementResult does):

1. the events of the period's pages and sockets: joined / left, focused / unfocused (page
   shown or hidden, window focus), idle / active, interacted (heartbeats only on request:
   they say "still here" every few seconds and would drown everything else);
2. attention-check answers: *responded*, with the latency as the result's duration and
   ``success`` = answered before the deadline;
3. each trainee's period result: *attended*, with the score (0–100), ``success`` = the period
   counts under the institution's rule, the time present as duration, and the other figures as
   result extensions.

Statement ids are UUID 5 of what they describe, so sending the same export twice to an LRS
stores each statement once. Actors are accounts on this platform (login name), never e-mail
addresses. Verbs are the ADL and Activity Streams ones where one exists; the others live under
the platform's own address.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from lms_engagement.models import AttentionAnswer, EngagementEvent, PeriodResult, \
    PeriodSummary

NAMESPACE = uuid.UUID("6f1f2e7c-4d1b-5a8e-9c1e-2b7f3c9d0a11")
PAGE = 500
MEETING = "http://adlnet.gov/expapi/activities/meeting"

_VERBS = {
    "joined": ("http://activitystrea.ms/schema/1.0/join", "đã vào lớp", "joined"),
    "left": ("http://activitystrea.ms/schema/1.0/leave", "đã rời lớp", "left"),
    "visible": ("http://id.tincanapi.com/verb/focused", "đã quay lại trang", "focused"),
    "focus": ("http://id.tincanapi.com/verb/focused", "đã quay lại trang", "focused"),
    "hidden": ("http://id.tincanapi.com/verb/unfocused", "đã rời trang", "unfocused"),
    "blur": ("http://id.tincanapi.com/verb/unfocused", "đã rời trang", "unfocused"),
    "interaction": ("http://adlnet.gov/expapi/verbs/interacted", "đã tương tác", "interacted"),
    "responded": ("http://adlnet.gov/expapi/verbs/responded", "đã trả lời", "responded"),
    "attended": ("http://adlnet.gov/expapi/verbs/attended", "đã tham dự", "attended"),
}
_OWN = {"idle": ("không thao tác", "went idle"), "active": ("thao tác trở lại", "became active"),
        "heartbeat": ("vẫn đang mở trang", "still on the page")}


def _sid(*parts: Any) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def _iso(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _duration(seconds: float) -> str:
    return f"PT{round(seconds, 2):g}S"


class Builder:
    """Everything a statement needs besides its row: the platform's address, the people and
    the periods named in this page of statements."""

    def __init__(self, base_url: str, users: dict[int, dict[str, Any]],
                 periods: dict[int, dict[str, Any]]) -> None:
        self.base = base_url.rstrip("/")
        self.users = users
        self.periods = periods

    def verb(self, kind: str) -> dict[str, Any]:
        if kind in _VERBS:
            iri, vi, en = _VERBS[kind]
        else:
            vi, en = _OWN.get(kind, (kind, kind))
            iri = f"{self.base}/xapi/verbs/{kind}"
        return {"id": iri, "display": {"vi-VN": vi, "en-US": en}}

    def actor(self, user_id: int) -> dict[str, Any]:
        user = self.users.get(user_id, {})
        return {"objectType": "Agent", "name": user.get("full_name", ""),
                "account": {"homePage": self.base, "name": user.get("login", str(user_id))}}

    def activity(self, session_id: int) -> dict[str, Any]:
        period = self.periods.get(session_id, {})
        return {"objectType": "Activity", "id": f"{self.base}/live/sessions/{session_id}",
                "definition": {"type": MEETING,
                               "name": {"vi-VN": period.get("title") or f"#{session_id}"}}}

    def context(self, session_id: int, enrolment_id: int | None) -> dict[str, Any]:
        period = self.periods.get(session_id, {})
        out: dict[str, Any] = {"platform": "LMS", "language": "vi-VN"}
        if period.get("klass_id"):
            out["contextActivities"] = {"parent": [{
                "objectType": "Activity", "id": f"{self.base}/classes/{period['klass_id']}"}]}
        if enrolment_id:
            out["registration"] = _sid("enrolment", enrolment_id)
        return out

    def event(self, row: dict[str, Any]) -> dict[str, Any]:
        kind = getattr(row["kind"], "value", row["kind"])
        statement = {
            "id": _sid("event", row["institution_id"], row["user_id"], row["client_id"]),
            "actor": self.actor(row["user_id"]), "verb": self.verb(kind),
            "object": self.activity(row["live_session_id"]),
            "context": self.context(row["live_session_id"], row["enrolment_id"]),
            "timestamp": _iso(row["corrected_ts"]),
        }
        what = (row.get("data") or {}).get("what")
        if what:
            statement["context"]["extensions"] = {f"{self.base}/xapi/ext/interaction": what}
        return statement

    def answer(self, row: dict[str, Any]) -> dict[str, Any]:
        session_id = row["check__session_id"]
        return {
            "id": _sid("attention", row["check_id"], row["user_id"]),
            "actor": self.actor(row["user_id"]), "verb": self.verb("responded"),
            "object": {"objectType": "Activity",
                       "id": f"{self.base}/live/sessions/{session_id}/checks/{row['check_id']}",
                       "definition": {"type": "http://adlnet.gov/expapi/activities/interaction",
                                      "name": {"vi-VN": "Anh/chị còn theo dõi không?",
                                               "en-US": "Still with us?"}}},
            "result": {"success": bool(row["in_time"]),
                       "duration": _duration(row["latency_ms"] / 1000)},
            "context": self.context(session_id, None),
            "timestamp": _iso(row["answered_at"]),
        }

    def result(self, row: dict[str, Any]) -> dict[str, Any]:
        ext = f"{self.base}/xapi/ext"
        present = row["present_seconds"]
        return {
            "id": _sid("period", row["session_id"], row["user_id"]),
            "actor": self.actor(row["user_id"]), "verb": self.verb("attended"),
            "object": self.activity(row["session_id"]),
            "result": {
                "score": {"raw": row["score"], "min": 0, "max": 100,
                          "scaled": round(row["score"] / 100, 2)},
                "success": bool(row["attended"]), "completion": True,
                "duration": _duration(present),
                "extensions": {f"{ext}/attentive-seconds": row["attentive_seconds"],
                               f"{ext}/away-episodes": row["away_count"],
                               f"{ext}/interactions": row["interactions"],
                               f"{ext}/attention-checks-answered": row["checks_answered"]}},
            "context": self.context(row["session_id"], row["enrolment_id"]),
            "timestamp": _iso(row["computed_at"]),
        }


async def statements(base_url: str, session_ids: list[int], cursor: str | None,
                     heartbeats: bool = False, limit: int = PAGE
                     ) -> tuple[list[dict[str, Any]], str | None]:
    """One page and the cursor of the next (None at the end). Cursors: ``e<id>`` events,
    ``a<id>`` answers, ``r<id>`` results."""
    phase, after = (cursor[0], int(cursor[1:])) if cursor else ("e", 0)
    periods = {p["session_id"]: p for p in await PeriodSummary.filter(
        session_id__in=session_ids).values("session_id", "klass_id", "title")}
    rows: list[dict[str, Any]] = []
    if phase == "e":
        qs = EngagementEvent.filter(live_session_id__in=session_ids, id__gt=after)
        if not heartbeats:
            qs = qs.exclude(kind="heartbeat")
        rows = await qs.order_by("id").limit(limit).values(
            "id", "institution_id", "user_id", "enrolment_id", "live_session_id", "client_id",
            "kind", "corrected_ts", "data")
    elif phase == "a":
        rows = await AttentionAnswer.filter(check__session_id__in=session_ids,
                                            id__gt=after).order_by("id").limit(limit).values(
            "id", "check_id", "check__session_id", "user_id", "answered_at", "latency_ms",
            "in_time")
    else:
        rows = await PeriodResult.filter(session_id__in=session_ids, id__gt=after).order_by(
            "id").limit(limit).values("id", "session_id", "user_id", "enrolment_id", "score",
                                      "attended", "present_seconds", "attentive_seconds",
                                      "away_count", "interactions", "checks_answered",
                                      "computed_at")
    users = await _users({r["user_id"] for r in rows})
    build = Builder(base_url, users, periods)
    make = {"e": build.event, "a": build.answer, "r": build.result}[phase]
    out = [make(r) for r in rows]
    if len(rows) == limit:
        return out, f"{phase}{rows[-1]['id']}"
    following = {"e": "a", "a": "r", "r": None}[phase]
    return out, (f"{following}0" if following else None)


async def _users(ids: set[int]) -> dict[int, dict[str, Any]]:
    from lms_core.models import User

    if not ids:
        return {}
    return {u["id"]: u for u in await User.filter(id__in=ids).values("id", "full_name",
                                                                      "login")}

