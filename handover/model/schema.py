"""The handover tab's columns and vocabularies (SPEC "The sheet"): header names in Chinese or English,
and the aliases a night shift actually types for categories, statuses and platforms."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

from ..sheet import HEADER_ROWS, Grid

HANDOVER_TAB = "交接"


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
    Column("detail", "问题描述", ("detail", "details", "description", "note", "问题", "备注")),
    Column("status", "状态", ("status", "处理状态")),
    Column("handler", "处理人", ("handler", "handled by", "by")),
    Column("handled_at", "处理时间", ("handled at", "done at")),
    Column("result", "处理结果", ("result", "outcome")),
)


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


def header_for(columns: Iterable[Column], key: str) -> str:
    for column in columns:
        if column.key == key:
            return column.header
    raise KeyError(key)


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
CATEGORY_BY_KEY = {c.key: c for c in CATEGORIES}


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


def _lookup(pairs: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for key, names in pairs:
        for name in (key, *names):
            table[header_key(name)] = key
    return table


_CATEGORY_LOOKUP = _lookup((c.key, (c.label, *c.aliases)) for c in CATEGORIES)
_STATUS_LOOKUP = _lookup((s.value, (STATUS_LABELS[s], *_STATUS_ALIASES[s])) for s in Status)
_PLATFORM_LOOKUP = _lookup(PLATFORMS.items())


@lru_cache(maxsize=1024)
def category_of(text: str) -> Category | None:
    key = _CATEGORY_LOOKUP.get(header_key(text))
    return CATEGORY_BY_KEY[key] if key else None


@lru_cache(maxsize=1024)
def status_of(text: str) -> Status | None:
    """Blank is open (SPEC)."""
    if not header_key(text):
        return Status.OPEN
    key = _STATUS_LOOKUP.get(header_key(text))
    return Status(key) if key else None


@lru_cache(maxsize=1024)
def platform_of(text: str) -> str | None:
    return _PLATFORM_LOOKUP.get(header_key(text))


def category_labels() -> list[str]:
    return [c.label for c in CATEGORIES]
