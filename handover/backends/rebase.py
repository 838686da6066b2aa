"""Laying a write onto a tab as it is now: the one rebase every backend uses.

A command plans its write on what it read. By the time it writes, someone may have sorted the tab,
inserted or deleted rows, typed into a cell, added a column or a title row. Each backend reads the tab
again right before writing and hands it to `lay`, which says which cells to set where, or why not:

- the header row is found again by the names it had (a title row inserted above moves it down);
- a changed row is found by its 编号 wherever it is now; a row without 编号 only at the position it was
  read at, and only while it still holds exactly what was read there: otherwise its changes are skipped
  and left for a later write (`WriteResult.skipped_rows`), never written onto whatever row is there now;
- each cell about to change must still hold what was read, a new 编号 must not be one another row took
  meanwhile, and an appended row must not be one someone else appended meanwhile (`TabWrite.unique`):
  otherwise the whole write is refused (`refuse`), naming the 编号, row, column and what the cell holds
  now;
- an added column goes right of every used column, in any row (a note typed far right is never
  overwritten); appended rows go below the last used row.

The backend then turns the cells into its own kind of write (a values.batchUpdate, or patched sheet XML).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any, Sequence

from ..errors import IdTakenError, SheetChangedError
from ..sheet import (HEADER_ROWS, CellChange, TabWrite, WriteResult, WriteValue, cell_text, clean_text, clean_texts,
                     same_value)


@dataclass
class Laid:
    """One TabWrite laid onto the tab as it is now: the cells to set by (sheet row, 0-based column),
    header cells of added columns included, and the appended rows from sheet row `append_first`."""

    tab: str
    cells: dict[tuple[int, int], WriteValue] = field(default_factory=dict)
    append_first: int = 2
    appends: list[dict[int, WriteValue]] = field(default_factory=list)
    formats: dict[int, str] = field(default_factory=dict)  # TabWrite.number_formats by column index
    filled: set[tuple[int, int]] = field(default_factory=set)  # changed cells of those columns that were blank
    added_columns: list[int] = field(default_factory=list)  # where the columns the tab lacked were added

    def by_row(self) -> dict[int, dict[int, WriteValue]]:
        """Every cell to set, sheet row -> column -> value, the appended rows included."""
        rows: dict[int, dict[int, WriteValue]] = {}
        for (row, col), value in self.cells.items():
            rows.setdefault(row, {})[col] = value
        for offset, line in enumerate(self.appends):
            rows.setdefault(self.append_first + offset, {}).update(line)
        return rows

    def size(self) -> tuple[int, int]:
        """(rows, columns) the grid needs to hold every cell set."""
        rows, columns = 1, 1
        for row, line in self.by_row().items():
            if line:
                rows, columns = max(rows, row), max(columns, max(line) + 1)
        return rows, columns


def lay(write: TabWrite, values: Sequence[Sequence[Any]] | None, result: WriteResult,
        conflicts: list[str]) -> Laid:
    """Lay `write` onto the tab as it is now (`values`: every row from sheet row 1, as the backend
    reads cells; None when the tab does not exist). Records moved, appended and skipped rows in
    `result`, and every reason not to write in `conflicts` (then nothing may be written)."""
    return _Layer(write, values, result, conflicts).lay()


class IdTaken(str):
    """A conflict that is only a 编号 this write picked, taken meanwhile by someone else's write."""


def refuse(where: str, conflicts: Sequence[str]) -> None:
    """Stop the write when the tab changed under any cell it was about to set."""
    if conflicts:
        conflicts = list(dict.fromkeys(conflicts))  # a row gone is one reason, however many of its cells we set
        shown = "；".join(conflicts[:3]) + (f"；等共 {len(conflicts)} 处" if len(conflicts) > 3 else "")
        error = IdTakenError if all(isinstance(conflict, IdTaken) for conflict in conflicts) else SheetChangedError
        raise error(f"{where} 在读取之后被别人改过，这次什么也没写入：{shown}。请重新运行这条命令")


class _Layer:
    def __init__(self, write: TabWrite, values: Sequence[Sequence[Any]] | None, result: WriteResult,
                 conflicts: list[str]):
        self.write = write
        self.tab = write.tab
        self.exists = values is not None
        self.values = values or []
        self.result = result
        self.conflicts = conflicts
        self.laid = Laid(write.tab)
        self._ids: dict[str, list[int]] | None = None
        self._keys: dict[tuple[str, ...], int] | None = None  # `unique` values -> a row holding them
        self._key_columns: list[int | None] = []

    def lay(self) -> Laid:
        header_row = self._header_row()
        if header_row is None:
            self.conflicts.append(f"「{self.tab}」找不到表头了（读取时在第 {self.write.header_row} 行）")
            return self.laid
        self.header_row = header_row
        self.header = [cell_text(value) for value in self._row(header_row)]
        self._header_cells()
        self.laid.formats = {col: code for name, code in self.write.number_formats.items()
                             if (col := find_column(self.header, name)) is not None}
        self.id_col = find_column(self.header, self.write.id_column)
        self._changes()
        self._appends()
        return self.laid

    # ----------------------------------------------------------------------------------- the header

    def _header_row(self) -> int | None:
        """Where the header is now: the row among the first ones holding most of the names it had (the
        row it was on, on a tie); the row it was on when the tab is blank."""
        names = {_fold(name) for name in self.write.header if _fold(name)}
        if not names or not any(_used(line) for line in self.values):
            return self.write.header_row
        best, best_score = None, 0
        for index, line in enumerate(self.values[: self.write.header_row + HEADER_ROWS]):
            score = len(names & {_fold(cell_text(value)) for value in line})
            row = index + 1
            if score > best_score or (score == best_score and score and row == self.write.header_row):
                best, best_score = row, score
        return best

    def _header_cells(self) -> None:
        """A blank tab gets the header; columns the tab lacks are added right of every used column."""
        if not any(self.header) and self.write.header:
            for col, name in enumerate(self.write.header):
                if name:
                    self.laid.cells[(self.header_row, col)] = name
            self.header = list(self.write.header)
        missing = [name for name in self.write.add_columns if find_column(self.header, name) is None]
        if not missing:
            return
        next_free = max([len(self.header)] + [_width(line) for line in self.values])
        for name in missing:
            self.header += [""] * (next_free - len(self.header)) + [name]
            self.laid.cells[(self.header_row, next_free)] = name
            self.laid.added_columns.append(next_free)
            next_free += 1

    # ---------------------------------------------------------------------------------- the changes

    def _changes(self) -> None:
        w = self.write
        if not w.changes:
            return
        if not self.exists:
            self.conflicts.append(f"「{self.tab}」这一页不见了")
            return
        if w.id_column and self.id_col is None and any(change.row_id for change in w.changes):
            self.conflicts.append(f"「{self.tab}」的表头里没有「{w.id_column}」列了")
            return
        proven: dict[int, bool] = {}
        for change in w.changes:
            col = find_column(self.header, change.column)
            if col is None:
                self.conflicts.append(f"「{self.tab}」的表头里没有「{change.column}」列了")
                continue
            if change.row_id:
                row = self._row_of(change)
            else:
                if change.row_cells is None:
                    raise ValueError("a change to a row without 编号 needs the row as read (row_cells)")
                if change.row not in proven:
                    proven[change.row] = change.row > self.header_row and _same_row(self._row(change.row),
                                                                                    change.row_cells)
                    if not proven[change.row]:
                        self.result.skipped_rows.setdefault(self.tab, []).append(change.row)
                row = change.row if proven[change.row] else None
            if row is None:
                continue
            now = self._cell(row, col)
            if not same_value(now, change.old):
                where = f"第 {row} 行" + (f"（编号 {change.row_id}）" if change.row_id else "")
                self.conflicts.append(f"「{self.tab}」{where}的「{change.column}」读取时是{shown(change.old)}，"
                                      f"现在是{shown(now)}")
                continue
            if col == self.id_col:
                self._refuse_taken_id(change.new, row)
            self.laid.cells[(row, col)] = change.new
            if col in self.laid.formats and now in (None, ""):
                self.laid.filled.add((row, col))

    def _row_of(self, change: CellChange) -> int | None:
        rows = self._rows_by_id().get(clean_text(change.row_id), [])
        if len(rows) == 1:
            if rows[0] != change.row:
                self.result.moved_rows.setdefault(self.tab, {})[change.row_id] = rows[0]
            return rows[0]
        if change.row in rows:
            return change.row
        if not rows:
            self.conflicts.append(f"「{self.tab}」里找不到编号 {change.row_id} 的行（被删掉或改了编号？）")
        else:
            self.conflicts.append(f"「{self.tab}」里编号 {change.row_id} 出现在 {len(rows)} 行（第 "
                                  f"{'、'.join(map(str, rows))} 行）：请先把编号改成不重复")
        return None

    def _rows_by_id(self) -> dict[str, list[int]]:
        """The rows now holding each 编号 this write names (those of the rows it changes, those it gives),
        found in one pass over the 编号 column that compares each cell with that small set only: every
        write goes through here, on a tab that may hold 50,000 rows."""
        if self._ids is None:
            self._ids = {}
            col = self.id_col
            named = {clean_text(change.row_id) for change in self.write.changes if change.row_id}
            named |= {clean_text(change.new) for change in self.write.changes
                      if find_column(self.header, change.column) == col}
            named.discard("")
            if col is not None and named:
                # A 编号 cell is read as every parser reads it (`'H2` and `="H2"` hold H2): the id a
                # command names is the one `check` and `pull` showed.
                first = self.header_row + 1
                for row, text in enumerate(clean_texts(_column(self.values, col)[first - 1:]), start=first):
                    if text in named:
                        self._ids.setdefault(text, []).append(row)
        return self._ids

    def _refuse_taken_id(self, new_id: WriteValue, row: int) -> None:
        taken = [other for other in self._rows_by_id().get(clean_text(new_id), []) if other != row]
        if taken:
            self.conflicts.append(IdTaken(f"「{self.tab}」要补的编号 {new_id} 已经在第 {taken[0]} 行了（有人同时补了编号？）"))

    # ---------------------------------------------------------------------------------- the appends

    def _appends(self) -> None:
        w = self.write
        if not w.appends:
            return
        names = list(w.header) + list(w.add_columns)
        columns = [find_column(self.header, name, occurrence=names[:position].count(name)) if name else None
                   for position, name in enumerate(names)]
        first = max(_last_used_row(self.values) + 1, self.header_row + 1)
        for line in w.appends:
            cells: dict[int, WriteValue] = {}
            for position, value in enumerate(line):
                if value is None or value == "":
                    continue
                col = columns[position] if position < len(columns) else None
                if col is None:
                    name = names[position] if position < len(names) and names[position] else f"第 {position + 1} 列"
                    self.conflicts.append(f"「{self.tab}」的表头里没有「{name}」列了")
                    return
                cells[col] = value
            self._refuse_doubled(cells)
            self.laid.appends.append(cells)
        self.laid.append_first = first
        self.result.appended_rows[self.tab] = list(range(first, first + len(w.appends)))

    def _refuse_doubled(self, cells: dict[int, WriteValue]) -> None:
        """An appended row the tab already holds (same values under every `unique` header)."""
        if not self.write.unique:
            return
        if self._keys is None:
            self._key_columns = [find_column(self.header, name) for name in self.write.unique]
            self._keys = {}
            if None not in self._key_columns:
                columns = [_column(self.values, col) for col in self._key_columns]  # type: ignore[arg-type]
                for row in range(len(self.values), self.header_row, -1):
                    key = tuple(clean_text(cells[row - 1]) if row <= len(cells) else "" for cells in columns)
                    if any(key):
                        self._keys[key] = row
        key = tuple(clean_text(cells.get(col)) for col in self._key_columns if col is not None)
        if key in self._keys:
            named = "、".join(f"「{name}」{value}" for name, value in zip(self.write.unique, key))
            conflict = f"「{self.tab}」第 {self._keys[key]} 行已经有{named}（有人同时写入了？）"
            # A row keyed by its 编号 alone holds a 编号 this write picked; one keyed by what it says (a
            # ledger's order and kind) is someone else's same entry, and no new pick can change that.
            self.conflicts.append(IdTaken(conflict) if self.write.unique == (self.write.id_column,) else conflict)

    # ------------------------------------------------------------------------------------- reading

    def _row(self, row: int) -> Sequence[Any]:
        return self.values[row - 1] if 0 < row <= len(self.values) else []

    def _cell(self, row: int, col: int) -> Any:
        line = self._row(row)
        return line[col] if col < len(line) else None


# --------------------------------------------------------------------------------------------- helpers

def _column(values: Sequence[Sequence[Any]], col: int) -> Sequence[Any]:
    """Every row's cell in one column, from sheet row 1. A tab read in parts (backends.xlsx_parts)
    answers from that column alone, without decoding the rows."""
    column = getattr(values, "column", None)
    if column is not None:
        return column(col)
    return [line[col] if col < len(line) else None for line in values]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def find_column(header: Sequence[str], name: str | None, occurrence: int = 0) -> int | None:
    """Where a header name is now (its n-th occurrence): exact spelling first, then ignoring width,
    case and surrounding spaces."""
    if not name:
        return None
    for same in (lambda h: h == name, lambda h: _fold(h) == _fold(name)):
        found = [index for index, text in enumerate(header) if same(text)]
        if len(found) > occurrence:
            return found[occurrence]
    return None


def _blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


def _used(line: Sequence[Any]) -> bool:
    return any(not _blank(value) for value in line)


def _width(line: Sequence[Any]) -> int:
    """Columns up to the last used cell of a row."""
    for index in range(len(line) - 1, -1, -1):
        if not _blank(line[index]):
            return index + 1
    return 0


def _last_used_row(values: Sequence[Sequence[Any]]) -> int:
    for index in range(len(values) - 1, -1, -1):
        if _used(values[index]):
            return index + 1
    return 0


def _same_row(now: Sequence[Any], then: Sequence[Any]) -> bool:
    """The same content, cell by cell (trailing empty cells do not count)."""
    width = max(_width(now), _width(then))
    return all(same_value(now[i] if i < len(now) else None, then[i] if i < len(then) else None)
               for i in range(width))


def shown(value: Any) -> str:
    """A cell's value inside a message: quoted, cut at 30 characters, 空白 when empty."""
    if _blank(value):
        return "空白"
    text = cell_text(value)
    return f"「{text[:30]}…」" if len(text) > 30 else f"「{text}」"
