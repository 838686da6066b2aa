"""The daily summary (`handover summary --date`): what was logged, what was handled, what is still
open, by category and route, with compensation paid and at risk when the ledger provides them.

Counts are "as of" the end of the day, or now when the day is today: an item handled the next morning,
done or cancelled, still counts as open in yesterday's summary (listed as 12月3日才完成 / 12月3日才取消),
and as handled on the day of its 处理时间 only; so a summary regenerated later tells the same story, and
what one day leaves open is what the next carries in. An item closed with no 处理时间 cannot say when:
it counts as closed as soon as it was logged.

Every number on the page is counted once, from one bucket per item, so the cards, the chart, the table
and the lists agree: a row whose 类型 is blank or unknown is counted (and charted) as 其他, and the table
says how many such rows 其他 holds.
Buyers appear only shortened and with masked phones: the summary goes to a group chat and the owner.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from .compensation.rules import KIND_LABELS
from .errors import ConfigError
from .model.handover_tab import HandoverItem
from .model.schema import (
    CATEGORIES,
    ROUTE_LABELS,
    ROUTE_ORDER,
    STATUS_LABELS,
    Category,
    Status,
)
from .model.values import hours_text, mask_phone, money_text, short_name, time_left_text
from .shop_calendar import WEEKDAY_LABELS

HISTORY_DAYS = 7
_CLOSED = (Status.DONE, Status.CANCELLED)
_OTHER = next(c for c in CATEGORIES if c.key == "other")  # where a row of blank or unknown 类型 is counted


@dataclass(frozen=True)
class Payout:
    order_id: str
    kind: str  # presale_late, affiliate_deduction
    amount: Decimal
    computed_at: datetime | date

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def amount_text(self) -> str:
        return _payout_amount_text(self.kind, self.amount)


@dataclass(frozen=True)
class AtRisk:
    order_id: str
    hours_left: float  # negative: already past the deadline
    potential: Decimal

    @property
    def overdue(self) -> bool:
        """Already past its promised ship time (listed apart from those about to pass it)."""
        return self.hours_left < 0

    @property
    def hours_text(self) -> str:
        """剩 5 小时, 超时 5 天: the words of the morning list."""
        return time_left_text(round(self.hours_left * 3600))

    @property
    def potential_text(self) -> str:
        return "¥" + money_text(self.potential)


@dataclass
class PayoutTotal:
    kind: str
    label: str
    count: int
    amount: Decimal

    @property
    def amount_text(self) -> str:
        return _payout_amount_text(self.kind, self.amount)


@dataclass
class Counts:
    logged: int = 0  # logged during the day
    handled: int = 0  # done or cancelled during the day
    open: int = 0  # still open at the day's end (or now)

    def add(self, other: Counts) -> None:
        self.logged += other.logged
        self.handled += other.handled
        self.open += other.open

    @property
    def any(self) -> bool:
        return bool(self.logged or self.handled or self.open)


@dataclass
class CategoryRow:
    key: str
    label: str
    counts: Counts
    unrecognised: int = 0  # rows counted here whose 类型 is blank or unknown (其他 only)

    @property
    def title(self) -> str:
        """The row's name in the table: 其他（含类型不明的 1 件）, as the open list calls such a row 其他（类型不明）."""
        return f"{self.label}（含类型不明的 {self.unrecognised} 件）" if self.unrecognised else self.label


@dataclass
class RouteRow:
    key: str
    label: str
    counts: Counts
    categories: list[CategoryRow]


@dataclass
class OpenItem:
    id: str
    row: int
    category_key: str  # the table's row: other for a blank or unknown 类型
    category: str  # label: 其他（类型不明） for a blank or unknown 类型
    status: str  # label, as it stood then: an item done only after the moment says when (11月23日才完成)
    logged_at: datetime | None
    logged_text: str  # 11月18日 22:40, or 没填登记时间
    waiting: str  # for tables: 3 天 23 小时, 18 小时, 不到 1 小时, 不详 (the words of values.hours_text)
    order_id: str
    buyer: str  # shortened
    phone: str  # masked
    carried: bool  # logged before the day

    @property
    def waiting_text(self) -> str:
        """For sentences: 已等 4 天, 登记不到 1 小时."""
        if self.logged_at is None:
            return "不知道等了多久"
        if self.waiting.startswith("不到"):
            return "登记" + self.waiting
        return "已等 " + self.waiting


@dataclass
class HistoryDay:
    day: date
    counts: dict[str, int]  # category key -> items logged that day

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Summary:
    day: date
    shop: str
    tz: ZoneInfo
    generated_at: datetime
    as_of: datetime  # the end of the day, or now when the day is not over
    logged: int
    done: int
    cancelled: int
    open: int
    carried_in: int  # open when the day began
    carried_handled: int  # of those, handled during the day
    carried_open: int  # of those, still open
    undated: int  # open items without 登记时间 (counted as open, not as carried)
    routes: list[RouteRow]
    open_items: list[OpenItem]  # oldest first
    history: list[HistoryDay]
    payouts: list[Payout] | None  # None: no ledger given, the section is left out
    at_risk: list[AtRisk] | None  # None: no order export named, or a day already over
    payout_totals: list[PayoutTotal] = field(default_factory=list)
    orders_missing: list[str] = field(default_factory=list)  # named order exports (or patterns) not found
    orders_unreadable: list[str] = field(default_factory=list)  # why an order export could not be read
    at_risk_today_only: bool = False  # order exports named, but the day is over: at_risk left out

    @property
    def money_section(self) -> bool:
        return self.payouts is not None or self.at_risk is not None or self.at_risk_today_only

    @property
    def orders_all_read(self) -> bool:
        """Every order export named was read: only then does an empty at-risk list mean none at risk."""
        return not self.orders_missing and not self.orders_unreadable

    @property
    def handled(self) -> int:
        return self.done + self.cancelled

    @property
    def oldest(self) -> OpenItem | None:
        dated = [item for item in self.open_items if item.logged_at is not None]
        return dated[0] if dated else None

    @property
    def date_text(self) -> str:
        return f"{self.day.year}年{self.day.month}月{self.day.day}日 {WEEKDAY_LABELS[self.day.weekday()]}"

    @property
    def day_word(self) -> str:
        """今天 when the summary is of the day it is written on; 当天 for any other (the date is on top)."""
        return "今天" if self.generated_at.astimezone(self.tz).date() == self.day else "当天"

    @property
    def as_of_text(self) -> str:
        local = self.as_of.astimezone(self.tz)
        if local.time() == time(0) and local.date() == self.day + timedelta(days=1):
            return "当天结束"
        return f"{local.month}月{local.day}日 {local:%H:%M}"

    @property
    def as_of_phrase(self) -> str:
        """截至当天结束, 截至 11月22日 22:30: a space before a number only."""
        text = self.as_of_text
        return f"截至{text}" if text == "当天结束" else f"截至 {text}"

    @property
    def generated_text(self) -> str:
        return f"{self.generated_at.astimezone(self.tz):%Y-%m-%d %H:%M}"

    @property
    def at_risk_total_text(self) -> str:
        return _potential_text(self.at_risk or ())

    @property
    def overdue_risks(self) -> list[AtRisk]:
        """Pre-sale orders already past their promise, not shipped: longest overdue first."""
        return [r for r in self.at_risk or () if r.overdue]

    @property
    def near_risks(self) -> list[AtRisk]:
        """Pre-sale orders about to pass their promise: soonest first."""
        return [r for r in self.at_risk or () if not r.overdue]

    @property
    def overdue_total_text(self) -> str:
        return _potential_text(self.overdue_risks)

    @property
    def near_total_text(self) -> str:
        return _potential_text(self.near_risks)

    @property
    def history_categories(self) -> list[Category]:
        used = {key for day in self.history for key, count in day.counts.items() if count}
        return [c for c in CATEGORIES if c.key in used]


# ------------------------------------------------------------------------------------------ building

def _local(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz)


_ALWAYS = datetime.min.replace(tzinfo=ZoneInfo("UTC"))
_NEVER = datetime.max.replace(tzinfo=ZoneInfo("UTC"))


def _closed_at(item: HandoverItem) -> datetime:
    """When the item stopped being open: its 处理时间, done or cancelled alike, so every day's summary
    counts it handled once, on that day. Closed without a 处理时间: we cannot say when, so closed as soon
    as it was logged (what was logged is still what was handled plus what is open)."""
    if item.status not in _CLOSED:
        return _NEVER
    if item.handled_at is None:
        return item.logged_at or _ALWAYS
    return item.handled_at


def _waiting(since: datetime | None, until: datetime) -> str:
    if since is None:
        return "不详"
    hours = max(0, int((until - since).total_seconds() // 3600))
    return hours_text(hours) if hours else "不到 1 小时"


def _when(moment: datetime | None, tz: ZoneInfo) -> str:
    if moment is None:
        return "没填登记时间"
    local = _local(moment, tz)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def _payout(value: Any) -> Payout:
    if isinstance(value, Payout):
        return value
    order_id, kind, amount, computed_at = value
    return Payout(str(order_id), str(kind), Decimal(amount), computed_at)


def _potential_text(risks: Iterable[AtRisk]) -> str:
    return "¥" + money_text(sum((r.potential for r in risks), Decimal(0)))


def _at_risk(value: Any) -> AtRisk:
    if isinstance(value, AtRisk):
        return value
    order_id, hours_left, potential = value
    return AtRisk(str(order_id), float(hours_left), Decimal(potential))


def _on_day(moment: datetime | date, day: date, tz: ZoneInfo) -> bool:
    if isinstance(moment, datetime):
        return (moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)).date() == day
    return moment == day


def check_day(day: date, now: datetime, tz: ZoneInfo) -> None:
    """A summary tells a day that has begun: a later one is refused (ConfigError)."""
    today = now.astimezone(tz).date()
    if day > today:
        raise ConfigError(f"{_date_words(day)}还没到（今天是 {_date_words(today)}）：--date 请写今天或之前的日子。")


def _date_words(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def build_summary(items: Iterable[HandoverItem], day: date, config: Any, now: datetime, *,
                  payouts: Sequence[Any] | None = None, at_risk: Sequence[Any] | None = None,
                  orders_missing: Sequence[str] = (), orders_unreadable: Sequence[str] = ()) -> Summary:
    """The summary of `day` in the shop's timezone; `now` is an aware datetime, `day` not after its date.

    `payouts`: (order_id, kind, amount, computed_at) tuples or Payout; those computed on `day` count.
    `at_risk`: (order_id, hours_left, potential_amount) tuples or AtRisk, as the order exports say now.
    Leave either as None when the ledger or the exports are not available: the summary then says nothing
    about money rather than "nothing paid". An export says how orders stand now, not how they stood on a
    day already over: for such a day `at_risk` is left out, and the summary says it is only in today's.
    `orders_missing`, `orders_unreadable`: the exports named but not found, and why one could not be read;
    the summary names them, and does not call an empty `at_risk` "nothing at risk".
    """
    tz = config.timezone
    check_day(day, now, tz)
    items = list(items)
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = start + timedelta(days=1)
    as_of = min(now.astimezone(tz), end)
    today_only = at_risk is not None and now >= end
    if today_only:
        at_risk, orders_missing, orders_unreadable = None, (), ()

    # Each item lands in one bucket of each count, so every number on the page adds up: logged during
    # the day or not; open at the start or not (carried in); then, by the as-of moment, handled during
    # the day or still open.
    per_category: dict[str, Counts] = {}
    unrecognised = 0
    open_items: list[OpenItem] = []
    done = cancelled = carried_in = carried_handled = carried_open = undated = 0
    for item in items:
        category = item.category or _OTHER
        counts = per_category.setdefault(category.key, Counts())
        logged_at = item.logged_at
        closed_at = _closed_at(item)
        # Logged after the summary's moment (a clock typed wrong): not yet part of the day's story.
        logged = logged_at is not None and start <= logged_at < as_of
        carried = logged_at is not None and logged_at < start and closed_at >= start
        handled = start <= closed_at < as_of
        is_open = (logged_at is None or logged_at < as_of) and closed_at >= as_of
        counts.logged += logged
        if handled:
            counts.handled += 1
            done += item.status is Status.DONE
            cancelled += item.status is Status.CANCELLED
            carried_handled += carried
        if carried:
            carried_in += 1
            carried_open += is_open
        if is_open:
            counts.open += 1
            undated += logged_at is None
            open_items.append(OpenItem(
                id=item.id, row=item.row, category_key=category.key,
                category=category.label if item.category else f"{category.label}（类型不明）",
                status=_status_then(item, tz), logged_at=logged_at, logged_text=_when(logged_at, tz),
                waiting=_waiting(logged_at, as_of), order_id=item.order_id,
                buyer=short_name(item.buyer), phone=mask_phone(item.phone) if item.phone else "",
                carried=carried))
        if item.category is None and (logged or handled or is_open):
            unrecognised += 1
    far_future = datetime.max.replace(tzinfo=tz)
    open_items.sort(key=lambda o: (o.logged_at or far_future, o.row))

    summary = Summary(
        day=day, shop=_shop(config), tz=tz, generated_at=now, as_of=as_of,
        logged=sum(c.logged for c in per_category.values()), done=done, cancelled=cancelled,
        open=len(open_items), carried_in=carried_in, carried_handled=carried_handled, carried_open=carried_open,
        undated=undated, routes=_routes(per_category, unrecognised), open_items=open_items,
        history=_history(items, day, tz, as_of),
        payouts=None if payouts is None else [p for p in map(_payout, payouts) if _on_day(p.computed_at, day, tz)],
        at_risk=None if at_risk is None else sorted(map(_at_risk, at_risk), key=lambda r: r.hours_left),
        orders_missing=list(orders_missing), orders_unreadable=list(orders_unreadable), at_risk_today_only=today_only,
    )
    summary.payout_totals = _payout_totals(summary.payouts or [])
    return summary


def _shop(config: Any) -> str:
    shop = config.section("messages").get("shop", "")
    if not isinstance(shop, str):
        raise ConfigError(f"{config.where()}: [messages] shop 应该是文字，例如 shop = \"小鹿服饰旗舰店\"")
    return shop.strip()


def _status_then(item: HandoverItem, tz: ZoneInfo) -> str:
    """The status of an item open as of the summary's moment: a past day's summary does not call an
    item 已完成 or 已取消 that was closed only afterwards."""
    if item.status in _CLOSED and item.handled_at is not None:
        local = _local(item.handled_at, tz)
        return f"{local.month}月{local.day}日才{'完成' if item.status is Status.DONE else '取消'}"
    return STATUS_LABELS[item.status] if item.status else "状态不明"


def _routes(per_category: dict[str, Counts], unrecognised: int) -> list[RouteRow]:
    rows: list[RouteRow] = []
    for route in ROUTE_ORDER:
        categories = [CategoryRow(c.key, c.label, per_category[c.key], unrecognised if c is _OTHER else 0)
                      for c in CATEGORIES if c.route is route and c.key in per_category and per_category[c.key].any]
        if categories:
            total = Counts()
            for row in categories:
                total.add(row.counts)
            rows.append(RouteRow(route.value, ROUTE_LABELS[route], total, categories))
    return rows


def _history(items: list[HandoverItem], day: date, tz: ZoneInfo, as_of: datetime) -> list[HistoryDay]:
    days = [day - timedelta(days=offset) for offset in range(HISTORY_DAYS - 1, -1, -1)]
    history = {d: HistoryDay(d, {c.key: 0 for c in CATEGORIES}) for d in days}
    for item in items:
        if item.logged_at is None or item.logged_at >= as_of:
            continue
        entry = history.get(_local(item.logged_at, tz).date())
        if entry is not None:
            entry.counts[(item.category or _OTHER).key] += 1
    return [history[d] for d in days]


def _payout_amount_text(kind: str, amount: Decimal) -> str:
    """An affiliate deduction's amount is the commission kept back, not money paid: never added to the
    compensation paid, and labelled."""
    return ("扣佣金 ¥" if kind == "affiliate_deduction" else "¥") + money_text(amount)


def _payout_totals(payouts: list[Payout]) -> list[PayoutTotal]:
    totals: dict[str, PayoutTotal] = {}
    for payout in payouts:
        total = totals.setdefault(payout.kind, PayoutTotal(payout.kind, payout.label, 0, Decimal(0)))
        total.count += 1
        total.amount += payout.amount
    order = list(KIND_LABELS)
    return sorted(totals.values(), key=lambda t: (order.index(t.kind) if t.kind in order else len(order), t.kind))
