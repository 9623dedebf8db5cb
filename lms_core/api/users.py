"""Users, units and job positions of the caller's institution."""

from __future__ import annotations

from starlette.requests import Request

from lms_core.api.schemas import PositionCreate, UnitCreate, UserCreate, UserQuery
from lms_core.http.endpoints import api, path_int
from lms_core.http.problems import Problem
from lms_core.models import JobPosition, Unit
from lms_core.runtime import runtime
from lms_core.services import users as svc


@api("GET", permission="users.view", query=UserQuery, summary="Search users",
     tags=("users",))
async def list_users(request: Request, principal, query: UserQuery):
    """Diacritic-insensitive search, sorted the Vietnamese way (by given name). Supervisors see
    only their own unit and its sub-units."""
    unit_ids = None
    if query.unit_id is not None:
        unit_ids = await svc.unit_subtree_ids(query.unit_id)
    if not principal.has_role("admin", "planner"):
        own = await svc.unit_subtree_ids(principal.unit_id) if principal.unit_id else []
        unit_ids = [u for u in (unit_ids if unit_ids is not None else own) if u in set(own)]
    total, rows = await svc.search_users(principal.institution_id, query.q, query.role,
                                         unit_ids, query.limit, query.offset)
    return {"total": total, "items": rows}


@api("POST", permission="users.manage", body=UserCreate, status=201, summary="Create a user",
     tags=("users",), responses={409: "Login taken"})
async def create_user(request: Request, principal, body: UserCreate):
    user = await svc.create_user(
        runtime(request).plugins, principal.institution_id, login=body.login, email=body.email,
        full_name=body.full_name, password=body.password, roles=body.roles,
        unit_id=body.unit_id, job_position_id=body.job_position_id, locale=body.locale,
        actor_id=principal.user_id)
    return {"id": user.id, "login": user.login, "full_name": user.full_name}


@api("GET", permission="users.view", summary="One user", tags=("users",))
async def get_user(request: Request, principal):
    user = await svc.get_user_in(principal.institution_id, path_int(request, "user_id"))
    if not principal.has_role("admin", "planner"):
        own = await svc.unit_subtree_ids(principal.unit_id) if principal.unit_id else []
        if user.unit_id not in own:
            raise Problem(404, "Không tìm thấy người dùng.", "User not found.")
    return {"id": user.id, "login": user.login, "email": user.email,
            "full_name": user.full_name, "unit_id": user.unit_id,
            "job_position_id": user.job_position_id, "is_active": user.is_active,
            "locale": user.locale}


@api("GET", permission="courses.view", summary="The unit tree", tags=("organisation",))
async def list_units(request: Request, principal):
    rows = await Unit.filter(institution_id=principal.institution_id).order_by("path").values(
        "id", "code", "name", "parent_id", "depth", "path")
    return {"items": rows}


@api("POST", permission="institution.manage", body=UnitCreate, status=201,
     summary="Add a unit (agency or department)", tags=("organisation",))
async def create_unit(request: Request, principal, body: UnitCreate):
    unit = await svc.create_unit(principal.institution_id, body.code, body.name, body.parent_id)
    return {"id": unit.id, "code": unit.code, "name": unit.name, "path": unit.path}


@api("GET", permission="courses.view", summary="Job positions", tags=("organisation",))
async def list_positions(request: Request, principal):
    rows = await JobPosition.filter(institution_id=principal.institution_id).order_by(
        "code").values("id", "code", "title", "unit_id", "level")
    return {"items": rows}


@api("POST", permission="institution.manage", body=PositionCreate, status=201,
     summary="Add a job position (vị trí việc làm)", tags=("organisation",))
async def create_position(request: Request, principal, body: PositionCreate):
    await svc.check_unit_and_position(principal.institution_id, body.unit_id, None)
    if await JobPosition.filter(institution_id=principal.institution_id,
                                code=body.code).exists():
        raise Problem(409, f"Mã vị trí {body.code} đã có.", f"Position {body.code} exists.")
    pos = await JobPosition.create(institution_id=principal.institution_id, code=body.code,
                                   title=body.title, unit_id=body.unit_id, level=body.level)
    return {"id": pos.id, "code": pos.code, "title": pos.title}
