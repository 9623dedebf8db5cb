"""The hot read paths ("my classes", the catalogue) are cached, and a write is seen at once:
by the same worker through the model signals, after the commit when the write is in a
transaction, and by other workers through the broker."""

from __future__ import annotations

import asyncio
import os

import pytest
from tortoise.transactions import in_transaction

from lms_core import cache
from lms_core.broker import create_broker
from lms_core.cache import HotCache
from lms_core.models import Course, CourseClass, Enrolment, EnrolmentStatus


def _codes(body: dict) -> list[str]:
    return [item["code"] for item in body["items"]]


async def test_my_classes_sees_self_enrolment_and_withdrawal_at_once(app, world, client_for):
    trainee = await client_for("trainee_a")
    assert _codes((await trainee.get("/api/v1/my/classes")).json()) == ["K-a"]
    assert (await trainee.get("/api/v1/my/classes")).status_code == 200  # now cached
    r = await trainee.post(f"/api/v1/classes/{world.classes['a-open']}/self-enrol")
    assert r.status_code in (200, 201), r.text
    assert sorted(_codes((await trainee.get("/api/v1/my/classes")).json())) == ["K-a", "OPEN-a"]
    r = await trainee.post(f"/api/v1/classes/{world.classes['a-open']}/withdraw")
    assert r.status_code == 200, r.text
    assert _codes((await trainee.get("/api/v1/my/classes")).json()) == ["K-a"]
    runtime_cache = app.state.lms.cache
    assert runtime_cache.hits >= 1


async def test_class_renamed_by_staff_reaches_every_trainee(app, world, client_for):
    trainee = await client_for("trainee_a")
    assert (await trainee.get("/api/v1/my/classes")).json()["items"][0]["title"] == "Lớp a"
    klass = await CourseClass.get(id=world.classes["a"])
    klass.title = "Lớp a (đổi tên)"
    await klass.save()
    assert (await trainee.get("/api/v1/my/classes")).json()["items"][0]["title"] == \
        "Lớp a (đổi tên)"


async def test_catalogue_follows_course_changes_and_other_institutions_are_apart(
        app, world, client_for):
    trainee_a = await client_for("trainee_a")
    trainee_b = await client_for("trainee_b")
    assert _codes((await trainee_a.get("/api/v1/courses")).json()) == ["C-a"]
    assert _codes((await trainee_b.get("/api/v1/courses")).json()) == ["C-b"]
    await Course.create(institution_id=world.inst["a"], code="C-a2", title="Quản lý văn bản",
                        title_key="quan ly van ban", sort_key="0")
    assert _codes((await trainee_a.get("/api/v1/courses")).json()) == ["C-a", "C-a2"]
    assert _codes((await trainee_b.get("/api/v1/courses")).json()) == ["C-b"]
    course = await Course.get(code="C-a2")
    course.is_published = False
    await course.save()
    assert _codes((await trainee_a.get("/api/v1/courses")).json()) == ["C-a"]


async def test_search_treats_like_wildcards_as_text(app, world, client_for):
    trainee = await client_for("trainee_a")
    for q in ("%", "_", "\\"):
        body = (await trainee.get("/api/v1/courses", params={"q": q})).json()
        assert body == {"total": 0, "items": []}, q
    body = (await trainee.get("/api/v1/courses", params={"q": "KHOÁ  học", "offset": 5})).json()
    assert body == {"total": 1, "items": []}


async def test_write_inside_a_transaction_is_invalidated_after_commit(app, world, client_for):
    """A reader that fills the cache while the transaction is open reads the old rows: the
    entry must not outlive the commit."""
    trainee = await client_for("trainee_a")
    assert _codes((await trainee.get("/api/v1/my/classes")).json()) == ["K-a"]
    async with in_transaction():
        await Enrolment.create(user_id=world.users["trainee_a"], klass_id=world.classes["a-open"],
                               status=EnrolmentStatus.ACTIVE)
        # Not committed: another request still sees the old list (and may cache it).
        stale = await trainee.get("/api/v1/my/classes")
        if app.state.lms.settings.database_url.startswith("postgres"):
            assert _codes(stale.json()) == ["K-a"]
    for _ in range(50):  # the commit is noticed within a few polling rounds
        await asyncio.sleep(0.02)
        codes = sorted(_codes((await trainee.get("/api/v1/my/classes")).json()))
        if codes == ["K-a", "OPEN-a"]:
            break
    assert codes == ["K-a", "OPEN-a"]


async def test_cache_off_reads_the_database_every_time():
    calls = []

    async def build():
        calls.append(1)
        return {"n": len(calls)}

    off = HotCache(ttl=0)
    assert await off.get_or_build("k", ("t",), build) == b'{"n":1}'
    assert await off.get_or_build("k", ("t",), build) == b'{"n":2}'
    on = HotCache(ttl=60)
    assert await on.get_or_build("k", ("t",), build) == b'{"n":3}'
    assert await on.get_or_build("k", ("t",), build) == b'{"n":3}'
    on.bump(["other"])
    assert await on.get_or_build("k", ("t",), build) == b'{"n":3}'
    on.bump(["t"])
    assert await on.get_or_build("k", ("t",), build) == b'{"n":4}'


async def test_concurrent_misses_share_one_build_and_a_failed_build_is_not_kept():
    started = asyncio.Event()
    release = asyncio.Event()
    calls = []

    async def slow():
        calls.append(1)
        started.set()
        await release.wait()
        return [1, 2, 3]

    c = HotCache(ttl=60)
    tasks = [asyncio.create_task(c.get_or_build("k", ("t",), slow)) for _ in range(20)]
    await started.wait()
    release.set()
    assert set(await asyncio.gather(*tasks)) == {b"[1,2,3]"}
    assert len(calls) == 1

    async def broken():
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError):
        await c.get_or_build("x", ("t",), broken)
    assert await c.get_or_build("x", ("t",), slow) == b"[1,2,3]"


async def test_entry_built_while_a_write_happened_is_not_kept():
    c = HotCache(ttl=60)
    version = [1]

    async def build_during_write():
        value = version[0]
        version[0] += 1
        c.bump(["t"])  # a write lands while the rows are being read
        return value

    assert await c.get_or_build("k", ("t",), build_during_write) == b"1"
    assert await c.get_or_build("k", ("t",), build_during_write) == b"2"


BROKERS = ["memory://"]
if os.environ.get("LMS_TEST_REDIS_URL"):
    BROKERS.append(os.environ["LMS_TEST_REDIS_URL"])


@pytest.mark.parametrize("broker_url", BROKERS)
async def test_other_workers_drop_their_entries_through_the_broker(broker_url):
    broker = create_broker(broker_url, os.environ["LMS_BROKER_NAMESPACE"])
    await broker.start()
    here, there = HotCache(ttl=60), HotCache(ttl=60)
    cache._live.discard(there)  # as if it lived in another process: only the broker reaches it
    listeners = [await cache.listen(here, broker), await cache.listen(there, broker)]
    try:
        n = [0]

        async def build():
            n[0] += 1
            return n[0]

        assert await there.get_or_build("k", ("u:7",), build) == b"1"
        assert await there.get_or_build("k", ("u:7",), build) == b"1"
        await asyncio.sleep(0.05)  # let the subscriptions settle (Redis)
        cache.invalidate(["u:7"])
        for _ in range(100):
            await asyncio.sleep(0.01)
            if await there.get_or_build("k", ("u:7",), build) == b"2":
                break
        assert await there.get_or_build("k", ("u:7",), build) == b"2"
    finally:
        for task in listeners:
            task.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)
        await broker.stop()


async def test_principal_loads_once_for_concurrent_requests_and_refreshes_in_background():
    """A busy user's principal expiring must not make every in-flight request reload it."""
    from lms_core.auth import principal as mod

    calls: list[int] = []
    gate = asyncio.Event()

    class Loader(mod.PrincipalLoader):
        async def _load(self, user_id, institution_id, via):
            calls.append(user_id)
            await gate.wait()
            return f"principal-{len(calls)}"  # stands in for the dataclass

    loader = Loader({})
    waiting = [asyncio.create_task(loader.load(1, None, "session")) for _ in range(30)]
    await asyncio.sleep(0)
    gate.set()
    assert set(await asyncio.gather(*waiting)) == {"principal-1"}
    assert calls == [1]
    key = (1, None, "session")
    loader._cache[key] = (mod.time.monotonic() - 1, loader._cache[key][1])  # expired, in grace
    assert await loader.load(1, None, "session") == "principal-1"  # served, refresh started
    await asyncio.sleep(0)
    assert await loader.load(1, None, "session") == "principal-1"
    assert calls == [1, 1]  # one refresh, however many requests
    await asyncio.sleep(0.01)
    assert await loader.load(1, None, "session") == "principal-2"
    loader.forget(1)  # a role change on this worker is seen at once
    assert await loader.load(1, None, "session") == "principal-3"
