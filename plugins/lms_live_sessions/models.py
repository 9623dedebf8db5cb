"""Live class periods (tiết học trực tiếp) and who attended them (Tortoise app
``live_sessions``)."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model


class SessionMode(str, Enum):
    IN_ROOM = "in_room"
    ONLINE = "online"
    BOTH = "both"


class SessionStatus(str, Enum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"


class LiveSession(Model):
    """A live period of a class, held in a room, online or both.
    ``join_code`` is cleared when the session ends so the unique index frees it for reuse,
    while codes of sessions not ended stay unique. ``seq`` numbers the messages broadcast
    about the session, so every worker numbers them from the same counter."""

    id = fields.IntField(primary_key=True)
    klass: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.CourseClass", related_name="live_sessions", on_delete=fields.CASCADE
    )
    institution: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.Institution", related_name="live_sessions", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=255)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    mode = fields.CharEnumField(SessionMode, max_length=16, default=SessionMode.IN_ROOM)
    room = fields.CharField(max_length=255, default="")
    meeting_url = fields.CharField(max_length=500, default="")
    join_code = fields.CharField(max_length=6, null=True, unique=True)
    status = fields.CharEnumField(SessionStatus, max_length=16, default=SessionStatus.SCHEDULED,
                                  db_index=True)
    allow_guests = fields.BooleanField(default=False)
    created_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "lms.User", related_name="live_sessions_created", null=True, on_delete=fields.SET_NULL
    )
    started_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)
    seq = fields.BigIntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "live_session"
        indexes = (("klass_id", "starts_at"),)


class Attendance(Model):
    """Presence of one user in one session, summed over every connection.
    ``open_connections`` and ``present_since`` merge overlapping connections (two tabs, a
    phone and a laptop) so time is counted once, whichever worker holds each socket."""

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[LiveSession] = fields.ForeignKeyField(
        "live_sessions.LiveSession", related_name="attendance", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.User", related_name="live_attendance", on_delete=fields.CASCADE
    )
    first_join_at = fields.DatetimeField()
    last_leave_at = fields.DatetimeField(null=True)
    seconds_present = fields.IntField(default=0)
    joins = fields.IntField(default=0)
    open_connections = fields.IntField(default=0)
    present_since = fields.DatetimeField(null=True)

    class Meta:
        table = "live_attendance"
        unique_together = (("session", "user"),)
