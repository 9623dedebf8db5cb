"""One live period's figures: per trainee, and for the room. Pure (no database): ``results.py``
reads the rows and stores what this computes.

Per trainee:

* **time present**: the union of their sockets' open intervals, inside the period (from its
  start to its end). A reconnection within ``RECONNECT_GRACE`` does not end presence: a phone
  locked for a minute drops its socket, and that minute was spent away from the class, not
  absent from it; so short gaps are bridged and count as away.
* **attentive / visible / away**: ``timeline.within``: the best page state at each moment of
  the time present, and away where no page speaks for longer than two heartbeats (a gap in
  heartbeats is away; the instants before a page's first signal or after its last heartbeat
  keep the state next to them).
* **interactions**: answers, questions, votes, hands, group edits, check-ins and explicit
  interactions from the page.
* **attention checks**: those sent while the trainee was present; answered in time or not,
  and the mean latency of the answers.
* **score** (0–100) = 100 × (0.6·A + 0.3·I + 0.1·C), where A is the attentive share of the time
  present, I = min(interactions, 3) / 3, and C the share of the checks sent while present that
  were answered in time. Without any check in the period the weights are 0.65 and 0.35 (C is
  left out, not counted as zero).

For the room: *coverage* (share of the trainees present who interacted at least once), the
*timeline* (per minute from the start: trainees present and the attentive share of their
present time), and the *drops*: a minute whose share is at least ``DROP_POINTS`` below the
mean of the three minutes before it, consecutive such minutes being one drop (its lowest
minute is reported).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable

from lms_engagement.timeline import ATTENTIVE, Event, Summary, add_up, merged_segments, within

RECONNECT_GRACE = 120.0
DROP_POINTS = 0.2
SERVER_PREFIXES = ("srv:", "ws:")


@dataclass
class CheckSent:
    check_id: int
    sent_at: datetime
    expires_at: datetime


@dataclass
class TraineeFigures:
    user_id: int
    present_seconds: float = 0.0
    visible_seconds: float = 0.0
    attentive_seconds: float = 0.0
    away_count: int = 0
    away_longest_seconds: float = 0.0
    away_total_seconds: float = 0.0
    interactions: int = 0
    checks_sent: int = 0
    checks_answered: int = 0
    checks_mean_latency_ms: int | None = None
    score: int = 0
    segments: list[tuple[float, float, int]] = field(default_factory=list, repr=False)

    @property
    def attentive_share(self) -> float | None:
        if not self.present_seconds:
            return None
        return self.attentive_seconds / self.present_seconds


def presence(events: Iterable[Event], start: float, end: float,
             grace: float = RECONNECT_GRACE) -> list[tuple[float, float]]:
    """Sorted, merged intervals from the server's ``joined``/``left`` events (``data`` is not
    needed: each socket's two events share the client id's middle part)."""
    opened: dict[str, float] = {}
    intervals: list[tuple[float, float]] = []
    for event in sorted(events, key=lambda e: e.at):
        socket = event.client_id.split(":")[1] if event.client_id.count(":") >= 2 else ""
        moment = event.at.timestamp()
        if event.kind == "joined":
            opened.setdefault(socket, moment)
        elif event.kind == "left" and socket in opened:
            intervals.append((opened.pop(socket), moment))
    intervals += [(t, end) for t in opened.values()]  # still connected when it ended
    clipped = sorted((max(a, start), min(b, end)) for a, b in intervals if b > start and a < end)
    merged: list[tuple[float, float]] = []
    for a, b in clipped:
        if merged and a - merged[-1][1] <= grace:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        elif b > a:
            merged.append((a, b))
    return merged


def trainee(user_id: int, events: list[Event], heartbeat: float, start: float, end: float,
            checks: list[CheckSent], answers: dict[int, tuple[int, bool]]) -> TraineeFigures:
    """``answers``: check id -> (latency ms, in time) for this trainee."""
    server = [e for e in events if e.kind in ("joined", "left")]
    pages = [e for e in events if not e.client_id.startswith(SERVER_PREFIXES)]
    present = presence(server, start, end)
    _ordered, merged = merged_segments(pages, heartbeat)
    segments = within(merged, present, 2 * max(heartbeat, 1.0))
    summary = Summary()
    add_up(segments, summary)
    out = TraineeFigures(user_id=user_id, segments=segments)
    out.present_seconds = summary.tracked_seconds
    out.visible_seconds = summary.visible_seconds
    out.attentive_seconds = summary.attentive_seconds
    out.away_count = summary.away_count
    out.away_longest_seconds = summary.away_longest_seconds
    out.away_total_seconds = summary.away_total_seconds
    out.interactions = len({e.client_id for e in events if e.kind == "interaction"
                            and start <= e.at.timestamp() <= end})
    sent = [c for c in checks
            if any(a <= c.sent_at.timestamp() < b for a, b in present)]
    out.checks_sent = len(sent)
    latencies = [answers[c.check_id][0] for c in sent if c.check_id in answers]
    out.checks_answered = sum(1 for c in sent if answers.get(c.check_id, (0, False))[1])
    out.checks_mean_latency_ms = round(sum(latencies) / len(latencies)) if latencies else None
    out.score = score(out)
    return out


def score(f: TraineeFigures) -> int:
    if not f.present_seconds:
        return 0
    a = f.attentive_share or 0.0
    i = min(f.interactions, 3) / 3
    if f.checks_sent:
        c = f.checks_answered / f.checks_sent
        value = 0.6 * a + 0.3 * i + 0.1 * c
    else:
        value = 0.65 * a + 0.35 * i
    return round(100 * value)


@dataclass
class RoomFigures:
    present: int
    interacted: int
    coverage: float | None
    attentive_share: float | None
    timeline: list[dict[str, Any]]
    drops: list[dict[str, Any]]


def room(trainees: list[TraineeFigures], start: float, end: float) -> RoomFigures:
    present = [t for t in trainees if t.present_seconds > 0]
    interacted = sum(1 for t in present if t.interactions > 0)
    total_present = sum(t.present_seconds for t in present)
    total_attentive = sum(t.attentive_seconds for t in present)
    minutes = max(0, int((end - start + 59.999) // 60))
    present_in = [0.0] * minutes
    attentive_in = [0.0] * minutes
    people: list[set[int]] = [set() for _ in range(minutes)]
    for t in present:
        for seg_start, seg_end, status in t.segments:
            cursor = seg_start
            while cursor < seg_end:
                m = int((cursor - start) // 60)
                if m >= minutes:
                    break
                edge = min(seg_end, start + (m + 1) * 60)
                present_in[m] += edge - cursor
                people[m].add(t.user_id)
                if status == ATTENTIVE:
                    attentive_in[m] += edge - cursor
                cursor = edge
    timeline = []
    for m in range(minutes):
        share = attentive_in[m] / present_in[m] if present_in[m] else None
        timeline.append({"minute": m, "at": _iso(start + 60 * m), "present": len(people[m]),
                         "attentive_share": None if share is None else round(share, 3)})
    return RoomFigures(
        present=len(present), interacted=interacted,
        coverage=round(interacted / len(present), 3) if present else None,
        attentive_share=round(total_attentive / total_present, 3) if total_present else None,
        timeline=timeline, drops=drops(timeline))


def drops(timeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    in_drop = False
    for i, point in enumerate(timeline):
        share = point["attentive_share"]
        before = [p["attentive_share"] for p in timeline[max(0, i - 3):i]
                  if p["attentive_share"] is not None]
        if share is None or len(before) < 1 or point["present"] < 2:
            in_drop = False
            continue
        baseline = sum(before) / len(before)
        if baseline - share >= DROP_POINTS - 1e-9:
            if in_drop and share < out[-1]["attentive_share"]:
                out[-1].update(minute=point["minute"], at=point["at"], attentive_share=share)
            elif not in_drop:
                out.append({"minute": point["minute"], "at": point["at"],
                            "attentive_share": share, "before": round(baseline, 3),
                            "present": point["present"]})
            in_drop = True
        else:
            in_drop = False
    return out


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat()


def window(started_at: datetime | None, ended_at: datetime | None, events: list[Event],
           now: datetime) -> tuple[float, float]:
    """The period: from its start (or its first event) to its end (or now while it runs)."""
    first = min((e.at for e in events), default=now)
    start = (started_at or first).timestamp()
    end = (ended_at or now).timestamp()
    return start, max(start, end)

