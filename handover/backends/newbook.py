"""`handover init`: a new handover workbook that is pleasant to type into, and a starter handover.toml.

This is the one place we build a workbook with openpyxl: the file is new, so there is nothing of the
user's to lose.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import HandoverError
from ..model.couriers import COURIERS
from ..model.schema import CATEGORIES, HANDOVER_COLUMNS, PLATFORM_LABELS, STATUS_LABELS, TABS, Status
from ..render.environment import render
from ..textwidth import column_width
from .files import real_path, refuse_read_only_folder, write_beside, write_failure

# Dropdowns and text formats reach this far down: years of nights for a busy shop.
_LAST_ROW = 20000
# Columns that hold long digit strings: formatted as text so Excel/WPS never turn an id into 3.4E+18.
_TEXT_KEYS = {"id", "order_id", "phone", "tracking_no"}
_WIDE_KEYS = {"old_address": 36, "new_address": 36, "detail": 40, "result": 30, "order_id": 22, "tracking_no": 20}


@dataclass
class TabSpec:
    name: str
    headers: Sequence[str]
    dropdowns: dict[str, Sequence[str]]  # header -> allowed values
    text_headers: Sequence[str] = ()
    widths: dict[str, float] | None = None


def handover_tab() -> TabSpec:
    by_key = {column.key: column.header for column in HANDOVER_COLUMNS}
    return TabSpec(
        name=TABS["handover"],
        headers=[column.header for column in HANDOVER_COLUMNS],
        dropdowns={
            by_key["platform"]: list(PLATFORM_LABELS.values()),
            by_key["category"]: [category.label for category in CATEGORIES],
            by_key["status"]: [STATUS_LABELS[status] for status in Status],
            by_key["courier"]: [courier.name for courier in COURIERS],
        },
        text_headers=[by_key[key] for key in _TEXT_KEYS],
        widths={by_key[key]: width for key, width in _WIDE_KEYS.items()},
    )


def returns_tab() -> TabSpec:
    from ..model.returns_tab import RETURN_COLUMNS, RETURN_DROPDOWNS, RETURN_TEXT_HEADERS

    return TabSpec(TABS["returns"], [column.header for column in RETURN_COLUMNS], RETURN_DROPDOWNS, RETURN_TEXT_HEADERS,
                   widths={"退货原因": 24, "处理结果": 30, "订单号": 22, "退货单号": 20})


def payouts_tab() -> TabSpec:
    from ..compensation.ledger import KIND_TEXT, LEDGER_HEADER

    return TabSpec(TABS["payouts"], LEDGER_HEADER, {"赔付类型": list(KIND_TEXT.values())}, ["订单号"],
                   widths={"订单号": 22, "来源": 30, "计算时间": 18})


def standard_tabs() -> list[TabSpec]:
    """The tabs `handover init` creates."""
    return [handover_tab(), returns_tab(), payouts_tab()]


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
        width = (spec.widths or {}).get(header) or column_width(header)
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


def init_workbook(path: Path, tabs: Sequence[TabSpec], *, config_text_context: dict | None = None) -> list[Path]:
    """Create the workbook and, beside it, a handover.toml unless one exists. Returns what was written.

    The user's files rules of every write hold here too: a symlink is created through to its target,
    an existing workbook is never replaced, a read-only folder is not written into."""
    if path.suffix.lower() != ".xlsx":
        raise HandoverError(f"{path.name}：新工作簿的文件名要以 .xlsx 结尾")
    target = real_path(path)
    via = f"（它是指向 {target} 的链接）" if target != path else ""
    if target.exists():
        raise HandoverError(f"{path} 已经存在{via}：handover init 不会覆盖它，请换个文件名")
    config_path = path.with_name("handover.toml")
    write_config = not config_path.exists() and not config_path.is_symlink()
    _make_folder(target.parent, target.name)
    if write_config and config_path.parent != target.parent:
        _make_folder(config_path.parent, config_path.name)
    create_workbook(target, tabs)
    written = [path]
    if write_config:
        text = render("handover.toml.j2", None, sheet=path.name, **(config_text_context or {}))
        _write_new(config_path, text.encode("utf-8"))
        written.append(config_path)
    return written


def _make_folder(folder: Path, name: str) -> None:
    """`folder`, made if missing, refused if it (or the nearest folder that exists above it) is read-only."""
    existing = next(place for place in (folder, *folder.parents) if place.exists())
    refuse_read_only_folder(existing, name)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise write_failure(error, folder / name) from error
