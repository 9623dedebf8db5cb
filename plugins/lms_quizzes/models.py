"""The question bank (app label ``quizzes``): categories in a tree and the questions filed in them.

Both tables carry the institution so every query can be scoped to the caller's tenant without a
join, which is the rule that keeps one institution's bank invisible to another.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

#: Question kinds the bank can hold. Only the choice kinds can be written through the API yet,
#: but the column accepts the full Moodle-level set so later issues need no migration.
QUESTION_TYPES = (
    "single_choice",
    "multiple_response",
    "true_false",
    "short_answer",
    "numerical",
    "matching",
    "ordering",
    "essay",
    "description",
)


class QuestionCategory(Model):
    """A folder of the question bank. ``path`` is materialised ("/3/17/42/") like the core's
    unit tree, so a category with all its subcategories is one indexed prefix query."""

    id = fields.IntField(primary_key=True)
    institution: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.Institution", related_name="question_categories", on_delete=fields.CASCADE
    )
    parent: fields.ForeignKeyNullableRelation["QuestionCategory"] = fields.ForeignKeyField(
        "quizzes.QuestionCategory", related_name="children", null=True,
        on_delete=fields.RESTRICT,
    )
    name = fields.CharField(max_length=255)
    path = fields.CharField(max_length=1024, default="/", db_index=True)
    depth = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "quizzes_question_category"


class Question(Model):
    """One question of the bank. ``text`` is the author's Markdown, ``text_html`` its rendered
    and sanitised form (made once on write, shown many times). ``search_key`` and
    ``competency_key`` are denormalised so that diacritic-free search and the competency filter
    are plain LIKE queries on SQLite and PostgreSQL alike."""

    id = fields.IntField(primary_key=True)
    institution: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.Institution", related_name="questions", on_delete=fields.CASCADE
    )
    category: fields.ForeignKeyRelation[QuestionCategory] = fields.ForeignKeyField(
        "quizzes.QuestionCategory", related_name="questions", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=255)
    type = fields.CharField(max_length=32)
    text = fields.TextField()
    text_html = fields.TextField()
    answers = fields.JSONField(default=list)
    general_feedback = fields.TextField(default="")
    competencies = fields.JSONField(default=list)
    competency_key = fields.CharField(max_length=4000, default="")
    search_key = fields.TextField(default="")
    created_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "lms.User", related_name="authored_questions", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    version = fields.IntField(default=1)

    class Meta:
        table = "quizzes_question"
