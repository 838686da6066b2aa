"""What `handover returns import` shows: the summary (新增 · 更新 · 未变 · 不能用), the returns added and
the changes made, every row that could not be used with its file, row and reason, the rows written with
the platform's times out of order; as text or JSON."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from itertools import zip_longest
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..exports import platform_label
from ..model.couriers import courier_of
from ..model.schema import REFUND_STATUS_LABELS, RETURN_HEADERS, RefundStatus
from ..model.values import iso_time, money_text
from ..returns_import.plan import TIME_VALUES, ImportReport, Update
from ..returns_import.refund_exports import LEDGER_TIMES, ExportedReturn
from ..textwidth import table
from .environment import render
from .views import dumps

SHOWN = 30  # returns added or changed listed in the text; JSON lists every one


# ---------------------------------------------------------------------------------------- JSON

def json_value(key: str, value: Any, tz: ZoneInfo) -> Any:
    """SPEC "JSON output": English keys for statuses and couriers, ISO times, money with two decimals."""
    if value is None or value == "":
        return None
    if isinstance(value, RefundStatus):
        return value.value
    if isinstance(value, datetime):
        return iso_time(value, tz)
    if key in TIME_VALUES:  # an export's time, as the tab keeps it
        return iso_time(datetime.fromisoformat(value).replace(tzinfo=tz), tz)
    if isinstance(value, Decimal):
        return money_text(value)
    if key == "return_courier":
        courier = courier_of(value)
        return courier.key if courier else value
    return value


def report_json(report: ImportReport) -> dict[str, Any]:
    tz = report.tz
    plan = report.plan

    def source(line) -> dict[str, Any]:
        return {"file": line.file, "file_row": line.row}

    def new_json(line: ExportedReturn, id_: str, row: int | None) -> dict[str, Any]:
        return {"id": id_, "row": row, "platform": line.platform, "refund_id": line.refund_id,
                "order_id": line.order_id, "buyer": line.buyer, "reason": line.reason,
                "refund_status": line.status.value, "return_courier": json_value("return_courier", line.return_courier, tz),
                "return_tracking_no": line.return_tracking_no,
                "refund_amount": json_value("refund_amount", line.refund_amount, tz),
                **{key: json_value(key, getattr(line, key), tz) for key in (*LEDGER_TIMES, "platform_deadline")},
                "platform_updated_at": json_value("platform_updated_at", line.stamped_at, tz), **source(line)}

    def update_json(update: Update) -> dict[str, Any]:
        item = update.item
        return {"id": item.id, "row": update.row or item.row, "platform": item.platform,
                "refund_id": item.refund_id or update.line.refund_id, "order_id": item.order_id or update.line.order_id,
                "changes": [{"column": key, "old": json_value(key, old, tz), "new": json_value(key, new, tz)}
                            for key, old, new in update.changes],
                **source(update.line)}

    return {
        "generated_at": iso_time(report.generated_at, tz),
        "tab": plan.tab,
        "committed": report.committed,
        "files": [{"file": f.file, "platform": f.platform, "encoding": f.encoding, "rows": f.rows,
                   "skipped": f.skipped} for f in report.files],
        "counts": report.counts(),
        "new": [new_json(line, id_, row) for line, id_, row in zip_longest(plan.new, plan.new_ids(), plan.landed)],
        "updated": [update_json(update) for update in plan.updates],
        "rejected": [r.as_json() for r in plan.rejected],
        "notes": [r.as_json() for r in plan.noted],
        "skipped_rows": plan.skipped_rows,
        "added_columns": plan.added_columns(),
    }


# ---------------------------------------------------------------------------------------- text

def _shown(key: str, value: Any, tz: ZoneInfo) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, RefundStatus):
        return REFUND_STATUS_LABELS[value]
    if isinstance(value, datetime):
        return value.astimezone(tz).strftime("%m-%d %H:%M")
    if key in TIME_VALUES:
        return value[5:]  # 2026-11-22 10:00 -> 11-22 10:00
    if isinstance(value, Decimal):
        return money_text(value)
    return str(value)


def _new_rows(report: ImportReport) -> list[list[str]]:
    tz = report.tz
    rows = [["编号", "平台", "退款编号", "订单号", "退款状态", "退货单号", "超时时间"]]
    for line, id_ in zip(report.plan.new, report.plan.new_ids(SHOWN)):
        rows.append([id_, platform_label(line.platform), line.refund_id or "-", line.order_id,
                     REFUND_STATUS_LABELS[line.status], line.return_tracking_no or "-",
                     _shown("platform_deadline", line.platform_deadline, tz) if line.platform_deadline else "-"])
    return rows


def _update_line(update: Update, tz: ZoneInfo) -> str:
    item = update.item
    changes = "；".join(f"{RETURN_HEADERS[key]} {_shown(key, old, tz)} → {_shown(key, new, tz)}"
                        for key, old, new in update.changes)
    named = f"退款编号 {item.refund_id}" if item.refund_id else f"订单 {item.order_id or update.line.order_id}"
    return f"{item.id or '（无编号）'}（第 {update.row or item.row} 行）{platform_label(item.platform)} {named}：{changes}"


def render_report(report: ImportReport, fmt: str = "text", override: Path | None = None) -> str:
    """The report as JSON (`fmt="json"`) or as the text the team reads (templates/returns_import.txt.j2)."""
    if fmt == "json":
        return dumps(report_json(report))
    plan = report.plan
    tz = report.tz
    landed = plan.landed
    files = [f"{f.file}（{platform_label(f.platform)}，{f.rows} 行" + (f"，其中 {f.skipped} 行没有售后" if f.skipped else "")
             + "）" for f in report.files]
    return render(
        "returns_import.txt.j2", override,
        generated=report.generated_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), tab=plan.tab, files=files,
        counts=report.counts(), committed=report.committed, commit_requested=report.commit_requested,
        new_lines=table(_new_rows(report)) if plan.new else [], new_more=max(0, len(plan.new) - SHOWN),
        landed=(min(landed), max(landed)) if landed else None,
        updates=[_update_line(update, tz) for update in plan.updates[:SHOWN]],
        updates_more=max(0, len(plan.updates) - SHOWN),
        rejected=[r.describe() for r in plan.rejected], noted=[r.describe() for r in plan.noted],
        skipped=plan.skipped_rows, added=plan.added_columns(),
    )
