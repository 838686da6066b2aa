"""New workbooks (`handover init`): tabs with headers, dropdowns, text-formatted id columns, frozen
headers and readable widths, as the caller's `TabSpec`s describe them, and a starter handover.toml
beside them.

This is the one place a workbook is built with openpyxl: the file is new, so there is nothing of the
user's to lose. Which tabs a handover workbook has is the model's to say (`commands.standard_tabs`).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Mapping, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import HandoverError
from ..sheet import TabSpec
from ..textwidth import column_width
from .files import real_path, refuse_read_only_folder, write_beside, write_failure

# Dropdowns and text formats reach this far down: years of nights for a busy shop.
_LAST_ROW = 20000


def create_workbook(path: Path, tabs: Sequence[TabSpec]) -> None:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for spec in tabs:
        _add_tab(workbook.create_sheet(spec.name), spec)
    content = io.BytesIO()
    workbook.save(content)
    _write_new(path, content.getvalue())


def _write_new(path: Path, data: bytes) -> None:
    """A new file, whole or not at all (a full disk leaves nothing behind)."""
    try:
        os.replace(write_beside(path, data), path)
    except OSError as error:
        raise write_failure(error, path, size=len(data)) from error


def _add_tab(sheet: Worksheet, spec: TabSpec) -> None:
    header_fill = PatternFill("solid", fgColor="FFE8EEF7")
    for index, header in enumerate(spec.headers, start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.data_type = "s"
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center")
        letter = get_column_letter(index)
        width = spec.widths.get(header) or column_width(header)
        sheet.column_dimensions[letter].width = width
        if header in spec.text_headers:
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    for header, choices in spec.dropdowns.items():
        letter = get_column_letter(list(spec.headers).index(header) + 1)
        validation = DataValidation(
            type="list",
            formula1='"' + ",".join(choices) + '"',
            allow_blank=True,
            showErrorMessage=False,  # a dropdown suggests; the check command is the judge
        )
        validation.add(f"{letter}2:{letter}{_LAST_ROW}")
        sheet.add_data_validation(validation)


def init_workbook(path: Path, tabs: Sequence[TabSpec], beside: Mapping[str, str] | None = None) -> list[Path]:
    """Create the workbook and, beside it, the text files `beside` names (handover.toml), each unless
    one of that name exists. Returns what was written.

    The user's files rules of every write hold here too: a symlink is created through to its target,
    an existing workbook is never replaced, a read-only folder is not written into."""
    if path.suffix.lower() != ".xlsx":
        raise HandoverError(f"{path.name}：新工作簿的文件名要以 .xlsx 结尾")
    target = real_path(path)
    via = f"（它是指向 {target} 的链接）" if target != path else ""
    if target.exists():
        raise HandoverError(f"{path} 已经存在{via}：handover init 不会覆盖它，请换个文件名")
    extras = {path.with_name(name): text for name, text in (beside or {}).items()}
    extras = {extra: text for extra, text in extras.items() if not extra.exists() and not extra.is_symlink()}
    _make_folder(target.parent, target.name)
    for extra in extras:
        if extra.parent != target.parent:
            _make_folder(extra.parent, extra.name)
    create_workbook(target, tabs)
    written = [path]
    for extra, text in extras.items():
        _write_new(extra, text.encode("utf-8"))
        written.append(extra)
    return written


def _make_folder(folder: Path, name: str) -> None:
    """`folder`, made if missing, refused if it (or the nearest folder that exists above it) is read-only."""
    existing = next(place for place in (folder, *folder.parents) if place.exists())
    refuse_read_only_folder(existing, name)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise write_failure(error, folder / name) from error
