"""What lecturers do with a quiz: edit its settings, read results, grade essays from the queue,
fix an answer key and regrade with a report of whose grade changed."""

from __future__ import annotations

from typing import Any

import pytest

from lms_core.models import ClassLecturer, CourseModule, ModuleProgress, ProgressStatus
from lms_quizzes.models import Attempt, AttemptSlot, Quiz

from .quiz_setup import ESSAY, question

Q = "/api/v1/quizzes"


async def _take(client, module: int, answers: dict[str, Any]) -> dict[str, Any]:
    """Start, answer by question type, submit; returns the submit answer."""
    r = await client.post(f"{Q}/modules/{module}/attempts")
    assert r.status_code in (200, 201), r.text
    attempt = r.json()
    for s in attempt["slots"]:
        response = answers.get(s["question"]["type"])
        if response is not None:
            r = await client.put(f"{Q}/attempts/{attempt['id']}/slots/{s['slot']}",
                                 json={"response": response})
            assert r.status_code == 200, r.text
    r = await client.post(f"{Q}/attempts/{attempt['id']}/submit")
    assert r.status_code == 200, r.text
    return r.json()


async def test_editor_reads_and_saves_settings_and_checks_the_bank(client_for, quiz_world):
    lecturer = await client_for("lecturer_a")
    url = f"{Q}/modules/{quiz_world['module']}/settings"
    view = (await lecturer.get(url)).json()
    assert view["settings"]["pass_fraction"] == 0.6 and len(view["settings"]["slots"]) == 3
    assert view["settings"]["slots"][0]["question_name"] == "Thủ đô của Việt Nam?"
    new = {**{k: v for k, v in view["settings"].items() if k != "slots"},
           "slots": [{"kind": "fixed", "question_id": quiz_world["questions"][0].id, "mark": 2},
                     {"kind": "random", "category": "Chuyển đổi số", "count": 1,
                      "competency": "NL02"}],
           "time_limit_seconds": 600, "attempts_allowed": 2, "grading_method": "average"}
    r = await lecturer.put(url, json=new)
    assert r.status_code == 200, r.text
    assert r.json()["version"] == view["version"] + 1
    quiz = await Quiz.get(module_id=quiz_world["module"])
    assert quiz.time_limit_seconds == 600 and quiz.grading_method == "average"
    trainee = await client_for("trainee_a")
    attempt = (await trainee.post(f"{Q}/modules/{quiz_world['module']}/attempts")).json()
    assert [s["max_mark"] for s in attempt["slots"]] == [2, 1]
    assert 590 <= attempt["seconds_left"] <= 600
    for bad, field in (({**new, "slots": [{"kind": "fixed", "question_id": 999999}]},
                        "slots.0.question_id"),
                       ({**new, "slots": [{"kind": "random", "category": "Không có"}]},
                        "slots.0.category"),
                       ({**new, "grading_method": "best"}, "grading_method"),
                       ({**new, "closes_at": "2026-01-01T00:00:00"}, None),
                       ({**new, "pass_fraction": 2}, "pass_fraction")):
        r = await lecturer.put(url, json=bad)
        assert r.status_code == 422, (bad, r.text)
        if field:
            assert any(e["field"] == field for e in r.json()["errors"]), r.json()
    assert (await trainee.get(url)).status_code == 403
    assert (await (await client_for("lecturer_b")).get(url)).status_code == 404


async def test_essays_wait_in_the_queue_and_a_hand_mark_completes_the_module(
        client_for, quiz_world, world):
    inst, cat = quiz_world["inst"], quiz_world["category"]
    essay = await question(inst, cat, ESSAY)
    module = await CourseModule.get(id=quiz_world["module"])
    module.data = {**module.data, "slots": [*module.data["slots"],
                                            {"kind": "fixed", "question_id": essay.id,
                                             "mark": 2}]}
    await module.save()
    trainee = await client_for("trainee_a")
    done = await _take(trainee, module.id, {
        "single_choice": {"choice": 1}, "true_false": {"value": True},
        "short_answer": {"text": "cong dich vu cong quoc gia"},
        "essay": {"text": "Thiếu hạ tầng, thiếu kỹ năng số, thiếu dữ liệu dùng chung."}})
    assert done["needs_grading"] is True and "fraction" not in done
    assert not await ModuleProgress.filter(module_id=module.id).exists()
    lecturer = await client_for("lecturer_a")
    q = (await lecturer.get(f"{Q}/grading", params={"module_id": module.id})).json()
    assert q["total"] == 1
    item = q["items"][0]
    assert item["trainee"]["id"] == world.users["trainee_a"] and item["max_mark"] == 2
    assert "thiếu dữ liệu" in item["response_text"] and "cấp xã" in item["question"]["text_html"]
    url = f"{Q}/attempts/{item['attempt_id']}/slots/{item['slot']}/grade"
    for bad in ({"mark": 3}, {"mark": -1}, {"mark": "nhiều"}, {}, {"mark": 1, "x": 1}):
        assert (await lecturer.post(url, json=bad)).status_code == 422, bad
    r = await lecturer.post(url, json={"mark": 1.5, "comment": "Nêu được giải pháp."})
    assert r.status_code == 200, r.text
    assert r.json()["module_completed"] is True and r.json()["state"] == "partial"
    attempt = await Attempt.get(id=item["attempt_id"])
    assert attempt.needs_grading is False and attempt.sum_marks == pytest.approx(4.5)
    assert attempt.fraction == pytest.approx(4.5 / 5) and attempt.passed
    progress = await ModuleProgress.get(module_id=module.id)
    assert progress.status == ProgressStatus.COMPLETED and progress.score == pytest.approx(0.9)
    assert (await lecturer.get(f"{Q}/grading")).json()["total"] == 0
    # the trainee sees the comment once feedback may be shown
    review = (await trainee.get(f"{Q}/attempts/{item['attempt_id']}")).json()
    assert review["fraction"] == pytest.approx(0.9)


async def test_the_queue_is_scoped_to_the_classes_a_lecturer_teaches(client_for, quiz_world,
                                                                       world):
    inst, cat = quiz_world["inst"], quiz_world["category"]
    essay = await question(inst, cat, ESSAY)
    module = await CourseModule.get(id=quiz_world["module"])
    module.data = {**module.data, "slots": [{"kind": "fixed", "question_id": essay.id}]}
    await module.save()
    trainee = await client_for("trainee_a")
    await _take(trainee, module.id, {"essay": {"text": "Một câu trả lời đủ dài."}})
    lecturer = await client_for("lecturer_a")
    assert (await lecturer.get(f"{Q}/grading")).json()["total"] == 1
    await ClassLecturer.filter(user_id=world.users["lecturer_a"]).delete()
    lecturer = await client_for("lecturer_a")
    assert (await lecturer.get(f"{Q}/grading")).json()["total"] == 0
    admin = await client_for("admin_a")
    items = (await admin.get(f"{Q}/grading")).json()["items"]
    assert len(items) == 1
    url = f"{Q}/attempts/{items[0]['attempt_id']}/slots/{items[0]['slot']}/grade"
    assert (await lecturer.post(url, json={"mark": 1})).status_code == 404
    assert (await (await client_for("admin_b")).post(url, json={"mark": 1})).status_code == 404
    assert (await trainee.post(url, json={"mark": 1})).status_code == 403
    assert (await (await client_for("admin_b")).get(f"{Q}/grading")).json()["total"] == 0


async def test_fixing_a_key_offers_a_regrade_and_reports_whose_grade_changed(
        client_for, quiz_world, world):
    trainee = await client_for("trainee_a")
    # the trainee answers Huế (answer 2), wrong by the key, right by the corrected one
    await _take(trainee, quiz_world["module"], {
        "single_choice": {"choice": 2}, "true_false": {"value": True},
        "short_answer": {"text": "cong dich vu cong quoc gia"}})
    attempt = await Attempt.get(user_id=world.users["trainee_a"])
    assert attempt.fraction == pytest.approx(2 / 3) and attempt.passed
    lecturer = await client_for("lecturer_a")
    single = quiz_world["questions"][0]
    current = (await lecturer.get(f"{Q}/questions/{single.id}")).json()
    fixed = {"category_id": quiz_world["category"], "type": "single_choice",
             "text": current["text"], "base_version": current["version"],
             "answers": [{"id": 1, "text": "Hà Nội", "fraction": 0},
                         {"id": 2, "text": "Huế", "fraction": 1}]}
    r = await lecturer.put(f"{Q}/questions/{single.id}", json=fixed)
    assert r.status_code == 200, r.text
    assert r.json()["usage"]["stale_finished_slots"] == 1
    # nothing changed yet: the attempt kept its copy
    assert (await Attempt.get(id=attempt.id)).fraction == pytest.approx(2 / 3)
    dry = (await lecturer.post(f"{Q}/questions/{single.id}/regrade", json={})).json()
    assert dry["dry_run"] is True and dry["attempts_checked"] == 1
    assert dry["changed"] == [{
        "attempt_id": attempt.id, "attempt_number": 1, "user_id": world.users["trainee_a"],
        "user_name": dry["changed"][0]["user_name"], "module_id": quiz_world["module"],
        "preview": False, "old_fraction": pytest.approx(2 / 3), "new_fraction": 1.0,
        "old_passed": True, "new_passed": True}]
    assert (await Attempt.get(id=attempt.id)).fraction == pytest.approx(2 / 3)
    real = (await lecturer.post(f"{Q}/questions/{single.id}/regrade",
                                json={"dry_run": False})).json()
    assert real["dry_run"] is False and len(real["changed"]) == 1
    regraded = await Attempt.get(id=attempt.id)
    assert regraded.fraction == pytest.approx(1.0)
    slot = await AttemptSlot.get(attempt_id=attempt.id, question_id=single.id)
    assert slot.question_version == 2 and slot.state == "correct"
    again = (await lecturer.post(f"{Q}/questions/{single.id}/regrade",
                                 json={"dry_run": False})).json()
    assert again["changed"] == []
    results = (await lecturer.get(f"{Q}/modules/{quiz_world['module']}/results")).json()
    assert results["trainees"][0]["grade"] == pytest.approx(1.0)
    assert (await trainee.post(f"{Q}/questions/{single.id}/regrade", json={})).status_code \
        == 403
    other = await client_for("lecturer_b")
    assert (await other.post(f"{Q}/questions/{single.id}/regrade", json={})).status_code \
        == 404


async def test_a_regrade_keeps_hand_marks(client_for, quiz_world):
    inst, cat = quiz_world["inst"], quiz_world["category"]
    module = await CourseModule.get(id=quiz_world["module"])
    trainee = await client_for("trainee_a")
    done = await _take(trainee, module.id, {"single_choice": {"choice": 2}})
    lecturer = await client_for("lecturer_a")
    single = quiz_world["questions"][0]
    slot = await AttemptSlot.get(attempt_id=done["id"], question_id=single.id)
    r = await lecturer.post(f"{Q}/attempts/{done['id']}/slots/{slot.slot}/grade",
                            json={"mark": 0.5, "comment": "Gần đúng"})
    assert r.status_code == 200, r.text
    await lecturer.post(f"{Q}/questions/{single.id}/regrade", json={"dry_run": False})
    kept = await AttemptSlot.get(id=slot.id)
    assert kept.mark == pytest.approx(0.5) and kept.comment == "Gần đúng"
    assert inst and cat
