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
    #: Recorded by the server, not sent by pages: a live socket opened or closed (``data``
    #: names the socket), which bounds the time a trainee was present in a period.
    JOINED = "joined"
    LEFT = "left"


class EngagementEvent(Model):
    """One event of one page. client_id is made by the browser and unique per user, so a batch
    sent twice (a lost answer, a retried beacon) is stored once. corrected_ts is the client time
    shifted onto the server clock: phones are often minutes off."""

    id = fields.BigIntField(primary_key=True)
    institution_id = fields.IntField()
    #: The user's id, without a foreign key on PostgreSQL (migration 0004): events are the table
    #: written most, and the key's per-row check and lock of the user's row cost PostgreSQL ~6 µs
    #: of CPU per event. Only an authenticated user's events are written and users are never
    #: deleted (they are deactivated); the retention purge removes every event in time, as
    #: for the other ids here (enrolment, module, session).
    user_id = fields.IntField()
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
        unique_together = (("user_id", "client_id"),)
        # (institution, server_ts): the retention purge deletes each institution's events by
        # receipt time, once a day. One index for both, not one each: every event written
        # updates every index, and events are the table written most (5 indexes, not 6).
        indexes = (("user_id", "module_id", "corrected_ts"), ("institution_id", "server_ts"))


class LiveState(Model):
    """Where each trainee of a running session is right now, for the lecturer's live counts:
    one row per (session, user), written on every signal batch and socket change, read every
    few seconds by the console. Figures after the session come from the events, not from here
    (this keeps only the latest state, not the history)."""

    id = fields.IntField(primary_key=True)
    session_id = fields.IntField()
    institution_id = fields.IntField()
    user_id = fields.IntField()
    sockets = fields.IntField(default=0)
    visible = fields.BooleanField(default=True)
    focused = fields.BooleanField(default=True)
    idle = fields.BooleanField(default=False)
    #: Server time of the last signal (or of the socket's opening): a silent page is away.
    last_signal_at = fields.DatetimeField()
    state_at = fields.DatetimeField(description="Corrected time of the event that set the state")
    first_seen_at = fields.DatetimeField()
    interactions = fields.IntField(default=0)
    nudged_at = fields.DatetimeField(null=True)

    class Meta:
        table = "engagement_live_state"
        unique_together = (("session_id", "user_id"),)


class CheckSource(str, Enum):
    LECTURER = "lecturer"
    RULE = "rule"


class AttentionCheck(Model):
    """A "still with us?" prompt sent to the room. Answers are timed by the server."""

    id = fields.IntField(primary_key=True)
    session_id = fields.IntField(db_index=True)
    institution_id = fields.IntField()
    sent_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    seconds = fields.IntField()
    source = fields.CharEnumField(CheckSource, max_length=16)
    sent_by_id = fields.IntField(null=True)
    #: Trainees connected when it was sent: the denominator of the answer rate.
    recipients = fields.IntField(default=0)

    class Meta:
        table = "engagement_attention_check"


class AttentionAnswer(Model):
    id = fields.IntField(primary_key=True)
    check: fields.ForeignKeyRelation[AttentionCheck] = fields.ForeignKeyField(
        "engagement.AttentionCheck", related_name="answers", on_delete=fields.CASCADE)
    user_id = fields.IntField()
    answered_at = fields.DatetimeField()
    latency_ms = fields.IntField()
    in_time = fields.BooleanField()

    class Meta:
        table = "engagement_attention_answer"
        unique_together = (("check", "user_id"),)


class PeriodResult(Model):
    """One trainee's figures for one ended period (live session), computed once when it ends
    (``period.py``) and read by the reports, the trainee's page and the completion filter, so
    they always agree."""

    id = fields.IntField(primary_key=True)
    session_id = fields.IntField()
    institution_id = fields.IntField(db_index=True)
    klass_id = fields.IntField(db_index=True)
    user_id = fields.IntField(db_index=True)
    enrolment_id = fields.IntField(null=True)
    present_seconds = fields.FloatField(default=0)
    visible_seconds = fields.FloatField(default=0)
    attentive_seconds = fields.FloatField(default=0)
    away_count = fields.IntField(default=0)
    away_longest_seconds = fields.FloatField(default=0)
    away_total_seconds = fields.FloatField(default=0)
    interactions = fields.IntField(default=0)
    checks_sent = fields.IntField(default=0)
    checks_answered = fields.IntField(default=0)
    checks_mean_latency_ms = fields.IntField(null=True)
    score = fields.IntField(default=0)
    attended = fields.BooleanField(default=False)
    #: Why the period does not count as attended (empty when it does), in both languages.
    reason = fields.CharField(max_length=500, default="")
    reason_en = fields.CharField(max_length=500, default="")
    computed_at = fields.DatetimeField()

    class Meta:
        table = "engagement_period_result"
        unique_together = (("session_id", "user_id"),)


class PeriodSummary(Model):
    """The room's figures for one ended period: coverage, the minute-by-minute attention
    timeline and the moments it dropped (JSON lists, small: one item per minute)."""

    id = fields.IntField(primary_key=True)
    session_id = fields.IntField(unique=True)
    institution_id = fields.IntField(db_index=True)
    klass_id = fields.IntField(db_index=True)
    title = fields.CharField(max_length=255, default="")
    started_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)
    present = fields.IntField(default=0)
    interacted = fields.IntField(default=0)
    coverage = fields.FloatField(null=True)
    attentive_share = fields.FloatField(null=True)
    timeline: list = fields.JSONField(default=list)
    drops: list = fields.JSONField(default=list)
    computed_at = fields.DatetimeField()

    class Meta:
        table = "engagement_period_summary"
