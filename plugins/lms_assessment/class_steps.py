"""Who may do what on a class's assessment steps, and the step data put together from the step
modules (plans, survey, practical, on_the_job): shared by the JSON API (``plan_api``,
``job_api``) and the web pages (``pages/``), so a page can never show or accept what the API
would refuse, and a figure is computed in one place only."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from lms_core import clock
from lms_core.auth.principal import Principal
from lms_core.http.problems import Problem
from lms_core.models import ClassLecturer, CourseClass, Enrolment, EnrolmentStatus, Unit, User
from lms_core.models.classes import ClassStatus

from lms_assessment import plans, practical, survey
from lms_assessment.models import AssessmentPlan, JobRating, PracticalTask, ReviewStatus, \
    SurveyReceipt, SurveyResponse, TaskSubmission

#: Enrolments that make someone a trainee of the class for its assessment.
TRAINING = (EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED)


# --- the plan ----------------------------------------------------------------------------------

async def apply_plan(plugins: Any, klass: CourseClass, template: str, steps: dict[str, Any],
                     actor_id: int) -> AssessmentPlan:
    """Set the plan; trainees already learning get their on-the-job baseline now. Not one
    transaction: scheduling is idempotent by catching the unique index's refusal, which on
    PostgreSQL would abort an enclosing transaction; a plan set again fills any gap."""
    from lms_assessment.on_the_job import schedule_baseline

    plan = await plans.set_plan(plugins, klass, template, steps, actor_id)
    for enrolment in await Enrolment.filter(klass_id=klass.id, status=EnrolmentStatus.ACTIVE):
        await schedule_baseline(enrolment, plugins)
    return plan


async def plan_or_404(klass: CourseClass) -> AssessmentPlan:
    plan = await AssessmentPlan.get_or_none(klass_id=klass.id)
    if plan is None:
        raise Problem(404, "Lớp chưa có kế hoạch đánh giá.", "The class has no assessment plan.")
    return plan


# --- reaction: the class-quality survey --------------------------------------------------------

async def lecturers(klass_id: int) -> list[dict[str, Any]]:
    """The class's lecturers in Vietnamese alphabetical order (their survey items follow it)."""
    rows = await ClassLecturer.filter(klass_id=klass_id).order_by("user__sort_key").values(
        "user_id", "user__full_name")
    return [{"id": r["user_id"], "full_name": r["user__full_name"]} for r in rows]


async def survey_context(principal: Principal, class_id: int
                         ) -> tuple[CourseClass, AssessmentPlan, Enrolment]:
    """The class, its plan and the caller's enrolment: 404 unless the caller is a trainee of a
    class of their institution whose plan has the survey switched on."""
    klass = await CourseClass.get_or_none(id=class_id, institution_id=principal.institution_id)
    enrolment = await Enrolment.filter(klass_id=class_id, user_id=principal.user_id,
                                       status__in=TRAINING).first() if klass else None
    if klass is None or enrolment is None:
        raise Problem(404, "Không có khảo sát nào của lớp này cho anh/chị.",
                      "There is no survey of this class for you.")
    plan = await AssessmentPlan.get_or_none(klass_id=class_id)
    if plan is None or not plans.enabled(plan, "reaction"):
        raise Problem(404, "Lớp này không có khảo sát chất lượng.",
                      "This class has no quality survey.")
    return klass, plan, enrolment


def survey_open_to_all(klass: CourseClass, plan: AssessmentPlan) -> bool:
    """Open to every trainee of the class: it ended, or the admin opened the survey."""
    return bool(klass.status == ClassStatus.ENDED
                or (plan.steps.get("reaction") or {}).get("open"))


def survey_open(klass: CourseClass, plan: AssessmentPlan, enrolment: Any) -> bool:
    """At the end: once the trainee completed, the class ended, or the admin opened it."""
    return enrolment.status == EnrolmentStatus.COMPLETED or survey_open_to_all(klass, plan)


async def survey_answered(plan: AssessmentPlan, user_id: int) -> bool:
    return await SurveyReceipt.filter(plan_id=plan.id, user_id=user_id).exists()


async def send_survey(principal: Principal, klass: CourseClass, plan: AssessmentPlan,
                      enrolment: Any, answers: dict[str, Any], comment: str) -> dict[str, Any]:
    """Refused (409) before the survey opens; once per trainee (``survey.submit``)."""
    if not survey_open(klass, plan, enrolment):
        raise Problem(409, "Khảo sát mở khi anh/chị hoàn thành khoá học hoặc lớp kết thúc.",
                      "The survey opens when you complete the course or the class ends.")
    items = survey.form_items(await lecturers(klass.id))
    return await survey.submit(plan, principal.user_id, items, answers, comment)


async def survey_results(klass: CourseClass) -> dict[str, Any]:
    """Means and distributions over the valid forms, the response rate, invalid forms apart;
    comments from ``survey.MIN_FOR_COMMENTS`` forms on. Nothing in it says who answered."""
    plan = await plan_or_404(klass)
    responses = await SurveyResponse.filter(plan_id=plan.id).values("answers", "comment",
                                                                   "valid")
    trainees = await Enrolment.filter(klass_id=klass.id, status__in=TRAINING).count()
    return {"class_id": klass.id, **survey.statistics(
        survey.form_items(await lecturers(klass.id)), responses, trainees)}


# --- application: the practical task -----------------------------------------------------------

async def task_of(klass_id: int) -> PracticalTask:
    task = await PracticalTask.get_or_none(klass_id=klass_id)
    if task is None:
        raise Problem(404, "Lớp chưa có bài tập thực hành.", "The class has no practical task.")
    return task


async def is_trainee(class_id: int, user_id: int) -> bool:
    return await Enrolment.filter(klass_id=class_id, user_id=user_id,
                                  status__in=TRAINING).exists()


async def lecturer_or_admin(principal: Principal, class_id: int) -> CourseClass:
    """The class's own lecturers set and grade its task (and admins); 404 for another
    institution's class, 403 for anyone else."""
    klass = await plans.class_for_staff(principal, class_id)
    if not principal.can("assessment.manage") and not await ClassLecturer.filter(
            klass_id=class_id, user_id=principal.user_id).exists():
        raise Problem(403, "Chỉ giảng viên của lớp chấm và giao bài tập thực hành.",
                      "Only the class's lecturers set and grade the practical task.")
    return klass


async def submissions(task: PracticalTask, with_text: bool = True) -> list[dict[str, Any]]:
    """Submitted work only (drafts stay the trainee's), first submitted first, with names;
    ``with_text`` False leaves out the reports themselves (a list, a count)."""
    subs = await TaskSubmission.filter(task_id=task.id, submitted_at__isnull=False).order_by(
        "submitted_at", "id")
    names = dict(await User.filter(id__in=[s.user_id for s in subs]).values_list(
        "id", "full_name")) if subs else {}
    return [{**practical.submission_dict(s, with_text), "full_name": names.get(s.user_id, "")}
            for s in subs]


async def grade(task: PracticalTask, submission_id: int, grades: list[dict[str, Any]],
                actor_id: int) -> TaskSubmission:
    """The grade and the evidence it becomes, together or not at all."""
    async with in_transaction():
        return await practical.grade(task, submission_id, grades, actor_id)


# --- on the job ----------------------------------------------------------------------------------

async def rater_queue(principal: Principal, status: str = "pending",
                      limit: int = 500) -> list[JobRating]:
    """Ratings assigned to the caller (a supervisor's unit staff, or their own self-ratings),
    the earliest due first."""
    qs = JobRating.filter(institution_id=principal.institution_id, rater_id=principal.user_id)
    if status != "all":
        qs = qs.filter(status=ReviewStatus(status))
    return await qs.order_by("due_on", "id").limit(limit)


async def send_rating(principal: Principal, rating_id: int,
                      answers: list[dict[str, Any]]) -> JobRating:
    """The rating and the evidence it becomes, together or not at all."""
    from lms_assessment import on_the_job

    async with in_transaction():
        return await on_the_job.submit(principal, rating_id, answers)


async def overdue_in_scope(principal: Principal, unit_id: int | None) -> list[dict[str, Any]]:
    """Overdue ratings of a unit with its sub-units: a supervisor's own unit only (403
    elsewhere), any unit for planners and admins."""
    from lms_assessment import on_the_job
    from lms_assessment.scope import needs_scope as _needs_scope

    scope = await _needs_scope(principal, unit_id)
    unit_ids = None
    if scope is not None:
        top = await Unit.get_or_none(id=scope, institution_id=principal.institution_id)
        if top is None:
            raise Problem(404, "Không tìm thấy đơn vị.", "Unit not found.")
        unit_ids = list(await Unit.filter(institution_id=principal.institution_id,
                                          path__startswith=top.path).values_list(
            "id", flat=True))
    return await on_the_job.overdue(principal.institution_id, unit_ids)


def today() -> Any:
    """The app's clock (tests move it), as the reminders job uses."""
    return clock.now().date()
