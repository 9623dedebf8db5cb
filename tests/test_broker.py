"""Both brokers deliver in order, to every subscriber, and never let a slow one grow memory."""

from __future__ import annotations

import asyncio
import os

import pytest

from lms_core.broker import create_broker

REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "")
KINDS = ["memory://"] + ([REDIS_URL] if REDIS_URL else [])


@pytest.fixture(params=KINDS)
async def broker(request):
    b = create_broker(request.param, os.environ["LMS_BROKER_NAMESPACE"])
    await b.start()
    yield b
    await b.stop()


async def _get(sub, timeout=2.0):
    return await asyncio.wait_for(sub.get(), timeout)


async def test_fan_out_in_order_to_every_subscriber(broker):
    channel = f"test:{os.getpid()}:fanout"
    subs = [await broker.subscribe(channel) for _ in range(3)]
    await asyncio.sleep(0.05)  # Redis confirms subscriptions asynchronously
    for i in range(5):
        await broker.publish(channel, f"m{i}".encode())
    for sub in subs:
        assert [await _get(sub) for _ in range(5)] == [b"m0", b"m1", b"m2", b"m3", b"m4"]
        await sub.close()
    assert await broker.ping()


async def test_channels_are_separate_and_closed_subscriptions_get_nothing(broker):
    a = await broker.subscribe(f"test:{os.getpid()}:a")
    b = await broker.subscribe(f"test:{os.getpid()}:b")
    await asyncio.sleep(0.05)
    await broker.publish(f"test:{os.getpid()}:a", b"for-a")
    assert await _get(a) == b"for-a"
    with pytest.raises(asyncio.TimeoutError):
        await _get(b, 0.2)
    await a.close()
    await broker.publish(f"test:{os.getpid()}:a", b"late")
    await asyncio.sleep(0.1)
    assert a.queue.empty()
    await b.close()


async def test_slow_subscriber_overflows_instead_of_growing(broker):
    channel = f"test:{os.getpid()}:slow"
    slow = await broker.subscribe(channel, maxsize=3)
    fast = await broker.subscribe(channel, maxsize=100)
    await asyncio.sleep(0.05)
    for i in range(10):
        await broker.publish(channel, str(i).encode())
    assert [await _get(fast) for _ in range(10)][-1] == b"9"
    assert slow.overflowed and slow.queue.qsize() == 3
    await slow.close()
    await fast.close()


def test_unknown_broker_url_is_a_clear_error():
    with pytest.raises(ValueError, match="LMS_BROKER_URL"):
        create_broker("kafka://x")
