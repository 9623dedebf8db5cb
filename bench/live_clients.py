"""The trainees of the live benchmark: processes of their own (never the server's event loop),
each an asyncio loop (uvloop) holding its share of the websocket connections, driven by the
orchestrator (live_bench.py) over a pipe, one command at a time:

* ``connect``: open the connections at a paced rate with a bounded number of handshakes in
  flight; a connection counts once its first frame (``state``) has arrived. Works the same
  against the app (bearer token in ``Authorization``) and the bare ``websockets`` server.
* ``opened``: wait until every connection has the ``activity_opened`` frame; its arrival time
  is ``time.time()`` read when the frame comes out of the client library, against the push
  instant the orchestrator read on the same machine.
* ``answer``: every trainee sends its answer with a ``client_id`` (every tenth sends it twice,
  as a phone retrying after a drop would), then waits for the acks.
* ``stats``, ``close``, ``exit``.

Frames are told apart by their first bytes (``seq`` then ``type`` come first in the app's
frames) so the clients spend as little of the shared CPUs as possible on presence frames.
"""

from __future__ import annotations

import asyncio
import resource
import time
from typing import Any

import orjson

OPENED = '"type":"activity_opened"'
STATE = '"type":"state"'
ACK = '{"type":"ack"'
ERROR = '{"type":"error"'


def raise_nofile() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Trainee:
    __slots__ = ("uid", "token", "ws", "t_start", "t_state", "t_opened", "opened_text",
                 "activity_id", "acks", "errors", "frames", "close_code", "state_ev", "opened_ev",
                 "acked_ev", "want_acks", "t_last_ack", "failed")

    def __init__(self, uid: int, token: str | None) -> None:
        self.uid, self.token = uid, token
        self.ws: Any = None
        self.t_start = self.t_state = self.t_opened = self.t_last_ack = 0.0
        self.opened_text = ""
        self.activity_id = 0
        self.acks: list[int] = []
        self.errors: list[str] = []
        self.frames = 0
        self.close_code: int | None = None
        self.state_ev = asyncio.Event()
        self.opened_ev = asyncio.Event()
        self.acked_ev = asyncio.Event()
        self.want_acks = 0
        self.failed = ""


class Worker:
    def __init__(self, conn: Any, index: int) -> None:
        self.conn = conn
        self.index = index
        self.trainees: list[Trainee] = []
        self.readers: list[asyncio.Task] = []

    async def recv(self) -> Any:
        return await asyncio.get_running_loop().run_in_executor(None, self.conn.recv)

    async def main(self) -> None:
        while True:
            cmd, *args = await self.recv()
            if cmd == "exit":
                self.conn.send(("bye",))
                return
            out = await getattr(self, "cmd_" + cmd)(*args)
            self.conn.send(out)

    # ------------------------------------------------------------------ connect

    async def _read(self, t: Trainee) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for msg in t.ws:
                now = time.time()
                t.frames += 1
                if isinstance(msg, bytes):
                    msg = msg.decode()
                head = msg[:48]
                if OPENED in head:
                    if not t.t_opened:
                        t.t_opened = now
                        t.opened_text = msg
                        t.activity_id = orjson.loads(msg)["activity"]["id"]
                        t.opened_ev.set()
                elif head.startswith(ACK):
                    t.acks.append(orjson.loads(msg)["revision"])
                    t.t_last_ack = now
                    if len(t.acks) >= t.want_acks:
                        t.acked_ev.set()
                elif head.startswith(ERROR):
                    t.errors.append(msg[:300])
                    if '"client_id"' in msg:  # an answer refused: no ack will come
                        t.acked_ev.set()
                elif STATE in head:
                    t.t_state = now
                    t.state_ev.set()
        except ConnectionClosed as exc:
            t.close_code = exc.rcvd.code if exc.rcvd else 1006
        except Exception as exc:  # noqa: BLE001 - reported, never raised into the loop
            t.failed = f"reader: {exc!r}"[:200]
        finally:
            if t.close_code is None:
                t.close_code = getattr(t.ws, "close_code", None) or 1006
            t.state_ev.set()
            t.opened_ev.set()
            t.acked_ev.set()

    async def _open(self, t: Trainee, url: str, sem: asyncio.Semaphore, timeout: float) -> None:
        from websockets.asyncio.client import connect

        async with sem:
            t.t_start = time.time()
            headers = {"Authorization": f"Bearer {t.token}"} if t.token else None
            try:
                # compression=None: the server has permessage-deflate off anyway; no client
                # pings (a browser cannot send them; the server's own pings are answered).
                t.ws = await connect(url, additional_headers=headers, compression=None,
                                     ping_interval=None, open_timeout=timeout,
                                     max_size=2 ** 22, max_queue=None)
            except Exception as exc:  # noqa: BLE001
                t.failed = f"connect: {exc!r}"[:200]
                t.state_ev.set()
                return
            self.readers.append(asyncio.create_task(self._read(t)))
            try:
                await asyncio.wait_for(t.state_ev.wait(), timeout)
            except asyncio.TimeoutError:
                t.failed = "no state frame"

    async def cmd_connect(self, url: str, users: list[tuple[int, str | None]], rate: float,
                          in_flight: int, start_at: float, timeout: float) -> dict[str, Any]:
        self.trainees = [Trainee(uid, tok) for uid, tok in users]
        self.readers = []
        sem = asyncio.Semaphore(in_flight)
        tasks = []
        await asyncio.sleep(max(0.0, start_at - time.time()))
        t0 = time.time()
        for i, t in enumerate(self.trainees):
            delay = t0 + i / rate - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self._open(t, url, sem, timeout)))
        await asyncio.gather(*tasks)
        ok = [t for t in self.trainees if t.t_state and not t.failed]
        return {"connected": len(ok), "failed": [f"{t.uid}: {t.failed}" for t in self.trainees
                                                 if t.failed][:10],
                "n_failed": len(self.trainees) - len(ok),
                "handshake_s": [t.t_state - t.t_start for t in ok],
                "first": min((t.t_start for t in self.trainees), default=0.0),
                "last": max((t.t_state for t in ok), default=0.0)}

    # ------------------------------------------------------------------ the poll

    async def cmd_opened(self, timeout: float) -> dict[str, Any]:
        waiting = [t.opened_ev.wait() for t in self.trainees if t.ws is not None]
        try:
            await asyncio.wait_for(asyncio.gather(*waiting), timeout)
        except asyncio.TimeoutError:
            pass
        got = [t for t in self.trainees if t.t_opened]
        return {"arrivals": [t.t_opened for t in got], "missing": len(self.trainees) - len(got),
                "sample": got[0].opened_text if got else "",
                "activity_id": got[0].activity_id if got else 0}

    async def cmd_answer(self, start_at: float, timeout: float) -> dict[str, Any]:
        from live_seed import choice_of, client_id_of

        await asyncio.sleep(max(0.0, start_at - time.time()))
        sent = 0
        t_first = time.time()
        sends = []
        for t in self.trainees:
            if not t.t_opened or t.ws is None:
                continue
            msg = orjson.dumps({"type": "answer", "activity_id": t.activity_id,
                                "client_id": client_id_of(t.uid),
                                "answer": {"choices": [choice_of(t.uid)]}}).decode()
            t.want_acks = 2 if t.uid % 10 == 0 else 1
            t.acks.clear()
            t.acked_ev.clear()
            for _ in range(t.want_acks):
                sends.append(t.ws.send(msg))
                sent += 1
        results = await asyncio.gather(*sends, return_exceptions=True)
        send_failed = sum(1 for r in results if isinstance(r, Exception))
        waiting = [t.acked_ev.wait() for t in self.trainees if t.want_acks]
        try:
            await asyncio.wait_for(asyncio.gather(*waiting), timeout)
        except asyncio.TimeoutError:
            pass
        acked = [t for t in self.trainees if t.acks]
        return {"sent": sent, "send_failed": send_failed, "t_first_send": t_first,
                "acks": sum(len(t.acks) for t in self.trainees),
                "acks_revision_1": sum(1 for t in self.trainees for r in t.acks if r == 1),
                "trainees_acked": len(acked),
                "trainees_fully_acked": sum(1 for t in self.trainees
                                            if t.want_acks and len(t.acks) >= t.want_acks),
                "expected_acks": sum(t.want_acks for t in self.trainees),
                "last_ack": max((t.t_last_ack for t in acked), default=0.0),
                "errors": [e for t in self.trainees for e in t.errors][:10],
                "n_errors": sum(len(t.errors) for t in self.trainees)}

    async def cmd_stats(self) -> dict[str, Any]:
        codes: dict[str, int] = {}
        for t in self.trainees:
            if t.ws is not None and t.close_code is not None:
                codes[str(t.close_code)] = codes.get(str(t.close_code), 0) + 1
        return {"frames": sum(t.frames for t in self.trainees), "closed": codes,
                "open": sum(1 for t in self.trainees if t.ws is not None
                            and t.close_code is None)}

    async def cmd_close(self) -> dict[str, Any]:
        await asyncio.gather(*(t.ws.close() for t in self.trainees if t.ws is not None
                               and t.close_code is None), return_exceptions=True)
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)
        self.trainees, self.readers = [], []
        return {"closed": True}


def worker_main(conn: Any, index: int, bench_dir: str) -> None:
    import sys

    sys.path.insert(0, bench_dir)
    raise_nofile()
    import uvloop

    uvloop.install()
    asyncio.run(Worker(conn, index).main())
