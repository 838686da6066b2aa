"""`handover compensation --out payouts.xlsx`: a workbook finance uses as it is.

A top row that says whether the payouts are recorded or only a trial run (试算（未记录）), then one row
per payout with a totals row per kind, amounts as numbers in a money format (so they add up in
Excel/WPS), order ids as text (every digit kept, never a formula), then on their own tabs the pre-sale
orders already late, those about to become late, and what was left out (already paid, needs a person,
unreadable rows, what the files lack).
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any, Sequence

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..compensation.rules import KIND_LABELS, KINDS
from ..compensation.run import CompensationReport
from ..exports import platform_label
from ..model.schema import MONEY_FORMAT as MONEY
from ..textwidth import display_width
from .finance_views import status_text

_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")


def _put(sheet: Worksheet, row: int, column: int, value: Any, fmt: str | None = None) -> None:
    if value is None or value == "":
        return
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = str(value)
        # openpyxl makes any string starting with "=" a formula: text stays text (SPEC "Nothing injected").
        cell.data_type = "s"
        cell.number_format = "@"
        return
    cell.value = value
    if fmt:
        cell.number_format = fmt


def _rate_format(rate: Decimal) -> str:
    return "0%" if (rate * 100) == (rate * 100).to_integral_value() else "0.0#%"


def _sheet(sheet: Worksheet, header: Sequence[str], rows: Sequence[Sequence[Any]], formats: dict[int, str],
           top: int = 1) -> int:
    """Header (on row `top`), rows and readable widths; returns the next free row."""
    for column, name in enumerate(header, start=1):
        _put(sheet, top, column, name)
        sheet.cell(row=top, column=column).font = _BOLD
        sheet.cell(row=top, column=column).fill = _HEADER_FILL
    widths = [display_width(name) for name in header]
    for number, values in enumerate(rows, start=top + 1):
        for column, value in enumerate(values, start=1):
            fmt = formats.get(column)
            if fmt == "rate" and isinstance(value, Decimal):
                fmt = _rate_format(value)
            _put(sheet, number, column, value, fmt)
            text = f"{value:,.2f}" if isinstance(value, Decimal) else str(value or "")
            widths[column - 1] = max(widths[column - 1], display_width(text))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(60, width + 3)
    sheet.freeze_panes = f"A{top + 1}"
    return len(rows) + top + 1


def workbook_bytes(report: CompensationReport) -> bytes:
    """The finance workbook as the bytes of an .xlsx file."""
    workbook = Workbook()
    status = f"赔付核算　{status_text(report)}　{report.computed_at:%Y-%m-%d %H:%M}　{report.by}"
    workbook.properties.title = status
    payouts = workbook.active
    payouts.title = "赔付明细"
    _put(payouts, 1, 1, status + ("" if report.committed else "　（核对无误后加 --commit 记录，才算数）"))
    payouts.cell(row=1, column=1).font = _BOLD
    header = ["订单号", "赔付类型", "平台", "实付金额", "比例", "赔付/扣佣金额", "线下退款金额", "依据", "来源"]
    rows = []
    for kind in KINDS:
        for p in (p for p in report.payouts if p.kind == kind):
            rate: Any = p.how if p.limit else p.rate  # a floor or cap applied: say so, in words
            rows.append([p.order_id, KIND_LABELS[p.kind], platform_label(p.platform), p.base_amount, rate, p.amount,
                         p.refund, p.basis, f"{p.file} 第 {p.row} 行"])
    formats = {4: MONEY, 5: "rate", 6: MONEY, 7: MONEY}
    next_row = _sheet(payouts, header, rows, formats, top=2)
    for kind, total in report.totals().items():
        if not total.count:
            continue
        values = [None, f"{KIND_LABELS[kind]}合计", f"{total.count} 笔", None, None, total.amount,
                  total.refund if kind == "affiliate_deduction" else None]
        for column, value in enumerate(values, start=1):
            _put(payouts, next_row, column, value, MONEY if isinstance(value, Decimal) else None)
            payouts.cell(row=next_row, column=column).font = _BOLD
            payouts.cell(row=next_row, column=column).fill = _TOTAL_FILL
        next_row += 1
    if not rows:
        _put(payouts, next_row, 1, "算不出赔付：文件里缺少的信息见「未计入」" if report.missing else "没有新的赔付")

    # Orders already past their promise and those about to pass it need different acts (pay or call
    # now, ship today), so they are two tabs, each with the hours it counts.
    for title, hours, items in (("预售已超时", "已超时小时", [a for a in report.at_risk if a.overdue]),
                                ("预售快超时", "剩余小时", [a for a in report.at_risk if not a.overdue])):
        sheet = workbook.create_sheet(title)
        if not items:
            _put(sheet, 2, 1, f"没有{title[2:]}的预售订单")  # a tab with only its header could be one nobody filled
        _sheet(sheet,
               ["订单号", "平台", "承诺发货时间", hours, "实付金额", "若超时赔付", "买家已申请退款", "商品", "来源"],
               [[a.order_id, platform_label(a.platform), a.promised_ship_at.strftime("%Y-%m-%d %H:%M"),
                 -a.seconds_left // 3600 if a.overdue else a.hours_left, a.paid_amount, a.potential_amount,
                 "是" if a.claimed else "", a.title, f"{a.file} 第 {a.row} 行"] for a in items], {5: MONEY, 6: MONEY})

    left_out = workbook.create_sheet("未计入")
    rows = [[a.payout.order_id, "已在赔付记录", f"{KIND_LABELS[a.payout.kind]}，赔付记录第 {a.entry.row} 行"
             + (f"，{a.entry.computed_at:%Y-%m-%d %H:%M} {a.entry.by}" if a.entry.computed_at else ""), a.payout.file, a.payout.row]
            for a in report.already_paid]
    rows += [[c.order_id, "需要人工核对", c.message, c.file, c.row] for c in report.checks]
    rows += [["", "没能使用的行", f"{'「' + r.column + '」' if r.column else ''}{r.message}", r.file, r.row] for r in report.rejected]
    rows += [["", "文件里缺少的信息", m.message, "", None] for m in report.missing]
    _sheet(left_out, ["订单号", "原因", "说明", "文件", "行"], rows, {})
    if not rows:
        _put(left_out, 2, 1, "没有未计入的行")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
