"""Creating, updating and finding users, always within one institution."""

from __future__ import annotations

import re
from typing import Any, Iterable

from tortoise.expressions import Q, Subquery
from tortoise.transactions import in_transaction

from lms_core.auth.passwords import hash_password, password_problem
from lms_core.http.problems import Problem
from lms_core.models import Institution, JobPosition, Membership, Role, Unit, User
from lms_core.plugins import PluginManager
from lms_core.services.eventlog import emit
from lms_core.text import fold, name_sort_key

LOGIN_RE = re.compile(r"^[A-Za-z0-9._@-]{3,150}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def user_fields(full_name: str) -> dict[str, str]:
    """Derived columns kept in step with the name: search key and Vietnamese sort key."""
    name = " ".join(full_name.split())
    return {"full_name": name, "name_key": fold(name), "sort_key": name_sort_key(name)}


def check_identity(login: str, email: str) -> None:
    if not LOGIN_RE.match(login):
        raise Problem(422, "Tên đăng nhập gồm 3–150 ký tự: chữ, số, dấu . _ - @.",
                      "Login must be 3-150 characters: letters, digits, . _ - @.")
    if len(email) > 254 or not EMAIL_RE.match(email):
        raise Problem(422, f"Email không hợp lệ: {email}.", f"Invalid email: {email}.")


async def create_user(
    plugins: PluginManager, institution_id: int, *, login: str, email: str, full_name: str,
    password: str | None = None, roles: Iterable[str] = ("trainee",), unit_id: int | None = None,
    job_position_id: int | None = None, locale: str = "vi", actor_id: int | None = None,
) -> User:
    login = login.strip().lower()
    email = email.strip().lower()
    check_identity(login, email)
    if password is not None and (reason := password_problem(password)):
        raise Problem(422, reason, "Password too weak (at least 8 characters, not only digits).")
    await check_unit_and_position(institution_id, unit_id, job_position_id)
    async with in_transaction():
        if await User.filter(login=login).exists():
            raise Problem(409, f"Tên đăng nhập {login} đã được dùng.", f"Login {login} is taken.")
        user = await User.create(
            login=login, email=email, **user_fields(full_name),
            password_hash=hash_password(password) if password else "",
            unit_id=unit_id, job_position_id=job_position_id, locale=locale,
        )
        for role in set(roles):
            await Membership.create(user=user, institution_id=institution_id, role=Role(role))
    institution = await Institution.get(id=institution_id)
    await emit(plugins, "lms_event_user_created", institution_id, actor_id,
               {"user_id": user.id, "login": login},
               user=user, institution=institution, actor=actor_id)
    return user


async def check_unit_and_position(institution_id: int, unit_id: int | None,
                                  job_position_id: int | None) -> None:
    """A unit or position from another institution is treated as not found, never as valid."""
    if unit_id is not None and not await Unit.filter(id=unit_id,
                                                     institution_id=institution_id).exists():
        raise Problem(422, f"Đơn vị {unit_id} không tồn tại.", f"Unit {unit_id} does not exist.")
    if job_position_id is not None and not await JobPosition.filter(
            id=job_position_id, institution_id=institution_id).exists():
        raise Problem(422, f"Vị trí việc làm {job_position_id} không tồn tại.",
                      f"Job position {job_position_id} does not exist.")


def institution_users(institution_id: int, role: str | None = None):
    """Users holding any role (or ``role``) in the institution: the only users its staff may see.

    An IN subquery rather than a join with DISTINCT, which PostgreSQL refuses to combine with
    ORDER BY on a column that is not selected (the Vietnamese sort key)."""
    members = Membership.filter(institution_id=institution_id)
    if role:
        members = members.filter(role=role)
    return User.filter(id__in=Subquery(members.values("user_id")))


async def get_user_in(institution_id: int, user_id: int) -> User:
    user = await institution_users(institution_id).filter(id=user_id).first()
    if user is None:
        raise Problem(404, "Không tìm thấy người dùng.", "User not found.")
    return user


async def search_users(institution_id: int, q: str = "", role: str | None = None,
                       unit_ids: list[int] | None = None, limit: int = 50,
                       offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    qs = institution_users(institution_id, role)
    for word in fold(q).split():
        qs = qs.filter(Q(name_key__contains=word) | Q(login__contains=word)
                       | Q(email__contains=word))
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    total = await qs.count()
    rows = await qs.order_by("sort_key", "id").offset(offset).limit(limit).values(
        "id", "login", "email", "full_name", "unit_id", "job_position_id", "is_active", "locale")
    ids = [r["id"] for r in rows]
    roles: dict[int, list[str]] = {}
    for uid, r in await Membership.filter(user_id__in=ids, institution_id=institution_id)\
            .values_list("user_id", "role"):
        roles.setdefault(uid, []).append(str(getattr(r, "value", r)))
    for r in rows:
        r["roles"] = sorted(roles.get(r["id"], []))
    return total, rows


async def unit_subtree_ids(unit_id: int) -> list[int]:
    unit = await Unit.get_or_none(id=unit_id)
    if unit is None:
        return []
    return list(await Unit.filter(institution_id=unit.institution_id,
                                  path__startswith=unit.path).values_list("id", flat=True))


async def create_unit(institution_id: int, code: str, name: str,
                      parent_id: int | None = None) -> Unit:
    async with in_transaction():
        parent = None
        if parent_id is not None:
            parent = await Unit.get_or_none(id=parent_id, institution_id=institution_id)
            if parent is None:
                raise Problem(422, "Đơn vị cấp trên không tồn tại.", "Parent unit not found.")
        if await Unit.filter(institution_id=institution_id, code=code).exists():
            raise Problem(409, f"Mã đơn vị {code} đã có.", f"Unit code {code} exists.")
        unit = await Unit.create(institution_id=institution_id, code=code, name=name,
                                 parent=parent, depth=(parent.depth + 1) if parent else 0)
        unit.path = f"{parent.path if parent else '/'}{unit.id}/"
        await unit.save(update_fields=["path"])
    return unit


async def set_password(user_id: int, password: str) -> None:
    """Change a password and end every existing session of that user (on every worker, since
    the epoch is read with the principal)."""
    if reason := password_problem(password):
        raise Problem(422, reason, "Password too weak (at least 8 characters, not only digits).")
    user = await User.get(id=user_id)
    user.password_hash = hash_password(password)
    user.session_epoch += 1
    await user.save(update_fields=["password_hash", "session_epoch", "updated_at"])
