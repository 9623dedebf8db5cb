"""Enrolments with their life cycle, module progress and course completions."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model


class EnrolmentStatus(str, Enum):
    NOMINATED = "nominated"
    APPROVED = "approved"
    ACTIVE = "active"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


#: Statuses that hold a seat in the class (capacity is counted over these).
SEAT_HOLDING = (EnrolmentStatus.APPROVED, EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED)


class Enrolment(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.User", related_name="enrolments", on_delete=fields.CASCADE
    )
    klass: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.CourseClass", related_name="enrolments", on_delete=fields.CASCADE
    )
    status = fields.CharEnumField(EnrolmentStatus, max_length=16, db_index=True)
    nominated_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "lms.User", related_name="nominations", null=True, on_delete=fields.SET_NULL
    )
    approved_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "lms.User", related_name="approvals", null=True, on_delete=fields.SET_NULL
    )
    nominated_at = fields.DatetimeField(null=True)
    approved_at = fields.DatetimeField(null=True)
    activated_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)
    withdrawn_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "lms_enrolment"
        unique_together = (("user", "klass"),)
        #: Rosters and seat counts start from the class (the unique index starts from the user);
        #: the trainee's id at the end lets the reports count a class's people, and the distinct
        #: people of a year, from the index alone (no visit of the scattered table rows).
        indexes = (("klass_id", "status", "user_id"),)


class ProgressStatus(str, Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class ModuleProgress(Model):
    id = fields.IntField(primary_key=True)
    enrolment: fields.ForeignKeyRelation[Enrolment] = fields.ForeignKeyField(
        "lms.Enrolment", related_name="progress", on_delete=fields.CASCADE
    )
    module: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.CourseModule", related_name="progress", on_delete=fields.CASCADE
    )
    status = fields.CharEnumField(ProgressStatus, max_length=16, default=ProgressStatus.NOT_STARTED)
    score = fields.FloatField(null=True)
    completed_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "lms_module_progress"
        unique_together = (("enrolment", "module"),)


class CourseCompletion(Model):
    """A completed course, kept even if the class is later archived: the training record."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.User", related_name="completions", on_delete=fields.CASCADE
    )
    course: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.Course", related_name="completions", on_delete=fields.CASCADE
    )
    klass: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.CourseClass", related_name="completions", on_delete=fields.CASCADE
    )
    course_version = fields.IntField(default=1)
    completed_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "lms_course_completion"
        unique_together = (("user", "klass"),)
