"""Importing the sample course folder: rows, published images the app serves, re-import of the
same version, a new version that keeps trainees' progress, invalid folders rejected whole, and
the ``lms import-content`` command."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from lms_core.content import ContentInvalid
from lms_core.http.problems import Problem
from lms_core.models import (
    Course, CourseClass, CourseModule, EnrolmentStatus, ModuleProgress, ProgressStatus, User,
)
from lms_core.services.content_import import import_course
from lms_core.services.enrolments import change_enrolment
from lms_core.services.progress import complete_module, progress_summary

SOURCE = ROOT / "content" / "chuyen-doi-so"
KEYS_V1 = ["kiem-tra-dau-vao", "tong-quan", "mot-cua-dich-vu-cong", "van-ban-dien-tu",
           "bao-ve-du-lieu-ca-nhan", "an-toan-thong-tin", "lanh-dao-so", "kiem-tra-cuoi-khoa",
           "ke-hoach-cai-tien"]
MEDIA_SRC = re.compile(r'src="(/media/[^"]+)"')


async def run_import(app, world, folder: Path) -> tuple[Course, str]:
    lms = app.state.lms
    return await import_course(lms.settings, lms.plugins, world.inst["a"], folder)


def media_root(app) -> Path:
    return app.state.lms.settings.var_dir / "media"


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle`` (what an author's editor shows)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


async def test_import_creates_course_modules_and_served_images(app, world, anon, client_for):
    course, outcome = await run_import(app, world, SOURCE)
    assert outcome == "created"
    assert (course.code, course.version) == ("CDS-101", 1)
    assert course.title == "Chuyển đổi số trong cơ quan hành chính nhà nước"
    assert course.institution_id == world.inst["a"]
    modules = await CourseModule.filter(course=course).order_by("position")
    assert [m.key for m in modules] == KEYS_V1
    assert all(m.is_active for m in modules)
    assert [m.type for m in modules].count("quiz") == 2
    lessons = [m for m in modules if m.type == "lesson"]
    assert "Chuyển đổi số không phải việc riêng" in lessons[0].body_html

    prefix = f"/media/courses/{world.inst['a']}/CDS-101/v1/"
    published = media_root(app) / "courses" / str(world.inst["a"]) / "CDS-101" / "v1"
    for svg in (SOURCE / "images").glob("*.svg"):
        assert (published / "images" / svg.name).read_bytes() == svg.read_bytes()
    urls = [u for m in modules for u in MEDIA_SRC.findall(m.body_html)]
    assert f"{prefix}images/ba-tru-cot.svg" in urls
    assert len(urls) == 4 and all(u.startswith(prefix) for u in urls)
    trainee = await client_for("trainee_a")
    for url in urls:
        r = await trainee.get(url)
        assert r.status_code == 200, url
        assert r.headers["content-type"].startswith("image/svg+xml")
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.content == (SOURCE / "images" / url.rsplit("/", 1)[1]).read_bytes()
    # images are the institution's: not for strangers, nor for another institution
    outsider = await client_for("trainee_b")
    for client in (anon, outsider):
        r = await client.get(urls[0])
        assert r.status_code == 404 and b"<svg" not in r.content
    assert not list(published.parent.glob("*.tmp"))
    # the catalogue shows it to the institution that imported it only
    assert await Course.filter(code="CDS-101").count() == 1


async def test_reimporting_the_same_version_changes_nothing(app, world):
    course, _ = await run_import(app, world, SOURCE)
    module_rows = await CourseModule.filter(course=course).order_by("id").values()
    again, outcome = await run_import(app, world, SOURCE)
    assert outcome == "unchanged" and again.id == course.id
    assert await CourseModule.filter(course=course).order_by("id").values() == module_rows
    assert await Course.filter(code="CDS-101").count() == 1


def make_version_two(folder: Path) -> None:
    """Bump the version, edit the first lesson, drop `lanh-dao-so`, add a new module."""
    manifest = folder / "course.yaml"
    text = manifest.read_text("utf-8").replace("\nversion: 1\n", "\nversion: 2\n")
    start = text.index("  - key: lanh-dao-so")
    end = text.index("  - key: ke-hoach-cai-tien")
    text = text[:start] + text[end:]
    text = text.rstrip("\n") + "\n" + (
        "  - key: tinh-huong-moi\n"
        "    type: lesson\n"
        "    title: Tình huống mới về dịch vụ công trực tuyến\n"
        "    file: lessons/08-tinh-huong-moi.md\n"
        "    competencies: [NL-CDS-02]\n"
        "    minutes: 45\n")
    manifest.write_text(text, "utf-8")
    (folder / "lessons" / "08-tinh-huong-moi.md").write_text(
        "# Tình huống mới\n\nNgười dân nộp hồ sơ lúc nửa đêm.\n\n"
        "![Ba trụ cột](../images/ba-tru-cot.svg)\n", "utf-8")
    lesson = folder / "lessons" / "01-tong-quan.md"
    lesson.write_text(lesson.read_text("utf-8") + "\n\nCập nhật năm 2027: nội dung mới.\n",
                      "utf-8")


async def test_new_version_keeps_progress_deactivates_dropped_modules(app, world, tmp_path):
    course, _ = await run_import(app, world, SOURCE)
    plugins = app.state.lms.plugins
    klass = await CourseClass.create(institution_id=world.inst["a"], course=course,
                                     code="CDS-K1", title="Lớp chuyển đổi số")
    user = await User.get(id=world.users["trainee_a"])
    enrolment = await change_enrolment(plugins, klass, user, EnrolmentStatus.ACTIVE,
                                       actor_id=world.users["admin_a"])
    v1 = {m.key: m for m in await CourseModule.filter(course=course)}
    for key in ("tong-quan", "mot-cua-dich-vu-cong", "lanh-dao-so"):
        await complete_module(plugins, enrolment, v1[key], user)

    folder = tmp_path / "chuyen-doi-so"
    shutil.copytree(SOURCE, folder)
    make_version_two(folder)
    updated, outcome = await run_import(app, world, folder)
    assert outcome == "updated" and updated.id == course.id and updated.version == 2

    rows = {m.key: m for m in await CourseModule.filter(course=course)}
    assert set(rows) == set(KEYS_V1) | {"tinh-huong-moi"}
    assert rows["lanh-dao-so"].is_active is False  # kept for its history, not deleted
    assert rows["tinh-huong-moi"].is_active and "nửa đêm" in rows["tinh-huong-moi"].body_html
    assert all(rows[k].id == v1[k].id for k in KEYS_V1)
    assert "Cập nhật năm 2027" in rows["tong-quan"].body_html
    assert f"/media/courses/{world.inst['a']}/CDS-101/v2/images/ba-tru-cot.svg" in \
        rows["tong-quan"].body_html
    done = await ModuleProgress.filter(enrolment=enrolment).values_list("module_id", "status")
    assert {mid for mid, status in done if status == ProgressStatus.COMPLETED} == {
        v1["tong-quan"].id, v1["mot-cua-dich-vu-cong"].id, v1["lanh-dao-so"].id}
    summary = await progress_summary(enrolment.id, course.id)
    # lanh-dao-so and the post-test (between it and ke-hoach-cai-tien) were dropped, one added
    assert summary == {"modules": 8, "completed": 2, "percent": round(200 / 8)}
    assert (media_root(app) / "courses" / str(world.inst["a"]) / "CDS-101" / "v2" / "images" /
            "ba-tru-cot.svg").exists()


async def test_older_version_is_refused(app, world, tmp_path):
    folder = tmp_path / "chuyen-doi-so"
    shutil.copytree(SOURCE, folder)
    make_version_two(folder)
    await run_import(app, world, folder)
    with pytest.raises(Problem) as info:
        await run_import(app, world, SOURCE)
    assert info.value.status == 409
    assert (await Course.get(code="CDS-101")).version == 2
    assert await CourseModule.filter(course__code="CDS-101", is_active=True).count() == 8


async def test_refused_import_leaves_no_files_behind(app, world, tmp_path):
    folder = tmp_path / "chuyen-doi-so"
    shutil.copytree(SOURCE, folder)
    make_version_two(folder)
    await run_import(app, world, folder)
    course_media = media_root(app) / "courses" / str(world.inst["a"]) / "CDS-101"
    before = sorted(p.name for p in course_media.iterdir())
    with pytest.raises(Problem):
        await run_import(app, world, SOURCE)
    assert sorted(p.name for p in course_media.iterdir()) == before


def make_invalid(folder: Path) -> tuple[int, int]:
    """A missing lesson file and a `file:` that climbs out of the folder; returns their lines."""
    manifest = folder / "course.yaml"
    text = manifest.read_text("utf-8").replace("code: CDS-101", "code: CDS-BAD")
    text = text.replace("file: lessons/05-an-toan-thong-tin.md", "file: ../../../etc/passwd")
    manifest.write_text(text, "utf-8")
    (folder / "lessons" / "03-van-ban-dien-tu-chu-ky-so.md").unlink()
    return (line_of(text, "file: lessons/03-van-ban-dien-tu-chu-ky-so.md"),
            line_of(text, "file: ../../../etc/passwd"))


async def test_invalid_course_is_rejected_with_file_and_line_and_writes_nothing(app, world,
                                                                                tmp_path):
    folder = tmp_path / "hong"
    shutil.copytree(SOURCE, folder)
    missing_line, traversal_line = make_invalid(folder)
    courses_before = await Course.all().count()
    with pytest.raises(ContentInvalid) as info:
        await run_import(app, world, folder)
    errors = info.value.errors
    where = {(e.file, e.line) for e in errors}
    assert ("course.yaml", missing_line) in where
    assert ("course.yaml", traversal_line) in where
    by_line = {e.line: e for e in errors}
    assert "03-van-ban-dien-tu-chu-ky-so.md" in by_line[missing_line].message
    assert "ra ngoài thư mục khóa học" in by_line[traversal_line].message
    assert "outside the course folder" in by_line[traversal_line].message_en
    assert str(by_line[traversal_line]).startswith(f"course.yaml:{traversal_line}: ")
    assert not await Course.filter(code="CDS-BAD").exists()
    assert await Course.all().count() == courses_before
    courses_media = media_root(app) / "courses"
    assert not courses_media.exists() or not any(courses_media.rglob("*"))


# --- the command line --------------------------------------------------------------------------


def lms(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("lms")
    return subprocess.run([str(exe), *args], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_cli_import_content(tmp_path):
    database = tmp_path / "cli.sqlite3"
    env = {**os.environ, "LMS_VAR_DIR": str(tmp_path / "var"),
           "LMS_DATABASE_URL": f"sqlite://{database}"}
    env.pop("LMS_CONTENT_DIR", None)
    for args in (("migrate",), ("init",)):
        done = lms(env, *args)
        assert done.returncode == 0, done.stderr
    done = lms(env, "import-content", str(SOURCE))
    assert done.returncode == 0, done.stderr
    assert "CDS-101 v1: created" in done.stdout
    done = lms(env, "import-content", str(SOURCE))
    assert done.returncode == 0 and "CDS-101 v1: unchanged" in done.stdout
    svg = tmp_path / "var" / "media" / "courses" / "1" / "CDS-101" / "v1" / "images" / \
        "ba-tru-cot.svg"
    assert svg.read_bytes() == (SOURCE / "images" / "ba-tru-cot.svg").read_bytes()

    bad = tmp_path / "hong"
    shutil.copytree(SOURCE, bad)
    missing_line, traversal_line = make_invalid(bad)
    done = lms(env, "import-content", str(bad))
    assert done.returncode != 0
    assert f"hong/course.yaml:{missing_line}: " in done.stderr
    assert f"hong/course.yaml:{traversal_line}: " in done.stderr
    assert "nothing of them was imported" in done.stderr
    with sqlite3.connect(database) as conn:
        codes = [r[0] for r in conn.execute("SELECT code FROM lms_course")]
    assert codes == ["CDS-101"]
