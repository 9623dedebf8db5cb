"""Taking a quiz through the API: start and resume, saving answer by answer, two tabs, the
server's clock, submitting once, review options, completion, and who may see what."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import orjson
import pytest

from lms_core.models import CourseModule, ModuleProgress, ProgressStatus
from lms_quizzes.models import Attempt, AttemptSlot, Quiz

from .quiz_setup import ESSAY, progress_recorded, question as _question

Q = "/api/v1/quizzes"


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


async def _start(client, module: int):
    r = await client.post(f"{Q}/modules/{module}/attempts")
    assert r.status_code in (200, 201), r.text
    return r.json()


def _answers(attempt: dict) -> dict[int, dict]:
    """The right answer for each slot, found from the stored questions by type."""
    out = {}
    for s in attempt["slots"]:
        qtype = s["question"]["type"]
        if qtype == "single_choice":
            out[s["slot"]] = {"choice": 1}  # answer 1 (Hà Nội) is right; ids survive shuffling
        elif qtype == "true_false":
            out[s["slot"]] = {"value": True}
        elif qtype == "short_answer":
            out[s["slot"]] = {"text": "cong dich vu cong quoc gia"}
    return out


async def test_trainee_page_never_receives_the_answer_key(client_for, quiz_world):
    trainee = await client_for("trainee_a")
    info = (await trainee.get(f"{Q}/modules/{quiz_world['module']}/quiz")).json()
    assert info["can_start"] and info["enrolled"] and info["quiz"]["questions"] == 3
    attempt = await _start(trainee, quiz_world["module"])
    raw = orjson.dumps(attempt).decode()
    forbidden = {"fraction", "feedback", "feedback_html", "general_feedback",
                 "general_feedback_html", "correct", "correct_value", "match", "answers",
                 "name", "options"}
    assert not (_keys(attempt) & forbidden), _keys(attempt) & forbidden
    for secret in ("Đúng rồi", "Huế là cố đô", "Hà Nội là thủ đô từ 1010",
                   "Cổng Dịch vụ công quốc gia"):
        assert secret not in raw
    again = (await trainee.get(f"{Q}/attempts/{attempt['id']}")).json()
    assert not (_keys(again) & forbidden)
    # answers are graded as they are saved: neither the save's answer nor the page shows it
    slot = attempt["slots"][0]
    saved = await trainee.put(f"{Q}/attempts/{attempt['id']}/slots/{slot['slot']}",
                              json={"response": {"choice": 1}})
    assert not (_keys(saved.json()) & (forbidden | {"mark", "state"}))
    after = (await trainee.get(f"{Q}/attempts/{attempt['id']}")).json()
    assert not (_keys(after) & (forbidden | {"mark"}))
    assert {k for s in after["slots"] for k in s} == {"slot", "max_mark", "seq", "flagged",
                                                       "answered", "response", "question"}


async def test_answers_survive_a_reload_and_a_second_start_resumes(client_for, quiz_world):
    trainee = await client_for("trainee_a")
    attempt = await _start(trainee, quiz_world["module"])
    first = attempt["slots"][0]
    r = await trainee.put(f"{Q}/attempts/{attempt['id']}/slots/{first['slot']}",
                          json={"response": {"choice": 2}, "flagged": True,
                                "base_seq": first["seq"]})
    assert r.status_code == 200, r.text
    assert r.json()["seq"] == first["seq"] + 1 and r.json()["answered"]
    r2 = await trainee.post(f"{Q}/modules/{quiz_world['module']}/attempts")
    assert r2.status_code == 200 and r2.json()["id"] == attempt["id"]
    slot = r2.json()["slots"][0]
    assert slot["response"] == {"choice": 2} and slot["flagged"] is True
    info = (await trainee.get(f"{Q}/modules/{quiz_world['module']}/quiz")).json()
    assert info["resume_attempt_id"] == attempt["id"]


async def test_a_stale_tab_cannot_overwrite_a_newer_answer(client_for, quiz_world):
    trainee = await client_for("trainee_a")
    attempt = await _start(trainee, quiz_world["module"])
    slot = attempt["slots"][0]
    url = f"{Q}/attempts/{attempt['id']}/slots/{slot['slot']}"
    assert (await trainee.put(url, json={"response": {"choice": 1},
                                         "base_seq": slot["seq"]})).status_code == 200
    stale = await trainee.put(url, json={"response": {"choice": 2}, "base_seq": slot["seq"]})
    assert stale.status_code == 409
    assert stale.json()["response"] == {"choice": 1} and stale.json()["seq"] == slot["seq"] + 1
    # Without base_seq the last save wins, and only the flag may change alone.
    assert (await trainee.put(url, json={"flagged": True})).status_code == 200
    row = await AttemptSlot.get(attempt_id=attempt["id"], slot=slot["slot"])
    assert row.response == {"choice": 1} and row.flagged


async def test_bad_responses_are_refused_with_a_reason(client_for, quiz_world):
    trainee = await client_for("trainee_a")
    attempt = await _start(trainee, quiz_world["module"])
    url = f"{Q}/attempts/{attempt['id']}/slots"
    for body, status in (({"response": "Hà Nội"}, 422), ({"response": {"choise": 1}}, 422),
                         ({"response": {"text": "x" * 60_000}}, 413), ({"bogus": 1}, 422)):
        r = await trainee.put(f"{url}/{attempt['slots'][0]['slot']}", json=body)
        assert r.status_code == status, (body, r.text)
        assert r.json()["detail"]
    assert (await trainee.put(f"{url}/99", json={"response": None})).status_code == 404


async def test_submit_grades_once_records_completion_and_shows_the_mark(client_for, quiz_world,
                                                                        world):
    trainee = await client_for("trainee_a")
    attempt = await _start(trainee, quiz_world["module"])
    for slot, response in _answers(attempt).items():
        r = await trainee.put(f"{Q}/attempts/{attempt['id']}/slots/{slot}",
                              json={"response": response})
        assert r.status_code == 200, r.text
    first = await trainee.post(f"{Q}/attempts/{attempt['id']}/submit")
    second = await trainee.post(f"{Q}/attempts/{attempt['id']}/submit")
    assert first.status_code == second.status_code == 200
    assert first.json()["fraction"] == pytest.approx(1.0) and first.json()["passed"] is True
    assert second.json()["finished_at"] == first.json()["finished_at"]
    # a graded quiz shows only the mark right after: no key yet
    assert first.json()["review"] == ["marks"]
    assert not (_keys(first.json()) & {"fraction_of_answer", "feedback_html", "correct_value"})
    await progress_recorded(attempt["id"])  # a job records it, off the request
    progress = await ModuleProgress.get(module_id=quiz_world["module"])
    assert progress.status == ProgressStatus.COMPLETED and progress.score == pytest.approx(1.0)
    late = await trainee.put(f"{Q}/attempts/{attempt['id']}/slots/1",
                             json={"response": {"choice": 2}})
    assert late.status_code == 409


async def test_review_after_close_shows_everything(client_for, quiz_world):
    trainee = await client_for("trainee_a")
    attempt = await _start(trainee, quiz_world["module"])
    await trainee.post(f"{Q}/attempts/{attempt['id']}/submit")
    quiz = await Quiz.get(module_id=quiz_world["module"])
    quiz.closes_at = datetime.now(timezone.utc) - timedelta(minutes=1)
    await quiz.save()
    review = (await trainee.get(f"{Q}/attempts/{attempt['id']}")).json()
    assert set(review["review"]) == {"responses", "correctness", "marks", "feedback",
                                     "general_feedback", "correct_answers"}
    single = next(s for s in review["slots"] if s["question"]["type"] == "single_choice")
    assert single["mark"] == 0 and single["state"] == "unanswered"
    assert any(c.get("fraction") == 1 for c in single["question"]["choices"])
    assert "Hà Nội là thủ đô từ 1010." in single["question"]["general_feedback_html"]


async def test_the_server_clock_ends_the_attempt(client_for, quiz_world):
    quiz_module = await CourseModule.get(id=quiz_world["module"])
    quiz_module.data = {**quiz_module.data, "time_limit_seconds": 60}
    await quiz_module.save()
    trainee = await client_for("trainee_a")
    attempt = await _start(trainee, quiz_world["module"])
    assert 55 <= attempt["seconds_left"] <= 60
    slot = attempt["slots"][0]["slot"]
    url = f"{Q}/attempts/{attempt['id']}/slots/{slot}"
    assert (await trainee.put(url, json={"response": {"choice": 1}})).status_code == 200
    # 31 s after the deadline (past the network grace): the page's timer does not matter
    row = await Attempt.get(id=attempt["id"])
    row.deadline = datetime.now(timezone.utc) - timedelta(seconds=31)
    await row.save()
    late = await trainee.put(url, json={"response": {"choice": 2}})
    assert late.status_code == 409 and late.json()["attempt_state"] == "finished"
    done = await Attempt.get(id=attempt["id"])
    assert done.state == "finished" and done.finished_at <= done.deadline + timedelta(seconds=30)
    saved = await AttemptSlot.get(attempt_id=attempt["id"], slot=slot)
    assert saved.response == {"choice": 1}  # what was saved in time is what was graded


async def test_attempt_limit_and_closed_quiz(client_for, quiz_world):
    quiz_module = await CourseModule.get(id=quiz_world["module"])
    quiz_module.data = {**quiz_module.data, "attempts_allowed": 1}
    await quiz_module.save()
    trainee = await client_for("trainee_a")
    attempt = await _start(trainee, quiz_world["module"])
    await trainee.post(f"{Q}/attempts/{attempt['id']}/submit")
    r = await trainee.post(f"{Q}/modules/{quiz_world['module']}/attempts")
    assert r.status_code == 409 and "1 lượt" in r.json()["detail"]
    info = (await trainee.get(f"{Q}/modules/{quiz_world['module']}/quiz")).json()
    assert info["can_start"] is False and info["reason"]


async def test_only_the_owner_reaches_an_attempt(client_for, quiz_world):
    trainee = await client_for("trainee_a")
    attempt = await _start(trainee, quiz_world["module"])
    for login in ("trainee2_a", "trainee_b", "lecturer_b"):
        other = await client_for(login)
        assert (await other.get(f"{Q}/attempts/{attempt['id']}")).status_code == 404
        r = await other.put(f"{Q}/attempts/{attempt['id']}/slots/1", json={"response": None})
        assert r.status_code == 404
        assert (await other.post(f"{Q}/attempts/{attempt['id']}/submit")).status_code == 404
    # another institution's module is not there at all
    other = await client_for("trainee_b")
    assert (await other.get(f"{Q}/modules/{quiz_world['module']}/quiz")).status_code == 404


async def test_not_enrolled_trainee_cannot_start_but_a_lecturer_may_preview(client_for,
                                                                            quiz_world):
    outsider = await client_for("trainee2_a")
    info = (await outsider.get(f"{Q}/modules/{quiz_world['module']}/quiz")).json()
    assert info["can_start"] is False and "ghi danh" in info["reason"]
    assert (await outsider.post(f"{Q}/modules/{quiz_world['module']}/attempts")).status_code \
        == 409
    lecturer = await client_for("lecturer_a")
    preview = await _start(lecturer, quiz_world["module"])
    await lecturer.post(f"{Q}/attempts/{preview['id']}/submit")
    assert not await ModuleProgress.filter(module_id=quiz_world["module"]).exists()


async def test_essay_waits_for_a_lecturer_and_random_draws_respect_competency(client_for,
                                                                               quiz_world):
    inst, cat = quiz_world["inst"], quiz_world["category"]
    await _question(inst, cat, ESSAY, ("NL03",))
    module = await CourseModule.create(
        course_id=(await CourseModule.get(id=quiz_world["module"])).course_id, key="tu-luan",
        type="quiz", title="Tự luận", position=10,
        data={"category": "Chuyển đổi số", "count": 1, "competency": "NL03"})
    trainee = await client_for("trainee_a")
    attempt = await _start(trainee, module.id)
    assert [s["question"]["type"] for s in attempt["slots"]] == ["essay"]
    await trainee.put(f"{Q}/attempts/{attempt['id']}/slots/1",
                      json={"response": {"text": "Thiếu hạ tầng, thiếu kỹ năng, thiếu dữ liệu."}})
    done = (await trainee.post(f"{Q}/attempts/{attempt['id']}/submit")).json()
    assert done["needs_grading"] is True and "fraction" not in done
    row = await Attempt.get(id=attempt["id"])
    assert row.sum_marks is None and row.passed is None
    too_many = await CourseModule.create(
        course_id=module.course_id, key="qua-nhieu", type="quiz", title="Quá nhiều", position=11,
        data={"category": "Chuyển đổi số", "count": 3, "competency": "NL01"})
    r = await trainee.post(f"{Q}/modules/{too_many.id}/attempts")
    assert r.status_code == 409 and "chỉ có 2 câu" in r.json()["detail"]


async def test_a_whole_class_opening_a_new_quiz_at_once_creates_one_quiz_row(quiz_world):
    import asyncio

    from lms_quizzes.attempts import quiz_for_module

    module = await CourseModule.get(id=quiz_world["module"])
    rows = await asyncio.gather(*(quiz_for_module(quiz_world["inst"], module)
                                  for _ in range(20)))
    assert len({r.id for r in rows}) == 1
    assert await Quiz.filter(module_id=module.id).count() == 1


async def test_starts_from_several_tabs_at_once_make_one_attempt(client_for, quiz_world):
    """No lock on the quiz row: the unique (quiz, user, number) lets one insert win and the
    others take its attempt (on PostgreSQL the losers really collide and roll back)."""
    import asyncio

    trainee = await client_for("trainee_a")
    url = f"{Q}/modules/{quiz_world['module']}/attempts"
    replies = await asyncio.gather(*(trainee.post(url) for _ in range(6)))
    assert all(r.status_code in (200, 201) for r in replies), [r.text for r in replies]
    assert len({r.json()["id"] for r in replies}) == 1
    assert sorted(r.status_code for r in replies).count(201) == 1
    assert await Attempt.filter(user__login="trainee_a").count() == 1
    assert await AttemptSlot.filter(attempt_id=replies[0].json()["id"]).count() == 3


async def test_progress_whose_job_never_ran_is_recorded_by_the_sweep(app, client_for,
                                                                      quiz_world):
    """The submit marks the attempt in the statement that finishes it; a job lost with its
    process (no runtime here: nothing is queued) is recorded by the periodic sweep, once."""
    from datetime import timedelta

    from lms_quizzes import attempts as svc, progress

    trainee = await client_for("trainee_a")
    attempt = await _start(trainee, quiz_world["module"])
    for slot, response in _answers(attempt).items():
        await trainee.put(f"{Q}/attempts/{attempt['id']}/slots/{slot}",
                          json={"response": response})
    closed, _settings, rows = await svc.close_attempt(attempt["id"])
    assert closed.state == "finished" and closed.passed and len(rows) == 3
    assert (await Attempt.get(id=attempt["id"])).progress_pending
    assert not await ModuleProgress.filter(module_id=quiz_world["module"]).exists()
    plugins = app.state.lms.plugins
    assert await progress.sweep(plugins) == 0  # under a minute old: left to its own job
    assert await progress.sweep(plugins, older_than=timedelta(0)) == 1
    row = await ModuleProgress.get(module_id=quiz_world["module"])
    assert row.status == ProgressStatus.COMPLETED and row.score == pytest.approx(1.0)
    assert not (await Attempt.get(id=attempt["id"])).progress_pending
    assert await progress.record(plugins, attempt["id"]) is False  # recorded once
    assert await progress.sweep(plugins, older_than=timedelta(0)) == 0
    # a lecturer's preview (no enrolment) has no progress to record
    lecturer = await client_for("lecturer_a")
    preview = await _start(lecturer, quiz_world["module"])
    await lecturer.post(f"{Q}/attempts/{preview['id']}/submit")
    assert not (await Attempt.get(id=preview["id"])).progress_pending


async def test_an_answer_saved_while_the_attempt_is_submitted_is_counted_or_refused(
        client_for, quiz_world):
    """The page saves the last answer and the trainee presses "submit" before the save has
    answered (or a second tab submits): whichever reaches the database first, an answer the
    server accepted is in the total, and one it did not is not. Checked by the invariant over
    many rounds, each racing the save against the submit."""
    import asyncio

    trainee = await client_for("trainee_a")

    async def submit_after(attempt_id: int, delay: float):
        await asyncio.sleep(delay)
        return await trainee.post(f"{Q}/attempts/{attempt_id}/submit")

    outcomes = []
    for n in range(30):
        attempt = await _start(trainee, quiz_world["module"])
        answers = _answers(attempt)
        last = max(answers)
        for slot, response in answers.items():
            if slot != last:
                await trainee.put(f"{Q}/attempts/{attempt['id']}/slots/{slot}",
                                  json={"response": response})
        save, submitted = await asyncio.gather(
            trainee.put(f"{Q}/attempts/{attempt['id']}/slots/{last}",
                        json={"response": answers[last]}),
            submit_after(attempt["id"], (n % 10) * 0.0007))  # from before to after the save
        assert save.status_code in (200, 409) and submitted.status_code == 200, \
            (save.text, submitted.text)
        outcomes.append(save.status_code)
        row = await Attempt.get(id=attempt["id"])
        marks = [s.mark for s in await AttemptSlot.filter(attempt_id=row.id)]
        assert row.sum_marks == pytest.approx(sum(max(0.0, m or 0.0) for m in marks)), \
            (save.status_code, row.sum_marks, marks)
        assert submitted.json()["sum_marks"] == pytest.approx(row.sum_marks)
        last_row = await AttemptSlot.get(attempt_id=row.id, slot=last)
        assert (last_row.response is not None) == (save.status_code == 200)
    assert {200, 409} <= set(outcomes), outcomes  # the race went both ways


async def test_each_submit_shows_the_version_of_the_question_its_attempt_was_given(
        client_for, quiz_world):
    """The submit takes question snapshots from a per-app cache by (question, version): an edit
    between two attempts shows each attempt its own version, the first submit and the cached
    ones alike."""
    from lms_quizzes import bank
    from lms_quizzes.models import Question

    first = await client_for("trainee_a")
    old = await _start(first, quiz_world["module"])
    single = quiz_world["questions"][0]
    body = {**(await bank.get_question(quiz_world["inst"], single.id))}
    edited = {k: body[k] for k in ("type", "name", "text", "text_format", "answers", "options",
                                   "general_feedback") if k in body}
    edited["text"] = "Thủ đô của nước Cộng hoà xã hội chủ nghĩa Việt Nam?"
    await bank.update_question(quiz_world["inst"], single.id, quiz_world["category"], edited,
                               (), None)
    assert (await Question.get(id=single.id)).version == 2
    second = await client_for("lecturer_a")  # a preview attempt
    new = await _start(second, quiz_world["module"])
    texts = {}
    for client, attempt in ((first, old), (second, new), (first, None)):
        if attempt is None:  # a third attempt, submitted with both versions cached
            attempt = await _start(client, quiz_world["module"])
        r = await client.post(f"{Q}/attempts/{attempt['id']}/submit")
        assert r.status_code == 200, r.text
        texts[attempt["id"]] = next(s["question"]["text_html"] for s in r.json()["slots"]
                                    if s["question"]["type"] == "single_choice")
    old_text, new_text, third_text = texts.values()
    assert "Thủ đô của Việt Nam?" in old_text and "Cộng hoà" not in old_text
    assert "Cộng hoà xã hội chủ nghĩa" in new_text and "Cộng hoà" in third_text
