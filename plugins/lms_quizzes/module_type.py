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

The module's page (``render_quiz``) is the quiz's front page, as in Moodle: the settings in plain
words, the trainee's past attempts with what the review options let them see, and a Start or
Resume button (or the reason they cannot start). Taking the attempt happens on the same page,
driven by ``static/quiz.js`` against the JSON API of ``attempt_api``; the server-rendered part
never contains a question, let alone the key.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup

from lms_core.http.problems import Problem, request_locale
from lms_quizzes import quiz_config

#: The plugin's own environment, not the app's: the front page is a fragment inside the core's
#: module page, and ``render_quiz`` must also work without a running app (tests call it so).
_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(Path(__file__).resolve().parent / "templates")),
    autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)

#: Times are shown as the trainees read them: Vietnam's clock.
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "bad_config": "Bài kiểm tra này chưa được cấu hình đúng.",
        "settings": "Thông tin bài kiểm tra",
        "kind": "Loại", "questions": "Số câu hỏi", "time_limit": "Thời gian làm bài",
        "no_time_limit": "Không giới hạn", "attempts_allowed": "Số lượt làm bài",
        "unlimited": "Không giới hạn", "attempts_used": "Bạn đã làm",
        "grading_method": "Cách tính điểm", "pass_mark": "Điểm đạt", "opens_at": "Mở lúc",
        "closes_at": "Đóng lúc", "my_attempts": "Các lượt làm bài của bạn",
        "attempt": "Lượt", "state": "Trạng thái", "finished_at": "Nộp lúc", "mark": "Điểm",
        "review": "Xem lại", "in_progress": "Đang làm", "finished": "Đã nộp",
        "needs_grading": "Chờ giảng viên chấm", "hidden": "Chưa công bố",
        "passed": "Đạt", "failed": "Chưa đạt", "start": "Bắt đầu làm bài",
        "start_again": "Làm lại", "resume": "Làm tiếp lượt đang dở",
        "grade": "Điểm của bạn cho bài kiểm tra này",
        "preview": "Bạn đang xem trước với vai trò giảng viên: lượt làm thử không được tính "
                   "vào kết quả học tập.",
        "timed_notice": "Bài có giới hạn thời gian. Đồng hồ bắt đầu đếm ngược từ lúc bạn bấm "
                        "bắt đầu và không dừng lại khi bạn rời trang.",
        "confirm_timed": "Bài kiểm tra có giới hạn thời gian {limit}. Đồng hồ sẽ đếm ngược "
                         "ngay khi bạn bắt đầu. Bắt đầu làm bài?",
        "no_permission": "Tài khoản của bạn không được làm bài kiểm tra.",
        "noscript": "Cần bật JavaScript trong trình duyệt để làm bài kiểm tra.",
        "minutes": "{n} phút", "hours": "{n} giờ", "seconds": "{n} giây",
        "times": "{n} lượt",
    },
    "en": {
        "bad_config": "This quiz is not configured correctly.",
        "settings": "About this quiz",
        "kind": "Kind", "questions": "Questions", "time_limit": "Time limit",
        "no_time_limit": "None", "attempts_allowed": "Attempts allowed",
        "unlimited": "Unlimited", "attempts_used": "Attempts used",
        "grading_method": "Grading method", "pass_mark": "Grade to pass", "opens_at": "Opens",
        "closes_at": "Closes", "my_attempts": "Your attempts",
        "attempt": "Attempt", "state": "State", "finished_at": "Submitted", "mark": "Mark",
        "review": "Review", "in_progress": "In progress", "finished": "Finished",
        "needs_grading": "Waiting for a grader", "hidden": "Not released yet",
        "passed": "Passed", "failed": "Not passed", "start": "Attempt quiz now",
        "start_again": "Re-attempt quiz", "resume": "Continue your attempt",
        "grade": "Your grade for this quiz",
        "preview": "You are previewing as staff: this attempt does not count towards results.",
        "timed_notice": "This quiz is timed. The clock starts when you press start and keeps "
                        "running if you leave the page.",
        "confirm_timed": "The quiz has a time limit of {limit}. Time will count down from the "
                         "moment you start. Start now?",
        "no_permission": "Your account may not take quizzes.",
        "noscript": "JavaScript must be enabled in the browser to take the quiz.",
        "minutes": "{n} min", "hours": "{n} h", "seconds": "{n} s",
        "times": "{n}",
    },
}
KIND_LABELS = {
    "practice": ("Luyện tập", "Practice"),
    "graded": ("Bài kiểm tra tính điểm", "Graded quiz"),
    "pre_test": ("Kiểm tra đầu vào", "Pre-test"),
    "post_test": ("Kiểm tra cuối khoá", "Post-test"),
}
GRADING_LABELS = {
    "highest": ("Lấy điểm lần cao nhất", "Highest grade"),
    "last": ("Lấy điểm lần làm cuối", "Last attempt"),
    "average": ("Điểm trung bình các lần", "Average grade"),
    "first": ("Lấy điểm lần làm đầu tiên", "First attempt"),
}


def validate_quiz(data: dict[str, Any]) -> list[str]:
    """Messages carry both languages: the manifest reader embeds them in its own vi and en
    sentences. Every setting of quiz_config.QuizSettings may be given in course.yaml."""
    return quiz_config.problems(data)


def duration_words(seconds: int, locale: str) -> str:
    """A time limit as people say it ("1 giờ 30 phút"), not as a number of seconds."""
    t = TEXTS[locale]
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [t["hours"].format(n=hours)] if hours else []
    if minutes:
        parts.append(t["minutes"].format(n=minutes))
    if secs or not parts:
        parts.append(t["seconds"].format(n=secs))
    return " ".join(parts)


def local_time(value: datetime | None) -> str:
    """Vietnam's wall clock, day first as Vietnamese (and British) readers expect."""
    if value is None:
        return ""
    return value.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y")


def percent(fraction: float | None, locale: str) -> str:
    """80% / 83,3% with the locale's decimal mark, one decimal at most."""
    if fraction is None:
        return ""
    text = f"{fraction * 100:.1f}".rstrip("0").rstrip(".")
    return (text.replace(".", ",") if locale == "vi" else text) + "%"


def number(value: float | None, locale: str) -> str:
    """A mark with at most two decimals and the locale's decimal mark."""
    if value is None:
        return ""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if locale == "vi" else text


async def quiz_overview(request: Any, module: Any) -> dict[str, Any]:
    """What the front page shows, computed as ``attempt_api.quiz_info`` does (same services,
    same review rules), so the page and the API can never disagree about marks or about
    whether the trainee may start."""
    from lms_core.runtime import runtime
    from lms_quizzes import attempts as svc

    o = await svc.overview(request.scope.get("principal"), module.id, runtime(request))
    return {
        "settings": o.ctx.settings, "enrolled": o.ctx.enrolment is not None,
        "attempts": [{**svc.attempt_summary(a, o.items[a.id]), "reviewable": bool(o.items[a.id])}
                     for a in o.attempts],
        "grade": o.grade, "can_start": o.may_start,
        "resume_id": o.running.id if o.running else None, "reason": o.reason,
    }


async def render_quiz(request: Any, module: Any, enrolment: Any = None) -> str:
    """The quiz's front page inside the course page; every value is escaped by the template.
    A quiz that cannot be read, or a user who may not take quizzes, gets a notice instead of
    an error page: the rest of the course stays usable."""
    locale = "en" if request is not None and request_locale(request) == "en" else "vi"
    t = TEXTS[locale]
    title = (module.title_en if locale == "en" and getattr(module, "title_en", "")
             else module.title)
    data = module.data if isinstance(module.data, dict) else {}
    principal = request.scope.get("principal") if request is not None else None
    ctx: dict[str, Any] = {"t": t, "locale": locale, "title": title,
                           "module_id": getattr(module, "id", ""),
                           "notice": None, "overview": None}
    if validate_quiz(data):
        ctx["notice"] = t["bad_config"]
    elif principal is None or not principal.can("quiz.attempt"):
        ctx["notice"] = t["no_permission"] if principal is not None else None
        ctx["settings"] = quiz_config.from_module_data(data)
    else:
        try:
            ctx["overview"] = await quiz_overview(request, module)
        except Problem as problem:  # a category that vanished, a deleted question...
            ctx["notice"] = problem.detail_en if locale == "en" else problem.detail
            ctx["settings"] = quiz_config.from_module_data(data)
    overview = ctx["overview"]
    settings = overview["settings"] if overview else ctx.get("settings")
    ctx["settings"] = settings
    if settings is not None:
        en = locale == "en"
        ctx["facts"] = _facts(settings, overview, locale)
        ctx["kind_label"] = KIND_LABELS[settings.kind][en]
        ctx["confirm"] = (t["confirm_timed"].format(
            limit=duration_words(settings.time_limit_seconds, locale))
            if settings.time_limit_seconds else "")
    else:
        ctx.update(facts=[], kind_label="", confirm="")
    ctx["summary"] = _summary(settings, locale) if settings is not None else ""
    return _ENV.get_template("quizzes/module.html").render(
        **ctx, local_time=local_time, percent=lambda f: percent(f, locale),
        number=lambda v: number(v, locale))


def _summary(settings: quiz_config.QuizSettings, locale: str) -> Markup:
    """One sentence: how many questions, and from which categories when drawn at random."""
    count = settings.question_count()
    cats = ", ".join(dict.fromkeys(str(s.category).strip() for s in settings.slots
                                   if isinstance(s, quiz_config.RandomSlot)))
    if locale == "en":
        text = Markup("A quiz of <strong>{}</strong> question{}").format(
            count, "s" if count != 1 else "")
        if cats:
            text += Markup(" drawn from the category “{}”").format(cats)
    else:
        text = Markup("Bài kiểm tra gồm <strong>{}</strong> câu hỏi").format(count)
        if cats:
            text += Markup(" lấy từ nhóm câu hỏi «{}»").format(cats)
    return text + "."


def _facts(settings: quiz_config.QuizSettings, overview: dict[str, Any] | None,
           locale: str) -> list[tuple[str, str]]:
    """The settings as (label, value) lines, in the order Moodle's quiz page shows them."""
    t, en = TEXTS[locale], locale == "en"
    facts = [(t["kind"], KIND_LABELS[settings.kind][en]),
             (t["questions"], str(settings.question_count())),
             (t["time_limit"], duration_words(settings.time_limit_seconds, locale)
              if settings.time_limit_seconds else t["no_time_limit"])]
    allowed = (t["times"].format(n=settings.attempts_allowed) if settings.attempts_allowed
               else t["unlimited"])
    facts.append((t["attempts_allowed"], allowed))
    if overview is not None:
        facts.append((t["attempts_used"], t["times"].format(n=len(overview["attempts"]))))
    if settings.attempts_allowed != 1:
        facts.append((t["grading_method"], GRADING_LABELS[settings.grading_method][en]))
    facts.append((t["pass_mark"], percent(settings.pass_fraction, locale)))
    if settings.opens_at:
        facts.append((t["opens_at"], local_time(settings.opens_at)))
    if settings.closes_at:
        facts.append((t["closes_at"], local_time(settings.closes_at)))
    return facts
