"""Interaction events sent by the pages (visibility, focus, idleness, heartbeats, clicks).

Tortoise app label ``engagement``. The table is append-only telemetry, written in batches and
read per user, so the scope columns are plain integers (as the core's event log): no foreign-key
check per inserted row, and the live-session id points into another plugin's table.
"""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model


class EventKind(str, Enum):
    VISIBLE = "visible"
    HIDDEN = "hidden"
    FOCUS = "focus"
    BLUR = "blur"
    IDLE = "idle"
    ACTIVE = "active"
    HEARTBEAT = "heartbeat"
    INTERACTION = "interaction"


class EngagementEvent(Model):
    """One event of one page. client_id is made by the browser and unique per user, so a batch
    sent twice (a lost answer, a retried beacon) is stored once. corrected_ts is the client time
    shifted onto the server clock: phones are often minutes off."""

    id = fields.BigIntField(primary_key=True)
    institution_id = fields.IntField(db_index=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.User", related_name=False, on_delete=fields.CASCADE
    )
    enrolment_id = fields.IntField(null=True)
    module_id = fields.IntField(null=True)
    live_session_id = fields.IntField(null=True, db_index=True)
    client_id = fields.CharField(max_length=64)
    kind = fields.CharEnumField(EventKind, max_length=16)
    client_ts = fields.DatetimeField()
    server_ts = fields.DatetimeField()
    corrected_ts = fields.DatetimeField()
    data = fields.JSONField(default=dict)

    class Meta:
        table = "engagement_event"
        unique_together = (("user", "client_id"),)
        indexes = (("user_id", "module_id", "corrected_ts"),)
