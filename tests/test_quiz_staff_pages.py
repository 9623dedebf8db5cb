"""The lecturer's quiz pages (plugins/lms_quizzes/views.py): each shell renders for a lecturer
in the right language with its labels and its script, a trainee gets the 403 page, another
institution's ids answer 404 and nothing of another institution reaches the page. The data the
scripts load comes from the JSON APIs, tested with them; tests/browser drives the scripts."""

from __future__ import annotations

import re

import pytest
from lms_quizzes.models import QuestionCategory
from quiz_seed import seed_quiz


@pytest.fixture
async def quiz(world):
    module, questions = await seed_quiz(world.inst["a"], world.courses["a"])
    category = await QuestionCategory.get(id=questions[0].category_id)
    return {"module": module, "questions": questions, "category": category}


def _pages(quiz) -> dict[str, list[str]]:
    """Every staff page of institution A's data, with labels it must show in Vietnamese."""
    m, q = quiz["module"].id, quiz["questions"][1]
    return {
        "/quizzes/bank": ["Ngân hàng câu hỏi", "Nhóm câu hỏi", "Loại câu hỏi", "Mã năng lực",
                          "Thêm câu hỏi", "Thêm nhóm", "Trắc nghiệm nhiều đáp án",
                          "staff-bank.js"],
        f"/quizzes/bank/questions/{q.id}": [q.name, "Nội dung câu hỏi", "Phản hồi chung",
                                            "Lưu câu hỏi", "Xoá câu hỏi", "Chấm lại",
                                            "staff-question.js"],
        f"/quizzes/bank/new?category_id={quiz['category'].id}": ["Thêm câu hỏi", "Lưu câu hỏi",
                                                                 "Đúng/Sai", "Ghép đôi"],
        "/quizzes/transfer": ["Nhập / xuất câu hỏi", "Xem trước", ">Nhập<", "Xuất câu hỏi",
                              "GIFT (Moodle)", "staff-transfer.js"],
        f"/quizzes/modules/{m}/edit": ["Soạn bài kiểm tra", "Kiểm tra cuối khoá",
                                       "Thời gian làm bài", "Cách tính điểm", "Điểm đạt (%)",
                                       "Múi giờ", "Ngay sau khi nộp", "Sau khi bài đóng",
                                       "Thêm câu hỏi ngẫu nhiên", "Lưu bài kiểm tra",
                                       "staff-quiz.js"],
        f"/quizzes/modules/{m}/results": ["Kết quả và thống kê", "Kết quả của học viên",
                                          "Thống kê từng câu hỏi", "Tải CSV",
                                          f"/api/v1/quizzes/modules/{m}/statistics.xlsx",
                                          "staff-results.js"],
        "/quizzes/grading": ["Chấm bài tự luận", "Bài làm của học viên",
                             "Lưu và sang bài tiếp theo", "staff-grading.js"],
        f"/quizzes/grading?module_id={m}": ["Chấm bài tự luận: Kiểm tra cuối khoá"],
    }


async def test_every_page_renders_for_a_lecturer_in_vietnamese(client_for, quiz):
    lecturer = await client_for("lecturer_a")
    for url, labels in _pages(quiz).items():
        r = await lecturer.get(url)
        assert r.status_code == 200, (url, r.text[:500])
        assert '<html lang="vi">' in r.text, url
        assert '<link rel="stylesheet" href="/static/quizzes/staff.css">' in r.text
        for text in labels:
            assert text in r.text, (url, text)
    m = quiz["module"].id
    edit = (await lecturer.get(f"/quizzes/modules/{m}/edit")).text
    assert f'data-module-id="{m}"' in edit
    question = (await lecturer.get(f"/quizzes/bank/questions/{quiz['questions'][1].id}")).text
    assert 'data-can-manage="1"' in question
    for name in ("staff.css", "staff-common.js", "staff-bank.js", "staff-question.js",
                 "staff-transfer.js", "staff-quiz.js", "staff-results.js", "staff-grading.js"):
        r = await lecturer.get(f"/static/quizzes/{name}")
        assert r.status_code == 200 and len(r.content) > 500, name


async def test_the_menu_and_the_quiz_page_lead_staff_to_their_tools(client_for, quiz):
    lecturer = await client_for("lecturer_a")
    trainee = await client_for("trainee_a")
    home = (await lecturer.get("/")).text
    assert '<a href="/quizzes/bank">Ngân hàng câu hỏi</a>' in home
    assert '<a href="/quizzes/grading">Chấm bài tự luận</a>' in home
    assert "/quizzes/bank" not in (await trainee.get("/")).text
    m = quiz["module"]
    url = f"/courses/{m.course_id}/m/{m.key}"
    script = '<script type="module" src="/static/quizzes/staff-links.js">'
    page = (await lecturer.get(url)).text
    # The links are added by staff-links.js from /api/v1/me (tests/browser checks them).
    assert script in page and 'id="quiz-app"' in page
    links = (await lecturer.get("/static/quizzes/staff-links.js")).text
    for part in ("/quizzes/modules/${moduleId}/edit", "/quizzes/modules/${moduleId}/results",
                 "/quizzes/grading?module_id=${moduleId}", "quiz.manage", "quiz.grade"):
        assert part in links, part
    me = (await trainee.get("/api/v1/me")).json()
    assert "quiz.manage" not in me["permissions"] and "quiz.grade" not in me["permissions"]


async def test_a_trainee_gets_the_403_page_everywhere(client_for, quiz):
    trainee = await client_for("trainee_a")
    for url in _pages(quiz):
        r = await trainee.get(url)
        assert r.status_code == 403, url
        assert "<h1>403</h1>" in r.text and "staff-" not in r.text, url


async def test_anonymous_users_are_sent_to_the_login_page(anon, quiz):
    r = await anon.get(f"/quizzes/modules/{quiz['module'].id}/results")
    assert r.status_code == 303
    assert r.headers["location"] == f"/login?next=/quizzes/modules/{quiz['module'].id}/results"


async def test_another_institution_gets_404_and_sees_none_of_its_data(client_for, quiz):
    other = await client_for("lecturer_b")
    m, q, cat = quiz["module"], quiz["questions"][1], quiz["category"]
    for url in (f"/quizzes/modules/{m.id}/edit", f"/quizzes/modules/{m.id}/results",
                f"/quizzes/grading?module_id={m.id}", f"/quizzes/bank/questions/{q.id}",
                f"/quizzes/bank/new?category_id={cat.id}"):
        r = await other.get(url)
        assert r.status_code == 404, url
        assert q.name not in r.text and m.title not in r.text and cat.name not in r.text, url
    for url in ("/quizzes/bank", "/quizzes/transfer", "/quizzes/grading"):
        r = await other.get(url)
        assert r.status_code == 200, url
        assert q.name not in r.text and cat.name not in r.text and m.title not in r.text, url
    # What the bank page's script loads for B holds nothing of A either.
    cats = (await other.get("/api/v1/quizzes/categories")).json()["items"]
    assert cat.id not in [c["id"] for c in cats]
    assert (await other.get("/api/v1/quizzes/questions")).json()["total"] == 0


async def test_english_pages(client_for, quiz):
    lecturer = await client_for("lecturer_a")
    token = (await lecturer.get("/api/v1/me")).json()["csrf_token"]
    r = await lecturer.post("/lang", data={"lang": "en", "next": "/", "csrf_token": token})
    assert r.status_code == 303
    m = quiz["module"].id
    expected = {"/quizzes/bank": ["Question bank", "Categories", "Multiple choice (several answers)"],
                "/quizzes/transfer": ["Import / export questions", "Preview"],
                f"/quizzes/modules/{m}/edit": ["Edit quiz", "Grading method", "Time zone"],
                f"/quizzes/modules/{m}/results": ["Results and statistics", "Download CSV"],
                "/quizzes/grading": ["Grade essays", "Save and go to the next"]}
    for url, labels in expected.items():
        html = (await lecturer.get(url)).text
        assert '<html lang="en">' in html, url
        for text in labels:
            assert text in html, (url, text)
        assert "Ngân hàng câu hỏi" not in html, url


async def test_a_quiz_title_is_escaped(client_for, world):
    module, _qs = await seed_quiz(world.inst["a"], world.courses["a"], key="xss",
                                  title='<script>alert("x")</script>')
    lecturer = await client_for("lecturer_a")
    html = (await lecturer.get(f"/quizzes/modules/{module.id}/results")).text
    assert '<script>alert("x")</script>' not in html
    assert re.search(r"&lt;script&gt;alert\(&(#34|quot);x&(#34|quot);\)&lt;/script&gt;", html)
