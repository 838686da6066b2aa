"""The one interface between the handover logic and wherever the sheet lives.

A backend reads whole tabs as grids of raw cell values and applies a write plan. Everything above this
module (records, tasks, compensation, summary) works on grids and plans and never knows whether the
sheet is a local workbook or a Google Sheet.

Rules every backend keeps:
- `read` is one read of every tab asked for (one request for Google).
- `write` applies one plan atomically: all of it, or nothing. Rows are addressed by their `编号`
  (`CellChange.row_id`); the row number is only where the row was when we read it. A cell whose value
  is no longer `CellChange.old` was edited by someone else: the backend raises SheetChangedError and
  writes nothing.
- Text is written as text: a value starting with `=`, `+`, `-` or `@` never becomes a formula, and
  digit strings (order ids) keep every digit.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Sequence, Union

# What a backend hands back for one cell: str, int, float, bool, datetime/date (xlsx date cells; Google
# returns serial numbers instead, which the value parser understands) or None for an empty cell.
CellValue = Union[str, int, float, bool, datetime, date, None]

# What we ask a backend to store. Times are formatted to text by the caller; Decimal is stored as a
# number; None clears the cell.
WriteValue = Union[str, int, Decimal, None]


@dataclass
class Grid:
    """One tab as read. `rows[i]` is sheet row `i + 2` (row 1 is the header); rows may be shorter than
    the header when trailing cells are empty."""

    tab: str
    header: list[str]
    rows: list[list[CellValue]]

    def cell(self, index: int, column: int) -> CellValue:
        row = self.rows[index]
        return row[column] if column < len(row) else None

    @staticmethod
    def row_number(index: int) -> int:
        return index + 2


@dataclass
class CellChange:
    """Set one cell of a row that exists. `row_id` is the row's 编号 when we read it ('' when blank: such
    a row is then found by position and its `old` value alone)."""

    row: int
    row_id: str
    column: str
    old: CellValue
    new: WriteValue


@dataclass
class TabWrite:
    """Everything one command writes to one tab.

    `id_column` names the header of the 编号 column used to find moved rows (None: the tab has no ids,
    e.g. a ledger that is only appended to). `add_columns` are headers appended to row 1 when the tab
    lacks them; `appends` are whole rows in the order of `header + add_columns`. `create` makes the tab
    with `header` when it does not exist yet. `number_formats` (spreadsheet format codes such as
    `#,##0.00` or `0%`, by column header) are given to the cells this write appends in those columns,
    and on a tab it creates to the whole column below the header.
    """

    tab: str
    header: list[str]
    id_column: str | None = None
    add_columns: list[str] = field(default_factory=list)
    changes: list[CellChange] = field(default_factory=list)
    appends: list[list[WriteValue]] = field(default_factory=list)
    create: bool = False
    number_formats: dict[str, str] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not (self.changes or self.appends or self.add_columns or self.create)


@dataclass
class WriteResult:
    """Where appended rows landed, per tab, and where changed rows were found at write time (they can
    differ from the rows we read on a shared Google Sheet that someone sorted meanwhile)."""

    appended_rows: dict[str, list[int]] = field(default_factory=dict)
    moved_rows: dict[str, dict[str, int]] = field(default_factory=dict)


class Backend(ABC):
    """A sheet that can be read as grids and written with plans."""

    #: Shown to the user: a file path, or the Google Sheet's title and key.
    label: str

    @abstractmethod
    def read(self, tabs: Sequence[str]) -> dict[str, Grid | None]:
        """Read the named tabs in one go; a tab that does not exist maps to None."""

    @abstractmethod
    def write(self, writes: Sequence[TabWrite]) -> WriteResult:
        """Apply the plan, all or nothing. Requires a previous `read` of the same tabs."""

    @abstractmethod
    def tab_names(self) -> list[str]:
        """Every tab of the sheet, in order (on Google, one metadata request unless already known)."""


def same_value(a: CellValue | WriteValue, b: CellValue | WriteValue) -> bool:
    """Whether two cell values are the same for conflict checks: '' equals None, 12 equals 12.0 and
    '12', a date cell equals itself. Backends differ in how they return numbers, never in meaning."""
    return _comparable(a) == _comparable(b)


def _comparable(value: CellValue | WriteValue) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, Decimal):
        return _comparable(float(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    text = str(value)
    return text


def column_letter(index: int) -> str:
    """A 0-based column index as spreadsheets name it: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_index(letters: str) -> int:
    """A -> 0, AA -> 26."""
    value = 0
    for char in letters.upper():
        value = value * 26 + ord(char) - 64
    return value - 1


_GOOGLE_URL = re.compile(r"docs\.google\.com/spreadsheets/d/([A-Za-z0-9_-]+)")
_GOOGLE_KEY = re.compile(r"^[A-Za-z0-9_-]{30,}$")


def google_key(source: str) -> tuple[str, int | None] | None:
    """(key, gid) when `source` names a Google Sheet (URL or bare key), else None."""
    match = _GOOGLE_URL.search(source)
    if match:
        gid = re.search(r"[#?&]gid=(\d+)", source)
        return match.group(1), int(gid.group(1)) if gid else None
    if _GOOGLE_KEY.match(source) and not source.lower().endswith((".xlsx", ".xlsm")):
        return source, None
    return None
