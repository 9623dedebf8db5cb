"""The ``quiz`` course-module type: a step of a course that draws questions from the bank.

``data`` in course.yaml says where the questions come from and how many::

    - key: kiem-tra-chuong-1
      type: quiz
      title: Kiểm tra chương 1
      data: {category: "Chuyển đổi số", count: 10}

This first piece shows what the quiz will be; taking it comes with the full quiz issue. The
validator is strict (unknown keys are errors) so that a typo in course.yaml is caught at import
instead of being silently ignored.
"""

from __future__ import annotations

from html import escape
from typing import Any

from lms_core.http.problems import request_locale

MAX_COUNT = 500
ALLOWED_KEYS = ("category", "count")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_quiz(data: dict[str, Any]) -> list[str]:
    """Messages carry both languages: the manifest reader embeds them in its own vi and en
    sentences."""
    if not isinstance(data, dict):
        return ["`data` phải là một bảng khóa–giá trị (`data` must be a mapping)."]
    errors: list[str] = []
    for key in data:
        if key not in ALLOWED_KEYS:
            errors.append(f"khóa `{key}` không được hỗ trợ, chỉ dùng {', '.join(ALLOWED_KEYS)} "
                          f"(unknown key `{key}`, expected one of {', '.join(ALLOWED_KEYS)}).")
    category = data.get("category")
    if category is None:
        errors.append("thiếu `category`: tên hoặc mã số nhóm câu hỏi "
                      "(missing `category`: a question category name or id).")
    elif _is_int(category):
        if category < 1:
            errors.append("`category` phải là mã số dương (`category` must be a positive id).")
    elif isinstance(category, str):
        if not category.strip():
            errors.append("`category` để trống (`category` is empty).")
        elif len(category) > 255:
            errors.append("`category` dài quá 255 ký tự (`category` is over 255 characters).")
    else:
        errors.append("`category` phải là tên (chuỗi) hoặc mã số (số nguyên) "
                      "(`category` must be a name or an integer id).")
    count = data.get("count")
    if count is None:
        errors.append("thiếu `count`: số câu hỏi (missing `count`: how many questions).")
    elif not _is_int(count) or count < 1:
        errors.append("`count` phải là số nguyên dương (`count` must be a positive integer).")
    elif count > MAX_COUNT:
        errors.append(f"`count` tối đa {MAX_COUNT} (`count` is at most {MAX_COUNT}).")
    return errors


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
    count, category = data["count"], escape(str(data["category"]).strip())
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
