"""Markdown to safe HTML.

Lessons are written by many authors and shown to every learner, so the HTML must be safe no matter
what the Markdown contains. Two layers: markdown-it never emits raw HTML (``html=False``) and
refuses ``javascript:`` style links, and nh3 then allows only a short list of tags, attributes and
URL schemes, so a bug or surprise in either layer alone does not become an XSS hole.
"""

from __future__ import annotations

from collections.abc import Callable

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

#: Called for every link or image target: (kind "link" | "image", url, 1-based line) -> the URL
#: to emit, or ``None`` to drop the attribute (the link text / alt text stays).
Rewriter = Callable[[str, str, int | None], "str | None"]

_ALIGNMENTS = {"text-align:left", "text-align:center", "text-align:right"}

_CLEANER = nh3.Cleaner(
    tags={
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "p",
        "ul",
        "ol",
        "li",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "code",
        "pre",
        "blockquote",
        "em",
        "strong",
        "del",
        "a",
        "img",
        "hr",
        "br",
        "s",  # markdown-it renders ~~strikethrough~~ as <s>, not <del>
    },
    # Only what markdown-it emits for tables' column alignment, as exact values: no free CSS.
    tag_attribute_values={"th": {"style": _ALIGNMENTS}, "td": {"style": _ALIGNMENTS}},
    attributes={"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}},
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def _parser() -> MarkdownIt:
    """CommonMark plus GFM tables and strikethrough; no raw HTML, no autolinking of bare text."""
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


_MD = _parser()


def sanitise(html: str) -> str:
    """Apply the allow-list; the last step before any HTML is stored."""
    return _CLEANER.clean(html)


def _line_of(inline: Token, index: int) -> int | None:
    """1-based source line of child ``index`` of an inline token.

    Child tokens carry no ``map``; the inline block's first line plus the line breaks before the
    child gives the line authors see in their editor.
    """
    if inline.map is None:
        return None
    breaks = sum(
        1 for child in (inline.children or [])[:index] if child.type in ("softbreak", "hardbreak")
    )
    return inline.map[0] + 1 + breaks


def _apply(tokens: list[Token], rewrite: Rewriter) -> None:
    """Pass every link and image target through ``rewrite``, editing tokens in place."""
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        for index, child in enumerate(block.children):
            if child.type == "link_open":
                kind, attr = "link", "href"
            elif child.type == "image":
                kind, attr = "image", "src"
            else:
                continue
            url = child.attrs.get(attr)
            if not isinstance(url, str):
                continue
            new = rewrite(kind, url, _line_of(block, index))
            if new is None:
                del child.attrs[attr]
            else:
                child.attrs[attr] = new


def collect_targets(text: str) -> list[tuple[str, str, int | None]]:
    """Every link and image target as ``(kind, url, line)``, without rendering.

    Lets the reader load images asynchronously before rendering, since ``Rewriter`` is sync.
    """
    found: list[tuple[str, str, int | None]] = []

    def record(kind: str, url: str, line: int | None) -> str:
        found.append((kind, url, line))
        return url

    _apply(_MD.parse(text, {}), record)
    return found


def render_tokens(text: str, rewrite: Rewriter | None = None) -> str:
    """Render Markdown to sanitised HTML, letting ``rewrite`` see each target with its line."""
    env: dict = {}
    tokens = _MD.parse(text, env)
    if rewrite is not None:
        _apply(tokens, rewrite)
    return sanitise(_MD.renderer.render(tokens, _MD.options, env))


def render_markdown(text: str, *, resolve_link: Callable[[str], str | None] | None = None) -> str:
    """Render Markdown to sanitised HTML.

    ``resolve_link`` receives every link and image URL as markdown-it normalised it (non-ASCII
    percent-encoded) and returns the URL to emit, or ``None`` to drop it; this is how callers
    point local images at wherever they serve them.
    """
    rewrite: Rewriter | None = None
    if resolve_link is not None:
        rewrite = lambda _kind, url, _line: resolve_link(url)  # noqa: E731
    return render_tokens(text, rewrite)
