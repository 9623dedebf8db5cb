"""Request bodies and query strings of the assessment API."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from lms_core.api.schemas import Id, Strict

#: 1 to 5, and a real JSON integer: ``true`` or ``"4"`` are refused rather than coerced.
Level = Annotated[int, Field(strict=True, ge=1, le=5)]
#: The same pattern course manifests use for competency codes.
CODE_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"


class CompetencyRequirement(Strict):
    code: str = Field(pattern=CODE_PATTERN)
    required_level: Level = 1
    mandatory: bool = Field(True, description="Decides whether the standard is met")
    weight: float = Field(1.0, ge=0, le=100, description="Weight in the training priority")


class CompetencySet(Strict):
    items: list[CompetencyRequirement] = Field(max_length=200)


MAX_FILE_CHARS = 4_000_000


class FrameworkImport(Strict):
    """A framework file as text (the page reads the chosen file): CSV or IMS CASE JSON."""

    format: Literal["csv", "case"]
    content: str = Field(min_length=1, max_length=MAX_FILE_CHARS)
    code: str | None = Field(None, pattern=CODE_PATTERN,
                             description="Code of a new framework (required to create one)")
    name: str = Field("", max_length=255)
    shared: bool | None = Field(None, description="Other institutions may use it")
    preview: bool = Field(False, description="Check and show, store nothing")


class FrameworkUseBody(Strict):
    use: bool


class NeedsQuery(Strict):
    unit_id: Id | None = Field(None, description="This unit and its sub-units")
    position_id: Id | None = Field(None, description="Only people in this position")
    limit: int = Field(200, ge=1, le=5000)


class DuplicationQuery(Strict):
    user_id: Id
    course_id: Id | None = None
    class_id: Id | None = Field(None, description="Instead of course_id: the class's course")


class ExemptionRequest(Strict):
    user_id: Id
    course_id: Id
    class_id: Id | None = None
    reason: str = Field("", max_length=4000)


class ExemptionDecision(Strict):
    approve: bool
    note: str = Field("", max_length=4000)


class ExemptionQuery(Strict):
    status: Literal["pending", "approved", "rejected", "all"] = "pending"


class PlanBody(Strict):
    template: str = Field("standard", max_length=64)
    steps: dict[str, dict] = Field(default_factory=dict,
                                   description='{"step": {"enabled": bool, "weight": n, ...}}')


class SurveyBody(Strict):
    #: strict: true or "4" are mistakes to refuse, not values to coerce
    answers: dict[str, Annotated[int, Field(strict=True)] | None] = Field(max_length=500)
    comment: str = Field("", max_length=4000)


class RatingItem(Strict):
    code: str = Field(pattern=CODE_PATTERN)
    level: Level
    example: str = Field("", max_length=2000, description="What the rater saw at work")


class RatingSubmit(Strict):
    items: list[RatingItem] = Field(min_length=1, max_length=200)


class RatingQuery(Strict):
    status: Literal["pending", "done", "all"] = "pending"


class RubricRow(Strict):
    code: str = Field(pattern=CODE_PATTERN)
    criterion: str = Field(min_length=1, max_length=1000)


class TaskBody(Strict):
    title: str = Field(min_length=1, max_length=255)
    instructions: str = Field("", max_length=20_000, description="Markdown")
    rubric: list[RubricRow] = Field(min_length=1, max_length=50)
    due_on: date | None = None


class SubmissionBody(Strict):
    text: str = Field(max_length=100_000, description="Markdown")
    submit: bool = False


class GradeRow(Strict):
    code: str = Field(pattern=CODE_PATTERN)
    level: Level
    comment: str = Field("", max_length=4000)


class GradeBody(Strict):
    grades: list[GradeRow] = Field(min_length=1, max_length=50)


class CertificateQuery(Strict):
    user_id: Id | None = None
    class_id: Id | None = None


class RevokeBody(Strict):
    reason: str = Field(min_length=1, max_length=2000,
                        description="Why the certificate is withdrawn (shown when verified)")
