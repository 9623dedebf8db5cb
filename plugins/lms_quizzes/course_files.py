"""A course folder's own question bank: ``questions/*.gift`` next to ``course.yaml``.

A course ships with the questions its quizzes draw from, as a Moodle course backup does, so
importing the folder gives a working course, quizzes included. Questions are filed under the
``$CATEGORY`` paths of the file (from the bank's top level, like Moodle's ``$course$/top``);
questions before any ``$CATEGORY`` go to a category named after the course. Importing a new
version updates questions by (category, name) as new question versions and adds new ones;
questions dropped from the file stay in the bank because past attempts and other quizzes may use
them. Any error in any file refuses the whole course import (the core's transaction rolls back).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lms_core.content.errors import ContentError

from lms_quizzes import gift
from lms_quizzes.models import Question
from lms_quizzes.questions import canonical_row
from lms_quizzes.transfer import ensure_path

FOLDER = "questions"
MAX_FILE_BYTES = 5_000_000
_COMPARED = ("type", "text", "text_format", "answers", "options", "general_feedback")


def _files(folder: Path) -> tuple[list[tuple[str, Path]], list[ContentError]]:
    base = folder / FOLDER
    if not base.is_dir():
        return [], []
    root = folder.resolve()
    found, errors = [], []
    for path in sorted(base.iterdir()):
        rel = f"{FOLDER}/{path.name}"
        if path.suffix.lower() != ".gift":
            continue
        real = path.resolve()
        if not real.is_relative_to(root) or not real.is_file():
            errors.append(ContentError(rel, None, "Tệp trỏ ra ngoài thư mục khóa học.",
                                       "The file points outside the course folder."))
        elif real.stat().st_size > MAX_FILE_BYTES:
            errors.append(ContentError(rel, None, "Tệp câu hỏi lớn hơn 5 MB; hãy chia theo "
                                       "chương.", "The question file is over 5 MB; split it "
                                       "by chapter."))
        else:
            found.append((rel, real))
    return found, errors


def read_questions(folder: Path) -> tuple[list[gift.GiftQuestion], list[ContentError]]:
    """Every question of every GIFT file of the folder, or every error with file and line."""
    files, errors = _files(folder)
    questions: list[gift.GiftQuestion] = []
    for rel, path in files:
        result = gift.parse(path.read_bytes())
        errors.extend(ContentError(rel, e.line, e.message, e.message_en) for e in result.errors)
        questions.extend(result.questions)
    return questions, errors


async def import_course_questions(folder: Path, course: Any,
                                  institution_id: int) -> list[ContentError]:
    questions, errors = read_questions(folder)
    if errors or not questions:
        return errors
    cache: dict[tuple[str, ...], int] = {}
    default = (course.title,)
    for q in questions:
        category_id = await ensure_path(institution_id, None, q.category or default, cache)
        row = canonical_row(q.question)
        existing = await Question.get_or_none(institution_id=institution_id,
                                              category_id=category_id, name=row["name"])
        if existing is None:
            await Question.create(institution_id=institution_id, category_id=category_id, **row)
        elif any(getattr(existing, k) != row[k] for k in _COMPARED):
            for key, value in row.items():
                setattr(existing, key, value)
            existing.version += 1
            await existing.save()
    return []
