"""`handover returns import` as a library: the platforms' refund exports upserted into the 退货 tab.

A return is known by its platform and the platform's 退款编号 / 售后单号 (the order id where a file has
no such column). `read_exports` streams the files (returns_export.py) and keeps the newest copy of each
return; `plan_import` lays them onto the tab as read:

- a return the tab does not hold is appended, with a new 编号;
- a return it holds is updated in place where a newer export says something else: 退款状态, 退货快递,
  退货单号, 超时时间, the times and the amount; 退款编号, 订单号, 买家 and 退货原因 are only filled where
  blank; 处理结果, 运费承担, 延长时间 and the shop's own columns are never written; nothing is deleted, and
  a return the platform closed is marked (退款状态 已关闭 / 已退款), not removed;
- newer means a later export time (`ExportedReturn.age`; the tab keeps it in 平台更新时间): the same or
  an older export changes nothing, so importing a file twice, or yesterday's file after today's, is safe.
  A row never imported (typed by hand) takes what the export says.

The write is one `Backend.write`, which reads the tab again and lays the plan onto it as it is then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from .errors import SheetError
from .exports import RejectedRow
from .returns import (
    RETURN_COLUMNS, RETURN_HEADERS, REFUND_STATUS_LABELS, RefundStatus, ReturnItem, ReturnTable, parse_returns,
    return_ids,
)
from .returns_export import LEDGER_TIMES, ExportedReturn, ReturnRows, age_of, open_return_exports
from .schema import PLATFORM_LABELS
from .sheet import CellChange, Grid, TabWrite, WriteResult, WriteValue
from .values import clean_text, time_text

# Written whenever a newer export says something else (a blank in the export never erases).
PLATFORM_KEYS = ("refund_status", "return_courier", "return_tracking_no", *LEDGER_TIMES, "platform_deadline",
                 "refund_amount", "platform_updated_at")
# Written only into a blank cell: what the shop may have typed better (a reason in its own words).
FILL_KEYS = ("refund_id", "order_id", "buyer", "reason")
TIME_VALUES = (*LEDGER_TIMES, "platform_deadline", "platform_updated_at")
MONEY_FORMAT = "#,##0.00"
_FAMILY = {"tmall": "taobao"}  # Tmall refunds run on Taobao's refund system: one numbering


def return_key(platform: str | None, refund_id: str, order_id: str) -> tuple[str, str, str]:
    family = _FAMILY.get(platform or "", platform or "")
    return (family, "refund", refund_id) if refund_id else (family, "order", order_id)


# ------------------------------------------------------------------------------------ reading

@dataclass
class ImportedFile:
    file: str
    platform: str | None
    encoding: str | None
    rows: int
    skipped: int  # rows that are no return (an order export's 无售后)


@dataclass
class ExportBatch:
    """The newest copy of every return in the files, and what became of the other rows."""

    files: list[ImportedFile]
    returns: dict[tuple[str, str, str], ExportedReturn]
    superseded: int  # rows with a newer (or the same) copy of their return in the files
    rejected: list[RejectedRow]


def read_exports(paths: Sequence[str | Path], tz: ZoneInfo, now: datetime, *, platform: str | None = None,
                 columns: Mapping[str, tuple[str, ...]] | None = None, cap: Decimal | None = None) -> ExportBatch:
    exports = open_return_exports(paths, platform=platform, columns=columns)
    rejected: list[RejectedRow] = []
    best: dict[tuple[str, str, str], ExportedReturn] = {}
    rivals: dict[tuple[str, str, str], list[ExportedReturn]] = {}
    superseded = 0
    files = []
    for export in exports:
        rows = ReturnRows(export, tz, now, rejected, cap)
        for line in rows:
            key = return_key(line.platform, line.refund_id, line.order_id)
            seen = best.setdefault(key, line)
            if seen is line:
                continue
            age, seen_age = line.age(), seen.age()
            if age > seen_age:
                best[key] = line
                superseded += 1 + len(rivals.pop(key, ()))
            elif age < seen_age or line.facts() == seen.facts():
                superseded += 1
            else:
                rivals.setdefault(key, []).append(line)
        files.append(ImportedFile(export.label, export.platform, export.encoding, export.rows_read, rows.skipped))
    for key, others in rivals.items():
        copies = [best.pop(key), *others]
        for line in copies:
            other = next(copy for copy in copies if copy is not line)
            rejected.append(RejectedRow(line.row, None, f"和 {other.file} 第 {other.row} 行是同一条退货，导出时间和状态都一样，"
                                                        "内容却不同：看不出哪一份更新，请到后台核对", file=line.file))
    return ExportBatch(files, best, superseded, _unique(rejected))


def _unique(rejected: list[RejectedRow]) -> list[RejectedRow]:
    seen = dict.fromkeys((r.file, r.row, r.column, r.message) for r in rejected)
    return [RejectedRow(row, column, message, file=file) for file, row, column, message in seen]


# ----------------------------------------------------------------------------------- the plan

@dataclass
class NewReturn:
    line: ExportedReturn
    id: str
    row: int | None = None  # where it landed, once written


@dataclass
class Update:
    item: ReturnItem  # the row as read
    line: ExportedReturn
    changes: list[tuple[str, Any, Any]]  # (column key, what the row holds, what the export says)
    row: int | None = None  # where the row was found at write time, when it had moved


@dataclass
class ImportPlan:
    table: ReturnTable | None  # None: the workbook has no 退货 tab yet
    tab: str
    new: list[NewReturn] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    unchanged: int = 0
    older: int = 0  # of the unchanged: the tab holds newer data than the export
    rejected: list[RejectedRow] = field(default_factory=list)
    skipped_rows: list[int] = field(default_factory=list)  # rows without 编号 moved or changed before the write

    def write(self, tz: ZoneInfo) -> TabWrite:
        return _tab_write(self, tz)


def plan_import(grid: Grid | None, batch: ExportBatch, *, now: datetime, tz: ZoneInfo, tab: str) -> ImportPlan:
    table = parse_returns(grid, tz, now=now) if grid is not None else None
    if table is not None and table.items:
        for key in ("platform", "order_id"):
            if not table.columns.has(key):
                raise SheetError(f"「{table.grid.tab}」的表头里没有「{RETURN_HEADERS[key]}」列：导入要按平台和退款编号"
                                 "找到已有的退货，请先加上这一列（填好已有的行）再导入")
    plan = ImportPlan(table, table.grid.tab if table else tab, unchanged=batch.superseded,
                      rejected=list(batch.rejected))
    _Matcher(plan, table).run(batch.returns.values())
    ids = return_ids([item.id for item in table.items if item.id] if table else [], now)
    for new in plan.new:
        new.id = next(ids)
    return plan


class _Matcher:
    """Finds each exported return's row in the tab and decides what to write there."""

    def __init__(self, plan: ImportPlan, table: ReturnTable | None):
        self.plan = plan
        self.by_refund: dict[tuple, list[ReturnItem]] = {}
        self.by_order: dict[tuple, list[ReturnItem]] = {}
        self.id_count: dict[str, int] = {}
        self.claimed: dict[int, ExportedReturn] = {}
        self.cells: dict[int, Sequence[Any]] = {}
        for item in table.items if table else ():
            if item.platform is None:
                continue
            if item.refund_id:
                self.by_refund.setdefault(return_key(item.platform, item.refund_id, ""), []).append(item)
            if item.order_id:
                self.by_order.setdefault(return_key(item.platform, "", item.order_id), []).append(item)
            if item.id:
                self.id_count[item.id] = self.id_count.get(item.id, 0) + 1
        self.table = table

    def run(self, lines: Iterable[ExportedReturn]) -> None:
        lines = list(lines)
        unmatched_orders: dict[tuple, int] = {}  # returns of one order the tab holds by no refund id
        for line in lines:
            if line.refund_id and return_key(line.platform, line.refund_id, "") not in self.by_refund:
                order = return_key(line.platform, "", line.order_id)
                unmatched_orders[order] = unmatched_orders.get(order, 0) + 1
        for line in lines:
            found = self._find(line, unmatched_orders)
            if isinstance(found, str):
                self.plan.rejected.append(RejectedRow(line.row, None, found, file=line.file))
            elif found is None:
                self.plan.new.append(NewReturn(line, ""))
            else:
                self._compare(found, line)

    def _find(self, line: ExportedReturn, unmatched_orders: Mapping[tuple, int]) -> ReturnItem | str | None:
        """The row holding this return, None for a new one, or why the import cannot tell."""
        order = return_key(line.platform, "", line.order_id)
        if line.refund_id:
            rows = self.by_refund.get(return_key(line.platform, line.refund_id, ""), [])
            what = f"退款编号 {line.refund_id}"
            if not rows:
                # A return typed by hand before the platform's export existed: the one row of that order
                # without a 退款编号, when the files hold only one return of that order to give it.
                rows = [item for item in self.by_order.get(order, []) if not item.refund_id]
                what = f"订单 {line.order_id}（没填退款编号）"
                if len(rows) == 1 and unmatched_orders.get(order, 0) > 1:
                    return (f"表里第 {rows[0].row} 行是订单 {line.order_id} 的退货，没填退款编号；导出里这个订单有 "
                            f"{unmatched_orders[order]} 个退款：请在第 {rows[0].row} 行填上对应的退款编号再导入")
        else:
            rows = self.by_order.get(order, [])
            what = f"订单 {line.order_id}"
        if not rows:
            return None
        if len(rows) > 1:
            return f"表里第 {'、'.join(str(item.row) for item in rows)} 行都是{what}：请先删掉或改正重复的行再导入"
        item = rows[0]
        if item.id and self.id_count.get(item.id, 0) > 1:
            return f"表里第 {item.row} 行的编号 {item.id} 不只一行在用：请先改成不重复的编号再导入"
        other = self.claimed.setdefault(item.row, line)
        if other is not line:
            return f"和 {other.file} 第 {other.row} 行对应表里同一行（第 {item.row} 行）：请核对这两行是不是同一条退货"
        return item

    def _compare(self, item: ReturnItem, line: ExportedReturn) -> None:
        plan = self.plan
        if item.platform_updated_at is not None:
            ours = age_of(item.platform_updated_at, item.refund_status, item.platform_deadline)
            if line.age() <= ours:
                plan.unchanged += 1
                if line.age() < ours:
                    plan.older += 1
                return
        changes = []
        for key in PLATFORM_KEYS:
            new = _value(line, key)
            old = self._held(item, key)
            if new not in (None, "") and not _same(key, old, new):
                changes.append((key, old, new))
        for key in FILL_KEYS:
            new = _value(line, key)
            if new and not self._raw_text(item, key):
                changes.append((key, None, new))
        if changes:
            plan.updates.append(Update(item, line, changes))
        else:
            plan.unchanged += 1

    def _raw_text(self, item: ReturnItem, key: str) -> str:
        return clean_text(raw_cell(self.table, item, key)) if self.table else ""

    def _held(self, item: ReturnItem, key: str) -> Any:
        """What the row holds, typed; None when blank or unreadable (the export's value then goes in). A
        courier is what the cell says (not one recognised from the number), as the export would write it."""
        if key == "return_courier":
            text = self._raw_text(item, key)
            return item.return_courier.name if item.return_courier and text else text or None
        return None if key in item.unusable else getattr(item, key)


def _value(line: ExportedReturn, key: str) -> Any:
    if key == "refund_status":
        return line.status
    if key == "platform_updated_at":
        return line.stamped_at
    return getattr(line, key)


def _same(key: str, old: Any, new: Any) -> bool:
    if old is None:
        return False
    if key in TIME_VALUES:
        return old.replace(second=0, microsecond=0) == new
    return old == new


def raw_cell(table: ReturnTable, item: ReturnItem, key: str) -> Any:
    position = table.columns.index.get(key)
    cells = table.grid.row_at(item.row)
    return cells[position] if position is not None and position < len(cells) else None


# ---------------------------------------------------------------------------------- the write

def cell_value(key: str, value: Any, tz: ZoneInfo) -> WriteValue:
    """How the import writes a value: the tab's own labels, times to the minute, money as a number."""
    if isinstance(value, RefundStatus):
        return REFUND_STATUS_LABELS[value]
    if key in TIME_VALUES:
        return time_text(value, tz)
    if key == "platform":
        return PLATFORM_LABELS[value]
    return value


def _tab_write(plan: ImportPlan, tz: ZoneInfo) -> TabWrite:
    table = plan.table
    if table is None:
        header = [column.header for column in RETURN_COLUMNS]
        write = TabWrite(tab=plan.tab, header=header, id_column=RETURN_HEADERS["id"], create=True,
                         unique=(RETURN_HEADERS["id"],), number_formats={RETURN_HEADERS["refund_amount"]: MONEY_FORMAT})
        header_of = dict(RETURN_HEADERS)
    else:
        header_of = {key: table.header(key) for key in RETURN_HEADERS}
        write = TabWrite(tab=table.grid.tab, header=list(table.grid.header), id_column=header_of["id"],
                         header_row=table.grid.header_row, unique=(header_of["id"],),
                         number_formats={header_of["refund_amount"]: MONEY_FORMAT})
        needed = {key for update in plan.updates for key, _, _ in update.changes}
        needed |= {key for new in plan.new for key, value in _new_cells(new, tz).items() if value not in (None, "")}
        write.add_columns = [RETURN_HEADERS[key] for key in RETURN_HEADERS
                             if key in needed and not table.columns.has(key)]
        for update in plan.updates:
            item = update.item
            cells = None if item.id else table.grid.row_at(item.row)
            for key, _, new in update.changes:
                write.changes.append(CellChange(item.row, item.id, header_of[key], raw_cell(table, item, key),
                                                cell_value(key, new, tz), row_cells=cells))
    columns = write.header + write.add_columns
    positions = {key: columns.index(header_of[key]) for key in RETURN_HEADERS if header_of[key] in columns}
    for new in plan.new:
        row: list[WriteValue] = [None] * len(columns)
        for key, value in _new_cells(new, tz).items():
            if value not in (None, ""):
                row[positions[key]] = value
        write.appends.append(row)
    return write


def _new_cells(new: NewReturn, tz: ZoneInfo) -> dict[str, WriteValue]:
    line = new.line
    cells: dict[str, WriteValue] = {"id": new.id, "platform": cell_value("platform", line.platform, tz)}
    for key in (*FILL_KEYS, *PLATFORM_KEYS):
        value = _value(line, key)
        cells[key] = cell_value(key, value, tz) if value not in (None, "") else None
    return cells


def settle(plan: ImportPlan, result: WriteResult) -> None:
    """Where the write put the new rows, and where moved rows were found."""
    rows = result.appended_rows.get(plan.tab, [])
    for new, row in zip(plan.new, rows):
        new.row = row
    moved = result.moved_rows.get(plan.tab, {})
    for update in plan.updates:
        update.row = moved.get(update.item.id, update.item.row)
    plan.skipped_rows = sorted(set(result.skipped_rows.get(plan.tab, [])))
