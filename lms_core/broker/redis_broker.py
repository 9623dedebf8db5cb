"""Redis pub/sub broker for several workers. One Redis subscription per worker and channel; the
worker fans each message out to its local subscribers (so N local sockets cost one Redis
delivery). Pub/sub keeps no history: reconnect catch-up must come from stored state.

Redis pub/sub channels are global to the server, whatever database number the URL names, so
every channel is prefixed with a namespace (``LMS_BROKER_NAMESPACE``): two LMS installations,
or two test runs, on one Redis never hear each other."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict

import redis.asyncio as aioredis

from lms_core.broker.base import Subscription

log = logging.getLogger("lms.broker")


class RedisBroker:
    name = "redis"

    def __init__(self, url: str, namespace: str = "lms") -> None:
        self.url = url
        self.prefix = f"{namespace}:" if namespace else ""
        self._redis: aioredis.Redis | None = None
        self._pubsub = None
        self._reader: asyncio.Task | None = None
        self._subs: dict[str, set[Subscription]] = defaultdict(set)
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        self._redis = aioredis.from_url(self.url)
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)

    async def stop(self) -> None:
        if self._reader:
            self._reader.cancel()
            try:
                await self._reader
            except (asyncio.CancelledError, Exception):
                pass
        if self._pubsub is not None:
            await self._pubsub.aclose()
        if self._redis is not None:
            await self._redis.aclose()
        self._subs.clear()

    async def publish(self, channel: str, message: bytes) -> None:
        assert self._redis is not None, "broker not started"
        await self._redis.publish(self.prefix + channel, message)

    async def subscribe(self, channel: str, maxsize: int = 1000) -> Subscription:
        assert self._pubsub is not None, "broker not started"
        sub = Subscription(channel, maxsize, self._unsubscribe)
        async with self._lock:
            first = channel not in self._subs
            self._subs[channel].add(sub)
            if first:
                await self._pubsub.subscribe(self.prefix + channel)
            if self._reader is None or self._reader.done():
                self._reader = asyncio.create_task(self._read())
        return sub

    async def _unsubscribe(self, sub: Subscription) -> None:
        async with self._lock:
            subs = self._subs.get(sub.channel)
            if subs is None:
                return
            subs.discard(sub)
            if not subs:
                del self._subs[sub.channel]
                if self._pubsub is not None:
                    await self._pubsub.unsubscribe(self.prefix + sub.channel)

    async def _read(self) -> None:
        assert self._pubsub is not None
        while True:
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("redis pub/sub read failed; retrying")
                await asyncio.sleep(0.5)
                continue
            if message is None:
                if not self._subs:
                    await asyncio.sleep(0.05)
                continue
            channel = message["channel"]
            channel = channel.decode() if isinstance(channel, bytes) else channel
            channel = channel[len(self.prefix):]
            data = message["data"]
            for sub in tuple(self._subs.get(channel, ())):
                sub.deliver(data if isinstance(data, bytes) else str(data).encode())

    async def ping(self) -> bool:
        try:
            return bool(await self._redis.ping()) if self._redis else False
        except Exception:
            return False
