"""Plain, immutable results of reading a course folder.

No ORM types here: the caller decides how to upsert, and frozen dataclasses make the parsed course
safe to cache or compare.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Asset:
    """A local file referenced by a lesson (images only), to be stored and served by the caller."""

    path: str  # relative to the course folder, posix separators
    data: bytes = field(repr=False)
    media_type: str


@dataclass(frozen=True)
class ParsedModule:
    """One entry of ``modules:``, in manifest order; ``body_html`` is set for lessons only."""

    key: str
    type: str
    title: str
    title_en: str | None
    position: int
    minutes: int | None
    competencies: tuple[str, ...]
    data: dict[str, Any]
    body_html: str
    source_file: str | None


@dataclass(frozen=True)
class ParsedCourse:
    """A validated course; ``content_hash`` lets re-imports skip unchanged courses."""

    code: str
    version: int
    title: str
    title_en: str | None
    description: str | None
    description_en: str | None
    language: str
    duration_hours: int | None
    audience: str | None
    competencies: tuple[dict[str, str | None], ...]
    modules: tuple[ParsedModule, ...]
    assets: tuple[Asset, ...]
    content_hash: str
