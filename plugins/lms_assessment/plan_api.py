"""JSON endpoints of a class's assessment plan and its class-quality survey."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from lms_core.auth.principal import Principal
from lms_core.http.endpoints import api, path_int
from lms_core.http.problems import Problem
from lms_core.runtime import runtime

from lms_assessment import class_steps, plans, practical, survey
from lms_assessment.schemas import GradeBody, PlanBody, SubmissionBody, SurveyBody, TaskBody

PREFIX = "/api/v1/assessment/classes/{class_id:int}"
TAGS = ("assessment",)


@api("GET", permission=None, tags=TAGS, summary="The class's assessment plan",
     responses={403: "Not staff of the class", 404: "No class, or no plan yet"})
async def get_plan(request: Request, principal: Principal):
    klass = await plans.class_for_staff(principal, path_int(request, "class_id"))
    plan = await class_steps.plan_or_404(klass)
    return await plans.plan_dict(runtime(request).plugins, plan)


@api("PUT", permission="assessment.manage", body=PlanBody, tags=TAGS,
     summary="Set the class's assessment plan from a template, with step changes")
async def set_plan(request: Request, principal: Principal, body: PlanBody):
    """`steps` changes the template's: switch a step on or off, weigh it, and for on_the_job
    the waves in days after the class (default 30 and 90)."""
    klass = await plans.class_for_staff(principal, path_int(request, "class_id"), manage=True)
    plan = await class_steps.apply_plan(runtime(request).plugins, klass, body.template,
                                        body.steps, principal.user_id)
    return await plans.plan_dict(runtime(request).plugins, plan)


@api("GET", permission=None, tags=TAGS, summary="My class-quality survey form",
     responses={404: "Not a trainee of the class, or no survey"})
async def survey_form(request: Request, principal: Principal):
    klass, plan, enrolment = await class_steps.survey_context(principal,
                                                              path_int(request, "class_id"))
    return {"class_id": klass.id, "open": class_steps.survey_open(klass, plan, enrolment),
            "answered": await class_steps.survey_answered(plan, principal.user_id),
            "anonymous": True, "scale": {str(k): v for k, v in survey.SCALE_LABELS.items()},
            "sections": {k: {"name": vi, "name_en": en} for k, (vi, en) in survey.SECTIONS.items()},
            "items": survey.form_items(await class_steps.lecturers(klass.id)),
            "invalid_share": survey.INVALID_SHARE}


@api("POST", permission=None, body=SurveyBody, tags=TAGS, status=201,
     summary="Send my class-quality survey (once; anonymous)",
     responses={409: "Already sent, or not open yet", 422: "A value is not 1 to 5"})
async def send_survey(request: Request, principal: Principal, body: SurveyBody):
    klass, plan, enrolment = await class_steps.survey_context(principal,
                                                              path_int(request, "class_id"))
    return await class_steps.send_survey(principal, klass, plan, enrolment, body.answers,
                                         body.comment)


@api("GET", permission=None, tags=TAGS, summary="Survey results of the class (no names)",
     responses={403: "Not staff of the class"})
async def survey_results(request: Request, principal: Principal):
    """Means and distributions per item, section and lecturer over the valid forms, the
    response rate, and the invalid forms counted apart. Who wrote what is not stored."""
    klass = await plans.class_for_staff(principal, path_int(request, "class_id"))
    return await class_steps.survey_results(klass)


@api("GET", permission=None, tags=TAGS, summary="Pre-test, post-test and normalised change",
     responses={403: "Not staff of the class"})
async def learning_results(request: Request, principal: Principal):
    """Per trainee the pre- and post-test grades and their normalised change (defined for a
    perfect pre-test too), the class's mean change, and the same per competency."""
    from lms_assessment.learning import class_learning

    klass = await plans.class_for_staff(principal, path_int(request, "class_id"))
    return await class_learning(runtime(request).plugins, klass)


@api("PUT", permission=None, body=TaskBody, tags=TAGS,
     summary="Set the class's practical task and its rubric (lecturers of the class)")
async def set_task(request: Request, principal: Principal, body: TaskBody):
    klass = await class_steps.lecturer_or_admin(principal, path_int(request, "class_id"))
    task = await practical.set_task(klass, body.title, body.instructions,
                                    [r.model_dump() for r in body.rubric], body.due_on,
                                    principal.user_id)
    return practical.task_dict(task)


@api("GET", permission=None, tags=TAGS, summary="The practical task, with my submission",
     responses={404: "No task, or not of your class"})
async def get_task(request: Request, principal: Principal):
    from lms_assessment.models import TaskSubmission

    class_id = path_int(request, "class_id")
    task = await class_steps.task_of(class_id)
    if not await class_steps.is_trainee(class_id, principal.user_id):
        await plans.class_for_staff(principal, class_id)
    mine = await TaskSubmission.get_or_none(task_id=task.id, user_id=principal.user_id)
    return {**practical.task_dict(task),
            "mine": practical.submission_dict(mine) if mine else None}


@api("PUT", permission=None, body=SubmissionBody, tags=TAGS,
     summary="Save my practical task (a draft, or submit it)",
     responses={404: "Not a trainee of the class", 409: "Graded, or submitted already"})
async def save_submission(request: Request, principal: Principal, body: SubmissionBody):
    class_id = path_int(request, "class_id")
    if not await class_steps.is_trainee(class_id, principal.user_id):
        raise Problem(404, "Anh/chị không học lớp này.", "You are not a trainee of this class.")
    sub = await practical.save(await class_steps.task_of(class_id), principal.user_id,
                               body.text, body.submit)
    return practical.submission_dict(sub)


@api("GET", permission=None, tags=TAGS, summary="Submissions of the practical task",
     responses={403: "Not a lecturer of the class"})
async def list_submissions(request: Request, principal: Principal):
    class_id = path_int(request, "class_id")
    await class_steps.lecturer_or_admin(principal, class_id)
    return {"items": await class_steps.submissions(await class_steps.task_of(class_id))}


@api("POST", permission=None, body=GradeBody, tags=TAGS,
     summary="Grade a submission on the rubric (each level becomes evidence)",
     responses={403: "Not a lecturer of the class", 409: "Not submitted",
                422: "Criteria do not match"})
async def grade_submission(request: Request, principal: Principal, body: GradeBody):
    class_id = path_int(request, "class_id")
    await class_steps.lecturer_or_admin(principal, class_id)
    sub = await class_steps.grade(await class_steps.task_of(class_id),
                                  path_int(request, "submission_id"),
                                  [g.model_dump() for g in body.grades], principal.user_id)
    return practical.submission_dict(sub)


def routes() -> list[BaseRoute]:
    def r(path: str, endpoint: Any) -> Route:
        return Route(PREFIX + path, endpoint, methods=[endpoint.__lms_api__.method],
                     name=f"api.assessment_{endpoint.__name__}")

    return [r("/plan", get_plan), r("/plan", set_plan), r("/survey", survey_form),
            r("/survey", send_survey), r("/survey/results", survey_results),
            r("/learning", learning_results), r("/task", set_task), r("/task", get_task),
            r("/task/submission", save_submission), r("/task/submissions", list_submissions),
            r("/task/submissions/{submission_id:int}/grade", grade_submission)]
