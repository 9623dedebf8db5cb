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
    #: Q&A: questions wait for a runner's approval before the room sees them.
    qna_moderated = fields.BooleanField(default=False)
    #: Attendance counts only trainees who typed the rotating check-in code (``checkin.py``).
    checkin_required = fields.BooleanField(default=False)
    #: The key of that code (HMAC of the time window): every worker computes the same code.
    checkin_secret = fields.CharField(max_length=64, default="")
    #: Seconds each code lasts: the institution's setting when check-in was turned on.
    checkin_period = fields.IntField(default=30)
    #: Users with an open socket (runners too) and, of them, trainees and guests: kept by
    #: ``presence`` on every first join and last leave, so no join counts the room.
    present_users = fields.IntField(default=0)
    present_trainees = fields.IntField(default=0)
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
    #: ``runner``, ``trainee`` or ``guest``: the counts shown to the room leave runners out.
    role = fields.CharField(max_length=8, default="trainee")
    #: When the user gave a valid check-in code (sessions that require one, ``checkin.py``).
    checked_in_at = fields.DatetimeField(null=True)

    class Meta:
        table = "live_attendance"
        unique_together = (("session", "user"),)


class ActivityKind(str, Enum):
    POLL = "poll"
    RATING = "rating"
    WORD_CLOUD = "word_cloud"
    OPEN_QUESTION = "open_question"
    QUICK_QUIZ = "quick_quiz"


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
    #: Never sent while the activity is open: a quick quiz's answer key (``quick_quiz.py``).
    private: dict = fields.JSONField(default=dict)

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
    #: Quick quiz: the share of the question earned (0..1), the time taken to answer and the
    #: speed-weighted points, set when the answer is recorded (graded through the hook).
    fraction = fields.FloatField(null=True)
    elapsed_ms = fields.IntField(null=True)
    score = fields.IntField(null=True)
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
    #: ``all``, ``public``, ``runner``, ``screen`` or ``group:<id>`` (one discussion group).
    audience = fields.CharField(max_length=24)
    frame = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "live_event"
        unique_together = (("session_id", "seq"),)


class QuestionStatus(str, Enum):
    """``pending``: waits for approval (moderated sessions); ``visible``: the room sees it;
    ``hidden``: a runner took it down (still stored, still exported)."""

    PENDING = "pending"
    VISIBLE = "visible"
    HIDDEN = "hidden"


class LiveQuestion(Model):
    """A question a participant asks during the session (Q&A). ``anonymous`` hides the author
    from other participants and the projector, never from runners. ``votes`` is the count of
    active ``QuestionVote`` rows, kept here so the ordered list is one indexed query.
    (session, user, client_id) is unique: a retried ask creates nothing new."""

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[LiveSession] = fields.ForeignKeyField(
        "live_sessions.LiveSession", related_name="questions", on_delete=fields.CASCADE
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
    client_id = fields.CharField(max_length=64)
    text = fields.CharField(max_length=500)
    anonymous = fields.BooleanField(default=False)
    status = fields.CharEnumField(QuestionStatus, max_length=16, default=QuestionStatus.VISIBLE)
    pinned = fields.BooleanField(default=False)
    answered = fields.BooleanField(default=False)
    answered_at = fields.DatetimeField(null=True)
    votes = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "live_question"
        unique_together = (("session_id", "user_id", "client_id"),)
        indexes = (("session_id", "status"),)


class QuestionVote(Model):
    """One person's vote on one question, unique per (question, user). Un-voting keeps the row
    with ``active`` false; ``client_ids`` maps each client message to the state it produced,
    so a retried vote or un-vote is answered the same and changes nothing."""

    id = fields.IntField(primary_key=True)
    question: fields.ForeignKeyRelation[LiveQuestion] = fields.ForeignKeyField(
        "live_sessions.LiveQuestion", related_name="vote_rows", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.User", related_name=False, on_delete=fields.CASCADE
    )
    active = fields.BooleanField(default=True)
    client_ids: dict = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "live_question_vote"
        unique_together = (("question_id", "user_id"),)


class HandRaise(Model):
    """A participant's hand, one row per (session, user): ``raised_at`` is set while the hand
    is up (the queue is ordered by it) and cleared when it is lowered. ``times`` counts the
    raises, for the record of participation."""

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[LiveSession] = fields.ForeignKeyField(
        "live_sessions.LiveSession", related_name="hands", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.User", related_name=False, on_delete=fields.CASCADE
    )
    raised_at = fields.DatetimeField(null=True)
    lowered_at = fields.DatetimeField(null=True)
    lowered_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "lms.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    times = fields.IntField(default=0)
    #: A random token per raise: the room's ``hands`` frames name lowered hands by token, so
    #: a phone learns its hand was lowered without anyone learning whose hands were up.
    token = fields.CharField(max_length=16, default="")

    class Meta:
        table = "live_hand"
        unique_together = (("session_id", "user_id"),)


class GroupingMode(str, Enum):
    RANDOM = "random"
    UNIT = "unit"


class Discussion(Model):
    """A group discussion: the present trainees split into groups, each writing one shared
    answer to ``prompt``. ``shown_group`` is the group a runner put on the projector;
    ``shown_revision`` the revision of its answer last sent there."""

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[LiveSession] = fields.ForeignKeyField(
        "live_sessions.LiveSession", related_name="discussions", on_delete=fields.CASCADE
    )
    institution: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.Institution", related_name=False, on_delete=fields.CASCADE
    )
    prompt = fields.CharField(max_length=500)
    mode = fields.CharEnumField(GroupingMode, max_length=16)
    open = fields.BooleanField(default=True)
    shown_group_id = fields.IntField(null=True)
    shown_revision = fields.IntField(default=0)
    created_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "lms.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "live_discussion"
        indexes = (("session_id", "open"),)


class DiscussionGroup(Model):
    """One group and its shared answer. ``revision`` grows by one per accepted edit: an edit
    based on an older revision is refused, so two members never overwrite each other unseen.
    ``client_ids`` remembers recent edits' client ids (a retry is acknowledged, not applied)."""

    id = fields.IntField(primary_key=True)
    discussion: fields.ForeignKeyRelation[Discussion] = fields.ForeignKeyField(
        "live_sessions.Discussion", related_name="groups", on_delete=fields.CASCADE
    )
    session: fields.ForeignKeyRelation[LiveSession] = fields.ForeignKeyField(
        "live_sessions.LiveSession", related_name=False, on_delete=fields.CASCADE
    )
    number = fields.IntField()
    name = fields.CharField(max_length=255)
    answer = fields.TextField(default="")
    revision = fields.IntField(default=0)
    client_ids: dict = fields.JSONField(default=dict)
    updated_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "lms.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    updated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "live_discussion_group"
        unique_together = (("discussion_id", "number"),)


class DiscussionMember(Model):
    """A trainee in a group, at most one group per discussion."""

    id = fields.IntField(primary_key=True)
    group: fields.ForeignKeyRelation[DiscussionGroup] = fields.ForeignKeyField(
        "live_sessions.DiscussionGroup", related_name="members", on_delete=fields.CASCADE
    )
    discussion: fields.ForeignKeyRelation[Discussion] = fields.ForeignKeyField(
        "live_sessions.Discussion", related_name=False, on_delete=fields.CASCADE
    )
    session: fields.ForeignKeyRelation[LiveSession] = fields.ForeignKeyField(
        "live_sessions.LiveSession", related_name=False, on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.User", related_name=False, on_delete=fields.CASCADE
    )

    class Meta:
        table = "live_discussion_member"
        unique_together = (("discussion_id", "user_id"),)
        indexes = (("session_id", "user_id"),)


class CalendarFeed(Model):
    """A user's secret iCal feed URL. Only the SHA-256 of the token is stored: a leaked
    database does not give anyone's feed away, and the URL is shown once, when it is made.
    One feed per user; rotating replaces the row, so the old URL answers 404."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.User", related_name=False, on_delete=fields.CASCADE
    )
    institution: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.Institution", related_name=False, on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "live_calendar_feed"
        unique_together = (("user_id",),)
