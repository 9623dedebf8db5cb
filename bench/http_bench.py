"""HTTP benchmark of the core's hot read paths against a bare Starlette endpoint.

    make bench                                                   # = the line below
    .venv/bin/python bench/http_bench.py                         # PostgreSQL if reachable
    .venv/bin/python bench/http_bench.py --backend postgres      # 100k users, 1M enrolments
    .venv/bin/python bench/http_bench.py --backend sqlite        # a tenth of that

One run: seed the database if needed (bench/seed.py), serve the real app and the bare app the
way ``lms serve`` does (uvicorn, uvloop, httptools, one worker), log 64 trainees in, then for
each endpoint measure the real app and the bare app with 64 keep-alive connections (3 s warm-up,
15 s measured), and print requests/s, p50/p99 latency, the share of the bare throughput and the
CPU each request cost the server and the database. Results go to bench/results/*.json.

This is a measuring tool, not a test: it asserts nothing about speed, and the test suite never
runs it. Targets (from the issue): at least 30 % of the bare throughput and p99 under 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import httpx  # noqa: E402
from lms_core.cli import (  # noqa: E402  (as `lms serve`)
    KEEP_ALIVE_SECONDS, WS_PING_INTERVAL, WS_PING_TIMEOUT, WS_PROTOCOL,
)

import loadgen  # noqa: E402
import profiling  # noqa: E402
import seed  # noqa: E402

TARGET_SHARE = 30.0  # % of the bare endpoint's requests/s
TARGET_P99_MS = 50.0
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    targeted: bool = True  # the targets apply to it


def endpoints(search: str) -> list[Endpoint]:
    return [
        # No query on a warm principal cache: the cost of the middleware stack, the session,
        # the ``api`` decorator and the JSON response alone, to read the others against.
        Endpoint("me (auth floor)", "/api/v1/me", targeted=False),
        Endpoint("my classes", "/api/v1/my/classes"),
        Endpoint("catalogue", "/api/v1/courses?limit=50"),
        Endpoint(f"search \u201c{search}\u201d", f"/api/v1/courses?q={quote(search)}&limit=50"),
    ]


# --------------------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def tree_cpu_seconds(pid: int) -> float:
    """CPU of a process and every process below it (``uvicorn --workers N`` serves from
    children of the process it was started as)."""
    children: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(proc.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            total += cpu_seconds(current)
        except (OSError, ValueError, IndexError):
            continue
        todo.extend(children.get(current, ()))
    return total


def postgres_cpu_seconds() -> float:
    """CPU of every PostgreSQL process on this machine (the benchmark's backends dominate)."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if (proc / "comm").read_text().strip() == "postgres":
                total += cpu_seconds(int(proc.name))
        except (OSError, ValueError, IndexError):
            continue
    return total


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Server:
    """A uvicorn process serving ``app`` the way ``lms serve`` does, on a free port."""

    def __init__(self, label: str, app: str, env: dict[str, str], log_dir: Path,
                 access_log: bool, app_dir: Path | None = None, ws: str = "",
                 workers: int = 1) -> None:
        self.label = label
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1",
               "--port", str(self.port), "--loop", "uvloop", "--http", "httptools",
               "--ws-per-message-deflate", "false", "--log-level", "info",
               "--ws-ping-interval", str(WS_PING_INTERVAL),
               "--ws-ping-timeout", str(WS_PING_TIMEOUT),
               "--timeout-keep-alive", str(KEEP_ALIVE_SECONDS)]
        # uvicorn's websocket implementation (default: the one ``lms serve`` uses)
        cmd += ["--ws", ws or WS_PROTOCOL]
        if not access_log:
            cmd.append("--no-access-log")
        if workers > 1:
            cmd += ["--workers", str(workers)]
        if app_dir:
            cmd += ["--app-dir", str(app_dir)]
        self.log_path = log_dir / f"{label}.log"
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(cmd, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.label} server exited:\n{self.log_path.read_text()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"{self.label} server not ready after {timeout} s:\n"
                         f"{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._log.close()


# --------------------------------------------------------------------------- users


async def pick_users(url: str, count: int) -> list[str]:
    """``count`` trainees of the measured institution with a typical 8–12 classes each,
    spread over the whole id range (so over units, names and classes)."""
    query = """
        SELECT u.login FROM lms_user u
        JOIN lms_membership m ON m.user_id = u.id AND m.role = 'trainee'
        JOIN lms_institution i ON i.id = m.institution_id AND i.code = 'bench'
        JOIN lms_enrolment e ON e.user_id = u.id AND e.status <> 'withdrawn'
        GROUP BY u.id, u.login HAVING COUNT(*) BETWEEN 8 AND 12 ORDER BY u.id"""
    if seed.backend_of(url) == "sqlite":
        db = sqlite3.connect(seed._sqlite_path(url))
        try:
            logins = [r[0] for r in db.execute(query)]
        finally:
            db.close()
    else:
        import asyncpg

        conn = await asyncpg.connect(seed._pg_dsn(url))
        try:
            logins = [r[0] for r in await conn.fetch(query)]
        finally:
            await conn.close()
    if len(logins) < count:
        raise SystemExit(f"only {len(logins)} typical trainees in the database")
    stride = len(logins) / count
    return [logins[int(i * stride)] for i in range(count)]


def log_in(base: str, logins: list[str]) -> list[str]:
    """One session per user, as a browser would hold: the ``Cookie`` header values."""
    cookies = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for login in logins:
            client.cookies.clear()
            r = client.post("/api/v1/auth/login",
                            json={"login": login, "password": seed.PASSWORD})
            if r.status_code != 200:
                raise SystemExit(f"login of {login} failed: {r.status_code} {r.text}")
            cookies.append(f"lms_session={r.cookies['lms_session']}")
    return cookies


def check_and_fetch(base: str, cookies: list[str], eps: list[Endpoint]) -> dict[str, dict]:
    """Every user gets 200 on every endpoint; the first user's bodies feed the bare app."""
    info: dict[str, dict] = {}
    with httpx.Client(base_url=base, timeout=30) as client:
        for ep in eps:
            sizes, items = [], []
            body = ""
            for i, cookie in enumerate(cookies):
                r = client.get(ep.path, headers={"Cookie": cookie})
                if r.status_code != 200:
                    raise SystemExit(f"{ep.path} answered {r.status_code}: {r.text[:300]}")
                sizes.append(len(r.content))
                data = r.json()
                items.append(len(data.get("items", ())))
                if i == 0:
                    body = r.text
                    total = data.get("total")
            info[ep.path] = {"body": body, "bytes_first": sizes[0],
                             "bytes_mean": round(sum(sizes) / len(sizes)),
                             "items_mean": round(sum(items) / len(items), 1),
                             "total": total}
    return info


# --------------------------------------------------------------------------- measuring


def measure(server: Server, ep: Endpoint, cookies: list[str], args, pg: bool) -> dict:
    spy = None
    if args.profile and server.label == "app":
        label = f"-{slug(args.label)}" if args.label else ""
        raw = args.out / f"profile-{args.backend_name}{label}-{slug(ep.name)}.txt"
        spy = profiling.start(args.profile, server.proc.pid, args.duration, raw)
    cpu0, db0 = cpu_seconds(server.proc.pid), postgres_cpu_seconds() if pg else 0.0
    t0 = time.monotonic()
    if args.use_wrk:
        # wrk's own warm-up run is excluded from the CPU figures below by sampling after it.
        res = loadgen.run_wrk(server.url, ep.path, cookies, args.connections, args.duration,
                              0, threads=args.wrk_threads)
    else:
        res = loadgen.run_python("127.0.0.1", server.port, ep.path, cookies, args.connections,
                                 args.duration, 0, procs=args.procs)
    wall = time.monotonic() - t0
    cpu = cpu_seconds(server.proc.pid) - cpu0
    db = (postgres_cpu_seconds() - db0) if pg else 0.0
    n = max(1, res.requests)
    if spy is not None:
        spy.wait(60)
        summary = raw.with_suffix(".summary.txt")
        summary.write_text(profiling.summarise(raw))
        print(f"    profile: {summary}")
    # CPU was sampled over the whole call (a little longer than the measured period): scale
    # per request with all requests served in that wall time, estimated from the rate.
    served = max(1.0, res.rps * wall)
    return {
        "endpoint": ep.name, "path": ep.path, "server": server.label, **res.as_dict(),
        "server_cpu_us_per_req": round(cpu / served * 1e6, 1),
        "server_cpu_share": round(cpu / wall, 2),
        "db_cpu_us_per_req": round(db / served * 1e6, 1) if pg else None,
        "db_cpu_share": round(db / wall, 2) if pg else None,
        "client_cpu_share": round(res.client_cpu_s / res.seconds, 2) if res.seconds else None,
        "server_rss_mib": round(rss_mib(server.proc.pid), 1),
        "samples": n,
    }


def warm(server: Server, ep: Endpoint, cookies: list[str], args) -> None:
    if args.warmup <= 0:
        return
    if args.use_wrk:
        loadgen.run_wrk(server.url, ep.path, cookies, args.connections, args.warmup, 0,
                        threads=args.wrk_threads)
    else:
        loadgen.run_python("127.0.0.1", server.port, ep.path, cookies, args.connections,
                           args.warmup, 0, procs=args.procs)


def slug(name: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())


def verdict(row: dict) -> str:
    if not row["targeted"]:
        return "(reference)"
    ok = row["share_of_bare"] >= TARGET_SHARE and row["p99_ms"] < TARGET_P99_MS
    return "pass" if ok else "FAIL"


def markdown(rows: list[dict]) -> str:
    head = ("| endpoint | server | requests/s | p50 ms | p99 ms | % of bare | "
            "server CPU µs/req | DB CPU µs/req | target |")
    lines = [head, "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        db = "" if r["db_cpu_us_per_req"] is None else f"{r['db_cpu_us_per_req']:.0f}"
        share = f"{r['share_of_bare']:.0f} %" if r["server"] != "bare" else "100 %"
        target = verdict(r) if r["server"] != "bare" else ""
        lines.append(f"| {r['endpoint']} | {r['server']} | {r['rps']:,.0f} | {r['p50_ms']:.1f} "
                     f"| {r['p99_ms']:.1f} | {share} | {r['server_cpu_us_per_req']:.0f} | {db} "
                     f"| {target} |")
    return "\n".join(lines)


def machine() -> dict:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    versions = {}
    for pkg in ("uvicorn", "starlette", "tortoise-orm", "asyncpg", "uvloop", "httptools"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            versions[pkg] = version(pkg)
    return {"cpus": os.cpu_count(), "cpu_model": model, "python": platform.python_version(),
            "kernel": platform.release(), "versions": versions}


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--backend", choices=("auto", "postgres", "sqlite"), default="auto",
                    help="auto: PostgreSQL when the default bench URL answers, else SQLite")
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--scale", type=float, default=None,
                    help="default 1 (PostgreSQL) or 0.1 (SQLite)")
    ap.add_argument("--reseed", action="store_true")
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--users", type=int, default=64, help="distinct trainees (sessions)")
    ap.add_argument("--duration", type=float, default=15.0, help="measured seconds")
    ap.add_argument("--warmup", type=float, default=3.0)
    ap.add_argument("--loadgen", choices=("auto", "wrk", "python"), default="auto")
    ap.add_argument("--wrk-threads", type=int, default=2)
    ap.add_argument("--procs", type=int, default=0, help="Python load generator processes")
    ap.add_argument("--search", default="nghiep", help="word searched in the catalogue")
    ap.add_argument("--access-log", action=argparse.BooleanOptionalAction, default=False,
                    help="uvicorn's access log on both servers (`lms serve` has it on; it costs "
                         "~50 µs a request, more than the bare endpoint itself)")
    ap.add_argument("--cold", action=argparse.BooleanOptionalAction, default=True,
                    help="also measure the app with its response cache off (LMS_CACHE_TTL=0): "
                         "every request reads the database")
    ap.add_argument("--only", default="", help="comma-separated endpoint names to run")
    ap.add_argument("--out", type=Path, default=seed.RESULTS_DIR)
    ap.add_argument("--app-dir", type=Path, default=None,
                    help="import lms_core from this checkout instead (to try a change on a "
                         "copy of the repository without touching this one)")
    ap.add_argument("--label", default="", help="added to the result file's name")
    ap.add_argument("--profile", metavar="PY_SPY", default="",
                    help="path of a py-spy binary: profile the app during each measurement")
    args = ap.parse_args(argv)
    if args.loadgen == "wrk" and not loadgen.have_wrk():
        ap.error("wrk is not installed (apt-get install wrk), use --loadgen python")
    args.use_wrk = args.loadgen == "wrk" or (args.loadgen == "auto" and loadgen.have_wrk())
    return args


async def resolve_database(args) -> tuple[str, float]:
    if args.backend == "auto" and not args.database_url:
        import asyncpg

        try:
            conn = await asyncpg.connect(seed._pg_dsn(seed.DEFAULT_PG_URL, "postgres"),
                                         timeout=3)
            await conn.close()
            args.backend = "postgres"
        except (OSError, asyncpg.PostgresError, asyncio.TimeoutError):
            args.backend = "sqlite"
            print("PostgreSQL is not reachable: benchmarking SQLite at a tenth of the size.")
    url = seed.database_url(args.backend if args.backend != "auto" else "sqlite",
                            args.database_url)
    backend = seed.backend_of(url)
    scale = args.scale if args.scale is not None else (1.0 if backend == "postgres" else 0.1)
    return url, scale


def server_env(url: str, tmp: Path, bodies_file: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(LMS_DATABASE_URL=url, LMS_VAR_DIR=str(tmp / "var"), LMS_BROKER_URL="memory://",
               LMS_SECRET_KEY="bench-secret-key-" + "x" * 40, LMS_DEBUG="",
               BENCH_BARE_BODIES=str(bodies_file))
    return env


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url, scale = asyncio.run(resolve_database(args))
    backend = args.backend_name = seed.backend_of(url)
    plan = asyncio.run(seed.ensure_seeded(url, scale, args.reseed))
    args.out.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    if load_before[0] > (os.cpu_count() or 1):
        print(f"Warning: the machine is busy (load average {load_before[0]:.1f} on "
              f"{os.cpu_count()} CPUs): requests/s and latencies will be lower than on an idle "
              "machine; the CPU-per-request figures are much less affected.")
    eps = [e for e in endpoints(args.search)
           if not args.only or any(o.strip() in e.name for o in args.only.split(","))]
    logins = asyncio.run(pick_users(url, args.users))
    tool = "wrk" if args.use_wrk else "Python load generator"
    print(f"\n{backend}, scale {plan.scale:g}; {args.connections} connections over "
          f"{len(logins)} trainees; {tool}; {args.warmup:g} s warm-up + {args.duration:g} s "
          f"per measurement; {os.cpu_count()} CPUs shared by server, database and load.")
    pg = backend == "postgres"
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="lms-bench-") as tmpdir:
        tmp = Path(tmpdir)
        bodies_file = tmp / "bodies.json"
        bodies_file.write_text("{}")
        env = server_env(url, tmp, bodies_file)
        with contextlib.ExitStack() as stack:
            app = Server("app", "lms_core.asgi:app", env, tmp, args.access_log,
                         app_dir=args.app_dir)
            stack.callback(app.stop)
            app.wait_ready()
            cookies = log_in(app.url, logins)
            info = check_and_fetch(app.url, cookies, eps)
            bodies_file.write_text(json.dumps({p: i.pop("body") for p, i in info.items()},
                                              ensure_ascii=False), encoding="utf-8")
            bare = Server("bare", "bare_app:app", env, tmp, args.access_log, app_dir=BENCH_DIR)
            stack.callback(bare.stop)
            servers = [app]
            if args.cold:
                cold = Server("app, cache off", "lms_core.asgi:app",
                              {**env, "LMS_CACHE_TTL": "0"}, tmp, args.access_log,
                              app_dir=args.app_dir)
                stack.callback(cold.stop)
                cold.wait_ready()
                log_in(cold.url, logins[:1])  # the sessions are signed with the same key
                servers.append(cold)
            servers.append(bare)
            bare.wait_ready()
            for ep in eps:
                meta = info[ep.path]
                extra = [f"{meta['bytes_first']:,} bytes"]
                if meta["items_mean"]:
                    extra.append(f"{meta['items_mean']:g} items on average")
                if meta["total"] is not None:
                    extra.append(f"{meta['total']:,} matches")
                print(f"  {ep.name}: {ep.path} ({', '.join(extra)})", flush=True)
                pair = []
                for server in servers:
                    warm(server, ep, cookies, args)
                    row = measure(server, ep, cookies, args, pg)
                    pair.append(row)
                    print(f"    {server.label:<15} {row['rps']:>9,.0f} req/s  p50 "
                          f"{row['p50_ms']:6.1f} ms  p99 {row['p99_ms']:6.1f} ms  "
                          f"errors {row['errors'] + row['non_2xx']}", flush=True)
                base = pair[-1]["rps"] or 1.0
                for row in pair:
                    row["share_of_bare"] = round(100 * row["rps"] / base, 1)
                    row["targeted"] = ep.targeted
                    row.update({k: v for k, v in info[ep.path].items()})
                rows.extend(pair)
    table = markdown(rows)
    print("\n" + table + "\n")
    app_rows = [r for r in rows if r["server"] != "bare"]
    print("Targets: ≥ 30 % of the bare throughput and p99 < 50 ms at "
          f"{args.connections} connections: "
          + ", ".join(f"{r['endpoint']} ({r['server']}) {verdict(r)}" for r in app_rows
                      if r["targeted"]))
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    label = f"-{slug(args.label)}" if args.label else ""
    out = args.out / f"http-{backend}{label}-{stamp}.json"
    out.write_text(json.dumps({
        "when": stamp, "backend": backend, "database_url": url, "plan": plan.__dict__,
        "machine": machine(), "connections": args.connections, "users": len(logins),
        "duration_s": args.duration, "warmup_s": args.warmup, "loadgen": tool,
        "access_log": args.access_log, "app_dir": str(args.app_dir or ""), "label": args.label,
        "load_average_before": load_before, "load_average_after": os.getloadavg(),
        "targets": {"share_of_bare_min": TARGET_SHARE,
                                                   "p99_ms_max": TARGET_P99_MS},
        "results": rows, "markdown": table,
    }, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"Written to {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}")
    bad = sum(r["errors"] + r["non_2xx"] for r in rows)
    if bad:
        print(f"{bad} requests failed: the figures above are not valid.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
