"""Reading course folders: manifest validation with lines, safe Markdown, assets and hashing."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pytest

from lms_core.content import (
    Asset,
    ContentError,
    ContentInvalid,
    ParsedCourse,
    read_course,
    render_markdown,
)

SAMPLE = Path(__file__).resolve().parent.parent / "content" / "chuyen-doi-so"

MANIFEST = """\
code: TEST-1
version: 1
title: Khóa học thử nghiệm
title_en: Test course
language: vi
duration_hours: 2
competencies:
  - code: NL-01
    name: Năng lực một
  - code: NL-02
    name: Năng lực hai
    name_en: Competency two
modules:
  - key: bai-mot
    type: lesson
    title: Bài một
    file: lessons/01-bai-mot.md
    competencies: [NL-01]
    minutes: 30
  - key: bai-hai
    type: lesson
    title: Bài hai
    file: lessons/02-bai-hai.md
    competencies: [NL-01, NL-02]
"""

LESSON_1 = """\
# Bài một

Đoạn văn với [liên kết](https://example.org) và [bài sau](02-bai-hai.md).

![Sơ đồ](../images/so-do.svg)
"""

LESSON_2 = "# Bài hai\n\nNội dung ~~cũ~~ **mới**.\n"

SAFE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'viewBox="0 0 10 10">\n<rect width="10" height="10" fill="#0a0"/>\n'
    '<text x="1" y="5">Sơ đồ</text>\n</svg>\n'
)


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def make_course(tmp_path: Path, manifest: str | bytes = MANIFEST) -> Path:
    """A valid two-lesson course with one SVG; tests then overwrite or delete files."""
    root = tmp_path / "course"
    write(
        root,
        {
            "course.yaml": manifest,
            "lessons/01-bai-mot.md": LESSON_1,
            "lessons/02-bai-hai.md": LESSON_2,
            "images/so-do.svg": SAFE_SVG,
        },
    )
    return root


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing ``needle``: keeps expected lines in sync."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[occurrence - 1]


async def errors_of(root: Path, **kwargs) -> list[ContentError]:
    with pytest.raises(ContentInvalid) as info:
        await read_course(root, **kwargs)
    assert info.value.errors, "ContentInvalid must carry errors"
    return info.value.errors


def only(errors: list[ContentError], pattern: str) -> ContentError:
    matching = [e for e in errors if re.search(pattern, e.message_en, re.I)]
    assert len(matching) == 1, [str(e) for e in errors]
    return matching[0]


# --------------------------------------------------------------------------- the real sample


async def test_sample_course_parses() -> None:
    from lms_quizzes.module_type import validate_quiz

    course = await read_course(SAMPLE, ("lesson", "quiz"), {"quiz": validate_quiz},
                               asset_url=lambda p: f"/media/CDS-101/{p}")
    assert isinstance(course, ParsedCourse)
    assert [m.key for m in course.modules if m.type == "quiz"] == ["kiem-tra-dau-vao",
                                                                   "kiem-tra-cuoi-khoa"]
    assert course.code == "CDS-101" and course.version >= 1 and course.title
    lessons = [m for m in course.modules if m.type == "lesson"]
    assert len(lessons) >= 6
    assert [m.position for m in course.modules] == list(range(len(course.modules)))
    declared = {c["code"] for c in course.competencies}
    for module in lessons:
        assert module.source_file and module.source_file.startswith("lessons/")
        assert module.body_html.startswith("<h1>")
        assert "<script" not in module.body_html.lower()
        assert set(module.competencies) <= declared
        assert module.body_html == unicodedata.normalize("NFC", module.body_html)
    assert course.assets, "the sample lessons reference images"
    for asset in course.assets:
        assert isinstance(asset, Asset) and asset.data
        assert not asset.path.startswith(("/", ".."))
        assert (SAMPLE / asset.path).read_bytes() == asset.data
        assert f'src="/media/CDS-101/{asset.path}"' in "".join(m.body_html for m in lessons)
    assert re.fullmatch(r"[0-9a-f]{64}", course.content_hash)
    again = await read_course(SAMPLE, ("lesson", "quiz"), {"quiz": validate_quiz})
    assert again.content_hash == course.content_hash


# --------------------------------------------------------------------------- happy path details


async def test_valid_course_structure(tmp_path: Path) -> None:
    root = make_course(tmp_path)
    course = await read_course(root, asset_url=lambda p: "/assets/" + p)
    assert course.code == "TEST-1" and course.title_en == "Test course"
    assert course.duration_hours == 2 and course.language == "vi"
    assert course.competencies == (
        {"code": "NL-01", "name": "Năng lực một", "name_en": None},
        {"code": "NL-02", "name": "Năng lực hai", "name_en": "Competency two"},
    )
    first, second = course.modules
    assert (first.key, first.position, first.minutes, first.competencies) == (
        "bai-mot",
        0,
        30,
        ("NL-01",),
    )
    assert second.competencies == ("NL-01", "NL-02") and second.minutes is None
    assert first.body_html.startswith("<h1>Bài một</h1>")
    assert '<img src="/assets/images/so-do.svg" alt="Sơ đồ">' in first.body_html
    assert '<a href="https://example.org" rel="noopener noreferrer">' in first.body_html
    assert 'href="02-bai-hai.md"' in first.body_html  # lesson links are left as written
    assert "<s>cũ</s>" in second.body_html and "<strong>mới</strong>" in second.body_html
    assert course.assets == (
        Asset(path="images/so-do.svg", data=SAFE_SVG.encode(), media_type="image/svg+xml"),
    )


async def test_plugin_module_types_and_validators(tmp_path: Path) -> None:
    manifest = MANIFEST + (
        "  - key: kiem-tra\n    type: quiz\n    title: Kiểm tra\n    data:\n      pass_score: 80\n"
    )
    root = make_course(tmp_path, manifest)
    seen: list[dict] = []

    def validate(data: dict) -> list[str]:
        seen.append(data)
        return [] if data.get("pass_score", 0) <= 100 else ["pass_score > 100"]

    course = await read_course(root, module_types={"lesson", "quiz"}, validators={"quiz": validate})
    quiz = course.modules[2]
    assert (quiz.type, quiz.body_html, quiz.source_file, quiz.data) == (
        "quiz",
        "",
        None,
        {"pass_score": 80},
    )
    assert seen == [{"pass_score": 80}]

    (root / "course.yaml").write_text(manifest.replace("80", "150"), encoding="utf-8")
    errors = await errors_of(root, module_types={"lesson", "quiz"}, validators={"quiz": validate})
    error = only(errors, "pass_score > 100")
    assert (error.file, error.line) == ("course.yaml", line_of(manifest, "data:"))


async def test_remote_images_pass_through(tmp_path: Path) -> None:
    root = make_course(tmp_path)
    write(root, {"lessons/02-bai-hai.md": "![ảnh](https://cdn.example.org/a.png)\n"})
    course = await read_course(root, asset_url=lambda p: "/x/" + p)
    assert '<img src="https://cdn.example.org/a.png" alt="ảnh">' in course.modules[1].body_html
    assert [a.path for a in course.assets] == ["images/so-do.svg"]


async def test_lesson_text_is_nfc(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "# Tiếng Việt\n\nChuyển đổi số.\n")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    root = make_course(tmp_path)
    write(root, {"lessons/02-bai-hai.md": decomposed})
    course = await read_course(root)
    assert "<h1>Tiếng Việt</h1>" in course.modules[1].body_html


# --------------------------------------------------------------------------- manifest errors


def test_error_str_format() -> None:
    assert str(ContentError("course.yaml", 12, "Lỗi", "Broken")) == "course.yaml:12: Broken"
    assert str(ContentError("course.yaml", None, "Lỗi", "Broken")) == "course.yaml: Broken"


async def test_missing_required_fields(tmp_path: Path) -> None:
    manifest = MANIFEST.replace("version: 1\n", "").replace("    title: Bài hai\n", "")
    errors = await errors_of(make_course(tmp_path, manifest))
    version = only(errors, "missing required field `version`")
    assert version.file == "course.yaml" and version.line == 1
    title = only(errors, "missing required field `title`")
    assert title.line == line_of(manifest, "key: bai-hai")
    assert "bai-hai" in title.message and "title" in title.message
    assert "thiếu trường bắt buộc" in title.message  # Vietnamese with diacritics


async def test_invalid_field_values(tmp_path: Path) -> None:
    manifest = (
        MANIFEST.replace("code: TEST-1", "code: có dấu cách")
        .replace("version: 1", "version: 0")
        .replace("language: vi", "language: fr")
        .replace("key: bai-hai", "key: Bai_Hai")
        .replace("minutes: 30", "minutes: -5")
    )
    errors = await errors_of(make_course(tmp_path, manifest))
    assert only(errors, "`code`").line == line_of(manifest, "code: có")
    assert only(errors, "`version` must be a positive").line == line_of(manifest, "version:")
    assert only(errors, "`language`").line == line_of(manifest, "language:")
    assert only(errors, "`key`").line == line_of(manifest, "key: Bai_Hai")
    assert only(errors, "`minutes`").line == line_of(manifest, "minutes:")


async def test_duplicate_module_key(tmp_path: Path) -> None:
    manifest = MANIFEST.replace("key: bai-hai", "key: bai-mot")
    errors = await errors_of(make_course(tmp_path, manifest))
    error = only(errors, "duplicate module key `bai-mot`")
    assert (error.file, error.line) == ("course.yaml", line_of(manifest, "key: bai-mot", 2))
    assert str(line_of(manifest, "key: bai-mot", 1)) in error.message_en


async def test_duplicate_yaml_key_and_competency_code(tmp_path: Path) -> None:
    manifest = MANIFEST.replace(
        "title_en: Test course", "title_en: Test course\ntitle: Lặp"
    ).replace("code: NL-02", "code: NL-01")
    errors = await errors_of(make_course(tmp_path, manifest))
    assert only(errors, "duplicate key `title`").line == line_of(manifest, "title: Lặp")
    assert only(errors, "duplicate competency code `NL-01`").line == line_of(
        manifest, "code: NL-01", 2
    )


async def test_undeclared_competency(tmp_path: Path) -> None:
    manifest = MANIFEST.replace("competencies: [NL-01, NL-02]", "competencies: [NL-01, NL-99]")
    errors = await errors_of(make_course(tmp_path, manifest))
    error = only(errors, "NL-99")
    assert (error.file, error.line) == ("course.yaml", line_of(manifest, "NL-99"))
    assert "chưa được khai báo" in error.message


async def test_unknown_module_type(tmp_path: Path) -> None:
    manifest = MANIFEST.replace(
        "    type: lesson\n    title: Bài hai", "    type: survey\n    title: Bài hai"
    )
    root = make_course(tmp_path, manifest)
    errors = await errors_of(root, module_types={"lesson", "quiz"})
    error = only(errors, "unknown module type `survey`")
    assert error.line == line_of(manifest, "type: survey")
    # the same type is fine once a plugin provides it
    manifest_ok = manifest.replace("    file: lessons/02-bai-hai.md\n", "")
    (root / "course.yaml").write_text(manifest_ok, encoding="utf-8")
    course = await read_course(root, module_types={"lesson", "survey"})
    assert course.modules[1].type == "survey"


async def test_unknown_field_is_reported(tmp_path: Path) -> None:
    manifest = MANIFEST.replace("    minutes: 30", "    minutse: 30")
    error = only(await errors_of(make_course(tmp_path, manifest)), "unknown field `minutse`")
    assert error.line == line_of(manifest, "minutse") and "minutes" in error.message_en


async def test_missing_lesson_file(tmp_path: Path) -> None:
    root = make_course(tmp_path)
    (root / "lessons" / "02-bai-hai.md").unlink()
    error = only(await errors_of(root), "not found")
    assert (error.file, error.line) == (
        "course.yaml",
        line_of(MANIFEST, "file: lessons/02-bai-hai.md"),
    )
    assert "lessons/02-bai-hai.md" in error.message


@pytest.mark.parametrize(
    "target",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "lessons/../../outside.md",
        "lessons\\\\01-bai-mot.md",
        "lessons/01\\0.md",
        "C:/Windows/win.ini",
    ],
)
async def test_manifest_file_traversal(tmp_path: Path, target: str) -> None:
    (tmp_path / "outside.md").write_text("# secret", encoding="utf-8")
    manifest = MANIFEST.replace("file: lessons/02-bai-hai.md", f'file: "{target}"')
    errors = await errors_of(make_course(tmp_path, manifest))
    assert len(errors) == 1, [str(e) for e in errors]
    assert (errors[0].file, errors[0].line) == ("course.yaml", line_of(manifest, 'file: "'))
    assert re.search(r"outside|absolute|backslash|NUL", errors[0].message_en, re.I)
    assert "symlink" not in errors[0].message_en  # caught lexically, before touching the disk


async def test_yaml_syntax_error_line(tmp_path: Path) -> None:
    manifest = MANIFEST.replace("    minutes: 30", "    minutes: [30")
    error = only(await errors_of(make_course(tmp_path, manifest)), "YAML syntax error")
    assert error.file == "course.yaml"
    # the parser notices the unclosed flow sequence at the next line
    assert error.line in (line_of(manifest, "minutes: [30"), line_of(manifest, "minutes: [30") + 1)

    bad_indent = MANIFEST.replace("version: 1", "version: 1\n  oops: [x")
    error = only(await errors_of(make_course(tmp_path / "b", bad_indent)), "YAML syntax error")
    assert error.line == line_of(bad_indent, "oops")


async def test_manifest_not_utf8(tmp_path: Path) -> None:
    root = make_course(tmp_path, MANIFEST.encode().replace("Bài một".encode(), b"B\xe0i m\xf4t"))
    error = only(await errors_of(root), "not valid UTF-8")
    assert (error.file, error.line) == ("course.yaml", line_of(MANIFEST, "title: Bài một"))


async def test_missing_folder_and_manifest(tmp_path: Path) -> None:
    errors = await errors_of(tmp_path / "nope")
    assert errors[0].file == "course.yaml" and "not found" in errors[0].message_en
    (tmp_path / "empty").mkdir()
    errors = await errors_of(tmp_path / "empty")
    assert "not found" in errors[0].message_en


# ------------------------------------------------------------------ lesson and asset errors


async def test_missing_image_line(tmp_path: Path) -> None:
    lesson = "# Bài\n\nDòng một\ndòng hai ![thiếu](../images/khong-co.png)\n"
    root = make_course(tmp_path)
    write(root, {"lessons/02-bai-hai.md": lesson})
    error = only(await errors_of(root), "not found")
    assert (error.file, error.line) == ("lessons/02-bai-hai.md", 4)
    assert "images/khong-co.png" in error.message


async def test_image_traversal(tmp_path: Path) -> None:
    (tmp_path / "secret.png").write_bytes(b"\x89PNG secret")
    root = make_course(tmp_path)
    lesson = "# Bài\n\n- mục\n\n![x](../../secret.png)\n"
    write(root, {"lessons/02-bai-hai.md": lesson})
    error = only(await errors_of(root), "outside the course folder")
    assert (error.file, error.line) == ("lessons/02-bai-hai.md", 5)


@pytest.mark.parametrize(
    "target",
    [
        "%2e%2e/%2e%2e/secret.png",
        "/etc/secret.png",
        "..\\..\\secret.png",
        "../images/../../../secret.png",
    ],
)
async def test_image_traversal_variants(tmp_path: Path, target: str) -> None:
    (tmp_path / "secret.png").write_bytes(b"\x89PNG secret")
    root = make_course(tmp_path)
    write(root, {"lessons/02-bai-hai.md": f"![x]({target})\n"})
    errors = await errors_of(root)
    assert [(e.file, e.line) for e in errors] == [("lessons/02-bai-hai.md", 1)]
    assert "symlink" not in errors[0].message_en


async def test_link_traversal(tmp_path: Path) -> None:
    root = make_course(tmp_path)
    write(root, {"lessons/02-bai-hai.md": "Xem [tệp](../../../etc/passwd).\n"})
    error = only(await errors_of(root), "outside the course folder")
    assert (error.file, error.line) == ("lessons/02-bai-hai.md", 1)


async def test_symlinks_escaping(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# bí mật", encoding="utf-8")
    (outside / "secret.png").write_bytes(b"\x89PNG secret")
    root = make_course(tmp_path)
    (root / "lessons" / "02-bai-hai.md").unlink()
    os.symlink(outside / "secret.md", root / "lessons" / "02-bai-hai.md")
    os.symlink(outside / "secret.png", root / "images" / "anh.png")
    os.symlink(outside, root / "images" / "thu-muc")
    write(
        root,
        {
            "lessons/01-bai-mot.md": LESSON_1
            + "\n![a](../images/anh.png)\n\n![b](../images/thu-muc/secret.png)\n"
        },
    )
    errors = await errors_of(root)
    symlink_errors = [e for e in errors if "symlink" in e.message_en]
    assert {(e.file, e.line) for e in symlink_errors} == {
        ("course.yaml", line_of(MANIFEST, "file: lessons/02-bai-hai.md")),
        # the Markdown link to the (symlinked) next lesson points outside too
        ("lessons/01-bai-mot.md", line_of(LESSON_1, "02-bai-hai.md")),
        ("lessons/01-bai-mot.md", len(LESSON_1.splitlines()) + 2),
        ("lessons/01-bai-mot.md", len(LESSON_1.splitlines()) + 4),
    }
    assert len(errors) == 4


async def test_symlink_inside_folder_is_allowed(tmp_path: Path) -> None:
    root = make_course(tmp_path)
    os.symlink(root / "images" / "so-do.svg", root / "images" / "alias.svg")
    write(root, {"lessons/02-bai-hai.md": "![a](../images/alias.svg)\n"})
    course = await read_course(root)
    assert "images/alias.svg" in [a.path for a in course.assets]


@pytest.mark.parametrize(
    "payload",
    [
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><SCRIPT>alert(1)</SCRIPT></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><svg:script>x</svg:script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><rect onload="alert(1)"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><rect ONCLICK = "x()"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><text/></a></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><a href="&#106;avascript:alert(1)">x</a></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><image xlink:href="https://evil.example/t.png"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><use href="//evil.example/s.svg#a"/></svg>',
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><image href='http://evil.example/x.png'/></svg>",
    ],
)
async def test_malicious_svg(tmp_path: Path, payload: str) -> None:
    root = make_course(tmp_path)
    write(root, {"images/so-do.svg": "<?xml version='1.0'?>\n" + payload + "\n"})
    errors = await errors_of(root)
    assert [(e.file, e.line) for e in errors] == [("images/so-do.svg", 2)]
    assert "SVG" in errors[0].message and "không an toàn" in errors[0].message


async def test_image_format_and_size(tmp_path: Path) -> None:
    root = make_course(tmp_path)
    with open(root / "images" / "lon.png", "wb") as handle:
        handle.truncate(5 * 1024 * 1024 + 1)  # sparse: fast to create
    write(
        root,
        {
            "images/ok.png": b"\x89PNG\r\n",
            "images/tai-lieu.pdf": b"%PDF",
            "lessons/02-bai-hai.md": (
                "![a](../images/lon.png)\n\n![b](../images/tai-lieu.pdf)\n\n![c](../images/ok.png)\n"
            ),
        },
    )
    errors = await errors_of(root)
    assert only(errors, "too large").line == 1
    assert only(errors, "unsupported format").line == 3
    assert len(errors) == 2


async def test_lesson_not_utf8(tmp_path: Path) -> None:
    root = make_course(tmp_path)
    write(root, {"lessons/02-bai-hai.md": "# Bài hai\n\nTiếng Việt\n".encode("utf-16")})
    error = only(await errors_of(root), "not valid UTF-8")
    assert error.file == "lessons/02-bai-hai.md" and error.line == 1
    assert "lessons/02-bai-hai.md" in error.message and "UTF-8" in error.message

    write(root, {"lessons/02-bai-hai.md": "# Bài\n\nDòng hai\n".encode() + b"D\xf2ng b\xf4n\n"})
    error = only(await errors_of(root), "not valid UTF-8")
    assert error.line == 4


async def test_several_errors_reported_together(tmp_path: Path) -> None:
    manifest = (
        MANIFEST.replace("version: 1\n", "")
        .replace("competencies: [NL-01]", "competencies: [NL-77]")
        .replace("file: lessons/02-bai-hai.md", "file: ../../etc/passwd")
    )
    root = make_course(tmp_path, manifest)
    write(
        root,
        {
            "lessons/01-bai-mot.md": LESSON_1 + "\n![x](../../secret.png)\n",
            "images/so-do.svg": "<svg><script>x</script></svg>",
        },
    )
    errors = await errors_of(root)
    where = [(e.file, e.line) for e in errors]
    assert where == [
        ("course.yaml", 1),  # missing version
        ("course.yaml", line_of(manifest, "NL-77")),
        ("course.yaml", line_of(manifest, "../../etc/passwd")),
        ("images/so-do.svg", 1),
        ("lessons/01-bai-mot.md", len(LESSON_1.splitlines()) + 2),
    ]
    message = str(ContentInvalid(errors))
    assert "course.yaml:1: " in message and "images/so-do.svg:1: Unsafe SVG" in message


# --------------------------------------------------------------------------- XSS


XSS_MARKDOWN = """\
# Tiêu đề

<script>alert("xss")</script>

<img src=x onerror=alert(1)>

Đoạn có <a href="javascript:alert(2)">html</a> và <b onclick="x()">đậm</b>.

[bấm](javascript:alert(3)) [vb](vbscript:msgbox(1)) [data](data:text/html;base64,PHNjcmlwdD4=)

![ảnh](javascript:alert(4)) ![ảnh2](data:image/svg+xml;base64,PHN2Zz4=)

[ok](https://example.org "tiêu đề") <https://auto.example.org> [mail](mailto:a@example.org)
"""


def assert_safe(html: str) -> None:
    """No executable markup: raw tags only as escaped text, no dangerous URL in any attribute."""
    lowered = html.lower()
    assert "<script" not in lowered and "<b " not in lowered and "<img src=x" not in lowered
    tags = re.findall(r"<[a-z][^>]*>", lowered)
    assert tags, html
    for tag in tags:
        assert not re.search(r"\son\w+\s*=", tag), tag
        assert not re.search(r"(href|src)\s*=\s*\"\s*(javascript|vbscript|data):", tag), tag


def test_render_markdown_neutralises_xss() -> None:
    html = render_markdown(XSS_MARKDOWN)
    assert_safe(html)
    assert "<h1>Tiêu đề</h1>" in html
    assert "&lt;script&gt;" in html  # raw HTML shown as text, not executed
    assert '<a href="https://example.org" title="tiêu đề" rel="noopener noreferrer">ok</a>' in html
    assert '<a href="https://auto.example.org" rel="noopener noreferrer">' in html
    assert 'href="mailto:a@example.org"' in html


def test_render_markdown_sanitises_what_resolve_link_returns() -> None:
    html = render_markdown("[a](x.md) ![b](y.png)", resolve_link=lambda url: "javascript:alert(1)")
    assert "javascript" not in html
    html = render_markdown(
        "[a](x.md) ![b](y.png)", resolve_link=lambda url: None if url == "x.md" else "/m/" + url
    )
    assert "<a>a</a>" in html.replace(' rel="noopener noreferrer"', "") and 'src="/m/y.png"' in html


def test_render_markdown_allow_list() -> None:
    html = render_markdown(
        "| a |\n|---|\n| `<i>` |\n\n> trích\n\n---\n\n```\n<x>\n```\n\n*nghiêng*"
    )
    for tag in (
        "<table>",
        "<td>",
        "<code>&lt;i&gt;</code>",
        "<blockquote>",
        "<hr>",
        "<pre>",
        "<em>",
    ):
        assert tag in html, html


async def test_read_course_neutralises_xss(tmp_path: Path) -> None:
    root = make_course(tmp_path)
    write(
        root,
        {
            "lessons/02-bai-hai.md": XSS_MARKDOWN.replace(
                "[bấm](javascript:alert(3)) [vb](vbscript:msgbox(1)) "
                "[data](data:text/html;base64,PHNjcmlwdD4=)\n\n"
                "![ảnh](javascript:alert(4)) ![ảnh2](data:image/svg+xml;base64,PHN2Zz4=)\n",
                "[bấm](javascript:alert(3))\n",
            )
        },
    )
    course = await read_course(root)
    assert_safe(course.modules[1].body_html)


async def test_read_course_rejects_unsupported_schemes(tmp_path: Path) -> None:
    root = make_course(tmp_path)
    write(
        root,
        {"lessons/02-bai-hai.md": "![a](data:image/png;base64,AAAA)\n\n[b](ftp://example.org/x)\n"},
    )
    errors = await errors_of(root)
    assert [(e.file, e.line) for e in errors] == [
        ("lessons/02-bai-hai.md", 1),
        ("lessons/02-bai-hai.md", 3),
    ]


# --------------------------------------------------------------------------- content hash


async def test_content_hash_tracks_changes(tmp_path: Path) -> None:
    root = make_course(tmp_path)
    first = (await read_course(root)).content_hash
    assert (await read_course(root)).content_hash == first
    # a different asset_url or unreferenced files do not change the content
    (root / "notes.txt").write_text("ghi chú", encoding="utf-8")
    assert (await read_course(root, asset_url=lambda p: "/other/" + p)).content_hash == first

    write(root, {"lessons/02-bai-hai.md": LESSON_2 + "\nThêm một dòng.\n"})
    changed = (await read_course(root)).content_hash
    assert changed != first
    write(root, {"lessons/02-bai-hai.md": LESSON_2})
    assert (await read_course(root)).content_hash == first

    write(root, {"images/so-do.svg": SAFE_SVG.replace("#0a0", "#00a")})
    assert (await read_course(root)).content_hash not in (first, changed)
    write(
        root,
        {
            "images/so-do.svg": SAFE_SVG,
            "course.yaml": MANIFEST.replace("minutes: 30", "minutes: 31"),
        },
    )
    assert (await read_course(root)).content_hash not in (first, changed)
