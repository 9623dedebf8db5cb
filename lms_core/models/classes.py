"""Classes (lớp): a cohort running a course on a schedule with its lecturers."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model


class DeliveryMode(str, Enum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    BLENDED = "blended"


class ClassStatus(str, Enum):
    PLANNED = "planned"
    RUNNING = "running"
    ENDED = "ended"


class CourseClass(Model):
    """``capacity`` 0 means unlimited. ``self_enrol`` opens the class to trainees of the
    institution without nomination."""

    id = fields.IntField(primary_key=True)
    institution: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.Institution", related_name="classes", on_delete=fields.CASCADE
    )
    course: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.Course", related_name="classes", on_delete=fields.RESTRICT
    )
    code = fields.CharField(max_length=64)
    title = fields.CharField(max_length=255)
    title_key = fields.CharField(max_length=255, default="", db_default="", db_index=True)
    starts_on = fields.DateField(null=True)
    ends_on = fields.DateField(null=True)
    schedule = fields.JSONField(default=list)
    location = fields.CharField(max_length=255, default="")
    delivery_mode = fields.CharEnumField(DeliveryMode, max_length=16, default=DeliveryMode.BLENDED)
    capacity = fields.IntField(default=0)
    self_enrol = fields.BooleanField(default=False)
    status = fields.CharEnumField(ClassStatus, max_length=16, default=ClassStatus.PLANNED)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "lms_class"
        unique_together = (("institution", "code"),)
        #: Staff list every class of the institution, newest first.
        indexes = (("institution_id", "starts_on", "id"),)


class ClassLecturer(Model):
    id = fields.IntField(primary_key=True)
    klass: fields.ForeignKeyRelation[CourseClass] = fields.ForeignKeyField(
        "lms.CourseClass", related_name="lecturer_links", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.User", related_name="lecturing", on_delete=fields.CASCADE
    )

    class Meta:
        table = "lms_class_lecturer"
        unique_together = (("klass", "user"),)
        #: "The classes I teach" starts from the lecturer.
        indexes = (("user_id", "klass_id"),)
