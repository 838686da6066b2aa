"""`handover returns import` as a library: the platforms' refund exports upserted into the 退货 tab.

A return is known by its platform and the platform's 退款编号 / 售后单号 (the order id where a file has
no such column). `read_exports` streams the files (`refund_rows`) and keeps the newest copy of each
return; `plan_import` lays them onto the tab as read:

- a return the tab does not hold is appended, with a new 编号;
- a return it holds is updated in place where a newer export says something else: 退款状态, 退货快递,
  退货单号, 超时时间, the times and the amount; 退款编号, 订单号, 买家 and 退货原因 are only filled where
  blank; 处理结果, 运费承担, 延长时间 and the shop's own columns are never written; nothing is deleted, and
  a return the platform closed is marked (退款状态 已关闭 / 已退款), not removed;
- newer means a later export time (`ExportedReturn.age`; the tab keeps it in 平台更新时间): the same or
  an older export changes nothing, so importing a file twice, or yesterday's file after today's, is safe.
  A row never imported (typed by hand) takes what the export says. A cell is compared as it reads, even
  one `check` sets aside (a time out of order), so what the tab already holds is never a change;
- a return is counted once however many copies the files hold (`superseded` counts the other rows);
- the platform's own times out of order (a parcel sent back before the refund was applied for: a buyer
  applying again after a refusal) are imported as the platform gives them, since the return and its
  platform deadline matter more than the order of two times; they are noted, as `check` will flag them.

The write is one `Backend.write`, which reads the tab again and lays the plan onto it as it is then.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from operator import attrgetter
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence
from zoneinfo import ZoneInfo

from ..errors import SheetError
from ..exports import RejectedRow, each_once
from ..model.returns_tab import ReturnItem, ReturnTable, parse_returns, returns_write
from ..model.rows import IdAllocator
from ..model.schema import MONEY_FORMAT, PLATFORM_LABELS, REFUND_STATUS_LABELS, RETURN_HEADERS, RefundStatus
from ..model.values import ValueProblem, parse_datetime, time_text
from ..sheet import CellChange, Grid, TabWrite, WriteResult, WriteValue, clean_text
from .refund_exports import LEDGER_TIMES, ExportedReturn, age_of, open_return_exports
from .refund_rows import ReturnRows

# Written whenever a newer export says something else (a blank in the export never erases).
PLATFORM_KEYS = ("refund_status", "return_courier", "return_tracking_no", *LEDGER_TIMES, "platform_deadline",
                 "refund_amount", "platform_updated_at")
# Written only into a blank cell: what the shop may have typed better (a reason in its own words).
FILL_KEYS = ("refund_id", "order_id", "buyer", "reason")
TIME_VALUES = (*LEDGER_TIMES, "platform_deadline", "platform_updated_at")
_FAMILY = {"tmall": "taobao"}  # Tmall refunds run on Taobao's refund system: one numbering


def family_of(platform: str | None) -> str:
    return _FAMILY.get(platform or "", platform or "")


REFUND, ORDER = "refund", "order"  # what a return is known by: its 退款编号 / 售后单号, else its order id
Returns = dict[tuple[str, str], dict[str, ExportedReturn]]  # (platform family, REFUND or ORDER) -> id -> return


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
    returns: Returns
    superseded: int  # rows with a newer (or the same) copy of their return in the files
    rejected: list[RejectedRow]
    backwards: list[ExportedReturn] = field(default_factory=list)  # rows whose own times go backwards

    def lines(self) -> list[ExportedReturn]:
        return [line for lines in self.returns.values() for line in lines.values()]


def read_exports(paths: Sequence[str | Path], tz: ZoneInfo, now: datetime, *, platform: str | None = None,
                 columns: Mapping[str, tuple[str, ...]] | None = None, cap: Decimal | None = None) -> ExportBatch:
    exports = open_return_exports(paths, platform=platform, columns=columns)
    rejected: list[RejectedRow] = []
    newest = _Newest()
    files = []
    backwards: list[ExportedReturn] = []
    for export in exports:
        rows = ReturnRows(export, tz, now, rejected, cap)
        for lines in rows.batches():
            newest.add(lines)
        files.append(ImportedFile(export.label, export.platform, export.encoding, export.rows_read, rows.skipped))
        backwards += rows.backwards
    for copies in newest.undecided():
        for line in copies:
            other = next(copy for copy in copies if copy is not line)
            rejected.append(RejectedRow(line.row, None, f"和 {other.file} 第 {other.row} 行是同一条退货，导出时间和状态都一样，"
                                                        "内容却不同：看不出哪一份更新，请到后台核对", file=line.file))
    return ExportBatch(files, newest.returns, newest.superseded, each_once(rejected), backwards)


class _Newest:
    """The newest copy of each return read so far. Copies of the same age saying something else are
    rivals: nobody can tell which is right, and `undecided` takes them all out."""

    def __init__(self) -> None:
        self.returns: Returns = {}
        self.rivals: dict[tuple[str, str, str], list[ExportedReturn]] = {}
        self.superseded = 0  # rows a newer or equal copy replaced

    def add(self, lines: list[ExportedReturn]) -> None:
        platforms = set(map(_PLATFORM, lines))
        refund_ids = list(map(_REFUND_ID, lines))
        if len(platforms) == 1 and (all(refund_ids) or not any(refund_ids)):
            # One platform, one kind of id (nearly every batch): returns never seen before go in at once.
            kind, ids = (REFUND, refund_ids) if all(refund_ids) else (ORDER, list(map(_ORDER_ID, lines)))
            known = self.returns.setdefault((family_of(platforms.pop()), kind), {})
            if len(set(ids)) == len(ids) and known.keys().isdisjoint(ids):
                known.update(zip(ids, lines))
                return
        for line in lines:
            self._add(line)

    def _add(self, line: ExportedReturn) -> None:
        kind, id_ = (REFUND, line.refund_id) if line.refund_id else (ORDER, line.order_id)
        family = family_of(line.platform)
        known = self.returns.setdefault((family, kind), {})
        seen = known.setdefault(id_, line)
        if seen is line:
            return
        age, seen_age = line.age(), seen.age()
        if age > seen_age:
            known[id_] = line
            self.superseded += 1 + len(self.rivals.pop((family, kind, id_), ()))
        elif age < seen_age or line.facts() == seen.facts():
            self.superseded += 1
        else:
            self.rivals.setdefault((family, kind, id_), []).append(line)

    def undecided(self) -> Iterator[list[ExportedReturn]]:
        for (family, kind, id_), others in self.rivals.items():
            yield [self.returns[(family, kind)].pop(id_), *others]


_PLATFORM, _REFUND_ID, _ORDER_ID = attrgetter("platform"), attrgetter("refund_id"), attrgetter("order_id")


# ----------------------------------------------------------------------------------- the plan

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
    now: datetime
    new: list[ExportedReturn] = field(default_factory=list)  # in file order
    landed: list[int] = field(default_factory=list)  # the rows the new returns were written to
    updates: list[Update] = field(default_factory=list)
    unchanged: int = 0  # returns the tab holds as the files say (each return once, however many copies)
    older: int = 0  # of the unchanged: the tab holds newer data than the export
    superseded: int = 0  # rows that are another copy of a return the files hold: counted with that return
    rejected: list[RejectedRow] = field(default_factory=list)
    noted: list[RejectedRow] = field(default_factory=list)  # lines written with the platform's times out of order
    skipped_rows: list[int] = field(default_factory=list)  # rows without 编号 moved or changed before the write

    def write(self) -> TabWrite:
        return _tab_write(self)

    def added_columns(self) -> list[str]:
        """The columns the tab lacks and the write adds (right of every used column), for values it
        writes: a 退货 tab laid out before the import gets 退款编号, 退款金额 and 平台更新时间."""
        if self.table is None:
            return []
        needed = {key for update in self.updates for key, _, _ in update.changes}
        missing = [key for key in RETURN_HEADERS if not self.table.columns.has(key)]
        for key in missing:
            if self.new and key not in needed and (key in ("id", "platform", "refund_status") or not _BLANK.issuperset(
                    map(attrgetter(_ATTRIBUTES.get(key, key)), self.new))):
                needed.add(key)
        return [RETURN_HEADERS[key] for key in missing if key in needed]

    def new_ids(self, count: int | None = None) -> list[str]:
        """The 编号 the new returns get, in their order (the first `count`): the day's next numbers."""
        ids = IdAllocator("R", [item.id for item in self.table.items if item.id] if self.table else [])
        return [ids.next(self.now) for _ in self.new[:count]]


def plan_import(grid: Grid | None, batch: ExportBatch, *, now: datetime, tz: ZoneInfo, tab: str) -> ImportPlan:
    table = parse_returns(grid, tz, now=now) if grid is not None else None
    if table is not None and table.items:
        for key in ("platform", "order_id"):
            if not table.columns.has(key):
                raise SheetError(f"「{table.grid.tab}」的表头里没有「{RETURN_HEADERS[key]}」列：导入要按平台和退款编号"
                                 "找到已有的退货，请先加上这一列（填好已有的行）再导入")
    plan = ImportPlan(table, table.grid.tab if table else tab, now, superseded=batch.superseded,
                      rejected=list(batch.rejected))
    plan.new = _Matcher(plan, table, tz).run(batch.returns)
    plan.noted = _out_of_order(plan, batch.backwards)
    return plan


def _out_of_order(plan: ImportPlan, backwards: list[ExportedReturn]) -> list[RejectedRow]:
    """Of the rows whose own times go backwards, those the import writes: a new return, or an update
    writing one of the two times. Said in the tab's words, as `check` says it."""
    if not backwards:
        return []
    new = set(map(id, plan.new))
    changed = {id(update.line): {key for key, _, _ in update.changes} for update in plan.updates}
    noted = []
    for line in sorted(backwards, key=attrgetter("file", "row")):
        if id(line) not in new and id(line) not in changed:
            continue  # an older copy, unchanged, or refused
        written = changed.get(id(line))
        pairs = [(later, earlier) for later, earlier in line.backwards()
                 if written is None or later in written or earlier in written]
        if pairs:
            said = "；".join(f"{RETURN_HEADERS[later]} {getattr(line, later)[5:]} 早于{RETURN_HEADERS[earlier]} "
                            f"{getattr(line, earlier)[5:]}" for later, earlier in pairs)
            noted.append(RejectedRow(line.row, None, f"{said}，平台导出里就是这样：请到平台后台核对这条退货", file=line.file))
    return noted


class _Matcher:
    """Finds each exported return's row in the tab and decides what to write there."""

    def __init__(self, plan: ImportPlan, table: ReturnTable | None, tz: ZoneInfo):
        self.plan = plan
        self.table = table
        self.tz = tz
        # The tab's rows by platform family, then by 退款编号 / by order id.
        self.by_refund: dict[str, dict[str, list[ReturnItem]]] = {}
        self.by_order: dict[str, dict[str, list[ReturnItem]]] = {}
        self.id_count: dict[str, int] = {}
        self.claimed: dict[int, ExportedReturn] = {}
        for item in table.items if table else ():
            if item.platform is None:
                continue
            family = family_of(item.platform)
            if item.refund_id:
                self.by_refund.setdefault(family, {}).setdefault(item.refund_id, []).append(item)
            if item.order_id:
                self.by_order.setdefault(family, {}).setdefault(item.order_id, []).append(item)
            if item.id:
                self.id_count[item.id] = self.id_count.get(item.id, 0) + 1

    def run(self, returns: Returns) -> list[ExportedReturn]:
        """Plans the returns the tab holds; gives back those it does not hold (new), in file order."""
        new: list[ExportedReturn] = []
        for (family, kind), lines in returns.items():
            refunds = self.by_refund.get(family, {}) if kind == REFUND else {}
            orders = self.by_order.get(family, {})
            if not refunds and not orders:
                new += lines.values()
                continue
            # Returns of one order the tab holds once, typed by hand without a 退款编号: counted first.
            unmatched = Counter(line.order_id for refund_id, line in lines.items()
                                if refund_id not in refunds and line.order_id in orders) if kind == REFUND else {}
            for id_, line in lines.items():
                rows = refunds.get(id_) if kind == REFUND else orders.get(id_)
                if rows is None and (kind == ORDER or line.order_id not in orders):
                    new.append(line)
                    continue
                found = self._find(line, rows, orders, unmatched)
                if isinstance(found, str):
                    self.plan.rejected.append(RejectedRow(line.row, None, found, file=line.file))
                elif found is None:
                    new.append(line)
                else:
                    self._compare(found, line)
        return new

    def _find(self, line: ExportedReturn, rows: list[ReturnItem] | None, orders: Mapping[str, list[ReturnItem]],
              unmatched: Mapping[str, int]) -> ReturnItem | str | None:
        """The row holding this return, None for a new one, or why the import cannot tell."""
        what = f"退款编号 {line.refund_id}" if line.refund_id else f"订单 {line.order_id}"
        if rows is None:
            # A return typed by hand before the platform's export existed: the one row of that order
            # without a 退款编号, when the files hold only one return of that order to give it.
            rows = [item for item in orders.get(line.order_id, []) if not item.refund_id]
            what = f"订单 {line.order_id}（没填退款编号）"
            if len(rows) == 1 and unmatched.get(line.order_id, 0) > 1:
                return (f"表里第 {rows[0].row} 行是订单 {line.order_id} 的退货，没填退款编号；导出里这个订单有 "
                        f"{unmatched[line.order_id]} 个退款：请在第 {rows[0].row} 行填上对应的退款编号再导入")
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
            # A deadline the export no longer shows (a refunded return's) is kept, not newer than the export.
            deadline = item.platform_deadline if line.platform_deadline else None
            ours = age_of(item.platform_updated_at, item.refund_status, deadline, self.tz)
            if line.age() <= ours:
                plan.unchanged += 1
                if line.age() < ours:
                    plan.older += 1
                return
        changes = []
        for key in PLATFORM_KEYS:
            new = _value(line, key)
            old = self._held(item, key)
            if new not in (None, "") and not _same(key, old, new, self.tz):
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
        return clean_text(self.table.raw(item, key)) if self.table else ""

    def _held(self, item: ReturnItem, key: str) -> Any:
        """What the row holds, typed; None when blank or unreadable (the export's value then goes in). A
        courier is what the cell says (not one recognised from the number), as the export would write it.
        A time `check` sets aside (before an earlier step's, or not come yet) is still what the cell says:
        the platform's own times can be out of order, and the import writes them as they are."""
        if key == "return_courier":
            text = self._raw_text(item, key)
            return item.return_courier.name if item.return_courier and text else text or None
        if key in item.unusable:
            return self._cell_time(item, key) if key in TIME_VALUES else None
        return getattr(item, key)

    def _cell_time(self, item: ReturnItem, key: str) -> datetime | None:
        try:
            return parse_datetime(self.table.raw(item, key), self.tz, reference=self.plan.now) if self.table else None
        except ValueProblem:
            return None


_ATTRIBUTES = {"refund_status": "status", "platform_updated_at": "stamped_at"}  # column key -> ExportedReturn
_BLANK = frozenset({None, ""})


def _value(line: ExportedReturn, key: str) -> Any:
    return getattr(line, _ATTRIBUTES.get(key, key))


def _same(key: str, old: Any, new: Any, tz: ZoneInfo) -> bool:
    if old is None:
        return False
    if key in TIME_VALUES:
        return time_text(old, tz) == new
    return old == new


# ---------------------------------------------------------------------------------- the write

def cell_value(key: str, value: Any) -> WriteValue:
    """How the import writes a value: the tab's own labels, money as a number; times are already the text
    the tab keeps (`2026-11-22 10:00`)."""
    if isinstance(value, RefundStatus):
        return REFUND_STATUS_LABELS[value]
    if key == "platform":
        return PLATFORM_LABELS[value]
    return value


def _tab_write(plan: ImportPlan) -> TabWrite:
    table = plan.table
    new_rows = [_new_cells(line, id_) for line, id_ in zip(plan.new, plan.new_ids())]
    write, header_of = returns_write(table, plan.tab)
    write.number_formats = {header_of["refund_amount"]: MONEY_FORMAT}
    if table is not None:
        write.add_columns = plan.added_columns()
        for update in plan.updates:
            item = update.item
            cells = None if item.id else table.grid.row_at(item.row)
            for key, _, new in update.changes:
                write.changes.append(CellChange(item.row, item.id, header_of[key], table.raw(item, key),
                                                cell_value(key, new), row_cells=cells))
    columns = write.header + write.add_columns
    positions = {key: columns.index(header_of[key]) for key in RETURN_HEADERS if header_of[key] in columns}
    for cells in new_rows:
        row: list[WriteValue] = [None] * len(columns)
        for key, value in cells.items():
            if value not in (None, ""):
                row[positions[key]] = value
        write.appends.append(row)
    return write


def _new_cells(line: ExportedReturn, id_: str) -> dict[str, WriteValue]:
    cells: dict[str, WriteValue] = {"id": id_, "platform": cell_value("platform", line.platform)}
    for key in (*FILL_KEYS, *PLATFORM_KEYS):
        value = _value(line, key)
        cells[key] = cell_value(key, value) if value not in (None, "") else None
    return cells


def settle(plan: ImportPlan, result: WriteResult) -> None:
    """Where the write put the new rows, and where moved rows were found."""
    plan.landed = result.appended_rows.get(plan.tab, [])
    moved = result.moved_rows.get(plan.tab, {})
    for update in plan.updates:
        update.row = moved.get(update.item.id, update.item.row)
    plan.skipped_rows = sorted(set(result.skipped_rows.get(plan.tab, [])))


# ---------------------------------------------------------------------------------- the report

@dataclass
class ImportReport:
    """What `returns import` did or would do: the files read, the plan, and whether it was written."""

    generated_at: datetime
    tz: ZoneInfo
    files: list[ImportedFile]
    plan: ImportPlan
    commit_requested: bool = False
    committed: bool = False

    def counts(self) -> dict[str, int]:
        plan = self.plan
        rejected_rows = len({(r.file, r.row) for r in plan.rejected})  # a row may have two problems
        return {"new": len(plan.new), "updated": len(plan.updates), "unchanged": plan.unchanged,
                "rejected": rejected_rows, "older": plan.older, "superseded": plan.superseded}
