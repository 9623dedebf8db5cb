"""The baseline of the live benchmark: a bare ``websockets`` server (uvloop, one process, no
permessage-deflate, the library's own keepalive pings) that does nothing but hold connections
and ``broadcast()`` one frame to all of them: the floor any realtime stack on this library pays.

    python bench/live_bare.py PORT

Trainees connect on ``/``, get ``{"type":"state"}`` and then only listen. A control socket on
``/ctl`` sends the frame to broadcast as one text message; the server broadcasts it to every
trainee and answers ``done <count>``.
"""

from __future__ import annotations

import asyncio
import resource
import sys

from websockets.asyncio.server import broadcast, serve

CLIENTS: set = set()
STATE = '{"type":"state","v":2}'


async def handler(ws) -> None:
    if ws.request.path == "/ctl":
        async for frame in ws:
            broadcast(CLIENTS, frame)
            await ws.send(f"done {len(CLIENTS)}")
        return
    CLIENTS.add(ws)
    try:
        await ws.send(STATE)
        await ws.wait_closed()
    finally:
        CLIENTS.discard(ws)


async def main(port: int) -> None:
    async with serve(handler, "127.0.0.1", port, compression=None, max_size=2 ** 16,
                     backlog=4096) as server:
        print(f"bare websockets server on {port}", flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    import uvloop

    uvloop.install()
    asyncio.run(main(int(sys.argv[1])))
