"""This worker's sockets of one session, and the one loop that hands them its broadcasts.

A per-socket subscription (its own bounded queue, its own forwarding task woken for every
frame) cost each socket a task, a queue and a wake-up per broadcast: ~100–250 µs per socket
and per frame, and ~7 KiB of memory per socket. Instead each worker subscribes once per
channel of a session it has sockets of (``live:<id>``, ``:run``, ``:screen``, a group's
``:g:<g>``), all into one queue, so frames leave in the order they were published, which is
``seq`` order; one task per session reads it, decodes and frames each message once and gives
it to every socket of that channel with ``LiveConnection.deliver``, which writes the framed message
straight to the socket's transport when the server offers that (``lms serve`` does:
``lms_core.http.ws_protocol``, as the `websockets` server's ``broadcast()`` does) or sends it
at once when the socket can take it (see ``realtime``), and otherwise keeps it in that
socket's small backlog.

The hub's queue is bounded too: if it ever overflows (the worker far behind), every socket
of the channel that lost frames is closed with 4429 and resumes with ``since``, as the
protocol has any client that fell behind do.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any, Protocol

from lms_core.http.ws_protocol import prepare_text

from lms_live_sessions.channel import seq_of
from lms_live_sessions.events import listener_channel

log = logging.getLogger("lms.live")

#: Frames a session's hub may hold before its sockets are told to resume.
HUB_QUEUE = 20_000


class Receiver(Protocol):
    """What the hub needs of a socket (``realtime.LiveConnection``)."""

    def deliver(self, seq: int, message: bytes, text: str, framed: bytes = b"") -> None: ...

    def lagged(self) -> None: ...


class _Tagged:
    """The ``queue`` of one channel's broker subscription: puts ``(listener, message)`` into
    the hub's one queue, so every channel of the session shares one order and one bound."""

    __slots__ = ("queue", "listener")

    def __init__(self, queue: asyncio.Queue[tuple[str, bytes]], listener: str) -> None:
        self.queue, self.listener = queue, listener

    def put_nowait(self, message: bytes) -> None:
        self.queue.put_nowait((self.listener, message))  # QueueFull marks the subscription

    def empty(self) -> bool:
        return self.queue.empty()

    def get_nowait(self) -> bytes:  # pragma: no cover - brokers only put
        raise asyncio.QueueEmpty


class SessionHub:
    def __init__(self, broker: Any, session_id: int) -> None:
        self.broker = broker
        self.session_id = session_id
        self.queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue(HUB_QUEUE)
        #: listener ("public", "runner", "screen", "group:<g>") -> its sockets on this worker
        self.receivers: dict[str, set[Receiver]] = {}
        self.subs: dict[str, Any] = {}
        self.lock = asyncio.Lock()
        self.task: asyncio.Task[None] | None = None

    async def add(self, conn: Receiver, listener: str) -> None:
        """From now on ``conn`` gets every frame published for ``listener``."""
        async with self.lock:
            receivers = self.receivers.get(listener)
            if receivers is None:
                sub = await self.broker.subscribe(listener_channel(self.session_id, listener),
                                                  maxsize=HUB_QUEUE)
                sub.queue = _Tagged(self.queue, listener)
                self.subs[listener] = sub
                receivers = self.receivers[listener] = set()
            receivers.add(conn)
            if self.task is None or self.task.done():
                self.task = asyncio.create_task(self._run())

    def listens(self, conn: Receiver, listener: str) -> bool:
        return conn in self.receivers.get(listener, ())

    async def remove(self, conn: Receiver) -> bool:
        """Drops ``conn`` from every channel; True when the hub has no socket left."""
        closing = []
        async with self.lock:
            for listener in list(self.receivers):
                receivers = self.receivers[listener]
                receivers.discard(conn)
                if not receivers:
                    del self.receivers[listener]
                    closing.append(self.subs.pop(listener))
            for sub in closing:
                await sub.close()
            empty = not self.receivers
            task = self.task if empty else None
            if empty:
                self.task = None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        return empty

    async def _run(self) -> None:
        while True:
            listener, message = await self.queue.get()
            self._lost_frames()
            receivers = self.receivers.get(listener)
            if not receivers:
                continue
            text = message.decode()
            seq = seq_of(message)
            framed = prepare_text(message)  # framed once for every socket (``ws_protocol``)
            for conn in tuple(receivers):
                try:
                    conn.deliver(seq, message, text, framed)
                except Exception:  # one socket's failure is never another's
                    log.exception("could not hand a frame to a live socket")

    def _lost_frames(self) -> None:
        """A channel whose subscription overflowed lost frames: its sockets resume."""
        for listener, sub in self.subs.items():
            if sub.overflowed:
                sub.overflowed = False
                for conn in tuple(self.receivers.get(listener, ())):
                    conn.lagged()


_hubs: "weakref.WeakKeyDictionary[Any, dict[int, SessionHub]]" = weakref.WeakKeyDictionary()


def hub_for(broker: Any, session_id: int) -> SessionHub:
    """One hub per session and broker (one broker per app, so per worker)."""
    hubs = _hubs.get(broker)
    if hubs is None:
        hubs = _hubs[broker] = {}
    hub = hubs.get(session_id)
    if hub is None:
        hub = hubs[session_id] = SessionHub(broker, session_id)
    return hub


async def leave(broker: Any, session_id: int, conn: Receiver) -> None:
    hubs = _hubs.get(broker) or {}
    hub = hubs.get(session_id)
    if hub is not None and await hub.remove(conn) and hubs.get(session_id) is hub:
        if not hub.receivers:
            del hubs[session_id]
