"""A course folder's questions/*.gift: imported with the course in one transaction, updated by
name on a new version, and any error refuses the whole course."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from lms_core.content import ContentInvalid
from lms_core.models import Course, CourseModule
from lms_core.services.content_import import import_course
from lms_quizzes.models import Question, QuestionCategory

SOURCE = ROOT / "content" / "chuyen-doi-so"
GIFT = "questions/ngan-hang-cau-hoi.gift"


async def _import(app, world, folder: Path):
    lms = app.state.lms
    return await import_course(lms.settings, lms.plugins, world.inst["a"], folder)


async def test_the_sample_course_brings_its_question_bank(app, world, client_for):
    course, _ = await _import(app, world, SOURCE)
    top = await QuestionCategory.get(institution_id=world.inst["a"], name="Chuyển đổi số",
                                     parent_id=None)
    children = await QuestionCategory.filter(parent_id=top.id).values_list("name", flat=True)
    assert set(children) == {"Tổng quan", "Dịch vụ công trực tuyến", "Văn bản điện tử",
                             "Dữ liệu cá nhân", "An toàn thông tin"}
    assert await Question.filter(institution_id=world.inst["a"]).count() == 15
    # the imported course's post-test can be taken at once
    post = await CourseModule.get(course=course, key="kiem-tra-cuoi-khoa")
    assert post.type == "quiz"
    await _import(app, world, SOURCE)  # same version again: nothing doubles
    assert await Question.filter(institution_id=world.inst["a"]).count() == 15
    assert await QuestionCategory.filter(name="Chuyển đổi số").count() == 1


async def test_a_new_version_updates_questions_by_name(app, world, tmp_path):
    await _import(app, world, SOURCE)
    folder = tmp_path / "cds"
    shutil.copytree(SOURCE, folder)
    manifest = folder / "course.yaml"
    manifest.write_text(manifest.read_text("utf-8").replace("\nversion: 1\n", "\nversion: 2\n"),
                        "utf-8")
    gift_file = folder / GIFT
    gift_file.write_text(gift_file.read_text("utf-8").replace(
        "{#72:0}", "{#72:1}") + "\n::Câu mới::Câu hỏi mới của phiên bản 2.{T}\n", "utf-8")
    await _import(app, world, folder)
    changed = await Question.get(name="Thời hạn thông báo")
    assert changed.version == 2 and changed.answers[0]["tolerance"] == 1
    assert (await Question.get(name="Toàn trình")).version == 1
    assert await Question.filter(name="Câu mới").count() == 1


@pytest.mark.parametrize("breakage", ["syntax", "symlink"])
async def test_any_error_in_a_question_file_refuses_the_whole_course(app, world, tmp_path,
                                                                     breakage):
    folder = tmp_path / "cds"
    shutil.copytree(SOURCE, folder)
    if breakage == "syntax":
        (folder / "questions" / "hong.gift").write_text(
            "::Ổn::Câu tốt {=a ~b}\n\n::Hỏng::Thiếu ngoặc {=a ~b\n", "utf-8")
        expected = ("questions/hong.gift", 3)
    else:
        secret = tmp_path / "bi-mat.gift"
        secret.write_text("::Bí mật::Ngoài thư mục {T}\n", "utf-8")
        (folder / "questions" / "ngoai.gift").symlink_to(secret)
        expected = ("questions/ngoai.gift", None)
    with pytest.raises(ContentInvalid) as info:
        await _import(app, world, folder)
    assert [(e.file, e.line) for e in info.value.errors] == [expected]
    assert info.value.errors[0].message and info.value.errors[0].message_en
    assert not await Course.filter(code="CDS-101").exists()
    assert await Question.all().count() == 0 and await QuestionCategory.all().count() == 0
