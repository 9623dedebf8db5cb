"""Which local files may be published as lesson assets, and SVG safety.

Assets are served from the LMS's own origin, so an SVG with a script would run with the LMS's
cookies when opened directly; such files are rejected at import rather than trusted to a
Content-Security-Policy alone.
"""

from __future__ import annotations

import html
import posixpath
import re

MAX_ASSET_BYTES = 5 * 1024 * 1024

MEDIA_TYPES: dict[str, str] = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}


def media_type(path: str) -> str | None:
    """Media type for an allowed image extension, ``None`` for anything else."""
    return MEDIA_TYPES.get(posixpath.splitext(path)[1].lower())


_JS_URL = re.compile(r"(javascript|vbscript):", re.I)

# (pattern, Vietnamese reason, English reason); patterns run case-insensitively.
_SVG_RULES: list[tuple[re.Pattern[str], str, str]] = [
    (
        re.compile(r"<\s*([\w.-]+:)?script\b", re.I),
        "có thẻ <script>",
        "contains a <script> element",
    ),
    (
        re.compile(r"<\s*([\w.-]+:)?foreignObject\b", re.I),
        "có thẻ <foreignObject>",
        "contains a <foreignObject> element",
    ),
    (
        re.compile(r"[\s\"'/]on[a-z]+\s*=", re.I),
        "có thuộc tính sự kiện on…=",
        "contains an on…= event attribute",
    ),
    (_JS_URL, "có địa chỉ javascript:", "contains a javascript: URL"),
    (
        re.compile(r"\bhref\s*=\s*[\"']?\s*(https?:|//)", re.I),
        "có liên kết href tới tài nguyên bên ngoài",
        "contains an external href / xlink:href",
    ),
]


def svg_problems(data: bytes) -> tuple[int | None, list[tuple[str, str]]]:
    """Return (first offending line, [(reason_vi, reason_en)]) for an SVG; empty list if safe.

    The checks are textual on purpose (no XML parser that could itself be attacked). Character
    references are decoded and whitespace removed for a second look, because browsers accept
    ``&#106;avascript:`` and ``java\\tscript:``.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        return 1, [("không phải văn bản UTF-8", "is not UTF-8 text")]
    text = data.decode("utf-8", errors="replace")
    unescaped = html.unescape(text)
    squeezed = re.sub(r"[\s\x00-\x1f]+", "", unescaped)  # only meaningful inside URLs
    reasons: list[tuple[str, str]] = []
    first_line: int | None = None
    for pattern, vi, en in _SVG_RULES:
        variants = [text, unescaped] + ([squeezed] if pattern is _JS_URL else [])
        for index, variant in enumerate(variants):
            match = pattern.search(variant)
            if match:
                reasons.append((vi, en))
                if index == 0:
                    line: int | None = text.count("\n", 0, match.start()) + 1
                else:
                    line = _line_of(pattern, text, squeeze=pattern is _JS_URL)
                if line is not None:
                    first_line = line if first_line is None else min(first_line, line)
                break
    return first_line, reasons


def _line_of(pattern: re.Pattern[str], text: str, squeeze: bool) -> int | None:
    """Line of an obfuscated match (found only after decoding), searched line by line."""
    for number, line in enumerate(text.splitlines(), start=1):
        unescaped = html.unescape(line)
        if pattern.search(unescaped) or (
            squeeze and pattern.search(re.sub(r"[\s\x00-\x1f]+", "", unescaped))
        ):
            return number
    return None
