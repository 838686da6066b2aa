"""The returns ledger (tab `退货`): one row per return, parsed once into typed records, and the write
that appends one (`handover log --return`).

Seed 004 is why the tab exists: for every return the team writes down the buyer, the reason, who bears
the shipping cost and the return tracking number, so a parcel that reaches the warehouse without a
label can be matched to its buyer by that number (`returns.find_by_tracking`). The four time columns say
where the return is in the platform's process; `timers` and `deadlines` turn them into countdowns.

As on the handover tab, a row that cannot be used is never dropped: it comes back with `problems`
naming the row, the column and the fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import RowRejectedError
from ..sheet import Grid, TabSpec, TabWrite, WriteValue, clean_text
from .couriers import COURIERS, Courier, courier_of, recognise
from .rows import ERROR, WARNING, IdAllocator, ParsedRow, Problem, filled, flag_duplicate_ids, header_problems
from .schema import (
    CLOSED_REFUNDS,
    PLATFORM_LABELS,
    REFUND_STATUS_LABELS,
    RETURN_COLUMNS,
    RETURN_HEADERS,
    SHIPPING_LABELS,
    TABS,
    ColumnMap,
    RefundStatus,
    ShippingPayer,
    locate_header,
    match_headers,
    platform_of,
    refund_status_of,
    shipping_payer_of,
)
from .values import (
    ValueProblem, folded, iso_time, money_text, parse_datetime, parse_money, parse_order_id, parse_tracking_no,
    time_text,
)

# What reading a row with an unknown 退款状态 does meanwhile (judge the stage by the times filled in).
_MEANWHILE_BY_TIMES = "；暂按填了的时间判断进度"

TIME_KEYS = ("requested_at", "approved_at", "waybill_at", "signed_at")  # in the order they happen


class Stage(str, Enum):
    """Where an open return is: each stage has its own platform clock (see `timers`)."""

    REQUEST = "request"  # the buyer asked; the shop has not answered
    AWAITING_RETURN = "awaiting_return"  # the shop agreed; the buyer has not entered a return waybill
    IN_TRANSIT = "in_transit"  # waybill entered; the parcel is on its way back
    SIGNED = "signed"  # the parcel was signed for; the shop owes a refund or a rejection


STAGES = tuple(Stage)
STAGE_LABELS = {Stage.REQUEST: "待处理申请", Stage.AWAITING_RETURN: "待买家退货", Stage.IN_TRANSIT: "退货在途",
                Stage.SIGNED: "已签收待退款"}
# The time column each stage starts with: a later filled time means a later stage.
STAGE_START = dict(zip(STAGES, TIME_KEYS, strict=True))


# What `handover init` offers as dropdowns in the 退货 tab (header -> choices), and the columns it
# formats as text so Excel/WPS keep every digit of an id.
RETURN_DROPDOWNS: dict[str, list[str]] = {
    RETURN_HEADERS["platform"]: list(PLATFORM_LABELS.values()),
    RETURN_HEADERS["shipping_paid_by"]: list(SHIPPING_LABELS.values()),
    RETURN_HEADERS["return_courier"]: [courier.name for courier in COURIERS],
    RETURN_HEADERS["refund_status"]: list(REFUND_STATUS_LABELS.values()),
}
RETURN_TEXT_HEADERS: list[str] = [RETURN_HEADERS[key] for key in ("id", "order_id", "return_tracking_no", "refund_id")]


def tab_spec() -> TabSpec:
    """The 退货 tab `handover init` makes."""
    widths = {RETURN_HEADERS[key]: width for key, width in (("reason", 24), ("result", 30), ("order_id", 22),
                                                              ("return_tracking_no", 20))}
    return TabSpec(TABS["returns"], [column.header for column in RETURN_COLUMNS], RETURN_DROPDOWNS, RETURN_TEXT_HEADERS,
                   widths)


@dataclass
class ReturnItem(ParsedRow):
    row: int
    id: str = ""
    platform: str | None = None
    order_id: str = ""
    buyer: str = ""
    reason: str = ""
    shipping_paid_by: ShippingPayer | None = None
    return_courier: Courier | None = None
    courier_recognised: bool = False
    return_tracking_no: str = ""
    requested_at: datetime | None = None
    approved_at: datetime | None = None
    waybill_at: datetime | None = None
    signed_at: datetime | None = None
    refund_status: RefundStatus | None = None  # None: blank (or unreadable): the times tell the stage
    result: str = ""
    platform_deadline: datetime | None = None
    extended_at: datetime | None = None
    refund_id: str = ""
    refund_amount: Decimal | None = None
    platform_updated_at: datetime | None = None
    problems: list[Problem] = field(default_factory=list)
    unusable: set[str] = field(default_factory=set)  # keys of filled cells that could not be used

    @property
    def is_open(self) -> bool:
        return self.refund_status not in CLOSED_REFUNDS

    @property
    def stage(self) -> Stage | None:
        """The later of what 退款状态 says and what the filled times show: times only move forward, and
        a status someone forgot to update must not hide a parcel that was already signed for."""
        if not self.is_open:
            return None
        candidates = [stage for stage in STAGES if getattr(self, STAGE_START[stage]) is not None]
        if self.refund_status is not None:
            candidates.append(Stage(self.refund_status.value))
        return max(candidates, key=STAGES.index) if candidates else None

    def as_json(self, tz: ZoneInfo) -> dict[str, Any]:
        stage = self.stage
        return {
            "id": self.id,
            "row": self.row,
            "platform": self.platform,
            "order_id": self.order_id,
            "buyer": self.buyer,
            "reason": self.reason,
            "shipping_paid_by": self.shipping_paid_by.value if self.shipping_paid_by else None,
            "return_courier": self.return_courier.key if self.return_courier else None,
            "return_tracking_no": self.return_tracking_no,
            "requested_at": iso_time(self.requested_at, tz),
            "approved_at": iso_time(self.approved_at, tz),
            "waybill_at": iso_time(self.waybill_at, tz),
            "signed_at": iso_time(self.signed_at, tz),
            "refund_status": self.refund_status.value if self.refund_status else None,
            "stage": stage.value if stage else None,
            "result": self.result,
            "platform_deadline": iso_time(self.platform_deadline, tz),
            "extended_at": iso_time(self.extended_at, tz),
            "refund_id": self.refund_id,
            "refund_amount": money_text(self.refund_amount) if self.refund_amount is not None else None,
            "platform_updated_at": iso_time(self.platform_updated_at, tz),
        }


@dataclass
class ReturnTable:
    grid: Grid
    columns: ColumnMap
    items: list[ReturnItem]
    sheet_problems: list[Problem]

    def problems(self) -> list[Problem]:
        return [*self.sheet_problems, *(p for item in self.items for p in item.problems)]

    def header(self, key: str) -> str:
        return self.columns.header_text.get(key) or RETURN_HEADERS[key]

    def raw(self, item: ReturnItem, key: str) -> Any:
        """The cell of `key`'s column in the item's row, as read (None for a column the tab lacks)."""
        position = self.columns.index.get(key)
        cells = self.grid.row_at(item.row)
        return cells[position] if position is not None and position < len(cells) else None


# A time typed a little ahead of the clock is a slip of the hand; more than this is a wrong date.
_FUTURE_SLACK = timedelta(hours=1)


def parse_returns(grid: Grid, tz: ZoneInfo, *, now: datetime | None = None) -> ReturnTable:
    now = (now or datetime.now(tz)).astimezone(tz)
    grid = locate_header(grid, RETURN_COLUMNS)
    columns = match_headers(grid.header, RETURN_COLUMNS)
    sheet_problems = header_problems(grid, columns)
    for key in ("platform", "order_id"):
        if not columns.has(key):
            sheet_problems.append(Problem(grid.header_row, None, f"表头里找不到「{RETURN_HEADERS[key]}」列：每条退货都需要它"))
    items = []
    for index, cells in enumerate(grid.rows):
        if any(filled(value) for value in cells):
            items.append(_parse_row(grid.row_number(index), cells, columns, tz, now))
    flag_duplicate_ids(items, columns.header_text.get("id", RETURN_HEADERS["id"]))
    return ReturnTable(grid, columns, items, sheet_problems)


def _parse_row(row: int, cells: Sequence[Any], columns: ColumnMap, tz: ZoneInfo, now: datetime) -> ReturnItem:
    item = ReturnItem(row=row)

    def header(key: str) -> str:
        return columns.header_text.get(key) or RETURN_HEADERS[key]

    def raw(key: str) -> Any:
        position = columns.index.get(key)
        return cells[position] if position is not None and position < len(cells) else None

    def problem(key: str, message: str, severity: str = ERROR) -> None:
        item.problems.append(Problem(row, header(key), message, severity))
        if severity == ERROR:
            item.unusable.add(key)

    def parsed(key: str, parse: Callable[[Any], Any]) -> Any:
        value = raw(key)
        if not filled(value):
            return None
        try:
            return parse(value)
        except ValueProblem as error:
            problem(key, str(error))
            return None

    def text(key: str) -> str:
        return clean_text(raw(key))

    item.id = text("id")
    item.order_id = parsed("order_id", parse_order_id) or ""
    item.buyer = text("buyer")
    item.reason = text("reason")
    item.result = text("result")
    item.return_tracking_no = parsed("return_tracking_no", parse_tracking_no) or ""
    item.refund_id = folded(raw("refund_id")).replace(" ", "")
    item.refund_amount = parsed("refund_amount", parse_money)

    platform_text = text("platform")
    if not platform_text:
        problem("platform", "平台为空：填上平台，才能按那个平台的规则算退款倒计时")
    elif (platform := platform_of(platform_text)) is None:
        problem("platform", f"不认识的平台「{platform_text}」（可用：{'、'.join(PLATFORM_LABELS.values())}）")
    else:
        item.platform = platform
    if not item.order_id and "order_id" not in item.unusable:
        problem("order_id", "订单号为空：每条退货都要有订单号")

    shipping_text = text("shipping_paid_by")
    if shipping_text:
        item.shipping_paid_by = shipping_payer_of(shipping_text)
        if item.shipping_paid_by is None:
            problem("shipping_paid_by", f"看不懂运费由谁承担「{shipping_text}」（写 买家、商家 或 运费险）")

    status_text = text("refund_status")
    if status_text:
        item.refund_status = refund_status_of(status_text)
        if item.refund_status is None:
            labels = "、".join(REFUND_STATUS_LABELS.values())
            problem("refund_status", f"不认识的退款状态「{status_text}」（可用：{labels}）{_MEANWHILE_BY_TIMES}")

    courier_text = text("return_courier")
    if courier_text:
        item.return_courier = courier_of(courier_text)
        if item.return_courier is None:
            problem("return_courier", f"不认识的快递公司「{courier_text}」")
        elif item.return_tracking_no and not item.return_courier.fits(item.return_tracking_no):
            problem("return_tracking_no", f"单号 {item.return_tracking_no} 不像{item.return_courier.name}的单号："
                                          "请核对退货快递和单号", WARNING)
    elif item.return_tracking_no:
        item.return_courier = recognise(item.return_tracking_no)
        item.courier_recognised = item.return_courier is not None

    for key in (*TIME_KEYS, "extended_at", "platform_deadline", "platform_updated_at"):
        setattr(item, key, parsed(key, lambda v: parse_datetime(v, tz, reference=now)))
        if getattr(item, key) is not None and _date_only(raw(key)):
            problem(key, "只有日期没有时间：按当天 0 点计算，倒计时会比平台早结束；补上几点几分更准", WARNING)
    _check_times(item, now, tz, problem)

    shipped = item.waybill_at or item.signed_at or item.refund_status in (RefundStatus.IN_TRANSIT, RefundStatus.SIGNED)
    if shipped and not item.return_tracking_no and "return_tracking_no" not in item.unusable:
        problem("return_tracking_no", "买家已经寄回，却没有退货单号：仓库收到没贴单的包裹时，要靠单号对上买家", WARNING)
    for found in item.problems:
        found.id = item.id
    return item


def _date_only(value: Any) -> bool:
    """A text date without a clock time (`2026-11-22`), or a date cell: the countdown starts at 00:00."""
    if isinstance(value, datetime):
        return False
    if isinstance(value, date):
        return True
    if not isinstance(value, str):
        return False  # Excel serials: a whole number may be midnight on purpose
    return not re.search(r"[:：时点]|T\d", clean_text(value))


def out_of_order(times: Iterable[tuple[str, Any]]) -> list[tuple[str, str]]:
    """(later key, earlier key) for each time before one that comes earlier in a return's course, given
    as (key, time) in that order (TIME_KEYS; a blank skipped): each is compared with the last time in
    order, so one wrong time is named once, not again by every time after it."""
    pairs: list[tuple[str, str]] = []
    previous: tuple[str, Any] | None = None
    for key, moment in times:
        if not moment:
            continue
        if previous and moment < previous[1]:
            pairs.append((key, previous[0]))
            continue
        previous = (key, moment)
    return pairs


def _check_times(item: ReturnItem, now: datetime, tz: ZoneInfo, problem: Callable[..., None]) -> None:
    """Times in the future, and times out of the order a return goes through, are typing mistakes that
    would make a countdown wrong: reported on the later column, with both times shown."""
    for key in (*TIME_KEYS, "extended_at"):
        moment = getattr(item, key)
        if moment is not None and moment > now + _FUTURE_SLACK:
            problem(key, f"{time_text(moment, tz)} 还没到（现在 {time_text(now, tz)}）：请核对年份和日期")
            setattr(item, key, None)
    for later, earlier in out_of_order((key, getattr(item, key)) for key in TIME_KEYS):
        problem(later, f"{time_text(getattr(item, later), tz)} 早于「{RETURN_HEADERS[earlier]}」"
                       f"{time_text(getattr(item, earlier), tz)}：退货的时间应该依次往后，请核对这两个时间")
        setattr(item, later, None)
    if item.extended_at and item.waybill_at and item.extended_at < item.waybill_at:
        problem("extended_at", f"{time_text(item.extended_at, tz)} 早于「填单时间」{time_text(item.waybill_at, tz)}："
                               "延长收货只能在买家填了退货单号之后")
        item.extended_at = None


# ------------------------------------------------------------------------------------- writing

def returns_write(table: ReturnTable | None, tab: str) -> tuple[TabWrite, dict[str, str]]:
    """A write onto the 退货 tab as read (its header row, its 编号 column as the tab spells it), or one
    that makes the tab with the full header when there is none (`table` None); and the header each
    column key has in it."""
    if table is None:
        header_of = dict(RETURN_HEADERS)
        return TabWrite(tab=tab, header=[column.header for column in RETURN_COLUMNS], id_column=header_of["id"],
                        create=True, unique=(header_of["id"],)), header_of
    header_of = {key: table.header(key) for key in RETURN_HEADERS}
    return TabWrite(tab=table.grid.tab, header=list(table.grid.header), id_column=header_of["id"],
                    header_row=table.grid.header_row, unique=(header_of["id"],)), header_of


def return_log_plan(grid: Grid | None, fields: Mapping[str, str | None], *, now: datetime, tz: ZoneInfo,
                    tab: str = TABS["returns"]) -> tuple[TabWrite, ReturnItem]:
    """One return appended to the 退货 tab, validated exactly as a row typed into the sheet.

    `fields` maps RETURN_COLUMNS keys to the text given (blank values are left out). The tab is created
    with the full header when `grid` is None; columns the tab lacks are added when a value needs them.
    Raises RowRejectedError, naming each column and its problem, and writes nothing, when the row has errors.
    """
    unknown = sorted(set(fields) - set(RETURN_HEADERS) - {"id"})
    if unknown:
        raise ValueError(f"not return columns: {', '.join(unknown)}")
    now = now.astimezone(tz)
    values: dict[str, str] = {key: value.strip() for key, value in fields.items()
                              if key != "id" and value is not None and value.strip()}
    table = parse_returns(grid, tz, now=now) if grid is not None else None
    write, header_of = returns_write(table, tab)
    existing = [item.id for item in table.items if item.id] if table else []
    if table is not None:
        for key in ("id", *values):
            if not table.columns.has(key):
                write.add_columns.append(RETURN_HEADERS[key])
    values["id"] = IdAllocator("R", existing).next(now)
    columns = write.header + write.add_columns
    by_header = {header_of[key]: key for key in values}

    def row_of(cells: Mapping[str, str]) -> list[WriteValue]:
        return [cells[by_header[name]] if name in by_header else None for name in columns]

    item = parse_returns(Grid(write.tab, columns, [row_of(values)]), tz, now=now).items[0]
    if item.errors:
        key_of = {header: key for key, header in header_of.items()}
        # A row refused has no meanwhile: what the sheet's reader does with such a row is not said of it.
        raise RowRejectedError([(key_of.get(p.column or ""), p.column, p.message.removesuffix(_MEANWHILE_BY_TIMES))
                                for p in item.errors])
    # Store what was understood, not what was typed: dropdown labels, the bare tracking number, and full
    # times, so `11月21日` typed today cannot be read back as another year months from now.
    write.appends.append(row_of({**values, **{k: v for k, v in _canonical(item, tz).items() if k in values}}))
    return write, item


def _canonical(item: ReturnItem, tz: ZoneInfo) -> dict[str, str]:
    cells = {
        "platform": PLATFORM_LABELS.get(item.platform or ""),
        "order_id": item.order_id,
        "shipping_paid_by": SHIPPING_LABELS[item.shipping_paid_by] if item.shipping_paid_by else None,
        "return_courier": item.return_courier.name if item.return_courier else None,
        "return_tracking_no": item.return_tracking_no,
        "refund_status": REFUND_STATUS_LABELS[item.refund_status] if item.refund_status else None,
        **{key: time_text(getattr(item, key), tz) if getattr(item, key) else None
           for key in (*TIME_KEYS, "platform_deadline", "extended_at")},
    }
    return {key: value for key, value in cells.items() if value}
