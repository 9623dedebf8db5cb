"""Time the assessment reports at city scale on PostgreSQL: the city-wide "% meeting standard"
and the unit gap report.

    make bench-assessment                                   # full size (seeds once, minutes)
    make bench-assessment BENCH_ARGS="--scale 0.01"         # 10,000 people, seconds
    .venv/bin/python bench/assessment_bench.py --repeat 15 --no-explain

1. **Seeds** ``lms_bench_assessment`` unless it already holds the same plan
   (``assessment_seed.py``: 1,000,000 people, 5,000 units, 2,000 positions, 10,000,000
   enrolment and evidence rows, the profile segments).
2. **Times**, in this process with Tortoise set up as the app does it, the very functions the
   endpoints call: ``standard.report`` (``GET /api/v1/assessment/standard``) and
   ``standard.per_position`` for the whole city, then ``needs.unit`` (``GET
   /api/v1/assessment/needs?unit_id=``) for a unit of about 200 people and for a district
   (its offices, wards and their sections), ``standard.report`` and ``per_position`` for the
   same district, and ``needs.person`` for one person. Each is run ``--repeat`` times: the
   first run on a fresh database connection is reported apart as *cold* (no plan or catalogue
   cached in the backend; the data pages are wherever PostgreSQL and the OS left them, this
   does not flush caches other people's databases share), the others give the warm median,
   p95 and max.
3. **Checks** that both reports agree (the unit's and the district's share meeting the
   standard from ``needs.unit`` equals ``standard.report`` for the same subtree) and that the
   stored profile segments are what ``profile.segments`` makes of the stored evidence for a
   sample of people.
4. Prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the main statement (the city-wide count per unit)
   and a Markdown table; the whole result goes to ``bench/results/assessment-*.json``.

   Then the planners' whole report (``reports.build``, what ``GET /api/v1/assessment/reports``
   and the reports page call) for the same unit, district and the whole city, the current
   year, ``--report-repeat`` runs each (fewer: the city's takes seconds), checked against
   ``standard.report`` for the same subtree.

Targets (the issue): city-wide under 2 s, one unit under 100 ms, on PostgreSQL; the planners'
report: the city under 5 s, a district under 1 s, a unit under 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import assessment_seed  # noqa: E402
import http_bench  # noqa: E402
import seed  # noqa: E402

TARGET_CITY_MS = 2000.0
TARGET_UNIT_MS = 100.0
#: The planners' whole report (``reports.build``: GET /api/v1/assessment/reports and its page).
TARGET_REPORT_MS = {"city": 5000.0, "district": 1000.0, "unit": 200.0}


async def init_orm(url: str) -> None:
    from tortoise import Tortoise

    from lms_core.db import tortoise_config
    from lms_core.plugins import PluginManager

    disabled = [p for p in os.environ.get("LMS_DISABLED_PLUGINS", "").split(",") if p]
    await Tortoise.init(config=tortoise_config(url, PluginManager(disabled).load()
                                               .registry.model_apps),
                        _enable_global_fallback=True)


async def reconnect(url: str) -> None:
    """A fresh connection (a new PostgreSQL backend: nothing cached in it)."""
    from tortoise import Tortoise

    await Tortoise.close_connections()
    await init_orm(url)


async def pick_units(institution_id: int) -> dict[str, dict[str, Any]]:
    """A unit of about 200 people (its sub-units included) and the median district."""
    from lms_core.models import Unit
    from lms_core.sql import fetch

    own = {r["unit_id"]: int(r["n"]) for r in await fetch(
        "SELECT unit_id, COUNT(*) AS n FROM lms_user WHERE is_active GROUP BY unit_id")}
    units = await Unit.filter(institution_id=institution_id).values("id", "name", "path",
                                                                    "depth", "code")
    total = {u["id"]: 0 for u in units}
    for u in units:
        for part in u["path"].strip("/").split("/"):
            total[int(part)] += own.get(u["id"], 0)
    typical = min((u for u in units if u["depth"] >= 2),
                  key=lambda u: (abs(total[u["id"]] - 200), u["id"]))
    districts = sorted((u for u in units if u["depth"] == 1 and u["code"].startswith("Q")),
                       key=lambda u: (total[u["id"]], u["id"]))
    district = districts[len(districts) // 2] if districts else typical
    return {"unit": {**typical, "people": total[typical["id"]]},
            "district": {**district, "people": total[district["id"]]}}


def summary(runs_ms: list[float]) -> dict[str, float]:
    warm = sorted(runs_ms[1:]) or runs_ms
    p95 = warm[min(len(warm) - 1, max(0, round(0.95 * len(warm) + 0.5) - 1))]
    return {"cold_ms": round(runs_ms[0], 1), "median_ms": round(statistics.median(warm), 1),
            "p95_ms": round(p95, 1), "max_ms": round(max(warm), 1),
            "min_ms": round(min(warm), 1), "runs": len(runs_ms)}


async def timed(url: str, repeat: int, fn: Callable[[], Awaitable[Any]]
                ) -> tuple[dict[str, float], Any]:
    await reconnect(url)
    runs, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = await fn()
        runs.append((time.perf_counter() - t0) * 1000)
    return summary(runs), result


async def explain(institution_id: int) -> list[str]:
    """EXPLAIN ANALYZE of the city-wide count per unit, exactly as ``standard.report`` runs it."""
    from tortoise.transactions import in_transaction

    from lms_assessment import standard

    async with in_transaction() as conn:
        sql, args = await standard.prepared(conn, institution_id, "unit_id")
        rows = await conn.execute_query_dict("EXPLAIN (ANALYZE, BUFFERS) " + sql, args)
    return [r["QUERY PLAN"] for r in rows]


async def check_segments(institution_id: int, sample: int, rng: random.Random
                         ) -> dict[str, Any]:
    """Stored segments = what profile.segments makes of the stored evidence."""
    from lms_assessment import profile
    from lms_assessment.models import Evidence, ProfileSegment
    from lms_core.sql import fetch

    top = (await fetch("SELECT MAX(user_id) AS m FROM assessment_evidence"))[0]["m"] or 0
    checked = differ = 0
    for _ in range(sample):
        uid = rng.randint(1, top)
        for comp in {r["competency_id"] for r in await Evidence.filter(user_id=uid).values(
                "competency_id")}:
            rows = await Evidence.filter(user_id=uid, competency_id=comp,
                                         withdrawn_at__isnull=True).values(
                "id", "level", "source", "observed_at", "expires_at")
            proofs = [profile.Proof(r["id"], r["level"], getattr(r["source"], "value",
                                                                  r["source"]),
                                    r["observed_at"], r["expires_at"]) for r in rows]
            rule, priority = await profile.rule_of(comp)
            want = [(s.valid_from, s.valid_until, s.level, s.evidence_id)
                    for s in profile.segments(proofs, rule, priority)]
            got = [(r["valid_from"], r["valid_until"], r["level"], r["evidence_id"])
                   for r in await ProfileSegment.filter(user_id=uid, competency_id=comp
                                                        ).order_by("valid_from").values(
                       "valid_from", "valid_until", "level", "evidence_id")]
            checked += 1
            differ += want != got
    return {"name": "profile segments = profile.segments(evidence)", "pairs": checked,
            "differ": differ, "ok": differ == 0 and checked > 0}


def agree(label: str, needs_result: dict[str, Any], report: dict[str, Any]) -> dict[str, Any]:
    a = (needs_result["staff"], needs_result["with_standard"], needs_result["meeting"])
    t = report["total"]
    b = (t["staff"], t["with_standard"], t["meeting"])
    return {"name": f"{label}: needs.unit = standard.report (staff, with standard, meeting)",
            "needs": a, "standard": b, "ok": a == b}


async def sizes() -> dict[str, Any]:
    from lms_core.sql import fetch

    out: dict[str, Any] = {}
    for table in ("lms_user", "lms_unit", "lms_job_position", "assessment_position_competency",
                  "assessment_competency", "lms_course", "lms_class", "lms_enrolment",
                  "assessment_evidence", "assessment_profile_segment", "lms_membership"):
        out[table] = int((await fetch(f"SELECT COUNT(*) AS n FROM {table}"))[0]["n"])
    out["database"] = (await fetch(
        "SELECT pg_size_pretty(pg_database_size(current_database())) AS s"))[0]["s"]
    out["postgres"] = (await fetch("SHOW server_version"))[0]["server_version"]
    for setting in ("shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit"):
        out[setting] = (await fetch(f"SHOW {setting}"))[0][setting]
    return out


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from lms_core.plugins import PluginManager

    from lms_assessment import needs, reports, standard

    plan = await assessment_seed.ensure_seeded(args.database_url, args.scale, args.reseed)
    await init_orm(args.database_url)
    inst = assessment_seed.INSTITUTION_ID
    report: dict[str, Any] = {"plan": plan.key(), "machine": http_bench.machine(),
                              "started": datetime.now(timezone.utc).isoformat(),
                              "load_average_before": os.getloadavg(), "runs": [],
                              "checks": []}
    report["sizes"] = await sizes()
    picked = await pick_units(inst)
    report["units"] = {k: {f: v[f] for f in ("id", "name", "code", "depth", "people")}
                       for k, v in picked.items()}
    unit, district = picked["unit"]["id"], picked["district"]["id"]
    person = (await needs.unit(inst, unit, limit=1))["people"]
    person_id = person[0]["user_id"] if person else 1
    print(f"Unit: {picked['unit']['name']} ({picked['unit']['people']:,} people); district: "
          f"{picked['district']['name']} ({picked['district']['people']:,} people).")
    plugins = PluginManager([p for p in os.environ.get("LMS_DISABLED_PLUGINS", "").split(",")
                             if p]).load()
    this_year = reports.current_year()

    def report_of(unit_id: int | None) -> Callable[[], Awaitable[Any]]:
        return lambda: reports.build(plugins, reports.Scope(inst, this_year, unit_id))

    cases: list[tuple[str, str, Callable[[], Awaitable[Any]], float | None]] = [
        ("city", "standard.report (city-wide, per unit)",
         lambda: standard.report(inst), TARGET_CITY_MS),
        ("city", "standard.per_position (city-wide)",
         lambda: standard.per_position(inst), TARGET_CITY_MS),
        ("unit", f"needs.unit, one unit ({picked['unit']['people']:,} people)",
         lambda: needs.unit(inst, unit), TARGET_UNIT_MS),
        ("unit", "standard.report, the same unit",
         lambda: standard.report(inst, unit), TARGET_UNIT_MS),
        ("unit", "standard.per_position, the same unit",
         lambda: standard.per_position(inst, unit_id=unit), TARGET_UNIT_MS),
        ("person", "needs.person (one person, with the classes that close the gaps)",
         lambda: needs.person(inst, person_id), None),
        ("district", f"needs.unit, one district ({picked['district']['people']:,} people)",
         lambda: needs.unit(inst, district), None),
        ("district", "standard.report, the same district",
         lambda: standard.report(inst, district), None),
        ("district", "standard.per_position, the same district",
         lambda: standard.per_position(inst, unit_id=district), None),
        ("unit", "reports.build, the planners' report of the same unit",
         report_of(unit), TARGET_REPORT_MS["unit"]),
        ("district", "reports.build, the planners' report of the same district",
         report_of(district), TARGET_REPORT_MS["district"]),
        ("city", "reports.build, the planners' report of the whole city",
         report_of(None), TARGET_REPORT_MS["city"]),
    ]
    results: dict[str, Any] = {}
    for scope, label, fn, target in cases:
        if args.only and args.only not in label:
            continue
        repeat = min(args.repeat, args.report_repeat) if label.startswith("reports.") \
            else args.repeat
        figures, result = await timed(args.database_url, repeat, fn)
        results[label] = result
        verdict = "" if target is None else ("met" if figures["median_ms"] < target and
                                             figures["p95_ms"] < target else "NOT met")
        row = {"scope": scope, "what": label, **figures, "target_ms": target,
               "verdict": verdict}
        report["runs"].append(row)
        print(f"  {label}: cold {figures['cold_ms']:,.1f} ms, median {figures['median_ms']:,.1f}"
              f", p95 {figures['p95_ms']:,.1f}, max {figures['max_ms']:,.1f} ms"
              + (f" [{verdict}, target {target:,.0f} ms]" if target else ""), flush=True)
    city = results.get("standard.report (city-wide, per unit)")
    if city:
        t = city["total"]
        report["city_total"] = t
        print(f"City: {t['staff']:,} staff, {t['with_standard']:,} with a standard, "
              f"{t['meeting']:,} meeting it ({t['share']:.1%} of staff).")
    for label, scope_id in (("unit", unit), ("district", district)):
        n = next((v for k, v in results.items() if k.startswith(f"needs.unit, one {label}")),
                 None)
        s = results.get(f"standard.report, the same {label}") or await standard.report(
            inst, scope_id)
        if n is not None:
            report["checks"].append(agree(label, n, s))
        built = results.get(f"reports.build, the planners' report of the same {label}")
        if built is not None:
            f, t = built["figures"], s["total"]
            report["checks"].append({
                "name": f"{label}: reports.build = standard.report (staff, with standard, "
                        "meeting)",
                "ok": (f["staff"], f["with_standard"], f["meeting"]) ==
                      (t["staff"], t["with_standard"], t["meeting"]),
                "report": [f["staff"], f["with_standard"], f["meeting"]],
                "standard": [t["staff"], t["with_standard"], t["meeting"]]})
    if args.check_sample:
        report["checks"].append(await check_segments(inst, args.check_sample,
                                                     random.Random(7)))
    for c in report["checks"]:
        print(f"  check: {c['name']}: {'ok' if c['ok'] else 'FAILED'} "
              f"{ {k: v for k, v in c.items() if k not in ('name', 'ok')} }")
    if args.explain:
        await reconnect(args.database_url)
        report["explain"] = await explain(inst)
        print("\nEXPLAIN (ANALYZE, BUFFERS) of the city-wide count per unit:")
        print("\n".join("  " + line for line in report["explain"]))
    from tortoise import Tortoise

    await Tortoise.close_connections()
    report["load_average_after"] = os.getloadavg()
    return report


def table(report: dict[str, Any]) -> str:
    lines = ["| what | cold ms | median ms | p95 ms | max ms | target |",
             "|---|---:|---:|---:|---:|---|"]
    for r in report["runs"]:
        target = f"< {r['target_ms']:,.0f} ms: {r['verdict']}" if r["target_ms"] else ""
        lines.append(f"| {r['what']} | {r['cold_ms']:,.1f} | {r['median_ms']:,.1f} | "
                     f"{r['p95_ms']:,.1f} | {r['max_ms']:,.1f} | {target} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", default=assessment_seed.DEFAULT_URL)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--reseed", action="store_true")
    ap.add_argument("--repeat", type=int, default=11, help="runs per case (the first is cold)")
    ap.add_argument("--report-repeat", type=int, default=4,
                    help="runs of each planners' report (the city's takes seconds)")
    ap.add_argument("--only", default="", help="run the cases whose label contains this")
    ap.add_argument("--explain", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--check-sample", type=int, default=200,
                    help="people whose segments are recomputed from their evidence (0: none)")
    ap.add_argument("--out", type=Path, default=seed.RESULTS_DIR)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    report = asyncio.run(run(args))
    report["total_seconds"] = round(time.perf_counter() - t0, 1)
    report["markdown"] = table(report)
    print("\n" + report["markdown"] + "\n")
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"assessment-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str),
                   encoding="utf-8")
    print(f"Written to {out} ({report['total_seconds']} s)")
    return 0 if all(c["ok"] for c in report["checks"]) else 1


if __name__ == "__main__":
    sys.exit(main())
