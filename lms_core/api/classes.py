"""Classes: my classes, the classes I may see, creating one, and its roster."""

from __future__ import annotations

from starlette.requests import Request
from tortoise.expressions import Q

from starlette.responses import Response

from lms_core import cache
from lms_core.api.schemas import ClassCreate, Page
from lms_core.auth.principal import Principal
from lms_core.text import fold
from lms_core.http.endpoints import api, path_int
from lms_core.http.problems import Problem
from lms_core.models import ClassLecturer, Enrolment
from lms_core.runtime import runtime
from lms_core.services import classes as svc
from lms_core.services.enrolments import enrolment_dict, seats_taken
from lms_core.services.users import unit_subtree_ids


@api("GET", permission="classes.view", summary="My classes (learning or teaching)",
     tags=("classes",))
async def my_classes(request: Request, principal: Principal):
    """Cached per user until one of their enrolments or lecturer links, or a class or course
    of the institution, changes (lms_core.cache)."""
    async def build() -> dict:
        return {"items": await svc.my_classes(principal)}

    if principal.institution_id is None:
        return await build()
    body = await runtime(request).cache.get_or_build(
        ("my-classes", principal.institution_id, principal.user_id),
        (cache.user_tag(principal.user_id), cache.classes_tag(principal.institution_id)), build)
    return Response(body, media_type="application/json")


@api("GET", permission="classes.view", query=Page, summary="Classes I may see",
     tags=("classes",))
async def list_classes(request: Request, principal: Principal, query: Page):
    qs = svc.visible_classes(principal)
    for word in fold(query.q).split():
        qs = qs.filter(Q(title_key__contains=word) | Q(code__icontains=word))
    total = await qs.count()
    rows = await qs.order_by("-starts_on", "-id").offset(query.offset).limit(query.limit).values(
        *svc.CLASS_FIELDS, "course__title", "course__code")
    return {"total": total, "items": [svc.class_dict(r) for r in rows]}


@api("POST", permission="classes.manage", body=ClassCreate, status=201,
     summary="Create a class (lớp)", tags=("classes",), responses={409: "Code taken"})
async def create_class(request: Request, principal: Principal, body: ClassCreate):
    klass = await svc.create_class(
        principal.institution_id, course_id=body.course_id, code=body.code, title=body.title,
        starts_on=body.starts_on, ends_on=body.ends_on, delivery_mode=body.delivery_mode,
        capacity=body.capacity, self_enrol=body.self_enrol, location=body.location,
        schedule=[p.model_dump() for p in body.schedule], lecturer_ids=body.lecturer_ids)
    return {"id": klass.id, "code": klass.code, "title": klass.title}


@api("GET", permission="classes.view", summary="One class", tags=("classes",))
async def get_class(request: Request, principal: Principal):
    klass = await svc.get_visible_class(principal, path_int(request, "class_id"))
    row = {k: getattr(klass, k) for k in svc.CLASS_FIELDS if k != "course_id"}
    row["course_id"] = klass.course_id
    row["seats_taken"] = await seats_taken(klass.id)
    row["lecturer_ids"] = list(await ClassLecturer.filter(klass_id=klass.id)
                               .values_list("user_id", flat=True))
    return svc.class_dict(row)


async def roster_scope(principal: Principal, klass) -> list[int] | None:
    """Which trainees' enrolments the caller may see: all (None) for admins, planners and the
    class's lecturers; the supervisor's own unit subtree; nobody else's otherwise."""
    if principal.has_role("admin", "planner"):
        return None
    if principal.has_role("lecturer") and await ClassLecturer.filter(
            klass_id=klass.id, user_id=principal.user_id).exists():
        return None
    if principal.has_role("supervisor") and principal.unit_id:
        return await unit_subtree_ids(principal.unit_id)
    raise Problem(403)


@api("GET", permission="enrolments.view", summary="Roster of a class", tags=("enrolments",))
async def class_roster(request: Request, principal: Principal):
    klass = await svc.get_visible_class(principal, path_int(request, "class_id"))
    units = await roster_scope(principal, klass)
    qs = Enrolment.filter(klass_id=klass.id)
    if units is not None:
        qs = qs.filter(user__unit_id__in=units)
    rows = await qs.order_by("user__sort_key").values(
        "id", "user_id", "klass_id", "status", "nominated_by_id", "approved_by_id",
        "nominated_at", "approved_at", "activated_at", "completed_at", "withdrawn_at",
        "user__full_name", "user__login", "user__unit_id")
    items = []
    for r in rows:
        item = enrolment_dict(r)
        item["user"] = {"id": r["user_id"], "full_name": r["user__full_name"],
                        "login": r["user__login"], "unit_id": r["user__unit_id"]}
        items.append(item)
    return {"items": items, "capacity": klass.capacity, "seats_taken": await seats_taken(klass.id)}


@api("POST", permission="classes.manage", summary="Mark a class ended", tags=("classes",),
     responses={409: "Already ended"})
async def end_class(request: Request, principal: Principal):
    """Plugins are told (lms_event_class_ended): live sessions close, reports can be final."""
    klass = await svc.get_visible_class(principal, path_int(request, "class_id"))
    await svc.end_class(runtime(request).plugins, klass, principal.user_id)
    return {"id": klass.id, "status": "ended"}
