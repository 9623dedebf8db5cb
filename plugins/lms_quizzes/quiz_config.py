"""A quiz's settings: what a lecturer (or course.yaml) may set, checked in one place.

The same schema validates a module's ``data`` at content import, the quiz editor's API body and
the row read back, so a typo in course.yaml is caught at import, not when 300 trainees open the
quiz. Review options follow Moodle's matrix (what is shown × when), reduced to the three moments
lecturers actually use: right after the attempt, later while the quiz is open, after it closes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, ValidationError,
    model_validator,
)

KINDS = ("practice", "graded", "pre_test", "post_test")
GRADING_METHODS = ("highest", "last", "average", "first")
LAYOUTS = ("one_per_page", "all")
COMPLETIONS = ("passed", "attempted")
REVIEW_ITEMS = ("responses", "correctness", "marks", "feedback", "general_feedback",
                "correct_answers")
#: "Right after" lasts this long after the attempt ends (Moodle: 2 minutes).
IMMEDIATE_WINDOW = timedelta(minutes=2)
MAX_SLOTS = 500
MAX_TIME_LIMIT = 24 * 3600

ReviewItem = Literal["responses", "correctness", "marks", "feedback", "general_feedback",
                     "correct_answers"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FixedSlot(_Strict):
    kind: Literal["fixed"] = "fixed"
    question_id: StrictInt = Field(ge=1, le=2**31 - 1)
    mark: float = Field(1.0, gt=0, le=1000)


class RandomSlot(_Strict):
    """``count`` questions drawn per attempt from a category (by id or name), optionally only
    those tagged with a competency."""

    kind: Literal["random"] = "random"
    category: Union[StrictInt, Annotated[StrictStr, Field(max_length=255)]] = Field(
        description="category id or name")
    include_subcategories: StrictBool = True
    competency: StrictStr | None = Field(None, max_length=64)
    count: StrictInt = Field(1, ge=1, le=MAX_SLOTS)
    mark: float = Field(1.0, gt=0, le=1000)

    @model_validator(mode="after")
    def _category(self) -> "RandomSlot":
        if isinstance(self.category, str) and not self.category.strip():
            raise ValueError("category is empty")
        if isinstance(self.category, int) and self.category < 1:
            raise ValueError("category id must be positive")
        return self


Slot = Annotated[Union[FixedSlot, RandomSlot], Field(discriminator="kind")]


class ReviewPolicy(_Strict):
    immediately: list[ReviewItem] = Field(default_factory=list)
    later: list[ReviewItem] = Field(default_factory=list)
    after_close: list[ReviewItem] = Field(default_factory=list)


def default_review(kind: str) -> ReviewPolicy:
    """Practice shows everything at once; a test shows the mark at once and the rest when the
    quiz closes, so early finishers cannot pass the key on."""
    if kind == "practice":
        return ReviewPolicy(immediately=list(REVIEW_ITEMS), later=list(REVIEW_ITEMS),
                            after_close=list(REVIEW_ITEMS))
    return ReviewPolicy(immediately=["marks"], later=["marks"],
                        after_close=list(REVIEW_ITEMS))


class QuizSettings(_Strict):
    kind: Literal["practice", "graded", "pre_test", "post_test"] = "graded"
    slots: list[Slot] = Field(default_factory=list, max_length=MAX_SLOTS)
    time_limit_seconds: StrictInt = Field(0, ge=0, le=MAX_TIME_LIMIT)
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    attempts_allowed: StrictInt = Field(0, ge=0, le=100, description="0: unlimited")
    grading_method: Literal["highest", "last", "average", "first"] = "highest"
    pass_fraction: float = Field(0.5, ge=0, le=1)
    shuffle_questions: StrictBool = False
    shuffle_answers: StrictBool = True
    layout: Literal["one_per_page", "all"] = "one_per_page"
    review: ReviewPolicy | None = None
    completion: Literal["passed", "attempted"] = "passed"

    @model_validator(mode="after")
    def _consistent(self) -> "QuizSettings":
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValueError("closes_at must be after opens_at")
        for moment in ("opens_at", "closes_at"):
            value = getattr(self, moment)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{moment} needs a time zone (e.g. 2026-12-01T08:00:00+07:00)")
        if self.review is None:
            self.review = default_review(self.kind)
        return self

    def question_count(self) -> int:
        return sum(1 if isinstance(s, FixedSlot) else s.count for s in self.slots)


def from_module_data(data: Any) -> QuizSettings:
    """course.yaml's ``data`` of a quiz module. The short form of the first version
    (``{category, count}``) is one random slot."""
    if not isinstance(data, dict):
        raise ValueError("data must be a mapping")
    data = dict(data)
    if "category" in data or "count" in data:
        slot = {"kind": "random", "category": data.pop("category", None),
                "count": data.pop("count", None)}
        for key in ("competency", "include_subcategories", "mark"):
            if key in data:
                slot[key] = data.pop(key)
        data.setdefault("slots", []).append(slot)
    return QuizSettings.model_validate(data)


def problems(data: Any) -> list[str]:
    """Readable reasons ``data`` is not valid quiz settings (empty when it is), each in
    Vietnamese with the English in brackets, for the course-import report."""
    try:
        settings = from_module_data(data)
    except ValidationError as exc:
        out = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "data"
            out.append(f"`{where}`: {err['msg']} (quiz setting `{where}`: {err['msg']})")
        return out
    except ValueError as exc:
        return [f"`data` không hợp lệ: {exc} (invalid quiz `data`: {exc})"]
    if not settings.slots:
        return ["bài kiểm tra chưa có câu hỏi nào: cần `category` và `count` hoặc `slots` "
                "(the quiz has no questions: give `category` and `count`, or `slots`)"]
    return []


def settings_of(quiz: Any) -> QuizSettings:
    """The stored row as settings (rows are written only through ``QuizSettings``)."""
    return QuizSettings.model_validate({
        "kind": quiz.kind, "slots": quiz.slots, "time_limit_seconds": quiz.time_limit_seconds,
        "opens_at": quiz.opens_at, "closes_at": quiz.closes_at,
        "attempts_allowed": quiz.attempts_allowed, "grading_method": quiz.grading_method,
        "pass_fraction": quiz.pass_fraction, "shuffle_questions": quiz.shuffle_questions,
        "shuffle_answers": quiz.shuffle_answers, "layout": quiz.layout,
        "review": quiz.review or None, "completion": quiz.completion,
    })


def row_values(settings: QuizSettings) -> dict[str, Any]:
    """Column values for a ``Quiz`` row."""
    values = settings.model_dump(mode="json")
    values["opens_at"], values["closes_at"] = settings.opens_at, settings.closes_at
    return values
