"""The assessment plugin's sections on the core's pages: the course page shows the viewer's
level per competency exactly as the profile has it; the class page leads the trainee to the
survey once it opens and to their certificate, and the staff to the overview; a plugin whose
panel fails leaves the page whole."""

from __future__ import annotations

from datetime import timedelta

from lms_core import clock
from lms_core.models import Course, Enrolment
from lms_core.services.settings import set_setting

from lms_assessment import profile
from lms_assessment.models import Competency

from .test_assessment_frameworks import _import


async def _setup(client_for, world):
    await _import(await client_for("planner_a"), code="KNL-A")
    await Course.filter(id=world.courses["a"]).update(competencies=[
        {"code": "NL-CDS-01", "name": "…", "level": 3}, {"code": "NL-CDS-02", "name": "…",
                                                        "level": 2}])
    comp = {c.code: c.id for c in await Competency.all()}
    return comp


async def test_the_course_page_shows_my_levels_as_the_profile_has_them(client_for, world):
    comp = await _setup(client_for, world)
    await profile.record_evidence(institution_id=world.inst["a"], user_id=world.users["trainee_a"],
                                  competency_id=comp["NL-CDS-01"], level=4, source="practical",
                                  observed_at=clock.now() - timedelta(days=1))
    trainee = await client_for("trainee_a")
    page = (await trainee.get(f"/courses/{world.courses['a']}")).text
    assert "Năng lực của tôi trong khoá học này" in page
    page = page[page.index('<section class="panel"'):]
    row = page[page.index("NL-CDS-01</strong>"):]
    row = row[:row.index("</tr>")]
    assert '<td class="num">3</td><td class="num">4</td>' in row and "Đã đạt" in row
    row2 = page[page.index("NL-CDS-02</strong>"):]
    assert '<td class="num">2</td><td class="num">–</td>' in row2[:row2.index("</tr>")]
    assert "Đã đạt: 1/2" in page
    # the profile page says the same
    mine = (await trainee.get("/assessment/me")).text
    assert "NL-CDS-01" in mine
    levels = await profile.current_levels([world.users["trainee_a"]])
    assert levels[world.users["trainee_a"]] == {comp["NL-CDS-01"]: 4}


async def test_the_class_page_leads_each_person_to_their_part(app, client_for, world):
    await _setup(client_for, world)
    admin = await client_for("admin_a")
    assert (await admin.put(f"/api/v1/assessment/classes/{world.classes['a']}/plan",
                            json={"template": "standard"})).status_code == 200
    await set_setting(app.state.lms.plugins, world.inst["a"], "assessment.certificates", True)
    trainee = await client_for("trainee_a")
    url = f"/classes/{world.classes['a']}"
    before = (await trainee.get(url)).text
    assert "Đánh giá sau đào tạo" in before
    assert "/survey" not in before  # not open while learning
    assert "/assessment/ratings" in before  # the baseline self-rating to give
    enrolment = await Enrolment.get(user_id=world.users["trainee_a"], klass_id=world.classes["a"])
    r = await admin.patch(f"/api/v1/enrolments/{enrolment.id}", json={"status": "completed"})
    assert r.status_code == 200
    after = (await trainee.get(url)).text
    assert f"/assessment/classes/{world.classes['a']}/survey" in after
    assert "Giấy chứng nhận CN-" in after and ".pdf" in after
    # the staff's links, and none of the trainee's
    lecturer = (await (await client_for("lecturer_a")).get(url)).text
    assert f'href="/assessment/classes/{world.classes["a"]}"' in lecturer
    assert "/survey\"" not in lecturer and "/plan" not in lecturer
    assert f"/assessment/classes/{world.classes['a']}/plan" in (await admin.get(url)).text


async def test_a_failing_panel_leaves_the_page_whole(app, client_for, world, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("panel bug")

    monkeypatch.setattr("lms_assessment.panels.panels", broken)
    trainee = await client_for("trainee_a")
    r = await trainee.get(f"/courses/{world.courses['a']}")
    assert r.status_code == 200 and "Năng lực của tôi" not in r.text
