"""Per-institution plugin state and settings, installation-wide values, and the event log (one
store, as Moodle's)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class InstitutionPlugin(Model):
    """Whether an institution uses a plugin. No row means the plugin's default (enabled)."""

    id = fields.IntField(primary_key=True)
    institution: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.Institution", related_name="plugin_states", on_delete=fields.CASCADE
    )
    plugin = fields.CharField(max_length=100)
    enabled = fields.BooleanField(default=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "lms_institution_plugin"
        unique_together = (("institution", "plugin"),)


class InstitutionSetting(Model):
    """A setting value an institution changed from the default a plugin declared."""

    id = fields.IntField(primary_key=True)
    institution: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.Institution", related_name="settings", on_delete=fields.CASCADE
    )
    key = fields.CharField(max_length=150)
    value = fields.JSONField()
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "lms_institution_setting"
        unique_together = (("institution", "key"),)


class PlatformValue(Model):
    """A value of the whole installation, not of one institution: the test clock's shared offset
    (key clock.offset_seconds), so that every worker reads the same one."""

    key = fields.CharField(max_length=100, primary_key=True)
    value = fields.JSONField()
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "lms_platform_value"


class EventLog(Model):
    id = fields.BigIntField(primary_key=True)
    institution_id = fields.IntField(null=True, db_index=True)
    actor_id = fields.IntField(null=True)
    name = fields.CharField(max_length=100, db_index=True)
    payload = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "lms_event_log"
