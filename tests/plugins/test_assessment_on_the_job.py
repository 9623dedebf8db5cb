"""The on-the-job step: baselines when training starts, supervisor and self ratings in waves
after completion, reminders from the daily job on the app's clock (the 90-day one included),
the unit's overdue list within the supervisor's own unit, evidence and change since the
baseline."""

from __future__ import annotations

from datetime import timedelta

from lms_core.models import Course, Enrolment

from lms_assessment import on_the_job
from lms_assessment.models import Evidence, JobRating, Reminder

from .test_assessment_frameworks import _import


async def _setup(client_for, world):
    await _import(await client_for("planner_a"), code="KNL-A")
    await Course.filter(id=world.courses["a"]).update(competencies=[
        {"code": "NL-CDS-01", "name": "…", "level": 3}, {"code": "NL-CDS-02", "name": "…"}])
    admin = await client_for("admin_a")
    r = await admin.put(f"/api/v1/assessment/classes/{world.classes['a']}/plan",
                        json={"template": "standard"})
    assert r.status_code == 200, r.text
    return admin


def _items(level: int, example: str = "Hướng dẫn người dân nộp hồ sơ trực tuyến"):
    return {"items": [{"code": "NL-CDS-01", "level": level, "example": example},
                      {"code": "NL-CDS-02", "level": level}]}


async def test_waves_reminders_overdue_and_change(app, client_for, world, clock):
    admin = await _setup(client_for, world)
    trainee, sup = await client_for("trainee_a"), await client_for("supervisor_a")
    # the baseline, scheduled when the plan was set (trainee_a was already learning)
    mine = (await trainee.get("/api/v1/assessment/ratings")).json()["items"]
    assert [(r["wave"], r["rater_role"]) for r in mine] == [(0, "self")]
    form = mine[0]
    assert [i["code"] for i in form["items"]] == ["NL-CDS-01", "NL-CDS-02"]
    assert [lv["level"] for lv in form["items"][0]["levels"]] == [1, 2, 3, 4, 5]
    theirs = (await sup.get("/api/v1/assessment/ratings")).json()["items"]
    assert [(r["wave"], r["rater_role"], r["trainee"]["id"]) for r in theirs] == \
        [(0, "supervisor", world.users["trainee_a"])]
    assert (await trainee.post(f"/api/v1/assessment/ratings/{form['id']}",
                               json=_items(3))).status_code == 200
    assert (await sup.post(f"/api/v1/assessment/ratings/{theirs[0]['id']}",
                           json=_items(2))).status_code == 200
    # the supervisor's rating is not the trainee's to send
    assert (await trainee.post(f"/api/v1/assessment/ratings/{theirs[0]['id']}",
                               json=_items(5))).status_code == 404

    enrolment = await Enrolment.get(user_id=world.users["trainee_a"], klass_id=world.classes["a"])
    r = await admin.patch(f"/api/v1/enrolments/{enrolment.id}", json={"status": "completed"})
    assert r.status_code == 200
    waves = await JobRating.filter(enrolment_id=enrolment.id, wave__gt=0).order_by(
        "wave", "rater_role").values_list("wave", "rater_role", "due_on")
    completed = (await Enrolment.get(id=enrolment.id)).completed_at.date()
    assert [(w, str(getattr(r, "value", r)), d) for w, r, d in waves] == [
        (30, "self", completed + timedelta(days=30)),
        (30, "supervisor", completed + timedelta(days=30)),
        (90, "self", completed + timedelta(days=90)),
        (90, "supervisor", completed + timedelta(days=90))]

    jobs = app.state.lms.jobs
    clock.advance(timedelta(days=28))
    assert "assessment.remind" in await jobs.run_due()
    assert await Reminder.filter(user_id=world.users["supervisor_a"]).count() == 1
    assert "Sắp đến hạn" in (await Reminder.get(user_id=world.users["supervisor_a"])).message
    assert await on_the_job.remind() == 0  # not twice the same day
    clock.advance(timedelta(days=60))  # day 88: the 90-day ratings come due; day-30 overdue
    await jobs.run_due()
    texts = await Reminder.filter(user_id=world.users["supervisor_a"]).order_by("id").values_list(
        "message", flat=True)
    assert len(texts) == 3 and any("Quá hạn" in t and "30 ngày" in t for t in texts)
    assert any("Sắp đến hạn" in t and "90 ngày" in t for t in texts)
    reminders = (await trainee.get("/api/v1/assessment/reminders")).json()["items"]
    assert reminders and "của anh/chị" in reminders[0]["message"]

    listed = (await sup.get("/api/v1/assessment/ratings/overdue")).json()["items"]
    assert sorted((i["wave"], i["rater_role"]) for i in listed) == [(30, "self"),
                                                                    (30, "supervisor")]
    assert listed[0]["days_overdue"] == 58 and listed[0]["trainee_name"] == "Nguyễn Văn Trainee A"
    assert (await sup.get(f"/api/v1/assessment/ratings/overdue?unit_id="
                          f"{world.units['a-other']}")).status_code == 403

    ninety = next(r for r in (await sup.get("/api/v1/assessment/ratings")).json()["items"]
                  if r["wave"] == 90)
    bad = await sup.post(f"/api/v1/assessment/ratings/{ninety['id']}",
                         json={"items": [{"code": "NL-CDS-01", "level": 4}]})
    assert bad.status_code == 422 and "NL-CDS-02" in bad.json()["detail"]
    assert (await sup.post(f"/api/v1/assessment/ratings/{ninety['id']}",
                           json=_items(4))).status_code == 200
    assert (await sup.post(f"/api/v1/assessment/ratings/{ninety['id']}",
                           json=_items(4))).status_code == 409
    evidence = await Evidence.filter(ref=f"job_rating:{ninety['id']}").values_list(
        "level", "source")
    assert sorted((lv, getattr(s, "value", s)) for lv, s in evidence) == \
        [(4, "supervisor"), (4, "supervisor")]
    changes = (await (await client_for("lecturer_a")).get(
        f"/api/v1/assessment/classes/{world.classes['a']}/on-the-job")).json()["items"]
    assert [(c["code"], c["baseline"], c["level"], c["change"]) for c in changes] == \
        [("NL-CDS-01", 2, 4, 2), ("NL-CDS-02", 2, 4, 2)]
