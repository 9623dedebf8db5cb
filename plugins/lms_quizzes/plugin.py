"""Hook implementations of the `quizzes` plugin: the question bank, Aiken import, `quiz` modules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lms_core.plugin_api import (
    MenuItem,
    ModelApp,
    ModuleType,
    PageScript,
    Permission,
    PluginInfo,
    StaticDir,
    hookimpl,
)
from lms_quizzes import attempt_api, course_files, staff_api, stats_api
from lms_quizzes import views as staff_views
from lms_quizzes.api import routes
from lms_quizzes.live_quiz import lms_live_quiz_search  # noqa: F401  (live sessions' hook)
from lms_quizzes.module_type import render_quiz, validate_quiz

PLUGIN_INFO = PluginInfo(name="quizzes", version="0.1.0", api=">=1.1,<2",
                         title="Câu hỏi và bài kiểm tra",
                         description="Ngân hàng câu hỏi và nhập câu hỏi định dạng Aiken.")

STAFF = frozenset({"lecturer", "admin"})


@hookimpl(optionalhook=True)
async def lms_live_quiz_question(institution_id: int, question_id: int) -> Any:
    """The live sessions' quick quiz (their hook; optional, so the quizzes plugin runs without
    live sessions installed)."""
    from lms_quizzes.live_quiz import live_question

    return await live_question(institution_id, question_id)


@hookimpl
def lms_register_models() -> list[ModelApp]:
    return [ModelApp("quizzes", ("lms_quizzes.models",), "lms_quizzes.migrations")]


@hookimpl
def lms_register_permissions() -> list[Permission]:
    return [
        Permission("quiz.manage", "Soạn câu hỏi, nhóm câu hỏi và nhập câu hỏi từ tệp Aiken",
                   STAFF),
        Permission("quiz.view_bank", "Xem ngân hàng câu hỏi của đơn vị đào tạo", STAFF),
        Permission("quiz.grade", "Chấm bài tự luận và sửa điểm của bài kiểm tra", STAFF),
        Permission("quiz.attempt", "Làm bài kiểm tra (giảng viên: làm thử)",
                   frozenset({"trainee", "lecturer", "admin"})),
    ]


@hookimpl
def lms_register_jobs() -> list[Any]:
    """Course progress of submitted attempts, off the submit request (``progress.py``)."""
    from lms_quizzes import progress

    return progress.jobs()


@hookimpl
def lms_register_routes(settings: Any) -> list[Any]:
    return [*routes(), *attempt_api.routes(), *stats_api.routes(), *staff_api.routes(),
            *staff_views.routes()]


@hookimpl
def lms_register_module_types() -> list[ModuleType]:
    return [ModuleType("quiz", "Bài kiểm tra", "Quiz", render=render_quiz,
                       validate=validate_quiz, icon="📝")]


@hookimpl
def lms_register_static() -> list[StaticDir]:
    """quiz.js / quiz.css: the attempt page runs in the browser against attempt_api."""
    return [StaticDir("quizzes", Path(__file__).resolve().parent / "static")]


@hookimpl
def lms_register_page_scripts() -> list[PageScript]:
    """boot.js loads on every module page but only starts where a quiz's #quiz-app is;
    staff-links.js adds, for staff only, links from a quiz to its editor, results and
    grading queue."""
    return [PageScript("/static/quizzes/boot.js", frozenset({"lesson"})),
            PageScript("/static/quizzes/staff-links.js", frozenset({"lesson"}))]


@hookimpl
async def lms_filter_course_import(folder: Any, course: Any, institution_id: int) -> list[Any]:
    """A course folder's questions/*.gift join the bank in the course import's transaction."""
    return await course_files.import_course_questions(folder, course, institution_id)


@hookimpl
def lms_register_templates() -> list[Path]:
    """templates/quizzes/staff/*: the lecturer's pages, rendered by the core's Jinja set-up."""
    return [Path(__file__).resolve().parent / "templates"]


@hookimpl
def lms_register_menu_items() -> list[MenuItem]:
    """Where a lecturer finds the bank and the grading queue (quizzes are reached from their
    module page, which links to the editor and the results)."""
    return [
        MenuItem("quiz-bank", "Ngân hàng câu hỏi", "Question bank", "/quizzes/bank",
                 "quiz.view_bank", 40, group="teaching"),
        MenuItem("quiz-grading", "Chấm bài tự luận", "Grade essays", "/quizzes/grading",
                 "quiz.grade", 45, group="teaching"),
    ]


@hookimpl(optionalhook=True)
async def lms_assessment_quiz_results(institution_id: int, module_ids: list[int],
                                      user_ids: list[int] | None) -> list[Any]:
    """The assessment plugin's learning step reads pre- and post-test results here (its hook;
    optional, so the quizzes plugin runs without assessment)."""
    from lms_quizzes.assessment_results import results

    return await results(institution_id, module_ids, user_ids)
