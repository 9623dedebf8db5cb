"""A fresh database for the live-session benchmark: one institution, one course and class, N
trainees enrolled (active), one lecturer of the class, a live session already started and one
prepared (queued) single-choice poll, and an API token per user (only its SHA-256 is stored, as
``lms_core.auth.tokens`` does): the socket authenticates with ``Authorization: Bearer``, so
10,000 trainees need no argon2 login. Rows go through ``seed.py``'s writers (schema from the
real migrations, binary COPY on PostgreSQL).
"""

from __future__ import annotations

import hashlib
import random
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import seed
import vn_data

INSTITUTION = "bench-live"
POLL_OPTIONS = ["Rất rõ ràng", "Khá rõ", "Còn vài điểm chưa rõ", "Chưa hiểu, cần giảng lại"]
POLL_PROMPT = ("Đồng chí đã nắm được quy trình tiếp nhận và giải quyết hồ sơ thủ tục hành chính "
               "qua Cổng dịch vụ công trực tuyến chưa?")


@dataclass
class LiveWorld:
    session_id: int
    activity_id: int
    lecturer: tuple[int, str]       # (user id, bearer secret)
    trainees: list[tuple[int, str]]  # (user id, bearer secret) per trainee


async def seed_live(url: str, trainees: int) -> LiveWorld:
    """Drop and rebuild ``url`` (its name must contain ``bench``) with the live world."""
    from lms_core.models import (
        ApiToken, ClassLecturer, Course, CourseClass, Enrolment, Institution, Membership, User,
    )
    from lms_core.services.users import user_fields
    from lms_live_sessions.activities import check_config
    from lms_live_sessions.models import Activity, LiveSession

    await seed.drop_and_create(url)
    await seed.migrate(url)
    now = datetime.now(timezone.utc)
    rng = random.Random(20261201)
    if seed.backend_of(url) == "postgres":
        import asyncpg

        conn = await asyncpg.connect(seed._pg_dsn(url))
        writer: seed.Writer = seed.PostgresWriter(conn, now)
    else:
        db = sqlite3.connect(seed._sqlite_path(url))
        db.execute("PRAGMA journal_mode=WAL")
        writer = seed.SqliteWriter(db, now)
    try:
        await writer.write(Institution, ["id", "code", "name", "name_en"],
                           [(1, INSTITUTION, "Trường Chính trị tỉnh (benchmark lớp trực tiếp)",
                             "live benchmark")])
        users, members, tokens = [], [], []
        lecturer_id = trainees + 1
        for uid in range(1, trainees + 2):
            f = user_fields(vn_data.person_name(rng))
            login = f"hv{uid:05d}" if uid != lecturer_id else "gv00001"
            users.append((uid, login, f"{login}@bench.example.vn", f["full_name"],
                          f["name_key"], f["sort_key"], ""))
            members.append((uid, uid, 1, "trainee" if uid != lecturer_id else "lecturer"))
            tokens.append((uid, f"lms_bench{uid:05d}_{secrets.token_urlsafe(24)}"))
        await writer.write(User, ["id", "login", "email", "full_name", "name_key", "sort_key",
                                  "password_hash"], users)
        await writer.write(Membership, ["id", "user_id", "institution_id", "role"], members)
        await writer.write(ApiToken, ["id", "user_id", "institution_id", "name", "token_hash"],
                           [(uid, uid, 1, "live bench", hashlib.sha256(s.encode()).hexdigest())
                            for uid, s in tokens])
        await writer.write(Course, ["id", "institution_id", "code", "title", "title_key",
                                    "sort_key"],
                           [(1, 1, "CCHC-2026", "Bồi dưỡng kỹ năng cải cách hành chính",
                             "boi duong ky nang cai cach hanh chinh", "")])
        today = now.date()
        await writer.write(CourseClass, ["id", "institution_id", "course_id", "code", "title",
                                         "title_key", "starts_on", "ends_on", "status"],
                           [(1, 1, 1, "CCHC-2026-L1", "Lớp cải cách hành chính khoá 1/2026",
                             "lop cai cach hanh chinh khoa 1/2026", today - timedelta(days=5),
                             today + timedelta(days=30), "running")])
        await writer.write(ClassLecturer, ["id", "klass_id", "user_id"], [(1, 1, lecturer_id)])
        await writer.write(Enrolment, ["id", "user_id", "klass_id", "status", "approved_at",
                                       "activated_at"],
                           [(uid, uid, 1, "active", now - timedelta(days=5),
                             now - timedelta(days=5)) for uid in range(1, trainees + 1)])
        await writer.write(LiveSession, ["id", "klass_id", "institution_id", "title", "starts_at",
                                         "ends_at", "mode", "room", "join_code", "status",
                                         "created_by_id", "started_at", "seq"],
                           [(1, 1, 1, "Tiết 3: Dịch vụ công trực tuyến", now - timedelta(minutes=5),
                             now + timedelta(hours=2), "both", "Hội trường A",
                             "BENCH1", "live", lecturer_id, now - timedelta(minutes=5), 0)])
        config = check_config("poll", {"options": POLL_OPTIONS, "multiple": False})
        await writer.write(Activity, ["id", "session_id", "institution_id", "kind", "state",
                                      "visibility", "prompt", "config", "allow_change",
                                      "position", "created_by_id"],
                           [(1, 1, 1, "poll", "queued", "after_close", POLL_PROMPT, config, True,
                             1, lecturer_id)])
        await writer.finish()
    finally:
        if seed.backend_of(url) == "postgres":
            await conn.close()
        else:
            db.close()
    return LiveWorld(1, 1, tokens[-1], tokens[:-1])


def choice_of(uid: int) -> int:
    """The option trainee ``uid`` picks (checked against the database afterwards)."""
    return (uid * 7 + uid // 3) % len(POLL_OPTIONS)


def client_id_of(uid: int) -> str:
    return f"bench-{uid}-1"
