"""Enrolling: by an admin, by oneself into an open class, by a supervisor's nomination."""

from __future__ import annotations

from starlette.requests import Request

from lms_core.api.schemas import EnrolBody, EnrolmentChange, NominateBody
from lms_core.auth.principal import Principal
from lms_core.http.endpoints import api, path_int
from lms_core.http.problems import Problem
from lms_core.models import Enrolment, EnrolmentStatus
from lms_core.runtime import runtime
from lms_core.services import classes as classes_svc
from lms_core.services.enrolments import change_enrolment, enrolment_dict
from lms_core.services.enrolments import nominate as nominate_staff
from lms_core.services.users import get_user_in

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
    made = await nominate_staff(runtime(request).plugins, principal, klass, body.user_ids)
    return {"items": [enrolment_dict(e) for e in made]}


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
