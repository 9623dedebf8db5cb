"""JSON endpoints of the on-the-job step: the ratings assigned to me (supervisor or self),
submitting one, what is overdue in a unit, my reminders, and a class's changes since the
baseline."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from lms_core.auth.principal import Principal
from lms_core.http.endpoints import api, path_int

from lms_assessment import class_steps, on_the_job, plans
from lms_assessment.models import Reminder
from lms_assessment.schemas import NeedsQuery, RatingQuery, RatingSubmit

PREFIX = "/api/v1/assessment"
TAGS = ("assessment",)


@api("GET", permission=None, query=RatingQuery, tags=TAGS,
     summary="On-the-job ratings assigned to me (as supervisor, or of myself)")
async def my_ratings(request: Request, principal: Principal, query: RatingQuery):
    rows = await class_steps.rater_queue(principal, query.status)
    return {"items": [await on_the_job.form(r) for r in rows]}


@api("GET", permission=None, tags=TAGS, summary="One rating to fill in",
     responses={404: "Not assigned to you"})
async def get_rating(request: Request, principal: Principal):
    return await on_the_job.form(await on_the_job.mine(principal, path_int(request, "rating_id")))


@api("POST", permission=None, body=RatingSubmit, tags=TAGS,
     summary="Send a rating (once): each course competency's level with an example",
     responses={404: "Not assigned to you", 409: "Sent already", 422: "Competencies do not match"})
async def send_rating(request: Request, principal: Principal, body: RatingSubmit):
    rating = await class_steps.send_rating(principal, path_int(request, "rating_id"),
                                           [i.model_dump() for i in body.items])
    return await on_the_job.form(rating)


@api("GET", permission="assessment.needs", query=NeedsQuery, tags=TAGS,
     summary="Overdue on-the-job ratings of a unit (with its sub-units)",
     responses={403: "Outside the supervisor's unit"})
async def overdue(request: Request, principal: Principal, query: NeedsQuery):
    return {"items": await class_steps.overdue_in_scope(principal, query.unit_id)}


@api("GET", permission=None, tags=TAGS, summary="My reminders, newest first")
async def my_reminders(request: Request, principal: Principal):
    rows = await Reminder.filter(user_id=principal.user_id,
                                 institution_id=principal.institution_id).order_by(
        "-sent_at", "-id").limit(100).values("id", "kind", "ref", "message", "message_en",
                                             "sent_at", "read_at")
    return {"items": rows}


@api("GET", permission=None, tags=TAGS, summary="What changed on the job since the baseline",
     responses={403: "Not staff of the class"})
async def class_changes(request: Request, principal: Principal):
    klass = await plans.class_for_staff(principal, path_int(request, "class_id"))
    return {"class_id": klass.id, "items": await on_the_job.changes(klass.id)}


def routes() -> list[BaseRoute]:
    def r(path: str, endpoint: Any) -> Route:
        return Route(PREFIX + path, endpoint, methods=[endpoint.__lms_api__.method],
                     name=f"api.assessment_{endpoint.__name__}")

    return [r("/ratings", my_ratings), r("/ratings/overdue", overdue),
            r("/ratings/{rating_id:int}", get_rating), r("/ratings/{rating_id:int}", send_rating),
            r("/reminders", my_reminders),
            r("/classes/{class_id:int}/on-the-job", class_changes)]
