"""A memory floor for the live benchmark: a bare Starlette websocket endpoint under uvicorn,
served exactly like the app (uvloop, httptools, permessage-deflate off), with none of the LMS's
middleware, database or session code. It tells how much of the app's memory per connection is
uvicorn + Starlette, and how much is the live-session code on top.

``LIVE_FLOOR=plain``: accept, send ``{"type":"state"}``, wait for messages (one task per socket,
uvicorn's). ``LIVE_FLOOR=tasks``: the same plus what ``realtime.LiveConnection`` adds per socket
(a reader and a forwarder task, an ``asyncio.Queue(256)``, a lock).
"""

from __future__ import annotations

import asyncio
import os

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

MODE = os.environ.get("LIVE_FLOOR", "plain")


async def live(ws: WebSocket) -> None:
    await ws.accept()
    await ws.send_text('{"type":"state","v":2}')
    if MODE == "plain":
        while (await ws.receive())["type"] != "websocket.disconnect":
            pass
        return
    queue: asyncio.Queue[bytes] = asyncio.Queue(256)
    lock = asyncio.Lock()

    async def read() -> None:
        while (await ws.receive())["type"] != "websocket.disconnect":
            pass

    async def forward() -> None:
        while True:
            message = await queue.get()
            async with lock:
                await ws.send_text(message.decode())

    tasks = [asyncio.create_task(read()), asyncio.create_task(forward())]
    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for t in tasks:
        t.cancel()


async def healthz(request) -> PlainTextResponse:
    return PlainTextResponse("ok")


app = Starlette(routes=[Route("/healthz", healthz),
                        WebSocketRoute("/ws/live/{sid:int}", live)])
