"""``lms_core.batching.Coalescer``: no delay when quiet, batches exactly while runs are in
flight, and a failed run fails its own callers only."""

from __future__ import annotations

import asyncio

import pytest

from lms_core.batching import Coalescer


async def test_quiet_callers_run_alone_and_a_queue_shares_runs():
    runs: list[list[int]] = []
    release = asyncio.Event()

    async def run(keys: list[int]) -> dict[int, int]:
        runs.append(keys)
        await release.wait()
        return {k: k * 10 for k in keys}

    c: Coalescer[int, int] = Coalescer(run, max_batch=5, max_in_flight=2)
    first = [asyncio.create_task(c.get(k)) for k in (1, 2)]
    await asyncio.sleep(0.01)
    assert runs == [[1], [2]]  # two runs in flight at once, no waiting for company
    queued = [asyncio.create_task(c.get(k)) for k in range(3, 10)]
    await asyncio.sleep(0.01)
    assert len(runs) == 2  # the others wait for a run to end
    release.set()
    assert await asyncio.gather(*first, *queued) == [k * 10 for k in range(1, 10)]
    assert runs[2:] == [[3, 4, 5, 6, 7], [8, 9]]  # batches of at most max_batch
    assert (c.runs, c.keys) == (4, 9)


async def test_a_failed_run_fails_its_callers_only_and_a_missing_key_is_none():
    async def run(keys: list[str]) -> dict[str, str]:
        await asyncio.sleep(0)
        if "bad" in keys:
            raise RuntimeError("database went away")
        return {k: k.upper() for k in keys if k != "absent"}

    c: Coalescer[str, str] = Coalescer(run, max_batch=1, max_in_flight=1)
    results = await asyncio.gather(c.get("ok"), c.get("bad"), c.get("absent"), c.get("fine"),
                                   return_exceptions=True)
    assert results[0] == "OK" and results[2] is None and results[3] == "FINE"
    assert isinstance(results[1], RuntimeError)


async def test_a_caller_that_gives_up_does_not_stop_the_run():
    done: list[int] = []

    async def run(keys: list[int]) -> dict[int, int]:
        await asyncio.sleep(0.05)
        done.extend(keys)
        return {k: k for k in keys}

    c: Coalescer[int, int] = Coalescer(run)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.01):
            await c.get(1)
    await asyncio.sleep(0.1)
    assert done == [1] and await c.get(2) == 2
