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
* In a live period the time present is known from the socket (``present`` intervals): there,
  only that time counts, and present time no page covers is away (``within``).
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


def merged_segments(events: Iterable[Event], heartbeat_seconds: float
                    ) -> tuple[list[Event], list[tuple[float, float, int]]]:
    """The events kept (duplicates dropped, in order) and the non-overlapping (start, end,
    status) stretches of all pages merged, the best status of any page at each moment."""
    unique: dict[str, Event] = {}
    for event in events:
        unique.setdefault(event.client_id, event)
    ordered = sorted(unique.values(), key=_order)
    pages: dict[str, list[Event]] = {}
    for event in ordered:
        pages.setdefault(page_of(event.client_id), []).append(event)
    max_gap = 2 * max(float(heartbeat_seconds), 1.0)
    segments = [s for page in pages.values() for s in page_segments(page, max_gap)]
    return ordered, _sweep(segments)


def within(segments: list[tuple[float, float, int]], present: list[tuple[float, float]],
           bridge: float = 0.0) -> list[tuple[float, float, int]]:
    """Clip the stretches to the time present (sorted, non-overlapping intervals) and fill
    what no page covers there with *away*: a trainee connected to the class whose page says
    nothing (locked phone, suspended tab) is not attending to it. A gap of at most ``bridge``
    seconds (the time between two heartbeats a page is allowed) keeps the state next to it:
    the moment between a socket opening and its page's first signal, or between the last
    heartbeat and the socket closing, is not an away episode."""
    out: list[tuple[float, float, int]] = []
    i = 0
    for p_start, p_end in present:
        pieces: list[tuple[float, float, int | None]] = []
        cursor = p_start
        while i < len(segments) and segments[i][1] <= p_start:
            i += 1
        j = i
        while j < len(segments) and segments[j][0] < p_end:
            start, end, status = segments[j]
            start, end = max(start, p_start), min(end, p_end)
            if start > cursor:
                pieces.append((cursor, start, None))
            if end > start:
                pieces.append((start, end, status))
                cursor = max(cursor, end)
            j += 1
        if cursor < p_end:
            pieces.append((cursor, p_end, None))
        for k, (start, end, status) in enumerate(pieces):
            if status is None:
                status = AWAY
                if end - start <= bridge:
                    before = pieces[k - 1][2] if k else None
                    after = pieces[k + 1][2] if k + 1 < len(pieces) else None
                    status = before if before is not None else (
                        after if after is not None else AWAY)
            if out and out[-1][2] == status and out[-1][1] == start:
                out[-1] = (out[-1][0], end, status)
            else:
                out.append((start, end, status))
    return out


def summarise(events: Iterable[Event], heartbeat_seconds: float,
              present: list[tuple[float, float]] | None = None) -> Summary:
    """``present``: when given (a live period), only that time counts and silence in it is
    away; without it (lesson pages), time no page covers is simply not counted."""
    ordered, segments = merged_segments(events, heartbeat_seconds)
    out = Summary(events=len(ordered))
    if present is not None:
        segments = within(segments, present, 2 * max(float(heartbeat_seconds), 1.0))
    if not ordered and not segments:
        return out
    if ordered:
        out.first_at, out.last_at = ordered[0].at, ordered[-1].at
    out.interactions = sum(1 for e in ordered if e.kind == "interaction")
    out.pages = len({page_of(e.client_id) for e in ordered})
    add_up(segments, out)
    return out


def _sweep(segments: list[tuple[float, float, int]]) -> list[tuple[float, float, int]]:
    """Between two boundaries the best covering status counts; adjacent stretches of one
    status are joined."""
    boundaries: dict[float, list[int]] = {}
    for start, end, status in segments:
        boundaries.setdefault(start, [0, 0, 0])[status] += 1
        boundaries.setdefault(end, [0, 0, 0])[status] -= 1
    open_count = [0, 0, 0]
    previous: float | None = None
    out: list[tuple[float, float, int]] = []
    for moment in sorted(boundaries):
        if previous is not None:
            status = next((s for s in (ATTENTIVE, VISIBLE, AWAY) if open_count[s] > 0), None)
            if status is not None:
                if out and out[-1][2] == status and out[-1][1] == previous:
                    out[-1] = (out[-1][0], moment, status)
                else:
                    out.append((previous, moment, status))
        for status, delta in enumerate(boundaries[moment]):
            open_count[status] += delta
        previous = moment
    return out


def add_up(segments: list[tuple[float, float, int]], out: Summary) -> None:
    """Consecutive away stretches form one episode; anything else (or a gap) ends it."""
    episode = 0.0
    last_end: float | None = None
    for start, end, status in segments:
        length = end - start
        if last_end is not None and start > last_end:
            episode = 0.0  # not covered in between: the episode ended there
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
        last_end = end
