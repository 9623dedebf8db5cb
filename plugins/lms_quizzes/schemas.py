"""Request bodies and query strings of the question-bank API (their JSON Schemas feed OpenAPI)."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any, Literal

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


TextFormat = Literal["markdown", "html", "plain", "moodle"]


class QuestionWrite(Strict):
    """Any question type in the ``qtypes`` shape. ``answers`` and ``options`` are checked by
    ``qtypes.validate`` (one rule book for the API and every importer), so only their size is
    bounded here. Answers sent back with their ``id`` keep it, so saved responses keep their
    meaning after an edit."""

    category_id: Id
    type: QuestionType
    name: OptionalName = Field("", description="Defaults to the text's first line")
    text: Markdown
    text_format: TextFormat = "markdown"
    answers: list[dict[str, Any]] = Field(default_factory=list, max_length=100)
    options: dict[str, Any] = Field(default_factory=dict)
    general_feedback: Feedback = ""
    competencies: list[Code] = Field(default_factory=list, max_length=50)


class QuestionCreate(QuestionWrite):
    pass


class QuestionUpdate(QuestionWrite):
    base_version: int | None = Field(None, ge=1, le=2**31 - 1, description=(
        "The version the editor loaded: a save over a newer one is refused (409)"))


class RegradeRequest(Strict):
    dry_run: bool = Field(True, description="Report whose grade would change, write nothing")


class TransferQuery(Strict):
    category_id: Id = Field(description="This category and its subcategories")
    download: bool = Field(False, description="Answer with the file instead of JSON")


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


class GiftImport(AikenImport):
    category_id: Id = Field(description="Questions without $CATEGORY go here; $CATEGORY paths "
                            "are created under it")
    text: Annotated[str, Field(max_length=MAX_AIKEN_CHARS, description="GIFT text"), Clean]
