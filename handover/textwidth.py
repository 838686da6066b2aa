"""How wide text is where it is shown: columns in a terminal, where CJK characters and full-width forms
take two, and a spreadsheet column that shows a header in full. Aligned tables for the text views.
"""

from __future__ import annotations

from typing import Sequence

# wcwidth is imported on first use, not at start-up, where it would cost every command about 15 ms: JSON
# and the pasted messages never align columns.

def display_width(text: object) -> int:
    """Columns a string takes in a terminal: CJK characters and full-width forms take two."""
    from wcwidth import wcswidth, wcwidth

    text = str(text)
    width = wcswidth(text)
    if width >= 0:
        return width
    return sum(max(wcwidth(char), 0) for char in text)


def column_width(header: str) -> float:
    """A spreadsheet column width that shows a header (and values like it) in full: CJK text is wide."""
    return max(10.0, display_width(header) * 1.3 + 4)


def pad(text: object, width: int) -> str:
    text = str(text)
    return text + " " * max(0, width - display_width(text))


def clip(text: object, width: int) -> str:
    """Cut to at most `width` columns, marking the cut with …"""
    from wcwidth import wcwidth

    text = str(text)
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for char in text:
        w = max(wcwidth(char), 0)
        if used + w > width - 1:
            break
        out.append(char)
        used += w
    return "".join(out) + "…"


def table(rows: Sequence[Sequence[object]], *, gap: int = 2) -> list[str]:
    """Lines of a left-aligned table whose columns line up in a terminal with Chinese text. The last
    column is not padded (it holds free text)."""
    if not rows:
        return []
    count = max(len(row) for row in rows)
    widths = [0] * count
    for row in rows:
        for index, cell in enumerate(row[:-1]):
            widths[index] = max(widths[index], display_width(cell))
    lines = []
    for row in rows:
        cells = [pad(cell, widths[index]) for index, cell in enumerate(row[:-1])] + [str(row[-1])]
        lines.append((" " * gap).join(cells).rstrip())
    return lines
