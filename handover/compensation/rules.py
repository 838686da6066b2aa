"""The compensation rules (issue 4 points 2 and 3) on typed records.

Rows from `export_rows` are folded into one state per order id, then each rule looks at one order: a
Payout, an AtRisk line, a Check for a person, a RejectedRow, or nothing. The settings they follow are
`settings`'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from ..exports import RejectedRow
from ..model.values import to_fen
from .export_rows import CLOSED, SUCCESS, AffiliateLine, OrderLine
from .settings import (
    CompensationSettings,
    Rule,
    percent,
    yuan,
)

PRESALE_LATE = "presale_late"
AFFILIATE_DEDUCTION = "affiliate_deduction"
KINDS = (PRESALE_LATE, AFFILIATE_DEDUCTION)
# The one name of each payout kind, wherever a person reads it: the report, the finance workbook, the
# 赔付记录 ledger and the daily summary (JSON keeps the keys).
KIND_LABELS = {PRESALE_LATE: "预售延迟发货赔付", AFFILIATE_DEDUCTION: "淘宝客扣佣退款"}


# ------------------------------------------------------------------------------------------ records

# How a payout's row names the bound that gave its amount (Payout.limit).
_LIMIT_WORDS = {"min": "最低", "max": "最高"}


@dataclass
class Payout:
    order_id: str
    kind: str
    base_amount: Decimal
    rate: Decimal | None
    amount: Decimal  # presale: the compensation; affiliate: the commission deducted
    refund: Decimal | None = None  # affiliate: what goes back to the buyer off the platform
    platform: str | None = None
    file: str = ""
    row: int = 0
    basis: str = ""  # why, in words, for finance
    rule: str = ""  # the rule applied (Rule.describe), for the pre-sale kind
    limit: str = ""  # "min" or "max" when the rule's floor or cap gave the amount

    @property
    def how(self) -> str:
        """30%, or 30%，最低 5 元 when a floor or cap gave the amount (the rate alone would not explain it)."""
        if self.rate is None:
            return ""
        bound = _LIMIT_WORDS.get(self.limit)
        return f"{percent(self.rate)}，{bound} {yuan(self.amount)}" if bound else percent(self.rate)

    @property
    def limit_note(self) -> str:
        """30% 是 780.00 元，按最高 500 元 when a floor or cap gave the amount, for the ledger row; else ''."""
        bound = _LIMIT_WORDS.get(self.limit)
        if not bound or self.rate is None:
            return ""
        return f"{percent(self.rate)} 是 {to_fen(self.base_amount * self.rate):.2f} 元，按{bound} {yuan(self.amount)}"

    @property
    def key(self) -> tuple[str, str]:
        return self.order_id, self.kind


@dataclass
class AtRisk:
    order_id: str
    platform: str | None
    promised_ship_at: datetime
    seconds_left: int  # negative once the promise has passed
    paid_amount: Decimal
    potential_amount: Decimal
    claimed: bool = False  # the buyer already asked for a refund with a reason that owes compensation
    title: str = ""
    file: str = ""
    row: int = 0

    @property
    def hours_left(self) -> int:
        return self.seconds_left // 3600

    @property
    def overdue(self) -> bool:
        return self.seconds_left < 0


@dataclass
class Check:
    """An order a person must decide on: the files cannot tell."""

    order_id: str
    kind: str
    message: str
    file: str = ""
    row: int = 0


# ---------------------------------------------------------------------------------- joined orders

@dataclass(slots=True)
class OrderState:
    order_id: str
    file: str
    row: int
    platform: str | None = None
    presale: bool = False
    title: str = ""
    paid: dict[str, Decimal] = field(default_factory=dict)  # by 子订单编号 ('' for the whole order)
    postage: Decimal | None = None
    paid_at: datetime | None = None
    promised_at: datetime | None = None
    shipped_at: datetime | None = None
    shipped: bool | None = None
    closed: bool = False
    claim_reason: str = ""  # a reason that owes compensation, on a refund the buyer did not withdraw
    claim_at: datetime | None = None
    refund_asked: bool = False
    platform_refunds: dict[str, Decimal | None] | None = None  # by refund; None: amount unknown; None: no refund
    # The smallest 总金额 a row gives: (amount, column) when the first row gave it (at `file`, `row`), else
    # (amount, column, file, row).
    total: tuple[Decimal, str] | tuple[Decimal, str, str, int] | None = None
    # Each row's largest amount: (amount, column) of the first row (at `file`, `row`: most orders have one),
    # a list of (amount, column, file, row) once a second row comes.
    amounts: tuple[Decimal, str] | list[tuple[Decimal, str, str, int]] | None = None
    # The rows read, to tell a row read twice (overlapping files): the first one's key, a set from the
    # second on (a run holds tens of thousands of orders, nearly all of one row).
    seen: tuple | set | None = None

    def base(self) -> Decimal | None:
        """The item's paid amount: the order's figure less postage, else the sum of its sub-orders."""
        if "" in self.paid:
            return to_fen(max(self.paid[""] - (self.postage or 0), Decimal(0)))
        return to_fen(sum(self.paid.values(), Decimal(0))) if self.paid else None


def above_total(order: OrderState) -> list[RejectedRow]:
    """The rows whose amount exceeds the order's own total as a file gives it (总金额): a row cannot be
    checked against a total its file lacks (a refund export), so it is checked here, against the other
    files' (the same row's total was checked as the row was read). Such an order is not computed."""
    if order.total is None or order.amounts.__class__ is not list:
        return []  # one row: checked against its own total as it was read
    total, column, file, row = order.total if len(order.total) == 4 else (*order.total, order.file, order.row)
    return [RejectedRow(number, header, f"{amount:.2f} 元超过订单 {order.order_id} 在 {file} 第 {row} 行的「{column}」"
                        f"{total:.2f} 元：同一笔订单，{'两个文件' if name != file else '这个文件的两行'}的金额对不上，"
                        "请核对这一行；这笔订单这次不算赔付", file=name)
            for amount, header, name, number in order.amounts if amount > total]


@lru_cache(maxsize=32)
def _described(rule: Rule) -> str:
    """The rule in words, one string for every payout it gave (tens of thousands in a big run)."""
    return rule.describe()


def merge_order(orders: dict[str, OrderState], line: OrderLine, settings: CompensationSettings) -> bool:
    """Fold one row into its order; True when the same row was already read (overlapping files)."""
    order = orders.get(line.order_id)
    if order is None:
        order = orders[line.order_id] = OrderState(line.order_id, line.file, line.row)
    key = (line.signature, line.sub_order_id, line.refund_id)
    seen = order.seen
    if seen is None:
        order.seen, duplicate = key, False
    elif seen.__class__ is tuple:
        order.seen, duplicate = {seen, key}, seen == key
    else:
        duplicate = key in seen
        seen.add(key)
    for name in ("platform", "paid_at", "promised_at", "shipped_at", "postage"):
        if getattr(order, name) is None:
            setattr(order, name, getattr(line, name))
    order.title = order.title or line.title
    order.presale |= line.presale
    order.closed |= line.closed
    if line.paid is not None:
        order.paid.setdefault(line.sub_order_id, line.paid)
    if line.shipped is True or (line.shipped is False and order.shipped is None):
        order.shipped = line.shipped
    total = line.order_total
    if total is not None and (order.total is None or total[0] < order.total[0]):
        order.total = total if seen is None else (*total, line.file, line.row)
    largest = line.largest
    if largest is not None:
        amounts = order.amounts
        if amounts is None and seen is None:  # the order's first row: its place is the order's
            order.amounts = largest
        else:
            if amounts is None:
                amounts = order.amounts = []
            elif amounts.__class__ is tuple:
                amounts = order.amounts = [(*amounts, order.file, order.row)]
            amounts.append((*largest, line.file, line.row))  # type: ignore[union-attr]
    if line.refund_signal:
        order.refund_asked = True
    # A refund the buyer withdrew (closed) owes nothing, whatever its reason said.
    if line.refund_reason and line.refund_state != CLOSED and settings.reason_matches(line.refund_reason):
        order.claim_reason = order.claim_reason or line.refund_reason
        if line.refund_applied_at and (order.claim_at is None or line.refund_applied_at < order.claim_at):
            order.claim_at = line.refund_applied_at
    if line.refund_state == SUCCESS:
        if order.platform_refunds is None:
            order.platform_refunds = {}
        order.platform_refunds[line.refund_id or line.sub_order_id] = line.refund_amount
    return duplicate


def evaluate_presale(order: OrderState, settings: CompensationSettings, now: datetime
                     ) -> Payout | AtRisk | Check | RejectedRow | None:
    """The pre-sale rule (issue 4 point 2) for one joined order."""
    if not order.presale:
        if order.claim_reason:
            return Check(order.order_id, PRESALE_LATE,
                         f"退款原因「{order.claim_reason}」，但文件里看不出是预售订单：是预售就请一并提供带预售标记的订单报表，"
                         "或在 [compensation] 里设 presale_only = false", order.file, order.row)
        return None
    rule = settings.rule_for(order.platform)
    promised = order.promised_at or (order.paid_at + timedelta(days=rule.presale_days) if order.paid_at else None)
    # Still to ship: not shipped, not closed, not refunded on the platform.
    open_order = order.shipped is not True and not order.closed and not order.platform_refunds
    if not (order.claim_reason or open_order):
        return None
    if promised is None:
        return _missing(order, "付款时间（或承诺发货时间）")
    if order.claim_reason:
        if order.shipped_at is not None:
            late = order.shipped_at > promised
        elif order.shipped:
            # Shipped, but when? (Taobao's order report has no ship time.) A claim filed after the promise
            # may be about a parcel that left on time, so a person looks; one filed before the promise
            # was not about a late shipment, whenever the parcel left.
            if order.claim_at is None:
                return Check(order.order_id, PRESALE_LATE, f"已发货但不知道发货时间，买家以「{order.claim_reason}」退款："
                             f"请对照承诺时间 {_short(promised)} 核对", order.file, order.row)
            if order.claim_at > promised:
                return Check(order.order_id, PRESALE_LATE,
                             f"已发货但不知道发货时间，买家 {_short(order.claim_at)} 以「{order.claim_reason}」申请退款，"
                             f"已过承诺的 {_short(promised)}：请查物流的揽收时间，晚于承诺才赔付", order.file, order.row)
            late = False
        else:
            late = now > promised
        if late:
            base = order.base()
            if base is None:
                return _missing(order, "实付金额")
            shipped = f"{_short(order.shipped_at)} 才发货" if order.shipped_at else "至今未发货"
            amount, limit = rule.applied(base)
            return Payout(order.order_id, PRESALE_LATE, base, rule.rate, amount, None, order.platform,
                          order.file, order.row, f"承诺 {_short(promised)} 发货，{shipped}；退款原因：{order.claim_reason}",
                          _described(rule), limit)
        if order.shipped_at is not None:
            return Check(order.order_id, PRESALE_LATE, f"{_short(order.shipped_at)} 已按时发货（承诺 {_short(promised)}），"
                         f"买家却以「{order.claim_reason}」退款：可向平台申诉，本次不赔付", order.file, order.row)
    if not open_order:
        return None
    left = int((promised - now).total_seconds())
    if left > settings.warn.total_seconds():
        return None
    base = order.base()
    if base is None:
        return _missing(order, "实付金额")
    return AtRisk(order.order_id, order.platform, promised, left, base, rule.amount(base), bool(order.claim_reason),
                  order.title, order.file, order.row)


def _missing(order: OrderState, what: str) -> RejectedRow:
    return RejectedRow(order.row, None, f"订单 {order.order_id} 缺少{what}，算不出预售赔付：请一并提供含这一列的导出文件",
                       file=order.file)


# ----------------------------------------------------------------------------------- affiliates

@dataclass(slots=True)
class AffiliateState:
    order_id: str
    lines: dict[Any, AffiliateLine] = field(default_factory=dict)  # settlement rows by 子订单
    disputes: dict[Any, AffiliateLine] = field(default_factory=dict)  # 维权 rows by 子订单, latest kept
    seen: set = field(default_factory=set)


def merge_affiliate(affiliates: dict[str, AffiliateState], line: AffiliateLine, signature: tuple) -> bool:
    state = affiliates.setdefault(line.order_id, AffiliateState(line.order_id))
    # Without a 子订单 id a repeated row is recognised by its content (the same paid and commission).
    sub = line.sub_order_id or ("row", line.paid, line.commission, line.commission_rate, line.clawback)
    duplicate = (signature, sub) in state.seen
    state.seen.add((signature, sub))
    if line.commission is not None or line.commission_rate is not None:
        state.lines[sub] = line
    if line.clawback is not None or line.dispute_state is not None:
        # PLATFORMS.md: reconciliations keep the latest 维权 row per 子订单 by 维权完成时间.
        if _later(line, state.disputes.get(sub)):
            state.disputes[sub] = line
    return duplicate


def _later(line: AffiliateLine, old: AffiliateLine | None) -> bool:
    if old is None or old.dispute_done_at is None:
        return True
    return line.dispute_done_at is not None and line.dispute_done_at >= old.dispute_done_at


def evaluate_affiliate(state: AffiliateState, order: OrderState | None, returned: bool,
                       settings: CompensationSettings) -> Payout | Check | RejectedRow | None:
    """The affiliate rule (issue 4 point 3): commission earned and the order returned -> the shop deducts
    the commission from what it refunds off the platform, minus what the platform already clawed back."""
    earned = [line for line in state.lines.values() if line.earned is not False]
    if not earned:
        return None
    first = earned[0]
    paid = commission = clawed = Decimal(0)
    rates = set()
    for line in earned:
        line_paid = line.paid
        if line_paid is None and order is not None and len(earned) == 1:
            line_paid = order.base()
        if line_paid is None:
            return RejectedRow(line.row, "付款金额", f"订单 {state.order_id} 没有付款金额，算不出退给买家的钱：请提供含付款金额的报表",
                               file=line.file)
        amount = line.commission if line.commission is not None else to_fen(line.commission_rate * line_paid)
        if settings.include_service_fee and line.service_fee:
            amount += line.service_fee
        if amount > line_paid:
            return RejectedRow(line.row, "佣金", f"佣金 {amount:.2f} 元超过付款金额 {line_paid:.2f} 元：请核对这一行", file=line.file)
        paid += line_paid
        commission += amount
        if line.commission_rate is not None:
            rates.add(line.commission_rate)
    if not returned:
        return None  # checked after the amounts, so a commission above the paid amount is always reported
    for dispute in state.disputes.values():
        clawed += dispute.clawback or 0
        if settings.include_service_fee:
            clawed += dispute.clawback_fee or 0
    deduction = max(commission - clawed, Decimal(0))
    platform_refund = Decimal(0)
    refunds = list(order.platform_refunds.values()) if order and order.platform_refunds else []
    refunds += [d.dispute_amount for d in state.disputes.values() if d.dispute_state == SUCCESS]
    for amount in refunds:
        platform_refund += paid if amount is None else amount
    refund = paid - min(platform_refund, paid) - deduction
    basis = f"佣金 {commission:.2f}" + (f"，平台已追回 {clawed:.2f}" if clawed else "")
    if platform_refund:
        basis += f"，平台已退 {platform_refund:.2f}"
    if refund <= 0 and platform_refund:
        return Check(state.order_id, AFFILIATE_DEDUCTION, f"平台已退款 {platform_refund:.2f} 元，不用再线下退款（{basis}）",
                     first.file, first.row)
    rate = rates.pop() if len(rates) == 1 else None
    return Payout(state.order_id, AFFILIATE_DEDUCTION, to_fen(paid), rate, to_fen(deduction), to_fen(max(refund, Decimal(0))),
                  (order.platform if order else None) or "taobao", first.file, first.row, basis)


def _short(moment: datetime | None) -> str:
    return moment.strftime("%m-%d %H:%M") if moment else ""

