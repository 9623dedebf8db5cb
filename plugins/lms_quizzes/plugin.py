"""Hook implementations of the `quizzes` plugin: the question bank, Aiken import, `quiz` modules."""

from __future__ import annotations

from typing import Any

from lms_core.plugin_api import ModelApp, ModuleType, Permission, PluginInfo, hookimpl

from lms_quizzes import attempt_api
from lms_quizzes.api import routes
from lms_quizzes.module_type import render_quiz, validate_quiz

PLUGIN_INFO = PluginInfo(name="quizzes", version="0.1.0", api=">=1.0,<2",
                         title="Câu hỏi và bài kiểm tra",
                         description="Ngân hàng câu hỏi và nhập câu hỏi định dạng Aiken.")

STAFF = frozenset({"lecturer", "admin"})


@hookimpl
def lms_register_models() -> list[ModelApp]:
    return [ModelApp("quizzes", ("lms_quizzes.models",), "lms_quizzes.migrations")]


@hookimpl
def lms_register_permissions() -> list[Permission]:
    return [
        Permission("quiz.manage", "Soạn câu hỏi, nhóm câu hỏi và nhập câu hỏi từ tệp Aiken",
                   STAFF),
        Permission("quiz.view_bank", "Xem ngân hàng câu hỏi của đơn vị đào tạo", STAFF),
        Permission("quiz.attempt", "Làm bài kiểm tra (giảng viên: làm thử)",
                   frozenset({"trainee", "lecturer", "admin"})),
    ]


@hookimpl
def lms_register_routes(settings: Any) -> list[Any]:
    return [*routes(), *attempt_api.routes()]


@hookimpl
def lms_register_module_types() -> list[ModuleType]:
    return [ModuleType("quiz", "Bài kiểm tra", "Quiz", render=render_quiz,
                       validate=validate_quiz, icon="📝")]
