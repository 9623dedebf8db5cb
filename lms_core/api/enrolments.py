"""Enrolling: by an admin, by oneself into an open class, by a supervisor's nomination."""

from __future__ import annotations

from starlette.requests import Request
from tortoise.transactions import in_transaction

from lms_core.api.schemas import EnrolBody, EnrolmentChange, NominateBody
from lms_core.auth.principal import Principal
from lms_core.http.endpoints import api, path_int
from lms_core.http.problems import Problem
from lms_core.models import Enrolment, EnrolmentStatus
from lms_core.runtime import runtime
from lms_core.services import classes as classes_svc
from lms_core.services.enrolments import change_enrolment, enrolment_dict
from lms_core.services.eventlog import emit_all
from lms_core.services.users import get_user_in, unit_subtree_ids

ENROL_RESPONSES = {404: "Class or user not found", 409: "Class full or transition not allowed"}


@api("POST", permission="enrolments.manage", body=EnrolBody, status=201,
     summary="Enrol a user (admin)", tags=("enrolments",), responses=ENROL_RESPONSES)
async def enrol_user(request: Request, principal: Principal, body: EnrolBody):
    klass = await classes_svc.get_visible_class(principal, path_int(request, "class_id"))
    user = await get_user_in(principal.institution_id, body.user_id)
    e = await change_enrolment(runtime(request).plugins, klass, user,
                               EnrolmentStatus(body.status), actor_id=principal.user_id)
    return enrolment_dict(e)


@api("POST", permission="enrolments.self", status=201, summary="Enrol myself in an open class",
     tags=("enrolments",), responses=ENROL_RESPONSES)
async def self_enrol(request: Request, principal: Principal):
    klass = await classes_svc.get_visible_class(principal, path_int(request, "class_id"))
    if not klass.self_enrol:
        raise Problem(403, "Lớp này không mở tự đăng ký.", "This class is not open to self-enrolment.")
    user = await get_user_in(principal.institution_id, principal.user_id)
    e = await change_enrolment(runtime(request).plugins, klass, user, EnrolmentStatus.ACTIVE,
                               actor_id=principal.user_id, via="self")
    return enrolment_dict(e)


@api("POST", permission="enrolments.nominate", body=NominateBody, status=201,
     summary="Nominate staff for a class (cử đi học)", tags=("enrolments",),
     responses=ENROL_RESPONSES)
async def nominate(request: Request, principal: Principal, body: NominateBody):
    """Supervisors nominate people of their own unit (and its sub-units); an admin approves."""
    klass = await classes_svc.get_visible_class(principal, path_int(request, "class_id"))
    allowed = None
    if not principal.has_role("admin"):
        allowed = set(await unit_subtree_ids(principal.unit_id)) if principal.unit_id else set()
    users = []
    for uid in dict.fromkeys(body.user_ids):
        user = await get_user_in(principal.institution_id, uid)
        if allowed is not None and user.unit_id not in allowed:
            raise Problem(403, f"{user.full_name} không thuộc đơn vị của bạn.",
                          f"{user.full_name} is not in your unit.")
        users.append(user)
    plugins = runtime(request).plugins
    pending: list = []
    async with in_transaction():  # the whole list or nobody
        out = [enrolment_dict(await change_enrolment(
            plugins, klass, u, EnrolmentStatus.NOMINATED, actor_id=principal.user_id,
            via="nomination", deferred=pending)) for u in users]
    await emit_all(plugins, pending)
    return {"items": out}


@api("PATCH", permission="enrolments.manage", body=EnrolmentChange,
     summary="Approve, activate, complete or withdraw an enrolment", tags=("enrolments",),
     responses=ENROL_RESPONSES)
async def change_status(request: Request, principal: Principal, body: EnrolmentChange):
    e = await Enrolment.get_or_none(id=path_int(request, "enrolment_id"),
                                    klass__institution_id=principal.institution_id)
    if e is None:
        raise Problem(404, "Không tìm thấy ghi danh.", "Enrolment not found.")
    klass = await e.klass
    user = await get_user_in(principal.institution_id, e.user_id)
    e = await change_enrolment(runtime(request).plugins, klass, user,
                               EnrolmentStatus(body.status), actor_id=principal.user_id,
                               via="approval" if body.status == "approved" else "manual")
    return enrolment_dict(e)


@api("POST", permission="enrolments.self", summary="Withdraw from a class myself",
     tags=("enrolments",), responses=ENROL_RESPONSES)
async def withdraw_self(request: Request, principal: Principal):
    klass = await classes_svc.get_visible_class(principal, path_int(request, "class_id"))
    user = await get_user_in(principal.institution_id, principal.user_id)
    e = await change_enrolment(runtime(request).plugins, klass, user, EnrolmentStatus.WITHDRAWN,
                               actor_id=principal.user_id, via="self")
    return enrolment_dict(e)
