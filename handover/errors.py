"""Errors the library raises. The CLI turns every HandoverError into one `Error: …` line and exit 1."""

from __future__ import annotations

from typing import Mapping, Sequence


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
        where = place(file=self.file, tab=self.tab, row=self.row, column=self.column)
        return f"{where}：{self.message}" if where else self.message


def place(*, file: str | None = None, tab: str | None = None, row: int | None = None, column: str | None = None) -> str:
    """Where a cell is, in the words of every message a person reads: `退款.csv 第 7 行「订单编号」`,
    `「退货」标签页第 3 行`, `「订单号」列` (a whole column)."""
    cell = f"「{tab}」标签页" if tab else ""
    if row is not None:
        cell += f"第 {row} 行"
    if column:
        cell += f"「{column}」" if row is not None else f"「{column}」列"
    return " ".join(part for part in (file, cell) if part)


class SheetError(HandoverError):
    """The sheet cannot be opened, read or written."""


class SheetBusyError(SheetError):
    """Someone (Excel, WPS, LibreOffice or another handover run) has the workbook open for writing."""


class SheetChangedError(SheetError):
    """The sheet changed between our read and our write; nothing was written."""


class IdTakenError(SheetChangedError):
    """All that changed is that someone writing at the same moment took the 编号 this write picked;
    nothing was written. Planned again on the sheet as it is now, the write picks the next ones."""


class UnknownIdError(HandoverError):
    """An id given on the command line is not in the sheet."""


class SheetReadOnlyError(SheetError):
    """The workbook (or its folder) is marked read-only, or this user may not write it; nothing was written."""


class SheetDamagedError(SheetError):
    """The workbook file cannot be read as an xlsx workbook: empty, cut short, corrupt, encrypted, an .xls."""


class SheetWriteError(SheetError):
    """Writing failed part-way (disk full, no permission); the workbook was left as it was."""


class RowRejectedError(CellError):
    """A row to be written (`log`, `log --return`) that would not be valid in the sheet; nothing was
    written. `fields` holds each problem as (field key, column, message), so the command line can name
    the flag that fills each field."""

    def __init__(self, fields: Sequence[tuple[str | None, str | None, str]]):
        self.fields = list(fields)
        super().__init__(self.naming())

    def naming(self, names: Mapping[str, str] | None = None) -> str:
        """Every problem on one line, each named by `names[field key]` (a flag), else by its column."""
        names = names or {}
        return "；".join(f"{names[key]}：{message}" if key in names else f"「{column}」{message}" if column else message
                        for key, column, message in self.fields)


class AccessError(HandoverError):
    """A file or folder this account may not read or enter (another user's, or locked down)."""


def access_denied(error: OSError) -> AccessError:
    """The one line for a PermissionError met anywhere the command looked: which place, and who can fix it."""
    where = error.filename or "要用的文件"
    return AccessError(f"没有权限访问 {where}：请它的主人给你的账号读写权限，或换有权限的账号运行")
