"""Where a live socket's memory goes: the app under tracemalloc (bench/traced_app.py), N idle
trainee sockets opened after a warm-up, the growth per socket by file, line and traceback.

    .venv/bin/python bench/live_memory.py                    # 400 sockets, PostgreSQL or SQLite
    .venv/bin/python bench/live_memory.py --sockets 1000 --ws websockets-sansio

tracemalloc counts what Python allocated, not RSS (which bench/live_bench.py measures), and
slows the server down: this tells which objects a socket keeps, not how fast anything is.
Written to bench/results/live-memory-<ws>-<N>.txt; the first line is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import httpx  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

import http_bench  # noqa: E402
import live_bench  # noqa: E402
import live_seed  # noqa: E402
import seed  # noqa: E402

WARM = 20
#: Its own database, so that it can run beside bench/live_bench.py.
PG_URL = live_bench.PG_URL + "_memory"
SQLITE_URL = seed.sqlite_url(seed.RESULTS_DIR / "lms_bench_live_memory.sqlite3")


async def main(args: argparse.Namespace) -> None:
    import quiz_bench

    url = PG_URL if await quiz_bench.postgres_answers() else SQLITE_URL
    world = await live_seed.seed_live(url, args.sockets + WARM)
    tmp = Path(tempfile.mkdtemp(prefix="lms-live-memory-"))
    env = live_bench.server_env(url, tmp)
    env["TRACE_FRAMES"] = str(args.frames)
    server = http_bench.Server("live-memory", "traced_app:app", env, tmp, access_log=False,
                               app_dir=BENCH_DIR, ws=args.ws)
    sockets = []
    try:
        await asyncio.get_running_loop().run_in_executor(None, server.wait_ready)
        ws_url = f"ws://127.0.0.1:{server.port}/ws/live/{world.session_id}"

        async def open_one(secret: str) -> None:
            ws = await connect(ws_url, additional_headers={"Authorization": f"Bearer {secret}"},
                               compression=None, max_queue=None)
            await ws.recv()  # its state frame: the socket is in the room
            sockets.append(ws)

        async with httpx.AsyncClient(base_url=server.url, timeout=600) as http:
            for _, secret in world.trainees[:WARM]:  # caches, pools and statements warm
                await open_one(secret)
            await asyncio.sleep(1)
            await http.get("/__trace/snapshot", params={"name": "before"})
            for _, secret in world.trainees[WARM:]:
                await open_one(secret)
            await asyncio.sleep(3)  # presence frames sent, backlogs drained
            await http.get("/__trace/snapshot", params={"name": "after"})
            name = (args.ws or "lms").split(":")[0].replace(".", "-")
            out = seed.RESULTS_DIR / f"live-memory-{name}-{args.sockets}.txt"
            r = await http.get("/__trace/compare", params={
                "a": "before", "b": "after", "per": args.sockets, "out": str(out)})
            print(f"{r.text} ({args.sockets} sockets, {args.ws or 'lms serve protocol'}); "
                  f"details: {out}")
    finally:
        for ws in sockets:
            await ws.close()
        server.stop()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sockets", type=int, default=400)
    ap.add_argument("--frames", type=int, default=8, help="traceback depth kept")
    ap.add_argument("--ws", default="", help="uvicorn --ws (default: the one lms serve uses)")
    return ap.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
