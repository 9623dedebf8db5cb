"""One live session with 1,000, 5,000 and 10,000 connected trainees: a poll pushed, everyone
answering; and the same broadcast through a bare ``websockets`` server as the baseline.

    make bench-live                                       # = the line below
    .venv/bin/python bench/live_bench.py                  # PostgreSQL when it answers, else SQLite
    .venv/bin/python bench/live_bench.py --backend sqlite --sizes 1000
    .venv/bin/python bench/live_bench.py --sizes 1000,5000 --procs 6 --connect-rate 100

For each size N, on a fresh database (bench/live_seed.py: N enrolled trainees with API tokens,
a lecturer, a started session, a prepared poll):

1. **App**: the app served the way ``lms serve`` does (uvicorn, uvloop, httptools, one worker,
   its websocket protocol ``lms_core.http.ws_protocol``, permessage-deflate off). The
   lecturer connects; the server's RSS is read (/proc); N trainees connect from ``--procs``
   client processes (bench/live_clients.py),
   paced at ``--connect-rate`` per second (no handshake storm), each counted once its ``state``
   frame arrived; the room settles (the lecturer has seen the presence of all N) and RSS is read
   again: (after - before) / N is the memory per idle connection. The lecturer sends
   ``open_activity`` (time.time() read just before, in the orchestrator) and every client
   records when its ``activity_opened`` arrives: delivery p50/p99/max. Then every trainee
   answers at once with a ``client_id`` (every tenth sends its answer twice, as a retrying
   phone does), acks are counted, answers/s = acked answers / (last ack - first send), and the
   database must hold exactly one response per trainee, with its choice, its client_id and
   revision 1 (no lost, no doubled answers).
2. **Bare**: bench/live_bare.py (websockets.asyncio.server.serve + broadcast()), the same
   client processes and pacing, RSS before/after, then one broadcast of the very frame the app
   sent (same size), same measurement.

A measuring tool, not a test: nothing asserts a speed. It exits 1 when a check fails (a
connection refused or dropped, a frame or an ack missing, the database not as expected), since
the figures are then not valid. Targets (live-sessions issue): 10,000 trainees in one session
on one server process, p99 delivery < 500 ms and <= 1.5x the bare baseline, <= 20 KiB of
server memory per idle connection, no lost or doubled answers. JSON goes to
bench/results/live-*.json (git-ignored).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import http_bench  # noqa: E402
import live_clients  # noqa: E402
import live_seed  # noqa: E402
import seed  # noqa: E402

TARGET_P99_MS = 500.0
TARGET_RATIO = 1.5
TARGET_KIB = 20.0
PG_URL = "postgres://postgres@127.0.0.1:5432/lms_bench_live"
SQLITE_URL = seed.sqlite_url(seed.RESULTS_DIR / "lms_bench_live.sqlite3")


def _pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(p / 100 * len(s)))] if s else 0.0


def server_env(url: str, tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(LMS_DATABASE_URL=url, LMS_VAR_DIR=str(tmp / "var"), LMS_BROKER_URL="memory://",
               LMS_SECRET_KEY="bench-secret-key-" + "x" * 40, LMS_DEBUG="")
    return env


class Clients:
    """The client processes, each holding its share of the trainees."""

    def __init__(self, procs: int) -> None:
        ctx = mp.get_context("spawn")
        self.pipes, self.procs = [], []
        for i in range(procs):
            parent, child = ctx.Pipe()
            p = ctx.Process(target=live_clients.worker_main, args=(child, i, str(BENCH_DIR)),
                            daemon=True)
            p.start()
            self.pipes.append(parent)
            self.procs.append(p)

    async def call(self, per_proc: list[tuple]) -> list[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        for pipe, cmd in zip(self.pipes, per_proc):
            pipe.send(cmd)
        return list(await asyncio.gather(*(loop.run_in_executor(None, pipe.recv)
                                           for pipe in self.pipes)))

    async def all(self, *cmd: Any) -> list[dict[str, Any]]:
        return await self.call([cmd] * len(self.pipes))

    def stop(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(Exception):
                pipe.send(("exit",))
        for p in self.procs:
            p.join(5)
            if p.is_alive():
                p.kill()


async def connect_all(clients: Clients, url: str, users: list[tuple[int, str | None]],
                      args: argparse.Namespace) -> dict[str, Any]:
    n = len(clients.pipes)
    shares = [users[i::n] for i in range(n)]
    start_at = time.time() + 0.5
    parts = await clients.call([("connect", url, share, args.connect_rate / n,
                                 args.in_flight, start_at, args.timeout) for share in shares])
    hs = [x for p in parts for x in p["handshake_s"]]
    first = min(p["first"] for p in parts)
    last = max(p["last"] for p in parts)
    return {"connected": sum(p["connected"] for p in parts),
            "failed": sum(p["n_failed"] for p in parts),
            "failures": [f for p in parts for f in p["failed"]][:10],
            "seconds": round(last - first, 2),
            "handshake_p50_ms": round(_pct(hs, 50) * 1000, 1),
            "handshake_p99_ms": round(_pct(hs, 99) * 1000, 1)}


async def collect_opened(clients: Clients, t_push: float, timeout: float) -> dict[str, Any]:
    parts = await clients.all("opened", timeout)
    delays = [a - t_push for p in parts for a in p["arrivals"]]
    sample = next((p["sample"] for p in parts if p["sample"]), "")
    return {"received": len(delays), "missing": sum(p["missing"] for p in parts),
            "p50_ms": round(_pct(delays, 50) * 1000, 1),
            "p99_ms": round(_pct(delays, 99) * 1000, 1),
            "max_ms": round(max(delays, default=0) * 1000, 1),
            "frame_bytes": len(sample.encode()), "frame": sample,
            "activity_id": next((p["activity_id"] for p in parts if p["activity_id"]), 0)}


async def settle_rss(pid: int, seconds: float = 2.0) -> float:
    """RSS once it stops moving (queues drained, buffers freed): read until two readings a
    second apart agree within 0.2 MiB, at most ``seconds`` * 5."""
    prev = http_bench.rss_mib(pid)
    for _ in range(int(seconds * 5)):
        await asyncio.sleep(1.0)
        cur = http_bench.rss_mib(pid)
        if abs(cur - prev) < 0.2:
            return cur
        prev = cur
    return prev


class Lecturer:
    """The lecturer's socket, in the orchestrator: reads every frame (so it never lags) and
    follows the participant count from the presence frames."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.participants = 0
        self.frames = 0
        self.errors: list[str] = []

    async def start(self) -> None:
        from websockets.asyncio.client import connect

        self.ws = await connect(self.url, additional_headers={
            "Authorization": f"Bearer {self.token}"}, compression=None, ping_interval=None,
            max_size=2 ** 24, max_queue=None)
        first = json.loads(await self.ws.recv())
        if first.get("type") != "state" or first["you"]["role"] != "runner":
            raise SystemExit(f"the lecturer is not a runner: {str(first)[:300]}")
        self.participants = first.get("participants", 0)
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        with contextlib.suppress(Exception):
            async for msg in self.ws:
                self.frames += 1
                head = msg[:48]
                if '"type":"presence"' in head:
                    self.participants = json.loads(msg)["participants"]
                elif '"type":"error"' in head:
                    self.errors.append(msg[:300])

    async def wait_for(self, n: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.participants < n and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        return self.participants >= n

    async def close(self) -> None:
        self.task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(), 5)


async def db_rows(url: str, query: str) -> list[tuple]:
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


async def verify(url: str, world: live_seed.LiveWorld) -> list[dict[str, Any]]:
    n = len(world.trainees)
    rows = await db_rows(url, f"""
        SELECT user_id, answer, client_id, revision, enrolment_id
        FROM live_activity_response WHERE activity_id = {world.activity_id}""")
    by_user: dict[int, list[tuple]] = {}
    for r in rows:
        by_user.setdefault(r[0], []).append(r)

    def answer_of(r: tuple) -> Any:
        a = r[1]
        return json.loads(a) if isinstance(a, str) else a

    right = sum(1 for uid, _ in world.trainees if len(by_user.get(uid, ())) == 1
                and answer_of(by_user[uid][0]) == {"choices": [live_seed.choice_of(uid)]}
                and by_user[uid][0][2] == live_seed.client_id_of(uid)
                and by_user[uid][0][3] == 1 and by_user[uid][0][4] == uid)
    (state,), = await db_rows(url, f"SELECT state FROM live_activity WHERE id = "
                                   f"{world.activity_id}")
    checks = [
        ("response rows", len(rows), n),
        ("trainees with exactly one response", sum(1 for v in by_user.values() if len(v) == 1),
         n),
        ("responses with the trainee's choice, client_id, revision 1, enrolment", right, n),
        ("poll state", state, "open"),
    ]
    return [{"check": c, "found": f, "expected": e, "ok": f == e} for c, f, e in checks]


async def run_app(n: int, url: str, clients: Clients, args: argparse.Namespace,
                  tmp: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    world = await live_seed.seed_live(url, n)
    print(f"  seeded {n:,} trainees, a lecturer, a live session and a poll in "
          f"{time.perf_counter() - t0:.1f} s", flush=True)
    server = http_bench.Server(f"live-app-{n}", "lms_core.asgi:app", server_env(url, tmp), tmp,
                               access_log=False, app_dir=args.app_dir, ws=args.ws)
    res: dict[str, Any] = {"trainees": n}
    try:
        await asyncio.get_running_loop().run_in_executor(None, server.wait_ready)
        ws_url = f"ws://127.0.0.1:{server.port}/ws/live/{world.session_id}"
        pid = server.proc.pid
        lecturer = Lecturer(ws_url, world.lecturer[1])
        await lecturer.start()
        rss0 = await settle_rss(pid)
        cpu0 = http_bench.cpu_seconds(pid)
        profiler = None
        if args.profile and "connect" in args.profile_phase:
            profiler = start_profile(args, pid, f"connect-{n}")
        conn = await connect_all(clients, ws_url, world.trainees, args)
        all_in = await lecturer.wait_for(n, args.timeout)
        stop_profile(profiler)
        cpu1 = http_bench.cpu_seconds(pid)
        conn["server_cpu_s"] = round(cpu1 - cpu0, 2)
        conn["lecturer_saw_all"] = all_in
        rss1 = await settle_rss(pid)
        res.update(connect=conn, rss_before_mib=round(rss0, 1), rss_after_mib=round(rss1, 1),
                   kib_per_conn=round((rss1 - rss0) * 1024 / max(1, conn["connected"]), 1))
        print(f"  app: {conn['connected']:,} connected in {conn['seconds']:.1f} s "
              f"(handshake p50 {conn['handshake_p50_ms']} ms, p99 {conn['handshake_p99_ms']} "
              f"ms, failed {conn['failed']}), server CPU {conn['server_cpu_s']} s; RSS "
              f"{rss0:.1f} -> {rss1:.1f} MiB = {res['kib_per_conn']} KiB/connection",
              flush=True)
        await asyncio.sleep(1.0)
        if args.profile and "push" in args.profile_phase:
            profiler = start_profile(args, pid, f"push-{n}")
        cpu0 = http_bench.cpu_seconds(pid)
        t_push = time.time()
        await lecturer.ws.send(json.dumps({"type": "open_activity",
                                           "activity_id": world.activity_id}))
        opened = await collect_opened(clients, t_push, args.timeout)
        stop_profile(profiler)
        opened["server_cpu_s"] = round(http_bench.cpu_seconds(pid) - cpu0, 2)
        res["delivery"] = opened
        print(f"  app: activity_opened ({opened['frame_bytes']} bytes) to {opened['received']:,}"
              f" trainees: p50 {opened['p50_ms']} ms, p99 {opened['p99_ms']} ms, max "
              f"{opened['max_ms']} ms, missing {opened['missing']}", flush=True)
        await asyncio.sleep(1.0)
        if args.profile and "answer" in args.profile_phase:
            profiler = start_profile(args, pid, f"answer-{n}")
        cpu0 = http_bench.cpu_seconds(pid)
        parts = await clients.all("answer", time.time() + 0.3, args.timeout)
        stop_profile(profiler)
        first = min(p["t_first_send"] for p in parts)
        last = max(p["last_ack"] for p in parts)
        acked = sum(p["trainees_acked"] for p in parts)
        ans = {k: sum(p[k] for p in parts) for k in ("sent", "send_failed", "acks",
                                                    "acks_revision_1", "trainees_acked",
                                                    "trainees_fully_acked", "expected_acks",
                                                    "n_errors")}
        ans["errors"] = [e for p in parts for e in p["errors"]][:10]
        ans["seconds"] = round(max(1e-9, last - first), 2)
        ans["answers_per_s"] = round(acked / max(1e-9, last - first), 1)
        ans["server_cpu_s"] = round(http_bench.cpu_seconds(pid) - cpu0, 2)
        res["answers"] = ans
        print(f"  app: {ans['sent']:,} answer messages ({n:,} trainees, every tenth twice): "
              f"{ans['acks']:,} acks ({ans['acks_revision_1']:,} with revision 1) in "
              f"{ans['seconds']} s = {ans['answers_per_s']:,} answers/s; errors "
              f"{ans['n_errors']}", flush=True)
        await asyncio.sleep(0.5)
        stats = await clients.all("stats")
        closed: dict[str, int] = {}
        for p in stats:
            for code, k in p["closed"].items():
                closed[code] = closed.get(code, 0) + k
        res["still_open"] = sum(p["open"] for p in stats)
        res["closed_by_server"] = closed
        res["frames_received"] = sum(p["frames"] for p in stats)
        res["lecturer_frames"] = lecturer.frames
        res["checks"] = await verify(url, world)
        res["checks"] += [
            {"check": "trainees connected", "found": conn["connected"], "expected": n,
             "ok": conn["connected"] == n},
            {"check": "connections still open after the answers", "found": res["still_open"],
             "expected": n, "ok": res["still_open"] == n},
            {"check": "trainees with the poll", "found": opened["received"], "expected": n,
             "ok": opened["received"] == n},
            {"check": "acks (a retry gets the same ack)", "found": ans["acks_revision_1"],
             "expected": ans["expected_acks"],
             "ok": ans["acks_revision_1"] == ans["expected_acks"] == ans["acks"]},
            {"check": "error frames", "found": ans["n_errors"], "expected": 0,
             "ok": ans["n_errors"] == 0},
        ]
        res["log_tail"] = server.log_path.read_text(errors="replace")[-2000:]
        await lecturer.close()
    finally:
        await asyncio.get_running_loop().run_in_executor(None, server.stop)
        await clients.all("close")
    for c in res.get("checks", []):
        print(f"    {'ok  ' if c['ok'] else 'FAIL'} {c['check']}: {c['found']} "
              f"(expected {c['expected']})")
    if not all(c["ok"] for c in res.get("checks", [])):
        print(f"  closed by the server: {res.get('closed_by_server')}\n  server log (tail):\n"
              f"{res.get('log_tail', '')[-1500:]}")
    return res


async def run_bare(n: int, frame: str, clients: Clients, args: argparse.Namespace,
                   tmp: Path) -> dict[str, Any]:
    from websockets.asyncio.client import connect

    port = http_bench.free_port()
    log = (tmp / f"live-bare-{n}.log").open("wb")
    proc = subprocess.Popen([sys.executable, str(BENCH_DIR / "live_bare.py"), str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    res: dict[str, Any] = {"trainees": n}
    try:
        url = f"ws://127.0.0.1:{port}/"
        for _ in range(100):
            try:
                ctl = await connect(url + "ctl", compression=None, ping_interval=None)
                break
            except OSError:
                await asyncio.sleep(0.1)
        else:
            raise SystemExit("the bare websockets server did not start")
        rss0 = await settle_rss(proc.pid)
        cpu0 = http_bench.cpu_seconds(proc.pid)
        conn = await connect_all(clients, url, [(uid, None) for uid in range(1, n + 1)], args)
        conn["server_cpu_s"] = round(http_bench.cpu_seconds(proc.pid) - cpu0, 2)
        rss1 = await settle_rss(proc.pid)
        res.update(connect=conn, rss_before_mib=round(rss0, 1), rss_after_mib=round(rss1, 1),
                   kib_per_conn=round((rss1 - rss0) * 1024 / max(1, conn["connected"]), 1))
        await asyncio.sleep(1.0)
        t_push = time.time()
        await ctl.send(frame)
        opened = await collect_opened(clients, t_push, args.timeout)
        opened.pop("frame", None)
        res["delivery"] = opened
        await ctl.recv()
        await ctl.close()
        print(f"  bare: {conn['connected']:,} connected in {conn['seconds']:.1f} s, RSS "
              f"{rss0:.1f} -> {rss1:.1f} MiB = {res['kib_per_conn']} KiB/connection; "
              f"broadcast() of {opened['frame_bytes']} bytes: p50 {opened['p50_ms']} ms, p99 "
              f"{opened['p99_ms']} ms, max {opened['max_ms']} ms, missing {opened['missing']}",
              flush=True)
        res["ok"] = conn["connected"] == n and opened["received"] == n
    finally:
        await clients.all("close")
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    return res


async def run_floor(n: int, mode: str, clients: Clients, args: argparse.Namespace,
                    tmp: Path) -> dict[str, Any]:
    env = dict(os.environ, LIVE_FLOOR=mode)
    server = http_bench.Server(f"live-floor-{mode}-{n}", "live_floor_app:app", env, tmp,
                               access_log=False, app_dir=BENCH_DIR, ws=args.ws)
    try:
        await asyncio.get_running_loop().run_in_executor(None, server.wait_ready)
        url = f"ws://127.0.0.1:{server.port}/ws/live/1"
        rss0 = await settle_rss(server.proc.pid)
        conn = await connect_all(clients, url, [(uid, None) for uid in range(1, n + 1)], args)
        rss1 = await settle_rss(server.proc.pid)
    finally:
        await asyncio.get_running_loop().run_in_executor(None, server.stop)
        await clients.all("close")
    kib = round((rss1 - rss0) * 1024 / max(1, conn["connected"]), 1)
    print(f"  floor ({mode}): uvicorn + bare Starlette websocket, {conn['connected']:,} "
          f"connected, RSS {rss0:.1f} -> {rss1:.1f} MiB = {kib} KiB/connection", flush=True)
    return {"connected": conn["connected"], "rss_before_mib": round(rss0, 1),
            "rss_after_mib": round(rss1, 1), "kib_per_conn": kib}


def latest_frame(out: Path) -> str:
    for path in sorted(out.glob("live-*.json"), key=lambda p: p.stat().st_mtime, reverse=True):
        for run in json.loads(path.read_text()).get("runs", []):
            frame = run.get("app", {}).get("delivery", {}).get("frame")
            if frame:
                return frame
    raise SystemExit("--only bare needs a result file with the app's activity_opened frame")


def start_profile(args: argparse.Namespace, pid: int, label: str) -> Any:
    out = args.out / f"profile-live-{label}.txt"
    return (subprocess.Popen([args.profile, "record", "--pid", str(pid), "--format", "raw",
                              "--rate", str(args.profile_rate), "--output", str(out),
                              "--nonblocking"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), out)


def stop_profile(profiler: Any) -> None:
    if profiler is None:
        return
    import signal

    proc, out = profiler
    proc.send_signal(signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(30)
    print(f"  profile: {out}", flush=True)


def _num(value: Any) -> str:
    return "–" if value is None else f"{value:,}"


def table(results: list[dict[str, Any]]) -> str:
    lines = ["| backend | trainees | connect s (app / bare) | KiB per idle connection (app / "
             "bare) | delivery p50 ms (app / bare) | p99 ms (app / bare) | max ms (app / bare) "
             "| p99 ratio | answers/s | acks (expected) | DB checks |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        a, b = r["app"], r.get("bare") or {}
        ad, bd = a.get("delivery", {}), b.get("delivery", {})
        ratio = (ad.get("p99_ms", 0) / bd["p99_ms"]) if bd.get("p99_ms") else float("nan")
        ans = a.get("answers", {})
        db_ok = all(c["ok"] for c in a.get("checks", [])[:4]) if a.get("checks") else False
        lines.append(
            f"| {r['backend']} | {a['trainees']:,} | {a.get('connect', {}).get('seconds', '–')} / "
            f"{b.get('connect', {}).get('seconds', '–')} | {a.get('kib_per_conn', '–')} / "
            f"{b.get('kib_per_conn', '–')} | {ad.get('p50_ms', '–')} / {bd.get('p50_ms', '–')} | "
            f"{ad.get('p99_ms', '–')} / {bd.get('p99_ms', '–')} | {ad.get('max_ms', '–')} / "
            f"{bd.get('max_ms', '–')} | {ratio:.2f} | {_num(ans.get('answers_per_s'))} | "
            f"{ans.get('acks', 0):,} ({ans.get('expected_acks', 0):,}) | "
            f"{'all hold' if db_ok else 'FAILED'} |")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--backend", choices=("auto", "sqlite", "postgres", "both"), default="auto",
                    help=f"auto: PostgreSQL when {PG_URL} answers, else SQLite")
    ap.add_argument("--sizes", default="1000,5000,10000",
                    type=lambda s: [int(x) for x in s.split(",") if x])
    ap.add_argument("--procs", type=int, default=4, help="client processes")
    ap.add_argument("--connect-rate", type=float, default=200.0,
                    help="trainees connecting per second, all processes together")
    ap.add_argument("--in-flight", type=int, default=16,
                    help="handshakes in flight per client process")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per phase at most")
    ap.add_argument("--no-bare", action="store_true", help="skip the baseline")
    ap.add_argument("--floor", action="store_true",
                    help="also the memory floor: bench/live_floor_app.py (bare Starlette "
                         "websocket under uvicorn), plain and with LiveConnection's tasks")
    ap.add_argument("--only", choices=("both", "app", "bare"), default="both",
                    help="bare: only the baseline, broadcasting the activity_opened frame of the "
                         "latest result file (the frame does not depend on N)")
    ap.add_argument("--app-dir", type=Path, default=None,
                    help="import the app from this checkout (to try a change on a copy)")
    ap.add_argument("--profile", metavar="PY_SPY", default="",
                    help="py-spy binary: profile the server during --profile-phase")
    ap.add_argument("--profile-rate", type=int, default=100,
                    help="py-spy samples per second (1000 for the push: it lasts ~0.4 s)")
    ap.add_argument("--profile-phase", default="connect",
                    help="comma-separated: connect, push, answer")
    ap.add_argument("--ws", default="",
                    help="uvicorn --ws for the app and the floor (websockets-sansio, websockets, "
                         "wsproto); default: what `lms serve` uses")
    ap.add_argument("--label", default="")
    ap.add_argument("--out", type=Path, default=seed.RESULTS_DIR)
    return ap.parse_args(argv)


async def amain(args: argparse.Namespace, backends: list[str], report: dict[str, Any]) -> bool:
    clients = Clients(args.procs)
    ok = True
    results: list[dict[str, Any]] = []
    report["runs"] = results
    try:
        with tempfile.TemporaryDirectory(prefix="lms-live-bench-") as tmpdir:
            tmp = Path(tmpdir)
            for backend in backends:
                url = PG_URL if backend == "postgres" else SQLITE_URL
                for n in args.sizes:
                    print(f"\n{backend}, {n:,} trainees:", flush=True)
                    r: dict[str, Any] = {"backend": backend, "load_before": os.getloadavg()}
                    if args.only == "bare":
                        r["app"] = {"trainees": n}
                        frame = "" if args.no_bare else latest_frame(args.out)
                    else:
                        r["app"] = await run_app(n, url, clients, args, tmp)
                        ok = ok and all(c["ok"] for c in r["app"].get("checks", [{"ok": False}]))
                        frame = r["app"].get("delivery", {}).get("frame", "")
                    if not args.no_bare and args.only != "app" and frame:
                        r["bare"] = await run_bare(n, frame, clients, args, tmp)
                        ok = ok and r["bare"]["ok"]
                    if args.floor:
                        r["floor"] = {mode: await run_floor(n, mode, clients, args, tmp)
                                      for mode in ("plain", "tasks")}
                    r["load_after"] = os.getloadavg()
                    results.append(r)
                    if args.partial:  # what is measured so far survives an interrupted run
                        args.partial.write_text(json.dumps(report, ensure_ascii=False,
                                                           indent=2), encoding="utf-8")
    finally:
        clients.stop()
    return ok


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    nofile = live_clients.raise_nofile()  # inherited by the server and the client processes
    need = max(args.sizes) + 200
    if nofile < need:
        raise SystemExit(f"open files limit {nofile} < {need}: raise `ulimit -n` (hard limit)")
    backends = {"sqlite": ["sqlite"], "postgres": ["postgres"],
                "both": ["postgres", "sqlite"]}.get(args.backend)
    if backends is None:
        import quiz_bench

        backends = ["postgres"] if asyncio.run(quiz_bench.postgres_answers()) else ["sqlite"]
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    report: dict[str, Any] = {
        "when": stamp, "machine": http_bench.machine(), "nofile": nofile,
        "load_average_before": os.getloadavg(), "procs": args.procs,
        "connect_rate": args.connect_rate, "in_flight": args.in_flight,
        "ws_per_message_deflate": False, "sizes": args.sizes, "label": args.label,
        "targets": {"p99_ms": TARGET_P99_MS, "ratio": TARGET_RATIO, "kib_per_conn": TARGET_KIB}}
    label = f"-{http_bench.slug(args.label)}" if args.label else ""
    out = args.out / f"live{label}-{stamp}.json"
    args.partial = out.with_suffix(".partial.json")
    import uvloop

    ok = uvloop.run(amain(args, backends, report))
    md = table(report["runs"])
    report["markdown"] = md
    report["load_average_after"] = os.getloadavg()
    print("\n" + md + "\n")
    for r in report["runs"]:
        a, b = r["app"], r.get("bare") or {}
        p99 = a.get("delivery", {}).get("p99_ms")
        bp99 = b.get("delivery", {}).get("p99_ms")
        met = {
            "p99 < 500 ms": p99 is not None and p99 < TARGET_P99_MS,
            "p99 <= 1.5x bare": bool(p99 is not None and bp99 and p99 <= TARGET_RATIO * bp99),
            "<= 20 KiB/conn": a.get("kib_per_conn", 1e9) <= TARGET_KIB,
            "no lost/doubled answers": all(c["ok"] for c in a.get("checks", [{"ok": False}])),
        }
        r["targets_met"] = met
        if args.only == "bare":
            continue
        print(f"{r['backend']} {a['trainees']:,}: " + "; ".join(
            f"{k} {'met' if v else 'NOT met'}" for k, v in met.items()))
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    args.partial.unlink(missing_ok=True)
    print(f"Written to {out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
