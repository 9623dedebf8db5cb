"""Put back the indexes Tortoise's SQLite migrations lose.

SQLite cannot alter a column, so Tortoise's migration executor rebuilds the table (create a new
one, copy, drop, rename) for an ``AlterField``, even one that only changes an enum's
description. The rebuilt table keeps its columns but not its indexes: ``unique_together``,
``Meta.indexes`` and ``db_index`` fields are gone (seen with tortoise-orm 1.1: after the live
sessions' migration 0003, ``live_event`` had lost its unique ``(session_id, seq)``). Every
``ON CONFLICT`` upsert on such a table then fails, and duplicates the key was there to refuse
get in.

After the migrations run, this compares each model's declared indexes with the table's real
ones (``PRAGMA index_list`` / ``index_info``) and creates what is missing. PostgreSQL alters
columns in place and is left alone.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any, Iterable

from tortoise import Tortoise, connections

log = logging.getLogger("lms.db")


def _columns(meta: Any, names: Iterable[str]) -> tuple[str, ...]:
    out = []
    for name in names:
        field = meta.fields_map.get(name)
        source = getattr(field, "source_field", None) if field is not None else None
        out.append(source or meta.fields_db_projection.get(name, name))
    return tuple(out)


def declared_indexes(model: Any) -> list[tuple[tuple[str, ...], bool]]:
    """(columns, unique) of every index the model asks for, the primary key aside."""
    meta = model._meta
    wanted: list[tuple[tuple[str, ...], bool]] = []
    for fields in meta.unique_together or ():
        wanted.append((_columns(meta, fields), True))
    for index in meta.indexes or ():
        names = getattr(index, "fields", index)
        if names and not getattr(index, "expressions", None):
            wanted.append((_columns(meta, names), False))
    for name, field in meta.fields_map.items():
        if getattr(field, "pk", False) or not hasattr(field, "get_for_dialect"):
            continue
        if getattr(field, "index", False) and not field.unique:
            wanted.append((_columns(meta, [name]), False))
    return wanted


async def existing_indexes(conn: Any, table: str) -> list[tuple[tuple[str, ...], bool]]:
    _, rows = await conn.execute_query(f'PRAGMA index_list("{table}")')
    out = []
    for row in rows:
        _, cols = await conn.execute_query(f'PRAGMA index_info("{row["name"]}")')
        ordered = sorted(cols, key=lambda c: c["seqno"])
        out.append((tuple(c["name"] for c in ordered), bool(row["unique"])))
    return out


def _name(table: str, columns: tuple[str, ...], unique: bool) -> str:
    digest = hashlib.sha1(f"{table}:{','.join(columns)}".encode()).hexdigest()[:8]
    return f"{'uid' if unique else 'idx'}_{table[:40]}_{digest}"


async def restore_sqlite_indexes(config: dict[str, Any]) -> list[str]:
    """Create the missing indexes; returns their names (empty on PostgreSQL)."""
    await Tortoise.init(config=config)
    created: list[str] = []
    try:
        conn = connections.get("default")
        if conn.capabilities.dialect != "sqlite":
            return created
        for app in Tortoise.apps.values():
            for model in app.values():
                table = model._meta.db_table
                have = await existing_indexes(conn, table)
                for columns, unique in declared_indexes(model):
                    if any(cols == columns and (is_unique or not unique)
                           for cols, is_unique in have):
                        continue
                    name = _name(table, columns, unique)
                    quoted = ", ".join(f'"{c}"' for c in columns)
                    try:
                        await conn.execute_script(
                            f'CREATE {"UNIQUE " if unique else ""}INDEX IF NOT EXISTS "{name}" '
                            f'ON "{table}" ({quoted})')
                    except Exception:
                        # rows that break the key got in while it was missing: say so, and
                        # leave the database usable
                        log.exception("could not restore index %s on %s", name, table)
                        continue
                    have.append((columns, unique))
                    created.append(name)
    finally:
        await Tortoise.close_connections()
    if created:
        log.warning("restored %d SQLite indexes lost by table rebuilds: %s", len(created),
                    ", ".join(created))
    return created
