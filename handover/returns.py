"""The returns ledger (tab `退货`): one row per return, parsed once into typed records.

Seed 004 is why the tab exists: for every return the team writes down the buyer, the reason, who bears
the shipping cost and the return tracking number, so a parcel that reaches the warehouse without a
label can be matched to its buyer by that number (`find_by_tracking`). The four time columns say where
the return is in the platform's process; `timers` and `deadlines` turn them into countdowns.

As on the handover tab, a row that cannot be used is never dropped: it comes back with `problems`
naming the row, the column and the fix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from itertools import count, filterfalse
from typing import Any
from zoneinfo import ZoneInfo

from .couriers import COURIERS, Courier, courier_of, recognise
from .errors import CellError
from .records import ERROR, WARNING, ParsedRow, Problem
from .schema import PLATFORM_LABELS, Column, ColumnMap, header_key, locate_header, match_headers, platform_of
from .sheet import Grid, TabWrite, WriteValue
from .values import (
    ValueProblem, clean_text, folded, iso_time, money_text, parse_datetime, parse_money, parse_order_id, parse_tracking_no,
    time_text,
)

RETURN_TAB = "退货"

RETURN_COLUMNS: tuple[Column, ...] = (
    Column("id", "编号", ("id", "no", "ref", "退货编号")),
    Column("platform", "平台", ("platform",)),
    Column("order_id", "订单号", ("order id", "order", "order no", "订单编号", "主订单编号")),
    Column("buyer", "买家", ("buyer", "买家id", "买家昵称", "买家会员名", "顾客")),
    Column("reason", "退货原因", ("reason", "return reason", "退款原因", "买家退款原因", "售后原因")),
    Column("shipping_paid_by", "运费承担", ("shipping paid by", "postage paid by", "运费", "邮费承担", "退货运费")),
    Column("return_courier", "退货快递", ("return courier", "退货物流公司", "退货快递公司", "courier")),
    Column("return_tracking_no", "退货单号", ("return tracking no", "return tracking", "退货物流单号", "退货运单号", "tracking no")),
    Column("requested_at", "申请时间", ("requested at", "退款的申请时间", "申请退款时间", "售后申请时间")),
    Column("approved_at", "同意时间", ("approved at", "同意退货时间")),
    Column("waybill_at", "填单时间", ("waybill at", "waybill entered", "买家退货时间", "退货发货时间", "填写单号时间")),
    Column("signed_at", "签收时间", ("signed at", "退货签收时间")),
    Column("refund_status", "退款状态", ("refund status", "status", "售后状态", "状态")),
    Column("result", "处理结果", ("result", "outcome")),
    # Optional, blank is fine: the platform's own deadline from its refund page or export (it beats
    # the computed one), and when the shop pressed 延长收货 (the extension moves the deadline).
    Column("platform_deadline", "超时时间", ("deadline", "platform deadline", "timeout", "超时截止时间")),
    Column("extended_at", "延长时间", ("extended at", "延长收货时间", "延长收货")),
    # Filled by `returns import` from the platform's refund / after-sale export: the platform's id of the
    # return (the key an import finds the row by), the amount refunded, and the export's own time for the
    # data the row holds (so an older export never overwrites a newer one).
    Column("refund_id", "退款编号", ("refund id", "refund no", "售后单号", "售后编号", "退款单号")),
    Column("refund_amount", "退款金额", ("refund amount", "买家退款金额", "退款总额")),
    Column("platform_updated_at", "平台更新时间", ("platform updated at", "platform time")),
)
RETURN_HEADERS = {c.key: c.header for c in RETURN_COLUMNS}
TIME_KEYS = ("requested_at", "approved_at", "waybill_at", "signed_at")  # in the order they happen


class ShippingPayer(str, Enum):
    BUYER = "buyer"
    SHOP = "shop"
    INSURANCE = "insurance"


SHIPPING_LABELS = {ShippingPayer.BUYER: "买家", ShippingPayer.SHOP: "商家", ShippingPayer.INSURANCE: "运费险"}
_SHIPPING_ALIASES = {
    ShippingPayer.BUYER: ("买家承担", "买家出", "买家付", "顾客", "buyer"),
    ShippingPayer.SHOP: ("商家承担", "卖家", "卖家承担", "店铺", "我们", "包运费", "shop", "seller"),
    ShippingPayer.INSURANCE: ("运费险赔付", "退货险", "退货运费险", "保险", "insurance"),
}


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


class RefundStatus(str, Enum):
    REQUEST = "request"
    AWAITING_RETURN = "awaiting_return"
    IN_TRANSIT = "in_transit"
    SIGNED = "signed"
    REFUNDED = "refunded"
    REJECTED = "rejected"
    CLOSED = "closed"


REFUND_STATUS_LABELS = {
    RefundStatus.REQUEST: "待处理", RefundStatus.AWAITING_RETURN: "待买家退货", RefundStatus.IN_TRANSIT: "退货中",
    RefundStatus.SIGNED: "已签收", RefundStatus.REFUNDED: "已退款", RefundStatus.REJECTED: "已拒绝",
    RefundStatus.CLOSED: "已关闭",
}
# The statuses platforms print in their refund exports (PLATFORMS.md "refund status") are accepted too,
# so a status pasted from 退款管理 needs no retyping.
_REFUND_STATUS_ALIASES = {
    RefundStatus.REQUEST: ("待商家处理", "待审核", "买家已经申请退款等待卖家同意", "申请中", "request"),
    RefundStatus.AWAITING_RETURN: ("待退货", "等待买家退货", "已同意退货", "卖家已经同意退款等待买家退货",
                                   "已同意退货退款待用户发货", "awaiting return"),
    RefundStatus.IN_TRANSIT: ("退货在途", "买家已退货", "买家已退货等待卖家收货", "待商家收货", "待收货", "in transit"),
    RefundStatus.SIGNED: ("已收货", "已签收待退款", "仓库已签收", "商家已收货", "待退款", "signed"),
    RefundStatus.REFUNDED: ("退款成功", "已完成", "已退", "refunded"),
    RefundStatus.REJECTED: ("拒绝", "卖家拒绝退款", "商家拒绝", "已驳回", "rejected"),
    RefundStatus.CLOSED: ("关闭", "退款关闭", "已撤销", "买家撤销", "已取消", "售后关闭", "买家逾期未处理退款失败",
                          "买家逾期超过有效期", "closed", "cancelled"),
}
CLOSED_STATUSES = (RefundStatus.REFUNDED, RefundStatus.REJECTED, RefundStatus.CLOSED)

# What `handover init` offers as dropdowns in the 退货 tab (header -> choices), and the columns it
# formats as text so Excel/WPS keep every digit of an id.
RETURN_DROPDOWNS: dict[str, list[str]] = {
    RETURN_HEADERS["platform"]: list(PLATFORM_LABELS.values()),
    RETURN_HEADERS["shipping_paid_by"]: list(SHIPPING_LABELS.values()),
    RETURN_HEADERS["return_courier"]: [courier.name for courier in COURIERS],
    RETURN_HEADERS["refund_status"]: list(REFUND_STATUS_LABELS.values()),
}
RETURN_TEXT_HEADERS: list[str] = [RETURN_HEADERS[key] for key in ("id", "order_id", "return_tracking_no", "refund_id")]


def _lookup(pairs: Iterable[tuple[Enum, Iterable[str]]]) -> dict[str, Enum]:
    return {header_key(name): member for member, names in pairs for name in (member.value, *names)}


_SHIPPING_LOOKUP = _lookup((m, (SHIPPING_LABELS[m], *_SHIPPING_ALIASES[m])) for m in ShippingPayer)
_STATUS_LOOKUP = _lookup((m, (REFUND_STATUS_LABELS[m], *_REFUND_STATUS_ALIASES[m])) for m in RefundStatus)


def shipping_payer_of(text: str) -> ShippingPayer | None:
    return _SHIPPING_LOOKUP.get(header_key(text))  # type: ignore[return-value]


def refund_status_of(text: str) -> RefundStatus | None:
    return _STATUS_LOOKUP.get(header_key(text))  # type: ignore[return-value]


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
        return self.refund_status not in CLOSED_STATUSES

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


# A time typed a little ahead of the clock is a slip of the hand; more than this is a wrong date.
_FUTURE_SLACK = timedelta(hours=1)


def parse_returns(grid: Grid, tz: ZoneInfo, *, now: datetime | None = None) -> ReturnTable:
    now = (now or datetime.now(tz)).astimezone(tz)
    grid = locate_header(grid, RETURN_COLUMNS)
    columns = match_headers(grid.header, RETURN_COLUMNS)
    sheet_problems = [
        Problem(grid.header_row, grid.header[position],
                f"和另一列重复，都被当成「{columns.header_text[key]}」；只读取第一列")
        for key, position in columns.duplicates
    ]
    for key in ("platform", "order_id"):
        if not columns.has(key):
            sheet_problems.append(Problem(grid.header_row, None, f"表头里找不到「{RETURN_HEADERS[key]}」列：每条退货都需要它"))
    items = []
    for index, cells in enumerate(grid.rows):
        if any(_filled(value) for value in cells):
            items.append(_parse_row(grid.row_number(index), cells, columns, tz, now))
    _flag_duplicate_ids(items, columns.header_text.get("id", RETURN_HEADERS["id"]))
    return ReturnTable(grid, columns, items, sheet_problems)


def _filled(value: object) -> bool:
    return value is not None and (not isinstance(value, str) or value.strip() != "")


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
        if not _filled(value):
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
            problem("refund_status", f"不认识的退款状态「{status_text}」（可用：{labels}）；暂按填了的时间判断进度")

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


def _check_times(item: ReturnItem, now: datetime, tz: ZoneInfo, problem: Callable[..., None]) -> None:
    """Times in the future, and times out of the order a return goes through, are typing mistakes that
    would make a countdown wrong: reported on the later column, with both times shown."""
    for key in (*TIME_KEYS, "extended_at"):
        moment = getattr(item, key)
        if moment is not None and moment > now + _FUTURE_SLACK:
            problem(key, f"{time_text(moment, tz)} 还没到（现在 {time_text(now, tz)}）：请核对年份和日期")
            setattr(item, key, None)
    previous: tuple[str, datetime] | None = None
    for key in TIME_KEYS:
        moment = getattr(item, key)
        if moment is None:
            continue
        if previous and moment < previous[1]:
            problem(key, f"{time_text(moment, tz)} 早于「{RETURN_HEADERS[previous[0]]}」{time_text(previous[1], tz)}："
                         "退货的时间应该依次往后，请核对这两个时间")
            setattr(item, key, None)
            continue
        previous = (key, moment)
    if item.extended_at and item.waybill_at and item.extended_at < item.waybill_at:
        problem("extended_at", f"{time_text(item.extended_at, tz)} 早于「填单时间」{time_text(item.waybill_at, tz)}："
                               "延长收货只能在买家填了退货单号之后")
        item.extended_at = None


def _flag_duplicate_ids(items: list[ReturnItem], header: str) -> None:
    seen: dict[str, ReturnItem] = {}
    for item in items:
        if not item.id:
            continue
        first = seen.setdefault(item.id, item)
        if first is not item:
            item.problems.append(Problem(item.row, header, f"编号 {item.id} 和第 {first.row} 行重复：请改成不同的编号",
                                         id=item.id))


# ------------------------------------------------------------------------------------- logging

_ID_PATTERN = re.compile(r"^R(\d{8})-(\d+)$")


def next_return_id(existing: Iterable[str], now: datetime) -> str:
    """`R<date>-<seq>`: the day's next number, never one the tab already holds."""
    return next(return_ids(existing, now))


def return_ids(existing: Iterable[str], now: datetime) -> Iterator[str]:
    """The day's next numbers, one after another (an import gives many rows their 编号 at once)."""
    used = set(existing)
    stamp = now.strftime("%Y%m%d")
    seq = max((int(m.group(2)) for i in used if (m := _ID_PATTERN.match(i)) and m.group(1) == stamp), default=0)
    return filterfalse(used.__contains__, map(f"R{stamp}-{{:03d}}".format, count(seq + 1)))


def return_log_plan(grid: Grid | None, fields: Mapping[str, str | None], *, now: datetime, tz: ZoneInfo,
                    tab: str = RETURN_TAB) -> tuple[TabWrite, ReturnItem]:
    """One return appended to the 退货 tab, validated exactly as a row typed into the sheet.

    `fields` maps RETURN_COLUMNS keys to the text given (blank values are left out). The tab is created
    with the full header when `grid` is None; columns the tab lacks are added when a value needs them.
    Raises CellError, naming each column and its problem, and writes nothing, when the row has errors.
    """
    unknown = sorted(set(fields) - set(RETURN_HEADERS) - {"id"})
    if unknown:
        raise ValueError(f"not return columns: {', '.join(unknown)}")
    now = now.astimezone(tz)
    values: dict[str, str] = {key: value.strip() for key, value in fields.items()
                              if key != "id" and value is not None and value.strip()}
    if grid is None:
        header = [column.header for column in RETURN_COLUMNS]
        write = TabWrite(tab=tab, header=header, id_column=RETURN_HEADERS["id"], create=True,
                         unique=(RETURN_HEADERS["id"],))
        existing: list[str] = []
        header_of = dict(RETURN_HEADERS)
    else:
        table = parse_returns(grid, tz, now=now)
        write = TabWrite(tab=grid.tab, header=list(table.grid.header), id_column=table.header("id"),
                         header_row=table.grid.header_row, unique=(table.header("id"),))
        existing = [item.id for item in table.items if item.id]
        header_of = {key: table.header(key) for key in RETURN_HEADERS}
        for key in ("id", *values):
            if not table.columns.has(key):
                write.add_columns.append(RETURN_HEADERS[key])
    values["id"] = next_return_id(existing, now)
    columns = write.header + write.add_columns
    by_header = {header_of[key]: key for key in values}

    def row_of(cells: Mapping[str, str]) -> list[WriteValue]:
        return [cells[by_header[name]] if name in by_header else None for name in columns]

    item = parse_returns(Grid(write.tab, columns, [row_of(values)]), tz, now=now).items[0]
    if item.errors:
        raise CellError("；".join(f"「{p.column}」{p.message}" if p.column else p.message for p in item.errors))
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


# ------------------------------------------------------------------------------ tracking numbers

@dataclass
class TrackingMatch:
    """Returns whose tracking number matches what the warehouse read off a parcel. `exact` when the
    whole number matched; otherwise every return whose number ends with it, all listed when several do."""

    query: str
    items: list[ReturnItem]
    exact: bool

    @property
    def ambiguous(self) -> bool:
        return len(self.items) > 1


MIN_PARTIAL = 6  # the issue: a torn label still shows the last 6 or more digits


def _normalise(number: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKC", number).upper())


def _digits(number: str) -> str:
    return re.sub(r"\D", "", number)


def find_by_tracking(items: Iterable[ReturnItem], number: str) -> TrackingMatch:
    """Full numbers first (spaces, dashes and full-width digits ignored; `SF1234…` matches `1234…` typed
    without the prefix), then numbers ending with the 6+ characters given. Open returns come first."""
    query = _normalise(number)
    if not query:
        raise ValueProblem("没有单号：请输入退货单号，或它的后 6 位以上")
    candidates = [item for item in items if item.return_tracking_no]
    exact, partial = [], []
    for item in candidates:
        known = _normalise(item.return_tracking_no)
        if known == query or (_same_digits(known, query)):
            exact.append(item)
        elif len(query) >= MIN_PARTIAL and (known.endswith(query) or _digits(known).endswith(query)):
            partial.append(item)
    if not exact and len(query) < MIN_PARTIAL:
        raise ValueProblem(f"单号 {query} 太短：至少输入后 {MIN_PARTIAL} 位，才不会对上别人的包裹")
    found = exact or partial
    found.sort(key=lambda item: (not item.is_open, item.row))
    return TrackingMatch(query, found, bool(exact))


def _same_digits(a: str, b: str) -> bool:
    """`SF1234567890123` and `1234567890123` are one number when one side has no letters at all."""
    if a.isdigit() == b.isdigit():
        return False
    return len(_digits(a)) >= MIN_PARTIAL and _digits(a) == _digits(b)
