"""Writing events: every batch waits for one shared INSERT (group commit).

Thousands of phones send a few events every few seconds. One transaction per batch would cost
the database a commit per batch; instead, batches that arrive within ``max_wait`` seconds of
each other are written by one statement, ``INSERT ... ON CONFLICT DO NOTHING RETURNING``, and
each caller is answered, after the commit, with how many of its own events were new. Nothing is
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

log = logging.getLogger("lms.engagement")

COLUMNS = ("institution_id", "user_id", "enrolment_id", "module_id", "live_session_id",
           "client_id", "kind", "client_ts", "server_ts", "corrected_ts", "data")
_PG_TYPES = ("int", "int", "int", "int", "int", "text", "text", "timestamptz", "timestamptz",
             "timestamptz", "text")
_NAMES = ", ".join(COLUMNS)
PG_INSERT = (
    f"INSERT INTO engagement_event ({_NAMES}) "
    "SELECT i, u, e, m, s, c, k, ct, st, xt, d::jsonb FROM unnest("
    + ", ".join(f"${n}::{t}[]" for n, t in enumerate(_PG_TYPES, start=1))
    + ") AS t(i, u, e, m, s, c, k, ct, st, xt, d) "
    "ON CONFLICT (user_id, client_id) DO NOTHING RETURNING user_id, client_id"
)
SQLITE_ROWS = 500
_SQLITE_ROW = "(" + ", ".join("?" for _ in COLUMNS) + ")"


@dataclass(frozen=True, slots=True)
class EventRow:
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


async def insert_rows(rows: Sequence[EventRow]) -> set[tuple[int, str]]:
    """Insert what is new, in one transaction; returns the keys that were inserted."""
    if not rows:
        return set()
    inserted: set[tuple[int, str]] = set()
    async with in_transaction() as conn:
        if conn.capabilities.dialect == "postgres":
            columns: list[list[Any]] = [[] for _ in COLUMNS]
            for row in rows:
                values = (row.institution_id, row.user_id, row.enrolment_id, row.module_id,
                          row.live_session_id, row.client_id, row.kind, row.client_ts,
                          row.server_ts, row.corrected_ts, _json(row.data))
                for column, value in zip(columns, values):
                    column.append(value)
            # the driver's records as they come (Tortoise would build a dict per row)
            raw = getattr(conn, "_connection", None)
            if raw is not None and hasattr(raw, "fetch"):
                records = await raw.fetch(PG_INSERT, *columns)
                inserted.update((r[0], r[1]) for r in records)
            else:
                records = await conn.execute_query_dict(PG_INSERT, columns)
                inserted.update((r["user_id"], r["client_id"]) for r in records)
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
                records = await conn.execute_query_dict(sql, params)
                inserted.update((r["user_id"], r["client_id"]) for r in records)
    return inserted


def _json(data: dict[str, Any]) -> str:
    return orjson.dumps(data).decode() if data else "{}"


class _Pending:
    __slots__ = ("rows", "future")

    def __init__(self, rows: Sequence[EventRow]) -> None:
        self.rows = rows
        self.future: asyncio.Future[int] = asyncio.get_running_loop().create_future()


class EventWriter:
    """One per app. ``write`` returns how many of the given rows were new, once they are
    committed; a database error fails every batch of that flush (their callers answer 503 and
    the pages resend)."""

    def __init__(self, max_wait: float = 0.01, max_rows: int = 5000) -> None:
        self.max_wait = max_wait
        self.max_rows = max_rows
        self._pending: list[_Pending] = []
        self._rows = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.flushes = 0

    async def write(self, rows: Sequence[EventRow]) -> int:
        if not rows:
            return 0
        item = _Pending(rows)
        self._pending.append(item)
        self._rows += len(rows)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        if self._rows >= self.max_rows:
            self._wake.set()
        return await item.future

    async def _run(self) -> None:
        while self._pending:
            try:
                await asyncio.wait_for(self._wake.wait(), self.max_wait)
            except TimeoutError:
                pass
            self._wake.clear()
            batch, self._pending, self._rows = self._pending, [], 0
            await self._flush(batch)

    async def _flush(self, batch: list[_Pending]) -> None:
        owner: dict[tuple[int, str], _Pending] = {}
        rows: list[EventRow] = []
        for item in batch:
            for row in item.rows:
                if row.key() not in owner:  # the same event in two batches: the first owns it
                    owner[row.key()] = item
                    rows.append(row)
        try:
            inserted = await insert_rows(rows)
        except Exception as exc:
            log.exception("could not store %d engagement events", len(rows))
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
        """Let the last flush finish (at shutdown, before the database closes)."""
        if self._task is not None:
            self._wake.set()
            await asyncio.gather(self._task, return_exceptions=True)


_writers: "weakref.WeakKeyDictionary[Any, EventWriter]" = weakref.WeakKeyDictionary()


def writer_for(plugins: Any) -> EventWriter:
    """The app's writer, keyed by the app's plugin manager (one per running app)."""
    writer = _writers.get(plugins)
    if writer is None:
        writer = _writers[plugins] = EventWriter()
    return writer
