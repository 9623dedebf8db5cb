"""Institutions, their unit tree (agencies and departments, any depth) and job positions."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Institution(Model):
    """A training institution (trường chính trị, học viện) or an employer using the platform.

    Every other row is scoped to one institution: it is the tenant boundary.
    """

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=255)
    name_en = fields.CharField(max_length=255, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "lms_institution"


class Unit(Model):
    """An agency or department. ``path`` is a materialised path ("/3/17/42/") so that a whole
    subtree is one indexed prefix query instead of a recursive walk."""

    id = fields.IntField(primary_key=True)
    institution: fields.ForeignKeyRelation[Institution] = fields.ForeignKeyField(
        "lms.Institution", related_name="units", on_delete=fields.CASCADE
    )
    parent: fields.ForeignKeyNullableRelation["Unit"] = fields.ForeignKeyField(
        "lms.Unit", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    code = fields.CharField(max_length=64)
    name = fields.CharField(max_length=255)
    path = fields.CharField(max_length=1024, default="/", db_index=True)
    depth = fields.IntField(default=0)

    class Meta:
        table = "lms_unit"
        unique_together = (("institution", "code"),)


class JobPosition(Model):
    """A job position (vị trí việc làm): what training is derived from and assessed against."""

    id = fields.IntField(primary_key=True)
    institution: fields.ForeignKeyRelation[Institution] = fields.ForeignKeyField(
        "lms.Institution", related_name="job_positions", on_delete=fields.CASCADE
    )
    unit: fields.ForeignKeyNullableRelation[Unit] = fields.ForeignKeyField(
        "lms.Unit", related_name="job_positions", null=True, on_delete=fields.SET_NULL
    )
    code = fields.CharField(max_length=64)
    title = fields.CharField(max_length=255)
    level = fields.CharField(max_length=64, default="")

    class Meta:
        table = "lms_job_position"
        unique_together = (("institution", "code"),)
