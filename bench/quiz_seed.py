"""A fresh database for the quiz benchmark: one institution, one course with two lessons and a
``quiz`` module, one class, N trainees enrolled (active), a question bank, and one API token per
trainee (only its SHA-256 is stored, as ``lms_core.auth.tokens`` does), so that 1,000 trainees
need no argon2 login before the run.

The quiz has one fixed slot per template question of ``quiz_data`` (two of each auto-graded
type, mark 1) and a random draw of ``draw`` questions (mark 1.5) from a category of review
questions, so attempts differ from trainee to trainee as in a real test. Rows are written with
the helpers of ``seed.py`` (schema from the real migrations, binary COPY on PostgreSQL).
"""

from __future__ import annotations

import hashlib
import random
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import quiz_data
import seed
import vn_data

INSTITUTION = "bench-quiz"
FIXED_MARK, DRAWN_MARK = 1.0, 1.5
PASS_FRACTION = 0.6


@dataclass
class QuizWorld:
    module_id: int
    tokens: list[tuple[int, str]]  # (user id, bearer secret) per trainee
    #: rendered question text -> {variant: (response, fraction)}: how a trainee answers a slot
    #: of the page it was given, whatever the draw put there
    key: dict[str, dict[str, tuple[dict[str, Any], float]]]
    slots: int  # questions per attempt
    max_marks: float


async def seed_quiz(url: str, trainees: int, bank_size: int = 42, draw: int = 6) -> QuizWorld:
    """Drop and rebuild ``url`` (its name must contain ``bench``) with the quiz world."""
    from lms_core.models import (
        ApiToken, Course, CourseClass, CourseModule, Enrolment, Institution, Membership, User,
    )
    from lms_core.services.users import user_fields
    from lms_quizzes import qtypes
    from lms_quizzes.models import Question, QuestionCategory

    await seed.drop_and_create(url)
    await seed.migrate(url)
    now = datetime.now(timezone.utc)
    rng = random.Random(20261201)
    fixed, pool = quiz_data.templates(), quiz_data.bank(bank_size)
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
                           [(1, INSTITUTION, "Trường Chính trị tỉnh (benchmark bài kiểm tra)",
                             "quiz benchmark")])
        users, members, tokens, enrolments = [], [], [], []
        for uid in range(1, trainees + 1):
            f = user_fields(vn_data.person_name(rng))
            login = f"hv{uid:05d}"
            users.append((uid, login, f"{login}@bench.example.vn", f["full_name"],
                          f["name_key"], f["sort_key"], ""))
            members.append((uid, uid, 1, "trainee"))
            secret = f"lms_bench{uid:05d}_{secrets.token_urlsafe(24)}"
            tokens.append((uid, secret))
        await writer.write(User, ["id", "login", "email", "full_name", "name_key", "sort_key",
                                  "password_hash"], users)
        await writer.write(Membership, ["id", "user_id", "institution_id", "role"], members)
        await writer.write(ApiToken, ["id", "user_id", "institution_id", "name", "token_hash"],
                           [(uid, uid, 1, "quiz bench", hashlib.sha256(s.encode()).hexdigest())
                            for uid, s in tokens])

        await writer.write(QuestionCategory, ["id", "institution_id", "name", "path", "depth"],
                           [(1, 1, "Đề kiểm tra cuối khoá", "/1/", 0),
                            (2, 1, "Ôn tập quản lý nhà nước", "/2/", 0)])
        questions, key = [], {}
        for qid, (cat, spec) in enumerate([(1, s) for s in fixed] + [(2, s) for s in pool], 1):
            q = spec.question
            html = qtypes.render_text(q["text"], q["text_format"])
            if html in key:
                raise SystemExit(f"two bench questions render the same text: {html[:60]}")
            key[html] = spec.responses
            questions.append((qid, 1, cat, q["name"] or qtypes.question_name(q["text"]),
                              q["type"], q["text"], q["text_format"], html, q["answers"],
                              q["options"], q["general_feedback"]))
        await writer.write(Question, ["id", "institution_id", "category_id", "name", "type",
                                      "text", "text_format", "text_html", "answers", "options",
                                      "general_feedback"], questions)

        quiz = {"kind": "graded", "pass_fraction": PASS_FRACTION, "time_limit_seconds": 3600,
                "shuffle_questions": True,
                "slots": [{"kind": "fixed", "question_id": i, "mark": FIXED_MARK}
                          for i in range(1, len(fixed) + 1)]
                + [{"kind": "random", "category": 2, "count": draw, "mark": DRAWN_MARK}]}
        await writer.write(Course, ["id", "institution_id", "code", "title", "title_key",
                                    "sort_key"],
                           [(1, 1, "QLNN-2026", "Bồi dưỡng kiến thức quản lý nhà nước "
                             "ngạch chuyên viên", "boi duong kien thuc quan ly nha nuoc", "")])
        module_id = 3
        await writer.write(CourseModule, ["id", "course_id", "key", "type", "title", "position",
                                          "body_html", "data"], [
            (1, 1, "bai-1", "lesson", "Bài 1. Tổng quan về quản lý nhà nước", 1, "<p>…</p>", {}),
            (2, 1, "bai-2", "lesson", "Bài 2. Công vụ, công chức", 2, "<p>…</p>", {}),
            (module_id, 1, "kiem-tra-cuoi-khoa", "quiz", "Kiểm tra cuối khoá", 3, "", quiz)])
        today = now.date()
        await writer.write(CourseClass, ["id", "institution_id", "course_id", "code", "title",
                                         "title_key", "starts_on", "ends_on", "status"],
                           [(1, 1, 1, "QLNN-2026-L1", "Lớp bồi dưỡng QLNN khoá 1/2026",
                             "lop boi duong qlnn khoa 1/2026", today - timedelta(days=20),
                             today + timedelta(days=1), "running")])
        for uid, _ in tokens:
            enrolments.append((uid, uid, 1, "active", now - timedelta(days=20),
                               now - timedelta(days=20)))
        await writer.write(Enrolment, ["id", "user_id", "klass_id", "status", "approved_at",
                                       "activated_at"], enrolments)
        await writer.finish()
    finally:
        if seed.backend_of(url) == "postgres":
            await conn.close()
        else:
            db.close()
    max_marks = len(fixed) * FIXED_MARK + draw * DRAWN_MARK
    return QuizWorld(module_id, tokens, key, len(fixed) + draw, max_marks)


def expected_sum(variants_fractions: list[tuple[float, float]]) -> float:
    """The attempt's total as ``attempts.total`` defines it: each slot's mark, never below 0."""
    return round(sum(max(0.0, f) * mark for f, mark in variants_fractions), 7)
