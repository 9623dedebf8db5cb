"""JSON endpoints of the assessment plugin, under /api/v1/assessment/."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from lms_core.auth.principal import Principal
from lms_core.http.endpoints import api, path_int
from lms_assessment import frames, reviews
from lms_assessment.report import coverage_report
from lms_assessment.schemas import CompetencySet, CoverageQuery, ReviewQuery, ReviewSubmit

PREFIX = "/api/v1/assessment"
TAGS = ("assessment",)


@api("GET", permission="assessment.review", query=ReviewQuery, tags=TAGS,
     summary="Post-training reviews assigned to me (all of them for admins)")
async def list_reviews(request: Request, principal: Principal, query: ReviewQuery):
    """Pending by default, the earliest due first. Supervisors see only the reviews assigned to
    them; holders of `assessment.manage` every review of the institution."""
    total, items = await reviews.list_reviews(principal, query.status, query.limit,
                                              query.offset)
    return {"total": total, "items": items}


@api("GET", permission="assessment.review", tags=TAGS, summary="One post-training review",
     responses={404: "Review not found or not assigned to you"})
async def get_review(request: Request, principal: Principal):
    return await reviews.get_review(principal, path_int(request, "review_id"))


@api("POST", permission="assessment.review", body=ReviewSubmit, tags=TAGS,
     summary="Submit a post-training review (once)",
     responses={404: "Review not found or not assigned to you", 409: "Already submitted"})
async def submit_review(request: Request, principal: Principal, body: ReviewSubmit):
    return await reviews.submit_review(principal, path_int(request, "review_id"), body)


@api("GET", permission="assessment.report", tags=TAGS,
     summary="Job positions with the competencies each requires")
async def list_frames(request: Request, principal: Principal):
    return {"items": await frames.positions_with_frames(principal.institution_id)}


@api("GET", permission="assessment.report", tags=TAGS,
     summary="Competencies one job position requires", responses={404: "Position not found"})
async def get_frame(request: Request, principal: Principal):
    return await frames.position_frame(principal.institution_id,
                                       path_int(request, "position_id"))


@api("PUT", permission="assessment.manage", body=CompetencySet, tags=TAGS,
     summary="Set the competencies a job position requires (replaces the list)",
     responses={404: "Position not found"})
async def set_frame(request: Request, principal: Principal, body: CompetencySet):
    return await frames.set_frame(principal.institution_id, path_int(request, "position_id"),
                                  body.items)


@api("GET", permission="assessment.report", query=CoverageQuery, tags=TAGS,
     summary="Share of staff meeting their job position's standard, per unit",
     responses={404: "Unit not found"})
async def coverage(request: Request, principal: Principal, query: CoverageQuery):
    """Each unit's figures include its sub-units. A person meets the standard when the
    competencies of the courses they completed cover every competency their position requires.
    `share` is meeting / staff; people without a defined standard are `without_standard`."""
    return await coverage_report(principal.institution_id, query.unit_id, query.details)


def routes() -> list[BaseRoute]:
    def r(path: str, endpoint) -> Route:
        return Route(PREFIX + path, endpoint, methods=[endpoint.__lms_api__.method],
                     name=f"api.assessment_{endpoint.__name__}")

    return [
        r("/reviews", list_reviews),
        r("/reviews/{review_id:int}", get_review),
        r("/reviews/{review_id:int}/submit", submit_review),
        r("/positions", list_frames),
        r("/positions/{position_id:int}/competencies", get_frame),
        r("/positions/{position_id:int}/competencies", set_frame),
        r("/coverage", coverage),
    ]
