"""Errors the library raises. The CLI turns every HandoverError into one `Error: …` line and exit 1."""

from __future__ import annotations


class HandoverError(Exception):
    """Something stopped the command; the message says what and how to fix it."""


class ConfigError(HandoverError):
    """handover.toml or an option is wrong."""


class CellError(HandoverError):
    """A cell (or a whole row, when column is None) cannot be used."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None,
                 tab: str | None = None, file: str | None = None):
        self.message = message
        self.row = row
        self.column = column
        self.tab = tab
        self.file = file
        super().__init__(self.describe())

    def describe(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.tab:
            where.append(f"tab {self.tab}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class SheetError(HandoverError):
    """The sheet cannot be opened, read or written."""


class SheetBusyError(SheetError):
    """Someone (Excel, WPS, LibreOffice or another handover run) has the workbook open for writing."""


class SheetChangedError(SheetError):
    """The sheet changed between our read and our write; nothing was written."""


class UnknownIdError(HandoverError):
    """An id given on the command line is not in the sheet."""


class SheetReadOnlyError(SheetError):
    """The workbook (or its folder) is marked read-only, or this user may not write it; nothing was written."""


class SheetDamagedError(SheetError):
    """The workbook file cannot be read as an xlsx workbook: empty, cut short, corrupt, encrypted, an .xls."""


class SheetWriteError(SheetError):
    """Writing failed part-way (disk full, no permission); the workbook was left as it was."""
