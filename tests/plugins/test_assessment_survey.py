"""The assessment plan of a class (templates, steps switched and weighed, a plugin's own step)
and its class-quality survey: once per trainee, anonymous (nothing in the response says whose
it is), invalid forms (over 5% unanswered) counted apart, statistics per item, section and
lecturer, and who may read them."""

from __future__ import annotations

import types

import pytest

from lms_core.models import Enrolment, EnrolmentStatus
from lms_core.plugin_api import PluginInfo, hookimpl

from lms_assessment.models import SurveyReceipt, SurveyResponse


def _step_plugin():
    module = types.ModuleType("own_step")
    module.PLUGIN_INFO = PluginInfo(name="own_step", version="1.0", api=">=1.0,<2")
    module.lms_assessment_steps = hookimpl(lambda: [
        {"key": "portfolio", "name": "Hồ sơ minh chứng", "name_en": "Portfolio", "weight": 2}])
    return module


@pytest.fixture
def extra_plugins():
    return [_step_plugin()]


async def _plan(client_for, world, **steps):
    admin = await client_for("admin_a")
    r = await admin.put(f"/api/v1/assessment/classes/{world.classes['a']}/plan",
                        json={"template": "standard", "steps": steps})
    assert r.status_code == 200, r.text
    return r.json()


async def test_plan_from_a_template_with_changes_and_a_plugin_step(client_for, world):
    plan = await _plan(client_for, world, application={"enabled": False},
                       on_the_job={"waves": [90, 30, 180]}, portfolio={"enabled": True})
    steps = {s["key"]: s for s in plan["steps"]}
    assert steps["application"]["enabled"] is False and steps["application"]["weight"] == 3
    assert steps["on_the_job"]["waves"] == [30, 90, 180]
    assert steps["portfolio"]["enabled"] is True and steps["portfolio"]["name"] == \
        "Hồ sơ minh chứng"
    admin = await client_for("admin_a")
    url = f"/api/v1/assessment/classes/{world.classes['a']}/plan"
    for bad in ({"template": "khac"}, {"steps": {"nope": {}}},
                {"steps": {"reaction": {"weight": -1}}},
                {"steps": {"on_the_job": {"waves": [0]}}}):
        r = await admin.put(url, json=bad)
        assert r.status_code == 422, (bad, r.text)
    assert (await (await client_for("lecturer_a")).get(url)).status_code == 200
    assert (await (await client_for("lecturer_a")).put(url, json={})).status_code == 403
    assert (await (await client_for("trainee_a")).get(url)).status_code == 403


async def test_the_survey_is_anonymous_once_and_counts_invalid_forms_apart(client_for, world):
    await Enrolment.create(user_id=world.users["trainee2_a"], klass_id=world.classes["a"],
                           status=EnrolmentStatus.ACTIVE)
    await _plan(client_for, world, reaction={"enabled": True, "open": True})
    url = f"/api/v1/assessment/classes/{world.classes['a']}/survey"
    t1, t2 = await client_for("trainee_a"), await client_for("trainee2_a")
    form = (await t1.get(url)).json()
    assert form["open"] is True and form["answered"] is False and form["anonymous"] is True
    keys = [i["key"] for i in form["items"]]
    assert len(keys) == 15 and f"L1@{world.users['lecturer_a']}" in keys
    assert {i["section"] for i in form["items"]} == {
        "programme", "lecturers", "learners", "facilities", "organisation", "usefulness"}

    full = {k: 4 for k in keys} | {"U1": 5, "U2": 5}
    r = await t1.post(url, json={"answers": full, "comment": "Rất bổ ích"})
    assert r.status_code == 201 and r.json()["valid"] is True
    assert (await t1.post(url, json={"answers": full})).status_code == 409  # once
    partial = {k: 3 for k in keys[1:]}  # one of 15 unanswered: over 5%
    r = await t2.post(url, json={"answers": partial})
    assert r.status_code == 201 and r.json()["valid"] is False
    assert "không hợp lệ" in r.json()["message_vi"]
    assert (await t1.get(url)).json()["answered"] is True

    # nothing in a response says whose it is
    stored = await SurveyResponse.all().values()
    assert all(set(row) == {"id", "plan_id", "answers", "comment", "items", "unanswered",
                            "valid", "submitted_on"} for row in stored)
    assert await SurveyReceipt.all().count() == 2

    results = (await (await client_for("lecturer_a")).get(url + "/results")).json()
    assert (results["forms"], results["valid"], results["invalid"]) == (2, 1, 1)
    assert results["trainees"] == 2 and results["response_rate"] == 0.5
    u1 = next(i for i in results["items"] if i["key"] == "U1")
    assert (u1["n"], u1["mean"], u1["distribution"]["5"]) == (1, 5.0, 1)
    usefulness = next(s for s in results["sections"] if s["section"] == "usefulness")
    assert usefulness["mean"] == 5.0
    assert results["lecturers"][0]["lecturer_id"] == world.users["lecturer_a"]
    assert results["lecturers"][0]["mean"] == 4.0
    assert results["comments"] == [] and results["comments_hidden"] is True  # under 3 forms
    text = str(results)
    assert "Nguyễn Văn Trainee A" not in text and "Trần Thị Bình A" not in text

    # bad answers are refused, not stored as blanks
    t3 = await client_for("trainee_b")
    assert (await t3.get(url)).status_code == 404  # not a trainee of this class
    assert (await t1.post(url, json={"answers": {"P1": 7}})).status_code in (409, 422)
    assert (await (await client_for("trainee_a")).get(url + "/results")).status_code == 403


async def test_survey_values_are_checked(client_for, world):
    await _plan(client_for, world, reaction={"enabled": True, "open": True})
    t1 = await client_for("trainee_a")
    url = f"/api/v1/assessment/classes/{world.classes['a']}/survey"
    for bad in ({"P1": 6}, {"P1": True}, {"ZZ": 3}, {"P1": "4"}):
        r = await t1.post(url, json={"answers": bad})
        assert r.status_code == 422, (bad, r.text)
    assert await SurveyResponse.all().count() == 0 and await SurveyReceipt.all().count() == 0


async def test_the_survey_waits_for_the_end(client_for, world):
    await _plan(client_for, world)  # reaction on, not opened by hand, class not ended
    t1 = await client_for("trainee_a")
    url = f"/api/v1/assessment/classes/{world.classes['a']}/survey"
    assert (await t1.get(url)).json()["open"] is False
    r = await t1.post(url, json={"answers": {"P1": 4}})
    assert r.status_code == 409 and "hoàn thành" in r.json()["detail"]
