"""What the blended-class journey (tests/browser/test_journey.py) needed of the assessment pages:
planners set the positions' requirements (they plan the training from them), the class page
leads its lecturer to setting the practical task while the class has none (the submissions page
has nothing before), and the rater's queue shows the daily job's reminders."""

from __future__ import annotations

import re

from lms_core.models import JobPosition

from lms_assessment import on_the_job
from lms_assessment.models import JobRating, PositionCompetency

from .test_assessment_frameworks import _import
from .test_assessment_step_pages import _setup, browser


def _panel(html: str) -> str:
    found = re.search(r'<h2 id="panel-\d+">Đánh giá sau đào tạo</h2>(.*?)</section>', html, re.S)
    return found.group(1) if found else ""


async def test_planners_set_what_a_position_requires(client_for, world):
    await _import(await client_for("planner_a"), code="KNL-A")
    position = await JobPosition.create(institution_id=world.inst["a"], code="CV-MC",
                                        title="Công chức một cửa")
    planner, token = await browser(client_for, "planner_a")
    assert 'href="/assessment/positions"' in (await planner.get("/")).text  # in the menu
    assert "Công chức một cửa" in (await planner.get("/assessment/positions")).text
    url = f"/assessment/positions/{position.id}"
    r = await planner.post(url, data={"csrf_token": token, "code": ["NL-CDS-02"],
                                      "level": ["4"], "mandatory": ["1"], "weight": ["3"]})
    assert r.status_code == 303 and r.headers["location"] == url + "?notice=saved"
    assert await PositionCompetency.filter(position_id=position.id).values_list(
        "code", "required_level", "mandatory") == [("NL-CDS-02", 4, True)]
    api = await client_for("planner_a")
    r = await api.put(f"/api/v1/assessment/positions/{position.id}/competencies",
                      json={"items": [{"code": "NL-CDS-05", "required_level": 3}]})
    assert r.status_code == 200, r.text
    for login in ("supervisor_a", "lecturer_a", "trainee_a"):
        other, other_token = await browser(client_for, login)
        assert (await other.get(url)).status_code == 403, login
        r = await other.post(url, data={"csrf_token": other_token, "code": ["NL-CDS-01"],
                                        "level": ["2"], "mandatory": ["1"], "weight": ["1"]})
        assert r.status_code == 403, login
    b, b_token = await browser(client_for, "planner_b")
    assert (await b.get(url)).status_code == 404  # another institution's position


async def test_the_class_page_leads_the_lecturer_to_setting_the_task(client_for, world):
    await _setup(client_for, world)
    base = f"/assessment/classes/{world.classes['a']}"
    lecturer, token = await browser(client_for, "lecturer_a")
    panel = _panel((await lecturer.get(f"/classes/{world.classes['a']}")).text)
    assert f'<a href="{base}/task">Giao bài tập thực hành cho lớp</a>' in panel
    assert f"{base}/task/submissions" not in panel
    assert "Giao bài tập" in (await lecturer.get(f"{base}/task")).text
    r = await lecturer.post(f"{base}/task/edit", data={
        "csrf_token": token, "title": "Kế hoạch cải tiến", "instructions": "Nêu **một** việc.",
        "due_on": "", "rows": "1", "code:0": "NL-CDS-01", "criterion:0": "Đề xuất khả thi"})
    assert r.status_code == 303, r.text
    panel = _panel((await lecturer.get(f"/classes/{world.classes['a']}")).text)
    assert f'<a href="{base}/task/submissions">Bài tập thực hành: bài nộp và chấm điểm</a>' \
        in panel
    assert "Giao bài tập thực hành cho lớp" not in panel


async def test_the_rating_queue_shows_the_daily_reminders(client_for, world):
    await _setup(client_for, world)  # the plan schedules the baseline ratings, due today
    supervisor, token = await browser(client_for, "supervisor_a")
    queue = await supervisor.get("/assessment/ratings")
    assert "Nhắc nhở gần đây" not in queue.text
    assert await on_the_job.remind(world.inst["a"]) >= 1
    rating = await JobRating.get(rater_id=world.users["supervisor_a"], wave=0)
    queue = (await supervisor.get("/assessment/ratings")).text
    reminders = re.search(r'<section class="card as-section as-reminders".*?</section>', queue,
                          re.S).group(0)
    assert f'<a href="/assessment/ratings/{rating.id}">Sắp đến hạn' in reminders
    assert "đánh giá sau đào tạo 0 ngày của Nguyễn Văn Trainee A" in reminders
    r = await supervisor.post(f"/assessment/ratings/{rating.id}", data={
        "csrf_token": token, "level:NL-CDS-01": "3", "level:NL-CDS-02": "2"})
    assert r.status_code == 303
    queue = (await supervisor.get("/assessment/ratings")).text
    assert "đánh giá sau đào tạo 0 ngày của Nguyễn Văn Trainee A" in queue  # still listed,
    assert f'href="/assessment/ratings/{rating.id}"' not in queue  # no longer to do
    # only one's own reminders: the trainee's are about their self-rating
    trainee, _ = await browser(client_for, "trainee_a")
    mine = (await trainee.get("/assessment/ratings")).text
    assert "Nguyễn Văn Trainee A" not in mine.split("Nhắc nhở gần đây")[1].split("</ul>")[0]
