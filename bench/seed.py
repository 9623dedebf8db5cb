"""Seed a benchmark database at the size of Moodle's largest performance-test site.

    .venv/bin/python bench/seed.py --backend postgres            # 100k users, 1M enrolments
    .venv/bin/python bench/seed.py --backend sqlite --scale 0.1  # a tenth of that
    .venv/bin/python bench/seed.py --backend postgres --reseed   # drop and build again

The schema comes from the project's own migrations (core and every installed plugin); rows are
then written straight into the tables, bypassing the ORM: asyncpg's binary COPY on PostgreSQL,
``executemany`` in one transaction per table on SQLite. That is what makes a million enrolments
a matter of seconds rather than of the ~10 minutes ``bulk_create`` would take (STACK-NOTES).

Two institutions: ``bench`` (90 % of every row) is the one measured, ``bench-b`` (10 %) exists so
that every query really has to filter by institution. A typical trainee has ~10 classes; class
popularity is skewed (a few classes have thousands of trainees); a few lecturers teach many
classes. Everything is derived from a fixed random seed, so two runs build the same data.
Seeding is skipped when the database already holds data of the same plan (``--reseed`` forces).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import sqlite3
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/lms_bench"
DEFAULT_SQLITE_PATH = RESULTS_DIR / "lms_bench.sqlite3"
#: Every seeded user's password (one argon2 hash shared by all rows: hashing 100k would take
#: an hour, and nothing measured here depends on the hashes differing).
PASSWORD = "bench-mat-khau-2026"
MAIN_CODE, OTHER_CODE = "bench", "bench-b"
SHARE_MAIN = 0.9
SEED_VERSION = 1  # bump when the generated data changes shape

FULL_SIZE = {"users": 100_000, "courses": 4_000, "enrolments": 1_000_000}

DEPARTMENTS = [
    "Sở Nội vụ", "Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Sở Tư pháp", "Sở Y tế",
    "Sở Giáo dục và Đào tạo", "Sở Xây dựng", "Sở Giao thông vận tải",
    "Sở Tài nguyên và Môi trường", "Sở Nông nghiệp và Phát triển nông thôn", "Sở Công Thương",
    "Sở Lao động - Thương binh và Xã hội", "Sở Văn hoá, Thể thao và Du lịch",
    "Sở Thông tin và Truyền thông", "Sở Khoa học và Công nghệ", "Thanh tra tỉnh",
    "Văn phòng Uỷ ban nhân dân tỉnh", "Ban Dân tộc", "Uỷ ban nhân dân thành phố",
    "Uỷ ban nhân dân huyện Đông Sơn",
]
OFFICES = ["Văn phòng", "Phòng Tổ chức cán bộ", "Phòng Kế hoạch - Tài chính", "Phòng Pháp chế",
           "Phòng Thanh tra", "Phòng Quản lý chuyên ngành", "Phòng Nghiệp vụ 1",
           "Phòng Nghiệp vụ 2", "Trung tâm Dịch vụ công", "Chi cục"]
POSITION_LEVELS = ["Chuyên viên", "Chuyên viên chính", "Phó Trưởng phòng", "Trưởng phòng"]
POSITION_AREAS = ["tổ chức cán bộ", "kế hoạch - tài chính", "pháp chế", "thanh tra",
                  "văn thư - lưu trữ", "công nghệ thông tin", "cải cách hành chính",
                  "quản lý đầu tư", "quản lý đất đai", "thi đua - khen thưởng"]


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Plan:
    scale: float
    users: int
    courses: int
    classes: int
    enrolments: int
    seed_version: int = SEED_VERSION

    @classmethod
    def at(cls, scale: float) -> "Plan":
        users = round(FULL_SIZE["users"] * scale)
        courses = round(FULL_SIZE["courses"] * scale)
        return cls(scale=scale, users=users, courses=courses, classes=2 * courses,
                   enrolments=round(FULL_SIZE["enrolments"] * scale))

    def marker(self) -> str:
        """Stored as the main institution's English name: tells a later run what is there."""
        return "benchmark " + json.dumps(asdict(self), sort_keys=True)


def split(total: int) -> tuple[int, int]:
    main = round(total * SHARE_MAIN)
    return main, total - main


# --------------------------------------------------------------------------- database access


def sqlite_url(path: Path) -> str:
    return f"sqlite://{path}"


def database_url(backend: str, url: str | None = None) -> str:
    if url:
        return url
    return DEFAULT_PG_URL if backend == "postgres" else sqlite_url(DEFAULT_SQLITE_PATH)


def backend_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite://") else "postgres"


def _pg_dsn(url: str, dbname: str | None = None) -> str:
    parts = urlsplit(url)
    path = "/" + dbname if dbname is not None else parts.path
    return urlunsplit(("postgresql", parts.netloc, path, "", ""))


def _pg_dbname(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _sqlite_path(url: str) -> Path:
    return Path(url[len("sqlite://"):].split("?")[0])


async def read_marker(url: str) -> str | None:
    """The stored plan marker, or None when the database (or its schema) is not there."""
    query = "SELECT name_en FROM lms_institution WHERE code = 'bench'"
    if backend_of(url) == "sqlite":
        path = _sqlite_path(url)
        if not path.exists():
            return None
        db = sqlite3.connect(path)
        try:
            row = db.execute(query).fetchone()
        except sqlite3.OperationalError:
            return None
        finally:
            db.close()
        return row[0] if row else ""
    import asyncpg

    try:
        conn = await asyncpg.connect(_pg_dsn(url))
    except asyncpg.InvalidCatalogNameError:
        return None
    try:
        return await conn.fetchval(query) or ""
    except asyncpg.UndefinedTableError:
        return None
    finally:
        await conn.close()


async def drop_and_create(url: str) -> None:
    """Start from an empty database. Refuses names that do not look like a benchmark's, so a
    mistyped URL cannot wipe a real database."""
    if backend_of(url) == "sqlite":
        path = _sqlite_path(url)
        if "bench" not in path.name:
            raise SystemExit(f"refusing to delete {path}: the file name must contain 'bench'")
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    import asyncpg

    name = _pg_dbname(url)
    if not name.startswith("lms_bench"):
        raise SystemExit(f"refusing to drop database {name!r}: its name must start with lms_bench")
    conn = await asyncpg.connect(_pg_dsn(url, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def migrate(url: str) -> None:
    from lms_core.cli import run_migrations
    from lms_core.db import tortoise_config
    from lms_core.plugins import PluginManager

    # The same plugins as the served app: LMS_DISABLED_PLUGINS is honoured by both.
    disabled = [p for p in os.environ.get("LMS_DISABLED_PLUGINS", "").split(",") if p]
    await run_migrations(tortoise_config(url, PluginManager(disabled).load()
                                         .registry.model_apps))


# --------------------------------------------------------------------------- writers


class Table:
    """Column order and per-column conversion for one model, so generators only produce the
    columns they care about and the rest is filled with the model's own defaults."""

    def __init__(self, model: Any, columns: Sequence[str], backend: str, now: datetime) -> None:
        meta = model._meta
        self.name = meta.db_table
        projection = meta.fields_db_projection
        given = list(columns)
        missing = [f for f in projection if f not in given]
        tail: list[Any] = []
        for fname in missing:
            fld = meta.fields_map[fname]
            if getattr(fld, "auto_now", False) or getattr(fld, "auto_now_add", False):
                value: Any = now
            elif fld.default is not None:
                value = fld.default() if callable(fld.default) else fld.default
            elif fld.null:
                value = None
            else:
                raise SystemExit(f"{self.name}.{fname}: no value and no default")
            tail.append(value)
        self.columns = [projection[f] for f in given + missing]
        kinds = [type(meta.fields_map[f]).__name__ for f in given + missing]
        self.convert = [_converter(kind, backend) for kind in kinds]
        self.n_given = len(given)
        self.tail = tuple(conv(v) if conv and v is not None else v
                          for conv, v in zip(self.convert[len(given):], tail))
        self.given_convert = [(i, c) for i, c in enumerate(self.convert[:len(given)]) if c]

    def rows(self, rows: Iterable[Sequence[Any]]) -> Iterator[tuple]:
        tail, conv = self.tail, self.given_convert
        if not conv:
            for r in rows:
                yield (*r, *tail)
            return
        for r in rows:
            out = list(r)
            for i, c in conv:
                if out[i] is not None:
                    out[i] = c(out[i])
            yield (*out, *tail)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _enum(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _converter(kind: str, backend: str):
    if kind == "JSONField":
        return _json
    if "Enum" in kind:
        return _enum
    if backend == "sqlite":
        if kind == "BooleanField":
            return int
        if kind == "DatetimeField":
            return str
        if kind == "DateField":
            return date.isoformat
    return None


class Writer:
    def __init__(self, backend: str, now: datetime) -> None:
        self.backend = backend
        self.now = now
        self.tables: set[str] = set()

    async def write(self, model: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]],
                    chunk: int = 200_000) -> int:
        table = Table(model, columns, self.backend, self.now)
        self.tables.add(table.name)
        n = 0
        it = iter(table.rows(rows))
        while batch := list(itertools.islice(it, chunk)):
            await self._write(table, batch)
            n += len(batch)
        return n

    async def _write(self, table: Table, batch: list[tuple]) -> None:
        raise NotImplementedError

    async def finish(self) -> None:
        raise NotImplementedError


class PostgresWriter(Writer):
    def __init__(self, conn: Any, now: datetime) -> None:
        super().__init__("postgres", now)
        self.conn = conn

    async def _write(self, table: Table, batch: list[tuple]) -> None:
        await self.conn.copy_records_to_table(table.name, records=batch, columns=table.columns)

    async def finish(self) -> None:
        # Ids were given explicitly: move each sequence past them, or the app's next INSERT
        # collides. Then ANALYZE (autovacuum would, minutes later) so plans are the real ones.
        for name in sorted(self.tables):
            await self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {name}))")
        await self.conn.execute("VACUUM ANALYZE")


class SqliteWriter(Writer):
    def __init__(self, db: sqlite3.Connection, now: datetime) -> None:
        super().__init__("sqlite", now)
        self.db = db

    async def _write(self, table: Table, batch: list[tuple]) -> None:
        cols = ", ".join(f'"{c}"' for c in table.columns)
        marks = ", ".join("?" for _ in table.columns)
        self.db.executemany(f'INSERT INTO "{table.name}" ({cols}) VALUES ({marks})', batch)

    async def finish(self) -> None:
        self.db.commit()
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# --------------------------------------------------------------------------- generation


class Ids:
    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def take(self, kind: str, n: int = 1) -> range:
        start = self._next.get(kind, 1)
        self._next[kind] = start + n
        return range(start, start + n)


@dataclass
class Inst:
    id: int
    code: str
    users: int
    courses: int
    enrolments: int
    units: list[int]
    leaf_units: list[int]
    dept_units: list[int]
    positions: list[int]
    trainees: list[int]
    lecturers: list[int]
    supervisors: list[int]
    admins: list[int]
    course_ids: list[int]
    class_ids: list[int]


@contextmanager
def step(label: str) -> Iterator[None]:
    t0 = time.perf_counter()
    print(f"  {label} ...", end="", flush=True)
    yield
    print(f" {time.perf_counter() - t0:.1f} s", flush=True)


async def generate(writer: Writer, plan: Plan) -> None:
    from lms_core.auth.passwords import hash_password
    from lms_core.models import (
        ClassLecturer, Course, CourseClass, CourseModule, Enrolment, Institution, JobPosition,
        Membership, Unit, User,
    )
    from lms_core.services.users import user_fields
    from lms_core.text import fold, word_key

    import vn_data

    rng = random.Random(20261122)
    ids = Ids()
    now = writer.now
    today = now.date()
    users_a, users_b = split(plan.users)
    courses_a, courses_b = split(plan.courses)
    enrol_a, enrol_b = split(plan.enrolments)
    insts = [
        Inst(1, MAIN_CODE, users_a, courses_a, enrol_a, [], [], [], [], [], [], [], [], [], []),
        Inst(2, OTHER_CODE, users_b, courses_b, enrol_b, [], [], [], [], [], [], [], [], [], []),
    ]

    with step("institutions, units, job positions"):
        await writer.write(Institution, ["id", "code", "name", "name_en"], [
            (1, MAIN_CODE, "Trường Chính trị tỉnh (benchmark)", plan.marker()),
            (2, OTHER_CODE, "Học viện Hành chính khu vực (benchmark B)", "benchmark B"),
        ])
        ids.take("institution", 2)
        unit_rows, pos_rows = [], []
        for inst in insts:
            (root,) = ids.take("unit")
            unit_rows.append((root, inst.id, None, f"U{inst.id}", "Uỷ ban nhân dân tỉnh",
                              f"/{root}/", 0))
            inst.units.append(root)
            for d, dname in enumerate(DEPARTMENTS, 1):
                (dept,) = ids.take("unit")
                unit_rows.append((dept, inst.id, root, f"U{inst.id}-{d}", dname,
                                  f"/{root}/{dept}/", 1))
                inst.units.append(dept)
                inst.dept_units.append(dept)
                for o, oname in enumerate(OFFICES, 1):
                    (office,) = ids.take("unit")
                    unit_rows.append((office, inst.id, dept, f"U{inst.id}-{d}-{o}", oname,
                                      f"/{root}/{dept}/{office}/", 2))
                    inst.units.append(office)
                    inst.leaf_units.append(office)
            for n, (level, area) in enumerate(itertools.product(POSITION_LEVELS,
                                                                POSITION_AREAS), 1):
                (pid,) = ids.take("position")
                pos_rows.append((pid, inst.id, None, f"VTVL-{inst.id}-{n:03d}",
                                 f"{level} về {area}", level))
                inst.positions.append(pid)
        await writer.write(Unit, ["id", "institution_id", "parent_id", "code", "name", "path",
                                  "depth"], unit_rows)
        await writer.write(JobPosition, ["id", "institution_id", "unit_id", "code", "title",
                                         "level"], pos_rows)

    with step(f"{plan.users:,} users and their roles"):
        pw_hash = hash_password(PASSWORD)
        user_rows, member_rows = [], []
        for inst in insts:
            n_lecturers = max(10, inst.users // 100)
            for k, uid in enumerate(ids.take("user", inst.users)):
                f = user_fields(vn_data.person_name(rng))
                if k < 3:
                    role, unit = "admin", inst.units[0]
                    inst.admins.append(uid)
                elif k < 8:
                    role, unit = "planner", inst.units[0]
                elif k < 8 + len(inst.dept_units):
                    role, unit = "supervisor", inst.dept_units[k - 8]
                    inst.supervisors.append(uid)
                elif k < 8 + len(inst.dept_units) + n_lecturers:
                    role, unit = "lecturer", inst.units[0]
                    inst.lecturers.append(uid)
                else:
                    role, unit = "trainee", rng.choice(inst.leaf_units)
                    inst.trainees.append(uid)
                login = f"u{uid:06d}"
                user_rows.append((uid, login, f"{login}@bench.example.vn", f["full_name"],
                                  f["name_key"], f["sort_key"], pw_hash, unit,
                                  rng.choice(inst.positions)))
                (mid,) = ids.take("membership")
                member_rows.append((mid, uid, inst.id, role))
        # A lecturer may teach for two institutions.
        for uid in insts[0].lecturers[:10]:
            (mid,) = ids.take("membership")
            member_rows.append((mid, uid, insts[1].id, "lecturer"))
            insts[1].lecturers.append(uid)
        await writer.write(User, ["id", "login", "email", "full_name", "name_key", "sort_key",
                                  "password_hash", "unit_id", "job_position_id"], user_rows)
        await writer.write(Membership, ["id", "user_id", "institution_id", "role"], member_rows)
        del user_rows, member_rows

    with step(f"{plan.courses:,} courses with their modules"):
        course_rows, module_rows, course_meta = [], [], []
        for inst in insts:
            titles = vn_data.course_titles(inst.courses, rng)
            for title, cid in zip(titles, ids.take("course", inst.courses)):
                code = f"KH{inst.id}-{cid:05d}"
                hours = rng.choice([8, 16, 24, 40, 80])
                course_rows.append((
                    cid, inst.id, code, title, f"Training course {code}", fold(title),
                    word_key(title)[:600], vn_data.course_description(title, rng),
                    rng.sample(["NL01", "NL02", "NL03", "NL04", "NL05", "NL06"], 2), hours,
                    rng.random() < 0.95, f"content/{code}"))
                inst.course_ids.append(cid)
                course_meta.append((inst, cid, code, title))
                for pos in range(1, rng.randint(4, 6) + 1):
                    (mid,) = ids.take("module")
                    module_rows.append((mid, cid, f"m{pos}", "lesson", f"Bài {pos}", pos,
                                        f"<p>Nội dung bài {pos} của khoá {title}.</p>",
                                        rng.choice([15, 30, 45, 60, 90])))
        await writer.write(Course, ["id", "institution_id", "code", "title", "title_en",
                                    "title_key", "sort_key", "description", "competencies",
                                    "duration_hours", "is_published", "source"], course_rows)
        await writer.write(CourseModule, ["id", "course_id", "key", "type", "title", "position",
                                          "body_html", "minutes"], module_rows)
        print(f" ({len(module_rows):,} modules)", end="")
        del course_rows, module_rows

    with step(f"{plan.classes:,} classes with their lecturers"):
        class_rows, lecturer_rows, class_status = [], [], {}
        for inst, cid, code, title in course_meta:
            for k in (1, 2):
                (kid,) = ids.take("class")
                starts = today + timedelta(days=rng.randint(-600, 120))
                ends = starts + timedelta(days=rng.randint(3, 45))
                status = "planned" if starts > today else ("ended" if ends < today else "running")
                class_status[kid] = status
                location = rng.choice(vn_data.LOCATIONS)
                schedule = [{"starts_at": f"{starts + timedelta(days=7 * s)}T08:00:00+07:00",
                             "ends_at": f"{starts + timedelta(days=7 * s)}T11:30:00+07:00",
                             "room": location} for s in range(rng.randint(3, 8))]
                ktitle = f"{title} – Lớp {k}"
                class_rows.append((
                    kid, inst.id, cid, f"{code}-L{k}", ktitle, fold(ktitle), starts, ends,
                    schedule, location, rng.choice(["in_person", "online", "blended"]),
                    0 if rng.random() < 0.8 else rng.choice([40, 60, 100, 150]),
                    rng.random() < 0.05, status))
                inst.class_ids.append(kid)
        for inst in insts:
            own = [u for u in inst.lecturers if u not in insts[0].lecturers or inst is insts[0]]
            stars, regular = own[:5], own[5:] or own
            pairs: set[tuple[int, int]] = set()
            for kid in inst.class_ids:
                pairs.add((kid, rng.choice(regular)))
                if rng.random() < 0.3:
                    pairs.add((kid, rng.choice(inst.lecturers)))
            per_star = max(5, len(inst.class_ids) // 50)
            for star in stars:  # a few lecturers teach many classes
                for kid in rng.sample(inst.class_ids, per_star):
                    pairs.add((kid, star))
            for kid, uid in sorted(pairs):
                (lid,) = ids.take("class_lecturer")
                lecturer_rows.append((lid, kid, uid))
        await writer.write(CourseClass, ["id", "institution_id", "course_id", "code", "title",
                                         "title_key", "starts_on", "ends_on", "schedule",
                                         "location", "delivery_mode", "capacity", "self_enrol",
                                         "status"], class_rows)
        await writer.write(ClassLecturer, ["id", "klass_id", "user_id"], lecturer_rows)
        print(f" ({len(lecturer_rows):,} lecturer links)", end="")
        del class_rows, lecturer_rows

    with step(f"{plan.enrolments:,} enrolments"):
        n = 0
        for inst in insts:
            rows = _enrolments(inst, class_status, ids, rng, now)
            n += await writer.write(Enrolment, [
                "id", "user_id", "klass_id", "status", "nominated_by_id", "approved_by_id",
                "nominated_at", "approved_at", "activated_at", "completed_at", "withdrawn_at",
            ], rows)
        assert n == plan.enrolments, (n, plan.enrolments)

    with step("sequences, statistics" if writer.backend == "postgres" else "commit"):
        await writer.finish()


def _per_trainee_counts(total: int, trainees: int, classes: int,
                        rng: random.Random) -> list[int]:
    """Classes per trainee: about ``total / trainees`` each (~10), spread out, summing exactly."""
    cap = min(40, classes)
    if total > trainees * cap:
        raise SystemExit(f"cannot give {trainees} trainees {total} enrolments in {classes} "
                         "classes: use a larger --scale")
    mean = total / trainees
    counts = [min(cap, max(1, round(rng.gauss(mean, mean * 0.35)))) for _ in range(trainees)]
    diff = total - sum(counts)
    while diff:
        i = rng.randrange(trainees)
        if diff > 0 and counts[i] < cap:
            counts[i] += 1
            diff -= 1
        elif diff < 0 and counts[i] > 1:
            counts[i] -= 1
            diff += 1
    return counts


def _enrolments(inst: Inst, class_status: dict[int, str], ids: Ids, rng: random.Random,
                now: datetime) -> Iterator[tuple]:
    """Skewed class popularity (weight 1/(rank+20)^0.9): the most popular classes have a few
    thousand trainees, most a few dozen. Statuses follow the class's dates."""
    classes = inst.class_ids[:]
    rng.shuffle(classes)
    cum, acc = [], 0.0
    for rank in range(len(classes)):
        acc += 1.0 / (rank + 20) ** 0.9
        cum.append(acc)
    counts = _per_trainee_counts(inst.enrolments, len(inst.trainees), len(classes), rng)
    approver = inst.admins[0]
    day = timedelta(days=1)
    for uid, k in zip(inst.trainees, counts):
        chosen: set[int] = set()
        while len(chosen) < k:
            chosen.update(rng.choices(classes, cum_weights=cum, k=k - len(chosen)))
        for kid in sorted(chosen):
            (eid,) = ids.take("enrolment")
            cstatus = class_status[kid]
            r = rng.random()
            if r < 0.04:
                status = "withdrawn"
            elif cstatus == "ended":
                status = "completed" if r < 0.9 else "active"
            elif cstatus == "running":
                status = "active"
            else:
                status = "nominated" if r < 0.2 else ("approved" if r < 0.5 else "active")
            nominated_by = rng.choice(inst.supervisors) if r < 0.3 else None
            t0 = now - timedelta(days=rng.randint(1, 700))
            yield (eid, uid, kid, status, nominated_by,
                   approver if status != "nominated" else None,
                   t0 if nominated_by else None,
                   t0 + day if status != "nominated" else None,
                   t0 + 2 * day if status in ("active", "completed") else None,
                   t0 + 30 * day if status == "completed" else None,
                   t0 + 3 * day if status == "withdrawn" else None)


# --------------------------------------------------------------------------- entry points


async def ensure_seeded(url: str, scale: float, reseed: bool = False) -> Plan:
    """Seed ``url`` unless it already holds this plan's data. Returns the plan."""
    plan = Plan.at(scale)
    marker = await read_marker(url)
    if marker == plan.marker() and not reseed:
        print(f"Database already seeded ({_describe(plan)}); --reseed to rebuild.")
        return plan
    if marker is not None and marker != plan.marker() and not reseed:
        print("The database holds other data (another scale, or a half-finished seeding): "
              "rebuilding it.")
    backend = backend_of(url)
    print(f"Seeding {url} ({_describe(plan)}):")
    t0 = time.perf_counter()
    with step("empty database"):
        await drop_and_create(url)
    with step("migrations (core and plugins)"):
        await migrate(url)
    now = datetime.now(timezone.utc).replace(microsecond=123456)
    if backend == "postgres":
        import asyncpg

        conn = await asyncpg.connect(_pg_dsn(url))
        try:
            # Skip the per-row foreign-key triggers while copying (the generator only writes
            # consistent ids): a million checked rows cost ~40 s, unchecked ~5 s.
            await conn.execute("SET session_replication_role = replica")
            await generate(PostgresWriter(conn, now), plan)
        finally:
            await conn.close()
    else:
        db = sqlite3.connect(_sqlite_path(url), isolation_level="DEFERRED")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        try:
            await generate(SqliteWriter(db, now), plan)
        finally:
            db.close()
    print(f"Seeded in {time.perf_counter() - t0:.1f} s.")
    return plan


def _describe(plan: Plan) -> str:
    return (f"scale {plan.scale:g}: {plan.users:,} users, {plan.courses:,} courses, "
            f"{plan.classes:,} classes, {plan.enrolments:,} enrolments")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--backend", choices=("postgres", "sqlite"), default="postgres")
    ap.add_argument("--database-url", default=None,
                    help=f"default: {DEFAULT_PG_URL} or sqlite://{DEFAULT_SQLITE_PATH}")
    ap.add_argument("--scale", type=float, default=None,
                    help="fraction of the full size (default 1 on PostgreSQL, 0.1 on SQLite)")
    ap.add_argument("--reseed", action="store_true", help="drop the data and seed again")
    args = ap.parse_args(argv)
    url = database_url(args.backend, args.database_url)
    scale = args.scale if args.scale is not None else (1.0 if backend_of(url) == "postgres"
                                                        else 0.1)
    asyncio.run(ensure_seeded(url, scale, args.reseed))


sys.path.insert(0, str(BENCH_DIR))

if __name__ == "__main__":
    main()
