"""The 赔付记录 tab: every payout finance has committed, so that no order is ever paid twice.

The tab is only appended to, one row per payout, in one write per run. A payout is the same as one in
the ledger when the order id and the kind match; amounts may differ (a rule changed) and are shown, but
the order is not paid again. People edit this tab too, so it is found by its header when it was renamed
or has a title row above it, and a row that cannot be read exactly (an id a spreadsheet turned into a
rounded number or its platform cannot have, an amount that cannot be read, is blank or negative) is
reported: until it is fixed, `--commit` records nothing, because that row can no longer protect its order
against a second payment, or no longer says what was paid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Iterable, Sequence
from zoneinfo import ZoneInfo

from ..errors import HandoverError
from ..exports import RejectedRow
from ..model.schema import (
    MONEY_FORMAT,
    PLATFORM_LABELS,
    TABS,
    Column,
    header_key,
    locate_header,
    match_headers,
    platform_of,
)
from ..model.values import (
    ValueProblem,
    order_id_shape,
    parse_datetime,
    parse_money,
    parse_order_id,
    parse_rate,
    time_text,
    to_fen,
)
from ..sheet import Grid, TabSpec, TabWrite, WriteValue, clean_text
from .rules import KIND_LABELS, Payout

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
    # Why the amount is not rate × base (the floor or the cap gave it): the rate cell stays a number,
    # which finance sums and filters on. Added at the end, so an older ledger gains it on its next commit.
    Column("note", "说明", ("note",)),
)
LEDGER_HEADER = [column.header for column in LEDGER_COLUMNS]
_HEADERS = {column.key: column.header for column in LEDGER_COLUMNS}

# Reading accepts the kind names (KIND_LABELS), the English keys, and older or loose wording.
_KIND_WORDS = (("presale_late", ("presale", "预售", "延迟发货", "晚发货")),
               ("affiliate_deduction", ("affiliate", "淘客", "淘宝客", "佣金", "扣佣")))
# A tab is ledger-shaped when its header has three of these (the handover tab has two: 订单号 and 类型).
_LEDGER_SIGNS = ("order_id", "kind", "base_amount", "rate", "amount", "refund", "computed_at", "by", "source")
PERCENT_FORMAT = "0%"


class LedgerError(HandoverError):
    """The ledger cannot be trusted to stop a second payment: --commit records nothing."""


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
    tabs: list[str] = field(default_factory=list)  # the tabs read as the ledger (several: all of them)

    def counted(self) -> list[LedgerEntry]:
        """The entries the daily summary counts: those with a readable amount and time (a payout without
        them cannot be counted on a day; it still stops a second payment)."""
        return [e for e in self.entries if e.amount is not None and e.computed_at is not None]

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


def tab_spec() -> TabSpec:
    """The tab `handover init` makes: the kinds as a dropdown, order ids as text."""
    return TabSpec(TABS["payouts"], LEDGER_HEADER, {_HEADERS["kind"]: list(KIND_LABELS.values())}, [_HEADERS["order_id"]],
                   widths={_HEADERS["order_id"]: 22, _HEADERS["source"]: 30, _HEADERS["computed_at"]: 18,
                           _HEADERS["note"]: 30})


def located(grid: Grid) -> Grid:
    """The ledger read with its real header: the row among its first five that names the most ledger
    columns, as the 交接 tab's is found (a title such as 2026年赔付台账 may sit above it)."""
    return locate_header(grid, LEDGER_COLUMNS)


def ledger_shaped(tab: Grid | Sequence[object]) -> bool:
    """Whether a tab (or a header row) looks like a ledger's, even with one of its columns renamed or a
    title above its header."""
    header = located(tab).header if isinstance(tab, Grid) else tab
    columns = match_headers(header, LEDGER_COLUMNS)
    return sum(columns.has(key) for key in _LEDGER_SIGNS) >= 3


def parse_ledgers(grids: Sequence[Grid], tz: ZoneInfo) -> Ledger:
    """Every ledger tab found, read as one ledger (no tab: an empty one)."""
    ledger = Ledger(tabs=[grid.tab for grid in grids])
    for grid in grids:
        one = parse_ledger(grid, tz)
        ledger.entries += one.entries
        ledger.problems += one.problems
    return ledger


def parse_ledger(grid: Grid | None, tz: ZoneInfo) -> Ledger:
    """The ledger as read; an absent tab (None) is an empty ledger."""
    ledger = Ledger()
    if grid is None:
        return ledger
    ledger.tabs = [grid.tab]
    grid = located(grid)
    columns = match_headers(grid.header, LEDGER_COLUMNS)
    for key in ("order_id", "kind"):
        if not columns.has(key):
            ledger.problems.append(RejectedRow(grid.header_row, None, _missing_column(grid, key), file=grid.tab))
            return ledger
    for index, cells in enumerate(grid.rows):
        row = grid.row_number(index)

        def raw(key: str, cells: list = cells) -> Any:
            position = columns.index.get(key)
            return cells[position] if position is not None and position < len(cells) else None

        def problem(key: str, message: str) -> None:
            ledger.problems.append(RejectedRow(row, columns.header_text[key], message, file=grid.tab))

        if all(clean_text(value) == "" for value in cells):
            continue
        if clean_text(raw("order_id")) == "" and clean_text(raw("kind")) == "":
            continue  # a note or a total under the payouts: it records no payout
        platform = platform_of(clean_text(raw("platform")))
        try:
            order_id = _exact_id(raw("order_id"))
            # An id its platform cannot have (a letter O typed for a 0) names no order that could be paid
            # again: the rule `log` refuses such an id by.
            order_id_shape(order_id, platform)
        except ValueProblem as error:
            problem("order_id", f"{error}；认不出这一行是哪笔订单，它挡不住重复赔付")
            continue
        kind = kind_of(raw("kind"))
        if kind is None:
            problem("kind", f"不认识的赔付类型「{clean_text(raw('kind'))}」（应为 {'、'.join(KIND_LABELS.values())}）")
            continue
        amount = None
        if columns.has("amount"):
            # What was paid, exactly: a blank or a negative amount is a row someone changed, not a payout.
            if clean_text(raw("amount")) == "":
                problem("amount", "金额为空；已赔付多少看不准，请填上赔付时的金额")
                continue
            try:
                amount = parse_money(raw("amount"))
            except ValueProblem as error:
                problem("amount", f"{error}；已赔付多少看不准，请改成 59.90 这样的金额")
                continue
            if amount < 0:
                problem("amount", f"金额不能是负数：{amount:.2f}；已赔付多少看不准，请改成赔付时的金额，例如 {-amount:.2f}")
                continue
        ledger.entries.append(LedgerEntry(
            row=row, order_id=order_id, kind=kind, amount=amount,
            computed_at=_quiet(lambda v: parse_datetime(v, tz), raw("computed_at")), by=clean_text(raw("by")),
            base_amount=_quiet(parse_money, raw("base_amount")), rate=_quiet(parse_rate, raw("rate")),
            refund=_quiet(parse_money, raw("refund")), platform=platform))
    return ledger


def _exact_id(value: Any) -> str:
    """The order id of a ledger cell. A number cell is fine while it holds every digit. Whatever type a
    backend hands back, a sheet's number is a double: an int beyond what a double holds exactly (Excel's
    "Convert to Number" on a 19-digit id) is refused like the float it is."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    return parse_order_id(value)


def _missing_column(grid: Grid, key: str) -> str:
    header = _HEADERS[key]
    message = f"表头里没有「{header}」列：已记录的赔付认不出来，可能重复赔付。请把这一列的表头改回「{header}」"
    if key == "kind":
        # Name the column that still holds the kinds, when one does: its header was renamed.
        for position, name in enumerate(grid.header):
            values = [clean_text(grid.cell(i, position)) for i in range(len(grid.rows))]
            values = [v for v in values if v]
            if values and all(kind_of(v) for v in values):
                return f"{message}（现在叫「{name}」的那一列看起来就是）"
    return message


def _quiet(parser: Any, value: Any) -> Any:
    """Optional ledger cells: unreadable ones are shown as blank rather than blocking the run; the
    order id and kind are what prevent a double payment."""
    if clean_text(value) == "":
        return None
    try:
        return parser(value)
    except ValueProblem:
        return None


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


def check_ledger(ledger: Ledger, name: str = TABS["payouts"]) -> None:
    """Raise LedgerError when the ledger cannot stop a second payment: a row it cannot read exactly,
    or several ledger-shaped tabs with nothing to say which one to write to. `name`: what the ledger
    tab is called (handover.toml [tabs] payouts)."""
    if len(ledger.tabs) > 1:
        names = "、".join(f"「{tab}」" for tab in ledger.tabs)
        raise LedgerError(f"有 {len(ledger.tabs)} 个标签页都像赔付记录（{names}），不知道该记到哪一页：什么都没有记录。"
                          f"请在 handover.toml 的 [tabs] 里写 payouts = \"要继续记录的那一页\"")
    if ledger.problems:
        first = ledger.problems[0]
        more = f"，共 {len(ledger.problems)} 行" if len(ledger.problems) > 1 else ""
        guessed = (f"；「{first.file}」是按表头认出的赔付记录，如果它不是，请新建一个叫「{name}」的标签页"
                   if ledger.tabs and ledger.tabs != [name] else "")
        column = f"「{first.column}」" if first.column else ""
        raise LedgerError(f"「{first.file}」有认不准的行：第 {first.row} 行{column}：{first.message}{more}。"
                          f"修好之前 --commit 什么都不记录，不加 --commit 运行可看到全部{guessed}")


def rate_cell(rate: Decimal | None) -> WriteValue:
    """A rate for the ledger: a number shown as 30% when it is a whole percent; else text (5.5%), which
    no column format can round."""
    if rate is None:
        return None
    percent = rate * 100
    if percent == percent.to_integral_value():
        return rate
    return f"{percent.normalize():f}%"


def ledger_write(grid: Grid | None, payouts: Sequence[Payout], *, computed_at: datetime, by: str, tz: ZoneInfo,
                 tab: str = TABS["payouts"]) -> TabWrite:
    """The one write for `--commit`: the tab created with our header when absent, else our rows in the
    tab's own column order, with any of our columns it lacks added at the end. Amounts are numbers
    shown to the fen, rates as percentages."""
    if grid is None:
        header, add, index = list(LEDGER_HEADER), [], {c.key: i for i, c in enumerate(LEDGER_COLUMNS)}
        names = dict(_HEADERS)
    else:
        grid = located(grid)  # appended under its own header, below a title row if it has one
        header = list(grid.header)
        columns = match_headers(header, LEDGER_COLUMNS)
        add = [c.header for c in LEDGER_COLUMNS if not columns.has(c.key)]
        index = dict(columns.index)
        for offset, column in enumerate(c for c in LEDGER_COLUMNS if not columns.has(c.key)):
            index[column.key] = len(header) + offset
        names = _HEADERS | {key: header[position] for key, position in columns.index.items()}
    width = len(header) + len(add)
    stamp = time_text(computed_at, tz)
    appends = []
    for payout in payouts:
        values: dict[str, WriteValue] = {
            "order_id": payout.order_id,  # text: the backend keeps every digit
            "kind": KIND_LABELS[payout.kind],
            "base_amount": to_fen(payout.base_amount),
            "rate": rate_cell(payout.rate),
            "amount": to_fen(payout.amount),
            "refund": to_fen(payout.refund) if payout.refund is not None else None,
            "platform": PLATFORM_LABELS.get(payout.platform or "", ""),
            "computed_at": stamp,
            "by": by,
            "source": f"{payout.file} 第 {payout.row} 行" if payout.file else "",
            "note": payout.limit_note or None,
        }
        row: list[WriteValue] = [None] * width
        for key, value in values.items():
            row[index[key]] = value
        appends.append(row)
    formats = {names[key]: MONEY_FORMAT for key in ("base_amount", "amount", "refund")} | {names["rate"]: PERCENT_FORMAT}
    return TabWrite(tab if grid is None else grid.tab, header, None, add_columns=add, appends=appends,
                    create=grid is None, unique=tuple((header + add)[index[key]] for key in ("order_id", "kind")),
                    number_formats=formats, header_row=grid.header_row if grid is not None else 1)
