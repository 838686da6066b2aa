"""The sheet's schema (SPEC "The sheet"): the tabs handover reads, how a header is matched (in Chinese
or English, loosely), the columns of the 交接 and 退货 tabs, and every vocabulary a cell is typed in: categories and
their routes, statuses, platforms, who pays the return postage, refund statuses, each with the aliases
people actually type. Every list of choices (a dropdown, `--help`, an error message) is read from here."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Iterable, Mapping, Sequence, TypeVar

from ..sheet import HEADER_ROWS, Grid

_T = TypeVar("_T")

# The tabs, by the name `[tabs]` in handover.toml gives them, with the title each has unless renamed there.
TABS = {"handover": "交接", "returns": "退货", "payouts": "赔付记录"}


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header we write
    aliases: tuple[str, ...] = ()  # other names accepted when reading (English included)


HANDOVER_COLUMNS: tuple[Column, ...] = (
    Column("id", "编号", ("id", "no", "ref", "序号编号")),
    Column("logged_at", "登记时间", ("logged at", "logged", "time", "登记日期", "时间")),
    Column("logged_by", "登记人", ("logged by", "reporter", "登记客服")),
    Column("shop", "店铺", ("shop", "store", "店铺名")),
    Column("platform", "平台", ("platform",)),
    Column("category", "类型", ("category", "type", "问题类型")),
    Column("order_id", "订单号", ("order id", "order", "order no", "订单编号")),
    Column("buyer", "买家", ("buyer", "买家id", "买家昵称", "顾客")),
    Column("phone", "电话", ("phone", "mobile", "手机", "手机号", "联系电话")),
    Column("courier", "快递公司", ("courier", "carrier", "快递", "物流公司")),
    Column("tracking_no", "快递单号", ("tracking no", "tracking", "tracking number", "运单号", "物流单号")),
    Column("old_address", "原地址", ("old address", "original address", "收货地址")),
    Column("new_address", "新地址", ("new address", "修改后地址")),
    # Not 备注 (nor "note"): a shop keeps its own remarks there, never meant for the warehouse (issue 10).
    Column("detail", "问题描述", ("detail", "details", "description", "问题", "问题说明")),
    Column("status", "状态", ("status", "处理状态")),
    Column("handler", "处理人", ("handler", "handled by", "by")),
    Column("handled_at", "处理时间", ("handled at", "done at")),
    Column("result", "处理结果", ("result", "outcome")),
)
HANDOVER_HEADERS = {c.key: c.header for c in HANDOVER_COLUMNS}  # the Chinese header we write, by key


# The 退货 tab (`returns_tab`). The ledger, a tab handover writes rather than the team, keeps its columns
# beside its records (`compensation.ledger`).
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

# How money handover writes into a tab or a workbook is shown: 1,299.00 (the ledger, 退货's 退款金额).
MONEY_FORMAT = "#,##0.00"


def header_key(text: object) -> str:
    """Compare headers loosely: full-width folded, case, spaces, quotes, underscores and a trailing
    colon ignored (`订单付款时间 `, `"Order ID"`, `order_id` all match)."""
    folded = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    return re.sub(r"[\s\"'_:：*]+", "", folded)


@dataclass
class ColumnMap:
    """Which sheet column (0-based index) holds which key, and the header text as the sheet spells it."""

    index: dict[str, int]
    header_text: dict[str, str]
    duplicates: list[tuple[str, int]]  # (key, index) of a second column matching a key already taken

    def has(self, key: str) -> bool:
        return key in self.index


def match_headers(header: Sequence[object], columns: Iterable[Column]) -> ColumnMap:
    """Map sheet headers to column keys. Exact Chinese headers win over aliases; any other column is
    left alone (the team's own extra columns)."""
    columns = tuple(columns)
    names: dict[str, str] = {}
    for column in columns:
        for name in (column.key, column.header, *column.aliases):
            names.setdefault(header_key(name), column.key)
    index: dict[str, int] = {}
    header_text: dict[str, str] = {}
    duplicates: list[tuple[str, int]] = []
    # Exact Chinese headers first, so an alias (e.g. 时间) cannot steal a key whose real column comes later.
    by_header = {header_key(c.header): c.key for c in columns}
    passes = (by_header, names)
    for lookup in passes:
        for position, raw in enumerate(header):
            key = lookup.get(header_key(raw))
            if key is None or position in index.values():
                continue
            if key in index:
                if lookup is by_header:
                    duplicates.append((key, position))
                continue
            index[key] = position
            header_text[key] = str(raw).strip()
    return ColumnMap(index, header_text, duplicates)


def locate_header(grid: Grid, columns: Iterable[Column]) -> Grid:
    """The tab read with its real header: the row among the first HEADER_ROWS that matches the most
    known headers (the top-most on a tie), so a title row above the header is fine. A tab where no row
    matches any is returned as it is: its ColumnMap is empty, which the caller reports."""
    columns = tuple(columns)
    top = [*grid.above, grid.header, *grid.rows[:HEADER_ROWS]][:HEADER_ROWS]
    scores = [len(match_headers(row, columns).index) for row in top]
    best = max(scores, default=0)
    return grid.with_header_at(scores.index(best) + 1) if best else grid


# ------------------------------------------------------------------------------------- vocabularies

class Route(str, Enum):
    WAREHOUSE = "warehouse"
    COURIER = "courier"
    CUSTOMER = "customer"


ROUTE_LABELS = {Route.WAREHOUSE: "仓库", Route.COURIER: "快递", Route.CUSTOMER: "客户"}
ROUTE_ORDER = (Route.WAREHOUSE, Route.COURIER, Route.CUSTOMER)


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    route: Route
    aliases: tuple[str, ...]


CATEGORIES: tuple[Category, ...] = (
    Category("missing_item", "漏发", Route.WAREHOUSE, ("少发", "漏件", "missing item", "missing")),
    Category("no_tracking", "无物流", Route.WAREHOUSE, ("没有物流", "没物流", "物流不动", "无物流信息", "no tracking")),
    Category("urge_shipment", "催发货", Route.WAREHOUSE, ("催货", "催发", "urge shipment", "urge")),
    Category("address_change", "改地址", Route.COURIER, ("修改地址", "更改地址", "address change")),
    Category("intercept", "拦截", Route.COURIER, ("退回", "追回", "拦截退回", "intercept", "recall")),
    Category("weight_query", "查重量", Route.COURIER, ("重量", "问重量", "weight query", "weight")),
    Category("size_confirm", "尺码确认", Route.CUSTOMER, ("未选尺码", "确认尺码", "没选尺码", "确认码数", "size confirm", "size")),
    Category("address_unreachable", "地址不达", Route.CUSTOMER, ("地址不到", "快递不到", "不派送", "address unreachable")),
    Category("other", "其他", Route.CUSTOMER, ("其它", "other")),
)


class Status(str, Enum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


STATUS_LABELS = {Status.OPEN: "待处理", Status.IN_PROGRESS: "处理中", Status.DONE: "已完成", Status.CANCELLED: "已取消"}
_STATUS_ALIASES = {
    Status.OPEN: ("未处理", "待办", "未完成", "open", "todo", "new"),
    Status.IN_PROGRESS: ("进行中", "跟进中", "正在处理", "in progress", "doing"),
    Status.DONE: ("完成", "已处理", "已解决", "done", "ok", "✓", "√"),
    Status.CANCELLED: ("取消", "作废", "cancelled", "canceled"),
}
OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

PLATFORMS: Mapping[str, tuple[str, ...]] = {
    "taobao": ("淘宝", "taobao", "tb", "淘宝网"),
    "tmall": ("天猫", "tmall", "tm"),
    "douyin": ("抖音", "抖店", "douyin", "dy", "抖音小店"),
    "kuaishou": ("快手", "快手小店", "kuaishou", "ks"),
    "pinduoduo": ("拼多多", "pinduoduo", "pdd", "多多"),
    "jd": ("京东", "jd", "京东商城"),
}
PLATFORM_LABELS = {"taobao": "淘宝", "tmall": "天猫", "douyin": "抖音", "kuaishou": "快手", "pinduoduo": "拼多多", "jd": "京东"}


def _lookup(pairs: Iterable[tuple[_T, Iterable[str]]]) -> dict[str, _T]:
    """Every name of each member (its key, label and aliases), compared loosely (`header_key`)."""
    return {header_key(name): member for member, names in pairs for name in names}


_CATEGORY_LOOKUP = _lookup((c, (c.key, c.label, *c.aliases)) for c in CATEGORIES)
_STATUS_LOOKUP = _lookup((s, (s.value, STATUS_LABELS[s], *_STATUS_ALIASES[s])) for s in Status)
_PLATFORM_LOOKUP = _lookup((key, (key, *names)) for key, names in PLATFORMS.items())


@lru_cache(maxsize=1024)
def category_of(text: str) -> Category | None:
    return _CATEGORY_LOOKUP.get(header_key(text))


@lru_cache(maxsize=1024)
def status_of(text: str) -> Status | None:
    """Blank is open (SPEC)."""
    if not header_key(text):
        return Status.OPEN
    return _STATUS_LOOKUP.get(header_key(text))


@lru_cache(maxsize=1024)
def platform_of(text: str) -> str | None:
    return _PLATFORM_LOOKUP.get(header_key(text))


# ------------------------------------------------------------------------------ the returns tab

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
CLOSED_REFUNDS = (RefundStatus.REFUNDED, RefundStatus.REJECTED, RefundStatus.CLOSED)

_SHIPPING_LOOKUP = _lookup((m, (m.value, SHIPPING_LABELS[m], *_SHIPPING_ALIASES[m])) for m in ShippingPayer)
_REFUND_STATUS_LOOKUP = _lookup((m, (m.value, REFUND_STATUS_LABELS[m], *_REFUND_STATUS_ALIASES[m])) for m in RefundStatus)


def shipping_payer_of(text: str) -> ShippingPayer | None:
    return _SHIPPING_LOOKUP.get(header_key(text))


def refund_status_of(text: str) -> RefundStatus | None:
    return _REFUND_STATUS_LOOKUP.get(header_key(text))
