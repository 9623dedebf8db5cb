"""Course content from disk: ``course.yaml`` + Markdown lessons + images -> ``ParsedCourse``.

This package only reads and validates; it has no database code, so imports can be previewed,
tested and diffed (via ``content_hash``) before the caller upserts anything.
"""

from .errors import ContentError, ContentInvalid
from .markdown import render_markdown
from .model import Asset, ParsedCourse, ParsedModule
from .reader import read_course

__all__ = [
    "Asset",
    "ContentError",
    "ContentInvalid",
    "ParsedCourse",
    "ParsedModule",
    "read_course",
    "render_markdown",
]
