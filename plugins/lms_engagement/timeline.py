"""From a user's events to attention figures. Pure (no database, no clock) so that every rule
can be tested on a hand-made sequence.

Rules:

* Events are grouped by page: the part of the client id before the last ":" (engagement.js
  makes ids "<page>:<counter>"). Each page is replayed in time order (the counter breaks ties),
  starting as visible, focused and active. Duplicated ids count once, input order is irrelevant.
* Between two consecutive events of a page, the page is in the state the first one left it in:
  *attentive* when visible, focused and not idle, *visible* when only visible, *away* when hidden.
* A gap longer than twice the heartbeat interval is away whatever the state: pages send a
  heartbeat while visible, and mobile browsers suspend pages (timers and all) in the background.
* Pages open at the same time are merged: at each moment the best state of any page counts,
  so a forgotten background tab does not hide the one being read. Time before a page's first
  event or after its last one is not covered by it, and time covered by no page is neither
  visible nor away (the trainee was simply not on the platform).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

AWAY, VISIBLE, ATTENTIVE = 0, 1, 2


@dataclass(frozen=True)
class Event:
    client_id: str
    kind: str
    at: datetime


@dataclass
class Summary:
    events: int = 0
    pages: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    tracked_seconds: float = 0.0
    visible_seconds: float = 0.0
    attentive_seconds: float = 0.0
    away_count: int = 0
    away_longest_seconds: float = 0.0
    away_total_seconds: float = 0.0
    interactions: int = 0

    def as_dict(self) -> dict[str, Any]:
        tracked = self.tracked_seconds
        return {
            "events": self.events,
            "pages": self.pages,
            "first_at": self.first_at,
            "last_at": self.last_at,
            "tracked_seconds": round(tracked, 1),
            "visible_seconds": round(self.visible_seconds, 1),
            "attentive_seconds": round(self.attentive_seconds, 1),
            "attentive_share": round(self.attentive_seconds / tracked, 3) if tracked else None,
            "away": {"count": self.away_count,
                     "longest_seconds": round(self.away_longest_seconds, 1),
                     "total_seconds": round(self.away_total_seconds, 1)},
            "interactions": self.interactions,
        }


def page_of(client_id: str) -> str:
    return client_id.rpartition(":")[0]


def _order(event: Event) -> tuple[datetime, int, str]:
    counter = event.client_id.rpartition(":")[2]
    return event.at, int(counter) if counter.isdigit() and len(counter) < 16 else -1, \
        event.client_id


class _PageState:
    __slots__ = ("visible", "focused", "idle")

    def __init__(self) -> None:
        self.visible, self.focused, self.idle = True, True, False

    def apply(self, kind: str) -> None:
        if kind == "visible":
            self.visible = True
        elif kind == "hidden":
            self.visible = False
        elif kind == "focus":
            self.focused = True
        elif kind == "blur":
            self.focused = False
        elif kind == "idle":
            self.idle = True
        elif kind in ("active", "interaction"):
            self.idle = False

    def status(self) -> int:
        if not self.visible:
            return AWAY
        return ATTENTIVE if self.focused and not self.idle else VISIBLE


def page_segments(events: list[Event], max_gap: float) -> list[tuple[float, float, int]]:
    """(start, end, status) intervals of one page, events already in order."""
    state = _PageState()
    segments: list[tuple[float, float, int]] = []
    for current, following in zip(events, events[1:]):
        state.apply(current.kind)
        start, end = current.at.timestamp(), following.at.timestamp()
        if end <= start:
            continue
        segments.append((start, end, AWAY if end - start > max_gap else state.status()))
    return segments


def summarise(events: Iterable[Event], heartbeat_seconds: float) -> Summary:
    unique: dict[str, Event] = {}
    for event in events:
        unique.setdefault(event.client_id, event)
    ordered = sorted(unique.values(), key=_order)
    out = Summary(events=len(ordered))
    if not ordered:
        return out
    out.first_at, out.last_at = ordered[0].at, ordered[-1].at
    out.interactions = sum(1 for e in ordered if e.kind == "interaction")
    pages: dict[str, list[Event]] = {}
    for event in ordered:
        pages.setdefault(page_of(event.client_id), []).append(event)
    out.pages = len(pages)
    max_gap = 2 * max(float(heartbeat_seconds), 1.0)
    segments = [s for page in pages.values() for s in page_segments(page, max_gap)]
    _merge(segments, out)
    return out


def _merge(segments: list[tuple[float, float, int]], out: Summary) -> None:
    """Sweep over every segment boundary; between two boundaries the best covering status
    counts. Consecutive away stretches form one episode, anything else ends it."""
    boundaries: dict[float, list[int]] = {}
    for start, end, status in segments:
        boundaries.setdefault(start, [0, 0, 0])[status] += 1
        boundaries.setdefault(end, [0, 0, 0])[status] -= 1
    open_count = [0, 0, 0]
    previous: float | None = None
    episode = 0.0
    for moment in sorted(boundaries):
        if previous is not None:
            length = moment - previous
            status = next((s for s in (ATTENTIVE, VISIBLE, AWAY) if open_count[s] > 0), None)
            if status is not None:
                out.tracked_seconds += length
            if status in (ATTENTIVE, VISIBLE):
                out.visible_seconds += length
            if status == ATTENTIVE:
                out.attentive_seconds += length
            if status == AWAY:
                if episode == 0.0:
                    out.away_count += 1
                episode += length
                out.away_total_seconds += length
                out.away_longest_seconds = max(out.away_longest_seconds, episode)
            else:
                episode = 0.0
        for status, delta in enumerate(boundaries[moment]):
            open_count[status] += delta
        previous = moment
