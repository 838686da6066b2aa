"""Write plans for the handover tab: give blank rows an 编号, mark items done, log a new item.

Each function turns what the user asked for into one TabWrite against the table as read; the backend
then lays it onto the tab as it is at write time and applies it all or nothing. Rows are named by 编号:
the row number only says where the row was when we read it. A row without 编号 is named by all it held
(`CellChange.row_cells`), so it gets one only if it is still there, unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Mapping, Sequence
from zoneinfo import ZoneInfo

from ..errors import HandoverError, RowRejectedError, UnknownIdError
from ..sheet import CellChange, Grid, TabWrite, WriteResult, WriteValue
from .handover_tab import HandoverItem, HandoverTable, parse_handover
from .rows import IdAllocator, id_key
from .schema import HANDOVER_HEADERS, STATUS_LABELS, Status
from .values import time_text


@dataclass
class Plan:
    """A write for the handover tab and what it means, for the command to report."""

    write: TabWrite
    assigned: dict[int, str]  # row -> new 编号

    def settled(self, written: WriteResult) -> tuple[dict[int, str], list[int]]:
        """After the write: (row -> 编号 really given, rows left without one because the sheet moved
        them or changed them since the read)."""
        skipped = sorted(written.skipped_rows.get(self.write.tab, []))
        return {row: new_id for row, new_id in self.assigned.items() if row not in skipped}, skipped


class _Builder:
    """Collects changes to the handover tab, adding missing columns (编号, 处理人 …) to the header."""

    def __init__(self, table: HandoverTable):
        self.table = table
        self.grid = table.grid
        self.write = TabWrite(tab=self.grid.tab, header=list(self.grid.header), header_row=self.grid.header_row)
        self.id_header = self.header_of("id")
        self.write.id_column = self.id_header
        self.write.unique = (self.id_header,)

    def header_of(self, key: str) -> str:
        """The sheet's header for a key, adding the column when the sheet lacks it."""
        existing = self.table.columns.header_text.get(key)
        if existing:
            return existing
        header = HANDOVER_HEADERS[key]
        if header not in self.write.add_columns:
            self.write.add_columns.append(header)
        return header

    def set(self, item: HandoverItem, key: str, value: WriteValue) -> None:
        header = self.header_of(key)
        cells = self.grid.row_at(item.row)
        position = self.table.columns.index.get(key)
        old = cells[position] if position is not None and position < len(cells) else None
        self.write.changes.append(CellChange(item.row, item.id, header, old, value,
                                             row_cells=None if item.id else cells))


def _assign_ids(builder: _Builder, now: datetime) -> dict[int, str]:
    table = builder.table
    blank = [item for item in table.items if not item.id]
    if not blank:
        return {}
    allocator = IdAllocator("H", table.ids())
    assigned: dict[int, str] = {}
    for item in blank:
        new_id = allocator.next(item.logged_at or now)
        builder.set(item, "id", new_id)
        assigned[item.row] = new_id
    return assigned


def assign_ids_plan(table: HandoverTable, now: datetime) -> Plan:
    builder = _Builder(table)
    assigned = _assign_ids(builder, now)
    return Plan(builder.write, assigned)


def wanted_ids(ids: Sequence[str]) -> list[str]:
    """The 编号 a user typed, as the sheet's 编号 are compared: without surrounding spaces."""
    return [i.strip() for i in ids if i.strip()]


def done_plan(table: HandoverTable, ids: Sequence[str], *, status: Status, by: str, now: datetime,
              tz: ZoneInfo, result: str | None) -> tuple[Plan, list[HandoverItem]]:
    """Mark the items with these ids, typed in either case (`id_key`); an unknown or ambiguous id stops
    everything before any write. `table` may hold only the rows with these ids and those without 编号
    (`parse_handover(only_ids=…)`)."""
    wanted = wanted_ids(ids)
    if not wanted:  # `done ""`: an empty quoted id, or a variable that held none
        raise UnknownIdError("没有给出编号（什么都没有写入）：写要标的编号，例如 handover done H20261122-001")
    by_id = table.by_id()
    unknown = [i for i in wanted if id_key(i) not in by_id]
    if unknown:
        raise UnknownIdError(f"表格里没有这些编号：{'、'.join(unknown)}（什么都没有写入）")
    doubled = [i for i in dict.fromkeys(wanted) if len(by_id[id_key(i)]) > 1]
    if doubled:
        raise HandoverError(f"编号重复，不知道该改哪一行：{'；'.join(_rows_holding(i, by_id[id_key(i)]) for i in doubled)}。"
                            "请先把重复的编号改掉（什么都没有写入）")
    builder = _Builder(table)
    assigned = _assign_ids(builder, now)
    items = []
    for key in dict.fromkeys(id_key(i) for i in wanted):
        item = by_id[key][0]
        builder.set(item, "status", STATUS_LABELS[status])
        builder.set(item, "handler", by)
        builder.set(item, "handled_at", time_text(now, tz))
        if result is not None:
            builder.set(item, "result", result)
        items.append(item)
    return Plan(builder.write, assigned), items


def _rows_holding(typed: str, items: Sequence[HandoverItem]) -> str:
    """`H1 在第 2、3 行`, or, when the rows spell it differently, each row with its spelling."""
    if all(item.id == typed for item in items):
        return f"{typed} 在第 {'、'.join(str(item.row) for item in items)} 行"
    return f"{typed} 可能是{'，也可能是'.join(f'第 {item.row} 行的 {item.id}' for item in items)}（编号不分大小写）"


def log_plan(table: HandoverTable, fields: Mapping[str, str], *, by: str, now: datetime,
             tz: ZoneInfo) -> tuple[Plan, HandoverItem]:
    """Append one item, validated exactly like a row typed into the sheet."""
    builder = _Builder(table)
    assigned = _assign_ids(builder, now)
    values: dict[str, str] = {key: value.strip() for key, value in fields.items() if value and value.strip()}
    values.setdefault("logged_at", time_text(now, tz))
    values.setdefault("logged_by", by)
    values.setdefault("status", STATUS_LABELS[Status.OPEN])
    allocator = IdAllocator("H", table.ids() + list(assigned.values()))
    values["id"] = allocator.next(now)
    for key in values:
        builder.header_of(key)

    header = builder.write.header + builder.write.add_columns
    keys = {**{text: key for key, text in table.columns.header_text.items()},
            **{HANDOVER_HEADERS[key]: key for key in values if key not in table.columns.header_text}}
    row: list[WriteValue] = [values.get(keys.get(name, ""), None) if name else None for name in header]

    # Validate the new row by parsing it the way every sheet row is parsed.
    probe = parse_handover(Grid(table.grid.tab, header, [list(row)]), tz, now=now)
    item = probe.items[0]
    if item.errors:
        key_of = {**{text: key for key, text in HANDOVER_HEADERS.items()}, **keys}
        raise RowRejectedError([(key_of.get(p.column or ""), p.column, p.message) for p in item.errors])
    # Store what was understood, not what was typed: the order id the command echoes is the one in the sheet.
    understood = {"order_id": item.order_id, "tracking_no": item.tracking_no, "phone": item.phone}
    for index, name in enumerate(header):
        if understood.get(keys.get(name, "")):
            row[index] = understood[keys[name]]
    builder.write.appends.append(row)
    return Plan(builder.write, assigned), item
