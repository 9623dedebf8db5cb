"""The session hub and a socket's delivery, without a server: frames reach a socket that can
take them at once, in ``seq`` order across its channels; a socket whose transport is paused
keeps them in a backlog and gets them in order once it drains; one that falls more than
``QUEUE_SIZE`` behind is closed with 4429 while the others go on; a catch-up holds frames
back and skips those it covered."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any

from starlette.websockets import WebSocketState

from lms_core.broker.memory import MemoryBroker
from lms_core.http.ws_protocol import PREPARED

from lms_live_sessions import realtime
from lms_live_sessions.channel import frame
from lms_live_sessions.events import listener_channel
from lms_live_sessions.hub import hub_for, leave
from lms_live_sessions.realtime import CLOSE_LAGGING, QUEUE_SIZE, LiveConnection


class FakeSocket:
    """Records what is sent; ``pause()`` makes sends wait as uvicorn's do on a paused
    transport, ``resume()`` lets them through."""

    def __init__(self, broker: Any) -> None:
        self.app = SimpleNamespace(state=SimpleNamespace(
            lms=SimpleNamespace(broker=broker, plugins=None)))
        self.sent: list[str] = []
        self.closed: tuple[int, str] | None = None
        self.writable = asyncio.Event()
        self.writable.set()
        self.application_state = WebSocketState.CONNECTED
        self.sync_sends = 0

    def pause(self) -> None:
        self.writable.clear()

    def resume(self) -> None:
        self.writable.set()

    async def send_text(self, text: str) -> None:
        if self.writable.is_set():
            self.sync_sends += 1
        await self.writable.wait()
        self.sent.append(text)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self.writable.wait()
        self.closed = (code, reason)

    def seqs(self) -> list[int]:
        return [json.loads(t)["seq"] for t in self.sent if '"seq"' in t[:8]]


class FakeWriter:
    """The server's ``lms.websocket.prepared`` writer; ``refuse`` is a socket that cannot take
    a frame now (paused, closing)."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []
        self.refuse = False

    def write(self, framed: bytes) -> bool:
        if self.refuse:
            return False
        self.frames.append(framed)
        return True


def connection(broker: Any, session_id: int = 7, role: str = "trainee",
               writer: FakeWriter | None = None) -> LiveConnection:
    ws = FakeSocket(broker)
    if writer is not None:
        ws.scope = {"extensions": {PREPARED: writer}}
    principal = SimpleNamespace(user_id=1, full_name="A", locale="en")
    session = SimpleNamespace(id=session_id, institution_id=1)
    return LiveConnection(ws, principal, session, role)  # type: ignore[arg-type]


async def publish(broker: MemoryBroker, listener: str, seq: int, session_id: int = 7) -> None:
    await broker.publish(listener_channel(session_id, listener),
                         frame(seq, "status", status="live"))


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_a_broadcast_is_framed_once_and_written_as_is_where_the_server_allows():
    broker = MemoryBroker()
    writer = FakeWriter()
    conns = [connection(broker, writer=writer) for _ in range(3)]
    for conn in conns:
        await conn.hub.add(conn, "public")
    for seq in (1, 2):
        await publish(broker, "public", seq)
    await settle()
    assert all(conn.ws.sent == [] for conn in conns)
    assert writer.frames[0] is writer.frames[1] is writer.frames[2]  # one framing per frame
    # a short unmasked text frame: FIN + opcode 1, the length, the JSON itself
    assert all(f[0] == 0x81 and f[1] == len(f) - 2 for f in writer.frames)
    assert [json.loads(f[2:])["seq"] for f in writer.frames] == [1, 1, 1, 2, 2, 2]
    writer.refuse = True  # the transport paused: the ASGI send takes over, nothing lost
    await publish(broker, "public", 3)
    await settle()
    assert [conn.ws.seqs() for conn in conns] == [[3], [3], [3]]
    assert [conn.last_seq for conn in conns] == [3, 3, 3]
    for conn in conns:
        await leave(broker, 7, conn)


async def test_frames_reach_ready_sockets_at_once_and_in_order_across_channels():
    broker = MemoryBroker()
    conns = [connection(broker) for _ in range(3)]
    for conn in conns:
        await conn.hub.add(conn, "public")
    await conns[0].hub.add(conns[0], "group:5")
    for seq in range(1, 6):
        await publish(broker, "group:5" if seq % 2 == 0 else "public", seq)
    await settle()
    assert conns[0].ws.seqs() == [1, 2, 3, 4, 5]  # one order for both of its channels
    assert conns[1].ws.seqs() == conns[2].ws.seqs() == [1, 3, 5]
    # sent by hand, not by a task per socket: nothing was left waiting
    assert all(c.backlog is None and c._drainer is None for c in conns)
    assert conns[1].ws.sync_sends == 3
    # a frame at or below what the socket has (its snapshot) is skipped
    conns[1].last_seq = 9
    await publish(broker, "public", 8)
    await publish(broker, "public", 10)
    await settle()
    assert conns[1].ws.seqs() == [1, 3, 5, 10]
    for conn in conns:
        await leave(broker, 7, conn)
    assert not broker._subs  # the hub let go of every channel


async def test_a_paused_socket_gets_its_backlog_in_order_and_does_not_hold_up_the_others():
    broker = MemoryBroker()
    slow, fast = connection(broker), connection(broker)
    for conn in (slow, fast):
        await conn.hub.add(conn, "public")
    slow.ws.pause()
    for seq in range(1, 11):
        await publish(broker, "public", seq)
    await settle()
    assert fast.ws.seqs() == list(range(1, 11))
    assert slow.ws.seqs() == [] and slow.backlog is not None
    slow.ws.resume()
    await settle()
    assert slow.ws.seqs() == list(range(1, 11))
    assert slow.backlog is None and slow._drainer is None  # back to sending at once
    await publish(broker, "public", 11)
    await settle()
    assert slow.ws.seqs()[-1] == 11
    for conn in (slow, fast):
        await leave(broker, 7, conn)


async def test_a_socket_too_far_behind_is_closed_with_4429(monkeypatch):
    monkeypatch.setattr(realtime, "LAGGING_GRACE", 0.05)
    broker = MemoryBroker()
    slow, fast = connection(broker), connection(broker)
    for conn in (slow, fast):
        await conn.hub.add(conn, "public")
    reader = asyncio.create_task(asyncio.sleep(30))  # stands for the socket's ASGI task
    slow._reader = reader
    slow.ws.pause()
    for seq in range(1, QUEUE_SIZE + 10):
        await publish(broker, "public", seq)
    await settle()
    assert slow._closing and slow.backlog is None
    await asyncio.sleep(0.2)
    assert reader.cancelled()  # never took its close: dropped, it will resume with since
    slow.ws.resume()
    await settle()
    assert len(fast.ws.seqs()) == QUEUE_SIZE + 9
    lagging = connection(broker)
    await lagging.hub.add(lagging, "public")
    lagging.lagged()
    await settle()
    assert json.loads(lagging.ws.sent[-1])["code"] == "lagging"
    assert lagging.ws.closed == (CLOSE_LAGGING, "lagging")
    for conn in (slow, fast, lagging):
        await leave(broker, 7, conn)


async def test_a_catch_up_holds_frames_back_and_skips_what_it_covered():
    broker = MemoryBroker()
    conn = connection(broker)
    await conn.hub.add(conn, "public")
    await conn._hold()
    for seq in (3, 4, 5):
        await publish(broker, "public", seq)
    await settle()
    assert conn.ws.sent == []  # held: the snapshot goes first
    await conn.ws.send_text(frame(4, "state").decode())
    conn.last_seq = 4
    conn._release()
    await settle()
    assert conn.ws.seqs() == [4, 5]
    await leave(broker, 7, conn)
