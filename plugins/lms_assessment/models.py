"""Competency requirements of job positions and post-training reviews (app label ``assessment``)."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model


class PositionCompetency(Model):
    """A competency a job position requires (khung năng lực), with the level expected (1 to 5).
    Codes are those courses declare in their manifests, which is how completions cover them."""

    id = fields.IntField(primary_key=True)
    institution: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.Institution", related_name=False, on_delete=fields.CASCADE
    )
    position: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.JobPosition", related_name=False, on_delete=fields.CASCADE
    )
    code = fields.CharField(max_length=64)
    required_level = fields.SmallIntField(default=1)

    class Meta:
        table = "assessment_position_competency"
        unique_together = (("position", "code"),)


class ReviewStatus(str, Enum):
    PENDING = "pending"
    DONE = "done"
    CANCELLED = "cancelled"


class PostTrainingReview(Model):
    """The supervisor's rating of how a trainee applies a completed course in the job, due some
    months after the course (đánh giá sau đào tạo). One per enrolment."""

    id = fields.IntField(primary_key=True)
    institution: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.Institution", related_name=False, on_delete=fields.CASCADE
    )
    enrolment: fields.OneToOneRelation = fields.OneToOneField(
        "lms.Enrolment", related_name=False, on_delete=fields.CASCADE
    )
    trainee: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.User", related_name=False, on_delete=fields.CASCADE
    )
    reviewer: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "lms.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    due_on = fields.DateField(db_index=True)
    status = fields.CharEnumField(ReviewStatus, max_length=16, default=ReviewStatus.PENDING,
                                  db_index=True)
    rating = fields.SmallIntField(null=True)
    applied_level = fields.SmallIntField(null=True)
    comment = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    submitted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "assessment_review"
        indexes = (("institution_id", "reviewer_id", "status"),)
