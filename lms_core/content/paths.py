"""Keeping every read inside the course folder.

Course folders come from authors (or an uploaded archive), so a manifest or a Markdown link must
never make the importer read ``/etc/passwd`` or a secret next to the folder. Paths are checked
twice: lexically (absolute paths, ``..`` escaping, backslashes, NUL) and after resolving symlinks
on disk, so a symlink inside the folder cannot point outside it.
"""

from __future__ import annotations

import asyncio
import posixpath
import re
from pathlib import Path

_DRIVE = re.compile(r"^[A-Za-z]:")


class UnsafePath(ValueError):
    """A path that would leave the course folder or cannot be used portably."""

    def __init__(self, message: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en


def normalise_relative(target: str, base_dir: str = "") -> str:
    """Return ``target`` (relative to ``base_dir``) as a normalised posix path inside the course.

    ``base_dir`` is itself relative to the course folder (e.g. ``"lessons"`` for links in a
    lesson). Backslashes are rejected rather than converted: they mean different things on
    different systems, and a course must import the same way everywhere.
    """
    if not target or not target.strip():
        raise UnsafePath("Đường dẫn rỗng.", "Empty path.")
    if "\x00" in target:
        raise UnsafePath(
            f"Đường dẫn chứa ký tự NUL: {target!r}.", f"Path contains a NUL character: {target!r}."
        )
    if "\\" in target:
        raise UnsafePath(
            f"Đường dẫn không được chứa dấu gạch chéo ngược (\\): {target}; hãy dùng dấu /.",
            f"Path must not contain backslashes: {target}; use forward slashes.",
        )
    if target.startswith(("/", "~")) or _DRIVE.match(target):
        raise UnsafePath(
            f"Không chấp nhận đường dẫn tuyệt đối: {target}; hãy dùng đường dẫn tương đối "
            "trong thư mục khóa học.",
            f"Absolute paths are not allowed: {target}; use a path relative to the course folder.",
        )
    joined = posixpath.normpath(posixpath.join(base_dir, target))
    if joined == ".." or joined.startswith("../"):
        raise UnsafePath(
            f"Đường dẫn trỏ ra ngoài thư mục khóa học: {target}.",
            f"Path points outside the course folder: {target}.",
        )
    if joined == ".":
        raise UnsafePath(
            f"Đường dẫn trỏ tới chính thư mục khóa học, không phải một tệp: {target}.",
            f"Path points to the course folder itself, not a file: {target}.",
        )
    return joined


async def resolve_inside(root: Path, relative: str) -> Path:
    """Resolve ``relative`` (already normalised) against the resolved ``root``, symlinks followed.

    The lexical check cannot see symlinks, so the resolved location is checked again here; only
    paths returned by this function are ever opened.
    """
    try:
        resolved = await asyncio.to_thread((root / relative).resolve)
    except (OSError, RuntimeError) as exc:  # symlink loops raise RuntimeError on Python 3.11
        raise UnsafePath(
            f"Không xác định được đường dẫn {relative}: {exc}.",
            f"Cannot resolve path {relative}: {exc}.",
        ) from exc
    if not resolved.is_relative_to(root):
        raise UnsafePath(
            f"Đường dẫn {relative} là liên kết tượng trưng (symlink) trỏ ra ngoài "
            "thư mục khóa học.",
            f"Path {relative} is a symlink pointing outside the course folder.",
        )
    return resolved
