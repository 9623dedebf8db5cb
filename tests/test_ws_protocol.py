"""The lean websocket protocol (lms_core/http/ws_protocol.py) under a real uvicorn, with real
clients: what an ASGI app sends and receives is what uvicorn's own protocol gives it (text,
bytes, fragmented messages, close codes both ways, refusals before the handshake, keepalive,
1012 at shutdown); prepared frames arrive as sent and are refused when the socket cannot take
them; and an idle socket keeps none of its handshake."""

from __future__ import annotations

import asyncio
import gc
import json
from types import SimpleNamespace
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.http11 import Request

from live_server import serve_app
from lms_core.http.ws_protocol import PREPARED, LeanWebSocketProtocol, prepare_text

SEEN: list[Any] = []


async def echo(ws: WebSocket) -> None:
    await ws.accept()
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                SEEN.append(("disconnect", message.get("code")))
                return
            if message.get("text", "").startswith("close:"):
                await ws.close(int(message["text"][6:]), "đóng theo yêu cầu")
                return
            if message.get("text") is not None:
                await ws.send_text(message["text"])
            else:
                await ws.send_bytes(message["bytes"])
    except WebSocketDisconnect as exc:
        SEEN.append(("disconnect", exc.code))


async def slow_echo(ws: WebSocket) -> None:
    """Accepts after a while (as the app does after authenticating), then echoes."""
    await asyncio.sleep(0.3)
    await echo(ws)


async def reject(ws: WebSocket) -> None:
    await ws.close(4403)


async def deny(ws: WebSocket) -> None:
    await ws.send_denial_response(PlainTextResponse("không được", status_code=401))


async def prepared(ws: WebSocket) -> None:
    await ws.accept()
    writer = ws.scope["extensions"][PREPARED]
    wrote = writer.write(prepare_text(json.dumps({"tin": "chào cả lớp"}).encode()))
    await ws.send_text(json.dumps({"wrote": wrote}))
    await ws.receive()  # the client's "bye"
    await ws.close()
    SEEN.append(("after close", writer.write(prepare_text(b"{}"))))


async def held(ws: WebSocket) -> None:
    await ws.accept()
    while (await ws.receive())["type"] != "websocket.disconnect":
        pass


APP = Starlette(routes=[WebSocketRoute("/echo", echo), WebSocketRoute("/slow", slow_echo),
                        WebSocketRoute("/reject", reject),
                        WebSocketRoute("/deny", deny), WebSocketRoute("/prepared", prepared),
                        WebSocketRoute("/held", held)])


@pytest.fixture(autouse=True)
def _clear() -> None:
    SEEN.clear()


async def test_text_bytes_and_fragmented_messages_go_both_ways():
    async with serve_app(APP) as host, connect(f"ws://{host}/echo", compression=None) as ws:
        await ws.send("Xin chào, đồng chí")
        assert await ws.recv() == "Xin chào, đồng chí"
        await ws.send(b"\x00\x01\xff")
        assert await ws.recv() == b"\x00\x01\xff"
        await ws.send(["Luật ", "Cán bộ, ", "công chức"])  # one message in three frames
        assert await ws.recv() == "Luật Cán bộ, công chức"


async def test_close_codes_and_reasons_travel_both_ways():
    async with serve_app(APP) as host:
        async with connect(f"ws://{host}/echo") as ws:
            await ws.send("close:4410")
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd.code == 4410
        assert closed.value.rcvd.reason == "đóng theo yêu cầu"
        async with connect(f"ws://{host}/echo") as ws:
            await ws.close(4000)
        for _ in range(100):
            if SEEN:
                break
            await asyncio.sleep(0.01)
        assert SEEN == [("disconnect", 4000)]


async def test_a_socket_refused_before_the_handshake_gets_an_http_answer():
    async with serve_app(APP) as host:
        with pytest.raises(InvalidStatus) as refused:
            async with connect(f"ws://{host}/reject"):
                pass
        assert refused.value.response.status_code == 403
        with pytest.raises(InvalidStatus) as denied:
            async with connect(f"ws://{host}/deny"):
                pass
        assert denied.value.response.status_code == 401
        assert denied.value.response.body.decode() == "không được"
        with pytest.raises(InvalidStatus) as missing:  # no such route: Starlette's close
            async with connect(f"ws://{host}/khong-co"):
                pass
        assert missing.value.response.status_code == 403


async def test_prepared_frames_arrive_as_sent_and_are_refused_once_closed():
    async with serve_app(APP) as host, connect(f"ws://{host}/prepared") as ws:
        assert json.loads(await ws.recv()) == {"tin": "chào cả lớp"}
        assert json.loads(await ws.recv()) == {"wrote": True}
        await ws.send("bye")
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
    assert SEEN == [("after close", False)]


async def test_prepared_frames_are_refused_when_compression_was_agreed():
    async with serve_app(APP, ws_per_message_deflate=True) as host, \
            connect(f"ws://{host}/prepared") as ws:  # the client offers permessage-deflate
        assert json.loads(await ws.recv()) == {"wrote": False}


async def test_a_peer_that_never_answers_pings_is_closed_with_1011():
    async with serve_app(APP, ws_ping_interval=0.1, ws_ping_timeout=0.3) as host:
        address, port = host.split(":")
        reader, writer = await asyncio.open_connection(address, int(port))
        writer.write(f"GET /held HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n".encode())
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 101")
        received = await asyncio.wait_for(reader.read(), 5)  # until the server closes
        writer.close()
    assert received[:1] == b"\x89"  # a ping first
    close_at = received.index(b"\x88")
    assert received[close_at + 2:close_at + 4] == (1011).to_bytes(2, "big")


async def test_a_peer_that_answers_pings_stays_connected():
    async with serve_app(APP, ws_ping_interval=0.05, ws_ping_timeout=0.2) as host, \
            connect(f"ws://{host}/echo", ping_interval=None) as ws:
        await asyncio.sleep(0.6)  # a dozen pings, each answered by the client library
        await ws.send("vẫn ở đây")
        assert await ws.recv() == "vẫn ở đây"


async def test_server_shutdown_closes_open_sockets_with_1012():
    async with connect_after_shutdown() as closed:
        assert closed.code == 1012


class connect_after_shutdown:
    """Opens a socket, stops the server under it, yields the close frame it received."""

    async def __aenter__(self) -> Any:
        self._serve = serve_app(APP)
        host = await self._serve.__aenter__()
        self._ws = await connect(f"ws://{host}/held")
        await self._serve.__aexit__(None, None, None)
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(self._ws.recv(), 5)
        return closed.value.rcvd

    async def __aexit__(self, *exc: Any) -> None:
        await self._ws.close()


async def test_idle_sockets_keep_no_handshake_and_no_instance_dict():
    async with serve_app(APP) as host:
        clients = [await connect(f"ws://{host}/held") for _ in range(10)]
        try:
            gc.collect()
            protocols = [o for o in gc.get_objects() if isinstance(o, LeanWebSocketProtocol)]
            assert len(protocols) >= 10
            for protocol in protocols:
                assert not hasattr(protocol, "__dict__")
                assert protocol.request is None and protocol.response is None
                frame = protocol.conn.parser.gi_frame
                assert not any(isinstance(v, Request) for v in frame.f_locals.values())
                assert protocol.inbox is None  # nothing waits, so no list either
        finally:
            for ws in clients:
                await ws.close()


def masked_text(payload: bytes) -> bytes:
    """A client's text frame (clients mask theirs), short payloads only."""
    mask = b"\x01\x02\x03\x04"
    return bytes([0x81, 0x80 | len(payload)]) + mask + bytes(
        b ^ mask[i % 4] for i, b in enumerate(payload))


async def test_a_frame_begun_before_the_101_is_still_read_whole():
    """A client that does not wait for the 101 (against the RFC) while the app is still
    authenticating, and whose first frame is cut across two packets: the handshake is
    forgotten only between frames, never inside one."""
    async with serve_app(APP) as host:
        address, port = host.split(":")
        reader, writer = await asyncio.open_connection(address, int(port))
        frame = masked_text("chào".encode())
        writer.write(f"GET /slow HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n".encode())
        await asyncio.sleep(0.1)
        writer.write(frame[:2])  # the frame's first two bytes, before the 101
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 101")
        writer.write(frame[2:])
        echoed = await asyncio.wait_for(reader.readexactly(2 + len("chào".encode())), 5)
        writer.close()
    assert echoed == b"\x81" + bytes([len("chào".encode())]) + "chào".encode()


class _Transport:
    def pause_reading(self) -> None: ...

    def resume_reading(self) -> None: ...


def bare_protocol() -> LeanWebSocketProtocol:
    config = SimpleNamespace(loaded=True, loaded_app=None, root_path="", asgi_version="3.0",
                             ws_ping_interval=None, ws_ping_timeout=None, ws_max_size=2**20,
                             ws_per_message_deflate=False)
    state = SimpleNamespace(connections=set(), tasks=set(), default_headers=[])
    protocol = LeanWebSocketProtocol(config, state, {}, asyncio.get_running_loop())
    protocol.transport = _Transport()  # type: ignore[assignment]
    return protocol


async def test_a_message_handed_to_a_cancelled_receive_is_kept_for_the_next():
    protocol = bare_protocol()
    waiting = asyncio.create_task(protocol.receive())
    await asyncio.sleep(0)
    message = {"type": "websocket.receive", "text": "một"}
    protocol._deliver(message)  # handed over...
    waiting.cancel()            # ...and the receiver cancelled before it ran (a timeout)
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert await protocol.receive() == message


async def test_two_tasks_receiving_at_once_is_refused():
    protocol = bare_protocol()
    first = asyncio.create_task(protocol.receive())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError):
        await protocol.receive()
    protocol._deliver({"type": "websocket.disconnect", "code": 1000})
    assert (await first)["code"] == 1000
