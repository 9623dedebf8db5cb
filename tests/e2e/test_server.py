"""The real thing: ``lms demo --no-serve`` then ``lms serve`` as a subprocess, driven over HTTP
the way a browser and a script would; and, on PostgreSQL, two uvicorn workers taking 50
simultaneous self-enrolments for ten seats."""

from __future__ import annotations

import asyncio
import html
import os
import re
import subprocess
from typing import Iterator

import httpx
import pytest

from conftest import PG_URL, ROOT, _pg_admin, _pg_url
from live_server import LMS, Server, base_env

pytestmark = pytest.mark.e2e

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("e2e")
    env = base_env(tmp, f"sqlite://{tmp / 'demo.sqlite3'}")
    done = subprocess.run([LMS, "demo", "--no-serve"], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "hocvien1" in done.stdout
    server = Server(env)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
    # uvicorn shuts down gracefully, then re-raises SIGTERM: -15 is its clean exit
    assert server.proc.returncode in (0, -15), server.log.read_text()[-3000:]
    assert "Application shutdown complete" in server.log.read_text()


def csrf_of(page: str) -> str:
    found = CSRF_META.search(page)
    assert found, "no <meta name=csrf-token> in the page"
    return html.unescape(found.group(1))


def test_trainee_logs_in_reads_a_lesson_and_completes_it(demo_server):
    with httpx.Client(base_url=demo_server.url, timeout=10) as browser:
        r = browser.get("/")
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        r = browser.get("/login")
        assert r.status_code == 200 and 'name="password"' in r.text
        r = browser.post("/login", data={"login": "hocvien1", "password": "sai-mat-khau",
                                         "next": "/"})
        assert r.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu." in r.text
        r = browser.post("/login", data={"login": "hocvien1", "password": "hocvien1-2026",
                                         "next": "/"})
        assert r.status_code == 303 and r.headers["location"] == "/"

        home = browser.get("/")
        assert home.status_code == 200
        assert "Lớp Chuyển đổi số - phường An Bình, khoá 1" in home.text
        course_id = int(re.search(r'href="/courses/(\d+)"', home.text).group(1))

        course = browser.get(f"/courses/{course_id}")
        assert course.status_code == 200
        assert "Chuyển đổi số trong cơ quan hành chính nhà nước" in course.text
        assert "status-completed" not in course.text

        lesson = browser.get(f"/courses/{course_id}/m/tong-quan")
        assert lesson.status_code == 200
        assert "Chuyển đổi số không phải việc riêng của bộ phận công nghệ thông tin" in lesson.text
        image = re.search(r'src="(/media/[^"]+\.svg)"', lesson.text).group(1)
        r = browser.get(image)
        assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
        token = csrf_of(lesson.text)

        url = f"/courses/{course_id}/m/tong-quan/complete"
        assert browser.post(url, data={}).status_code == 403  # no CSRF token, no change
        r = browser.post(url, data={"csrf_token": token})
        assert r.status_code == 303 and r.headers["location"] == f"/courses/{course_id}"

        course = browser.get(f"/courses/{course_id}")
        assert "status-completed" in course.text
        assert 'aria-valuenow="11"' in course.text  # 1 of 9 modules
        me = browser.get("/api/v1/my/classes").json()["items"]
        assert [c["my_enrolment"] for c in me if c["code"] == "CDS-2026-01"] == ["active"]


def test_admin_creates_a_class_through_the_json_api(demo_server):
    with httpx.Client(base_url=demo_server.url, timeout=10) as api:
        r = api.post("/api/v1/auth/login", json={"login": "admin", "password": "admin-demo-2026"})
        assert r.status_code == 200
        token = r.json()["csrf_token"]
        courses = api.get("/api/v1/courses").json()["items"]
        course_id = next(c["id"] for c in courses if c["code"] == "CDS-101")
        body = {"course_id": course_id, "code": "CDS-2026-02",
                "title": "Lớp Chuyển đổi số - khoá 2", "capacity": 30,
                "starts_on": "2026-12-01", "ends_on": "2026-12-15",
                "schedule": [{"starts_at": "2026-12-01T08:00:00+07:00",
                              "ends_at": "2026-12-01T11:00:00+07:00", "room": "Phòng 201"}]}
        assert api.post("/api/v1/classes", json=body).status_code == 403  # CSRF header missing
        r = api.post("/api/v1/classes", json=body, headers={"X-CSRF-Token": token})
        assert r.status_code == 201, r.text
        created = r.json()["id"]
        found = api.get("/api/v1/classes", params={"q": "CDS-2026-02"}).json()["items"]
        assert [c["id"] for c in found] == [created]
        detail = api.get(f"/api/v1/classes/{created}").json()
        assert detail["capacity"] == 30 and detail["schedule"][0]["room"] == "Phòng 201"


# --- PostgreSQL, two workers -------------------------------------------------------------------


async def _seed_rush(url: str) -> tuple[int, list[str]]:
    """Institutions of conftest's world, an open class of ten seats and 50 trainees with tokens."""
    from tortoise import Tortoise
    from tortoise.backends.base.executor import EXECUTOR_CACHE

    from conftest import _model_apps, seed_world
    from lms_core.auth.tokens import issue_token
    from lms_core.db import tortoise_config
    from lms_core.models import CourseClass, Membership, Role, User
    from lms_core.services.users import user_fields

    EXECUTOR_CACHE.clear()
    await Tortoise.init(config=tortoise_config(url, _model_apps()))
    try:
        world = await seed_world()
        klass = await CourseClass.create(institution_id=world.inst["a"],
                                         course_id=world.courses["a"], code="RUSH",
                                         title="Lớp đông người", capacity=10, self_enrol=True)
        tokens = []
        for i in range(50):
            user = await User.create(login=f"rush{i:02d}", email=f"rush{i:02d}@example.vn",
                                     password_hash="", unit_id=world.units["a-child"],
                                     **user_fields(f"Học Viên {i}"))
            await Membership.create(user=user, institution_id=world.inst["a"], role=Role.TRAINEE)
            tokens.append((await issue_token(user.id, world.inst["a"], "rush"))[1])
        return klass.id, tokens
    finally:
        await Tortoise.close_connections()


@pytest.mark.skipif(not PG_URL, reason="LMS_TEST_DATABASE_URL is not set")
async def test_two_workers_on_postgresql_never_overfill_a_class(db_templates, tmp_path):
    name = f"lms_e2e_{os.getpid()}"
    await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{db_templates["postgres"]}"')
    server = None
    try:
        url = _pg_url(name)
        class_id, tokens = await _seed_rush(url)
        server = Server(base_env(tmp_path, url), workers=2)
        await asyncio.to_thread(server.wait_ready)
        async with httpx.AsyncClient(base_url=server.url, timeout=30,
                                     limits=httpx.Limits(max_connections=50)) as client:
            responses = await asyncio.gather(*[
                client.post(f"/api/v1/classes/{class_id}/self-enrol",
                            headers={"Authorization": f"Bearer {t}"}) for t in tokens])
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201] * 10 + [409] * 40, [r.text for r in responses][:3]
        assert all(r.json()["code"] == "class_full" for r in responses if r.status_code == 409)
        import asyncpg

        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            seats = await conn.fetchval(
                "SELECT count(*) FROM lms_enrolment WHERE klass_id = $1 AND status IN "
                "('approved', 'active', 'completed')", class_id)
            rows = await conn.fetchval("SELECT count(*) FROM lms_enrolment WHERE klass_id = $1",
                                       class_id)
        finally:
            await conn.close()
        assert seats == rows == 10
        pids = set(re.findall(rb"Started server process \[(\d+)\]", server.log.read_bytes()))
        assert len(pids) == 2, "both workers should have started"
    finally:
        if server is not None:
            server.stop()
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
