"""Who is calling: the user, the institution they act in, their roles and permissions.

Loaded once per request by the auth middleware and cached briefly per (user, institution), so
the hot read paths cost no extra query. A change of roles is seen at once on the worker that made
it (``forget``) and within ``TTL_SECONDS`` on the others.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from lms_core import sql
from lms_core.batching import Coalescer

TTL_SECONDS = 10.0
#: The user and all their memberships in one hand-written query (``lms_core.sql``): a cold load
#: was two ORM queries, ~0.9 ms of a worker's CPU, paid by every user of a burst whose entry
#: had expired (a class submitting a timed test).
#: For every user of a batch at once (``lms_core.batching``): when a class's entries expire
#: together (the same idle minute before submitting a test), a thousand loads share a few
#: statements instead of a round trip each.
_LOAD = ("SELECT u.id, u.login, u.full_name, u.locale, u.unit_id, u.session_epoch, "
         "m.institution_id, m.role FROM lms_user u "
         "LEFT JOIN lms_membership m ON m.user_id = u.id "
         "WHERE {users} AND u.is_active = $2")


@dataclass(frozen=True)
class Principal:
    user_id: int
    login: str
    full_name: str
    locale: str
    institution_id: int | None
    institution_ids: tuple[int, ...]
    roles: frozenset[str]
    permissions: frozenset[str]
    unit_id: int | None
    via: str = "session"
    session_epoch: int = 0

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def has_role(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)


#: An expired entry is still served for this long while one request reloads it in the
#: background. Without it, every request of a busy user that arrives in the instant of expiry
#: reloaded the principal at once: measured on SQLite, a 0.5 s stall every 10 s.
REFRESH_GRACE_SECONDS = 5.0

_Key = tuple[int, "int | None", str]


class PrincipalLoader:
    def __init__(self, role_permissions: dict[str, frozenset[str]]) -> None:
        self.role_permissions = role_permissions
        self._cache: dict[_Key, tuple[float, Principal | None]] = {}
        self._loading: dict[_Key, asyncio.Future[Principal | None]] = {}
        self._forgotten = 0  # bumped by forget(): a load that began before must not be kept
        self._rows: Coalescer[int, list[Any]] = Coalescer(_rows_of_users, max_batch=500)

    def forget(self, user_id: int | None = None) -> None:
        self._forgotten += 1
        for key in [k for k in self._loading if user_id is None or k[0] == user_id]:
            del self._loading[key]
        if user_id is None:
            self._cache.clear()
            return
        for key in [k for k in self._cache if k[0] == user_id]:
            del self._cache[key]

    async def load(self, user_id: int, institution_id: int | None, via: str) -> Principal | None:
        key = (user_id, institution_id, via)
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None:
            if hit[0] > now:
                return hit[1]
            if hit[0] + REFRESH_GRACE_SECONDS > now:
                if key not in self._loading:
                    self._start_load(key)
                return hit[1]
        future = self._loading.get(key) or self._start_load(key)
        return await asyncio.shield(future)

    def _start_load(self, key: _Key) -> asyncio.Future[Principal | None]:
        """One load per key at a time; every caller that needs it waits for the same one."""
        task = asyncio.get_running_loop().create_task(self._load(*key))
        self._loading[key] = task
        generation = self._forgotten

        def done(t: asyncio.Task) -> None:
            if self._loading.get(key) is t:
                del self._loading[key]
            if t.cancelled() or t.exception() is not None:
                return  # the waiting callers see the error; nothing is cached
            if generation != self._forgotten:
                return  # read before a change this worker has made
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[key] = (time.monotonic() + TTL_SECONDS, t.result())

        task.add_done_callback(done)
        return task

    async def _load(self, user_id: int, institution_id: int | None, via: str) -> Principal | None:
        rows = await self._rows.get(user_id)
        if not rows:
            return None
        u = rows[0]
        memberships = [(r[6], r[7]) for r in rows if r[6] is not None]
        institutions = tuple(sorted({inst for inst, _role in memberships}))
        if institution_id is None or institution_id not in institutions:
            institution_id = institutions[0] if institutions else None
        roles = _shared(frozenset(str(role) for inst, role in memberships
                                  if inst == institution_id))
        perms: set[str] = set()
        for role in roles:
            perms |= self.role_permissions.get(role, frozenset())
        return Principal(
            user_id=u[0],
            login=u[1],
            full_name=u[2],
            locale=u[3] or "vi",
            institution_id=institution_id,
            institution_ids=institutions,
            roles=roles,
            permissions=_shared(frozenset(perms)),
            unit_id=u[4],
            via=via,
            session_epoch=u[5],
        )


#: One frozenset per distinct set of roles or permissions, shared by every principal that has
#: it: a live class holds a principal per socket, and 10,000 copies of the same trainee
#: permissions were 0.7 KiB each. Bounded by the distinct combinations of roles.
_SETS: dict[frozenset[str], frozenset[str]] = {}


def _shared(value: frozenset[str]) -> frozenset[str]:
    if len(_SETS) > 10_000:
        _SETS.clear()
    return _SETS.setdefault(value, value)


async def _rows_of_users(user_ids: list[int]) -> dict[int, list[Any]]:
    """``_LOAD``'s rows of these (active) users, by user id."""
    out: dict[int, list[Any]] = {}
    users, param = sql.any_id("u.id", 1)
    for row in await sql.fetch_rows(_LOAD.format(users=users), param(sorted(set(user_ids))),
                                    True):
        out.setdefault(row[0], []).append(row)
    return out


def role_permission_map(permissions: dict[str, object]) -> dict[str, frozenset[str]]:
    """Invert the registered permissions (name -> default roles) into role -> permission names."""
    out: dict[str, set[str]] = {}
    for name, perm in permissions.items():
        for role in getattr(perm, "roles", ()):
            out.setdefault(role, set()).add(name)
    return {role: frozenset(names) for role, names in out.items()}
