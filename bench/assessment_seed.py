"""Seed the assessment benchmark: a city of 1,000,000 civil servants on PostgreSQL.

    .venv/bin/python bench/assessment_seed.py                 # full size (a few minutes)
    .venv/bin/python bench/assessment_seed.py --scale 0.01    # 10,000 people, seconds
    .venv/bin/python bench/assessment_seed.py --reseed        # drop and build again

Full size: one institution (the city) with 5,000 units (city → departments and districts →
offices, service units and wards → ward sections), a shared framework of 300 competencies, 2,000
job positions each requiring 4 to 10 of them (mandatory or optional, with weights), 1,000,000
active staff with a unit, a position, a Vietnamese name and a membership (the 5,000 unit heads
are supervisors too), 3,000 courses with 45,000 classes, and 10,000,000 rows of enrolments
(4,000,000) and evidence (6,000,000), with the profile segments the app would store.

The data follow the app's own rules: a completed enrolment is ``course`` evidence of each
competency the course develops, at its level, never expiring (``course_evidence``); other
evidence is a supervisor's or own rating, a graded practical task, a recognition, or a prior
certificate that expires after three or five years (many have); a few ratings were revised (the
earlier one withdrawn). Training is mostly derived from the position (three enrolments in four
are in a course developing one of its competencies), and a quarter of the staff are well trained
(evidence of each mandatory requirement at the required level, though a certificate may have
lapsed). Profile segments come from ``lms_assessment.profile.segments`` with each competency's
rule: one evidence is one segment, several are combined.

The schema comes from the app's migrations; rows go in by asyncpg's binary COPY (seed.py's
writers), people in batches of 25,000, each batch with its enrolments, evidence and segments
in one transaction that also records how far the seeding got. An interrupted run resumes at the
next batch; a database already holding the same plan is left alone. Everything derives from
fixed random seeds, so two runs build the same data.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from dataclasses import asdict, dataclass
from datetime import date, datetime, time as dtime, timedelta, timezone
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import assessment_data  # noqa: E402
import seed  # noqa: E402
import vn_data  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/lms_bench_assessment"
INSTITUTION_CODE = "bench-city"
INSTITUTION_ID = 1
FRAMEWORK_ID = 1
SEED = 20261210
SEED_VERSION = 2  # bump when the generated data change shape
BATCH = 25_000
MARKER = "assessment-bench "

FULL = {"users": 1_000_000, "units": 5_000, "positions": 2_000, "courses": 3_000,
        "enrolments": 4_000_000, "evidence": 6_000_000}
COMPETENCIES = 300
CLASSES_PER_COURSE = 15
WELL_TRAINED = 0.25


@dataclass(frozen=True)
class Plan:
    scale: float
    users: int
    units: int
    positions: int
    courses: int
    enrolments: int
    evidence: int
    competencies: int = COMPETENCIES
    seed_version: int = SEED_VERSION

    @classmethod
    def at(cls, scale: float) -> "Plan":
        def n(key: str, least: int) -> int:
            return max(least, round(FULL[key] * scale))
        return cls(scale=scale, users=n("users", 100), units=n("units", 20),
                   positions=n("positions", 12), courses=n("courses", 60),
                   enrolments=n("enrolments", 100), evidence=n("evidence", 100))

    def key(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    def describe(self) -> str:
        return (f"scale {self.scale:g}: {self.users:,} people, {self.units:,} units, "
                f"{self.positions:,} positions, {self.competencies} competencies, "
                f"{self.courses:,} courses, {self.enrolments:,} enrolments, "
                f"{self.evidence:,} evidence")


def build_city(plan: Plan, today: date) -> assessment_data.City:
    return assessment_data.build(plan.units, plan.competencies, plan.positions, plan.courses,
                                 CLASSES_PER_COURSE, today, SEED)


def at_day(day: date, hour: int) -> datetime:
    return datetime.combine(day, dtime(hour, 0), tzinfo=timezone.utc)


# --------------------------------------------------------------------------- state


async def read_state(conn: Any) -> tuple[str, int] | None:
    """(plan key, batches done; -1 when finished) or None when nothing usable is there."""
    import asyncpg

    try:
        marker = await conn.fetchval("SELECT name_en FROM lms_institution WHERE code = $1",
                                     INSTITUTION_CODE)
    except asyncpg.UndefinedTableError:
        return None
    if not marker or not marker.startswith(MARKER):
        return None
    body = marker[len(MARKER):]
    key, _, progress = body.rpartition(" ")
    return key, (-1 if progress == "done" else int(progress))


async def write_state(conn: Any, plan: Plan, progress: str) -> None:
    await conn.execute("UPDATE lms_institution SET name_en = $1 WHERE id = $2",
                       f"{MARKER}{plan.key()} {progress}", INSTITUTION_ID)


# --------------------------------------------------------------------------- the world


async def write_world(writer: seed.PostgresWriter, plan: Plan, city: assessment_data.City
                      ) -> None:
    from lms_core.models import Course, CourseClass, Institution, JobPosition, Unit
    from lms_core.text import fold, word_key

    from lms_assessment.models import (
        Competency, CompetencyGroup, CompetencyLevel, Framework, PositionCompetency,
    )

    await writer.write(Institution, ["id", "code", "name", "name_en"], [
        (INSTITUTION_ID, INSTITUTION_CODE, "Thành phố (benchmark đánh giá năng lực)",
         f"{MARKER}{plan.key()} 0")])
    await writer.write(Unit, ["id", "institution_id", "parent_id", "code", "name", "path",
                              "depth"],
                       [(u.id, INSTITUTION_ID, u.parent_id, u.code, u.name, u.path, u.depth)
                        for u in city.units])
    await writer.write(Framework, ["id", "institution_id", "code", "name", "name_en", "version",
                                   "shared", "default_rule"],
                       [(FRAMEWORK_ID, INSTITUTION_ID, "KNL-TP-2026",
                         "Khung năng lực dùng chung của Thành phố", "City competency framework",
                         "2026", True, "highest")])
    await writer.write(CompetencyGroup, ["id", "framework_id", "code", "name", "position"],
                       [(gid, FRAMEWORK_ID, code, name, gid) for gid, code, name in city.groups])
    await writer.write(Competency, ["id", "framework_id", "group_id", "code", "name", "name_en",
                                    "description", "rule", "source_priority", "position"],
                       [(c.id, FRAMEWORK_ID, c.group, c.code, c.name, c.name_en,
                         f"Năng lực {c.name[0].lower()}{c.name[1:]} theo vị trí việc làm.",
                         c.rule, c.priority, c.id) for c in city.competencies])
    await writer.write(CompetencyLevel, ["id", "competency_id", "level", "descriptor"],
                       [((c.id - 1) * 5 + lv, c.id, lv,
                         assessment_data.level_descriptor(lv, c.name))
                        for c in city.competencies for lv in range(1, 6)])
    await writer.write(JobPosition, ["id", "institution_id", "code", "title", "level"],
                       [(p.id, INSTITUTION_ID, p.code, p.title, p.level)
                        for p in city.positions])
    rows, n = [], 0
    for p in city.positions:
        for r in p.requirements:
            n += 1
            rows.append((n, INSTITUTION_ID, p.id, r.code, r.level, r.mandatory, r.weight))
    await writer.write(PositionCompetency, ["id", "institution_id", "position_id", "code",
                                            "required_level", "mandatory", "weight"], rows)
    await writer.write(Course, ["id", "institution_id", "code", "title", "title_en", "title_key",
                                "sort_key", "description", "competencies", "duration_hours",
                                "is_published"],
                       [(c.id, INSTITUTION_ID, c.code, c.title, f"Training course {c.code}",
                         fold(c.title), word_key(c.title)[:600],
                         vn_data.course_description(c.title, random.Random(c.id)),
                         [{"code": code, "level": lv} for _, code, lv in c.develops],
                         c.duration_hours, True) for c in city.courses])
    await writer.write(CourseClass, ["id", "institution_id", "course_id", "code", "title",
                                     "title_key", "starts_on", "ends_on", "status"],
                       [(k.id, INSTITUTION_ID, k.course_id, k.code, k.title, fold(k.title),
                         k.starts_on, k.ends_on, k.status) for k in city.classes])


# --------------------------------------------------------------------------- the people


@dataclass
class Counters:
    enrolments: int = 0  # rows written so far (ids are 1..n)
    evidence: int = 0
    segments: int = 0


class People:
    """One batch of staff with their memberships, enrolments, evidence and profile segments.
    Totals hit the plan exactly: each person's count is what keeps the running total on the
    straight line to the plan's total, plus noise (error diffusion)."""

    def __init__(self, plan: Plan, city: assessment_data.City, now: datetime) -> None:
        from lms_core.services.users import user_fields

        self.plan, self.city, self.now = plan, city, now
        self.today = now.date()
        self.user_fields = user_fields
        self.names: dict[str, dict[str, str]] = {}
        self.pos = {p.id: p for p in city.positions}
        self.klass = {k.id: k for k in city.classes}
        self.course = {c.id: c for c in city.courses}
        self.rules = {c.id: (c.rule or "highest", c.priority) for c in city.competencies}
        self.n_comp = len(city.competencies)

    def fields(self, name: str) -> dict[str, str]:
        f = self.names.get(name)
        if f is None:
            f = self.names[name] = self.user_fields(name)
        return f

    def batch(self, b: int, done: Counters) -> dict[str, list[tuple]]:
        from lms_assessment.profile import Proof, segments

        plan, city, now = self.plan, self.city, self.now
        rng = random.Random(SEED * 1000 + b)
        first = b * BATCH + 1
        last = min(plan.users, first + BATCH - 1)
        users, members, enrols, evidence, segs = [], [], [], [], []
        n_units = len(city.units)
        units = city.units
        eid, vid, sid = done.enrolments, done.evidence, done.segments
        day = timedelta(days=1)
        n_courses = len(city.courses)
        for uid in range(first, last + 1):
            unit = units[uid - 1] if uid <= n_units else \
                rng.choices(units, cum_weights=city.unit_cum)[0]
            pids, cum = city.tier_positions[assessment_data.KIND_TIER[unit.kind]]
            position = self.pos[rng.choices(pids, cum_weights=cum)[0]]
            f = self.fields(vn_data.person_name(rng))
            login = f"cb{uid:07d}"
            users.append((uid, login, f"{login}@bench-city.example.vn", f["full_name"],
                          f["name_key"], f["sort_key"], "", unit.id, position.id))
            members.append((uid, uid, INSTITUTION_ID, "trainee"))
            if uid <= n_units:  # the head of each unit supervises it
                members.append((plan.users + uid, uid, INSTITUTION_ID, "supervisor"))
                if uid == 1:
                    members.append((plan.users + n_units + 1, uid, INSTITUTION_ID, "admin"))
                    members.append((plan.users + n_units + 2, uid, INSTITUTION_ID, "planner"))
            supervisor = unit.id  # user id of the unit's head (users 1..n_units)

            # enrolments, and the course evidence of the completed ones
            owed = round(plan.enrolments * uid / plan.users) - eid
            k = max(0, min(14, owed + (rng.randint(-3, 3) if uid < plan.users else 0)))
            #: (id, competency, level, source, observed, expires, withdrawn)
            proofs: list[tuple] = []
            cands = city.position_courses.get(position.id) or []
            chosen: set[int] = set()
            for _ in range(k * 3):
                if len(chosen) == k:
                    break
                cid = rng.choice(cands) if cands and rng.random() < 0.75 else \
                    rng.randint(1, n_courses)
                chosen.add(rng.choice(self.course[cid].classes))
            for kid in sorted(chosen):
                klass = self.klass[kid]
                eid += 1
                r = rng.random()
                if r < 0.04:
                    status = "withdrawn"
                elif klass.status == "ended":
                    status = "completed" if r < 0.88 else "active"
                elif klass.status == "running":
                    status = "active"
                else:
                    status = "nominated" if r < 0.2 else ("approved" if r < 0.5 else "active")
                t0 = at_day(klass.starts_on, 8) - rng.randint(5, 40) * day
                nominated = rng.random() < 0.3
                course = self.course[klass.course_id]
                if status == "completed" and vid + len(course.develops) > plan.evidence:
                    status = "active"  # the very last people: the plan's total is reached
                done_at = at_day(klass.ends_on, 16) + rng.randint(0, 3) * day \
                    if status == "completed" else None
                enrols.append((eid, uid, kid, status, supervisor if nominated else None,
                               1 if status != "nominated" else None,
                               t0 if nominated else None,
                               t0 + day if status != "nominated" else None,
                               at_day(klass.starts_on, 8) if status in ("active", "completed")
                               else None, done_at,
                               t0 + 3 * day if status == "withdrawn" else None))
                if done_at is not None:
                    for comp, _, level in course.develops:
                        vid += 1
                        proofs.append((vid, comp, level, "course", done_at, None, None))
                        evidence.append((vid, INSTITUTION_ID, uid, comp, level, "course",
                                         done_at, None, f"enrolment:{eid}", None,
                                         f"course:{course.id}", None))

            # ratings, certificates, practical tasks and recognitions
            owed = round(plan.evidence * uid / plan.users) - vid
            extra: list[tuple[int, int, str]] = []  # (competency, level, source)
            mandatory = [r for r in position.requirements if r.mandatory]
            if rng.random() < WELL_TRAINED:
                for r in mandatory:
                    if rng.random() < 0.93:
                        extra.append((r.competency_id, min(5, r.level + rng.choice([0, 0, 0, 1])),
                                      "supervisor" if rng.random() < 0.6 else
                                      "prior_certificate"))
            n_extra = max(len(extra), min(20, owed + (rng.randint(-3, 3) if uid < plan.users
                                                      else 0)))
            reqs = position.requirements
            while len(extra) < n_extra:
                if rng.random() < 0.8:
                    r = rng.choice(reqs)
                    comp = r.competency_id
                    level = max(1, min(5, r.level + rng.choice([-2, -1, -1, 0, 0, 1])))
                else:
                    comp, level = rng.randint(1, self.n_comp), rng.randint(1, 4)
                s = rng.random()
                source = ("supervisor" if s < 0.45 else "self" if s < 0.70 else
                          "prior_certificate" if s < 0.85 else "practical" if s < 0.95
                          else "recognition")
                extra.append((comp, level, source))
            for comp, level, source in extra:
                if vid >= plan.evidence:
                    break  # the plan's total is reached (the last people get less)
                expires = None
                if source == "prior_certificate":
                    observed = now - rng.randint(30, 8 * 365) * day
                    expires = observed + rng.choice([3, 5]) * 365 * day
                    ref, note = f"certificate:{vid + 1}", "Chứng chỉ bồi dưỡng theo vị trí"
                elif source in ("supervisor", "self"):
                    observed = now - rng.randint(1, 3 * 365) * day
                    ref, note = f"job_rating:{vid + 1}", ""
                else:
                    observed = now - rng.randint(1, 3 * 365) * day
                    ref, note = (f"task_submission:{vid + 1}" if source == "practical"
                                 else f"exemption:{vid + 1}"), ""
                recorded = supervisor if source in ("supervisor", "practical") else None
                if source == "supervisor" and rng.random() < 0.03 and vid + 2 <= plan.evidence:
                    # a rating revised a few days later: the first is withdrawn, never counted
                    vid += 1
                    withdrawn = observed + 2 * day
                    evidence.append((vid, INSTITUTION_ID, uid, comp, max(1, level - 1), source,
                                     observed - 3 * day, None, ref, recorded, "", withdrawn))
                    proofs.append((vid, comp, level, source, observed, None, withdrawn))
                vid += 1
                evidence.append((vid, INSTITUTION_ID, uid, comp, level, source, observed,
                                 expires, ref, recorded, note, None))
                proofs.append((vid, comp, level, source, observed, expires, None))

            # the profile: what profile.rebuild stores for each competency
            by_comp: dict[int, list[tuple]] = {}
            for p in proofs:
                if p[6] is None:
                    by_comp.setdefault(p[1], []).append(p)
            for comp, ps in by_comp.items():
                if len(ps) == 1:
                    p = ps[0]
                    sid += 1
                    segs.append((sid, INSTITUTION_ID, uid, comp, p[2], p[4], p[5], p[0]))
                    continue
                rule, priority = self.rules[comp]
                for s in segments([Proof(p[0], p[2], p[3], p[4], p[5]) for p in ps], rule,
                                  priority):
                    sid += 1
                    segs.append((sid, INSTITUTION_ID, uid, comp, s.level, s.valid_from,
                                 s.valid_until, s.evidence_id))
        done.enrolments, done.evidence, done.segments = eid, vid, sid
        return {"users": users, "members": members, "enrolments": enrols,
                "evidence": evidence, "segments": segs}


async def write_people(writer: seed.PostgresWriter, rows: dict[str, list[tuple]]) -> None:
    from lms_core.models import Enrolment, Membership, User

    from lms_assessment.models import Evidence, ProfileSegment

    await writer.write(User, ["id", "login", "email", "full_name", "name_key", "sort_key",
                              "password_hash", "unit_id", "job_position_id"], rows["users"])
    await writer.write(Membership, ["id", "user_id", "institution_id", "role"], rows["members"])
    await writer.write(Enrolment, ["id", "user_id", "klass_id", "status", "nominated_by_id",
                                   "approved_by_id", "nominated_at", "approved_at",
                                   "activated_at", "completed_at", "withdrawn_at"],
                       rows["enrolments"])
    await writer.write(Evidence, ["id", "institution_id", "user_id", "competency_id", "level",
                                  "source", "observed_at", "expires_at", "ref", "recorded_by_id",
                                  "note", "withdrawn_at"], rows["evidence"])
    await writer.write(ProfileSegment, ["id", "institution_id", "user_id", "competency_id",
                                        "level", "valid_from", "valid_until", "evidence_id"],
                       rows["segments"])


# --------------------------------------------------------------------------- entry points


TABLES = ["lms_institution", "lms_unit", "lms_job_position", "lms_course", "lms_class",
          "lms_user", "lms_membership", "lms_enrolment", "assessment_framework",
          "assessment_competency_group", "assessment_competency", "assessment_competency_level",
          "assessment_position_competency", "assessment_evidence",
          "assessment_profile_segment"]


async def ensure_seeded(url: str, scale: float, reseed: bool = False) -> Plan:
    """Seed ``url`` unless it already holds this plan (resume a half-done seeding of it)."""
    import asyncpg

    plan = Plan.at(scale)
    try:
        conn = await asyncpg.connect(seed._pg_dsn(url))
    except asyncpg.InvalidCatalogNameError:
        state = None
    else:
        try:
            state = await read_state(conn)
        finally:
            await conn.close()
    batches = -(-plan.users // BATCH)
    if state is not None and state[0] == plan.key() and not reseed:
        if state[1] == -1:
            with seed.step(f"already seeded ({plan.describe()}); migrations"):
                await seed.migrate(url)  # an index added since is built on the data there
            return plan
        print(f"Resuming the seeding at batch {state[1] + 1} of {batches}.")
        start = state[1]
    else:
        start = None
    t0 = time.perf_counter()
    print(f"Seeding {url} ({plan.describe()}):")
    if start is None:
        with seed.step("empty database"):
            await seed.drop_and_create(url)
    with seed.step("migrations (core and plugins)"):
        await seed.migrate(url)  # also what sets the models up for the writers on a resume
    conn = await asyncpg.connect(seed._pg_dsn(url))
    try:
        # Skip the per-row foreign-key triggers while copying (ids are consistent by
        # construction): much faster, and what seed.py does.
        await conn.execute("SET session_replication_role = replica")
        if start is None:
            now = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
            await conn.execute("CREATE TABLE IF NOT EXISTS bench_seed_clock (now timestamptz)")
            await conn.execute("INSERT INTO bench_seed_clock VALUES ($1)", now)
        else:
            now = await conn.fetchval("SELECT now FROM bench_seed_clock")
        with seed.step("the city: units, framework, positions, courses, classes"):
            city = build_city(plan, now.date())
            writer = seed.PostgresWriter(conn, now)
            if start is None:
                async with conn.transaction():
                    await write_world(writer, plan, city)
                start = 0
        people = People(plan, city, now)
        done = Counters(*[await conn.fetchval(f"SELECT COALESCE(MAX(id), 0) FROM {t}")
                          for t in ("lms_enrolment", "assessment_evidence",
                                    "assessment_profile_segment")])
        label = f"{plan.users:,} people with enrolments, evidence and profile segments"
        with seed.step(label):
            for b in range(start, batches):
                t1 = time.perf_counter()
                rows = people.batch(b, done)
                t2 = time.perf_counter()
                async with conn.transaction():
                    await write_people(writer, rows)
                    await write_state(conn, plan, str(b + 1))
                print(f"\n    batch {b + 1}/{batches}: generated {t2 - t1:.1f} s, "
                      f"copied {time.perf_counter() - t2:.1f} s", end="", flush=True)
        with seed.step("sequences, VACUUM ANALYZE"):
            for name in TABLES:
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {name}))")
            await conn.execute("VACUUM ANALYZE")
            await write_state(conn, plan, "done")
        counts = {t: await conn.fetchval(f"SELECT COUNT(*) FROM {t}") for t in
                  ("lms_user", "lms_unit", "lms_enrolment", "assessment_evidence",
                   "assessment_profile_segment")}
        size = await conn.fetchval("SELECT pg_size_pretty(pg_database_size(current_database()))")
    finally:
        await conn.close()
    print(f"Seeded in {time.perf_counter() - t0:.1f} s: "
          + ", ".join(f"{t} {n:,}" for t, n in counts.items()) + f"; database {size}.")
    return plan


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", default=DEFAULT_URL)
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the full size")
    ap.add_argument("--reseed", action="store_true", help="drop the data and seed again")
    args = ap.parse_args(argv)
    if seed.backend_of(args.database_url) != "postgres":
        raise SystemExit("the assessment benchmark seeds PostgreSQL only")
    asyncio.run(ensure_seeded(args.database_url, args.scale, args.reseed))


if __name__ == "__main__":
    main()
