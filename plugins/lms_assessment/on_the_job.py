"""Step 4 of the post-training assessment, *on the job*: in waves after the class (the plan's
``waves``, default 30 and 90 days), the trainee's supervisor and the trainee each rate the same
behaviour items, against the baseline they gave before the training (wave 0).

* **Scheduling**: when a trainee's enrolment becomes active, their baseline ratings (due at
  once); when they complete, one supervisor and one self rating per wave, due that many days
  after completion. The supervisor is the one of the trainee's unit or the nearest above it.
  Idempotent: a second event creates nothing.
* **Items**: for each competency the course develops, the rater chooses the level (1–5) whose
  descriptor fits what they see at work, with an example of the behaviour.
* **Reminders** go out from the daily job ``assessment.remind`` (the app's job runner, the
  app's clock): ``REMIND_BEFORE`` days before the due date, then every ``REMIND_EVERY`` days while
  overdue. Overdue ratings are listed for the unit.
* **Evidence**: a submitted rating records each competency's level (source ``supervisor`` or
  ``self``); **change** per competency is the wave's level minus the baseline's.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from lms_core import clock
from lms_core.http.problems import Problem
from lms_core.models import Course, CourseClass, Enrolment, User

from lms_assessment import frameworks, profile
from lms_assessment.models import AssessmentPlan, Competency, CompetencyLevel, EvidenceSource, \
    JobRating, RaterRole, Reminder, ReviewStatus
from lms_assessment.needs import course_levels

REMIND_BEFORE = 3
REMIND_EVERY = 7
DEFAULT_WAVES = [30, 90]


def waves_of(plan: AssessmentPlan | None) -> list[int] | None:
    """None when the plan has no on-the-job step switched on."""
    step = (plan.steps.get("on_the_job") if plan else None) or {}
    if not step.get("enabled"):
        return None
    return sorted(set(step.get("waves") or DEFAULT_WAVES))


async def _plan_for(enrolment: Enrolment, plugins: Any
                    ) -> tuple[CourseClass, AssessmentPlan | None]:
    from lms_assessment.plans import effective_plan

    klass = await CourseClass.get(id=enrolment.klass_id)
    return klass, await effective_plan(plugins, klass)


async def _create(enrolment: Enrolment, klass: CourseClass, role: RaterRole, rater_id: int | None,
                  wave: int, due_on: date) -> bool:
    try:
        await JobRating.create(institution_id=klass.institution_id, klass_id=klass.id,
                               enrolment_id=enrolment.id, trainee_id=enrolment.user_id,
                               rater_role=role, rater_id=rater_id, wave=wave, due_on=due_on)
        return True
    except IntegrityError:
        return False  # scheduled already (both events of one completion)


async def _supervisor(institution_id: int, trainee_id: int) -> int | None:
    from lms_assessment.supervisors import find_supervisor

    user = await User.get(id=trainee_id)
    return await find_supervisor(institution_id, user.unit_id, exclude_user_id=trainee_id)


async def schedule_baseline(enrolment: Enrolment, plugins: Any = None) -> int:
    klass, plan = await _plan_for(enrolment, plugins)
    if waves_of(plan) is None:
        return 0
    today = clock.now().date()
    supervisor = await _supervisor(klass.institution_id, enrolment.user_id)
    made = await _create(enrolment, klass, RaterRole.SUPERVISOR, supervisor, 0, today)
    made += await _create(enrolment, klass, RaterRole.SELF, enrolment.user_id, 0, today)
    return made


async def schedule_waves(enrolment: Enrolment, plugins: Any = None) -> int:
    klass, plan = await _plan_for(enrolment, plugins)
    waves = waves_of(plan)
    if waves is None:
        return 0
    done = enrolment.completed_at or clock.now()
    supervisor = await _supervisor(klass.institution_id, enrolment.user_id)
    made = 0
    for wave in waves:
        due = (done + timedelta(days=wave)).date()
        made += await _create(enrolment, klass, RaterRole.SUPERVISOR, supervisor, wave, due)
        made += await _create(enrolment, klass, RaterRole.SELF, enrolment.user_id, wave, due)
    return made


async def form(rating: JobRating) -> dict[str, Any]:
    """The behaviour items: each competency the course develops with its five descriptors."""
    klass = await CourseClass.get(id=rating.klass_id)
    course = await Course.get(id=klass.course_id)
    resolve = await frameworks.resolve_codes(klass.institution_id)
    develops = course_levels(course.competencies, resolve)
    comps = {c["id"]: c for c in await Competency.filter(id__in=list(develops)).values(
        "id", "code", "name", "name_en")} if develops else {}
    levels: dict[int, list[dict[str, Any]]] = {}
    for row in await CompetencyLevel.filter(competency_id__in=list(develops)).order_by(
            "level").values("competency_id", "level", "descriptor", "descriptor_en"):
        levels.setdefault(row["competency_id"], []).append(
            {k: row[k] for k in ("level", "descriptor", "descriptor_en")})
    trainee = await User.get(id=rating.trainee_id)
    return {"id": rating.id, "wave": rating.wave, "due_on": rating.due_on,
            "rater_role": getattr(rating.rater_role, "value", rating.rater_role),
            "status": getattr(rating.status, "value", rating.status),
            "trainee": {"id": trainee.id, "full_name": trainee.full_name},
            "class": {"id": klass.id, "code": klass.code, "title": klass.title},
            "items": [{"code": comps[cid]["code"], "name": comps[cid]["name"],
                       "name_en": comps[cid]["name_en"], "course_level": level,
                       "levels": levels.get(cid, [])}
                      for cid, level in sorted(develops.items()) if cid in comps],
            "answers": rating.items, "submitted_at": rating.submitted_at}


async def mine(principal: Any, rating_id: int) -> JobRating:
    rating = await JobRating.get_or_none(id=rating_id, institution_id=principal.institution_id)
    if rating is None or rating.rater_id != principal.user_id:
        raise Problem(404, "Không tìm thấy phiếu đánh giá được giao cho anh/chị.",
                      "No rating of yours with this number.")
    return rating


async def submit(principal: Any, rating_id: int, answers: list[dict[str, Any]]) -> JobRating:
    rating = await mine(principal, rating_id)
    if rating.status != ReviewStatus.PENDING:
        raise Problem(409, "Phiếu này đã được gửi.", "This rating was sent already.")
    shown = await form(rating)
    expected = {i["code"] for i in shown["items"]}
    given = {a.get("code") for a in answers}
    if given != expected:
        missing, extra = sorted(expected - given), sorted(given - expected, key=str)
        raise Problem(422, f"Cần đánh giá đúng các năng lực của khoá học"
                           f"{'; còn thiếu ' + ', '.join(missing) if missing else ''}"
                           f"{'; không thuộc khoá học: ' + ', '.join(map(str, extra)) if extra else ''}.",
                      f"Rate exactly the course's competencies"
                      f"{'; missing ' + ', '.join(missing) if missing else ''}"
                      f"{'; not of the course: ' + ', '.join(map(str, extra)) if extra else ''}.")
    now = clock.now()
    rating.items = [{"code": a["code"], "level": a["level"],
                     "example": a.get("example", "")} for a in answers]
    rating.status, rating.submitted_at = ReviewStatus.DONE, now
    await rating.save()
    resolve = await frameworks.resolve_codes(rating.institution_id)
    source = EvidenceSource.SUPERVISOR if rating.rater_role == RaterRole.SUPERVISOR \
        else EvidenceSource.SELF
    for item in rating.items:
        if item["code"] in resolve:
            await profile.record_evidence(
                institution_id=rating.institution_id, user_id=rating.trainee_id,
                competency_id=resolve[item["code"]], level=item["level"], source=source,
                observed_at=now, ref=f"job_rating:{rating.id}",
                recorded_by_id=principal.user_id, note=item["example"][:500])
    return rating


async def remind(institution_id: int | None = None, today: date | None = None) -> int:
    """The daily job: one reminder per pending rating coming due within ``REMIND_BEFORE`` days,
    then every ``REMIND_EVERY`` days while it is overdue."""
    today = today or clock.now().date()
    qs = JobRating.filter(status=ReviewStatus.PENDING, rater_id__isnull=False,
                          due_on__lte=today + timedelta(days=REMIND_BEFORE))
    if institution_id is not None:
        qs = qs.filter(institution_id=institution_id)
    sent = 0
    now = clock.now()
    ratings = await qs
    names = dict(await User.filter(id__in={r.trainee_id for r in ratings}).values_list(
        "id", "full_name")) if ratings else {}
    for rating in ratings:
        if rating.reminded_on is not None and (
                rating.due_on >= today or today - rating.reminded_on < timedelta(
                    days=REMIND_EVERY)):
            continue
        trainee_name = names.get(rating.trainee_id, "")
        overdue = rating.due_on < today
        who = "anh/chị" if rating.rater_role == RaterRole.SELF else trainee_name
        await Reminder.create(
            institution_id=rating.institution_id, user_id=rating.rater_id,
            kind="job_rating", ref=f"job_rating:{rating.id}", sent_at=now,
            message=(f"{'Quá hạn' if overdue else 'Sắp đến hạn'} ({rating.due_on:%d/%m/%Y}): "
                     f"đánh giá sau đào tạo {rating.wave} ngày của {who}.")[:500],
            message_en=(f"{'Overdue' if overdue else 'Due soon'} ({rating.due_on:%d/%m/%Y}): "
                        f"the {rating.wave}-day on-the-job rating of "
                        f"{'you' if rating.rater_role == RaterRole.SELF else trainee_name}."
                        )[:500])
        rating.reminders += 1
        rating.reminded_on = today
        await rating.save(update_fields=["reminders", "reminded_on"])
        sent += 1
    return sent


async def remind_job(ctx: Any) -> int:
    return await remind()


async def overdue(institution_id: int, unit_ids: list[int] | None,
                  klass_id: int | None = None) -> list[dict[str, Any]]:
    """Pending ratings past their due date, the longest overdue first: of trainees in
    ``unit_ids`` (None: every unit), of one class when ``klass_id`` is given."""
    today = clock.now().date()
    qs = JobRating.filter(institution_id=institution_id, status=ReviewStatus.PENDING,
                          due_on__lt=today)
    if klass_id is not None:
        qs = qs.filter(klass_id=klass_id)
    rows = await qs.order_by("due_on", "id").values(
        "id", "wave", "due_on", "rater_role", "rater_id", "trainee_id", "klass_id", "reminders")
    users = {u["id"]: u for u in await User.filter(
        id__in={r["trainee_id"] for r in rows} | {r["rater_id"] for r in rows if r["rater_id"]}
    ).values("id", "full_name", "unit_id")} if rows else {}
    out = []
    for r in rows:
        trainee = users.get(r["trainee_id"], {})
        if unit_ids is not None and trainee.get("unit_id") not in unit_ids:
            continue
        out.append({**{k: getattr(v, "value", v) for k, v in r.items()},
                    "trainee_name": trainee.get("full_name", ""),
                    "rater_name": users.get(r["rater_id"], {}).get("full_name", ""),
                    "days_overdue": (today - r["due_on"]).days})
    return out


async def changes(klass_id: int) -> list[dict[str, Any]]:
    """Per trainee, rater and competency: each wave's level minus the baseline's."""
    rows = await JobRating.filter(klass_id=klass_id, status=ReviewStatus.DONE).values(
        "trainee_id", "rater_role", "wave", "items")
    base: dict[tuple[int, str], dict[str, int]] = {}
    for r in rows:
        if r["wave"] == 0:
            base[(r["trainee_id"], getattr(r["rater_role"], "value", r["rater_role"]))] = {
                i["code"]: i["level"] for i in r["items"]}
    out = []
    for r in sorted(rows, key=lambda r: (r["trainee_id"], str(r["rater_role"]), r["wave"])):
        role = getattr(r["rater_role"], "value", r["rater_role"])
        if r["wave"] == 0:
            continue
        before = base.get((r["trainee_id"], role), {})
        for item in r["items"]:
            out.append({"trainee_id": r["trainee_id"], "rater_role": role, "wave": r["wave"],
                        "code": item["code"], "level": item["level"],
                        "baseline": before.get(item["code"]),
                        "change": item["level"] - before[item["code"]]
                        if item["code"] in before else None})
    return out
