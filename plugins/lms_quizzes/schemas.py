"""Request bodies and query strings of the question-bank API (their JSON Schemas feed OpenAPI)."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from lms_core.api.schemas import Id, Page, Strict


def _clean(value: str) -> str:
    """NFC so that search and comparisons see one spelling of each Vietnamese letter, and no
    NUL, which PostgreSQL refuses to store (it would otherwise surface as a server error)."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return unicodedata.normalize("NFC", value)


Clean = AfterValidator(_clean)
Name = Annotated[str, Field(min_length=1, max_length=255), Clean]
OptionalName = Annotated[str, Field(max_length=255), Clean]
AnswerText = Annotated[str, Field(min_length=1, max_length=5000), Clean]
Feedback = Annotated[str, Field(max_length=20_000), Clean]
Markdown = Annotated[str, Field(min_length=1, max_length=50_000, description="Markdown"), Clean]

Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]{1,64}$",
                            description="A competency code (khung năng lực)")]
# Kept in step with questions.CHOICE_TYPES and models.QUESTION_TYPES by the tests.
ChoiceType = Literal["single_choice", "multiple_response", "true_false"]
QuestionType = Literal["single_choice", "multiple_response", "true_false", "short_answer",
                       "numerical", "matching", "ordering", "essay", "description"]

#: Bounded so that one import fits well inside the API's 2 MB body limit with room for JSON.
MAX_AIKEN_CHARS = 1_000_000


class CategoryCreate(Strict):
    name: Name
    parent_id: Id | None = Field(None, description="Nest under this category")


class AnswerIn(Strict):
    text: AnswerText
    fraction: float = Field(ge=-1.0, le=1.0, strict=True, allow_inf_nan=False,
                            description="Share of the mark, -1 to 1 (1 = 100%)")
    feedback: Feedback = ""


class QuestionCreate(Strict):
    category_id: Id
    type: ChoiceType
    name: OptionalName = Field("", description="Defaults to the text's first line")
    text: Markdown
    answers: list[AnswerIn] = Field(min_length=2, max_length=50)
    general_feedback: Feedback = ""
    competencies: list[Code] = Field(default_factory=list, max_length=50)


class QuestionQuery(Page):
    category_id: Id | None = Field(None, description="This category and its subcategories")
    competency: Code | None = Field(None, description="Only questions tagged with this code")
    type: QuestionType | None = None


class AikenImport(BaseModel):
    # Not ``Strict``: stripping the text would shift every line number the errors report.
    model_config = ConfigDict(extra="forbid")

    category_id: Id
    text: Annotated[str, Field(max_length=MAX_AIKEN_CHARS, description="Aiken text"), Clean]
    preview: bool = Field(False, description="Parse and report only, write nothing")
