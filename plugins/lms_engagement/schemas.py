"""What the pages send and what the summary accepts (JSON Schemas feed the OpenAPI document)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, ConfigDict, Field, StringConstraints
from pydantic_core import core_schema
from typing_extensions import NotRequired, TypedDict  # pydantic needs these on Python < 3.12

from lms_core.api.schemas import Id, Strict

MAX_EVENTS = 500
MAX_DATA_KEYS = 16
MAX_DATA_TEXT = 256

Kind = Literal["visible", "hidden", "focus", "blur", "idle", "active", "heartbeat", "interaction"]


#: Flat scalars only, checked by pydantic-core itself (no Python validator per event: a batch of
#: 20 events would call it 20 times): the column stays cheap to store and PostgreSQL's JSONB never
#: sees a value it refuses (NUL characters, infinities), which would otherwise be a 500.
DataKey = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[^\x00]+$")]


class DataValue:
    """Text of at most ``MAX_DATA_TEXT`` characters without NUL, a finite number, true/false or
    null, with one readable error instead of one per alternative."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.nullable_schema(core_schema.union_schema(
            [core_schema.bool_schema(strict=True), core_schema.int_schema(strict=True),
             core_schema.float_schema(strict=True, allow_inf_nan=False),
             core_schema.str_schema(max_length=MAX_DATA_TEXT, pattern=r"^[^\x00]*$")],
            custom_error_type="data_value",
            custom_error_message=f"only text (at most {MAX_DATA_TEXT} characters), finite "
                                 "numbers, true/false or null"))


class EventIn(TypedDict):
    """One event as recorded by engagement.js. ``id`` is unique per user (page id, ":", counter).
    A TypedDict, not a model: pydantic-core then hands back plain dicts, half the validation
    time of a model instance per event (every event of every page goes through here)."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]

    id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]
    kind: Kind
    at: Annotated[AwareDatetime, Field(description="Client clock, ISO 8601 with offset")]
    module_id: NotRequired[Id | None]
    live_session_id: NotRequired[Id | None]
    data: NotRequired[Annotated[dict[DataKey, DataValue], Field(max_length=MAX_DATA_KEYS)]]


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
