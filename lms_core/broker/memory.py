"""In-process broker: the embedded default for a single worker."""

from __future__ import annotations

from collections import defaultdict

from lms_core.broker.base import Subscription


class MemoryBroker:
    name = "memory"

    def __init__(self) -> None:
        self._subs: dict[str, set[Subscription]] = defaultdict(set)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        self._subs.clear()

    async def publish(self, channel: str, message: bytes) -> None:
        for sub in tuple(self._subs.get(channel, ())):
            sub.deliver(message)

    async def subscribe(self, channel: str, maxsize: int = 1000) -> Subscription:
        sub = Subscription(channel, maxsize, self._unsubscribe)
        self._subs[channel].add(sub)
        return sub

    async def _unsubscribe(self, sub: Subscription) -> None:
        subs = self._subs.get(sub.channel)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._subs[sub.channel]

    async def ping(self) -> bool:
        return True
