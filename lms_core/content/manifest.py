"""Parsing and validating ``course.yaml`` with line numbers.

``yaml.safe_load`` throws away positions, and authors need "course.yaml:42" to find a mistake in a
long manifest, so the document is composed into nodes first (their ``start_mark`` gives the line)
and values are constructed per node with the safe constructor. PyYAML also silently keeps the last
of two equal keys; composing lets us report duplicates instead of losing data.
"""

from __future__ import annotations

import copy
import difflib
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import MANIFEST, ErrorSink
from .paths import UnsafePath, normalise_relative

CODE_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")
KEY_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
LANGUAGES = ("vi", "en")
LESSON = "lesson"

_COURSE_FIELDS = (
    "code",
    "version",
    "title",
    "title_en",
    "description",
    "description_en",
    "language",
    "duration_hours",
    "audience",
    "competencies",
    "modules",
)
_COMPETENCY_FIELDS = ("code", "name", "name_en", "level")
_MODULE_FIELDS = ("key", "type", "title", "title_en", "file", "competencies", "minutes", "data")

Validator = Callable[[dict], list[str]]
_INVALID = object()


@dataclass
class ModuleSpec:
    """A module entry as read from the manifest; fields are ``None`` where invalid."""

    position: int
    line: int
    key: str | None = None
    type: str | None = None
    title: str | None = None
    title_en: str | None = None
    file: str | None = None  # normalised path inside the course folder
    file_line: int | None = None
    competencies: tuple[str, ...] = ()
    minutes: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Manifest:
    """The course-level fields plus module specs; only trustworthy if no errors were recorded."""

    code: str | None = None
    version: int | None = None
    title: str | None = None
    title_en: str | None = None
    description: str | None = None
    description_en: str | None = None
    language: str = "vi"
    duration_hours: int | None = None
    audience: str | None = None
    competencies: tuple[dict[str, str | None], ...] = ()
    modules: list[ModuleSpec] = field(default_factory=list)


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def decode_utf8(data: bytes, file: str, sink: ErrorSink) -> str | None:
    """Decode strictly as UTF-8 and normalise to NFC.

    Vietnamese can be typed precomposed or with combining marks; NFC makes search, comparison and
    rendering consistent. A wrong encoding (e.g. Windows-1258 from an old editor) would otherwise
    show up as garbled text to learners, so it is an error, pointing at the first bad line.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        sink.add(
            file,
            line,
            f"Tệp {file} không được mã hóa UTF-8 (byte không hợp lệ ở vị trí {exc.start}); "
            "hãy lưu lại tệp với bảng mã UTF-8.",
            f"File {file} is not valid UTF-8 (invalid byte at offset {exc.start}); "
            "save it as UTF-8.",
        )
        return None
    return unicodedata.normalize("NFC", text.removeprefix("\ufeff"))


class _ManifestParser:
    """Walks the composed YAML nodes, recording every problem in ``sink``."""

    def __init__(
        self,
        loader: yaml.SafeLoader,
        sink: ErrorSink,
        module_types: Collection[str],
        validators: Mapping[str, Validator],
    ) -> None:
        self.loader = loader
        self.sink = sink
        self.module_types = set(module_types) | {LESSON}
        self.validators = validators

    # -- errors ---------------------------------------------------------------------------------
    def err(self, node_or_line: Node | int | None, vi: str, en: str) -> None:
        line = _line(node_or_line) if isinstance(node_or_line, Node) else node_or_line
        self.sink.add(MANIFEST, line, vi, en)

    # -- generic node helpers -------------------------------------------------------------------
    def construct(self, node: Node) -> Any:
        """Build the Python value of a node; unknown tags (``!!python/...``) become errors."""
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            self.err(
                node, f"Giá trị YAML không hợp lệ: {problem}.", f"Invalid YAML value: {problem}."
            )
            return _INVALID

    def check_duplicates(self, root: Node) -> None:
        """Report repeated keys anywhere in the document (aliases visited once)."""
        seen_nodes: set[int] = set()
        stack = [root]
        while stack:
            node = stack.pop()
            if id(node) in seen_nodes:
                continue
            seen_nodes.add(id(node))
            if isinstance(node, MappingNode):
                keys: set[str] = set()
                for key_node, value_node in node.value:
                    if isinstance(key_node, ScalarNode) and key_node.value != "<<":
                        if key_node.value in keys:
                            self.err(
                                key_node,
                                f"Khóa `{key_node.value}` bị lặp lại trong cùng một khối.",
                                f"Duplicate key `{key_node.value}` in the same mapping.",
                            )
                        keys.add(key_node.value)
                    stack.extend((key_node, value_node))
            elif isinstance(node, SequenceNode):
                stack.extend(node.value)

    def mapping(
        self, node: Node, allowed: tuple[str, ...], what_vi: str, what_en: str
    ) -> dict[str, tuple[Node, Node]] | None:
        """Return ``{key: (key_node, value_node)}``, reporting non-mappings and unknown keys."""
        if not isinstance(node, MappingNode):
            self.err(
                node, f"{what_vi} phải là một bảng khóa–giá trị.", f"{what_en} must be a mapping."
            )
            return None
        result: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.err(
                    key_node, f"{what_vi}: khóa phải là chuỗi.", f"{what_en}: keys must be text."
                )
                continue
            name = key_node.value
            if name not in allowed:
                hint = difflib.get_close_matches(name, allowed, n=1)
                self.err(
                    key_node,
                    f"{what_vi}: trường `{name}` không được hỗ trợ"
                    + (f" (có phải `{hint[0]}`?)." if hint else "."),
                    f"{what_en}: unknown field `{name}`"
                    + (f" (did you mean `{hint[0]}`?)." if hint else "."),
                )
                continue
            result.setdefault(name, (key_node, value_node))
        return result

    def text(
        self,
        fields: dict[str, tuple[Node, Node]],
        name: str,
        parent: Node,
        ctx: tuple[str, str],
        required: bool = False,
        pattern: re.Pattern[str] | None = None,
        pattern_hint: str = "",
    ) -> str | None:
        """A text field; numbers and yes/no are kept as typed (``title: 2024`` is a title)."""
        entry = fields.get(name)
        value: str | None = None
        if entry is not None:
            key_node, node = entry
            if not isinstance(node, ScalarNode):
                self.err(
                    key_node,
                    f"{ctx[0]}trường `{name}` phải là chuỗi.",
                    f"{ctx[1]}field `{name}` must be text.",
                )
                return None
            if node.tag != "tag:yaml.org,2002:null":
                constructed = self.construct(node)
                if constructed is _INVALID:
                    return None
                value = (constructed if isinstance(constructed, str) else node.value).strip()
            if value and pattern is not None and not pattern.fullmatch(value):
                self.err(
                    key_node,
                    f"{ctx[0]}giá trị `{value}` của trường `{name}` không hợp lệ ({pattern_hint}).",
                    f"{ctx[1]}invalid value `{value}` for field `{name}` ({pattern_hint}).",
                )
                return None
        if not value:
            if required:
                where = entry[0] if entry is not None else parent
                if entry is None:
                    self.err(
                        where,
                        f"{ctx[0]}thiếu trường bắt buộc `{name}`.",
                        f"{ctx[1]}missing required field `{name}`.",
                    )
                else:
                    self.err(
                        where,
                        f"{ctx[0]}trường `{name}` không được để trống.",
                        f"{ctx[1]}field `{name}` must not be empty.",
                    )
            return None
        return value

    def integer(
        self,
        fields: dict[str, tuple[Node, Node]],
        name: str,
        parent: Node,
        ctx: tuple[str, str],
        minimum: int,
        required: bool = False,
    ) -> int | None:
        """An integer field with a lower bound; booleans are not numbers here."""
        entry = fields.get(name)
        if entry is None:
            if required:
                self.err(
                    parent,
                    f"{ctx[0]}thiếu trường bắt buộc `{name}`.",
                    f"{ctx[1]}missing required field `{name}`.",
                )
            return None
        key_node, node = entry
        value = self.construct(node) if isinstance(node, ScalarNode) else None
        if value is _INVALID:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            kind_vi = "số nguyên dương" if minimum > 0 else "số nguyên không âm"
            kind_en = "a positive integer" if minimum > 0 else "a non-negative integer"
            self.err(
                key_node,
                f"{ctx[0]}trường `{name}` phải là {kind_vi}.",
                f"{ctx[1]}field `{name}` must be {kind_en}.",
            )
            return None
        return value

    def sequence(
        self, fields: dict[str, tuple[Node, Node]], name: str, ctx: tuple[str, str]
    ) -> list[Node] | None:
        entry = fields.get(name)
        if entry is None:
            return None
        key_node, node = entry
        if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return []
        if not isinstance(node, SequenceNode):
            self.err(
                key_node,
                f"{ctx[0]}trường `{name}` phải là một danh sách.",
                f"{ctx[1]}field `{name}` must be a list.",
            )
            return None
        return list(node.value)

    # -- the manifest ---------------------------------------------------------------------------
    def parse(self, root: Node) -> Manifest:
        manifest = Manifest()
        self.check_duplicates(root)
        fields = self.mapping(root, _COURSE_FIELDS, "Tệp course.yaml", "course.yaml")
        if fields is None:
            return manifest
        ctx = ("", "")
        m = manifest
        m.code = self.text(
            fields,
            "code",
            root,
            ctx,
            required=True,
            pattern=CODE_RE,
            pattern_hint="chữ, số, . _ -, tối đa 64 ký tự / letters, digits, . _ -, up to 64",
        )
        m.version = self.integer(fields, "version", root, ctx, minimum=1, required=True)
        m.title = self.text(fields, "title", root, ctx, required=True)
        m.title_en = self.text(fields, "title_en", root, ctx)
        m.description = self.text(fields, "description", root, ctx)
        m.description_en = self.text(fields, "description_en", root, ctx)
        language = self.text(fields, "language", root, ctx)
        if language is not None:
            if language in LANGUAGES:
                m.language = language
            else:
                self.err(
                    fields["language"][0],
                    f"Trường `language` chỉ nhận vi hoặc en, không phải `{language}`.",
                    f"Field `language` must be vi or en, not `{language}`.",
                )
        m.duration_hours = self.integer(fields, "duration_hours", root, ctx, minimum=0)
        m.audience = self.text(fields, "audience", root, ctx)
        m.competencies = self.competencies(fields)
        declared = {c["code"] for c in m.competencies}
        modules = self.sequence(fields, "modules", ctx)
        if not modules:
            where = fields["modules"][0] if "modules" in fields else root
            self.err(
                where,
                "Khóa học phải có ít nhất một module trong `modules`.",
                "The course needs at least one module in `modules`.",
            )
        keys: dict[str, int] = {}
        for position, node in enumerate(modules or []):
            spec = self.module(position, node, declared)
            if spec.key is not None:
                if spec.key in keys:
                    self.err(
                        spec.line,
                        f"Khóa module `{spec.key}` bị trùng (đã dùng ở dòng {keys[spec.key]}).",
                        f"Duplicate module key `{spec.key}` "
                        f"(already used on line {keys[spec.key]}).",
                    )
                else:
                    keys[spec.key] = spec.line
            m.modules.append(spec)
        return manifest

    def competencies(
        self, fields: dict[str, tuple[Node, Node]]
    ) -> tuple[dict[str, str | None], ...]:
        items = self.sequence(fields, "competencies", ("", "")) or []
        result: list[dict[str, str | None]] = []
        seen: dict[str, int] = {}
        for number, node in enumerate(items, start=1):
            ctx = (f"Năng lực thứ {number}: ", f"Competency {number}: ")
            entry = self.mapping(node, _COMPETENCY_FIELDS, ctx[0].rstrip(": "), ctx[1].rstrip(": "))
            if entry is None:
                continue
            code = self.text(
                entry,
                "code",
                node,
                ctx,
                required=True,
                pattern=CODE_RE,
                pattern_hint="chữ, số, . _ -, tối đa 64 ký tự / letters, digits, . _ -, up to 64",
            )
            name = self.text(entry, "name", node, ctx, required=True)
            name_en = self.text(entry, "name_en", node, ctx)
            # the proficiency level (1-5) the course brings a trainee to: what the gap analysis
            # matches against a position's required level
            level = self.integer(entry, "level", node, ctx, minimum=1)
            if level is not None and level > 5:
                self.err(node, f"{ctx[0]}trường `level` phải từ 1 đến 5.",
                         f"{ctx[1]}field `level` must be 1 to 5.")
                level = None
            if code is None:
                continue
            if code in seen:
                self.err(
                    node,
                    f"Mã năng lực `{code}` bị trùng (đã khai báo ở dòng {seen[code]}).",
                    f"Duplicate competency code `{code}` (already declared on line {seen[code]}).",
                )
                continue
            seen[code] = _line(node)
            item: dict[str, Any] = {"code": code, "name": name, "name_en": name_en}
            if level is not None:
                item["level"] = level
            result.append(item)
        return tuple(result)

    def module(self, position: int, node: Node, declared: set[str]) -> ModuleSpec:
        spec = ModuleSpec(position=position, line=_line(node))
        ctx = (f"Module thứ {position + 1}: ", f"Module {position + 1}: ")
        fields = self.mapping(node, _MODULE_FIELDS, ctx[0].rstrip(": "), ctx[1].rstrip(": "))
        if fields is None:
            return spec
        spec.key = self.text(
            fields,
            "key",
            node,
            ctx,
            required=True,
            pattern=KEY_RE,
            pattern_hint="chữ thường, số và dấu -, tối đa 100 ký tự / "
            "lower-case letters, digits and -, up to 100",
        )
        if spec.key:
            ctx = (f"Module `{spec.key}`: ", f"Module `{spec.key}`: ")
        spec.type = self.text(fields, "type", node, ctx, required=True)
        if spec.type is not None and spec.type not in self.module_types:
            known = ", ".join(sorted(self.module_types))
            self.err(
                fields["type"][0],
                f"{ctx[0]}loại module `{spec.type}` không được hỗ trợ (các loại đã cài: {known}).",
                f"{ctx[1]}unknown module type `{spec.type}` (installed types: {known}).",
            )
            spec.type = None
        spec.title = self.text(fields, "title", node, ctx, required=True)
        spec.title_en = self.text(fields, "title_en", node, ctx)
        spec.minutes = self.integer(fields, "minutes", node, ctx, minimum=0)
        self.module_file(spec, fields, node, ctx)
        self.module_competencies(spec, fields, declared, ctx)
        self.module_data(spec, fields, ctx)
        return spec

    def module_file(
        self,
        spec: ModuleSpec,
        fields: dict[str, tuple[Node, Node]],
        node: Node,
        ctx: tuple[str, str],
    ) -> None:
        raw = self.text(fields, "file", node, ctx, required=spec.type == LESSON)
        if raw is None:
            return
        key_node = fields["file"][0]
        if spec.type is not None and spec.type != LESSON:
            self.err(
                key_node,
                f"{ctx[0]}trường `file` chỉ dùng cho module loại lesson.",
                f"{ctx[1]}field `file` is only used by lesson modules.",
            )
            return
        try:
            spec.file = normalise_relative(raw)
            spec.file_line = _line(key_node)
        except UnsafePath as exc:
            self.err(key_node, ctx[0] + exc.message, ctx[1] + exc.message_en)

    def module_competencies(
        self,
        spec: ModuleSpec,
        fields: dict[str, tuple[Node, Node]],
        declared: set[str],
        ctx: tuple[str, str],
    ) -> None:
        items = self.sequence(fields, "competencies", ctx) or []
        codes: list[str] = []
        for item in items:
            value = item.value if isinstance(item, ScalarNode) else None
            if not isinstance(value, str) or not value.strip():
                self.err(
                    item,
                    f"{ctx[0]}mỗi năng lực phải là một mã (chuỗi).",
                    f"{ctx[1]}each competency must be a code (text).",
                )
                continue
            code = value.strip()
            if code not in declared:
                self.err(
                    item,
                    f"{ctx[0]}năng lực `{code}` chưa được khai báo trong `competencies` "
                    "của khóa học.",
                    f"{ctx[1]}competency `{code}` is not declared in the course's `competencies`.",
                )
            elif code not in codes:
                codes.append(code)
        spec.competencies = tuple(codes)

    def module_data(
        self, spec: ModuleSpec, fields: dict[str, tuple[Node, Node]], ctx: tuple[str, str]
    ) -> None:
        entry = fields.get("data")
        line = _line(entry[0]) if entry is not None else spec.line
        if entry is not None:
            value = self.construct(entry[1])
            if value is _INVALID:
                return
            if value is None:
                value = {}
            if not isinstance(value, dict):
                self.err(
                    entry[0],
                    f"{ctx[0]}trường `data` phải là một bảng khóa–giá trị.",
                    f"{ctx[1]}field `data` must be a mapping.",
                )
                return
            spec.data = value
        validator = self.validators.get(spec.type) if spec.type else None
        if validator is None:
            return
        try:
            problems = list(validator(copy.deepcopy(spec.data)))
        except Exception as exc:  # a broken plugin must not hide the other errors of the import
            problems = [f"{type(exc).__name__}: {exc}"]
        for problem in problems:
            self.err(
                line,
                f"{ctx[0]}dữ liệu `data` không hợp lệ: {problem}",
                f"{ctx[1]}invalid `data`: {problem}",
            )


def parse_manifest(
    text: str,
    sink: ErrorSink,
    module_types: Collection[str],
    validators: Mapping[str, Validator] | None = None,
) -> Manifest | None:
    """Validate manifest text; return what could be read (``None`` only on YAML syntax errors)."""
    loader = yaml.SafeLoader(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            detail = " ".join(p for p in (exc.context, exc.problem) if p)
            sink.add(
                MANIFEST,
                mark.line + 1 if mark else None,
                f"Lỗi cú pháp YAML: {detail}.",
                f"YAML syntax error: {detail}.",
            )
            return None
        except yaml.YAMLError as exc:  # ReaderError: control characters etc.
            position = getattr(exc, "position", None)
            line = text[:position].count("\n") + 1 if isinstance(position, int) else None
            sink.add(MANIFEST, line, f"Lỗi đọc YAML: {exc}.", f"YAML read error: {exc}.")
            return None
        if root is None:
            sink.add(MANIFEST, None, "Tệp course.yaml trống.", "course.yaml is empty.")
            return None
        return _ManifestParser(loader, sink, module_types, validators or {}).parse(root)
    finally:
        loader.dispose()
