"""Small SVG charts drawn on the server for the assessment pages: no chart library in the browser,
the same picture with JavaScript off and on paper, and every text escaped. A chart is a picture
of a table the page shows next to it (``role="img"`` with its title; the table carries the
numbers for screen readers and for copying), so it never needs to be the only source.

* ``bars``: one horizontal bar per row (a share 0..1), its label on the left and its value at
  the end: the units of a drill-down, by "% meeting standard".
* ``trend``: a line over a few points (years), values 0..1, each point labelled.
"""

from __future__ import annotations

from typing import Callable, Sequence

from markupsafe import Markup, escape

WIDTH = 720
LABEL_W, VALUE_W, BAR_H, GAP, PAD = 230, 60, 22, 8, 10
Format = Callable[[float | None], str]


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)}%"


def _short(text: str, limit: int = 32) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _clamp(value: float) -> float:
    return max(0.0, min(1.0, value))


def bars(rows: Sequence[tuple[str, float | None]], title: str, fmt: Format = _pct) -> Markup:
    """Horizontal bars, 0 to 100% of the plot's width; a row without a value shows a dash and
    no bar (nothing measured is not zero)."""
    height = PAD * 2 + max(len(rows), 1) * (BAR_H + GAP)
    plot_x, plot_w = LABEL_W, WIDTH - LABEL_W - VALUE_W
    parts = [f'<svg class="as-report-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for pct in (0, 0.5, 1):
        x = plot_x + plot_w * pct
        parts.append(f'<line class="as-report-grid" x1="{x:.1f}" y1="{PAD / 2}" x2="{x:.1f}" '
                     f'y2="{height - PAD / 2}"/>')
    for i, (label, value) in enumerate(rows):
        y = PAD + i * (BAR_H + GAP)
        parts.append(f'<g><title>{escape(label)}: {escape(fmt(value))}</title>'
                     f'<text class="as-report-label" x="{plot_x - 8}" y="{y + BAR_H * 0.72:.1f}"'
                     f' text-anchor="end">{escape(_short(label))}</text>')
        if value is not None:
            w = plot_w * _clamp(value)
            parts.append(f'<rect class="as-report-bar" x="{plot_x}" y="{y}" width="{w:.1f}" '
                         f'height="{BAR_H}"/>')
            end = plot_x + w
        else:
            end = plot_x
        parts.append(f'<text class="as-report-value" x="{end + 6:.1f}" '
                     f'y="{y + BAR_H * 0.72:.1f}">{escape(fmt(value))}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))


def trend(points: Sequence[tuple[str, float | None]], title: str, fmt: Format = _pct) -> Markup:
    """A line through the points that have a value (a gap where one is missing), 0..100%."""
    height, left, right, top, bottom = 240, 48, 24, 24, 32
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    n = max(len(points), 1)

    def x(i: int) -> float:
        return left + plot_w * (i + 0.5) / n

    def y(value: float) -> float:
        return top + plot_h * (1 - _clamp(value))

    parts = [f'<svg class="as-report-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for pct in (0, 0.5, 1):
        yy = y(pct)
        parts.append(f'<line class="as-report-grid" x1="{left}" y1="{yy:.1f}" '
                     f'x2="{WIDTH - right}" y2="{yy:.1f}"/><text class="as-report-label" '
                     f'x="{left - 6}" y="{yy + 5:.1f}" text-anchor="end">{round(pct * 100)}%'
                     f'</text>')
    runs: list[list[str]] = [[]]
    for i, (label, value) in enumerate(points):
        parts.append(f'<text class="as-report-label" x="{x(i):.1f}" y="{height - 8}" '
                     f'text-anchor="middle">{escape(label)}</text>')
        if value is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(f"{x(i):.1f},{y(value):.1f}")
    for run in runs:
        if len(run) > 1:
            parts.append(f'<polyline class="as-report-line" points="{" ".join(run)}"/>')
    for i, (label, value) in enumerate(points):
        if value is None:
            continue
        parts.append(f'<g><title>{escape(label)}: {escape(fmt(value))}</title>'
                     f'<circle class="as-report-point" cx="{x(i):.1f}" cy="{y(value):.1f}" '
                     f'r="5"/><text class="as-report-value" x="{x(i):.1f}" '
                     f'y="{y(value) - 10:.1f}" text-anchor="middle">{escape(fmt(value))}</text>'
                     f'</g>')
    parts.append("</svg>")
    return Markup("".join(parts))
