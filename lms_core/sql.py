"""Hand-written SQL for the few hot read paths, on SQLite and PostgreSQL alike.

Building a query with Tortoise costs ~100 µs of Python per query before the database sees it
(pypika copies its query tree on every filter), and hydrating rows costs more again; on the
pages every user opens first ("my classes", the catalogue) that was most of the server's CPU
(docs/performance.md). Those paths write their SQL once, with ``$1``-style placeholders, and
read plain rows. Everything else keeps using the ORM.

Values are always passed as parameters, never formatted into the text.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Sequence

from tortoise import connections

_PLACEHOLDER = re.compile(r"\$(\d+)")
#: PostgreSQL casts (``$3::boolean``), which SQLite does not parse and does not need.
_CAST = re.compile(r"::[a-z_]+(\[\])?")


@lru_cache(maxsize=256)
def _for_sqlite(sql: str) -> tuple[str, tuple[int, ...]]:
    """``$n`` → ``?``, with the order in which the arguments must be given (``$1`` may appear
    twice, SQLite's ``?`` are positional)."""
    order = tuple(int(m) - 1 for m in _PLACEHOLDER.findall(sql))
    return _PLACEHOLDER.sub("?", _CAST.sub("", sql)), order


def dialect(connection_name: str = "default") -> str:
    return connections.get(connection_name).capabilities.dialect


async def fetch(sql: str, *args: Any, connection_name: str = "default") -> list[dict[str, Any]]:
    """Rows as dicts. Column values are what the driver gives: use the ``as_*`` helpers below
    for dates, booleans and JSON, which the two drivers return differently."""
    conn = connections.get(connection_name)
    if conn.capabilities.dialect == "sqlite":
        text, order = _for_sqlite(sql)
        args = tuple(args[i] for i in order)
        return await conn.execute_query_dict(text, list(args))
    return await conn.execute_query_dict(sql, list(args))


async def execute(sql: str, *args: Any, connection: Any = None) -> int:
    """A statement that returns no rows (an upsert, an update): the number of rows it changed.
    Pass the transaction's connection when inside ``in_transaction()``."""
    conn = connection or connections.get("default")
    if conn.capabilities.dialect == "sqlite":
        text, order = _for_sqlite(sql)
        changed, _rows = await conn.execute_query(text, [args[i] for i in order])
    else:
        changed, _rows = await conn.execute_query(sql, list(args))
    return int(changed)


async def fetch_rows(sql: str, *args: Any, connection: Any = None) -> Sequence[Sequence[Any]]:
    """Rows as the driver gives them (asyncpg records, sqlite3 rows), read by position: for hot
    paths where building a dict per row costs more than the query (thousands of ``RETURNING``
    rows per statement). Pass the transaction's connection when inside ``in_transaction()``:
    its driver connection is then called directly."""
    conn = connection or connections.get("default")
    if conn.capabilities.dialect == "sqlite":
        text, order = _for_sqlite(sql)
        _changed, rows = await conn.execute_query(text, [args[i] for i in order])
        return rows
    raw = getattr(conn, "_connection", None)
    if raw is not None and hasattr(raw, "fetch"):
        return await raw.fetch(sql, *args)
    _changed, rows = await conn.execute_query(sql, list(args))
    return rows


def as_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def as_date(value: Any) -> str | None:
    """ISO text, as the JSON API gives dates (asyncpg returns ``date``, SQLite the text)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def as_datetime(value: Any) -> datetime | None:
    """A timestamp column: asyncpg returns ``datetime``, SQLite the ISO text Tortoise wrote."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def as_json(value: Any) -> Any:
    """JSON columns: asyncpg and SQLite both hand back the text."""
    if isinstance(value, (str, bytes)):
        return json.loads(value)
    return value


def in_list(start: int, count: int) -> str:
    """``$start, $start+1, …`` for an ``IN (…)`` of ``count`` parameters."""
    return ", ".join(f"${i}" for i in range(start, start + count))


def any_id(column: str, n: int, connection_name: str = "default") -> tuple[str, Any]:
    """``column`` in a set of ids given as ONE parameter ``$n``; returns the condition and a
    function turning the ids into that parameter. One parameter, because asyncpg refuses more
    than 32,767 and a report can ask for hundreds of thousands of ids. On PostgreSQL it is
    ``= ANY($n::bigint[])``, not ``IN (SELECT jsonb_array_elements_text(...))``: the planner
    takes a set-returning function for 100 rows whatever it holds, and for one trainee's
    attempt that made it hash-join a whole table (20 ms instead of 0.4 ms per call)."""
    return _any_of(column, n, "bigint", int, connection_name)


def any_text(column: str, n: int, connection_name: str = "default") -> tuple[str, Any]:
    """``any_id`` for a set of strings (token digests)."""
    return _any_of(column, n, "text", str, connection_name)


def _any_of(column: str, n: int, pg_type: str, convert: Any,
            connection_name: str) -> tuple[str, Any]:
    if dialect(connection_name) == "sqlite":
        return (f"{column} IN (SELECT value FROM json_each(${n}))",
                lambda values: json.dumps([convert(v) for v in values]))
    return f"{column} = ANY(${n}::{pg_type}[])", lambda values: [convert(v) for v in values]


def like_pattern(word: str) -> str:
    """``%word%`` with LIKE's own wildcards escaped (use with ``ESCAPE '\\'``)."""
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


__all__: Sequence[str] = ("fetch", "fetch_rows", "execute", "dialect", "as_bool", "as_date",
                          "as_datetime", "as_json", "in_list", "any_id", "any_text",
                          "like_pattern")


async def execute_many(sql: str, rows: Sequence[Sequence[Any]], connection: Any = None) -> None:
    """One statement run for many rows in one driver call (asyncpg pipelines them, sqlite3
    loops in C): the write counterpart of ``fetch`` for hot paths that update rows one by one
    (a quiz submit writes every graded answer). Pass the transaction's connection when inside
    ``in_transaction()``."""
    if not rows:
        return
    conn = connection or connections.get("default")
    if conn.capabilities.dialect == "sqlite":
        text, order = _for_sqlite(sql)
        await conn.execute_many(text, [[row[i] for i in order] for row in rows])
    else:
        await conn.execute_many(sql, [list(row) for row in rows])
