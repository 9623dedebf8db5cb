"""A per-worker cache of the encoded JSON of the hottest read paths, invalidated on write.

"My classes" and the course catalogue are read on every visit and change rarely; serving them
from memory takes the database and the ORM off the path that every user hits first (figures in
docs/performance.md). Correctness comes from invalidation, not from a short lifetime:

* every entry carries *tags* (``u:<user>`` for a user's own classes, ``ic:<institution>`` for
  its classes, ``co:<institution>`` for its courses) and the generation each tag had when the
  entry was built; bumping a tag's generation retires every entry built before;
* writes bump tags through Tortoise's model signals (``watch_models``), so any code path that
  saves an enrolment, a class, a lecturer link or a course, in the core or in a plugin, is
  seen. A write inside a transaction is bumped when the transaction has ended (a reader must
  not cache what it read before the commit as if it were after);
* every bump is published on the broker (``lms.cache``), so the other workers drop theirs too;
* a lifetime (``LMS_CACHE_TTL``, default 30 s, 0 turns the cache off) bounds the damage of a
  write that bypasses the models (a queryset ``update()``), which the core does not do on these
  tables.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import weakref
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Iterable

from lms_core.http.jsonio import dumps

log = logging.getLogger("lms.cache")

CHANNEL = "lms.cache"
_POLL_SECONDS = 0.02

Tags = tuple[str, ...]


class HotCache:
    """Encoded JSON by key, each entry valid while its tags keep their generations."""

    def __init__(self, ttl: float, max_entries: int = 20_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.origin = f"{os.getpid()}-{id(self):x}"
        self._gens: dict[str, int] = {}
        self._entries: OrderedDict[Any, tuple[float, tuple[int, ...], Tags, bytes]] = OrderedDict()
        self._building: dict[Any, asyncio.Future[bytes]] = {}
        self.hits = self.misses = 0
        _live.add(self)

    @property
    def enabled(self) -> bool:
        return self.ttl > 0

    def _snapshot(self, tags: Tags) -> tuple[int, ...]:
        gens = self._gens
        return tuple(gens.get(t, 0) for t in tags)

    async def get_or_build(self, key: Any, tags: Tags,
                           build: Callable[[], Awaitable[Any]]) -> bytes:
        """The cached bytes, or ``build()`` encoded (and kept). Concurrent misses of one key
        share one build, so a cold start under load costs one query, not one per request."""
        if not self.enabled:
            return dumps(await build())
        if _pending:  # a transaction that wrote may have ended since: read your own writes
            _flush_finished()
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and hit[0] > now and hit[1] == self._snapshot(hit[2]):
            self.hits += 1
            return hit[3]
        pending = self._building.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        self.misses += 1
        snap = self._snapshot(tags)
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._building[key] = future
        try:
            body = dumps(await build())
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it, nobody logs it as lost
            raise
        finally:
            self._building.pop(key, None)
        future.set_result(body)
        if snap == self._snapshot(tags):  # nothing was written while it was being built
            self._entries[key] = (now + self.ttl, snap, tags, body)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return body

    def bump(self, tags: Iterable[str]) -> None:
        gens = self._gens
        for tag in tags:
            gens[tag] = gens.get(tag, 0) + 1

    def clear(self) -> None:
        self._entries.clear()


_live: "weakref.WeakSet[HotCache]" = weakref.WeakSet()
#: Broker publishers of the running apps (one per app; tests run several in one process).
_publishers: "weakref.WeakKeyDictionary[HotCache, Callable[[bytes], Awaitable[None]]]" = \
    weakref.WeakKeyDictionary()
_pending: list[tuple[Any, Tags]] = []
_watcher: asyncio.Task | None = None


def invalidate(tags: Iterable[str]) -> None:
    """Retire every entry with one of ``tags``, here and (through the broker) on the other
    workers. Call it after the write is committed."""
    tags = tuple(tags)
    if not tags:
        return
    message = ("\n".join(tags)).encode()
    for cache in list(_live):
        cache.bump(tags)
        publish = _publishers.get(cache)
        if publish is not None:
            _spawn(publish(cache.origin.encode() + b"\n" + message))


_tasks: set[asyncio.Task] = set()


def _spawn(coro: Awaitable[None]) -> None:
    try:
        task = asyncio.get_running_loop().create_task(coro)  # type: ignore[arg-type]
    except RuntimeError:  # no loop (a script): nothing to tell
        coro.close()  # type: ignore[attr-defined]
        return
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


def _open_transaction(client: Any) -> Any:
    """The outermost unfinished transaction ``client`` belongs to, or None."""
    from tortoise.backends.base.client import TransactionalDBClient

    open_tx = None
    node = client
    while isinstance(node, TransactionalDBClient):
        if not node._finalized:
            open_tx = node
        node = getattr(node, "_parent", None)
    return open_tx


def invalidate_after_commit(client: Any, tags: Tags) -> None:
    """Bump now if ``client`` is not in a transaction, else once that transaction has ended
    (committed or rolled back: a rollback costs a needless rebuild, nothing more)."""
    global _watcher
    if _open_transaction(client) is None:
        invalidate(tags)
        return
    _pending.append((client, tags))
    if _watcher is None or _watcher.done():
        try:
            _watcher = asyncio.get_running_loop().create_task(_watch_transactions())
        except RuntimeError:
            invalidate(tags)


def _flush_finished() -> None:
    done = [(c, t) for c, t in _pending if _open_transaction(c) is None]
    for item in done:
        _pending.remove(item)
        invalidate(item[1])


async def _watch_transactions() -> None:
    """Catches the ends of transactions nobody reads after (other workers must hear)."""
    while _pending:
        await asyncio.sleep(_POLL_SECONDS)
        _flush_finished()


# --------------------------------------------------------------------------- wiring


async def listen(cache: HotCache, broker: Any) -> asyncio.Task:
    """Subscribe ``cache`` to the other workers' bumps; returns the reading task."""

    async def publish(message: bytes) -> None:
        try:
            await broker.publish(CHANNEL, message)
        except Exception:  # the broker is down: the TTL still bounds staleness
            log.warning("could not publish a cache invalidation", exc_info=True)

    _publishers[cache] = publish
    subscription = await broker.subscribe(CHANNEL, maxsize=10_000)

    async def read() -> None:
        try:
            while True:
                message = await subscription.get()
                origin, _, body = message.partition(b"\n")
                if origin.decode() != cache.origin:
                    cache.bump(body.decode().split("\n"))
                if subscription.overflowed:  # lost bumps: start again from nothing
                    cache.clear()
                    subscription.overflowed = False
        finally:
            await subscription.close()

    return asyncio.get_running_loop().create_task(read())


_watched = False


def watch_models() -> None:
    """Register the model signals once per process (models are module-level classes)."""
    global _watched
    if _watched:
        return
    _watched = True
    from tortoise.signals import post_delete, post_save

    from lms_core.models import ClassLecturer, Course, CourseClass, Enrolment

    def tags_of(instance: Any) -> Tags:
        if isinstance(instance, (Enrolment, ClassLecturer)):
            return (user_tag(instance.user_id),)
        if isinstance(instance, CourseClass):
            return (classes_tag(instance.institution_id),)
        if isinstance(instance, Course):
            return (courses_tag(instance.institution_id), classes_tag(instance.institution_id))
        return ()

    @post_save(Enrolment, ClassLecturer, CourseClass, Course)
    async def _saved(sender: Any, instance: Any, created: bool, using_db: Any,
                     update_fields: Any) -> None:
        invalidate_after_commit(using_db, tags_of(instance))

    @post_delete(Enrolment, ClassLecturer, CourseClass, Course)
    async def _deleted(sender: Any, instance: Any, using_db: Any) -> None:
        invalidate_after_commit(using_db, tags_of(instance))


def user_tag(user_id: int) -> str:
    return f"u:{user_id}"


def classes_tag(institution_id: int) -> str:
    return f"ic:{institution_id}"


def courses_tag(institution_id: int) -> str:
    return f"co:{institution_id}"
