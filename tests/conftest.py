"""Shared fixtures: a migrated database per test (SQLite always, PostgreSQL too when
LMS_TEST_DATABASE_URL is set), the app with its lifespan, and logged-in HTTP clients."""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator
from urllib.parse import urlsplit, urlunsplit

# Real argon2id with the cheapest parameters: the suite logs in thousands of times (servers the
# tests start inherit it). Set before lms_core is imported; tests/test_passwords.py checks the
# production parameters.
os.environ.setdefault("LMS_PASSWORD_HASHING", "test")

import httpx  # noqa: E402
import pytest
from asgi_lifespan import LifespanManager
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE

from lms_core.app import create_app
from lms_core.cli import run_migrations
from lms_core.db import tortoise_config
from lms_core.plugins import PluginManager
from lms_core.settings import Settings

PG_URL = os.environ.get("LMS_TEST_DATABASE_URL", "")
# Redis pub/sub channels are server-wide: runs in parallel (pytest-xdist workers, two checkouts)
# must not hear each other's live sessions. Server processes started by tests inherit it.
os.environ["LMS_BROKER_NAMESPACE"] = f"lms-test-{os.getpid()}"

BACKENDS = ["sqlite"] + (["postgres"] if PG_URL else [])
_counter = itertools.count()


def _model_apps():
    return PluginManager().load().registry.model_apps


def _pg_url(dbname: str) -> str:
    parts = urlsplit(PG_URL)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, ""))


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_pg_url(urlsplit(PG_URL).path.lstrip("/") or "postgres")
                                 .replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def db_templates(tmp_path_factory) -> dict[str, str]:
    """Migrate once per run; each test copies the result (a file copy or CREATE DATABASE ...
    TEMPLATE), which keeps tests independent and fast."""
    out: dict[str, str] = {}
    base = tmp_path_factory.mktemp("dbtemplate")
    sqlite_file = base / "template.sqlite3"
    asyncio.run(run_migrations(tortoise_config(f"sqlite://{sqlite_file}", _model_apps())))
    out["sqlite"] = str(sqlite_file)
    if PG_URL:
        name = f"lms_tpl_{os.getpid()}"
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}"'))
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        asyncio.run(run_migrations(tortoise_config(_pg_url(name), _model_apps())))
        out["postgres"] = name
    yield out
    if PG_URL:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "lms_tpl_{os.getpid()}"'))


class _PgDatabases:
    """Fresh PostgreSQL databases copied from the template by a background thread, one ahead of
    the test that needs it, and dropped in the background after it: CREATE DATABASE ...
    TEMPLATE and DROP take most of a second each, which would otherwise be on every PostgreSQL
    test's path."""

    def __init__(self, template: str) -> None:
        import queue
        import threading

        self.template = template
        self.ready: "queue.Queue[str]" = queue.Queue(maxsize=1)
        self.jobs: "queue.Queue[tuple[str, str] | None]" = queue.Queue()
        self.thread = threading.Thread(target=self._work, daemon=True)
        self.thread.start()
        self._want()

    def _want(self) -> None:
        self.jobs.put(("create", f"lms_t_{os.getpid()}_{next(_counter)}"))

    def _work(self) -> None:
        while (job := self.jobs.get()) is not None:
            action, name = job
            if action == "create":
                asyncio.run(_pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
                self.ready.put(name)
            else:
                asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def take(self) -> str:
        name = self.ready.get(timeout=120)
        self._want()
        return name

    def give_back(self, name: str) -> None:
        self.jobs.put(("drop", name))

    def close(self) -> None:
        self.jobs.put(None)
        self.thread.join(timeout=120)
        try:
            leftover = self.ready.get_nowait()
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{leftover}" WITH (FORCE)'))
        except Exception:
            pass


@pytest.fixture(scope="session")
def pg_databases(db_templates) -> "_PgDatabases | None":
    if "postgres" not in db_templates:
        yield None
        return
    pool = _PgDatabases(db_templates["postgres"])
    yield pool
    pool.close()


@pytest.fixture(params=BACKENDS)
async def database_url(request, db_templates, tmp_path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        target = tmp_path / "lms.sqlite3"
        shutil.copy(db_templates["sqlite"], target)
        yield f"sqlite://{target}"
        return
    pool = request.getfixturevalue("pg_databases")
    name = pool.take()
    try:
        yield _pg_url(name)
    finally:
        await Tortoise.close_connections()
        pool.give_back(name)


@pytest.fixture(autouse=True)
def clock():
    """``lms_core.clock``, back to the real time after every test: a test may
    ``clock.advance(timedelta(days=90))`` and then ``await runtime.jobs.run_due()``."""
    from lms_core import clock as lms_clock

    yield lms_clock
    lms_clock.reset()


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings.from_env(var_dir=tmp_path / "var", database_url=database_url,
                             broker_url="memory://", secret_key="test-secret-key-" + "x" * 32,
                             disabled_plugins=[])


@pytest.fixture
def extra_plugins() -> list[Any]:
    """Override in a test module to register more plugin modules."""
    return []


@pytest.fixture
async def app(settings, extra_plugins):
    # Tortoise caches INSERT statements per (connection name, table), not per dialect: a process
    # that switches between SQLite and PostgreSQL (only this test suite does) must forget them.
    EXECUTOR_CACHE.clear()
    application = create_app(settings, extra_plugins=extra_plugins)
    # asgi-lifespan's default is 5 s each way; on CI's two busy cores a PostgreSQL start or a
    # job finishing at shutdown (the runner gives running jobs 10 s) once took longer.
    async with LifespanManager(application, startup_timeout=60, shutdown_timeout=60):
        yield application


@pytest.fixture
async def anon(app) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def client_for(app):
    """``await client_for("login")``: an HTTP client logged in as that user, CSRF header set."""
    clients: list[httpx.AsyncClient] = []

    async def make(login: str, password: str = "") -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                   base_url="http://testserver")
        clients.append(client)
        response = await client.post("/api/v1/auth/login",
                                     json={"login": login, "password": password or PASSWORD})
        assert response.status_code == 200, response.text
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        return client

    yield make
    for c in clients:
        await c.aclose()


PASSWORD = "mat-khau-thu-nghiem"
_HASH: list[str] = []


def password_hash() -> str:
    if not _HASH:  # argon2 is deliberately slow: hash once per run
        from lms_core.auth.passwords import hash_password

        _HASH.append(hash_password(PASSWORD))
    return _HASH[0]


@dataclass
class World:
    """Two institutions (A and B) with one user per role, a course and classes in each."""

    inst: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    units: dict[str, int] = field(default_factory=dict)
    courses: dict[str, int] = field(default_factory=dict)
    classes: dict[str, int] = field(default_factory=dict)


ROLES = ("admin", "lecturer", "trainee", "supervisor", "planner")


async def seed_world() -> World:
    from lms_core.models import (
        ClassLecturer, Course, CourseClass, CourseModule, Enrolment, EnrolmentStatus,
        Institution, Membership, Unit, User,
    )
    from lms_core.services.users import user_fields

    w = World()
    for tag in ("a", "b"):
        inst = await Institution.create(code=f"inst-{tag}", name=f"Trường {tag.upper()}")
        w.inst[tag] = inst.id
        root = await Unit.create(institution=inst, code=f"U{tag}", name=f"Sở Nội vụ {tag}")
        root.path = f"/{root.id}/"
        await root.save()
        child = await Unit.create(institution=inst, code=f"U{tag}-1", name="Phòng Tổ chức",
                                  parent=root, depth=1)
        child.path = f"{root.path}{child.id}/"
        await child.save()
        other = await Unit.create(institution=inst, code=f"U{tag}-2", name="Phòng khác")
        other.path = f"/{other.id}/"
        await other.save()
        w.units[tag] = root.id
        w.units[f"{tag}-child"] = child.id
        w.units[f"{tag}-other"] = other.id
        for role in ROLES:
            login = f"{role}_{tag}"
            unit = root.id if role == "supervisor" else child.id
            user = await User.create(login=login, email=f"{login}@example.vn",
                                     password_hash=password_hash(), unit_id=unit,
                                     **user_fields(f"Nguyễn Văn {role.title()} {tag.upper()}"))
            await Membership.create(user=user, institution=inst, role=role)
            w.users[login] = user.id
        outsider = await User.create(login=f"trainee2_{tag}", email=f"t2{tag}@example.vn",
                                     password_hash=password_hash(), unit_id=other.id,
                                     **user_fields(f"Trần Thị Bình {tag.upper()}"))
        await Membership.create(user=outsider, institution=inst, role="trainee")
        w.users[f"trainee2_{tag}"] = outsider.id
        course = await Course.create(institution=inst, code=f"C-{tag}", title=f"Khoá học {tag}",
                                     title_key=f"khoa hoc {tag}")
        w.courses[tag] = course.id
        for i in range(3):
            await CourseModule.create(course=course, key=f"bai-{i + 1}", type="lesson",
                                      title=f"Bài {i + 1}", position=i,
                                      body_html=f"<h1>Bài {i + 1}</h1>")
        klass = await CourseClass.create(institution=inst, course=course, code=f"K-{tag}",
                                         title=f"Lớp {tag}", capacity=10)
        await ClassLecturer.create(klass=klass, user_id=w.users[f"lecturer_{tag}"])
        await Enrolment.create(user_id=w.users[f"trainee_{tag}"], klass=klass,
                               status=EnrolmentStatus.ACTIVE)
        w.classes[tag] = klass.id
        open_class = await CourseClass.create(institution=inst, course=course,
                                              code=f"OPEN-{tag}", title=f"Lớp mở {tag}",
                                              self_enrol=True, capacity=0)
        w.classes[f"{tag}-open"] = open_class.id
    return w


@pytest.fixture
async def world(app) -> World:
    return await seed_world()


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: drives a real server over the network")


ROOT = Path(__file__).resolve().parent.parent
