"""Request bodies and query strings of the JSON API (their JSON Schemas feed the OpenAPI doc)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

#: A database id: positive and within a 32-bit integer, so no input can overflow a column.
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]

RoleName = Literal["admin", "lecturer", "trainee", "supervisor", "planner"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LoginBody(Strict):
    login: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=1024)


class Page(Strict):
    q: str = Field("", max_length=200, description="Search words, diacritics optional")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


class UserQuery(Page):
    role: RoleName | None = None
    unit_id: Id | None = Field(None, description="Only this unit and its sub-units")


class UserCreate(Strict):
    login: str = Field(min_length=3, max_length=150)
    email: str = Field(min_length=3, max_length=254)
    full_name: str = Field(min_length=1, max_length=255)
    password: str | None = Field(None, min_length=8, max_length=1024)
    roles: list[RoleName] = Field(default_factory=lambda: ["trainee"], min_length=1)
    unit_id: Id | None = Field(None)
    job_position_id: Id | None = Field(None)
    locale: Literal["vi", "en"] = "vi"


class UnitCreate(Strict):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1, max_length=255)
    parent_id: Id | None = Field(None)


class PositionCreate(Strict):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    title: str = Field(min_length=1, max_length=255)
    unit_id: Id | None = Field(None)
    level: str = Field("", max_length=64)


class SchedulePeriod(Strict):
    starts_at: str = Field(max_length=40, description="ISO 8601 date-time")
    ends_at: str = Field(max_length=40)
    room: str = Field("", max_length=255)


class ClassCreate(Strict):
    course_id: Id
    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    title: str = Field(min_length=1, max_length=255)
    starts_on: date | None = None
    ends_on: date | None = None
    delivery_mode: Literal["in_person", "online", "blended"] = "blended"
    capacity: int = Field(0, ge=0, le=100_000, description="0 means unlimited")
    self_enrol: bool = False
    location: str = Field("", max_length=255)
    schedule: list[SchedulePeriod] = Field(default_factory=list, max_length=500)
    lecturer_ids: list[Id] = Field(default_factory=list, max_length=50)


class EnrolBody(Strict):
    user_id: Id
    status: Literal["approved", "active"] = "active"


class NominateBody(Strict):
    user_ids: list[Id] = Field(min_length=1, max_length=500)


class EnrolmentChange(Strict):
    status: Literal["approved", "active", "completed", "withdrawn"]


#: How far the test clock may move in one request (ten years): beyond it is a typo.
CLOCK_STEP_DAYS = 3650


class ClockMove(Strict):
    """Exactly one of them; numbers only, finite, within ten years either way."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    advance_seconds: float | None = Field(None, strict=True, ge=-CLOCK_STEP_DAYS * 86400,
                                          le=CLOCK_STEP_DAYS * 86400)
    advance_days: float | None = Field(None, strict=True, ge=-CLOCK_STEP_DAYS,
                                       le=CLOCK_STEP_DAYS)
    reset: bool | None = Field(None, strict=True, description="true: back to the real time")


class PluginToggle(Strict):
    enabled: bool


class TokenCreate(Strict):
    name: str = Field(min_length=1, max_length=100)
    days: int | None = Field(None, ge=1, le=3650)


class SwitchInstitution(Strict):
    institution_id: Id


class PasswordChange(Strict):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=8, max_length=1024)
