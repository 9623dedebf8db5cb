"""Courses and their ordered modules (lesson pages, quizzes, live sessions, ... from plugins)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Course(Model):
    """A course imported from a folder in content/. Re-importing a newer ``version`` updates the
    same row and its modules in place, so trainees' progress stays attached."""

    id = fields.IntField(primary_key=True)
    institution: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.Institution", related_name="courses", on_delete=fields.CASCADE
    )
    code = fields.CharField(max_length=64)
    version = fields.IntField(default=1)
    title = fields.CharField(max_length=255)
    title_en = fields.CharField(max_length=255, default="")
    title_key = fields.CharField(max_length=255, default="", db_index=True)
    #: Vietnamese alphabetical order (lms_core.text.word_key), not the database's collation.
    sort_key = fields.CharField(max_length=600, default="", db_default="")
    description = fields.TextField(default="")
    description_en = fields.TextField(default="")
    competencies = fields.JSONField(default=list)
    duration_hours = fields.IntField(default=0)
    source = fields.CharField(max_length=512, default="")
    is_published = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "lms_course"
        unique_together = (("institution", "code"),)
        #: The catalogue reads its page in this order straight from the index (and counts from
        #: it) instead of sorting every course of the institution per request.
        indexes = (("institution_id", "is_published", "sort_key", "id"),)


class CourseModule(Model):
    """One step of a course. ``type`` names a module type registered through the
    ``lms_register_module_types`` hook, ``data`` is that type's own configuration.
    Modules dropped from a new version are deactivated, never deleted, to keep progress."""

    id = fields.IntField(primary_key=True)
    course: fields.ForeignKeyRelation[Course] = fields.ForeignKeyField(
        "lms.Course", related_name="modules", on_delete=fields.CASCADE
    )
    key = fields.CharField(max_length=100)
    type = fields.CharField(max_length=64)
    title = fields.CharField(max_length=255)
    title_en = fields.CharField(max_length=255, default="")
    position = fields.IntField(default=0)
    body_html = fields.TextField(default="")
    data = fields.JSONField(default=dict)
    competencies = fields.JSONField(default=list)
    minutes = fields.IntField(default=0)
    is_active = fields.BooleanField(default=True)

    class Meta:
        table = "lms_course_module"
        unique_together = (("course", "key"),)
        ordering = ["position"]
