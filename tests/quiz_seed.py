"""A question bank with one question of each kind a trainee answers, and a quiz module over it,
for the quiz page tests (server-rendered in tests/test_quiz_pages.py, in a real browser in
tests/browser). Questions go through ``qtypes.normalise`` and ``validate`` as the importers
store them, so the page sees the shapes the API really sends."""

from __future__ import annotations

from typing import Any

from lms_quizzes import qtypes
from lms_quizzes.models import Question, QuestionCategory
from lms_quizzes.questions import canonical_row

from lms_core.models import CourseModule

#: Each question's text is unique so a test can find it; SECRETS are strings only the key or
#: the feedback contains, which must never reach a trainee's page before review.
QUESTIONS: list[dict[str, Any]] = [
    {"type": "description", "text": "**Phần I.** Kiến thức chung về chuyển đổi số."},
    {"type": "single_choice", "text": "Thủ đô của Việt Nam là thành phố nào?",
     "answers": [{"text": "Hà Nội", "fraction": 1, "feedback": "Chính xác, Hà Nội."},
                 {"text": "Huế", "fraction": 0, "feedback": "Huế là cố đô."},
                 {"text": "Đà Nẵng", "fraction": 0}],
     "general_feedback": "Hà Nội là thủ đô từ năm 1010."},
    {"type": "multiple_response", "text": "Những dịch vụ nào là dịch vụ công trực tuyến?",
     "answers": [{"text": "Đăng ký khai sinh", "fraction": 0.5},
                 {"text": "Cấp đổi căn cước", "fraction": 0.5},
                 {"text": "Mua vé xem phim", "fraction": -1}]},
    {"type": "true_false", "text": "Chữ ký số có giá trị pháp lý như chữ ký tay.",
     "options": {"correct": True}},
    {"type": "short_answer", "text": "Tên cổng dịch vụ công quốc gia (viết tắt)?",
     "answers": [{"text": "DVCQG", "fraction": 1, "feedback": "Mã bí mật DVCQG-OK"}]},
    {"type": "numerical", "text": "Số pi làm tròn đến hai chữ số thập phân?",
     "answers": [{"kind": "tolerance", "value": 3.14, "tolerance": 0.001, "fraction": 1}]},
    {"type": "matching", "text": "Ghép cơ quan với nhiệm vụ.",
     "answers": [{"text": "Bộ Nội vụ", "match": "Quản lý công chức"},
                 {"text": "Bộ Tài chính", "match": "Quản lý ngân sách"},
                 {"text": "", "match": "Quản lý thời tiết"}]},
    {"type": "ordering", "text": "Sắp xếp các bước nộp hồ sơ trực tuyến.",
     "answers": [{"text": "Đăng nhập"}, {"text": "Điền tờ khai"}, {"text": "Nộp hồ sơ"}]},
    {"type": "essay", "text": "Nêu một khó khăn khi chuyển đổi số ở cấp xã.",
     "options": {"min_words": 3, "max_words": 200}},
]
SECRETS = ("Chính xác, Hà Nội.", "Huế là cố đô.", "Hà Nội là thủ đô từ năm 1010.",
           "Mã bí mật DVCQG-OK", "Quản lý công chức")


async def create_question(institution_id: int, category_id: int, body: dict[str, Any],
                          competencies: tuple[str, ...] = ()) -> Question:
    """Stores one question exactly as the bank does (canonical shape, rendered HTML, search and
    competency keys), so tests see what the API would have written."""
    q = qtypes.normalise(body)
    problems = qtypes.validate(q)
    assert problems == [], problems
    return await Question.create(institution_id=institution_id, category_id=category_id,
                                 **canonical_row(q, competencies))


async def seed_quiz(institution_id: int, course_id: int, *, key: str = "kiem-tra",
                    title: str = "Kiểm tra cuối khoá", types: tuple[str, ...] | None = None,
                    position: int = 50, **settings: Any) -> tuple[CourseModule, list[Question]]:
    """A category with the QUESTIONS (optionally only some types) and a quiz module with one
    fixed slot per question; ``settings`` are QuizSettings fields (layout, time limit...)."""
    cat = await QuestionCategory.create(institution_id=institution_id,
                                        name=f"Ngân hàng {key}")
    cat.path = f"/{cat.id}/"
    await cat.save()
    chosen = [b for b in QUESTIONS if types is None or b["type"] in types]
    questions = [await create_question(institution_id, cat.id, b) for b in chosen]
    module = await CourseModule.create(
        course_id=course_id, key=key, type="quiz", title=title, position=position,
        data={"slots": [{"kind": "fixed", "question_id": q.id} for q in questions],
              **settings})
    return module, questions
