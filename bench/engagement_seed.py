"""A fresh database for the engagement benchmark, built on ``live_seed``: N trainees enrolled
(active) with API tokens (only their SHA-256 stored, so 5,000 trainees need no argon2 login),
one course with a lesson module (what the beacon's events point to), and the trainees spread
over ``sessions`` classes of that course, each with a started live session and the same
lecturer. A share of the trainees (every ``beacon_every``-th) reads the lesson and sends its
events to the beacon endpoint; the others hold the live socket of their class's session.

Several sessions rather than one: joining a session costs the server a ``presence`` frame to
every socket already in it (docs/performance.md, live sessions), so 4,000 sockets in one
session would take most of an hour to connect, which is not what is measured here. The
default, 100 classes of 50 (40 of them on the socket), is a school's ordinary day; they
connect in one and a half minutes on 2 cores, and the event path takes no session-wide lock,
so ingestion does not depend on how the sockets are grouped.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import live_seed
import seed

MODULE_ID = 1


@dataclass
class EngagementWorld:
    institution_id: int
    module_id: int
    sessions: list[int]
    lecturer: tuple[int, str]
    #: (user id, bearer secret, session id) of the trainees on the live socket
    socket: list[tuple[int, str, int]] = field(default_factory=list)
    #: (user id, bearer secret) of the trainees on the beacon endpoint
    beacon: list[tuple[int, str]] = field(default_factory=list)

    def enrolment_of(self, uid: int) -> int:
        return uid  # live_seed gives each trainee the enrolment with its own id

    def session_of(self, uid: int) -> int:
        return 1 + (uid - 1) % len(self.sessions)


async def seed_engagement(url: str, trainees: int, sessions: int,
                          beacon_every: int) -> EngagementWorld:
    """Drop and rebuild ``url`` (its name must contain ``bench``)."""
    from lms_core.models import ClassLecturer, CourseClass, CourseModule
    from lms_live_sessions.models import LiveSession

    live = await live_seed.seed_live(url, trainees)
    lecturer_id = live.lecturer[0]
    now = datetime.now(timezone.utc)
    today = now.date()
    extra = range(2, sessions + 1)
    pg = seed.backend_of(url) == "postgres"
    if pg:
        import asyncpg

        conn = await asyncpg.connect(seed._pg_dsn(url))
        writer: seed.Writer = seed.PostgresWriter(conn, now)
    else:
        db = sqlite3.connect(seed._sqlite_path(url))
        writer = seed.SqliteWriter(db, now)
    try:
        await writer.write(CourseModule, ["id", "course_id", "key", "type", "title",
                                          "position"],
                           [(MODULE_ID, 1, "bai-1-dich-vu-cong", "lesson",
                             "Bài 1: Dịch vụ công trực tuyến mức độ 4", 1)])
        await writer.write(CourseClass, ["id", "institution_id", "course_id", "code", "title",
                                         "title_key", "starts_on", "ends_on", "status"],
                           [(k, 1, 1, f"CCHC-2026-L{k}", f"Lớp cải cách hành chính khoá {k}/2026",
                             f"lop cai cach hanh chinh khoa {k}/2026", today - timedelta(days=5),
                             today + timedelta(days=30), "running") for k in extra])
        await writer.write(ClassLecturer, ["id", "klass_id", "user_id"],
                           [(k, k, lecturer_id) for k in extra])
        await writer.write(LiveSession, ["id", "klass_id", "institution_id", "title", "starts_at",
                                         "ends_at", "mode", "room", "join_code", "status",
                                         "created_by_id", "started_at", "seq"],
                           [(k, k, 1, f"Tiết 3 (lớp {k}): Dịch vụ công trực tuyến",
                             now - timedelta(minutes=5), now + timedelta(hours=2), "both",
                             f"Phòng {k}", f"E{k:05d}", "live", lecturer_id,
                             now - timedelta(minutes=5), 0) for k in extra])
        move = (f"UPDATE lms_enrolment SET klass_id = 1 + (user_id - 1) % {sessions}")
        if pg:
            await conn.execute(move)
        else:
            db.execute(move)
        writer.tables.add("lms_enrolment")
        await writer.finish()
    finally:
        if pg:
            await conn.close()
        else:
            db.close()
    world = EngagementWorld(institution_id=1, module_id=MODULE_ID,
                            sessions=list(range(1, sessions + 1)), lecturer=live.lecturer)
    for uid, token in live.trainees:
        if beacon_every and uid % beacon_every == 0:
            world.beacon.append((uid, token))
        else:
            world.socket.append((uid, token, world.session_of(uid)))
    return world
