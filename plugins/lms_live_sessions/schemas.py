"""Request bodies and query strings of the live-session API (they also feed the OpenAPI doc)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from lms_core.api.schemas import Strict

#: Vietnam has one time zone and no daylight saving: a time typed without an offset (an HTML
#: ``datetime-local`` field) means Vietnamese wall-clock time.
VN_TZ = timezone(timedelta(hours=7), "ICT")
MAX_LENGTH = timedelta(hours=24)


def check_meeting_url(value: str) -> str:
    """Only http(s) links: a ``javascript:`` or ``data:`` link in a join button runs in the
    trainee's session."""
    if not value:
        return ""
    if any(ch.isspace() or ord(ch) < 32 or ch in "<>\"`\\" for ch in value):
        raise ValueError("Liên kết phòng họp chứa ký tự không hợp lệ "
                         "(the meeting link contains invalid characters).")
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("Liên kết phòng họp phải bắt đầu bằng http:// hoặc https:// "
                         "(the meeting link must be an http or https address).")
    return value


class SessionCreate(Strict):
    title: str = Field(min_length=1, max_length=255)
    starts_at: datetime = Field(description="ISO 8601; without an offset it is Vietnamese time")
    ends_at: datetime = Field(description="ISO 8601; after starts_at, at most 24 hours later")
    mode: Literal["in_room", "online", "both"] = "in_room"
    room: str = Field("", max_length=255)
    meeting_url: str = Field("", max_length=500, description="http:// or https:// only")
    allow_guests: bool = Field(False, description="Let users of the institution who are not "
                                                  "in the class join with the code")

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return value.replace(tzinfo=VN_TZ) if value.tzinfo is None else value

    @field_validator("meeting_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_meeting_url(value)

    @model_validator(mode="after")
    def _times(self) -> "SessionCreate":
        if self.ends_at <= self.starts_at:
            raise ValueError("Giờ kết thúc phải sau giờ bắt đầu "
                             "(the end must be after the start).")
        if self.ends_at - self.starts_at > MAX_LENGTH:
            raise ValueError("Một phiên học không kéo dài quá 24 giờ "
                             "(a session lasts at most 24 hours).")
        return self


class SessionUpdate(Strict):
    """What a ``PATCH`` of a scheduled session may change; the session with the changes
    applied must still satisfy every rule of ``SessionCreate``."""

    title: str | None = Field(None, min_length=1, max_length=255)
    starts_at: datetime | None = Field(None, description="ISO 8601; without an offset it is "
                                                         "Vietnamese time")
    ends_at: datetime | None = None
    mode: Literal["in_room", "online", "both"] | None = None
    room: str | None = Field(None, max_length=255)
    meeting_url: str | None = Field(None, max_length=500)
    allow_guests: bool | None = None


class SessionQuery(Strict):
    status: Literal["scheduled", "live", "ended"] | None = None
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


class JoinBody(Strict):
    code: str = Field(min_length=1, max_length=32, description="The six-character join code")


# --- activities ---------------------------------------------------------------------------

ActivityKindName = Literal["poll", "rating", "word_cloud", "open_question", "quick_quiz"]
Visibility = Literal["hidden", "after_close", "live"]


def _checked_config(kind: str, config: dict | None) -> dict:
    """The same rules as the socket's, reported the pydantic way (Vietnamese, then English)."""
    from lms_live_sessions.activities import LiveError, check_config

    try:
        return check_config(kind, config)
    except LiveError as exc:
        raise ValueError(f"{exc.detail} ({exc.detail_en})") from None


class ActivityCreate(Strict):
    kind: ActivityKindName
    prompt: str = Field(min_length=1, max_length=500)
    config: dict = Field(default_factory=dict, description="Per kind: poll {options, multiple, "
                         "max_choices}, rating {min, max, labels}, word_cloud {max_words, "
                         "max_length}, open_question {max_length}, quick_quiz {question_id, time_limit, "
                         "points}")
    visibility: Visibility = "after_close"
    allow_change: bool = Field(True, description="May a trainee replace their answer")
    queued: bool = Field(True, description="Queue it (true) or keep it as a draft (false)")
    open: bool = Field(False, description="Push it to the room at once (the session must be "
                                          "live)")

    @model_validator(mode="after")
    def _config(self) -> "ActivityCreate":
        self.config = _checked_config(self.kind, self.config)
        return self


class ActivityUpdate(Strict):
    kind: ActivityKindName | None = None
    prompt: str | None = Field(None, min_length=1, max_length=500)
    config: dict | None = None
    visibility: Visibility | None = None
    allow_change: bool | None = None
    queued: bool | None = None


class QuizSearchQuery(Strict):
    search: str = Field("", max_length=200, description="Words of the question; diacritics "
                                                         "and case ignored (empty: newest)")
    limit: int = Field(20, ge=1, le=50)


class ReorderBody(Strict):
    ids: list[int] = Field(max_length=1000, description="Every prepared activity, in order")


class ResultsQuery(Strict):
    names: bool = Field(True, description="Runners only: include who answered")


# --- Q&A, raise hand, group discussion -------------------------------------------------------


class QuestionUpdate(Strict):
    status: Literal["visible", "hidden"] | None = Field(
        None, description="visible approves (moderated sessions) or shows again; hidden takes "
                          "it down")
    pinned: bool | None = Field(None, description="One pinned question at a time")
    answered: bool | None = None


class QnaSettings(Strict):
    moderated: bool = Field(description="New questions wait for a runner's approval")


class LowerHands(Strict):
    user_id: int | None = Field(None, gt=0, description="Whose hand; omitted: every hand")


class DiscussionCreate(Strict):
    prompt: str = Field(min_length=1, max_length=500)
    mode: Literal["random", "unit"] = "random"
    group_size: int | None = Field(None, ge=2, le=50, description="People per group")
    groups: int | None = Field(None, ge=1, le=100, description="Number of groups")


class ShowGroup(Strict):
    group_id: int | None = Field(description="The group to project; null takes it down")
