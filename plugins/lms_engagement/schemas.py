"""What the pages send and what the summary accepts (JSON Schemas feed the OpenAPI document)."""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from lms_core.api.schemas import Id, Strict

MAX_EVENTS = 500
MAX_DATA_KEYS = 16
MAX_DATA_TEXT = 256

Kind = Literal["visible", "hidden", "focus", "blur", "idle", "active", "heartbeat", "interaction"]


class EventIn(BaseModel):
    """One event as recorded by engagement.js. ``id`` is unique per user (page id, ":", counter)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    kind: Kind
    at: AwareDatetime = Field(description="Client clock, ISO 8601 with offset")
    module_id: Id | None = None
    live_session_id: Id | None = None
    data: dict[str, Any] = Field(default_factory=dict)

    @field_validator("data")
    @classmethod
    def _small_flat(cls, value: dict[str, Any]) -> dict[str, Any]:
        # Flat scalars only: the column stays cheap to store and PostgreSQL's JSONB never sees
        # a value it refuses (NUL characters, infinities), which would otherwise be a 500.
        if len(value) > MAX_DATA_KEYS:
            raise ValueError(f"at most {MAX_DATA_KEYS} keys")
        for key, item in value.items():
            if len(key) > 40 or "\x00" in key:
                raise ValueError("keys are at most 40 characters")
            if isinstance(item, float) and not math.isfinite(item):
                raise ValueError(f"{key}: numbers must be finite")
            if isinstance(item, str) and (len(item) > MAX_DATA_TEXT or "\x00" in item):
                raise ValueError(f"{key}: text is at most {MAX_DATA_TEXT} characters")
            if item is not None and not isinstance(item, (str, int, float, bool)):
                raise ValueError(f"{key}: only text, numbers, true/false or null")
        return value


class EventBatch(Strict):
    sent_at: AwareDatetime = Field(description="Client clock when the batch was sent")
    events: list[EventIn] = Field(default_factory=list, max_length=MAX_EVENTS)


class SummaryQuery(Strict):
    user_id: Id | None = Field(None, description="Whose events (default: the caller)")
    module_id: Id | None = Field(None, description="Only events on this course module")
    live_session_id: Id | None = Field(None, description="Only events during this live session")
    since: AwareDatetime | None = Field(None, description="Corrected time, inclusive")
    until: AwareDatetime | None = Field(None, description="Corrected time, exclusive")


class XapiQuery(Strict):
    session_id: Id | None = Field(None, description="One period (live session)")
    class_id: Id | None = Field(None, description="Every period of one class")
    cursor: str | None = Field(None, pattern=r"^[ear][0-9]{1,18}$",
                               description="From the previous page's `more` link")
    heartbeats: bool = Field(False, description="Include the pages' heartbeats")
    limit: int = Field(500, ge=1, le=500)


class ExportQuery(Strict):
    lang: Literal["vi", "en"] | None = Field(None, description="Language of the text cells")
