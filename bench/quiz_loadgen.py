"""The trainees of the quiz benchmark: processes of their own (never the server's event loop),
each driving its share of the trainees over one keep-alive HTTP/1.1 connection per trainee, as
a browser tab would.

Three phases, each released for every trainee of every process at the same moment by a
``multiprocessing`` barrier: **start** (POST .../attempts), **save** (one PUT per question, back
to back, with the ``base_seq`` the page saw) and **submit** (POST .../submit). A phase ends when
the last trainee of the last process has its answer, so the phase's duration is the time the
server needed for all of it. Process 0 reads the server's and PostgreSQL's CPU at each barrier.

The HTTP client is a few lines over asyncio streams (uvloop): httpx would cost the shared CPUs
several times more per request than the server spends on some of them.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import time
from dataclasses import dataclass, field
from typing import Any

import orjson

import quiz_data

PHASES = ("start", "save", "submit")
TIMEOUT_S = 120.0
Q = "/api/v1/quizzes"


class Http:
    """One keep-alive connection; ``call`` returns (status, body) or raises."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port = host, port
        self.head = (f"Host: {host}:{port}\r\nUser-Agent: lms-quiz-bench\r\n"
                     f"Accept: application/json\r\nAuthorization: Bearer {token}\r\n").encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.reconnects = -1  # the first connection is not a reconnection
        self.retries = 0

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def call(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None or self.reader.at_eof():  # type: ignore[union-attr]
            # the server closes a keep-alive connection left idle (75 s, lms serve's
            # KEEP_ALIVE_SECONDS); a browser opens a new one, so does this client.
            self.close()
            await self.connect()
            self.reconnects += 1
        try:
            return await asyncio.wait_for(self._call(method, path, body), TIMEOUT_S)
        except asyncio.IncompleteReadError as exc:
            self.close()
            if exc.partial:
                raise
        except BaseException:
            self.close()  # a half-read response must not be read as the next one's
            raise
        # Closed by the server before it read the request (its keep-alive timer fired as we
        # sent): the request was never processed; a browser retries it on a new connection.
        self.retries += 1
        await self.connect()
        return await asyncio.wait_for(self._call(method, path, body), TIMEOUT_S)

    async def _call(self, method: str, path: str, body: bytes) -> tuple[int, bytes]:
        assert self.reader and self.writer
        self.writer.write(b"%s %s HTTP/1.1\r\n%sContent-Type: application/json\r\n"
                          b"Content-Length: %d\r\n\r\n%s"
                          % (method.encode(), path.encode(), self.head, len(body), body))
        head = (await self.reader.readuntil(b"\r\n\r\n")).lower()
        status = int(head[9:12])
        at = head.find(b"\r\ncontent-length:")
        if at < 0:
            raise RuntimeError("response without content-length")
        length = int(head[at + 17:head.find(b"\r\n", at + 2)])
        data = await self.reader.readexactly(length)
        if b"\r\nconnection: close" in head:
            self.close()
        return status, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Part:
    """What one process measured and expects."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in PHASES})
    statuses: dict[str, dict[int, int]] = field(default_factory=lambda: {p: {} for p in PHASES})
    errors: dict[str, int] = field(default_factory=lambda: {p: 0 for p in PHASES})
    samples: list[str] = field(default_factory=list)  # first few failures, for the report
    ends: dict[str, float] = field(default_factory=dict)  # monotonic time of the last answer
    gates: dict[str, float] = field(default_factory=dict)  # monotonic time each phase began
    cpu: dict[str, tuple[float, float]] = field(default_factory=dict)  # (server, postgres)
    #: user id -> [(slot, expected fraction, max mark)] as answered
    expected: dict[int, list[tuple[int, float, float]]] = field(default_factory=dict)
    submit_mismatch: int = 0  # submit answered 200 with another total than expected
    reconnects: int = 0  # idle connections the server had closed, reopened before a request
    retries: int = 0  # requests resent because the server closed the connection unread

    def record(self, phase: str, t0: float, status: int | None, error: str = "") -> None:
        self.latencies[phase].append(time.perf_counter() - t0)
        self.ends[phase] = time.monotonic()
        if status is None:
            self.errors[phase] += 1
        else:
            self.statuses[phase][status] = self.statuses[phase].get(status, 0) + 1
        if error and len(self.samples) < 8:
            self.samples.append(f"{phase}: {error[:300]}")


async def _trainee(part: Part, gates: dict[str, asyncio.Event], cfg: dict[str, Any],
                   position: int, uid: int, token: str) -> None:
    http = Http(cfg["host"], cfg["port"], token)
    key, module_id = cfg["key"], cfg["module_id"]
    try:
        await http.connect()
    except OSError as exc:
        part.samples.append(f"connect: {exc!r}")
    await _done(gates, "start")
    if cfg["ramp"]:
        await asyncio.sleep(cfg["ramp"] * position / cfg["total"])
    t0 = time.perf_counter()
    view = None
    try:
        status, body = await http.call("POST", f"{Q}/modules/{module_id}/attempts")
        ok = status in (200, 201)
        part.record("start", t0, status, "" if ok else f"{status} {body[:200]!r}")
        view = orjson.loads(body) if ok else None
    except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the run
        part.record("start", t0, None, repr(exc))
    await _done(gates, "save")
    expected: list[tuple[int, float, float]] = []
    if view is not None:
        for slot in view["slots"]:
            response, fraction = key[slot["question"]["text_html"]][
                quiz_data.variant_for(uid, slot["slot"])]
            body = orjson.dumps({"response": response, "base_seq": slot["seq"]})
            if cfg["think"]:
                await asyncio.sleep(cfg["think"])
            t0 = time.perf_counter()
            try:
                status, data = await http.call(
                    "PUT", f"{Q}/attempts/{view['id']}/slots/{slot['slot']}", body)
                part.record("save", t0, status, "" if status == 200 else
                            f"{status} {data[:200]!r}")
            except Exception as exc:  # noqa: BLE001
                part.record("save", t0, None, repr(exc))
            expected.append((slot["slot"], fraction, slot["max_mark"]))
        part.expected[uid] = expected
    await _done(gates, "submit")
    if view is None:
        http.close()
        return
    t0 = time.perf_counter()
    try:
        status, data = await http.call("POST", f"{Q}/attempts/{view['id']}/submit")
        part.record("submit", t0, status, "" if status == 200 else f"{status} {data[:200]!r}")
        if status == 200:
            want = round(sum(max(0.0, f) * m for _, f, m in expected), 7)
            got = orjson.loads(data).get("sum_marks")
            if got is None or abs(got - want) > 1e-6:
                part.submit_mismatch += 1
    except Exception as exc:  # noqa: BLE001
        part.record("submit", t0, None, repr(exc))
    http.close()
    part.reconnects += max(0, http.reconnects)
    part.retries += http.retries


async def _done(gates: dict[str, asyncio.Event], phase: str) -> None:
    """This trainee is ready for ``phase``; wait until every trainee everywhere is."""
    counter = gates[phase + "_count"]
    counter.n += 1  # type: ignore[attr-defined]
    if counter.n == counter.total:  # type: ignore[attr-defined]
        counter.set()
    await gates[phase].wait()


class _Count(asyncio.Event):
    def __init__(self, total: int) -> None:
        super().__init__()
        self.n, self.total = 0, total


async def _main(index: int, cfg: dict[str, Any], share: list[tuple[int, int, str]],
                barrier: Any) -> Part:
    from http_bench import postgres_cpu_seconds, tree_cpu_seconds

    def cpu() -> tuple[float, float]:
        return tree_cpu_seconds(cfg["server_pid"]), postgres_cpu_seconds() if cfg["pg"] else 0.0

    loop = asyncio.get_running_loop()
    part = Part()
    gates: dict[str, asyncio.Event] = {p: asyncio.Event() for p in PHASES}
    for p in PHASES:
        gates[p + "_count"] = _Count(len(share))
    tasks = [asyncio.create_task(_trainee(part, gates, cfg, *t)) for t in share]
    spy = None
    for p in PHASES:
        await gates[p + "_count"].wait()  # every trainee of this process is ready
        await loop.run_in_executor(None, barrier.wait, 600)  # and those of the others
        if index == 0:
            part.cpu[p] = cpu()
            spy = _profile(cfg, p, spy)
        part.gates[p] = time.monotonic()
        gates[p].set()
    await asyncio.gather(*tasks)
    if index == 0:
        part.cpu["end"] = cpu()
        _profile(cfg, "end", spy)
    return part


def _profile(cfg: dict[str, Any], phase: str, spy: Any) -> Any:
    """py-spy on the server during the phase ``cfg["profile_phase"]`` only (stopped with
    SIGINT at the next barrier, which makes it write its samples)."""
    import signal
    import subprocess

    if spy is not None:
        spy.send_signal(signal.SIGINT)
        spy.wait(60)
        return None
    if cfg.get("profile") and phase == cfg.get("profile_phase"):
        return subprocess.Popen(
            [cfg["profile"], "record", "--pid", str(cfg["server_pid"]), "--rate", "250",
             "--format", "raw", "--output", cfg["profile_out"], "--nonblocking"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return None


def _worker(index: int, cfg: dict[str, Any], share: list[tuple[int, int, str]], barrier: Any,
            out: "mp.Queue") -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    try:
        part = asyncio.run(_main(index, cfg, share, barrier))
        out.put((index, part.__dict__))
    except BaseException as exc:  # noqa: BLE001
        barrier.abort()
        out.put((index, {"crash": repr(exc)}))


def run(cfg: dict[str, Any], tokens: list[tuple[int, str]], procs: int = 1) -> list[dict]:
    """Every trainee over ``procs`` processes. ``cfg``: host, port, module_id, key (rendered
    question text -> variant -> (response, fraction)), server_pid, pg, ramp (seconds over which
    starts are spread; 0: all at once), think (seconds before each save). Returns each
    process's ``Part`` as a dict."""
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(procs)
    out: mp.Queue = ctx.Queue()
    cfg = {**cfg, "total": len(tokens)}
    indexed = [(i, uid, token) for i, (uid, token) in enumerate(tokens)]
    workers = [ctx.Process(target=_worker, args=(i, cfg, indexed[i::procs], barrier, out))
               for i in range(procs)]
    for w in workers:
        w.start()
    parts = dict(out.get(timeout=3600) for _ in workers)
    for w in workers:
        w.join()
    crashed = [p["crash"] for p in parts.values() if "crash" in p]
    if crashed:
        raise SystemExit(f"a load generator process failed: {crashed}")
    return [parts[i] for i in range(procs)]
