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


class ActivityKind(str, Enum):
    POLL = "poll"
    RATING = "rating"
    WORD_CLOUD = "word_cloud"
    OPEN_QUESTION = "open_question"


class ActivityState(str, Enum):
    DRAFT = "draft"
    QUEUED = "queued"
    OPEN = "open"
    CLOSED = "closed"


class ResultsVisibility(str, Enum):
    """When trainees see the results: never, once the activity closes, or while it runs."""

    HIDDEN = "hidden"
    AFTER_CLOSE = "after_close"
    LIVE = "live"


class Activity(Model):
    """Something a lecturer pushes to the room: a poll, a rating scale, a word cloud or an open
    question. Prepared ones wait in the session's queue ordered by ``position``. At most one
    activity of a session is open at a time. ``config`` holds what the kind needs (options,
    scale, limits), validated by ``activities.py`` before it is stored."""

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[LiveSession] = fields.ForeignKeyField(
        "live_sessions.LiveSession", related_name="activities", on_delete=fields.CASCADE
    )
    institution: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.Institution", related_name=False, on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(ActivityKind, max_length=16)
    state = fields.CharEnumField(ActivityState, max_length=16, default=ActivityState.QUEUED)
    visibility = fields.CharEnumField(ResultsVisibility, max_length=16,
                                      default=ResultsVisibility.AFTER_CLOSE)
    prompt = fields.CharField(max_length=500)
    config: dict = fields.JSONField(default=dict)
    allow_change = fields.BooleanField(default=True)
    position = fields.IntField(default=0)
    created_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "lms.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    opened_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "live_activity"
        indexes = (("session_id", "position"), ("session_id", "state"))


class ActivityResponse(Model):
    """One trainee's current answer to one activity, kept against their enrolment.
    The unique pair (activity, user) makes an answer count once whatever the retries and
    workers. ``client_ids`` remembers which client message produced which ``revision``, so a
    retried send is acknowledged with the same ack instead of counting again."""

    id = fields.IntField(primary_key=True)
    activity: fields.ForeignKeyRelation[Activity] = fields.ForeignKeyField(
        "live_sessions.Activity", related_name="responses", on_delete=fields.CASCADE
    )
    session: fields.ForeignKeyRelation[LiveSession] = fields.ForeignKeyField(
        "live_sessions.LiveSession", related_name="responses", on_delete=fields.CASCADE
    )
    institution: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.Institution", related_name=False, on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.User", related_name=False, on_delete=fields.CASCADE
    )
    enrolment: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "lms.Enrolment", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    answer: dict = fields.JSONField()
    client_id = fields.CharField(max_length=64)
    client_ids: dict = fields.JSONField(default=dict)
    revision = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "live_activity_response"
        unique_together = (("activity_id", "user_id"),)
        indexes = (("session_id", "user_id"),)


class LiveEvent(Model):
    """A frame broadcast about a session, kept as sent so a client that reconnects with the
    last ``seq`` it saw gets exactly what it missed. ``audience`` says who received it (all,
    runners, the projector, or trainees). Old rows are pruned: a client further behind gets
    a fresh snapshot instead."""

    id = fields.BigIntField(primary_key=True)
    session: fields.ForeignKeyRelation[LiveSession] = fields.ForeignKeyField(
        "live_sessions.LiveSession", related_name="events", on_delete=fields.CASCADE
    )
    seq = fields.BigIntField()
    audience = fields.CharField(max_length=8)
    frame = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "live_event"
        unique_together = (("session_id", "seq"),)
