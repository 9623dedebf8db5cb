"""Importing a course folder: read and validate (lms_core.content), upsert, publish its images."""

from __future__ import annotations

import shutil
from pathlib import Path
import re

import yaml

from tortoise.transactions import in_transaction

from lms_core.content import read_course
from lms_core.content.errors import ContentInvalid
from lms_core.models import Course
from lms_core.plugins import PluginManager
from lms_core.services.courses import upsert_course
from lms_core.settings import Settings


CODE_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def media_prefix(institution_id: int, code: str, version: int) -> str:
    return f"courses/{institution_id}/{code}/v{version}"


async def import_course(settings: Settings, plugins: PluginManager, institution_id: int,
                        folder: Path) -> tuple[Course, str]:
    """Raises ``ContentInvalid`` listing every problem; nothing is written in that case."""
    types = plugins.registry.module_types
    validators = {k: t.validate for k, t in types.items() if t.validate is not None}
    # Image URLs carry code and version (so a new version never shows the old images); peek at
    # them before the full read, which validates everything and reports errors properly.
    code, version = _peek(folder)
    prefix = media_prefix(institution_id, code, version)
    parsed = await read_course(folder, types.keys(), validators,
                               asset_url=lambda path: f"/media/{prefix}/{path}")
    target = settings.var_dir / "media" / media_prefix(institution_id, parsed.code,
                                                       parsed.version)
    staging = target.with_name(target.name + ".tmp")
    if staging.exists():
        shutil.rmtree(staging)
    for asset in parsed.assets:
        dest = (staging / asset.path).resolve()
        if not dest.is_relative_to(staging.resolve()):
            continue  # read_course already refuses these; never write outside the media folder
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(asset.data)
    try:
        async with in_transaction():
            course, outcome = await upsert_course(institution_id, parsed,
                                                  source=f"{folder}#{parsed.content_hash}")
            problems = await plugins.collect("lms_filter_course_import", institution_id,
                                             folder=Path(folder), course=course,
                                             institution_id=institution_id, outcome=outcome)
            if problems:
                raise ContentInvalid(problems)
    except BaseException:  # refused (e.g. an older version): leave no files behind either
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if staging.exists():
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    return course, outcome


def _peek(folder: Path) -> tuple[str, int]:
    try:
        data = yaml.safe_load((Path(folder) / "course.yaml").read_text("utf-8"))
        code, version = str(data["code"]), int(data["version"])
        if CODE_RE.match(code):
            return code, version
    except Exception:  # read_course reports the real problem with file and line
        pass
    return "invalid", 0
