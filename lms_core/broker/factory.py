"""Chooses the broker from ``LMS_BROKER_URL``: ``memory://`` (default) or ``redis://...``."""

from __future__ import annotations

from lms_core.broker.base import Broker


def create_broker(url: str, namespace: str = "lms") -> Broker:
    if url.startswith(("redis://", "rediss://", "unix://")):
        from lms_core.broker.redis_broker import RedisBroker

        return RedisBroker(url, namespace)
    if url in ("memory://", "memory", ""):
        from lms_core.broker.memory import MemoryBroker

        return MemoryBroker()
    raise ValueError(f"LMS_BROKER_URL: unknown broker {url!r} (use memory:// or redis://host:port)")
