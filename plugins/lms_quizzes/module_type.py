"""The ``quiz`` course-module type: a step of a course that draws questions from the bank.

``data`` in course.yaml says where the questions come from and how many::

    - key: kiem-tra-chuong-1
      type: quiz
      title: Kiểm tra chương 1
      data: {category: "Chuyển đổi số", count: 10}

Any setting of ``quiz_config.QuizSettings`` may be given as well (``time_limit_seconds``,
``attempts_allowed``, ``kind``, ``slots`` with fixed questions and random draws, ...). The
validator is strict (unknown keys are errors) so that a typo in course.yaml is caught at import
instead of being silently ignored.
"""

from __future__ import annotations

from html import escape
from typing import Any

from lms_core.http.problems import request_locale

from lms_quizzes import quiz_config


def validate_quiz(data: dict[str, Any]) -> list[str]:
    """Messages carry both languages: the manifest reader embeds them in its own vi and en
    sentences. Every setting of quiz_config.QuizSettings may be given in course.yaml."""
    return quiz_config.problems(data)


async def render_quiz(request: Any, module: Any, enrolment: Any = None) -> str:
    """HTML for the course page; every value from the manifest is escaped."""
    english = request is not None and request_locale(request) == "en"
    title = (module.title_en if english and getattr(module, "title_en", "") else module.title)
    data = module.data if isinstance(module.data, dict) else {}
    if validate_quiz(data):
        notice = ("This quiz is not configured correctly." if english
                  else "Bài kiểm tra này chưa được cấu hình đúng.")
        return (f'<section class="quiz-module"><h1>{escape(title)}</h1>'
                f'<p class="muted">{notice}</p></section>')
    settings = quiz_config.from_module_data(data)
    count = settings.question_count()
    category = escape(", ".join(str(s.category).strip() for s in settings.slots
                                if isinstance(s, quiz_config.RandomSlot)))
    if english:
        summary = (f"A quiz of <strong>{count}</strong> question{'s' if count != 1 else ''} "
                   f"drawn from the category “{category}”.")
        later = "Taking the quiz online will be available soon."
    else:
        summary = (f"Bài kiểm tra gồm <strong>{count}</strong> câu hỏi lấy từ nhóm câu hỏi "
                   f"«{category}».")
        later = "Chức năng làm bài trực tuyến sẽ sớm có."
    return (f'<section class="quiz-module"><h1>{escape(title)}</h1>'
            f'<p class="quiz-summary" data-count="{count}">{summary}</p>'
            f'<p class="muted">{later}</p></section>')
