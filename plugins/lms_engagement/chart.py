"""The attention timeline as an SVG drawn on the server: no chart library in the browser, the
same picture with JavaScript off, and text only ever escaped. The table under it carries the
same numbers for screen readers and for copying."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 36


def timeline_svg(points: list[dict[str, Any]], drops: list[dict[str, Any]], title: str,
                 x_label: str) -> Markup:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(points), 1)

    def x(minute: int) -> float:
        return LEFT + (plot_w * (minute + 0.5) / n)

    def y(share: float) -> float:
        return TOP + plot_h * (1 - share)

    parts = [f'<svg class="eg-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for pct in (0, 50, 100):
        yy = y(pct / 100)
        parts.append(f'<line class="eg-axis" x1="{LEFT}" y1="{yy:.1f}" x2="{WIDTH - RIGHT}" '
                     f'y2="{yy:.1f}"/><text x="{LEFT - 6}" y="{yy + 5:.1f}" '
                     f'text-anchor="end">{pct}%</text>')
    step = max(1, n // 8)
    for minute in range(0, n, step):
        parts.append(f'<text x="{x(minute):.1f}" y="{HEIGHT - 14}" text-anchor="middle">'
                     f'{minute + 1}</text>')
    parts.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 1}" text-anchor="middle">'
                 f'{escape(x_label)}</text>')
    runs: list[list[str]] = [[]]
    for p in points:
        if p["attentive_share"] is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(f'{x(p["minute"]):.1f},{y(p["attentive_share"]):.1f}')
    for run in runs:
        if len(run) == 1:
            cx, cy = run[0].split(",")
            parts.append(f'<circle class="eg-drop" cx="{cx}" cy="{cy}" r="3" fill="#0b5cad"/>')
        elif run:
            parts.append(f'<polyline class="eg-line" points="{" ".join(run)}"/>')
    for d in drops:
        parts.append(f'<circle class="eg-drop" cx="{x(d["minute"]):.1f}" '
                     f'cy="{y(d["attentive_share"]):.1f}" r="6"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
