"""Another person editing the same sheet as a handover command, on either backend (tests' helper).

On a Google Sheet they type in the browser (the emulator's state changes directly); on a workbook they
edit in their own program and save the file with openpyxl, without taking handover's lock (a sync
client, a script). `between_read_and_write` plays their edits at the worst moment: after the command
read the sheet, before it writes (on Google: just before the command's second read, through the
emulator's `on_next` hook; on a workbook: just before `XlsxBackend.write` loads the file again).
"""

from __future__ import annotations

from typing import Any, Callable

import openpyxl
import pytest

from handover.sheet import column_index


class OtherUser:
    def __init__(self, sheet: Any, monkeypatch: pytest.MonkeyPatch, tab: str = "交接"):
        self.sheet = sheet
        self.monkeypatch = monkeypatch
        self.tab = tab

    # ------------------------------------------------------------------------------------ edits

    def set(self, a1: str, value: Any, tab: str | None = None) -> None:
        tab = tab or self.tab
        if self.google:
            self.emulator.set_cell(self.sheet.key, tab, a1, value)
        else:
            with self._workbook() as book:
                book[tab][a1] = value

    def insert_row(self, before: int, values: list[Any]) -> None:
        if self.google:
            self.emulator.insert_rows(self.sheet.key, self.tab, before, [values])
        else:
            with self._workbook() as book:
                sheet = book[self.tab]
                sheet.insert_rows(before)
                for col, value in enumerate(values, start=1):
                    sheet.cell(before, col).value = value

    def append_row(self, values: list[Any], tab: str | None = None) -> None:
        tab = tab or self.tab
        if self.google:
            used = len(self.emulator.values(self.sheet.key, tab))
            self.emulator.insert_rows(self.sheet.key, tab, used + 1, [values])
        else:
            with self._workbook() as book:
                book[tab].append(values)

    def delete_row(self, row: int) -> None:
        if self.google:
            self.emulator.delete_rows(self.sheet.key, self.tab, row)
        else:
            with self._workbook() as book:
                book[self.tab].delete_rows(row)

    def sort(self, column: str, *, reverse: bool = False) -> None:
        """Sort the rows below the header by a column (a letter), as "sort sheet" does."""
        if self.google:
            self.emulator.sort_rows(self.sheet.key, self.tab, column, reverse=reverse)
            return
        index = column_index(column)
        with self._workbook() as book:
            sheet = book[self.tab]
            rows = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
            filled = [row for row in rows if any(value not in (None, "") for value in row)]
            filled.sort(key=lambda row: "" if row[index] is None else str(row[index]), reverse=reverse)
            for number, row in enumerate(filled + [[None] * sheet.max_column] * (len(rows) - len(filled)), start=2):
                for col in range(sheet.max_column):
                    sheet.cell(number, col + 1).value = row[col] if col < len(row) else None

    # ----------------------------------------------------------------------------------- timing

    def between_read_and_write(self, *edits: Callable[[], None]) -> None:
        """Make the edits once, after the command's read and before its write."""

        def play(*_: Any) -> None:
            for edit in edits:
                edit()

        if self.google:
            # The command's first batchGet is its read; the edits land just before the second, the
            # re-read right before the write.
            self.emulator.on_next("values.batchGet", lambda _: self.emulator.on_next("values.batchGet", play))
            return
        from handover.backends.xlsx import XlsxBackend

        original = XlsxBackend.write
        played = []

        def write(backend: XlsxBackend, writes: Any) -> Any:
            if not played:
                played.append(True)
                play()
            return original(backend, writes)

        self.monkeypatch.setattr(XlsxBackend, "write", write)

    # -------------------------------------------------------------------------------- internals

    @property
    def google(self) -> bool:
        return self.sheet.kind == "google"

    @property
    def emulator(self) -> Any:
        return self.sheet.google_cli.emulator

    def _workbook(self) -> "_Saved":
        return _Saved(self.sheet.source)


class _Saved:
    """openpyxl load, edit, save: what another program does to the file."""

    def __init__(self, path: str):
        self.path = path

    def __enter__(self) -> openpyxl.Workbook:
        self.book = openpyxl.load_workbook(self.path)
        return self.book

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.book.save(self.path)
