"""Post-training reviews: scheduled when a course is completed, assigned to the supervisor of
the trainee's unit (or of the nearest unit above it), submitted once."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, timezone
from typing import Any

from tortoise.exceptions import IntegrityError

from lms_core.auth.principal import Principal
from lms_core.http.problems import Problem
from lms_core.models import CourseClass, EventLog, InstitutionSetting, Membership, Role, Unit, User
from lms_assessment.models import PostTrainingReview, ReviewStatus
from lms_assessment.plugin import REVIEW_AFTER_DAYS, SETTINGS
from lms_assessment.schemas import ReviewSubmit

log = logging.getLogger("lms.assessment")

REVIEW_FIELDS = (
    "id", "status", "due_on", "rating", "applied_level", "comment", "created_at", "submitted_at",
    "enrolment_id", "trainee_id", "trainee__full_name", "reviewer_id", "reviewer__full_name",
    "enrolment__klass_id", "enrolment__klass__code", "enrolment__klass__title",
    "enrolment__klass__course_id", "enrolment__klass__course__title",
    "enrolment__completed_at",
)


async def review_after_days(institution_id: int) -> int:
    """The institution's setting (the row, else the declared default), checked: a malformed stored
    value must never stop a review from being scheduled."""
    default = SETTINGS[0].default
    row = await InstitutionSetting.get_or_none(institution_id=institution_id,
                                               key=REVIEW_AFTER_DAYS)
    value = default if row is None else row.value
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3650:
        log.warning("institution %s: %s=%r is not a number of days, using %s",
                    institution_id, REVIEW_AFTER_DAYS, value, default)
        return default
    return value


async def find_reviewer(institution_id: int, unit_id: int | None,
                        exclude_user_id: int | None = None) -> int | None:
    """A supervisor of the unit itself, else of the nearest unit above it (by the materialised
    path). Several in the same unit: the longest-standing account, so the choice is stable."""
    if unit_id is None:
        return None
    unit = await Unit.get_or_none(id=unit_id, institution_id=institution_id)
    if unit is None:
        return None
    chain = [int(p) for p in unit.path.strip("/").split("/") if p.isdigit()] or [unit.id]
    rank = {uid: depth for depth, uid in enumerate(chain)}
    qs = Membership.filter(institution_id=institution_id, role=Role.SUPERVISOR,
                           user__is_active=True, user__unit_id__in=chain,
                           user__unit__institution_id=institution_id)
    if exclude_user_id is not None:
        qs = qs.exclude(user_id=exclude_user_id)
    rows = await qs.values_list("user_id", "user__unit_id")
    if not rows:
        return None
    return max(rows, key=lambda r: (rank[r[1]], -r[0]))[0]


async def schedule_review(enrolment: Any) -> PostTrainingReview | None:
    """Create the pending review of a completed enrolment, once (it is called from both the
    course-completed and the enrolment-changed events, and events may be repeated)."""
    existing = await PostTrainingReview.get_or_none(enrolment_id=enrolment.id)
    if existing is not None:
        return existing
    klass = await CourseClass.filter(id=enrolment.klass_id).first().values("institution_id")
    trainee = await User.filter(id=enrolment.user_id).first().values("id", "unit_id")
    if klass is None or trainee is None:
        return None
    institution_id = klass["institution_id"]
    completed = enrolment.completed_at or datetime.now(timezone.utc)
    due_on = completed.date() + timedelta(days=await review_after_days(institution_id))
    reviewer_id = await find_reviewer(institution_id, trainee["unit_id"], trainee["id"])
    try:
        review, _ = await PostTrainingReview.get_or_create(
            enrolment_id=enrolment.id,
            defaults={"institution_id": institution_id, "trainee_id": trainee["id"],
                      "reviewer_id": reviewer_id, "due_on": due_on},
        )
    except IntegrityError:  # the other event created it in the meantime
        review = await PostTrainingReview.get(enrolment_id=enrolment.id)
    return review


def visible_reviews(principal: Principal):
    """Those of the caller's institution assigned to the caller, or all of them for managers."""
    qs = PostTrainingReview.filter(institution_id=principal.institution_id)
    if not principal.can("assessment.manage"):
        qs = qs.filter(reviewer_id=principal.user_id)
    return qs


def review_dict(row: dict[str, Any], today: date | None = None) -> dict[str, Any]:
    today = today or datetime.now(timezone.utc).date()
    status = getattr(row["status"], "value", row["status"])
    return {
        "id": row["id"], "status": status, "due_on": row["due_on"],
        "is_due": status == "pending" and row["due_on"] <= today,
        "rating": row["rating"], "applied_level": row["applied_level"],
        "comment": row["comment"], "created_at": row["created_at"],
        "submitted_at": row["submitted_at"], "enrolment_id": row["enrolment_id"],
        "trainee": {"id": row["trainee_id"], "full_name": row["trainee__full_name"]},
        "reviewer": ({"id": row["reviewer_id"], "full_name": row["reviewer__full_name"]}
                     if row["reviewer_id"] else None),
        "class": {"id": row["enrolment__klass_id"], "code": row["enrolment__klass__code"],
                  "title": row["enrolment__klass__title"]},
        "course": {"id": row["enrolment__klass__course_id"],
                   "title": row["enrolment__klass__course__title"]},
        "completed_at": row["enrolment__completed_at"],
    }


async def list_reviews(principal: Principal, status: str, limit: int,
                       offset: int) -> tuple[int, list[dict[str, Any]]]:
    qs = visible_reviews(principal)
    if status != "all":
        qs = qs.filter(status=ReviewStatus(status))
    total = await qs.count()
    # trainee__sort_key is lms_core.text.name_sort_key of the name: Vietnamese order by given name
    rows = await qs.order_by("due_on", "trainee__sort_key", "id").offset(offset).limit(limit)\
        .values(*REVIEW_FIELDS)
    return total, [review_dict(r) for r in rows]


async def get_review(principal: Principal, review_id: int) -> dict[str, Any]:
    row = await visible_reviews(principal).filter(id=review_id).first().values(*REVIEW_FIELDS)
    if row is None:
        raise Problem(404, "Không tìm thấy phiếu đánh giá.", "Review not found.")
    return review_dict(row)


async def submit_review(principal: Principal, review_id: int,
                        body: ReviewSubmit) -> dict[str, Any]:
    """Only the assigned reviewer (or a manager) and only once: the update is conditional on the
    review still being pending, so two simultaneous submits cannot both succeed."""
    review = await visible_reviews(principal).filter(id=review_id).first()
    if review is None:
        raise Problem(404, "Không tìm thấy phiếu đánh giá.", "Review not found.")
    if review.status != ReviewStatus.PENDING:
        raise _already(review.status)
    now = datetime.now(timezone.utc)
    changed = await PostTrainingReview.filter(id=review.id, status=ReviewStatus.PENDING).update(
        status=ReviewStatus.DONE, rating=body.rating, applied_level=body.applied_level,
        comment=body.comment, submitted_at=now,
        reviewer_id=review.reviewer_id or principal.user_id,
    )
    if not changed:
        raise _already(ReviewStatus.DONE)
    await EventLog.create(institution_id=principal.institution_id, actor_id=principal.user_id,
                          name="assessment.review_submitted",
                          payload={"review_id": review.id, "enrolment_id": review.enrolment_id,
                                   "rating": body.rating, "applied_level": body.applied_level,
                                   "on_behalf_of": review.reviewer_id
                                   if review.reviewer_id not in (None, principal.user_id)
                                   else None})
    return await get_review(principal, review.id)


def _already(status: Any) -> Problem:
    if getattr(status, "value", status) == "cancelled":
        return Problem(409, "Phiếu đánh giá này đã bị huỷ.", "This review was cancelled.")
    return Problem(409, "Phiếu đánh giá này đã được nộp, không thể nộp lại.",
                   "This review has already been submitted.")
