"""Laying one TabWrite onto a Google Sheet tab as it is now: where each row is by its 编号, whether each
cell still holds what we read, and the A1 ranges to send in the one values.batchUpdate."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Sequence

from gspread.utils import absolute_range_name

from .sheet import (
    CellChange,
    CellValue,
    TabWrite,
    WriteResult,
    WriteValue,
    column_letter,
    same_value,
)


class TabPlan:
    """One TabWrite laid onto the tab as it is now: which cells to set, or why not."""

    def __init__(self, write: TabWrite, values: list[list[Any]], exists: bool):
        self.write = write
        self.tab = write.tab
        self.exists = exists
        self.values = values
        self.header = [header_text(v) for v in values[0]] if values else []
        self.cells: dict[tuple[int, int], Any] = {}  # (sheet row, 0-based column) -> JSON value
        self.append_block: tuple[int, list[list[Any]]] | None = None  # first row, rows (None = skip)

    def build(self, result: WriteResult, conflicts: list[str]) -> None:
        w = self.write
        if not self.header and w.header:
            for col, name in enumerate(w.header):  # a new or blank tab gets its header
                self.cells[(1, col)] = name
            self.header = list(w.header)
        for name in w.add_columns:
            if _find_column(self.header, name) is None:
                self.cells[(1, len(self.header))] = name
                self.header.append(name)
        self._changes(result, conflicts)
        self._appends(result, conflicts)

    def _changes(self, result: WriteResult, conflicts: list[str]) -> None:
        w = self.write
        if not w.changes:
            return
        if not self.exists:
            conflicts.append(f"「{self.tab}」这一页不见了")
            return
        id_col = _find_column(self.header, w.id_column) if w.id_column else None
        if w.id_column and id_col is None and any(change.row_id for change in w.changes):
            conflicts.append(f"「{self.tab}」的表头里没有「{w.id_column}」列了")
            return
        rows_by_id: dict[str, list[int]] = {}
        if id_col is not None:
            for index, line in enumerate(self.values[1:]):
                text = _id_text(line[id_col] if id_col < len(line) else None)
                if text:
                    rows_by_id.setdefault(text, []).append(index + 2)
        for change in w.changes:
            col = _find_column(self.header, change.column)
            if col is None:
                conflicts.append(f"「{self.tab}」的表头里没有「{change.column}」列了")
                continue
            row = self._locate(change, rows_by_id, id_col, conflicts)
            if row is None:
                continue
            if row != change.row:
                result.moved_rows.setdefault(self.tab, {})[change.row_id] = row
            now = cell_value(self._value(row, col))
            if not same_value(now, change.old):
                where = f"第 {row} 行" + (f"（编号 {change.row_id}）" if change.row_id else "")
                conflicts.append(f"「{self.tab}」{where}的「{change.column}」读取时是{_shown(change.old)}，"
                                 f"现在是{_shown(now)}")
                continue
            self.cells[(row, col)] = _json_value(change.new)

    def _locate(self, change: CellChange, rows_by_id: dict[str, list[int]], id_col: int | None,
                conflicts: list[str]) -> int | None:
        row_id = _id_text(change.row_id)
        if not row_id or id_col is None:
            return change.row
        rows = rows_by_id.get(row_id, [])
        if len(rows) == 1:
            return rows[0]
        if change.row in rows:
            return change.row
        if not rows:
            conflicts.append(f"「{self.tab}」里找不到编号 {row_id} 的行（被删掉或改了编号？）")
        else:
            conflicts.append(f"「{self.tab}」里编号 {row_id} 出现在 {len(rows)} 行（第 "
                             f"{'、'.join(map(str, rows))} 行）：请先把编号改成不重复")
        return None

    def _appends(self, result: WriteResult, conflicts: list[str]) -> None:
        w = self.write
        if not w.appends:
            return
        names = list(w.header) + list(w.add_columns)
        columns: list[int | None] = []
        for position, name in enumerate(names):
            columns.append(_find_column(self.header, name, occurrence=names[:position].count(name)))
        first = max(_last_used_row(self.values) + 1, 2)
        block = []
        for line in w.appends:
            row_cells: dict[int, Any] = {}
            for position, value in enumerate(line):
                if value is None:
                    continue
                col = columns[position] if position < len(columns) else None
                if col is None:
                    name = names[position] if position < len(names) else f"第 {position + 1} 列"
                    conflicts.append(f"「{self.tab}」的表头里没有「{name}」列了")
                    return
                row_cells[col] = _json_value(value)
            block.append(row_cells)
        self.append_block = (first, block)
        result.appended_rows[self.tab] = list(range(first, first + len(block)))

    def needed_size(self) -> tuple[int, int]:
        rows, columns = 1, len(self.header)
        for row, col in self.cells:
            rows, columns = max(rows, row), max(columns, col + 1)
        if self.append_block:
            first, block = self.append_block
            rows = max(rows, first + len(block) - 1)
            columns = max([columns] + [col + 1 for line in block for col in line])
        return rows, columns

    def value_ranges(self) -> list[dict]:
        """The cells to set as A1 ranges: changes merged into runs of adjacent cells on a row; the
        appended rows as one block, JSON null (= leave alone) in the gaps."""
        out = []
        by_row: dict[int, dict[int, Any]] = {}
        for (row, col), value in self.cells.items():
            by_row.setdefault(row, {})[col] = value
        for row in sorted(by_row):
            cols = sorted(by_row[row])
            start = previous = cols[0]
            for col in cols[1:] + [None]:
                if col is not None and col == previous + 1:
                    previous = col
                    continue
                out.append(self._range(row, start, row, previous,
                                       [[by_row[row][c] for c in range(start, previous + 1)]]))
                if col is not None:
                    start = previous = col
        if self.append_block and self.append_block[1]:
            first, block = self.append_block
            used = [col for line in block for col in line]
            if used:
                left, right = min(used), max(used)
                rows = [[line.get(col) for col in range(left, right + 1)] for line in block]
                out.append(self._range(first, left, first + len(block) - 1, right, rows))
        return out

    def _range(self, top: int, left: int, bottom: int, right: int, values: list[list[Any]]) -> dict:
        a1 = f"{column_letter(left)}{top}:{column_letter(right)}{bottom}"
        return {"range": absolute_range_name(self.tab, a1), "values": values}

    def _value(self, row: int, col: int) -> Any:
        index = row - 1
        if index < len(self.values):
            line = self.values[index]
            if col < len(line):
                return line[col]
        return None


# ------------------------------------------------------------------------------------------- helpers

def cell_value(value: Any) -> CellValue:
    """A value as the API returned it -> a Grid cell ('' is an empty cell)."""
    return None if value == "" else value


def header_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _id_text(value: Any) -> str:
    return header_text(value).strip()


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _find_column(header: Sequence[str], name: str | None, occurrence: int = 0) -> int | None:
    """Where a header name is now (its n-th occurrence): exact spelling first, then ignoring width,
    case and surrounding spaces."""
    if name is None:
        return None
    for same in (lambda h: h == name, lambda h: _fold(h) == _fold(name)):
        found = [index for index, text in enumerate(header) if same(text)]
        if len(found) > occurrence:
            return found[occurrence]
    return None


def _last_used_row(values: list[list[Any]]) -> int:
    for index in range(len(values) - 1, -1, -1):
        if any(value not in ("", None) for value in values[index]):
            return index + 1
    return 0


def _json_value(value: WriteValue) -> Any:
    """What goes into the request: text as text (RAW: never a formula), Decimal as a number, None as
    '' (clears the cell)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a number to write: {value}")
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (str, int, float)):
        return value
    if isinstance(value, (date, datetime)):
        raise TypeError("format times to text before writing them")
    raise TypeError(f"cannot write {type(value).__name__} to a sheet")


def _shown(value: Any) -> str:
    if value in (None, ""):
        return "空白"
    text = header_text(value)
    return f"「{text[:30]}…」" if len(text) > 30 else f"「{text}」"
