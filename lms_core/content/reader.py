"""Reading a course folder into a ``ParsedCourse``.

Everything is read with aiofiles so importing a large course does not block the event loop of the
running server. Only paths that ``paths.resolve_inside`` accepted are opened, and all problems are
collected into one ``ContentInvalid`` so authors can fix a course in one pass.
"""

from __future__ import annotations

import asyncio
import hashlib
import posixpath
import re
import stat
from collections.abc import Callable, Collection, Iterator, Mapping
from pathlib import Path
from urllib.parse import unquote

import aiofiles
import aiofiles.os

from .assets import MAX_ASSET_BYTES, MEDIA_TYPES, media_type, svg_problems
from .errors import MANIFEST, ErrorSink
from .manifest import LESSON, Manifest, ModuleSpec, Validator, decode_utf8, parse_manifest
from .markdown import collect_targets, render_tokens
from .model import Asset, ParsedCourse, ParsedModule
from .paths import UnsafePath, normalise_relative, resolve_inside

#: Upper bound for course.yaml and lesson files: far above any real lesson, low enough that a
#: stray video renamed to .md cannot exhaust memory.
MAX_TEXT_BYTES = 2 * 1024 * 1024

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_LINK_SCHEMES = {"http", "https", "mailto"}
_IMAGE_SCHEMES = {"http", "https"}
_IMAGE_EXTENSIONS = " ".join(MEDIA_TYPES)


class _ReadProblem(Exception):
    """Why a file could not be read; the caller attaches the file and line to report."""

    def __init__(self, message: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en


class _Files:
    """Reads files inside the course root once each, remembering the bytes for the hash."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.read: dict[str, bytes] = {}
        self._tasks: dict[str, asyncio.Task[bytes]] = {}

    async def get(self, relative: str, limit: int, what_vi: str, what_en: str) -> bytes:
        """Bytes of ``relative``; raises ``_ReadProblem``. Concurrent callers share one read."""
        task = self._tasks.get(relative)
        if task is None:
            task = asyncio.ensure_future(self._read(relative, limit, what_vi, what_en))
            self._tasks[relative] = task
        return await asyncio.shield(task)

    async def _read(self, relative: str, limit: int, what_vi: str, what_en: str) -> bytes:
        try:
            path = await resolve_inside(self.root, relative)
        except UnsafePath as exc:
            raise _ReadProblem(exc.message, exc.message_en) from None
        try:
            info = await aiofiles.os.stat(path)
        except FileNotFoundError:
            raise _ReadProblem(
                f"Không tìm thấy {what_vi} {relative}.", f"{what_en} {relative} not found."
            ) from None
        except OSError as exc:
            raise _ReadProblem(
                f"Không đọc được {what_vi} {relative}: {exc.strerror}.",
                f"Cannot read {what_en.lower()} {relative}: {exc.strerror}.",
            ) from None
        if not stat.S_ISREG(info.st_mode):  # never open FIFOs or devices: they could block or leak
            raise _ReadProblem(
                f"{relative} không phải là tệp thông thường.", f"{relative} is not a regular file."
            )
        if info.st_size > limit:
            raise _ReadProblem(
                f"{what_vi.capitalize()} {relative} quá lớn "
                f"({info.st_size} byte, tối đa {limit} byte).",
                f"{what_en} {relative} is too large ({info.st_size} bytes, at most {limit}).",
            )
        async with aiofiles.open(path, "rb") as handle:
            data = await handle.read(limit + 1)
        if len(data) > limit:  # grew between stat and read
            raise _ReadProblem(
                f"{what_vi.capitalize()} {relative} quá lớn.", f"{what_en} {relative} is too large."
            )
        self.read[relative] = data
        return data

    def content_hash(self) -> str:
        """sha256 over (path, length, bytes) of every file read, in path order: stable and
        unambiguous, so an unchanged course hashes the same on every import."""
        digest = hashlib.sha256()
        for relative in sorted(self.read):
            data = self.read[relative]
            digest.update(relative.encode("utf-8") + b"\0" + len(data).to_bytes(8, "big"))
            digest.update(data)
        return digest.hexdigest()


class _Lessons:
    """Loads lessons and their images, then renders them with local images rewritten."""

    def __init__(self, files: _Files, sink: ErrorSink, asset_url: Callable[[str], str]) -> None:
        self.files = files
        self.sink = sink
        self.asset_url = asset_url
        self.assets: dict[str, Asset] = {}
        self._checked_svgs: set[str] = set()

    async def render(self, spec: ModuleSpec) -> str | None:
        assert spec.file is not None
        try:
            data = await self.files.get(spec.file, MAX_TEXT_BYTES, "tệp bài học", "Lesson file")
        except _ReadProblem as exc:
            self.sink.add(MANIFEST, spec.file_line, exc.message, exc.message_en)
            return None
        text = decode_utf8(data, spec.file, self.sink)
        if text is None:
            return None
        base = posixpath.dirname(spec.file)
        urls: dict[tuple[str, str], str | None] = {}
        ok = True
        for kind, url, line in collect_targets(text):
            result = await self._target(spec.file, base, kind, url, line)
            ok = ok and result is not _FAILED
            urls[(kind, url)] = result if isinstance(result, str) else None
        if not ok:
            return None
        return render_tokens(text, lambda kind, url, _line: urls.get((kind, url), url))

    async def _target(
        self, lesson: str, base: str, kind: str, url: str, line: int | None
    ) -> object:
        """Check one link/image target; return the URL to emit or ``_FAILED`` (error recorded)."""
        image = kind == "image"
        if url.startswith("#") or (not image and not url):
            return url
        if url.startswith("//"):
            return url  # protocol-relative: remote
        scheme = _SCHEME.match(url)
        if scheme:
            allowed = _IMAGE_SCHEMES if image else _LINK_SCHEMES
            if scheme.group(1).lower() in allowed:
                return url
            self.sink.add(
                lesson,
                line,
                f"{'Ảnh' if image else 'Liên kết'} dùng giao thức không được hỗ trợ: {url[:80]} "
                f"(chỉ chấp nhận {', '.join(sorted(allowed))} hoặc tệp trong thư mục khóa học).",
                f"{'Image' if image else 'Link'} uses an unsupported scheme: {url[:80]} "
                f"(only {', '.join(sorted(allowed))} or files inside the course folder).",
            )
            return _FAILED
        raw_path = unquote(url.split("#", 1)[0].split("?", 1)[0])
        if not raw_path:
            return url  # "?x" alone: same page
        try:
            relative = normalise_relative(raw_path, base)
            if not image:
                await resolve_inside(self.files.root, relative)  # symlink check; existence optional
                return url
        except UnsafePath as exc:
            self.sink.add(lesson, line, exc.message, exc.message_en)
            return _FAILED
        return await self._image(lesson, relative, line)

    async def _image(self, lesson: str, relative: str, line: int | None) -> object:
        media = media_type(relative)
        if media is None:
            self.sink.add(
                lesson,
                line,
                f"Ảnh {relative} có định dạng không được hỗ trợ (chỉ {_IMAGE_EXTENSIONS}).",
                f"Image {relative} has an unsupported format (only {_IMAGE_EXTENSIONS}).",
            )
            return _FAILED
        try:
            data = await self.files.get(relative, MAX_ASSET_BYTES, "ảnh", "Image")
        except _ReadProblem as exc:
            self.sink.add(lesson, line, exc.message, exc.message_en)
            return _FAILED
        if media == "image/svg+xml" and not self._svg_ok(relative, data):
            return _FAILED
        self.assets.setdefault(relative, Asset(path=relative, data=data, media_type=media))
        return self.asset_url(relative)

    def _svg_ok(self, relative: str, data: bytes) -> bool:
        first_line, reasons = svg_problems(data)
        if reasons and relative not in self._checked_svgs:  # report once, on the SVG itself
            self.sink.add(
                relative,
                first_line,
                f"Tệp SVG không an toàn: {'; '.join(vi for vi, _ in reasons)}.",
                f"Unsafe SVG: {'; '.join(en for _, en in reasons)}.",
            )
        self._checked_svgs.add(relative)
        return not reasons


_FAILED = object()


async def read_course(
    folder: str | Path,
    module_types: Collection[str] = ("lesson",),
    validators: Mapping[str, Validator] | None = None,
    asset_url: Callable[[str], str] = lambda p: p,
) -> ParsedCourse:
    """Read, validate and render the course in ``folder``; raise ``ContentInvalid`` with all errors.

    ``module_types`` are the type keys the installed plugins provide ("lesson" is always known:
    this reader renders lessons itself); ``validators`` check each type's ``data`` mapping and
    return problem messages; ``asset_url`` maps an asset's path inside the course to the URL the
    caller will serve it from.
    """
    sink = ErrorSink()
    try:
        root = await asyncio.to_thread(Path(folder).resolve, True)
        is_dir = await aiofiles.os.path.isdir(root)
    except (OSError, RuntimeError):
        is_dir = False
    if not is_dir:
        sink.add(
            MANIFEST,
            None,
            f"Không tìm thấy thư mục khóa học {folder}.",
            f"Course folder {folder} not found.",
        )
        sink.raise_if_any()
    files = _Files(root)
    try:
        manifest_bytes = await files.get(MANIFEST, MAX_TEXT_BYTES, "tệp", "File")
    except _ReadProblem as exc:
        sink.add(MANIFEST, None, exc.message, exc.message_en)
        sink.raise_if_any()
    text = decode_utf8(manifest_bytes, MANIFEST, sink)
    manifest = parse_manifest(text, sink, module_types, validators) if text is not None else None
    if manifest is None:
        sink.raise_if_any()
    assert manifest is not None

    lessons = _Lessons(files, sink, asset_url)
    bodies = await asyncio.gather(
        *(lessons.render(spec) for spec in manifest.modules if spec.type == LESSON and spec.file)
    )
    sink.raise_if_any()
    return _build(manifest, iter(bodies), lessons, files)


def _build(
    manifest: Manifest, bodies: Iterator[str | None], lessons: _Lessons, files: _Files
) -> ParsedCourse:
    """Assemble the result; only called when no errors were found, so fields are complete."""
    modules: list[ParsedModule] = []
    for spec in manifest.modules:
        assert spec.key and spec.type and spec.title
        body = next(bodies) if spec.type == LESSON else ""
        modules.append(
            ParsedModule(
                key=spec.key,
                type=spec.type,
                title=spec.title,
                title_en=spec.title_en,
                position=spec.position,
                minutes=spec.minutes,
                competencies=spec.competencies,
                data=spec.data,
                body_html=body or "",
                source_file=spec.file,
            )
        )
    assert manifest.code and manifest.version and manifest.title
    return ParsedCourse(
        code=manifest.code,
        version=manifest.version,
        title=manifest.title,
        title_en=manifest.title_en,
        description=manifest.description,
        description_en=manifest.description_en,
        language=manifest.language,
        duration_hours=manifest.duration_hours,
        audience=manifest.audience,
        competencies=manifest.competencies,
        modules=tuple(modules),
        assets=tuple(lessons.assets[path] for path in sorted(lessons.assets)),
        content_hash=files.content_hash(),
    )
