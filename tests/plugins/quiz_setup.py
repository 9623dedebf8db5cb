"""Shared set-up of the quiz tests: a bank category with three questions and a quiz module
in course "a" (fixture ``quiz_world``, in conftest.py), and a helper that writes bank rows."""

from __future__ import annotations

from typing import Any

from lms_core.models import CourseModule
from quiz_seed import create_question
from lms_quizzes.models import Question, QuestionCategory


async def question(inst: int, category: int, body: dict[str, Any],
                   competencies: tuple[str, ...] = ()) -> Question:
    return await create_question(inst, category, body, competencies)


SINGLE = {"type": "single_choice", "text": "Thủ đô của Việt Nam?", "answers": [
    {"text": "Hà Nội", "fraction": 1, "feedback": "Đúng rồi"},
    {"text": "Huế", "fraction": 0, "feedback": "Huế là cố đô"}],
    "general_feedback": "Hà Nội là thủ đô từ 1010."}
TRUE_FALSE = {"type": "true_false", "text": "Dịch vụ công trực tuyến toàn trình là mức 4.",
              "options": {"correct": True}}
SHORT = {"type": "short_answer", "text": "Tên cổng dịch vụ công quốc gia?",
         "answers": [{"text": "Cổng Dịch vụ công quốc gia", "fraction": 1}],
         "options": {"accent_sensitive": False}}
ESSAY = {"type": "essay", "text": "Nêu ba khó khăn khi chuyển đổi số ở cấp xã."}


async def make_quiz_world(world) -> dict[str, Any]:
    inst = world.inst["a"]
    cat = await QuestionCategory.create(institution_id=inst, name="Chuyển đổi số")
    cat.path = f"/{cat.id}/"
    await cat.save()
    qs = [await question(inst, cat.id, SINGLE, ("NL01",)),
          await question(inst, cat.id, TRUE_FALSE, ("NL01",)),
          await question(inst, cat.id, SHORT, ("NL02",))]
    module = await CourseModule.create(
        course_id=world.courses["a"], key="kiem-tra", type="quiz", title="Kiểm tra cuối khoá",
        position=9, data={"slots": [{"kind": "fixed", "question_id": q.id} for q in qs],
                          "kind": "graded", "pass_fraction": 0.6})
    return {"category": cat.id, "questions": qs, "module": module.id, "inst": inst}




async def progress_recorded(attempt_id: int, timeout: float = 5.0) -> None:
    """Wait for the job that records a submitted attempt's course progress (``progress.py``)."""
    import asyncio

    from lms_quizzes.models import Attempt

    async with asyncio.timeout(timeout):
        while await Attempt.filter(id=attempt_id, progress_pending=True).exists():
            await asyncio.sleep(0.02)
