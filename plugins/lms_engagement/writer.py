"""Writing events: every batch waits for one shared INSERT (group commit).

Thousands of phones send a few events every few seconds. One transaction per batch would cost
the database a commit per batch; instead, batches that arrive within ``max_wait`` seconds of
each other are written by one statement, ``INSERT ... ON CONFLICT DO NOTHING RETURNING``, and
each caller is answered, after the commit, with how many of its own events were new. The
live console's state rows that the batches change are updated in the same transaction, one
statement for the whole flush. Nothing is
acknowledged before it is stored, so a client that got its answer never needs to resend, and
one that did not may resend safely: the unique (user, client id) key makes a resent event a
duplicate, not a second row.

PostgreSQL gets the rows as one array per column (``unnest``), which asyncpg sends in binary
in one round trip; SQLite gets multi-row VALUES of at most ``SQLITE_ROWS`` rows.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

import weakref

import orjson
from tortoise.transactions import in_transaction

from lms_core.sql import fetch_rows
from lms_engagement.live_state import SignalState, apply_states

log = logging.getLogger("lms.engagement")

COLUMNS = ("institution_id", "user_id", "enrolment_id", "module_id", "live_session_id",
           "client_id", "kind", "client_ts", "server_ts", "corrected_ts", "data")
_NAMES = ", ".join(COLUMNS)
#: The whole flush is one JSON array of row arrays, built by orjson in C: asyncpg encodes eleven
#: typed arrays element by element (with an ABC check per element), which measured 7-11 µs of
#: this process's CPU per row against 1-4 for the JSON, for 1-3 µs more of PostgreSQL's.
_PG_CASTS = ("int", "int", "int", "int", "int", None, None, "timestamptz", "timestamptz",
             "timestamptz")
PG_INSERT = (
    f"INSERT INTO engagement_event ({_NAMES}) SELECT "
    + ", ".join(f"(r->>{n})::{t}" if t else f"r->>{n}" for n, t in enumerate(_PG_CASTS))
    + f", r->{len(_PG_CASTS)} FROM jsonb_array_elements($1::text::jsonb) AS r "
    "ON CONFLICT (user_id, client_id) DO NOTHING RETURNING user_id, client_id"
)
SQLITE_ROWS = 500
_SQLITE_ROW = "(" + ", ".join("?" for _ in COLUMNS) + ")"


@dataclass(slots=True)
class EventRow:
    """One row to store. Not frozen: a frozen dataclass's ``__init__`` goes through
    ``object.__setattr__`` per field, measurable at tens of thousands of rows a second; nothing
    changes a row once built."""

    institution_id: int
    user_id: int
    enrolment_id: int | None
    module_id: int | None
    live_session_id: int | None
    client_id: str
    kind: str
    client_ts: datetime
    server_ts: datetime
    corrected_ts: datetime
    data: dict[str, Any]

    def key(self) -> tuple[int, str]:
        return self.user_id, self.client_id


async def insert_rows(rows: Sequence[EventRow],
                      states: Sequence[SignalState] = ()) -> set[tuple[int, str]]:
    """Insert what is new and apply the batches' live states, in one transaction; returns the
    keys that were inserted."""
    if not rows and not states:
        return set()
    inserted: set[tuple[int, str]] = set()
    async with in_transaction() as conn:
        if not rows:
            pass
        elif conn.capabilities.dialect == "postgres":
            payload = orjson.dumps([(row.institution_id, row.user_id, row.enrolment_id,
                                     row.module_id, row.live_session_id, row.client_id,
                                     row.kind, row.client_ts, row.server_ts, row.corrected_ts,
                                     row.data) for row in rows]).decode()
            inserted.update((r[0], r[1]) for r in
                            await fetch_rows(PG_INSERT, payload, connection=conn))
        else:
            for start in range(0, len(rows), SQLITE_ROWS):
                chunk = rows[start:start + SQLITE_ROWS]
                sql = (f"INSERT INTO engagement_event ({_NAMES}) VALUES "
                       + ", ".join(_SQLITE_ROW for _ in chunk)
                       + " ON CONFLICT (user_id, client_id) DO NOTHING"
                       " RETURNING user_id, client_id")
                params: list[Any] = []
                for row in chunk:
                    params += (row.institution_id, row.user_id, row.enrolment_id,
                               row.module_id, row.live_session_id, row.client_id, row.kind,
                               row.client_ts, row.server_ts, row.corrected_ts,
                               _json(row.data))
                _changed, records = await conn.execute_query(sql, params)
                inserted.update((r[0], r[1]) for r in records)
        await apply_states(states, conn)
    return inserted


def _row_key(row: EventRow) -> tuple[int, str]:
    return row.user_id, row.client_id


def _json(data: dict[str, Any]) -> str:
    return orjson.dumps(data).decode() if data else "{}"


class _Pending:
    __slots__ = ("rows", "states", "future")

    def __init__(self, rows: Sequence[EventRow], states: Sequence[SignalState]) -> None:
        self.rows = rows
        self.states = states
        self.future: asyncio.Future[int] = asyncio.get_running_loop().create_future()


class EventWriter:
    """One per app. ``write`` returns how many of the given rows were new, once they are
    committed; a database error fails every batch of that flush (their callers answer 503 and
    the pages resend).

    Up to ``in_flight`` flushes run at once on their own pooled connections, so this process
    validates the next batches while PostgreSQL writes the last ones. Every flush inserts its
    rows, then updates its live states, each in key order: two flushes that share keys (a resend
    while the first send is being written) wait for each other in one order only, never in a
    cycle, and the second reports those events as duplicates once the first has committed."""

    def __init__(self, max_wait: float = 0.01, max_rows: int = 5000, in_flight: int = 2) -> None:
        self.max_wait = max_wait
        self.max_rows = max_rows
        self._pending: list[_Pending] = []
        self._rows = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._slots = asyncio.Semaphore(in_flight)
        self._flushing: set[asyncio.Task[None]] = set()
        self.flushes = 0

    async def write(self, rows: Sequence[EventRow], states: Sequence[SignalState] = ()) -> int:
        """``states``: what the batch does to the live console's rows, written in the same
        transaction (an empty batch still counts as a sign of life)."""
        if not rows and not states:
            return 0
        item = _Pending(rows, states)
        self._pending.append(item)
        self._rows += len(rows)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        if self._rows >= self.max_rows:
            self._wake.set()
        return await item.future

    async def _run(self) -> None:
        while self._pending:
            await self._slots.acquire()  # while every slot is busy, batches keep gathering
            try:
                await asyncio.wait_for(self._wake.wait(), self.max_wait)
            except TimeoutError:
                pass
            self._wake.clear()
            batch, self._pending, self._rows = self._pending, [], 0
            if not batch:
                self._slots.release()
                continue
            task = asyncio.create_task(self._flush_in_slot(batch))
            self._flushing.add(task)
            task.add_done_callback(self._flushing.discard)

    async def _flush_in_slot(self, batch: list[_Pending]) -> None:
        try:
            await self._flush(batch)
        finally:
            self._slots.release()

    async def _flush(self, batch: list[_Pending]) -> None:
        owner: dict[tuple[int, str], _Pending] = {}
        try:
            states: list[SignalState] = []
            rows: list[EventRow] = []
            for item in batch:
                states += item.states
                for row in item.rows:
                    key = (row.user_id, row.client_id)
                    if key not in owner:  # the same event in two batches: the first owns it
                        owner[key] = item
                        rows.append(row)
            rows.sort(key=_row_key)  # one lock order for every flush
            inserted = await insert_rows(rows, states)
        except Exception as exc:  # every caller of this flush hears of it, none waits forever
            log.exception("could not store the engagement events of %d batches", len(batch))
            for item in batch:
                if not item.future.done():
                    item.future.set_exception(exc)
            return
        self.flushes += 1
        counts: dict[int, int] = {}
        for key in inserted:
            item = owner.get(key)
            if item is not None:
                counts[id(item)] = counts.get(id(item), 0) + 1
        for item in batch:
            if not item.future.done():
                item.future.set_result(counts.get(id(item), 0))

    async def stop(self) -> None:
        """Let the last flushes finish (at shutdown, before the database closes)."""
        if self._task is not None:
            self._wake.set()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._flushing:
            await asyncio.gather(*self._flushing, return_exceptions=True)


_writers: "weakref.WeakKeyDictionary[Any, EventWriter]" = weakref.WeakKeyDictionary()


def writer_for(plugins: Any) -> EventWriter:
    """The app's writer, keyed by the app's plugin manager (one per running app)."""
    writer = _writers.get(plugins)
    if writer is None:
        writer = _writers[plugins] = EventWriter()
    return writer
