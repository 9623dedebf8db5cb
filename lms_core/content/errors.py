"""Validation errors for course folders.

Authors fix content in a text editor, so every error names the file and, where known, the line;
errors are collected and raised together so one import run shows everything that needs fixing
instead of one problem per attempt.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MANIFEST = "course.yaml"


@dataclass(frozen=True)
class ContentError:
    """One problem in a course folder, in Vietnamese (for authors) and English (for logs)."""

    file: str
    line: int | None
    message: str
    message_en: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message_en}"


class ContentInvalid(Exception):
    """Raised once with every error found, so the caller can show the full list."""

    def __init__(self, errors: list[ContentError]) -> None:
        self.errors: list[ContentError] = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass
class ErrorSink:
    """Accumulates errors while parsing continues, instead of stopping at the first one."""

    errors: list[ContentError] = field(default_factory=list)

    def add(self, file: str, line: int | None, message: str, message_en: str) -> None:
        self.errors.append(ContentError(file, line, message, message_en))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        """Raise ``ContentInvalid``, manifest first, then by file and line (stable output)."""
        if self.errors:
            ordered = sorted(
                self.errors,
                key=lambda e: (e.file != MANIFEST, e.file, e.line if e.line is not None else 0),
            )
            raise ContentInvalid(ordered)
