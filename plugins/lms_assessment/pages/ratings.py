"""On-the-job ratings as web pages: the rater's queue ("Đánh giá cần thực hiện": the ratings of a
supervisor's own unit staff and the trainee's own self-ratings, overdue first), the rating
form (per competency the course develops, the five level descriptors to choose from and an
example of what was seen at work), and a unit's overdue list for its supervisor.

A rating opens only for the rater it is assigned to (``on_the_job.mine``: 404 for anyone else,
so a supervisor of another unit never sees it); the overdue list is the supervisor's own unit
with its sub-units (403 elsewhere), any unit for planners and admins, as in the JSON API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from lms_core.auth.principal import Principal
from lms_core.http.endpoints import path_int
from lms_core.http.problems import Problem
from lms_core.models import CourseClass, Unit, User
from lms_core.plugin_api import MenuItem
from lms_core.web.pages import page
from lms_core.web.templating import render

from lms_assessment import class_steps, on_the_job
from lms_assessment.models import JobRating, Reminder
from lms_assessment.pages._steps_common import Say, formats, level_options, problem_text, say, \
    small_int, text

BASE = "/assessment/ratings"
MAX_EXAMPLE = 2000  # as RatingItem
#: The latest reminders shown above the queue (the daily job's, ``on_the_job.remind``).
REMINDERS_SHOWN = 10
MAX_UNITS = 500


def _value(v: Any) -> Any:
    return getattr(v, "value", v)


async def _rows(ratings: list[JobRating]) -> list[dict[str, Any]]:
    """The queue's lines: whom, which class, which wave, when due (one query per table)."""
    names = dict(await User.filter(id__in={r.trainee_id for r in ratings}).values_list(
        "id", "full_name")) if ratings else {}
    classes = {c["id"]: c for c in await CourseClass.filter(
        id__in={r.klass_id for r in ratings}).values("id", "code", "title")} if ratings else {}
    return [{"id": r.id, "wave": r.wave, "due_on": r.due_on, "rater_role": _value(r.rater_role),
             "trainee": names.get(r.trainee_id, ""), "klass": classes.get(r.klass_id, {})}
            for r in ratings]


async def _reminders(principal: Principal, pending: set[int]) -> list[dict[str, Any]]:
    """The rater's latest reminders, each leading to its rating while that is still to do:
    the daily job writes them, and this page is where the rater reads them."""
    rows = await Reminder.filter(user_id=principal.user_id,
                                 institution_id=principal.institution_id).order_by(
        "-sent_at", "-id").limit(REMINDERS_SHOWN).values("ref", "message", "message_en",
                                                         "sent_at")
    for row in rows:
        kind, _, ref = row["ref"].partition(":")
        rating_id = int(ref) if kind == "job_rating" and ref.isdigit() else None
        row["url"] = f"{BASE}/{rating_id}" if rating_id in pending else ""
    return rows


@page()
async def queue_page(request: Request, principal: Principal) -> Response:
    """Overdue, due now (within the reminder's notice) and later, each the earliest first, under
    the latest reminders."""
    today = class_steps.today()
    soon = today + timedelta(days=on_the_job.REMIND_BEFORE)
    ratings = await class_steps.rater_queue(principal, "pending")
    rows = await _rows(ratings)
    pending = {r.id for r in ratings}  # the queue holds the pending ones only
    return await render(request, "assessment/ratings_queue.html", {
        "page": "assessment-ratings", "reminders": await _reminders(principal, pending),
        "overdue": [r for r in rows if r["due_on"] < today],
        "due": [r for r in rows if today <= r["due_on"] <= soon],
        "later": [r for r in rows if r["due_on"] > soon],
        "notice": request.query_params.get("notice", ""),
        "can_see_unit": principal.can("assessment.needs"), **formats(request)})


def _parse(form: FormData, items: list[dict[str, Any]], tell: Say
           ) -> tuple[dict[str, dict[str, str]], list[dict[str, Any]], dict[str, str]]:
    kept: dict[str, dict[str, str]] = {}
    answers: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for item in items:
        code = item["code"]
        raw, example = text(form, f"level:{code}").strip()[:2], text(form, f"example:{code}")
        kept[code] = {"level": raw, "example": example}
        level = small_int(raw, 1, 5)
        if level is None:
            errors[f"level:{code}"] = tell("Hãy chọn mức phù hợp nhất với những gì quan sát "
                                           "được.", "Choose the level that fits what you saw.")
        if len(example) > MAX_EXAMPLE:
            errors[f"example:{code}"] = tell(f"Ví dụ dài quá {MAX_EXAMPLE} ký tự.",
                                             f"The example is over {MAX_EXAMPLE} characters.")
        answers.append({"code": code, "level": level, "example": example.strip()})
    return kept, answers, errors


async def _render_form(request: Request, rating: JobRating,
                       kept: dict[str, dict[str, str]] | None = None,
                       errors: dict[str, str] | None = None, message: str = "",
                       status_code: int = 200) -> Response:
    shown = await on_the_job.form(rating)
    if kept is None:
        kept = {a["code"]: {"level": str(a["level"]), "example": a.get("example", "")}
                for a in shown["answers"]}
    items = [{**i, "options": level_options(i["levels"])} for i in shown["items"]]
    return await render(request, "assessment/ratings_form.html", {
        "page": "assessment-rating", "r": shown, "items": items, "form": kept,
        "errors": errors or {}, "message": message, "max_example": MAX_EXAMPLE,
        "overdue": shown["due_on"] < class_steps.today(), **formats(request)},
        status_code=status_code)


@page()
async def rating_page(request: Request, principal: Principal) -> Response:
    rating = await on_the_job.mine(principal, path_int(request, "rating_id"))
    return await _render_form(request, rating)


@page()
async def rating_send(request: Request, principal: Principal) -> Response:
    rating = await on_the_job.mine(principal, path_int(request, "rating_id"))
    shown = await on_the_job.form(rating)
    form = await request.form()
    tell = say(request)
    kept, answers, errors = _parse(form, shown["items"], tell)
    if not shown["items"]:
        errors["form"] = tell("Khoá học chưa khai báo năng lực nào để đánh giá.",
                              "The course declares no competency to rate.")
    if errors:
        return await _render_form(request, rating, kept, errors,
                                  errors.get("form") or tell(
                                      "Hãy sửa các năng lực được đánh dấu bên dưới.",
                                      "Please correct the competencies marked below."), 422)
    try:
        await class_steps.send_rating(principal, rating.id, answers)
    except Problem as exc:
        status, message = problem_text(request, exc)
        fresh = await on_the_job.mine(principal, rating.id)
        return await _render_form(request, fresh, kept, {}, message, status)
    return RedirectResponse(f"{BASE}?notice=sent", status_code=303)


@page("assessment.needs")
async def overdue_page(request: Request, principal: Principal) -> Response:
    """A supervisor's own unit (with its sub-units) by default; planners and admins every unit
    or the one chosen."""
    raw = request.query_params.get("unit_id", "").strip()
    unit_id = small_int(raw, 1, 2**31 - 1) if raw else None
    if raw and unit_id is None:
        raise Problem(422, "Đơn vị không hợp lệ.", "Invalid unit.")
    items = await class_steps.overdue_in_scope(principal, unit_id)
    units = Unit.filter(institution_id=principal.institution_id)
    if not principal.can("assessment.report"):
        own = await Unit.get_or_none(id=principal.unit_id,
                                     institution_id=principal.institution_id)
        units = units.filter(path__startswith=own.path) if own else units.filter(id=0)
    classes = {c["id"]: c for c in await CourseClass.filter(
        id__in={i["klass_id"] for i in items}).values("id", "code", "title")} if items else {}
    return await render(request, "assessment/ratings_overdue.html", {
        "page": "assessment-ratings-overdue", "items": items, "classes": classes,
        "units": await units.order_by("path").limit(MAX_UNITS).values("id", "name", "depth"),
        "unit_id": unit_id, "everyone": principal.can("assessment.report"),
        **formats(request)})


ROUTES: list[BaseRoute] = [
    Route(BASE, queue_page, name="assessment.ratings"),
    Route(BASE + "/overdue", overdue_page, name="assessment.ratings_overdue"),
    Route(BASE + "/{rating_id:int}", rating_page, name="assessment.rating"),
    Route(BASE + "/{rating_id:int}", rating_send, methods=["POST"],
          name="assessment.rating_send"),
]

MENU = [MenuItem("assessment.ratings", "Đánh giá cần thực hiện", "Ratings to do", BASE,
                 order=61, group="assessment")]
