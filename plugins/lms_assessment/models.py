"""The assessment plugin's tables (app label ``assessment``): competency frameworks, position
requirements, evidence and the profile, exemptions, the class assessment plan and its steps,
certificates."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model


class PositionCompetency(Model):
    """A competency a job position requires (khung năng lực), with the level expected (1 to 5).
    Codes are those courses declare in their manifests, which is how completions cover them."""

    id = fields.IntField(primary_key=True)
    institution: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.Institution", related_name=False, on_delete=fields.CASCADE
    )
    position: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.JobPosition", related_name=False, on_delete=fields.CASCADE
    )
    code = fields.CharField(max_length=64)
    required_level = fields.SmallIntField(default=1)
    #: An optional requirement counts in the gap analysis (with its weight) but not in
    #: "meeting the standard".
    mandatory = fields.BooleanField(default=True)
    weight = fields.FloatField(default=1.0)

    class Meta:
        table = "assessment_position_competency"
        unique_together = (("position", "code"),)


class ReviewStatus(str, Enum):
    PENDING = "pending"
    DONE = "done"
    CANCELLED = "cancelled"


class CombineRule(str, Enum):
    """How a person's evidence for one competency becomes their current level (profile.py)."""

    HIGHEST = "highest"
    LATEST = "latest"
    PRIORITY = "priority"


class Framework(Model):
    """A competency framework published by an institution. ``shared``: other institutions may
    use it (the city publishes, districts use: phân cấp); only the owner edits it."""

    id = fields.IntField(primary_key=True)
    institution: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "lms.Institution", related_name=False, on_delete=fields.CASCADE
    )
    code = fields.CharField(max_length=64)
    name = fields.CharField(max_length=255)
    name_en = fields.CharField(max_length=255, default="")
    version = fields.CharField(max_length=32, default="1")
    shared = fields.BooleanField(default=False)
    default_rule = fields.CharEnumField(CombineRule, max_length=16, default=CombineRule.HIGHEST)
    #: The CASE framework document's identifier when imported from IMS CASE (kept on export).
    case_id = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "assessment_framework"
        unique_together = (("institution", "code"),)


class FrameworkUse(Model):
    """An institution using another's shared framework (its own frameworks need no row)."""

    id = fields.IntField(primary_key=True)
    institution_id = fields.IntField()
    framework: fields.ForeignKeyRelation[Framework] = fields.ForeignKeyField(
        "assessment.Framework", related_name="uses", on_delete=fields.CASCADE
    )

    class Meta:
        table = "assessment_framework_use"
        unique_together = (("institution_id", "framework"),)


class CompetencyGroup(Model):
    id = fields.IntField(primary_key=True)
    framework: fields.ForeignKeyRelation[Framework] = fields.ForeignKeyField(
        "assessment.Framework", related_name="groups", on_delete=fields.CASCADE
    )
    code = fields.CharField(max_length=64)
    name = fields.CharField(max_length=255)
    name_en = fields.CharField(max_length=255, default="")
    position = fields.IntField(default=0)

    class Meta:
        table = "assessment_competency_group"
        unique_together = (("framework", "code"),)


class Competency(Model):
    """One competency with its five proficiency levels (``CompetencyLevel``). ``code`` is what
    courses, modules and questions name in their manifests and tags."""

    id = fields.IntField(primary_key=True)
    framework: fields.ForeignKeyRelation[Framework] = fields.ForeignKeyField(
        "assessment.Framework", related_name="competencies", on_delete=fields.CASCADE
    )
    group: fields.ForeignKeyNullableRelation[CompetencyGroup] = fields.ForeignKeyField(
        "assessment.CompetencyGroup", related_name="competencies", null=True,
        on_delete=fields.SET_NULL
    )
    code = fields.CharField(max_length=64)
    name = fields.CharField(max_length=255)
    name_en = fields.CharField(max_length=255, default="")
    description = fields.TextField(default="")
    #: None: the framework's default rule.
    rule = fields.CharEnumField(CombineRule, max_length=16, null=True)
    #: For the "priority" rule: evidence sources, most trusted first.
    source_priority: list = fields.JSONField(default=list)
    position = fields.IntField(default=0)
    case_id = fields.CharField(max_length=64, default="")

    class Meta:
        table = "assessment_competency"
        unique_together = (("framework", "code"),)


class CompetencyLevel(Model):
    id = fields.IntField(primary_key=True)
    competency: fields.ForeignKeyRelation[Competency] = fields.ForeignKeyField(
        "assessment.Competency", related_name="levels", on_delete=fields.CASCADE
    )
    level = fields.SmallIntField()
    descriptor = fields.TextField(default="")
    descriptor_en = fields.TextField(default="")

    class Meta:
        table = "assessment_competency_level"
        unique_together = (("competency", "level"),)


# --- a person's competency profile -------------------------------------------------------------


class EvidenceSource(str, Enum):
    POST_TEST = "post_test"
    PRACTICAL = "practical"
    SUPERVISOR = "supervisor"
    SELF = "self"
    PRIOR_CERTIFICATE = "prior_certificate"
    RECOGNITION = "recognition"
    COURSE = "course"


class Evidence(Model):
    """Why someone is held to have a competency at a level: a post-test, a graded practical
    task, a supervisor's rating, an accepted prior certificate... ``expires_at`` None: for
    good. Never edited: a correction is new evidence (and ``withdrawn_at`` on the old one)."""

    id = fields.BigIntField(primary_key=True)
    institution_id = fields.IntField()
    user_id = fields.IntField()
    competency_id = fields.IntField()
    level = fields.SmallIntField()
    source = fields.CharEnumField(EvidenceSource, max_length=24)
    observed_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(null=True)
    #: What it comes from, e.g. "quiz_attempt:123", "enrolment:45", "review:9".
    ref = fields.CharField(max_length=64, default="")
    recorded_by_id = fields.IntField(null=True)
    note = fields.TextField(default="")
    withdrawn_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "assessment_evidence"
        indexes = (("user_id", "competency_id"),)


class ProfileSegment(Model):
    """A person's level of one competency over a stretch of time, derived from their evidence
    when evidence arrives (profile.py): the level at a moment is the segment containing it,
    so expiry needs no nightly job, and every reader (course page, profile, reports) uses the
    same rows and the same test ``valid_from <= now < valid_until``."""

    id = fields.BigIntField(primary_key=True)
    institution_id = fields.IntField()
    user_id = fields.IntField()
    competency_id = fields.IntField()
    level = fields.SmallIntField()
    valid_from = fields.DatetimeField()
    valid_until = fields.DatetimeField(null=True)
    evidence_id = fields.BigIntField()

    class Meta:
        table = "assessment_profile_segment"
        #: Covering, user first: a person's segments of one competency (profile.rebuild), and
        #: every person's segments in user order with all the columns the reports read, so the
        #: city-wide "% meeting standard" is an index-only scan merged with the people
        #: (standard.py).
        indexes = (("user_id", "competency_id", "level", "valid_from", "valid_until"),
                   ("competency_id", "level"))


class ExemptionStatus(str, Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Exemption(Model):
    """Recognition of prior learning (công nhận kết quả học tập trước): instead of sitting a
    course again, the person is exempted once an admin approves, and the approval is recorded
    as evidence of each competency the course develops."""

    id = fields.IntField(primary_key=True)
    institution_id = fields.IntField(db_index=True)
    user_id = fields.IntField()
    course_id = fields.IntField()
    klass_id = fields.IntField(null=True)
    status = fields.CharEnumField(ExemptionStatus, max_length=16, default=ExemptionStatus.PENDING)
    reason = fields.TextField(default="")
    requested_by_id = fields.IntField(null=True)
    decided_by_id = fields.IntField(null=True)
    decided_at = fields.DatetimeField(null=True)
    decision_note = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "assessment_exemption"
        indexes = (("user_id", "course_id"),)


# --- the post-training assessment plan of a class -------------------------------------------


class AssessmentPlan(Model):
    """What is assessed for one class and how much each step weighs, made from a template by an
    admin (plans.py). ``steps``: {step key: {"enabled": bool, "weight": number, ...settings}}
    for the four built-in steps (reaction, learning, application, on_the_job) and any a plugin
    adds through ``lms_assessment_steps``."""

    id = fields.IntField(primary_key=True)
    institution_id = fields.IntField(db_index=True)
    klass_id = fields.IntField(unique=True)
    template = fields.CharField(max_length=64, default="standard")
    steps: dict = fields.JSONField(default=dict)
    created_by_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "assessment_plan"


class SurveyResponse(Model):
    """One trainee's class-quality survey, with nothing that says whose it is: no user, no time
    of day (the date only), so neither lecturers nor anyone reading the table can tell who
    wrote it. Who has answered is in ``SurveyReceipt``, written in the same transaction."""

    id = fields.IntField(primary_key=True)
    plan: fields.ForeignKeyRelation[AssessmentPlan] = fields.ForeignKeyField(
        "assessment.AssessmentPlan", related_name="responses", on_delete=fields.CASCADE)
    answers: dict = fields.JSONField(default=dict)
    comment = fields.TextField(default="")
    items = fields.IntField()
    unanswered = fields.IntField()
    valid = fields.BooleanField()
    submitted_on = fields.DateField()

    class Meta:
        table = "assessment_survey_response"


class SurveyReceipt(Model):
    """That a trainee has answered a plan's survey (once), never which response is theirs."""

    id = fields.IntField(primary_key=True)
    plan: fields.ForeignKeyRelation[AssessmentPlan] = fields.ForeignKeyField(
        "assessment.AssessmentPlan", related_name="receipts", on_delete=fields.CASCADE)
    user_id = fields.IntField()

    class Meta:
        table = "assessment_survey_receipt"
        unique_together = (("plan", "user_id"),)


class RaterRole(str, Enum):
    SUPERVISOR = "supervisor"
    SELF = "self"


class JobRating(Model):
    """Step 4, on the job: one rater's rating of one trainee in one wave (0 = the baseline
    before training, then days after the class: 30, 90...). The supervisor and the trainee
    rate the same behaviour items: for each competency the course develops, the level whose
    descriptor fits what they see at work, with an example. ``items``: [{code, level,
    example}]."""

    id = fields.IntField(primary_key=True)
    institution_id = fields.IntField(db_index=True)
    klass_id = fields.IntField()
    enrolment_id = fields.IntField()
    trainee_id = fields.IntField(db_index=True)
    rater_role = fields.CharEnumField(RaterRole, max_length=16)
    rater_id = fields.IntField(null=True, db_index=True)
    wave = fields.IntField()
    due_on = fields.DateField()
    status = fields.CharEnumField(ReviewStatus, max_length=16, default=ReviewStatus.PENDING)
    items: list = fields.JSONField(default=list)
    submitted_at = fields.DatetimeField(null=True)
    reminders = fields.IntField(default=0)
    reminded_on = fields.DateField(null=True)

    class Meta:
        table = "assessment_job_rating"
        unique_together = (("enrolment_id", "rater_role", "wave"),)
        indexes = (("status", "due_on"),)


class Reminder(Model):
    """A reminder sent to a user (in the app: their list of what is due), kept as the record
    that it went out."""

    id = fields.IntField(primary_key=True)
    institution_id = fields.IntField()
    user_id = fields.IntField(db_index=True)
    kind = fields.CharField(max_length=32)
    ref = fields.CharField(max_length=64)
    message = fields.CharField(max_length=500)
    message_en = fields.CharField(max_length=500, default="")
    sent_at = fields.DatetimeField()
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "assessment_reminder"


class PracticalTask(Model):
    """Step 3, application: a short report or project on a real problem of the trainee's own
    unit, tied to their job position, graded on a rubric per competency."""

    id = fields.IntField(primary_key=True)
    institution_id = fields.IntField()
    klass_id = fields.IntField(unique=True)
    title = fields.CharField(max_length=255)
    instructions = fields.TextField(default="")
    #: [{code, criterion}]: the competencies graded and what is looked at for each
    rubric: list = fields.JSONField(default=list)
    due_on = fields.DateField(null=True)
    created_by_id = fields.IntField(null=True)

    class Meta:
        table = "assessment_practical_task"


class TaskSubmission(Model):
    id = fields.IntField(primary_key=True)
    task: fields.ForeignKeyRelation[PracticalTask] = fields.ForeignKeyField(
        "assessment.PracticalTask", related_name="submissions", on_delete=fields.CASCADE)
    user_id = fields.IntField()
    text = fields.TextField(default="")
    submitted_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)
    #: [{code, level, comment}] once graded
    grades: list = fields.JSONField(default=list)
    graded_by_id = fields.IntField(null=True)
    graded_at = fields.DatetimeField(null=True)

    class Meta:
        table = "assessment_task_submission"
        unique_together = (("task", "user_id"),)


# --- certificates ------------------------------------------------------------------------------

class Certificate(Model):
    """A certificate of completed training, issued only where the institution issues them
    (setting ``assessment.certificates``). What it says is copied when issued (the holder's
    name, the course's title, the institution's name), so a later rename never changes a
    printed certificate and its verification page. ``code`` is the unguessable key of the
    public verification URL; a revoked certificate still verifies, as revoked."""

    id = fields.IntField(primary_key=True)
    institution_id = fields.IntField(db_index=True)
    user_id = fields.IntField(db_index=True)
    course_id = fields.IntField()
    klass_id = fields.IntField(db_index=True)
    enrolment_id = fields.IntField(unique=True)
    code = fields.CharField(max_length=32, unique=True)
    number = fields.CharField(max_length=32)
    holder_name = fields.CharField(max_length=255)
    course_title = fields.CharField(max_length=255)
    course_title_en = fields.CharField(max_length=255, default="")
    class_code = fields.CharField(max_length=64, default="")
    institution_name = fields.CharField(max_length=255)
    duration_hours = fields.IntField(default=0)
    #: [{code, name, level}]: what the course develops, as known when issued
    competencies: list = fields.JSONField(default=list)
    completed_on = fields.DateField()
    issued_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    revoked_reason = fields.TextField(default="")
    revoked_by_id = fields.IntField(null=True)

    class Meta:
        table = "assessment_certificate"
