"""Every index and unique key a model declares exists in a migrated SQLite database, although
Tortoise's table rebuilds (AlterField on SQLite) drop them; running the repair again creates
nothing."""

from __future__ import annotations

import asyncio
import shutil

from tortoise import Tortoise, connections

from conftest import _model_apps
from lms_core.db import tortoise_config
from lms_core.sqlite_indexes import declared_indexes, existing_indexes, restore_sqlite_indexes


async def _missing(url: str) -> list[str]:
    await Tortoise.init(config=tortoise_config(url, _model_apps()))
    try:
        conn = connections.get("default")
        missing = []
        for app in Tortoise.apps.values():
            for model in app.values():
                have = await existing_indexes(conn, model._meta.db_table)
                for columns, unique in declared_indexes(model):
                    if not any(c == columns and (u or not unique) for c, u in have):
                        missing.append(f"{model._meta.db_table}{columns}{' unique' if unique else ''}")
        return missing
    finally:
        await Tortoise.close_connections()


def test_the_migrated_database_has_every_declared_index(db_templates, tmp_path):
    target = tmp_path / "copy.sqlite3"
    shutil.copy(db_templates["sqlite"], target)
    url = f"sqlite://{target}"
    assert asyncio.run(_missing(url)) == []
    # the tables the rebuilds hit keep the keys their upserts and duplicate checks rely on
    expected = {("live_event", ("session_id", "seq")),
                ("engagement_event", ("user_id", "client_id"))}
    assert asyncio.run(restore_sqlite_indexes(tortoise_config(url, _model_apps()))) == []
    import sqlite3

    db = sqlite3.connect(target)
    try:
        for table, columns in expected:
            uniques = []
            for row in db.execute(f'PRAGMA index_list("{table}")'):
                if row[2]:
                    cols = tuple(r[2] for r in db.execute(f'PRAGMA index_info("{row[1]}")'))
                    uniques.append(cols)
            assert columns in uniques, (table, uniques)
    finally:
        db.close()


def test_a_lost_index_is_put_back(db_templates, tmp_path):
    import sqlite3

    target = tmp_path / "copy.sqlite3"
    shutil.copy(db_templates["sqlite"], target)
    db = sqlite3.connect(target)
    name = next(row[1] for row in db.execute('PRAGMA index_list("live_event")') if row[2])
    if name.startswith("sqlite_autoindex"):  # a table constraint: rebuild the table without it
        db.executescript(
            'CREATE TABLE t AS SELECT * FROM live_event; DROP TABLE live_event; '
            'ALTER TABLE t RENAME TO live_event;')
    else:
        db.execute(f'DROP INDEX "{name}"')
    db.commit()
    db.close()
    url = f"sqlite://{target}"
    assert any("live_event" in m for m in asyncio.run(_missing(url)))
    created = asyncio.run(restore_sqlite_indexes(tortoise_config(url, _model_apps())))
    assert any(n.startswith("uid_live_event") for n in created)
    assert asyncio.run(_missing(url)) == []
