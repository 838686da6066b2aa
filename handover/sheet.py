"""The one interface between the handover logic and wherever the sheet lives.

A backend reads whole tabs as grids of raw cell values and applies a write plan. Everything above this
module (records, tasks, compensation, summary) works on grids and plans and never knows whether the
sheet is a local workbook or a Google Sheet.

Rules every backend keeps:
- `read` is one read of every tab asked for (one request for Google).
- `write` reads the tabs it writes once more, right before writing, and lays the plan onto them as they
  are now (`rebase.lay`, the same for every backend): rows are found by their `编号`
  (`CellChange.row_id`), the row number being only where the row was when we read it; a cell whose value
  is no longer `CellChange.old` was edited by someone else, and then the backend raises
  SheetChangedError and writes nothing. A row without 编号 is changed only where the fresh read shows
  it unchanged at the same position; otherwise its changes are skipped and `WriteResult` says so.
  The write itself is all of the plan, or nothing.
- Text is written as text: a value starting with `=`, `+`, `-` or `@` never becomes a formula, and
  digit strings (order ids) keep every digit.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Iterable, Sequence, Union

# What a backend hands back for one cell: str, int, float, bool, datetime/date (xlsx date cells; Google
# returns serial numbers instead, which the value parser understands) or None for an empty cell.
CellValue = Union[str, int, float, bool, datetime, date, None]

# The header is looked for among the first rows of a tab: a title row or two may sit above it.
HEADER_ROWS = 5

# What we ask a backend to store. Times are formatted to text by the caller; Decimal is stored as a
# number; None clears the cell.
WriteValue = Union[str, int, Decimal, None]


@dataclass
class Grid:
    """One tab as read. `header` is sheet row `header_row` and `rows[i]` is sheet row
    `header_row + 1 + i`; `above` holds the rows over the header (a title row). Rows may be shorter than
    the header when trailing cells are empty. A backend reads row 1 as the header; `schema.locate_header`
    finds the real one."""

    tab: str
    header: list[str]
    rows: list[list[CellValue]]
    header_row: int = 1
    above: list[list[CellValue]] = field(default_factory=list)

    def cell(self, index: int, column: int) -> CellValue:
        row = self.rows[index]
        return row[column] if column < len(row) else None

    def row_number(self, index: int) -> int:
        return index + self.header_row + 1

    def row_at(self, row: int) -> list[CellValue]:
        """The cells of sheet row `row` (below the header)."""
        return self.rows[row - self.header_row - 1]

    def values(self) -> list[list[CellValue]]:
        """Every row from sheet row 1, the header included: the tab as a plain grid."""
        return [*self.above, list(self.header), *self.rows]

    def with_header_at(self, row: int) -> Grid:
        """The same tab read with sheet row `row` as its header."""
        if row == self.header_row:
            return self
        values = self.values()
        header = [cell_text(value).strip() for value in values[row - 1]]
        return Grid(self.tab, header, values[row:], header_row=row, above=values[:row - 1])

    def column(self, position: int) -> list[CellValue]:
        """Every row's cell in one column, in row order (None where a row is shorter). A tab read in parts
        (`Backend.read(…, parts=True)`) gives the column without decoding the rows."""
        return [row[position] if position < len(row) else None for row in self.rows]

    def rows_at(self, indexes: Sequence[int]) -> list[list[CellValue]]:
        """The rows at these indexes, in that order; a tab read in parts decodes them together."""
        rows = self.rows
        return [rows[index] for index in indexes]


@dataclass
class CellChange:
    """Set one cell of a row that exists. `row_id` is the row's 编号 when we read it. A row without one
    ('') has no name to be found by: `row_cells`, the whole row as read, is the proof that the row at
    that position is still the same one, and is required then."""

    row: int
    row_id: str
    column: str
    old: CellValue
    new: WriteValue
    row_cells: Sequence[CellValue] | None = None


@dataclass
class TabWrite:
    """Everything one command writes to one tab.

    `header` is the header as read, on sheet row `header_row`. `id_column` names the header of the 编号
    column used to find moved rows (None: the tab has no ids, e.g. a ledger that is only appended to).
    `add_columns` are headers the tab lacks, added to the header row right of every used column;
    `appends` are whole rows in the order of `header + add_columns`. `unique` names the headers whose
    values together name an appended row (the 编号; a ledger's order and kind): a row the tab already
    holds with the same values, put there by someone else since the read, stops the write. `create`
    makes the tab with `header` when it does not exist yet. `number_formats` (spreadsheet format codes
    such as `#,##0.00` or `0%`, by column header) are given to the cells this write appends in those
    columns, and on a tab it creates to the whole column below the header. On a workbook, a blank cell
    of those columns that a change fills gets the format too, unless the cell has a style of its own;
    on Google Sheets that would cost a request of its own, and such a cell shows the column's format.
    """

    tab: str
    header: list[str]
    id_column: str | None = None
    add_columns: list[str] = field(default_factory=list)
    changes: list[CellChange] = field(default_factory=list)
    appends: list[list[WriteValue]] = field(default_factory=list)
    create: bool = False
    header_row: int = 1
    unique: tuple[str, ...] = ()
    number_formats: dict[str, str] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not (self.changes or self.appends or self.add_columns or self.create)


@dataclass
class TabSpec:
    """A tab of a new workbook (`handover init`): its header, the dropdown choices under some headers,
    the headers whose columns are formatted as text (so Excel/WPS keep every digit of an id), and
    column widths by header where the header's own width is not enough."""

    name: str
    headers: Sequence[str]
    dropdowns: dict[str, Sequence[str]] = field(default_factory=dict)
    text_headers: Sequence[str] = ()
    widths: dict[str, float] = field(default_factory=dict)


@dataclass
class WriteResult:
    """Per tab: where appended rows landed; where changed rows were found at write time (they differ
    from the rows we read when someone sorted the sheet meanwhile), by 编号; and the rows without 编号
    (as read) whose changes were skipped because the fresh read no longer showed them at that position,
    unchanged: they are left for a later write."""

    appended_rows: dict[str, list[int]] = field(default_factory=dict)
    moved_rows: dict[str, dict[str, int]] = field(default_factory=dict)
    skipped_rows: dict[str, list[int]] = field(default_factory=dict)


class Backend(ABC):
    """A sheet that can be read as grids and written with plans."""

    #: Shown to the user: a file path, or the Google Sheet's title and key.
    label: str

    @abstractmethod
    def read(self, tabs: Sequence[str], *, parts: bool = False) -> dict[str, Grid | None]:
        """Read the named tabs in one go; a tab that does not exist maps to None. `parts`: the caller
        looks at the first rows, whole columns and a few rows only (`Grid.column`, `Grid.rows_at`), so
        a backend may decode those alone (a local workbook does; a Google Sheet is read whole anyway)."""

    @abstractmethod
    def write(self, writes: Sequence[TabWrite]) -> WriteResult:
        """Read the tabs again, lay the plan onto them (`rebase.lay`) and apply it, all or nothing.
        Requires a previous `read` of the same tabs."""

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


def cell_text(value: CellValue | WriteValue) -> str:
    """A cell as text, for headers and ids: 12.0 reads as '12', an empty cell as ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def clean_text(value: object) -> str:
    """Cell text without the wrappers spreadsheets and exports add: `="…"` and a leading apostrophe
    removed, tabs and surrounding spaces stripped. Chinese punctuation in free text is left alone.
    Every parser reads text this way, and a write finds a row by its 编号 read this way (`rebase`)."""
    if value.__class__ is str:
        text = value.strip()
        # The common case, every cell of a big sheet: plain text needs nothing more.
        if not text or (text[0] not in _WRAPPER_STARTS and "\t" not in text):
            return text
    elif value is None:
        return ""
    else:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
    text = unwrap_formula_text(text.replace("\t", " ").strip())
    if text.startswith("'"):
        text = text[1:]
    return text.strip()


_WRAPPER_STARTS = frozenset("=\"'")


def clean_texts(values: Iterable[object]) -> list[str]:
    """`clean_text` of each value, plain text without a call each: a 50,000-row tab holds 650,000 text
    cells."""
    return [text if value.__class__ is str and (not (text := value.strip()) or (
        text[0] not in _WRAPPER_STARTS and "\t" not in text)) else clean_text(value) for value in values]


def unwrap_formula_text(text: str) -> str:
    """Unwrap how exports keep ids as text: `="3958"`, and its CSV-escaped form, -> `3958`."""
    match = re.fullmatch(r'"?=\s*"{1,2}(.*?)"{1,2}"?', text)
    return match.group(1).strip() if match else text


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
