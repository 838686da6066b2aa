"""A small stacked bar chart as inline SVG, for the html summary.

Hand-written rather than a charting library: seven bars and a legend are a few dozen elements, and the
page must be one self-contained file with no scripts. The SVG scales to the width of its container
(`viewBox` plus width 100%), so it reads the same on a phone at 375 px as on a desktop; text inherits
the page's font, so Chinese labels use whatever CJK font the phone has.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Series:
    label: str
    color: str  # any CSS colour; ours are fixed hex values
    values: tuple[int, ...]  # one per bar


WIDTH = 340
HEIGHT = 190
_LEFT, _RIGHT, _TOP, _BOTTOM = 26, 6, 18, 34


def nice_step(top: int, most_ticks: int = 5) -> int:
    """The gridline step: 1, 2, 5, 10, 20, 50 … so that at most `most_ticks` lines fit above zero."""
    step, factors = 1, (2, 2.5, 2)  # 1 → 2 → 5 → 10 → 20 → 50 …
    index = 0
    while top / step > most_ticks:
        step = int(step * factors[index % 3])
        index += 1
    return step


def stacked_bars(bar_labels: list[tuple[str, str]], series: list[Series], *, title: str) -> str:
    """Inline SVG (for an html5 page: no xmlns needed) of one stacked bar per label. `bar_labels` are (first line, second line) under each bar,
    e.g. ("11/22", "周日"); a total is written above each bar that has one."""
    count = len(bar_labels)
    if any(len(s.values) != count for s in series):
        raise ValueError("every series needs one value per bar")
    totals = [sum(s.values[i] for s in series) for i in range(count)]
    step = nice_step(max(totals, default=0) or 1)
    top = max(step, -(-max(totals, default=0) // step) * step)  # round the axis up to a whole step
    plot_w = WIDTH - _LEFT - _RIGHT
    plot_h = HEIGHT - _TOP - _BOTTOM
    slot = plot_w / max(count, 1)
    bar_w = slot * 0.62

    def y(value: float) -> float:
        return _TOP + plot_h - plot_h * value / top

    parts = [
        (f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
         f'role="img" aria-label="{escape(title)}" font-size="11" fill="currentColor">'),
        f"<title>{escape(title)}</title>",
    ]
    for tick in range(0, top + 1, step):
        ty = y(tick)
        parts.append(f'<line x1="{_LEFT}" y1="{ty:.1f}" x2="{WIDTH - _RIGHT}" y2="{ty:.1f}" '
                     f'stroke="currentColor" stroke-opacity="{0.35 if tick == 0 else 0.12}"/>')
        parts.append(f'<text x="{_LEFT - 4}" y="{ty + 4:.1f}" text-anchor="end" fill-opacity="0.6">{tick}</text>')
    for index, (first, second) in enumerate(bar_labels):
        x = _LEFT + slot * index + (slot - bar_w) / 2
        base = 0
        for s in series:
            value = s.values[index]
            if not value:
                continue
            parts.append(f'<rect x="{x:.1f}" y="{y(base + value):.1f}" width="{bar_w:.1f}" '
                         f'height="{y(base) - y(base + value):.1f}" fill="{escape(s.color)}">'
                         f"<title>{escape(first)} {escape(s.label)} {value}</title></rect>")
            base += value
        centre = x + bar_w / 2
        if totals[index]:
            parts.append(f'<text x="{centre:.1f}" y="{y(totals[index]) - 4:.1f}" text-anchor="middle">{totals[index]}</text>')
        parts.append(f'<text x="{centre:.1f}" y="{HEIGHT - _BOTTOM + 14}" text-anchor="middle">{escape(first)}</text>')
        parts.append(f'<text x="{centre:.1f}" y="{HEIGHT - _BOTTOM + 28}" text-anchor="middle" '
                     f'fill-opacity="0.6">{escape(second)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
