"""The 赔付记录 tab: every payout finance has committed, so that no order is ever paid twice.

The tab is only appended to, one row per payout, in one write per run. A payout is the same as one in
the ledger when the order id and the kind match; amounts may differ (a rule changed) and are shown, but
the order is not paid again. People edit this tab too: a row whose order id or kind cannot be read is
reported, because it can no longer protect against a double payment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable, Sequence
from zoneinfo import ZoneInfo

from .exports import RejectedRow
from .schema import PLATFORM_LABELS, Column, header_key, match_headers, platform_of
from .sheet import Grid, TabWrite, WriteValue
from .values import ValueProblem, clean_text, parse_datetime, parse_money, parse_order_id, parse_rate, time_text, to_fen

if TYPE_CHECKING:  # the payouts come from compensation_rules, which does not import this module
    from .compensation_rules import Payout

LEDGER_TAB = "赔付记录"

LEDGER_COLUMNS: tuple[Column, ...] = (
    Column("order_id", "订单号", ("订单编号", "order id", "order")),
    Column("kind", "赔付类型", ("类型", "kind", "type")),
    Column("base_amount", "基数金额", ("实付金额", "base amount", "base")),
    Column("rate", "比例", ("rate", "赔付比例")),
    Column("amount", "金额", ("赔付金额", "扣除金额", "amount")),
    Column("refund", "退款金额", ("线下退款金额", "refund")),
    Column("platform", "平台", ("platform",)),
    Column("computed_at", "计算时间", ("computed at", "时间", "记录时间")),
    Column("by", "操作人", ("by", "记录人", "经办人")),
    Column("source", "来源", ("source", "来源文件")),
)
LEDGER_HEADER = [column.header for column in LEDGER_COLUMNS]

# What the tab says for each kind; reading also accepts the English keys and loose wording.
KIND_TEXT = {"presale_late": "预售延迟发货", "affiliate_deduction": "淘客佣金扣除"}
_KIND_WORDS = (("presale_late", ("presale", "预售", "延迟发货", "晚发货")),
               ("affiliate_deduction", ("affiliate", "淘客", "佣金")))


@dataclass
class LedgerEntry:
    row: int
    order_id: str
    kind: str
    amount: Decimal | None
    computed_at: datetime | None
    by: str
    base_amount: Decimal | None = None
    rate: Decimal | None = None
    refund: Decimal | None = None
    platform: str | None = None


@dataclass
class Ledger:
    entries: list[LedgerEntry] = field(default_factory=list)
    problems: list[RejectedRow] = field(default_factory=list)

    def paid(self) -> dict[tuple[str, str], LedgerEntry]:
        """The first ledger row per (order id, kind)."""
        found: dict[tuple[str, str], LedgerEntry] = {}
        for entry in self.entries:
            found.setdefault((entry.order_id, entry.kind), entry)
        return found


def kind_of(text: object) -> str | None:
    key = header_key(clean_text(text))
    if not key:
        return None
    for kind, words in _KIND_WORDS:
        if any(word in key for word in words):
            return kind
    return None


def parse_ledger(grid: Grid | None, tz: ZoneInfo) -> Ledger:
    """The ledger as read; an absent tab (None) is an empty ledger."""
    ledger = Ledger()
    if grid is None:
        return ledger
    columns = match_headers(grid.header, LEDGER_COLUMNS)
    for key in ("order_id", "kind"):
        if not columns.has(key):
            header = next(c.header for c in LEDGER_COLUMNS if c.key == key)
            ledger.problems.append(RejectedRow(1, None, f"表头里没有「{header}」列：已记录的赔付认不出来，可能重复赔付。请补上这一列",
                                               file=grid.tab))
            return ledger
    for index, cells in enumerate(grid.rows):
        row = grid.row_number(index)

        def raw(key: str, cells: list = cells) -> Any:
            position = columns.index.get(key)
            return cells[position] if position is not None and position < len(cells) else None

        if all(clean_text(value) == "" for value in cells):
            continue
        try:
            order_id = parse_order_id(raw("order_id"))
        except ValueProblem as problem:
            ledger.problems.append(RejectedRow(row, columns.header_text["order_id"],
                                               f"{problem}；这一行认不出订单，它的赔付挡不住重复赔付", file=grid.tab))
            continue
        kind = kind_of(raw("kind"))
        if kind is None:
            ledger.problems.append(RejectedRow(row, columns.header_text["kind"],
                                               f"不认识的赔付类型「{clean_text(raw('kind'))}」（应为 {'、'.join(KIND_TEXT.values())}）",
                                               file=grid.tab))
            continue
        ledger.entries.append(LedgerEntry(
            row=row, order_id=order_id, kind=kind, amount=_quiet(parse_money, raw("amount")),
            computed_at=_quiet(lambda v: parse_datetime(v, tz), raw("computed_at")), by=clean_text(raw("by")),
            base_amount=_quiet(parse_money, raw("base_amount")), rate=_quiet(parse_rate, raw("rate")),
            refund=_quiet(parse_money, raw("refund")), platform=platform_of(clean_text(raw("platform")))))
    return ledger


def _quiet(parser: Any, value: Any) -> Any:
    """Optional ledger cells: unreadable ones are shown as blank rather than blocking the run; the
    order id and kind are what prevent a double payment."""
    if clean_text(value) == "":
        return None
    try:
        return parser(value)
    except ValueProblem:
        return None


def read_ledger(grid: Grid | None, tz: ZoneInfo) -> list[LedgerEntry]:
    """Entries for the daily summary: those with a readable amount and time (a payout without them cannot
    be counted on a day; parse_ledger still keeps it against double payment)."""
    return [e for e in parse_ledger(grid, tz).entries if e.amount is not None and e.computed_at is not None]


def split_paid(payouts: Iterable[Payout], ledger: Ledger) -> tuple[list[Payout], list[tuple[Payout, LedgerEntry]]]:
    """(payouts to make, payouts the ledger already holds with the ledger row that holds them)."""
    paid = ledger.paid()
    new: list[Payout] = []
    already: list[tuple[Payout, LedgerEntry]] = []
    seen: set[tuple[str, str]] = set()
    for payout in payouts:
        key = (payout.order_id, payout.kind)
        if key in paid:
            already.append((payout, paid[key]))
        elif key not in seen:  # the rules give one payout per order and kind; this keeps it so
            seen.add(key)
            new.append(payout)
    return new, already


def ledger_write(grid: Grid | None, payouts: Sequence[Payout], *, computed_at: datetime, by: str, tz: ZoneInfo,
                 tab: str = LEDGER_TAB) -> TabWrite:
    """The one write for `--commit`: the tab created with our header when absent, else our rows in the
    tab's own column order, with any of our columns it lacks added at the end."""
    if grid is None:
        header, add, index = list(LEDGER_HEADER), [], {c.key: i for i, c in enumerate(LEDGER_COLUMNS)}
    else:
        header = list(grid.header)
        columns = match_headers(header, LEDGER_COLUMNS)
        add = [c.header for c in LEDGER_COLUMNS if not columns.has(c.key)]
        index = dict(columns.index)
        for offset, column in enumerate(c for c in LEDGER_COLUMNS if not columns.has(c.key)):
            index[column.key] = len(header) + offset
    width = len(header) + len(add)
    stamp = time_text(computed_at, tz)
    appends = []
    for payout in payouts:
        values: dict[str, WriteValue] = {
            "order_id": payout.order_id,  # text: the backend keeps every digit
            "kind": KIND_TEXT[payout.kind],
            "base_amount": to_fen(payout.base_amount),
            "rate": payout.rate,
            "amount": to_fen(payout.amount),
            "refund": to_fen(payout.refund) if payout.refund is not None else None,
            "platform": PLATFORM_LABELS.get(payout.platform or "", ""),
            "computed_at": stamp,
            "by": by,
            "source": f"{payout.file} 第 {payout.row} 行" if payout.file else "",
        }
        row: list[WriteValue] = [None] * width
        for key, value in values.items():
            row[index[key]] = value
        appends.append(row)
    return TabWrite(tab if grid is None else grid.tab, header, None, add_columns=add, appends=appends,
                    create=grid is None, unique=tuple((header + add)[index[key]] for key in ("order_id", "kind")))
