"""Frames for some users of a session only (a nudge to those who looked away), on every worker.

The session's channels are per audience; a per-user channel would cost every socket a second
subscription. Instead each worker subscribes once per session it has sockets of to
``live:<id>:direct`` and hands each message to its own sockets of the users it names. These
frames carry no ``seq`` and are not stored: they are prompts of the moment, not state a client
must catch up on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from typing import Any, Iterable

from lms_core.http.jsonio import dumps

from lms_live_sessions.channel import channel, publish

log = logging.getLogger("lms.live")

#: A direct frame waits at most this long for a slow socket before it is given up on.
SEND_TIMEOUT = 2.0
MAX_RECIPIENTS = 10_000


def direct_channel(session_id: int) -> str:
    return channel(session_id) + ":direct"


class DirectRouter:
    """One per broker (so one per worker in production, one per app in tests)."""

    def __init__(self, broker: Any) -> None:
        self.broker = broker
        #: session -> user -> that user's socket, or a set of them when there are several
        #: (a set per user cost 216 bytes on each of 10,000 sockets, most users having one)
        self.sockets: dict[int, dict[int, Any]] = {}
        self.readers: dict[int, tuple[Any, asyncio.Task[None]]] = {}
        self._lock = asyncio.Lock()

    async def add(self, conn: Any) -> None:
        async with self._lock:
            users = self.sockets.setdefault(conn.session_id, {})
            uid = conn.principal.user_id
            mine = users.get(uid)
            if mine is None:
                users[uid] = conn
            elif isinstance(mine, set):
                mine.add(conn)
            elif mine is not conn:
                users[uid] = {mine, conn}
            if conn.session_id not in self.readers:
                sub = await self.broker.subscribe(direct_channel(conn.session_id), maxsize=1000)
                task = asyncio.create_task(self._read(conn.session_id, sub))
                self.readers[conn.session_id] = (sub, task)

    async def remove(self, conn: Any) -> None:
        async with self._lock:
            users = self.sockets.get(conn.session_id, {})
            uid = conn.principal.user_id
            mine = users.get(uid)
            if mine is conn:
                del users[uid]
            elif isinstance(mine, set):
                mine.discard(conn)
                if len(mine) == 1:
                    users[uid] = next(iter(mine))
            if users:
                return
            self.sockets.pop(conn.session_id, None)
            reader = self.readers.pop(conn.session_id, None)
        if reader is not None:
            sub, task = reader
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await sub.close()

    async def _read(self, session_id: int, sub: Any) -> None:
        while True:
            raw = await sub.get()
            if sub.overflowed:  # a flood of nudges: the oldest are not worth delivering
                sub.overflowed = False
                while not sub.queue.empty():
                    sub.queue.get_nowait()
                continue
            try:
                message = json.loads(raw)
                recipients, text = message["to"], message["frame"]
            except (ValueError, KeyError, TypeError):
                continue
            users = self.sockets.get(session_id, {})
            for user_id in recipients:
                mine = users.get(user_id)
                for conn in (tuple(mine) if isinstance(mine, set) else (mine,) if mine else ()):
                    asyncio.create_task(_send(conn, text))


async def _send(conn: Any, text: str) -> None:
    try:
        await asyncio.wait_for(conn.send(text), SEND_TIMEOUT)
    except Exception:  # closed or too slow: it will not miss state, only a prompt
        pass


async def send_to_users(broker: Any, session_id: int, user_ids: Iterable[int], text: str) -> int:
    """Publish ``text`` (an already encoded reply frame) for ``user_ids``; returns how many
    users it was addressed to."""
    recipients = sorted({int(u) for u in user_ids})[:MAX_RECIPIENTS]
    if recipients:
        await publish(broker, direct_channel(session_id),
                      dumps({"to": recipients, "frame": text}))
    return len(recipients)


_routers: "weakref.WeakKeyDictionary[Any, DirectRouter]" = weakref.WeakKeyDictionary()


def router_for(broker: Any) -> DirectRouter:
    router = _routers.get(broker)
    if router is None:
        router = _routers[broker] = DirectRouter(broker)
    return router
