"""Quiz hot paths: grading throughput in-process, and 1,000 trainees submitting at once over HTTP.

    make bench-quiz                                         # = the line below
    .venv/bin/python bench/quiz_bench.py                    # both databases when PostgreSQL answers
    .venv/bin/python bench/quiz_bench.py --backend postgres --trainees 1000
    .venv/bin/python bench/quiz_bench.py --part grading     # only the in-process part
    .venv/bin/python bench/quiz_bench.py --backend postgres --profile .venv/bin/py-spy

1. **Grading**: ``grading.grade`` over realistic Vietnamese questions of each auto-graded type
   (bench/quiz_data.py), right, wrong and partial responses mixed, checked against the fraction
   worked out by hand; then whole 30-question attempts through ``attempts.grade_slot``,
   ``apply_grade`` and ``total`` on in-memory rows (what ``submit`` does between its queries).
2. **1,000 trainees**: a fresh database (bench/quiz_seed.py), the app served the way
   ``lms serve`` does (uvicorn, uvloop, httptools, one worker), and load generator processes
   (bench/quiz_loadgen.py) in which every trainee starts the attempt, saves every answer and
   submits, each phase released for all trainees at the same moment. It prints p50/p99/max
   latency, errors and throughput per phase, then checks in the database that every attempt is
   finished and graded once with the expected mark and that no answer was lost.

A measuring tool, not a test: nothing here asserts a speed, the test suite never runs it. It
exits 1 when a request failed or a database check did not hold, since the figures are then not
valid. Target (quizzes issue): zero errors and p99 under 1 s on PostgreSQL. Results go to
bench/results/quiz-*.json (git-ignored).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import httpx  # noqa: E402

import http_bench  # noqa: E402
import profiling  # noqa: E402
import quiz_data  # noqa: E402
import quiz_loadgen  # noqa: E402
import quiz_seed  # noqa: E402
import seed  # noqa: E402

TARGET_P99_S = 1.0
PG_URL = "postgres://postgres@127.0.0.1:5432/lms_bench_quiz"
SQLITE_URL = seed.sqlite_url(seed.RESULTS_DIR / "lms_bench_quiz.sqlite3")


# --------------------------------------------------------------------------- 1. grading


def _rate(fn, items: list, seconds: float) -> float:
    """Calls of ``fn(*item)`` per second, looping over ``items`` for about ``seconds``."""
    n, t0 = 0, time.perf_counter()
    while True:
        for item in items:
            fn(*item)
        n += len(items)
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds:
            return n / elapsed


def grading_bench(seconds: float = 1.0) -> dict[str, Any]:
    """Grades per second per question type and for whole 30-question attempts; every grade is
    first checked against the fraction quiz_data expects."""
    from lms_quizzes import attempts, grading
    from lms_quizzes.models import Attempt, AttemptSlot

    specs = quiz_data.templates() + quiz_data.bank(42)
    wrong = [(s.type, v, grading.grade(s.question, r).fraction, f)
             for s in specs for v, (r, f) in s.responses.items()
             if abs(grading.grade(s.question, r).fraction - f) > 1e-9]
    if wrong:
        raise SystemExit(f"grading disagrees with the expected fractions: {wrong[:5]}")
    rows = []
    for qtype in dict.fromkeys(s.type for s in specs):
        items = [(s.question, r) for s in specs if s.type == qtype
                 for r, _ in s.responses.values()]
        rate = _rate(grading.grade, items, seconds)
        rows.append({"what": qtype, "items": len(items), "per_s": round(rate),
                     "us_each": round(1e6 / rate, 2)})

    # 30 questions (the 14 templates, 16 review questions), answers mixed per trainee, on rows
    # built beforehand: in ``submit`` they come from the database, a cost measured over HTTP.
    attempt_specs = specs[:30]

    def rows_of(trainee: int) -> list:
        return [AttemptSlot(slot=n, question=s.question, max_mark=1.0,
                            response=s.responses[quiz_data.variant_for(trainee, n)][0])
                for n, s in enumerate(attempt_specs, 1)]

    sheets = [(rows_of(i),) for i in range(200)]

    def grade_only(slots: list) -> None:
        for row in slots:
            grading.grade(row.question, row.response)

    def grade_and_total(slots: list) -> None:
        for row in slots:
            attempts.apply_grade(row, attempts.grade_slot(row))
        attempts.total(Attempt(max_marks=30.0), slots, 0.6)

    for what, fn in (("30-question attempt: grading.grade only", grade_only),
                     ("30-question attempt: grade_slot, apply_grade, total", grade_and_total)):
        rate = _rate(fn, sheets, seconds * 2)
        rows.append({"what": what, "items": len(sheets), "per_s": round(rate),
                     "us_each": round(1e6 / rate, 1)})
    rate = _rate(rows_of, [(i,) for i in range(200)], seconds)
    rows.append({"what": "(for scale: building 30 AttemptSlot model objects)", "items": 200,
                 "per_s": round(rate), "us_each": round(1e6 / rate, 1)})
    return {"rows": rows}


def grading_table(result: dict[str, Any]) -> str:
    lines = ["| what | responses | per second | µs each |", "|---|---:|---:|---:|"]
    for r in result["rows"]:
        lines.append(f"| {r['what']} | {r['items']} | {r['per_s']:,} | {r['us_each']:g} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- 2. over HTTP


async def postgres_answers() -> bool:
    import asyncpg

    try:
        conn = await asyncpg.connect(seed._pg_dsn(PG_URL, "postgres"), timeout=3)
    except (OSError, asyncpg.PostgresError, asyncio.TimeoutError):
        return False
    await conn.close()
    return True


async def _fetch(url: str, query: str) -> list[tuple]:
    if seed.backend_of(url) == "sqlite":
        db = sqlite3.connect(seed._sqlite_path(url))
        try:
            return [tuple(r) for r in db.execute(query)]
        finally:
            db.close()
    import asyncpg

    conn = await asyncpg.connect(seed._pg_dsn(url))
    try:
        return [tuple(r) for r in await conn.fetch(query)]
    finally:
        await conn.close()


async def verify(url: str, world: quiz_seed.QuizWorld,
                 expected: dict[int, list[tuple[int, float, float]]]) -> list[dict[str, Any]]:
    """What the database holds after the run, against what the trainees sent."""
    n = len(world.tokens)
    attempts = await _fetch(url, """
        SELECT user_id, number, state, sum_marks, max_marks, passed, needs_grading,
               finished_at IS NOT NULL FROM quizzes_attempt""")
    slots = await _fetch(url, """
        SELECT a.user_id, s.slot, s.fraction, s.mark, s.state, s.seq, s.response IS NOT NULL
        FROM quizzes_attempt_slot s JOIN quizzes_attempt a ON a.id = s.attempt_id""")
    (completed,), = await _fetch(url, f"""
        SELECT COUNT(*) FROM lms_module_progress
        WHERE module_id = {world.module_id} AND status = 'completed'""")
    want_sum = {uid: quiz_seed.expected_sum([(f, m) for _, f, m in rows])
                for uid, rows in expected.items()}
    want_slot = {(uid, slot): f for uid, rows in expected.items() for slot, f, _ in rows}
    finished = [a for a in attempts if a[2] == "finished" and a[7]]
    by_user = {a[0]: a for a in attempts}
    marks_ok = sum(1 for uid, s in want_sum.items()
                   if uid in by_user and by_user[uid][3] is not None
                   and abs(by_user[uid][3] - s) < 1e-6)
    passed = sum(1 for a in attempts if a[5])
    want_passed = sum(1 for s in want_sum.values()
                      if s / world.max_marks + 1e-9 >= quiz_seed.PASS_FRACTION)
    graded_ok = sum(1 for s in slots if s[2] is not None and s[4] != "unanswered"
                    and abs(s[2] - want_slot.get((s[0], s[1]), -9)) < 1e-6)
    total_slots = n * world.slots
    checks = [
        ("attempts", len(attempts), n),
        ("one attempt per trainee, number 1", len({a[0] for a in attempts if a[1] == 1}), n),
        ("attempts finished", len(finished), n),
        ("attempts with the expected total", marks_ok, n),
        ("attempts passed (total ≥ 60 %)", passed, want_passed),
        ("module completions recorded (once per pass)", completed, want_passed),
        ("slot rows", len(slots), total_slots),
        ("slot rows with a response", sum(1 for s in slots if s[6]), total_slots),
        ("slot rows saved exactly once (seq = 1)", sum(1 for s in slots if s[5] == 1),
         total_slots),
        ("slot rows graded with the expected fraction", graded_ok, total_slots),
    ]
    return [{"check": c, "found": found, "expected": want, "ok": found == want}
            for c, found, want in checks]


async def wait_for_progress(url: str, server_pid: int, pg: bool,
                            timeout: float = 180.0) -> dict[str, Any]:
    """Course progress is recorded by queued jobs after each submit (plugins/lms_quizzes/
    progress.py): wait until none is pending, and say how long that took and what it cost,
    so that work moved off the request is still counted."""
    cpu0 = http_bench.tree_cpu_seconds(server_pid)
    db0 = http_bench.postgres_cpu_seconds() if pg else 0.0
    (recorded,), = await _fetch(url, "SELECT COUNT(*) FROM quizzes_attempt WHERE progress_pending")
    t0 = time.perf_counter()
    left = recorded
    while left and time.perf_counter() - t0 < timeout:
        await asyncio.sleep(0.1)
        (left,), = await _fetch(url, "SELECT COUNT(*) FROM quizzes_attempt "
                                     "WHERE progress_pending")
    n = max(1, recorded)
    return {"recorded": recorded - left, "left": left, "done": left == 0,
            "seconds": round(time.perf_counter() - t0, 2),
            "server_cpu_ms_per_attempt": round(
                (http_bench.tree_cpu_seconds(server_pid) - cpu0) / n * 1000, 2),
            "db_cpu_ms_per_attempt": round(
                ((http_bench.postgres_cpu_seconds() if pg else 0.0) - db0) / n * 1000, 2)}


def _pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(p / 100 * len(s)))] if s else 0.0


def summarise(parts: list[dict[str, Any]], pg: bool) -> list[dict[str, Any]]:
    rows = []
    cpu = parts[0]["cpu"]
    marks = list(quiz_loadgen.PHASES) + ["end"]
    for i, phase in enumerate(quiz_loadgen.PHASES):
        lat = [x for p in parts for x in p["latencies"][phase]]
        statuses: dict[int, int] = {}
        for p in parts:
            for code, k in p["statuses"][phase].items():
                statuses[int(code)] = statuses.get(int(code), 0) + k
        ok_codes = (200, 201) if phase == "start" else (200,)
        failed = sum(p["errors"][phase] for p in parts) + \
            sum(k for code, k in statuses.items() if code not in ok_codes)
        began = min(p["gates"][phase] for p in parts)
        ended = max((p["ends"].get(phase, began) for p in parts), default=began)
        wall = max(1e-9, ended - began)
        (s0, d0), (s1, d1) = cpu[phase], cpu[marks[i + 1]]
        n = max(1, len(lat))
        rows.append({
            "phase": phase, "requests": len(lat), "errors": failed, "statuses": statuses,
            "p50_ms": round(_pct(lat, 50) * 1000, 1), "p99_ms": round(_pct(lat, 99) * 1000, 1),
            "max_ms": round(max(lat, default=0) * 1000, 1),
            "mean_ms": round(statistics.fmean(lat) * 1000, 1) if lat else 0.0,
            "seconds": round(wall, 2), "per_s": round(len(lat) / wall, 1),
            "server_cpu_ms_per_req": round((s1 - s0) / n * 1000, 2),
            "db_cpu_ms_per_req": round((d1 - d0) / n * 1000, 2) if pg else None,
            "server_cpu_share": round((s1 - s0) / wall, 2),
        })
    return rows


def http_table(results: list[dict[str, Any]]) -> str:
    lines = ["| backend | phase | requests | errors | p50 ms | p99 ms | max ms | requests/s "
             "| phase s | server CPU ms/req | DB CPU ms/req |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for res in results:
        for r in res["phases"]:
            db = "" if r["db_cpu_ms_per_req"] is None else f"{r['db_cpu_ms_per_req']:.2f}"
            lines.append(f"| {res['backend']} | {r['phase']} | {r['requests']:,} | "
                         f"{r['errors']} | {r['p50_ms']:,.1f} | {r['p99_ms']:,.1f} | "
                         f"{r['max_ms']:,.1f} | {r['per_s']:,.0f} | {r['seconds']:.2f} | "
                         f"{r['server_cpu_ms_per_req']:.2f} | {db} |")
    return "\n".join(lines)


def server_env(url: str, tmp: Path, extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(LMS_DATABASE_URL=url, LMS_VAR_DIR=str(tmp / "var"), LMS_BROKER_URL="memory://",
               LMS_SECRET_KEY="bench-secret-key-" + "x" * 40, LMS_DEBUG="")
    env.update(extra)
    return env


def flush_redis(url: str) -> None:
    """The bench's own Redis database starts empty: no job left from an earlier run."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


def run_http(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    url = args.database_url or (PG_URL if backend == "postgres" else SQLITE_URL)
    pg = backend == "postgres"
    t0 = time.perf_counter()
    world = asyncio.run(quiz_seed.seed_quiz(url, args.trainees))
    print(f"\n{backend}: seeded {args.trainees:,} trainees, a {world.slots}-question quiz "
          f"(max {world.max_marks:g} marks) in {time.perf_counter() - t0:.1f} s", flush=True)
    with tempfile.TemporaryDirectory(prefix="lms-quiz-bench-") as tmpdir, \
            contextlib.ExitStack() as stack:
        tmp = Path(tmpdir)
        extra = dict(args.env)
        if args.workers > 1:  # as a deployment runs several workers: jobs and fan-out on Redis
            extra.setdefault("LMS_JOBS_URL", args.redis_url)
            extra.setdefault("LMS_BROKER_URL", args.redis_url)
            flush_redis(extra["LMS_JOBS_URL"])
        server = http_bench.Server(f"app-{backend}", "lms_core.asgi:app",
                                   server_env(url, tmp, extra), tmp, access_log=False,
                                   app_dir=args.app_dir, workers=args.workers)
        stack.callback(server.stop)
        server.wait_ready()
        if not args.cold_quiz:
            # A lecturer opens the quiz before the test (makes its row from course.yaml's data).
            r = httpx.get(f"{server.url}{quiz_loadgen.Q}/modules/{world.module_id}/quiz",
                          headers={"Authorization": f"Bearer {world.tokens[0][1]}"}, timeout=30)
            if r.status_code != 200 or not r.json().get("can_start"):
                raise SystemExit(f"the quiz cannot be started: {r.status_code} {r.text[:300]}\n"
                                 f"{server.log_path.read_text(errors='replace')[-3000:]}")
        profile_out = ""
        if args.profile:
            profile_out = str(args.out / f"profile-quiz-{backend}-{args.profile_phase}.txt")
        cfg = {"host": "127.0.0.1", "port": server.port, "module_id": world.module_id,
               "key": world.key, "server_pid": server.proc.pid, "pg": pg, "ramp": args.ramp,
               "think": args.think, "profile": args.profile, "profile_phase": args.profile_phase,
               "profile_out": profile_out}
        print(f"  {args.trainees:,} trainees over {args.procs} load generator process(es): "
              "start, save, submit ...", flush=True)
        parts = quiz_loadgen.run(cfg, world.tokens, procs=args.procs)
        drain = asyncio.run(wait_for_progress(url, server.proc.pid, pg))
        print(f"  course progress (a job per submitted attempt, off the request): "
              f"{drain['recorded']:,} recorded {drain['seconds']:.1f} s after the last submit "
              f"answered, server CPU {drain['server_cpu_ms_per_attempt']:.2f} ms per attempt"
              + (f", PostgreSQL {drain['db_cpu_ms_per_attempt']:.2f}" if pg else "")
              + ("" if drain["done"] else f"; {drain['left']:,} STILL PENDING"), flush=True)
        rss = http_bench.rss_mib(server.proc.pid)
        log_tail = server.log_path.read_text(errors="replace")[-3000:]
    phases = summarise(parts, pg)
    for r in phases:
        print(f"    {r['phase']:<7} {r['requests']:>6,} requests  errors {r['errors']:<4} "
              f"p50 {r['p50_ms']:8.1f} ms  p99 {r['p99_ms']:8.1f} ms  max {r['max_ms']:8.1f} ms"
              f"  {r['per_s']:7,.0f}/s in {r['seconds']:.2f} s", flush=True)
    expected = {int(k): v for p in parts for k, v in p["expected"].items()}
    checks = asyncio.run(verify(url, world, expected))
    checks.append({"check": "progress recorded for every submitted attempt",
                   "found": drain["left"], "expected": 0, "ok": drain["done"]})
    mismatch = sum(p["submit_mismatch"] for p in parts)
    checks.append({"check": "submit responses showing the expected total", "found":
                   args.trainees - mismatch, "expected": args.trainees,
                   "ok": mismatch == 0})
    print("  database after the run:")
    for c in checks:
        print(f"    {'ok  ' if c['ok'] else 'FAIL'} {c['check']}: {c['found']:,} "
              f"(expected {c['expected']:,})")
    reconnects, retries = (sum(p[k] for p in parts) for k in ("reconnects", "retries"))
    print(f"  connections reopened after the server closed them idle: {reconnects:,}; "
          f"requests resent after a close before reading: {retries:,} (not errors: a browser "
          "does the same)")
    samples = [s for p in parts for s in p["samples"]]
    if samples:
        print("  first failures:\n    " + "\n    ".join(samples[:8]))
        print(f"  server log (tail):\n{log_tail}")
    if profile_out and Path(profile_out).exists():
        summary = Path(profile_out).with_suffix(".summary.txt")
        summary.write_text(profiling.summarise(Path(profile_out)))
        print(f"  profile of the {args.profile_phase} phase: {summary}")
    submit = next(r for r in phases if r["phase"] == "submit")
    errors = sum(r["errors"] for r in phases)
    met = errors == 0 and submit["p99_ms"] < TARGET_P99_S * 1000
    return {"backend": backend, "database_url": url, "trainees": args.trainees,
            "questions_per_attempt": world.slots, "max_marks": world.max_marks,
            "phases": phases, "checks": checks, "failures": samples[:20],
            "server_rss_mib": round(rss, 1), "reconnects": reconnects, "retries": retries,
            "progress_jobs": drain,
            "target_met": met, "checks_ok": all(c["ok"] for c in checks)}


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--backend", choices=("auto", "sqlite", "postgres", "both"), default="auto",
                    help=f"auto: both when {PG_URL} answers (the database is created), "
                         "else SQLite")
    ap.add_argument("--database-url", default=None, help="only with one backend")
    ap.add_argument("--trainees", type=int, default=1000)
    ap.add_argument("--part", choices=("all", "grading", "http"), default="all")
    ap.add_argument("--grading-seconds", type=float, default=1.0,
                    help="seconds per question type")
    ap.add_argument("--procs", type=int, default=1, help="load generator processes")
    ap.add_argument("--workers", type=int, default=1,
                    help="server worker processes (uvicorn --workers; PostgreSQL only, jobs "
                         "and fan-out then go through Redis, --redis-url)")
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/7",
                    help="the Redis database --workers uses (flushed before the run)")
    ap.add_argument("--ramp", type=float, default=0.0,
                    help="spread the starts over this many seconds (0: all at once)")
    ap.add_argument("--think", type=float, default=0.0,
                    help="seconds each trainee waits before each save (0: back to back)")
    ap.add_argument("--cold-quiz", action="store_true",
                    help="nobody opens the quiz before the trainees start it")
    ap.add_argument("--env", action="append", default=[], type=lambda s: tuple(s.split("=", 1)),
                    metavar="NAME=VALUE", help="extra environment for the server")
    ap.add_argument("--app-dir", type=Path, default=None,
                    help="import the app from this checkout (to try a change on a copy)")
    ap.add_argument("--profile", metavar="PY_SPY", default="",
                    help="py-spy binary: profile the server during --profile-phase")
    ap.add_argument("--profile-phase", choices=quiz_loadgen.PHASES, default="submit")
    ap.add_argument("--label", default="", help="added to the result file's name")
    ap.add_argument("--out", type=Path, default=seed.RESULTS_DIR)
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    report: dict[str, Any] = {"when": stamp, "machine": http_bench.machine(),
                              "load_average_before": os.getloadavg(),
                              "target": {"errors": 0, "submit_p99_s_max": TARGET_P99_S,
                                         "on": "postgres"}}
    ok = True
    if args.part in ("all", "grading"):
        print(f"Grading in-process ({args.grading_seconds:g} s per type, one core):", flush=True)
        report["grading"] = grading_bench(args.grading_seconds)
        print(grading_table(report["grading"]))
    if args.part in ("all", "http"):
        backends = {"sqlite": ["sqlite"], "postgres": ["postgres"],
                    "both": ["sqlite", "postgres"]}.get(args.backend)
        if backends is None:
            backends = ["sqlite", "postgres"] if asyncio.run(postgres_answers()) else ["sqlite"]
            if backends == ["sqlite"]:
                print(f"PostgreSQL does not answer at {PG_URL}: SQLite only.")
        if args.database_url and len(backends) > 1:
            raise SystemExit("--database-url needs --backend sqlite or postgres")
        if args.workers > 1 and "sqlite" in backends:
            raise SystemExit("--workers needs --backend postgres (SQLite has one writer)")
        report.update(trainees=args.trainees, procs=args.procs, workers=args.workers,
                      ramp_s=args.ramp,
                      think_s=args.think, cold_quiz=args.cold_quiz, env=dict(args.env),
                      app_dir=str(args.app_dir or ""), label=args.label)
        results = [run_http(b, args) for b in backends]
        report["http"] = results
        table = http_table(results)
        report["markdown"] = table
        print("\n" + table + "\n")
        for res in results:
            verdict = "met" if res["target_met"] else "NOT met"
            print(f"{res['backend']}: target (zero errors, submit p99 < 1 s) {verdict}; "
                  f"database checks {'all hold' if res['checks_ok'] else 'FAILED'}.")
            ok = ok and res["checks_ok"] and not any(r["errors"] for r in res["phases"])
    label = f"-{http_bench.slug(args.label)}" if args.label else ""
    out = args.out / f"quiz{label}-{stamp}.json"
    report["load_average_after"] = os.getloadavg()
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"Written to {out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
