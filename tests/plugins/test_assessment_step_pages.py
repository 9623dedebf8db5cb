"""The web pages of a class's post-training assessment steps: the admins' plan form (weights and
waves checked, a plugin's own step), the overview for the class's staff, the trainee's
anonymous survey (once, answers kept on a refusal) and its results with no names, the
practical task submitted and graded through the forms into the profile, and on-the-job
ratings through the form with a supervisor of another unit refused. Forms post like a browser:
the CSRF token in the form only."""

from __future__ import annotations

import re
from datetime import timedelta


from conftest import password_hash
from lms_core.models import Course, Enrolment, EnrolmentStatus, Membership, User
from lms_core.services.users import user_fields

from lms_assessment import profile
from lms_assessment.models import AssessmentPlan, Competency, Evidence, JobRating, \
    ReviewStatus, SurveyReceipt, SurveyResponse, TaskSubmission

from .test_assessment_frameworks import _import
from .test_assessment_survey import extra_plugins  # noqa: F401  (a plugin adding a step)


async def browser(client_for, login: str):
    """A logged-in client that, like a browser, sends the CSRF token only in the form."""
    client = await client_for(login)
    del client.headers["X-CSRF-Token"]
    token = (await client.get("/api/v1/me")).json()["csrf_token"]
    return client, token


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _plan_form(token: str, **changes: str) -> dict[str, str]:
    form = {"csrf_token": token, "template": "standard", "action": "save",
            "enabled:reaction": "1", "weight:reaction": "1", "open:reaction": "1",
            "enabled:learning": "1", "weight:learning": "2",
            "enabled:application": "1", "weight:application": "3",
            "enabled:on_the_job": "1", "weight:on_the_job": "4", "waves:on_the_job": "30, 90",
            "weight:portfolio": "2"}
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


async def _setup(client_for, world):
    """A framework, the course's competencies, and the standard plan set through the page."""
    await _import(await client_for("planner_a"), code="KNL-A")
    await Course.filter(id=world.courses["a"]).update(competencies=[
        {"code": "NL-CDS-01", "name": "…", "level": 3}, {"code": "NL-CDS-02", "name": "…"}])
    admin, token = await browser(client_for, "admin_a")
    r = await admin.post(f"/assessment/classes/{world.classes['a']}/plan", data=_plan_form(token))
    assert r.status_code == 303, r.text
    return admin, token


async def test_plan_form_validates_weights_and_waves(client_for, world):
    admin, token = await browser(client_for, "admin_a")
    url = f"/assessment/classes/{world.classes['a']}/plan"
    page = await admin.get(url)
    assert page.status_code == 200
    assert "Hồ sơ minh chứng" in page.text  # the plugin's step is on the form
    assert 'name="waves:on_the_job" value="30, 90"' in page.text  # the template's, before any

    r = await admin.post(url, data=_plan_form(token, **{"weight:learning": "nhiều",
                                                        "waves:on_the_job": "0, 900"}))
    assert r.status_code == 422
    assert "Trọng số là một số từ 0 đến 100" in r.text
    assert "Các đợt là số ngày sau khoá học" in r.text
    assert 'value="nhiều"' in r.text and 'value="0, 900"' in r.text  # kept as typed
    for bad in ({"waves:on_the_job": "30, 60, 90, 120, 150, 180, 210"},
                {"waves:on_the_job": ""}, {"weight:reaction": "101"},
                {"weight:reaction": "-1"}):
        assert (await admin.post(url, data=_plan_form(token, **bad))).status_code == 422, bad
    r = await admin.post(url, data={"csrf_token": token, "template": "dai", "action": "template"})
    assert r.status_code == 422 and "mẫu kế hoạch chuẩn hoặc rút gọn" in r.text
    assert await AssessmentPlan.all().count() == 0

    r = await admin.post(url, data=_plan_form(token, **{
        "weight:learning": "2,5", "waves:on_the_job": "90; 30", "enabled:application": None,
        "enabled:portfolio": "1"}))
    assert r.status_code == 303 and r.headers["location"] == f"{url}?notice=saved"
    plan = await AssessmentPlan.get(klass_id=world.classes["a"])
    assert plan.steps["learning"]["weight"] == 2.5
    assert plan.steps["on_the_job"]["waves"] == [30, 90]
    assert plan.steps["application"]["enabled"] is False
    assert plan.steps["portfolio"]["enabled"] is True and plan.steps["reaction"]["open"] is True
    assert "Đã lưu kế hoạch đánh giá." in (await admin.get(r.headers["location"])).text

    r = await admin.post(url, data={"csrf_token": token, "template": "short",
                                    "action": "template"})
    assert r.status_code == 303
    plan = await AssessmentPlan.get(klass_id=world.classes["a"])
    assert plan.template == "short" and plan.steps["application"]["enabled"] is False
    assert plan.steps["learning"]["weight"] == 1.0

    # no CSRF token: refused before anything happens
    assert (await admin.post(url, data={"template": "standard",
                                        "action": "template"})).status_code == 403
    lecturer, ltoken = await browser(client_for, "lecturer_a")
    assert (await lecturer.get(url)).status_code == 403
    assert (await lecturer.post(url, data=_plan_form(ltoken))).status_code == 403
    other, _ = await browser(client_for, "admin_b")
    assert (await other.get(url)).status_code == 404


async def test_pages_answer_the_right_roles_only(client_for, world, anon):
    await _setup(client_for, world)
    cid = world.classes["a"]
    base = f"/assessment/classes/{cid}"
    lecturer, ltoken = await browser(client_for, "lecturer_a")
    r = await lecturer.post(f"{base}/task/edit", data={
        "csrf_token": ltoken, "title": "Đề án", "instructions": "Viết", "rows": "1",
        "code:0": "NL-CDS-01", "criterion:0": "Khả thi"})
    assert r.status_code == 303
    expectations = {
        f"{base}/plan": {"admin_a": 200, "lecturer_a": 403, "trainee_a": 403, "admin_b": 404},
        base: {"admin_a": 200, "lecturer_a": 200, "planner_a": 200, "trainee_a": 403,
               "lecturer_b": 404},
        f"{base}/survey": {"trainee_a": 200, "lecturer_a": 404, "trainee_b": 404},
        f"{base}/survey/results": {"lecturer_a": 200, "planner_a": 200, "trainee_a": 403,
                                   "lecturer_b": 404},
        f"{base}/task": {"trainee_a": 200, "lecturer_a": 200, "trainee2_a": 403,
                         "lecturer_b": 404},
        f"{base}/task/edit": {"lecturer_a": 200, "admin_a": 200, "planner_a": 403,
                              "trainee_a": 403, "lecturer_b": 404},
        f"{base}/task/submissions": {"lecturer_a": 200, "planner_a": 403, "trainee_a": 403,
                                     "admin_b": 404},
        "/assessment/ratings": {"trainee_a": 200, "supervisor_a": 200},
        "/assessment/ratings/overdue": {"supervisor_a": 200, "planner_a": 200,
                                        "trainee_a": 403},
        "/assessment/classes": {"trainee_a": 200, "lecturer_a": 200, "admin_a": 200},
    }
    clients = {}
    for url, by_login in expectations.items():
        for login, status in by_login.items():
            if login not in clients:
                clients[login] = await client_for(login)
            r = await clients[login].get(url)
            assert r.status_code == status, (url, login, r.status_code)
    assert (await anon.get(base)).status_code == 303  # to the login page

    # where people land: the menu, and the list leading each to their part
    home = (await clients["trainee_a"].get("/assessment/classes")).text
    assert 'href="/assessment/classes"' in home and 'href="/assessment/ratings"' in home
    assert f'href="{base}/survey"' in home and f'href="{base}/task"' in home
    staff = (await clients["lecturer_a"].get("/assessment/classes")).text
    assert f'href="{base}"' in staff and "Lớp b" not in staff
    overview = (await clients["lecturer_a"].get(base)).text
    assert "Khảo sát chất lượng lớp học" in overview and "Bài nộp và chấm bài" in overview
    assert "Hồ sơ minh chứng" in overview  # the plugin's step, in the plan's list


async def test_the_survey_form_is_anonymous_once_and_keeps_answers(client_for, world):
    await _setup(client_for, world)
    for login in ("trainee2_a",):
        await Enrolment.create(user_id=world.users[login], klass_id=world.classes["a"],
                               status=EnrolmentStatus.ACTIVE)
    url = f"/assessment/classes/{world.classes['a']}/survey"
    trainee, token = await browser(client_for, "trainee_a")
    form = await trainee.get(url)
    assert form.status_code == 200
    assert "Phiếu khảo sát ẩn danh." in form.text and "Rất đồng ý" in form.text
    assert "Giảng viên: Nguyễn Văn Lecturer A" in form.text
    keys = sorted(set(re.findall(r'name="answer:([^"]+)"', form.text)))
    assert len(keys) == 15

    answers = {f"answer:{k}": "4" for k in keys}
    # a value not on the scale: refused, every answer and the comment kept
    r = await trainee.post(url, data={"csrf_token": token, **answers, "answer:P1": "7",
                                      "comment": "Nên thêm bài tập tình huống"})
    assert r.status_code == 422 and "Chọn một mức từ 1 đến 5." in r.text
    assert r.text.count('value="4" checked') == 14
    assert "Nên thêm bài tập tình huống" in r.text
    # too many left blank: shown again to confirm, nothing stored
    r = await trainee.post(url, data={"csrf_token": token, "answer:P1": "5"})
    assert r.status_code == 422 and "Còn 14 câu chưa trả lời" in r.text
    assert 'name="send_incomplete"' in r.text and 'value="5" checked' in r.text
    assert await SurveyResponse.all().count() == 0

    r = await trainee.post(url, data={"csrf_token": token, **answers, "answer:U1": "5",
                                      "comment": "Rất bổ ích"})
    assert r.status_code == 303 and r.headers["location"] == f"{url}?notice=sent"
    done = await trainee.get(r.headers["location"])
    assert "Anh/chị đã gửi phiếu khảo sát của lớp này." in done.text
    assert "Cảm ơn anh/chị đã góp ý." in done.text and 'name="answer:' not in done.text
    again = await trainee.post(url, data={"csrf_token": token, **answers})
    assert again.status_code == 409 and "Anh/chị đã gửi phiếu khảo sát của lớp này." in again.text
    assert await SurveyResponse.all().count() == 1 and await SurveyReceipt.all().count() == 1
    stored = await SurveyResponse.first().values()
    assert set(stored) == {"id", "plan_id", "answers", "comment", "items", "unanswered",
                           "valid", "submitted_on"}  # nothing says whose

    second, token2 = await browser(client_for, "trainee2_a")
    r = await second.post(url, data={"csrf_token": token2, "answer:P1": "2",
                                     "send_incomplete": "1", "comment": "Phòng học nóng"})
    assert r.status_code == 303 and r.headers["location"].endswith("notice=invalid")
    assert "không hợp lệ" in (await second.get(r.headers["location"])).text

    results = await (await client_for("lecturer_a")).get(url + "/results")
    assert results.status_code == 200
    text = plain(results.text)
    assert "50%" in text  # 1 valid form of 2 trainees
    assert "Nguyễn Văn Trainee A" not in results.text and "Trần Thị Bình A" not in results.text
    assert "Rất bổ ích" not in results.text  # comments only from three forms on
    assert "Ý kiến chỉ hiện khi lớp có từ 3 phiếu" in results.text
    assert "Nguyễn Văn Lecturer A" in results.text  # the lecturer rated, not who rated


async def test_survey_waits_for_the_end(client_for, world):
    await _setup(client_for, world)
    admin, token = await browser(client_for, "admin_a")
    r = await admin.post(f"/assessment/classes/{world.classes['a']}/plan",
                         data=_plan_form(token, **{"open:reaction": None}))
    assert r.status_code == 303
    trainee, ttoken = await browser(client_for, "trainee_a")
    url = f"/assessment/classes/{world.classes['a']}/survey"
    page = await trainee.get(url)
    assert "Khảo sát mở khi anh/chị hoàn thành" in page.text and 'name="answer:' not in page.text
    r = await trainee.post(url, data={"csrf_token": ttoken, "answer:P1": "4",
                                      "send_incomplete": "1"})
    assert r.status_code == 409 and await SurveyResponse.all().count() == 0


async def test_task_submitted_and_graded_through_the_forms(client_for, world):
    await _setup(client_for, world)
    base = f"/assessment/classes/{world.classes['a']}/task"
    lecturer, ltoken = await browser(client_for, "lecturer_a")
    edit = await lecturer.get(base + "/edit")
    assert 'value="NL-CDS-01"' in edit.text and 'value="NL-CDS-02"' in edit.text  # suggested
    task_form = {"csrf_token": ltoken, "title": "Đề án cải tiến thủ tục",
                 "instructions": "Chọn **một** thủ tục <script>alert(1)</script>",
                 "due_on": "31/12/2026", "rows": "3",
                 "code:0": "NL-CDS-01", "criterion:0": "Đề xuất số hoá khả thi",
                 "code:1": "NL-CDS-02", "criterion:1": "Hướng dẫn người dân rõ ràng",
                 "code:2": "", "criterion:2": ""}
    r = await lecturer.post(base + "/edit", data={**task_form, "code:2": "NL-KHONG",
                                                  "criterion:2": "x"})
    assert r.status_code == 422 and "NL-KHONG" in r.text
    assert 'value="Đề án cải tiến thủ tục"' in r.text  # kept
    r = await lecturer.post(base + "/edit", data={**task_form, "due_on": "31/02/2026"})
    assert r.status_code == 422 and "Ngày không hợp lệ" in r.text
    assert (await lecturer.post(base + "/edit", data=task_form)).status_code == 303

    trainee, token = await browser(client_for, "trainee_a")
    page = await trainee.get(base)
    assert "<strong>một</strong>" in page.text and "<script>alert" not in page.text
    assert "Hạn nộp: 31/12/2026" in plain(page.text)
    r = await trainee.post(base, data={"csrf_token": token, "text": "Bản nháp", "action": "draft"})
    assert r.status_code == 303 and r.headers["location"].endswith("notice=draft")
    r = await trainee.post(base, data={"csrf_token": token, "text": "   ", "action": "submit"})
    assert r.status_code == 422 and "Bài nộp không được để trống." in r.text
    long = "x" * 100_001
    r = await trainee.post(base, data={"csrf_token": token, "text": long, "action": "submit"})
    assert r.status_code == 422 and long in r.text  # not lost
    report = "## Thủ tục cấp đổi\nSố hoá *toàn trình*."
    r = await trainee.post(base, data={"csrf_token": token, "text": report, "action": "submit"})
    assert r.status_code == 303 and r.headers["location"].endswith("notice=submitted")
    r = await trainee.post(base, data={"csrf_token": token, "text": report + "\nBản 2",
                                       "action": "submit"})
    assert r.status_code == 303  # resubmitted before grading
    assert "Nộp lại" in (await trainee.get(base)).text

    listing = await lecturer.get(base + "/submissions")
    assert "Nguyễn Văn Trainee A" in listing.text and "Chưa chấm" in listing.text
    sub = await TaskSubmission.get(user_id=world.users["trainee_a"])
    grade_url = f"{base}/submissions/{sub.id}"
    form = await lecturer.get(grade_url)
    assert "<h2>Thủ tục cấp đổi</h2>" in form.text and "Bản 2" in form.text
    assert "Hướng dẫn người khác" in form.text  # the level descriptors to choose from
    r = await lecturer.post(grade_url, data={"csrf_token": ltoken, "level:NL-CDS-01": "4",
                                             "comment:NL-CDS-01": "Khả thi, có lộ trình"})
    assert r.status_code == 422 and "Hãy chọn một mức từ 1 đến 5." in r.text
    assert "Khả thi, có lộ trình" in r.text and await Evidence.all().count() == 0
    r = await lecturer.post(grade_url, data={"csrf_token": ltoken, "level:NL-CDS-01": "4",
                                             "comment:NL-CDS-01": "Khả thi, có lộ trình",
                                             "level:NL-CDS-02": "3"})
    assert r.status_code == 303 and r.headers["location"].endswith("notice=graded")
    comp = {c.code: c.id for c in await Competency.all()}
    uid = world.users["trainee_a"]
    assert (await profile.current_levels([uid]))[uid] == {comp["NL-CDS-01"]: 4,
                                                          comp["NL-CDS-02"]: 3}
    sources = await Evidence.filter(user_id=uid).values_list("source", flat=True)
    assert {getattr(s, "value", s) for s in sources} == {"practical"}

    graded = await trainee.get(base)
    assert "Bài đã được chấm" in graded.text and "Khả thi, có lộ trình" in graded.text
    assert 'name="text"' not in graded.text
    r = await trainee.post(base, data={"csrf_token": token, "text": "sửa", "action": "submit"})
    assert r.status_code == 409 and "Bài đã được chấm" in r.text
    # the trainee cannot grade, another institution cannot even find the class
    assert (await trainee.post(grade_url, data={"csrf_token": token,
                                                "level:NL-CDS-01": "5"})).status_code == 403
    other, otoken = await browser(client_for, "lecturer_b")
    assert (await other.post(grade_url, data={"csrf_token": otoken})).status_code == 404


async def _supervisor_elsewhere(world) -> None:
    user = await User.create(login="supervisor_other_a", email="so@example.vn",
                             password_hash=password_hash(), unit_id=world.units["a-other"],
                             **user_fields("Lê Văn Thủ Trưởng Khác"))
    await Membership.create(user=user, institution_id=world.inst["a"], role="supervisor")


async def test_a_rating_through_the_form_and_other_units_refused(client_for, world, clock):
    await _setup(client_for, world)
    await _supervisor_elsewhere(world)
    sup, token = await browser(client_for, "supervisor_a")
    queue = await sup.get("/assessment/ratings")
    assert "Nguyễn Văn Trainee A" in queue.text and "Đánh giá cần thực hiện" in queue.text
    rating = await JobRating.get(rater_id=world.users["supervisor_a"], wave=0)
    url = f"/assessment/ratings/{rating.id}"
    form = await sup.get(url)
    assert form.status_code == 200
    assert "Hướng dẫn người khác" in form.text and "Vận dụng" in form.text  # descriptors
    assert form.text.count('name="level:NL-CDS-01"') == 5
    assert 'name="example:NL-CDS-02"' in form.text

    r = await sup.post(url, data={"csrf_token": token, "level:NL-CDS-01": "3",
                                  "example:NL-CDS-01": "Hướng dẫn người dân nộp hồ sơ"})
    assert r.status_code == 422 and "Hãy chọn mức phù hợp nhất" in r.text
    assert "Hướng dẫn người dân nộp hồ sơ" in r.text and 'value="3" checked' in r.text
    r = await sup.post(url, data={"csrf_token": token, "level:NL-CDS-01": "3",
                                  "example:NL-CDS-01": "Hướng dẫn người dân nộp hồ sơ",
                                  "level:NL-CDS-02": "2"})
    assert r.status_code == 303 and r.headers["location"] == "/assessment/ratings?notice=sent"
    rating = await JobRating.get(id=rating.id)
    assert rating.status == ReviewStatus.DONE
    assert [(i["code"], i["level"]) for i in rating.items] == [("NL-CDS-01", 3),
                                                                ("NL-CDS-02", 2)]
    evidence = await Evidence.filter(ref=f"job_rating:{rating.id}").values_list("source",
                                                                                 flat=True)
    assert {getattr(s, "value", s) for s in evidence} == {"supervisor"}
    again = await sup.post(url, data={"csrf_token": token, "level:NL-CDS-01": "4",
                                      "level:NL-CDS-02": "4"})
    assert again.status_code == 409 and "Phiếu này đã được gửi." in again.text
    assert "Phiếu đã gửi ngày" in (await sup.get(url)).text

    # the trainee's own self-rating is theirs; the supervisor's is not
    trainee, ttoken = await browser(client_for, "trainee_a")
    own = await JobRating.get(rater_id=world.users["trainee_a"], wave=0)
    assert "Tự đánh giá" in (await trainee.get("/assessment/ratings")).text
    assert (await trainee.get(f"/assessment/ratings/{own.id}")).status_code == 200
    assert (await trainee.get(url)).status_code == 404
    # a supervisor of another unit opens none of these
    elsewhere, etoken = await browser(client_for, "supervisor_other_a")
    assert (await elsewhere.get(f"/assessment/ratings/{own.id}")).status_code == 404
    assert (await elsewhere.post(f"/assessment/ratings/{own.id}", data={
        "csrf_token": etoken, "level:NL-CDS-01": "5", "level:NL-CDS-02": "5"})).status_code == 404
    assert (await JobRating.get(id=own.id)).status == ReviewStatus.PENDING
    assert "Nguyễn Văn Trainee A" not in (await elsewhere.get("/assessment/ratings")).text
    other_inst, _ = await browser(client_for, "supervisor_b")
    assert (await other_inst.get(f"/assessment/ratings/{own.id}")).status_code == 404

    # overdue: in the supervisor's unit list and the class overview, not in another unit's
    clock.advance(timedelta(days=5))
    overdue = await sup.get("/assessment/ratings/overdue")
    assert overdue.status_code == 200 and "Nguyễn Văn Trainee A" in overdue.text
    assert "Tự đánh giá" in overdue.text
    assert "Nguyễn Văn Trainee A" not in (await elsewhere.get(
        "/assessment/ratings/overdue")).text
    refused = await elsewhere.get(f"/assessment/ratings/overdue?unit_id={world.units['a']}")
    assert refused.status_code == 403
    assert (await sup.get("/assessment/ratings/overdue?unit_id=abc")).status_code == 422
    assert "Quá hạn (1)" in (await trainee.get("/assessment/ratings")).text
    overview = plain((await (await client_for("lecturer_a")).get(
        f"/assessment/classes/{world.classes['a']}")).text)
    assert "Phiếu quá hạn" in overview and "Nguyễn Văn Trainee A" in overview


async def test_the_overview_shows_learning_and_on_the_job_change(client_for, world):
    """Figures from the same functions as the API: normalised change and change since the
    baseline, with competency names."""
    from lms_quizzes.models import QuestionCategory

    from .quiz_setup import question
    from .test_assessment_learning import _attempt, _quiz

    admin, _ = await _setup(client_for, world)
    category = await QuestionCategory.create(institution_id=world.inst["a"], name="Chung",
                                             path="/")
    qs = [(await question(world.inst["a"], category.id,
                          {"type": "true_false", "text": f"Câu {i}",
                           "options": {"correct": True}}, ("NL-CDS-01",))).id for i in range(2)]
    _m, pre = await _quiz(world, "dau-vao", "pre_test")
    _m, post = await _quiz(world, "cuoi-khoa", "post_test")
    await _attempt(world, pre, "trainee_a", 1, [(qs[0], 0), (qs[1], 0)])
    await _attempt(world, post, "trainee_a", 1, [(qs[0], 1), (qs[1], 0)])
    for r in await JobRating.filter(klass_id=world.classes["a"]):
        r.items = [{"code": "NL-CDS-01", "level": 2, "example": ""}]
        r.status = ReviewStatus.DONE
        await r.save()
    enrolment = await Enrolment.get(user_id=world.users["trainee_a"])
    await JobRating.create(institution_id=world.inst["a"], klass_id=world.classes["a"],
                           enrolment_id=enrolment.id, trainee_id=world.users["trainee_a"],
                           rater_role="supervisor", rater_id=world.users["supervisor_a"],
                           wave=30, due_on=enrolment.created_at.date(), status="done",
                           items=[{"code": "NL-CDS-01", "level": 4, "example": ""}])
    page = await (await client_for("lecturer_a")).get(f"/assessment/classes/{world.classes['a']}")
    text = plain(page.text)
    assert "Nguyễn Văn Trainee A 0% 50% +0,50" in text  # pre, post, normalised change
    assert "NL-CDS-01 · Nhận thức chuyển đổi số" in text
    assert "Thủ trưởng đánh giá Sau khoá học 30 ngày 1 2,0 4,0 +2,0" in text
