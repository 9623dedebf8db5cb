"""Load generators: wrk when installed (C, cheap on the shared CPU), else a Python one.

Both keep ``connections`` HTTP/1.1 keep-alive connections busy for a warm-up period and then a
measured period, spread the requests over several session cookies (one benchmark user per
cookie), and report the requests completed in the measured period with the p50/p99 of the
latencies of all of them (wrk from its full histogram, the Python generator from every sample).
Neither corrects for coordinated omission: latencies are those of a closed loop of 64 clients.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import os
import resource
import shutil
import subprocess
import tempfile
import time
from array import array
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence


@dataclass
class LoadResult:
    tool: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    errors: int  # connect/read/write/timeout errors
    non_2xx: int
    client_cpu_s: float  # CPU the load generator itself used during the measured period

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        d = asdict(self)
        d["rps"] = round(self.rps, 1)
        return d


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


# --------------------------------------------------------------------------- wrk

WRK_SCRIPT = r"""
-- Rotates the benchmark users' session cookies over the requests of each thread.
local reqs, n, idx = {}, 0, 0
local counter = 1
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      n = n + 1
      reqs[n] = wrk.format("GET", args[2], {["Cookie"] = line})
    end
  end
  idx = ((tid or 1) * 17) % n
end
function request()
  idx = idx % n + 1
  return reqs[idx]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"mean_us":%f,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean, latency.max))
end
"""


def run_wrk(url: str, path: str, cookies: Sequence[str], connections: int, duration: float,
            warmup: float, threads: int = 2) -> LoadResult:
    with tempfile.TemporaryDirectory(prefix="lms-bench-wrk-") as tmp:
        script = Path(tmp) / "rotate.lua"
        script.write_text(WRK_SCRIPT)
        cookie_file = Path(tmp) / "cookies.txt"
        cookie_file.write_text("\n".join(cookies) + "\n")

        def wrk(seconds: float) -> dict:
            cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
                   "--timeout", "10s", "-s", str(script), url, "--", str(cookie_file), path]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
            line = next((ln for ln in out.splitlines() if ln.startswith("WRKJSON ")), None)
            if line is None:
                raise RuntimeError(f"wrk printed no result:\n{out}")
            return json.loads(line[len("WRKJSON "):])

        if warmup > 0:
            wrk(warmup)
        cpu0 = _children_cpu()
        r = wrk(duration)
        cpu = _children_cpu() - cpu0
    return LoadResult(
        tool=f"wrk -t{threads} -c{connections}", requests=r["requests"],
        seconds=r["duration_us"] / 1e6, p50_ms=r["p50_us"] / 1000, p99_ms=r["p99_us"] / 1000,
        mean_ms=r["mean_us"] / 1000, max_ms=r["max_us"] / 1000,
        errors=r["connect"] + r["read"] + r["write"] + r["timeout"], non_2xx=r["status"],
        client_cpu_s=cpu)


# --------------------------------------------------------------------------- Python


class _Client(asyncio.Protocol):
    """One keep-alive connection sending the same request back to back."""

    def __init__(self, request: bytes, box: "_Box") -> None:
        self.request = request
        self.box = box
        self.buf = b""
        self.need = -1  # bytes of the whole response once its head is parsed
        self.status = 0
        self.t0 = 0.0
        self.transport: asyncio.Transport | None = None
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport) -> None:  # type: ignore[override]
        self.transport = transport
        self._send()

    def _send(self) -> None:
        self.t0 = time.perf_counter()
        self.transport.write(self.request)  # type: ignore[union-attr]

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while True:
            if self.need < 0:
                end = self.buf.find(b"\r\n\r\n")
                if end < 0:
                    return
                head = self.buf[:end].lower()
                self.status = int(head[9:12])
                at = head.find(b"\r\ncontent-length:")
                if at < 0:  # the servers measured here always send a length
                    self.box.errors += 1
                    self.transport.close()  # type: ignore[union-attr]
                    return
                stop = head.find(b"\r\n", at + 2)
                length = int(head[at + 17: stop if stop > 0 else len(head)])
                self.need = end + 4 + length
            if len(self.buf) < self.need:
                return
            self.buf = self.buf[self.need:]
            self.need = -1
            now = time.perf_counter()
            box = self.box
            if box.start <= now <= box.end:
                box.samples.append(now - self.t0)
                if not 200 <= self.status < 300:
                    box.non_2xx += 1
            if now >= box.end:
                self.transport.close()  # type: ignore[union-attr]
                return
            self._send()

    def connection_lost(self, exc) -> None:  # type: ignore[override]
        if not self.closed.done():
            self.closed.set_result(exc)


@dataclass
class _Box:
    start: float
    end: float
    samples: array
    errors: int = 0
    non_2xx: int = 0


async def _worker_main(host: str, port: int, requests: list[bytes], start_wall: float,
                       warmup: float, duration: float) -> tuple[bytes, int, int]:
    loop = asyncio.get_running_loop()
    start = time.perf_counter() + (start_wall - time.time())
    box = _Box(start=start + warmup, end=start + warmup + duration, samples=array("d"))

    async def one(req: bytes) -> None:
        while time.perf_counter() < box.end:
            try:
                _t, proto = await loop.create_connection(lambda: _Client(req, box), host, port)
                await proto.closed
            except OSError:
                box.errors += 1
                await asyncio.sleep(0.05)
                continue
            if time.perf_counter() < box.end:  # closed by the server mid-run
                box.errors += 1

    await asyncio.sleep(max(0.0, start - time.perf_counter()))
    await asyncio.gather(*(one(r) for r in requests))
    return box.samples.tobytes(), box.errors, box.non_2xx


def _worker(host: str, port: int, requests: list[bytes], start_wall: float, warmup: float,
            duration: float, out: "mp.Queue") -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    out.put(asyncio.run(_worker_main(host, port, requests, start_wall, warmup, duration)))


def run_python(host: str, port: int, path: str, cookies: Sequence[str], connections: int,
               duration: float, warmup: float, procs: int = 0) -> LoadResult:
    """``procs`` processes (default: the number of CPUs), each an event loop driving its share
    of the connections; each connection speaks for one benchmark user (cookie)."""
    procs = procs or os.cpu_count() or 1
    requests = [
        (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: lms-bench\r\n"
         f"Accept: application/json\r\nCookie: {cookies[i % len(cookies)]}\r\n\r\n").encode()
        for i in range(connections)
    ]
    ctx = mp.get_context("spawn")
    out: mp.Queue = ctx.Queue()
    start_wall = time.time() + 1.0  # time for the processes to start
    workers = [ctx.Process(target=_worker, args=(host, port, requests[i::procs], start_wall,
                                                 warmup, duration, out))
               for i in range(procs)]
    cpu0 = _children_cpu()
    for w in workers:
        w.start()
    parts = [out.get(timeout=warmup + duration + 60) for _ in workers]
    for w in workers:
        w.join()
    cpu = _children_cpu() - cpu0
    samples = array("d")
    errors = non_2xx = 0
    for raw, err, bad in parts:
        chunk = array("d")
        chunk.frombytes(raw)
        samples.extend(chunk)
        errors += err
        non_2xx += bad
    lat = sorted(samples)
    n = len(lat)

    def pct(p: float) -> float:
        return lat[min(n - 1, int(p / 100 * n))] * 1000 if n else 0.0

    return LoadResult(
        tool=f"python x{procs} -c{connections}", requests=n, seconds=duration,
        p50_ms=pct(50), p99_ms=pct(99), mean_ms=(sum(lat) / n * 1000) if n else 0.0,
        max_ms=lat[-1] * 1000 if n else 0.0, errors=errors, non_2xx=non_2xx,
        # the whole process lifetime, warm-up included: scaled to the measured share
        client_cpu_s=cpu * duration / (duration + warmup + 1.0))
