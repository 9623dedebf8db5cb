"""The application step: a practical task on a rubric per competency, drafts and a submission
by the trainee (Markdown rendered sanitised), grading by the class's lecturer only, and each
grade recorded as evidence."""

from __future__ import annotations

from lms_assessment import profile
from lms_assessment.models import Competency, Evidence

from .test_assessment_frameworks import _import

TASK = {"title": "Đề án cải tiến thủ tục tại đơn vị",
        "instructions": "Chọn **một** thủ tục của đơn vị mình <script>alert(1)</script>",
        "rubric": [{"code": "NL-CDS-01", "criterion": "Đề xuất số hoá khả thi"},
                   {"code": "NL-CDS-02", "criterion": "Hướng dẫn người dân rõ ràng"}]}


async def test_task_submission_grading_and_evidence(client_for, world):
    await _import(await client_for("planner_a"), code="KNL-A")
    lecturer, trainee = await client_for("lecturer_a"), await client_for("trainee_a")
    url = f"/api/v1/assessment/classes/{world.classes['a']}/task"
    r = await lecturer.put(url, json=TASK)
    assert r.status_code == 200, r.text
    assert "<strong>một</strong>" in r.json()["instructions_html"]
    assert "<script" not in r.json()["instructions_html"]
    bad = await lecturer.put(url, json={**TASK, "rubric": [{"code": "NL-KHONG", "criterion": "x"}]})
    assert bad.status_code == 422
    assert (await trainee.put(url, json=TASK)).status_code == 403

    assert (await trainee.get(url)).json()["mine"] is None
    draft = await trainee.put(url + "/submission", json={"text": "Bản nháp"})
    assert draft.status_code == 200 and draft.json()["submitted_at"] is None
    assert (await lecturer.get(url + "/submissions")).json()["items"] == []  # drafts unseen
    done = await trainee.put(url + "/submission",
                             json={"text": "## Thủ tục cấp đổi\nSố hoá *toàn trình*.",
                                   "submit": True})
    assert done.status_code == 200 and "<h2>" in done.json()["text_html"]
    assert (await trainee.put(url + "/submission", json={"text": "sửa"})).status_code == 409
    items = (await lecturer.get(url + "/submissions")).json()["items"]
    assert [i["full_name"] for i in items] == ["Nguyễn Văn Trainee A"]
    sid = items[0]["id"]
    assert (await trainee.post(f"{url}/submissions/{sid}/grade", json={"grades": [
        {"code": "NL-CDS-01", "level": 5}, {"code": "NL-CDS-02", "level": 5}]})).status_code == 403
    partial = await lecturer.post(f"{url}/submissions/{sid}/grade",
                                  json={"grades": [{"code": "NL-CDS-01", "level": 4}]})
    assert partial.status_code == 422
    r = await lecturer.post(f"{url}/submissions/{sid}/grade", json={"grades": [
        {"code": "NL-CDS-01", "level": 4, "comment": "Khả thi"},
        {"code": "NL-CDS-02", "level": 3}]})
    assert r.status_code == 200
    comp = {c.code: c.id for c in await Competency.all()}
    rows = await Evidence.filter(user_id=world.users["trainee_a"]).values_list(
        "competency_id", "level", "source")
    assert sorted((c, lv, getattr(s, "value", s)) for c, lv, s in rows) == sorted(
        [(comp["NL-CDS-01"], 4, "practical"), (comp["NL-CDS-02"], 3, "practical")])
    assert (await profile.current_levels([world.users["trainee_a"]]))[world.users["trainee_a"]] \
        == {comp["NL-CDS-01"]: 4, comp["NL-CDS-02"]: 3}
    assert (await trainee.put(url + "/submission",
                              json={"text": "x", "submit": True})).status_code == 409
    # another institution's lecturer does not even find the class
    assert (await (await client_for("lecturer_b")).get(url + "/submissions")).status_code == 404
