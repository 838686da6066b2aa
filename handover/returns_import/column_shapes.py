"""What a refund export's cells usually look like, and a whole column checked against such a shape at once.

A Python call per cell costs more than the CSV reading itself, so `refund_rows` checks a column of a batch
in one match: its cells joined by line breaks (no shape takes a line break, and a cell holding one is
caught by counting them), against the shape the platforms write on nearly every row. The plain shapes
allow a blank or a placeholder; the column shapes (`TIMES`, `AMOUNTS` …) allow neither, so a column of
them needs no second look at all.
"""

from __future__ import annotations

import re
from datetime import date
from operator import itemgetter, methodcaller
from typing import Any, Callable

# What exports write in a cell that has nothing to say.
PLACEHOLDERS = frozenset({"-", "--", "—", "/", "无", "暂无", "null", "NULL", "None", "0000-00-00 00:00:00"})
_EMPTY = "|".join(map(re.escape, PLACEHOLDERS))
# The plain shapes, each allowing a blank or a placeholder. A time's day is checked apart (2026-02-30).
PLAIN_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]*", re.ASCII)  # what parse_order_id keeps as it is …
FLOAT_ID = re.compile(r"\d+[eE]\d+", re.ASCII)  # … unless a spreadsheet made it a float (3E18)
PLAIN_TIME = re.compile(rf"(?:\d{{4}}-\d\d-\d\d (?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?|{_EMPTY})?", re.ASCII)
PLAIN_MONEY = re.compile(rf"(?:(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d{{1,2}})?|{_EMPTY})?", re.ASCII)
PLAIN_TRACKING = re.compile(rf"(?:[0-9A-Za-z]{{6,40}}|{_EMPTY})?", re.ASCII)
PLAIN_TEXT = re.compile(r"(?:[^\s=\"'][^\t]*)?", re.DOTALL)  # no `="…"` wrapper, no tab to clean away
# The shapes nearly every export writes on every row of a column, for a whole column at once (its cells
# joined, each followed by a line break: `joined_if`): no placeholder, and a time on a day every year has
# (02-29, and years before 1000, are left to the plain check and its day check). A column of these passes
# the plain check with nothing to read carefully; any other column is checked the plain way.
_D = "[0-9]"  # as \d with re.ASCII, and faster
_MONTH_DAY = rf"(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1{_D}|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
_MINUTE = rf"[1-9]{_D}{{3}}-{_MONTH_DAY} (?:[01]{_D}|2[0-3]):[0-5]{_D}"
# A column's times all with seconds, or all without (an optional part costs a fifth of the match).
TIMES = (re.compile(rf"(?:{_MINUTE}:[0-5]{_D}\n)*+"), re.compile(rf"(?:{_MINUTE}\n)*+"))
AMOUNTS = re.compile(rf"(?:(?:{_D}++|{_D}{{1,3}}(?:,{_D}{{3}})++)(?:\.{_D}{{1,2}})?\n)*+")
TRACKING_NOS = re.compile(r"(?:[0-9A-Za-z]{6,40}\n)*+")
WRAPPED_IDS = re.compile(rf'(?:="{_D}+"\n)*+')  # Taobao's
BARE_IDS = re.compile(rf"(?:{_D}[0-9_-]*\n)*+")  # Douyin's and Pinduoduo's (231122-5088…); never a float's 3E18
# In a column joined by line breaks: a cell starting with `="`, a quote or a space (a blank cell's line is empty).
TEXT_TO_CLEAN = re.compile(r"^(?:[=\"']|[^\S\n])", re.MULTILINE)

_COLUMN_SHAPES: dict[re.Pattern[str], re.Pattern[str]] = {}


def all_shaped(cells: list[str], shape: re.Pattern[str]) -> bool:
    """Whether every filled cell of a column has `shape`, told by one match over the column joined by
    line breaks (a Python call per cell costs more than the match). No shape takes a line break, and a
    cell holding one is caught by the count, so a cell can neither hide nor split in the joined text."""
    filled = list(filter(None, cells))
    if not filled:
        return True
    joined = "\n".join(filled)
    column = _COLUMN_SHAPES.get(shape)
    if column is None:
        column = _COLUMN_SHAPES[shape] = re.compile(rf"(?:{shape.pattern})(?:\n(?:{shape.pattern}))*", shape.flags)
    return joined.count("\n") == len(filled) - 1 and column.fullmatch(joined) is not None


def joined_if(shape: re.Pattern[str], texts: list[str]) -> str | None:
    """The texts joined by line breaks when every one has `shape` (a pattern of whole texts each followed
    by a line break: one match for a whole column), else None. No shape takes a line break, and a text
    holding one is caught by the count."""
    if not texts:
        return ""
    joined = "\n".join(texts)
    if joined.count("\n") == len(texts) - 1 and shape.fullmatch(joined + "\n"):
        return joined
    return None


def each_cell(cells: Any, plain: Callable[[str], str], careful: Callable[[str], str], no_placeholder: bool = False) -> Any:
    """`plain` over a column without placeholders (a C call per cell), else `careful`."""
    if not isinstance(cells, list):
        return cells  # repeat(''): the file has no such column
    return list(map(plain if no_placeholder or PLACEHOLDERS.isdisjoint(cells) else careful, cells))


DAY = itemgetter(slice(0, 10))
FIRST_TWO, LAST = itemgetter(slice(0, 2)), itemgetter(slice(-1, None))
INSIDE = itemgetter(slice(2, -1))  # ="3958…" -> 3958…
UNCOMMA = methodcaller("replace", ",", "")
TO_MINUTE = itemgetter(slice(0, 16))


def minute_text(cell: str) -> str:
    """`2026-11-22 10:00:07` -> `2026-11-22 10:00`, the way the 退货 tab keeps times; '' for a blank."""
    return "" if cell in PLACEHOLDERS else cell[:16]


def stripped_texts(cells: Any) -> Any:
    """Free text as free_text reads it, a column at a time (a C call per cell)."""
    if not isinstance(cells, list):
        return cells  # repeat(''): the file has no such column
    texts = list(map(str.strip, cells))
    return texts if PLACEHOLDERS.isdisjoint(texts) else ["" if text in PLACEHOLDERS else text for text in texts]


def free_text(cell: str) -> str:
    text = cell.strip()
    return "" if text in PLACEHOLDERS else text


def tracking_text(cell: str) -> str:
    return "" if cell in PLACEHOLDERS else cell.upper()


def is_day(text: str) -> bool:
    try:
        return len(text) == 10 and text[4] == text[7] == "-" and bool(date.fromisoformat(text))
    except ValueError:
        return False
