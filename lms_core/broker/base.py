"""The broker interface. Subscriptions have bounded queues: a consumer that falls behind is
marked ``overflowed`` and should reconnect and catch up from stored state, so one slow client
never makes the publisher wait or memory grow without bound."""

from __future__ import annotations

import asyncio
from typing import AsyncIterator, Protocol


class Subscription:
    def __init__(self, channel: str, maxsize: int, on_close) -> None:
        self.channel = channel
        self.queue: asyncio.Queue[bytes] = asyncio.Queue(maxsize)
        self.overflowed = False
        self._on_close = on_close

    def deliver(self, message: bytes) -> None:
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.overflowed = True  # the reader sees it and reconnects

    async def get(self) -> bytes:
        return await self.queue.get()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while not self.overflowed:
            yield await self.queue.get()

    async def close(self) -> None:
        await self._on_close(self)


class Broker(Protocol):
    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, channel: str, message: bytes) -> None: ...

    async def subscribe(self, channel: str, maxsize: int = 1000) -> Subscription: ...

    async def ping(self) -> bool: ...
