"""An upgrade keeps every row: a database created by the first release (``lms.0001_initial``)
with data in it is migrated to the latest schema of the core and every plugin, on SQLite and on
PostgreSQL, and nothing is lost, the new columns get their defaults, the data migrations fill
their keys, and a second run changes nothing."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import re
import sqlite3
from datetime import datetime, timezone
from typing import Any, AsyncIterator

import pytest
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api import migrate, plan

from conftest import BACKENDS, _model_apps, _pg_admin, _pg_url
from lms_core.db import tortoise_config
from lms_core.text import fold, word_key

NOW = datetime(2026, 3, 2, 8, 30, tzinfo=timezone.utc)


class RawDB:
    """Plain SQL on either engine, outside the ORM, as an operator's old data would be."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.pg = url.startswith("postgres")

    def _ph(self, sql: str) -> str:
        if not self.pg:
            return sql
        n = 0

        def number(_m: re.Match) -> str:
            nonlocal n
            n += 1
            return f"${n}"
        return re.sub(r"\?", number, sql)

    def _value(self, v: Any) -> Any:
        if self.pg:
            return json.dumps(v) if isinstance(v, (list, dict)) else v
        if isinstance(v, datetime):
            return v.isoformat(sep=" ")
        return json.dumps(v) if isinstance(v, (list, dict)) else v

    async def rows(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        args = tuple(self._value(a) for a in args)
        if self.pg:
            import asyncpg

            conn = await asyncpg.connect(self.url.replace("postgres://", "postgresql://", 1))
            try:
                return [dict(r) for r in await conn.fetch(self._ph(sql), *args)]
            finally:
                await conn.close()
        conn = sqlite3.connect(self.url.removeprefix("sqlite://"))
        conn.row_factory = sqlite3.Row
        try:
            out = [dict(r) for r in conn.execute(sql, args).fetchall()]
            conn.commit()
            return out
        finally:
            conn.close()

    async def insert(self, table: str, **values: Any) -> int:
        cols = ", ".join(f'"{c}"' for c in values)
        marks = ", ".join("?" for _ in values)
        [row] = await self.rows(f'INSERT INTO "{table}" ({cols}) VALUES ({marks}) RETURNING id',
                                *values.values())
        return row["id"]

    async def columns(self, table: str) -> set[str]:
        if self.pg:
            rows = await self.rows("SELECT column_name AS name FROM information_schema.columns "
                                   "WHERE table_name = ?", table)
        else:
            rows = await self.rows(f'PRAGMA table_info("{table}")')
        return {r["name"] for r in rows}


@pytest.fixture(params=BACKENDS)
async def empty_db(request, tmp_path) -> AsyncIterator[str]:
    EXECUTOR_CACHE.clear()
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path / 'old.sqlite3'}"
        await Tortoise.close_connections()
        return
    name = f"lms_mig_{os.getpid()}"
    await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield _pg_url(name)
    finally:
        await Tortoise.close_connections()
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def config_for(url: str) -> dict[str, Any]:
    return tortoise_config(url, _model_apps())


async def run_migrate(url: str, target: str | None = None) -> None:
    await migrate(config=config_for(url), target=target)
    await Tortoise.close_connections()


async def pending(url: str) -> list[str]:
    lines = await plan(config=config_for(url))
    await Tortoise.close_connections()
    return [line for line in lines if not line.startswith("#")]


def every_migration(config: dict[str, Any]) -> set[tuple[str, str]]:
    """What the code ships: every numbered module in every app's migrations package."""
    out = set()
    for label, app in config["apps"].items():
        if not app.get("migrations"):
            continue
        package = importlib.import_module(app["migrations"])
        for info in pkgutil.iter_modules(package.__path__):
            if re.match(r"^\d{4}_", info.name):
                out.add((label, info.name))
    return out


async def seed_release_one(db: RawDB) -> dict[str, int]:
    """One row or more in each core table, written with the 0001 columns only."""
    ids: dict[str, int] = {}
    ids["inst"] = await db.insert("lms_institution", code="cu", name="Trường Chính trị cũ",
                                  name_en="Old school", created_at=NOW)
    ids["unit"] = await db.insert("lms_unit", code="UB", name="UBND phường Cũ", path="/",
                                  depth=0, institution_id=ids["inst"], parent_id=None)
    await db.rows("UPDATE lms_unit SET path = ? WHERE id = ?", f"/{ids['unit']}/", ids["unit"])
    for i, name in enumerate(("Nguyễn Văn An", "Đặng Thị Ánh")):
        uid = await db.insert(
            "lms_user", login=f"cu{i}", email=f"cu{i}@example.vn", full_name=name,
            name_key=fold(name), sort_key=fold(name), password_hash="argon2-cu", locale="vi",
            is_active=True, created_at=NOW, updated_at=NOW, unit_id=ids["unit"],
            job_position_id=None)
        ids[f"user{i}"] = uid
        await db.insert("lms_membership", role="trainee", created_at=NOW,
                        institution_id=ids["inst"], user_id=uid)
    ids["course"] = await db.insert(
        "lms_course", code="CU-1", version=3, title="Đạo đức công vụ", title_en="Ethics",
        title_key=fold("Đạo đức công vụ"), description="Mô tả", description_en="About",
        competencies=[{"code": "NL-1", "name": "Liêm chính"}], duration_hours=8,
        source="old#hash", is_published=True, created_at=NOW, updated_at=NOW,
        institution_id=ids["inst"])
    ids["module"] = await db.insert(
        "lms_course_module", key="bai-1", type="lesson", title="Bài một", title_en="",
        position=0, body_html="<p>Nội dung</p>", data={}, competencies=["NL-1"], minutes=30,
        is_active=True, course_id=ids["course"])
    ids["class"] = await db.insert(
        "lms_class", code="K-CU", title="Lớp Đạo đức công vụ khoá 1", starts_on=None,
        ends_on=None, schedule=[], location="Hội trường", delivery_mode="blended", capacity=30,
        self_enrol=False, status="running", created_at=NOW, course_id=ids["course"],
        institution_id=ids["inst"])
    for i in range(2):
        ids[f"enrolment{i}"] = await db.insert(
            "lms_enrolment", status="active" if i == 0 else "completed", created_at=NOW,
            updated_at=NOW, activated_at=NOW, completed_at=NOW if i else None,
            klass_id=ids["class"], user_id=ids[f"user{i}"])
    return ids


TABLES = ("lms_institution", "lms_unit", "lms_user", "lms_membership", "lms_course",
          "lms_course_module", "lms_class", "lms_enrolment")


async def snapshot(db: RawDB, columns: dict[str, set[str]]) -> dict[str, list[dict[str, Any]]]:
    """Every row of every core table, restricted to the columns of the old schema."""
    out = {}
    for table in TABLES:
        cols = ", ".join(f'"{c}"' for c in sorted(columns[table]))
        rows = await db.rows(f'SELECT {cols} FROM "{table}" ORDER BY id')
        out[table] = [{k: (json.loads(v) if isinstance(v, str) and v.startswith(("[", "{")) else v)
                       for k, v in r.items()} for r in rows]
    return out


async def orm_reads_old_rows(url: str, ids: dict[str, int]) -> None:
    """Rows of the old release are usable through the ORM after the upgrade, not just present."""
    from lms_core.auth.principal import Principal
    from lms_core.models import Enrolment, EnrolmentStatus, User
    from lms_core.services.classes import visible_classes

    await Tortoise.init(config=config_for(url))
    try:
        user = await User.get(id=ids["user0"])
        assert user.session_epoch == 0 and user.full_name == "Nguyễn Văn An"
        statuses = await Enrolment.filter(klass_id=ids["class"]).order_by("id").values_list(
            "status", flat=True)
        assert list(statuses) == [EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED]
        principal = Principal(user_id=user.id, login=user.login, full_name=user.full_name,
                              locale="vi", institution_id=ids["inst"],
                              institution_ids=(ids["inst"],), roles=frozenset({"trainee"}),
                              permissions=frozenset(), unit_id=ids["unit"])
        found = await visible_classes(principal).filter(title_key__contains="dao duc")\
            .values_list("id", flat=True)
        assert list(found) == [ids["class"]]
    finally:
        await Tortoise.close_connections()


async def test_upgrade_from_first_release_keeps_every_row(empty_db):
    url = empty_db
    db = RawDB(url)
    await run_migrate(url, target="lms.0001_initial")
    applied = {(r["app"], r["name"]) for r in await db.rows(
        "SELECT app, name FROM tortoise_migrations")}
    assert applied == {("lms", "0001_initial")}
    assert "session_epoch" not in await db.columns("lms_user")
    still_to_do = await pending(url)
    assert "+ lms.0002_user_session_epoch" in still_to_do

    ids = await seed_release_one(db)
    old_columns = {t: await db.columns(t) for t in TABLES}
    before = await snapshot(db, old_columns)
    assert len(before["lms_user"]) == 2 and len(before["lms_enrolment"]) == 2

    await run_migrate(url)

    assert await snapshot(db, old_columns) == before
    await orm_reads_old_rows(url, ids)
    assert "session_epoch" in await db.columns("lms_user")
    epochs = await db.rows("SELECT id, session_epoch FROM lms_user ORDER BY id")
    assert [r["session_epoch"] for r in epochs] == [0, 0]
    # the data migration gave the old rows their search and sort keys
    [course] = await db.rows("SELECT sort_key FROM lms_course WHERE id = ?", ids["course"])
    assert course["sort_key"] == word_key("Đạo đức công vụ")[:600]
    [klass] = await db.rows("SELECT title_key FROM lms_class WHERE id = ?", ids["class"])
    assert klass["title_key"] == fold("Lớp Đạo đức công vụ khoá 1")

    # history: every shipped migration of the core and of each plugin is recorded, none pending
    config = config_for(url)
    recorded = await db.rows("SELECT app, name FROM tortoise_migrations")
    assert {(r["app"], r["name"]) for r in recorded} == every_migration(config)
    assert len(recorded) == len(every_migration(config))
    assert await pending(url) == []

    # a second run is a no-op
    await run_migrate(url)
    assert len(await db.rows("SELECT id FROM tortoise_migrations")) == len(recorded)
    assert await snapshot(db, old_columns) == before
    await orm_reads_old_rows(url, ids)
