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
    # markdown, html, plain or moodle (the GIFT formats), rendered into text_html
    text_format = fields.CharField(max_length=16, default="markdown", db_default="markdown")
    text_html = fields.TextField()
    answers = fields.JSONField(default=list)
    # per-type settings (qtypes.py): short-answer case and accent rules, ordering grading
    options = fields.JSONField(null=True)
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


# --------------------------------------------------------------------------- quizzes


class QuizKind:
    PRACTICE = "practice"
    GRADED = "graded"
    PRE_TEST = "pre_test"
    POST_TEST = "post_test"
    ALL = (PRACTICE, GRADED, PRE_TEST, POST_TEST)


class Quiz(Model):
    """The settings of one ``quiz`` course module. Created from the module's ``data`` when
    first opened and edited by lecturers afterwards; ``slots`` lists fixed questions and random
    draws (quiz_config.py says the shape), kept in one JSON column so that an edit is atomic."""

    id = fields.IntField(primary_key=True)
    institution: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.Institution", related_name="quizzes", on_delete=fields.CASCADE
    )
    module: fields.OneToOneRelation = fields.OneToOneField(
        "lms.CourseModule", related_name="quiz", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=16, default=QuizKind.GRADED)
    slots = fields.JSONField(default=list)
    time_limit_seconds = fields.IntField(default=0)
    opens_at = fields.DatetimeField(null=True)
    closes_at = fields.DatetimeField(null=True)
    attempts_allowed = fields.IntField(default=0)
    grading_method = fields.CharField(max_length=16, default="highest")
    pass_fraction = fields.FloatField(default=0.5)
    shuffle_questions = fields.BooleanField(default=False)
    shuffle_answers = fields.BooleanField(default=True)
    layout = fields.CharField(max_length=16, default="one_per_page")
    review = fields.JSONField(default=dict)
    completion = fields.CharField(max_length=16, default="passed")
    version = fields.IntField(default=1)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "quizzes_quiz"


class Attempt(Model):
    """One trainee's attempt. ``deadline`` is the server's: saves after it (and a short grace
    for the network) are refused and the attempt is submitted as it stands."""

    id = fields.IntField(primary_key=True)
    quiz: fields.ForeignKeyRelation[Quiz] = fields.ForeignKeyField(
        "quizzes.Quiz", related_name="attempts", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.User", related_name="quiz_attempts", on_delete=fields.CASCADE
    )
    enrolment: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "lms.Enrolment", related_name="quiz_attempts", null=True, on_delete=fields.SET_NULL
    )
    number = fields.IntField()
    state = fields.CharField(max_length=16, default="in_progress")
    seed = fields.BigIntField()
    started_at = fields.DatetimeField()
    deadline = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    sum_marks = fields.FloatField(null=True)
    max_marks = fields.FloatField(default=0)
    fraction = fields.FloatField(null=True)
    needs_grading = fields.BooleanField(default=False)
    passed = fields.BooleanField(null=True)
    quiz_version = fields.IntField(default=1)
    updated_at = fields.DatetimeField(auto_now=True)
    #: Finished, and its course progress not yet recorded (``progress.py``): set in the same
    #: statement that finishes the attempt, cleared once a job has recorded it, so a restart
    #: between the two loses nothing (the periodic sweep picks it up).
    progress_pending = fields.BooleanField(default=False)

    class Meta:
        table = "quizzes_attempt"
        unique_together = (("quiz", "user", "number"),)
        indexes = (("quiz_id", "state"), ("user_id", "quiz_id"))


class AttemptSlot(Model):
    """One question of an attempt with the trainee's answer. ``question`` is a snapshot of the
    bank question when the attempt began, so editing the bank never changes a running attempt
    (a regrade replaces it deliberately). ``seq`` counts saves: a save based on an older one
    (another tab) is refused instead of silently overwriting."""

    id = fields.IntField(primary_key=True)
    attempt: fields.ForeignKeyRelation[Attempt] = fields.ForeignKeyField(
        "quizzes.Attempt", related_name="slot_rows", on_delete=fields.CASCADE
    )
    slot = fields.IntField()
    question_id = fields.IntField(null=True)
    question_version = fields.IntField(default=1)
    question = fields.JSONField()
    max_mark = fields.FloatField(default=1)
    response = fields.JSONField(null=True)
    seq = fields.IntField(default=0)
    saved_at = fields.DatetimeField(null=True)
    flagged = fields.BooleanField(default=False)
    fraction = fields.FloatField(null=True)
    mark = fields.FloatField(null=True)
    state = fields.CharField(max_length=16, default="unanswered")
    feedback = fields.JSONField(default=list)
    comment = fields.TextField(default="")
    graded_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "lms.User", related_name="graded_slots", null=True, on_delete=fields.SET_NULL
    )
    graded_at = fields.DatetimeField(null=True)

    class Meta:
        table = "quizzes_attempt_slot"
        unique_together = (("attempt", "slot"),)
        indexes = (("state", "attempt_id"),)
