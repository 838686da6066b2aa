"""A write laid onto a Google Sheet tab (`rebase.Laid`) as the A1 ranges of one values.batchUpdate, and
cells as the API returns them turned into Grid cells."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from gspread.utils import absolute_range_name

from ..sheet import CellValue, WriteValue, column_letter
from .rebase import Laid


def value_ranges(laid: Laid) -> list[dict]:
    """The cells to set as A1 ranges: changes merged into runs of adjacent cells on a row; the appended
    rows as one block, JSON null (= leave alone) in the gaps."""
    out = []
    by_row: dict[int, dict[int, Any]] = {}
    for (row, col), value in laid.cells.items():
        by_row.setdefault(row, {})[col] = _json_value(value)
    for row in sorted(by_row):
        cols = sorted(by_row[row])
        start = previous = cols[0]
        for col in cols[1:] + [None]:
            if col is not None and col == previous + 1:
                previous = col
                continue
            out.append(_range(laid.tab, row, start, row, previous,
                              [[by_row[row][c] for c in range(start, previous + 1)]]))
            if col is not None:
                start = previous = col
    used = [col for line in laid.appends for col in line]
    if used:
        left, right = min(used), max(used)
        rows = [[_json_value(line[col]) if col in line else None for col in range(left, right + 1)]
                for line in laid.appends]
        out.append(_range(laid.tab, laid.append_first, left, laid.append_first + len(rows) - 1, right, rows))
    return out


def _range(tab: str, top: int, left: int, bottom: int, right: int, values: list[list[Any]]) -> dict:
    a1 = f"{column_letter(left)}{top}:{column_letter(right)}{bottom}"
    return {"range": absolute_range_name(tab, a1), "values": values}


def cell_value(value: Any) -> CellValue:
    """A value as the API returned it -> a Grid cell ('' is an empty cell)."""
    return None if value == "" else value


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
