"""The trainees of the engagement benchmark, and the batches they send.

The batches (``batch_body``) are built the same way for the in-process pipeline and for the
client processes: ``per_batch`` events of one page, ids ``"<page>:<counter>"`` unique per user,
mostly heartbeats with the page's visibility, focus, idleness and (with ``data``) interactions,
``at`` in ISO 8601 with milliseconds and an offset (half the trainees in +07:00, as a
Vietnamese phone shows its time, the others in UTC), and a quarter of the phones up to five
minutes wrong (``at`` and ``sent_at`` shifted alike, as a wrong phone clock does), which the
server corrects. Batch ``index`` of user ``uid`` holds counters ``index * per_batch + 1`` up to
``(index + 1) * per_batch``, so the events any run sent are known exactly; ``resent`` picks
every tenth batch, which the trainee sends a second time once the first is acknowledged (a
phone that lost the answer): the second must come back as all duplicates.

Client processes (never the server's event loop) extend ``live_clients.Worker``, driven over a
pipe by ``engagement_bench.py``: ``connect_rooms`` opens the live sockets (bearer token,
``live_clients``' pacing) of several sessions; ``run`` makes every trainee send its batches
back to back, one in flight each (the next once the previous is acknowledged): the socket
trainees as ``signals`` messages answered by ``ok``/``error`` frames carrying the batch label,
the beacon trainees as ``POST /api/v1/engagement/events`` on a keep-alive connection of their
own (``quiz_loadgen.Http``, a bearer token: no CSRF token needed).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import orjson

import live_clients

URL = "/api/v1/engagement/events"
KINDS = ("heartbeat", "heartbeat", "heartbeat", "heartbeat", "visible", "focus",
         "interaction", "heartbeat", "blur", "idle", "active", "hidden")
ICT = timezone(timedelta(hours=7))
OK_SIGNALS = '{"type":"ok"'
ERROR = live_clients.ERROR


def page_of(uid: int) -> str:
    """A page id like engagement.js's (20 characters of [0-9a-z])."""
    return hashlib.blake2b(b"page-%d" % uid, digest_size=10).hexdigest()


def skew_of(uid: int) -> float:
    """Seconds this trainee's phone clock is off (a quarter of them, up to +-5 minutes)."""
    return float((uid * 37) % 600 - 300) if uid % 4 == 0 else 0.0


def resent(uid: int, index: int) -> bool:
    return (uid * 7 + index) % 10 == 0


def batch_body(uid: int, index: int, per_batch: int, now: datetime,
               module_id: int | None = None) -> dict[str, Any]:
    """The JSON object a page sends (the beacon's body; the socket adds type and batch)."""
    tz = ICT if uid % 2 else timezone.utc
    clock = (now + timedelta(seconds=skew_of(uid))).astimezone(tz)
    page = page_of(uid)
    events = []
    first = index * per_batch
    for j in range(per_batch):
        counter = first + j + 1
        kind = KINDS[(uid + counter) % len(KINDS)]
        event: dict[str, Any] = {
            "id": f"{page}:{counter}", "kind": kind,
            "at": (clock - timedelta(seconds=1.5 * (per_batch - j))).isoformat(
                timespec="milliseconds")}
        if module_id is not None:
            event["module_id"] = module_id
        if kind == "interaction":
            event["data"] = {"via": "pointerdown"}
        events.append(event)
    return {"sent_at": clock.isoformat(timespec="milliseconds"), "events": events}


def expected_ids(uid: int, batches: int, per_batch: int) -> set[str]:
    page = page_of(uid)
    return {f"{page}:{c}" for c in range(1, batches * per_batch + 1)}


class Tally:
    """What one process saw, per transport."""

    def __init__(self) -> None:
        self.batches = 0               # first sends acknowledged with ok
        self.resends = 0               # second sends acknowledged with ok
        self.accepted_first = 0
        self.duplicates_first = 0
        self.accepted_resend = 0
        self.duplicates_resend = 0
        self.events_sent = 0           # events in first sends (each unique)
        self.events_resent = 0
        self.failed = 0                # error frames, non-2xx, time-outs, transport errors
        self.samples: list[str] = []
        self.latencies: list[float] = []
        self.first_send = 0.0
        self.last_ack = 0.0

    def fail(self, what: str) -> None:
        self.failed += 1
        if len(self.samples) < 8:
            self.samples.append(what[:300])

    def ack(self, is_resend: bool, accepted: int, duplicates: int, t0: float) -> None:
        now = time.time()
        self.latencies.append(now - t0)
        self.last_ack = max(self.last_ack, now)
        if is_resend:
            self.resends += 1
            self.accepted_resend += accepted
            self.duplicates_resend += duplicates
        else:
            self.batches += 1
            self.accepted_first += accepted
            self.duplicates_first += duplicates

    def out(self) -> dict[str, Any]:
        return dict(self.__dict__)


class EngagementWorker(live_clients.Worker):
    def __init__(self, conn: Any, index: int) -> None:
        super().__init__(conn, index)
        self.waiting: dict[int, dict[str, asyncio.Future]] = {}
        self.beacons: list[tuple[int, str]] = []
        self.host, self.port = "127.0.0.1", 0

    async def cmd_connect_rooms(self, rooms: list[tuple[str, list[tuple[int, str]]]],
                                rate: float, in_flight: int, start_at: float,
                                timeout: float) -> dict[str, Any]:
        """``live_clients``' connect, one session after the other, keeping every socket."""
        trainees, readers = [], []
        out: dict[str, Any] = {"connected": 0, "failed": [], "n_failed": 0, "handshake_s": [],
                               "first": 0.0, "last": 0.0}
        for url, users in rooms:
            part = await self.cmd_connect(url, users, rate, in_flight, start_at, timeout)
            trainees += self.trainees
            readers += self.readers
            out["connected"] += part["connected"]
            out["n_failed"] += part["n_failed"]
            out["failed"] = (out["failed"] + part["failed"])[:10]
            out["handshake_s"] += part["handshake_s"]
            out["first"] = min(x for x in (out["first"], part["first"]) if x) \
                if out["first"] else part["first"]
            out["last"] = max(out["last"], part["last"])
        self.trainees, self.readers = trainees, readers
        return out

    async def _read(self, t: live_clients.Trainee) -> None:
        """Only the frames this benchmark needs: ``state``, and the answers to ``signals``."""
        from websockets.exceptions import ConnectionClosed

        try:
            async for msg in t.ws:
                t.frames += 1
                if isinstance(msg, bytes):
                    msg = msg.decode()
                head = msg[:48]
                if head.startswith(OK_SIGNALS) or head.startswith(ERROR):
                    frame = orjson.loads(msg)
                    fut = self.waiting.get(t.uid, {}).pop(str(frame.get("batch")), None)
                    if fut is not None and not fut.done():
                        fut.set_result(frame)
                    elif head.startswith(ERROR):
                        t.errors.append(msg[:300])
                elif live_clients.STATE in head and not t.t_state:
                    t.t_state = time.time()
                    t.state_ev.set()
        except ConnectionClosed as exc:
            t.close_code = exc.rcvd.code if exc.rcvd else 1006
        except Exception as exc:  # noqa: BLE001 - reported, never raised into the loop
            t.failed = f"reader: {exc!r}"[:200]
        finally:
            if t.close_code is None:
                t.close_code = getattr(t.ws, "close_code", None) or 1006
            t.state_ev.set()
            for fut in self.waiting.pop(t.uid, {}).values():
                if not fut.done():
                    fut.set_result({"type": "closed", "code": t.close_code})

    async def cmd_beacons(self, host: str, port: int,
                          users: list[tuple[int, str]]) -> dict[str, Any]:
        self.host, self.port, self.beacons = host, port, users
        return {"beacons": len(users)}

    async def _socket_trainee(self, t: live_clients.Trainee, cfg: dict[str, Any],
                              tally: Tally) -> None:
        waiting = self.waiting.setdefault(t.uid, {})
        loop = asyncio.get_running_loop()
        for index in range(cfg["batches"]):
            body = batch_body(t.uid, index, cfg["per_batch"], datetime.now(timezone.utc))
            for again in (False, True) if resent(t.uid, index) else (False,):
                label = f"{index}r" if again else str(index)
                msg = orjson.dumps({"type": "signals", "batch": label, **body}).decode()
                fut = waiting[label] = loop.create_future()
                t0 = time.time()
                tally.first_send = min(tally.first_send, t0) if tally.first_send else t0
                try:
                    await t.ws.send(msg)
                    frame = await asyncio.wait_for(fut, cfg["timeout"])
                except Exception as exc:  # noqa: BLE001 - counted, the trainee stops
                    tally.fail(f"{t.uid} batch {label}: {exc!r}")
                    return
                if frame.get("type") != "ok":
                    tally.fail(f"{t.uid} batch {label}: {orjson.dumps(frame).decode()}")
                    return
                n = len(body["events"])
                if again:
                    tally.events_resent += n
                else:
                    tally.events_sent += n
                tally.ack(again, frame["accepted"], frame["duplicates"], t0)

    async def _beacon_trainee(self, uid: int, token: str, cfg: dict[str, Any],
                              tally: Tally) -> None:
        from quiz_loadgen import Http

        http = Http(self.host, self.port, token)
        try:
            for index in range(cfg["batches"]):
                body = batch_body(uid, index, cfg["per_batch"], datetime.now(timezone.utc),
                                  cfg["module_id"])
                data = orjson.dumps(body)
                for again in (False, True) if resent(uid, index) else (False,):
                    t0 = time.time()
                    tally.first_send = min(tally.first_send, t0) if tally.first_send else t0
                    try:
                        status, answer = await http.call("POST", URL, data)
                    except Exception as exc:  # noqa: BLE001
                        tally.fail(f"{uid} batch {index}{'r' if again else ''}: {exc!r}")
                        return
                    if status != 200:
                        tally.fail(f"{uid} batch {index}: {status} {answer[:200]!r}")
                        return
                    n = len(body["events"])
                    if again:
                        tally.events_resent += n
                    else:
                        tally.events_sent += n
                    got = orjson.loads(answer)
                    tally.ack(again, got["accepted"], got["duplicates"], t0)
        finally:
            http.close()

    async def cmd_run(self, start_at: float, cfg: dict[str, Any]) -> dict[str, Any]:
        socket, beacon = Tally(), Tally()
        live = [t for t in self.trainees if t.ws is not None and t.close_code is None]
        await asyncio.sleep(max(0.0, start_at - time.time()))
        await asyncio.gather(
            *(self._socket_trainee(t, cfg, socket) for t in live),
            *(self._beacon_trainee(uid, token, cfg, beacon) for uid, token in self.beacons))
        return {"socket": socket.out(), "beacon": beacon.out(), "socket_trainees": len(live),
                "beacon_trainees": len(self.beacons),
                "errors": [e for t in self.trainees for e in t.errors][:10],
                "n_errors": sum(len(t.errors) for t in self.trainees)}


def worker_main(conn: Any, index: int, bench_dir: str) -> None:
    import sys

    sys.path.insert(0, bench_dir)
    live_clients.raise_nofile()
    import uvloop

    uvloop.install()
    asyncio.run(EngagementWorker(conn, index).main())
