"""The quiz module's page as the server renders it (tests/browser drives the attempt itself):
settings in plain words, the Start / Resume button or the reason one cannot start, past
attempts with only what the review options show, both languages, and never a question or a
key in the HTML."""

from __future__ import annotations

import re

from lms_quizzes.models import Attempt
from quiz_seed import QUESTIONS, SECRETS, seed_quiz

from lms_core.models import CourseModule

Q = "/api/v1/quizzes"


async def _quiz(world, **settings):
    settings.setdefault("pass_fraction", 0.6)
    module, questions = await seed_quiz(world.inst["a"], world.courses["a"],
                                        types=("single_choice", "true_false"), **settings)
    return module, questions, f"/courses/{world.courses['a']}/m/{module.key}"


def _facts(page: str) -> dict[str, str]:
    block = re.search(r'<dl class="facts qz-facts">(.*?)</dl>', page, re.DOTALL)
    assert block, "no settings list"
    return dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", block.group(1)))


async def test_enrolled_trainee_sees_settings_and_the_start_button(client_for, world):
    module, _qs, url = await _quiz(world, time_limit_seconds=1800, attempts_allowed=2,
                                   grading_method="highest", layout="all")
    trainee = await client_for("trainee_a")
    page = await trainee.get(url)
    assert page.status_code == 200, page.text
    html = page.text
    assert '<script type="module" src="/static/quizzes/boot.js">' in html
    assert '<link rel="stylesheet" href="/static/quizzes/quiz.css">' in html
    assert f'id="quiz-app" data-module-id="{module.id}" data-locale="vi"' in html
    assert _facts(html) == {
        "Loại": "Bài kiểm tra tính điểm", "Số câu hỏi": "2", "Thời gian làm bài": "30 phút",
        "Số lượt làm bài": "2 lượt", "Bạn đã làm": "0 lượt",
        "Cách tính điểm": "Lấy điểm lần cao nhất", "Điểm đạt": "60%"}
    assert "data-quiz-start" in html and "Bắt đầu làm bài" in html
    assert "Đồng hồ bắt đầu đếm ngược" in html  # timed: warned before starting
    assert 'data-confirm="Bài kiểm tra có giới hạn thời gian 30 phút.' in html
    for path in ("boot.js", "quiz.js", "quiz.css"):
        r = await trainee.get(f"/static/quizzes/{path}")
        assert r.status_code == 200 and len(r.content) > 100, path


async def test_the_page_never_contains_a_question_or_the_key(client_for, world):
    _module, _qs, url = await _quiz(world)
    trainee = await client_for("trainee_a")
    before = (await trainee.get(url)).text
    attempt = (await trainee.post(f"{Q}/modules/{_module.id}/attempts")).json()
    during = (await trainee.get(url)).text
    for html in (before, during):
        for body in QUESTIONS:
            assert body["text"] not in html
        for secret in (*SECRETS, "Hà Nội", "fraction"):
            assert secret not in html
    assert f'data-resume-id="{attempt["id"]}"' in during and "Làm tiếp lượt đang dở" in during
    assert "Đang làm" in during


async def test_a_trainee_not_enrolled_is_told_why_and_gets_no_button(client_for, world):
    _module, _qs, url = await _quiz(world)
    outsider = await client_for("trainee2_a")
    page = await outsider.get(url)
    assert page.status_code == 200
    assert "Bạn chưa ghi danh lớp học của khoá này." in page.text
    assert "data-quiz-start" not in page.text
    assert "Số câu hỏi" in page.text  # the settings are still shown


async def test_finished_attempts_show_what_the_review_options_allow(client_for, world):
    # A graded quiz shows marks at once (default review); one attempt allowed.
    module, _qs, url = await _quiz(world, attempts_allowed=1, kind="graded")
    trainee = await client_for("trainee_a")
    attempt = (await trainee.post(f"{Q}/modules/{module.id}/attempts")).json()
    for slot in attempt["slots"]:
        q = slot["question"]
        response = ({"choice": next(c["id"] for c in q["choices"] if c["html"] == "Hà Nội")}
                    if q["type"] == "single_choice" else {"value": False})
        r = await trainee.put(f"{Q}/attempts/{attempt['id']}/slots/{slot['slot']}",
                              json={"response": response, "base_seq": slot["seq"]})
        assert r.status_code == 200, r.text
    assert (await trainee.post(f"{Q}/attempts/{attempt['id']}/submit")).status_code == 200
    html = (await trainee.get(url)).text
    assert "Điểm: 1/2 (50%)" in html and "Chưa đạt" in html
    assert f'href="?attempt={attempt["id"]}"' in html and "Xem lại" in html
    assert "Điểm của bạn cho bài kiểm tra này: 50%" in html
    assert "Bạn đã làm hết 1 lượt cho phép." in html and "data-quiz-start" not in html
    assert _facts(html)["Bạn đã làm"] == "1 lượt"


async def test_marks_hidden_by_the_review_options_are_not_on_the_page(client_for, world):
    module, _qs, url = await _quiz(world, review={"immediately": [], "later": [],
                                                  "after_close": ["marks"]})
    trainee = await client_for("trainee_a")
    attempt = (await trainee.post(f"{Q}/modules/{module.id}/attempts")).json()
    assert (await trainee.post(f"{Q}/attempts/{attempt['id']}/submit")).status_code == 200
    assert (await Attempt.get(id=attempt["id"])).sum_marks == 0
    html = (await trainee.get(url)).text
    assert "Điểm: Chưa công bố" in html
    assert "Điểm: 0" not in html and "(0%)" not in html
    assert f'href="?attempt={attempt["id"]}"' not in html  # nothing to review yet
    assert "Làm lại" in html  # attempts are unlimited


async def test_english_page_and_a_quiz_that_cannot_be_read(client_for, world):
    _module, _qs, url = await _quiz(world, time_limit_seconds=5400)
    trainee = await client_for("trainee_a")
    token = (await trainee.get("/api/v1/me")).json()["csrf_token"]
    r = await trainee.post("/lang", data={"lang": "en", "next": "/", "csrf_token": token})
    assert r.status_code == 303
    html = (await trainee.get(url)).text
    assert 'data-locale="en"' in html and "Attempt quiz now" in html
    facts = _facts(html)
    assert facts["Time limit"] == "1 h 30 min" and facts["Grade to pass"] == "60%"
    broken = await CourseModule.create(course_id=world.courses["a"], key="hong", type="quiz",
                                       title="Hỏng", position=60,
                                       data={"slots": [{"kind": "fixed", "question_id": 999999}]})
    r = await trainee.get(f"/courses/{world.courses['a']}/m/{broken.key}")
    assert r.status_code == 200
    assert "data-quiz-start" in r.text  # starting it answers 409 with the reason, in the page
    start = await trainee.post(f"{Q}/modules/{broken.id}/attempts")
    assert start.status_code == 409 and "999999" in start.json()["detail"]


async def test_staff_preview_is_labelled(client_for, world):
    _module, _qs, url = await _quiz(world)
    lecturer = await client_for("lecturer_a")
    html = (await lecturer.get(url)).text
    assert "data-quiz-start" in html and "lượt làm thử không được tính" in html
