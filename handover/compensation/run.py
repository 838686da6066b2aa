"""Finance's daily run (SPEC "Who uses it" point 3, issue 4): `handover compensation` computed.

`run_compensation` reads the order exports and affiliate reports (`exports`, `export_rows`), applies the
rules (`rules`), leaves out what the 赔付记录 ledger already holds (`ledger`) and returns a report, naming
what the files cannot show; `plan_commit` plans the one write that puts the new payouts in the ledger
(`commands` makes it); `at_risk_for_pull` gives the morning list its pre-sale orders about to become
late. What finance reads is `render.finance_views`'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence
from zoneinfo import ZoneInfo

from ..bulk import bulk
from ..errors import HandoverError
from ..exports import ExportFile, RejectedRow, each_once, platform_label, tell_apart
from ..model.config import Config
from ..model.returns_tab import parse_returns
from ..model.schema import TABS
from ..sheet import Grid, TabWrite
from .export_rows import affiliate_lines, order_lines
from .ledger import Ledger, LedgerEntry, check_ledger, ledger_write, parse_ledgers, split_paid
from .order_exports import AFFILIATE, ORDERS, file_kind, where_found
from .rules import (
    KINDS,
    AffiliateState,
    AtRisk,
    Check,
    OrderState,
    Payout,
    evaluate_affiliate,
    above_total,
    evaluate_presale,
    merge_affiliate,
    merge_order,
)
from .settings import CompensationSettings, parse_settings

# -------------------------------------------------------------------------------------------- run

@dataclass
class FileRead:
    file: str
    role: str
    kind: str
    platform: str | None
    encoding: str | None
    rows: int


@dataclass
class Duplicate:
    file: str
    row: int
    order_id: str


@dataclass
class AlreadyPaid:
    payout: Payout
    entry: LedgerEntry


@dataclass
class Missing:
    """Something a rule needs that none of the given files of a platform has, and where it is found."""

    platform: str | None
    column: str  # the [columns] key: refund_reason, presale_flag, shipped_at, paid_at, paid
    message: str


@dataclass
class Totals:
    count: int = 0
    amount: Decimal = Decimal("0.00")
    refund: Decimal = Decimal("0.00")


@dataclass
class CompensationReport:
    computed_at: datetime
    by: str
    tz: ZoneInfo
    payouts: list[Payout]  # new: not in the ledger yet
    already_paid: list[AlreadyPaid]
    at_risk: list[AtRisk]
    checks: list[Check]
    rejected: list[RejectedRow]
    duplicates: list[Duplicate]
    files: list[FileRead]
    missing: list[Missing] = field(default_factory=list)
    ledger: Ledger = field(default_factory=Ledger)  # as read: the tabs it was found in, its unreadable rows
    ledger_tab: str = TABS["payouts"]  # the name the ledger is known by (handover.toml [tabs] payouts)
    committed: bool = False
    commit_requested: bool = False  # --commit was given (with nothing new, committed stays False)
    ledger_rows: list[int] = field(default_factory=list)  # where --commit put the payouts

    def totals(self) -> dict[str, Totals]:
        totals = {kind: Totals() for kind in KINDS}
        for payout in self.payouts:
            total = totals[payout.kind]
            total.count += 1
            total.amount += payout.amount
            total.refund += payout.refund or 0
        return totals


@dataclass
class _Scan:
    orders: dict[str, OrderState]
    affiliates: dict[str, AffiliateState]
    returned: set[str]
    rejected: list[RejectedRow]
    duplicates: list[Duplicate]
    files: list[FileRead]
    missing: list[Missing]
    # Orders one of whose rows was rejected: the rest of their rows are not the whole order (a claim, a
    # pre-sale marker or an amount may be in the rejected row), so nothing is paid or advised on them.
    spoiled: set[str] = field(default_factory=set)


def _scan(order_paths: Sequence[str | Path], affiliate_paths: Sequence[str | Path], settings: CompensationSettings,
          tz: ZoneInfo, now: datetime, returns_grid: Grid | None = None) -> _Scan:
    rejected: list[RejectedRow] = []
    duplicates: list[Duplicate] = []
    spoiled: set[str] = set()
    affiliate_files = [ExportFile(p, AFFILIATE, settings.columns) for p in affiliate_paths]
    order_files = [ExportFile(p, ORDERS, settings.columns, settings.platform) for p in order_paths]
    everything = affiliate_files + order_files
    tell_apart(everything)
    affiliates: dict[str, AffiliateState] = {}
    for export in affiliate_files:
        for line in affiliate_lines(export, tz, now, rejected, settings.max_order_amount, spoiled):
            if merge_affiliate(affiliates, line, export.signature):
                duplicates.append(Duplicate(line.file, line.row, line.order_id))
    orders: dict[str, OrderState] = {}
    # Files with refund reasons go first, so an order they mention is kept when the order report (which
    # has the pre-sale markers and the payment time) is read after them, even if it shows it shipped.
    for export in sorted(order_files, key=lambda e: not e.has("refund_reason")):
        for line in order_lines(export, tz, now, presale_keywords=settings.presale_keywords,
                                everything_presale=not settings.presale_only, reason_matches=settings.reason_matches,
                                known=orders, refunds_wanted=affiliates, rejected=rejected,
                                cap=settings.max_order_amount, spoiled=spoiled):
            if merge_order(orders, line, settings):
                duplicates.append(Duplicate(line.file, line.row, line.order_id))
    for key, order in orders.items():
        if order.amounts.__class__ is list and (above := above_total(order)):
            rejected += above
            spoiled.add(key)
    returned = {key for key, order in orders.items() if order.refund_asked}
    returned |= {key for key, state in affiliates.items() if state.disputes}
    if returns_grid is not None:
        returned |= returned_orders(returns_grid, tz, now, rejected)
    files = [FileRead(e.label, e.role, file_kind(e), e.platform, e.encoding, e.rows_read) for e in everything]
    return _Scan(orders, affiliates, returned, each_once(rejected), duplicates, files, _missing(order_files, settings),
                 spoiled)


# What the pre-sale rule needs from the order files, as any one of these columns; the first names it.
_NEEDS = (("refund_reason", ("refund_reason",)), ("presale_flag", ("presale_flag", "title", "order_type", "promised_at")),
          ("shipped_at", ("shipped_at", "order_status", "tracking_no")), ("paid_at", ("paid_at", "created_at", "promised_at")),
          ("paid", ("paid",)))


def _missing(order_files: Sequence[ExportFile], settings: CompensationSettings) -> list[Missing]:
    """Per platform, what none of its order files has (a Tmall order report alone has no refund reason),
    so that the report can say so instead of "nothing to pay"."""
    by_platform: dict[str | None, list[ExportFile]] = {}
    for export in order_files:
        by_platform.setdefault(export.platform, []).append(export)
    missing = []
    for platform, exports in by_platform.items():
        for need, keys in _NEEDS:
            if need == "presale_flag" and not settings.presale_only:
                continue  # every order counts as pre-sale
            if not any(export.has(key) for export in exports for key in keys):
                prefix = f"{platform_label(platform)}：" if len(by_platform) > 1 else ""
                missing.append(Missing(platform, need, prefix + where_found(need, platform, exports)))
    return missing


def returned_orders(grid: Grid, tz: ZoneInfo, now: datetime, rejected: list[RejectedRow]) -> set[str]:
    """Order ids in the sheet's 退货 tab (returns.py): proof of a return handled off the platform, which
    the affiliate rule needs. A return whose order id cannot be read is listed: its deduction would be missed."""
    table = parse_returns(grid, tz, now=now)
    column = table.header("order_id")
    for item in table.items:
        rejected += [RejectedRow(p.row, p.column, p.message, file=grid.tab) for p in item.problems if p.column == column]
    return {item.order_id for item in table.items if item.order_id}


@bulk
def run_compensation(order_paths: Sequence[str | Path], affiliate_paths: Sequence[str | Path] = (),
                     config: Config | None = None, ledger_grid: Grid | Sequence[Grid] | None = None,
                     now: datetime | None = None, *, by: str = "", returns_grid: Grid | None = None) -> CompensationReport:
    """The dry run: read the exports, apply the rules, leave out what the ledger already holds. The
    ledger is its tab, or every ledger-shaped tab found (ledger.find_ledger), or None."""
    config = config or Config()
    settings = parse_settings(config)
    tz = config.timezone
    now = (now or datetime.now(tz)).astimezone(tz)
    scan = _scan(order_paths, affiliate_paths, settings, tz, now, returns_grid)
    results: list[Any] = []
    for key, order in scan.orders.items():
        result = evaluate_presale(order, settings, now)
        # An order with a rejected row is listed with that row and nowhere else (no payout, no advice drawn
        # from the rows left), unless it is a pre-sale order near its promise: a warning to ship, not a payment.
        if key not in scan.spoiled or isinstance(result, AtRisk):
            results.append(result)
    results += [evaluate_affiliate(state, scan.orders.get(key), key in scan.returned, settings)
                for key, state in scan.affiliates.items() if key not in scan.spoiled]
    ledger = parse_ledgers(_grids(ledger_grid), tz)
    order = {f.file: i for i, f in enumerate(scan.files)}
    place = lambda item: (order.get(item.file, len(order)), item.row)  # noqa: E731
    payouts = sorted((r for r in results if isinstance(r, Payout)), key=lambda p: (KINDS.index(p.kind), *place(p)))
    new, already = split_paid(payouts, ledger)
    return CompensationReport(
        computed_at=now, by=by or config.handler(None), tz=tz, payouts=new,
        already_paid=[AlreadyPaid(payout, entry) for payout, entry in already],
        at_risk=sorted((r for r in results if isinstance(r, AtRisk)), key=lambda a: (a.seconds_left, a.order_id)),
        checks=sorted((r for r in results if isinstance(r, Check)), key=place),
        rejected=sorted(scan.rejected + [r for r in results if isinstance(r, RejectedRow)], key=place) + ledger.problems,
        duplicates=scan.duplicates, files=scan.files, missing=scan.missing, ledger=ledger,
        ledger_tab=config.tabs["payouts"])


def plan_commit(report: CompensationReport, ledger_grid: Grid | Sequence[Grid] | None) -> TabWrite | None:
    """`--commit`, before anything is written: the one write that appends the new payouts to the ledger
    (None: nothing new). Raises LedgerError, writing nothing, while the ledger cannot stop a second
    payment (a row it cannot read exactly, several ledger tabs)."""
    check_ledger(report.ledger, report.ledger_tab)
    report.commit_requested = True
    if not report.payouts:
        return None
    grids = _grids(ledger_grid)  # one at most: check_ledger refused several
    return ledger_write(grids[0] if grids else None, report.payouts, computed_at=report.computed_at, by=report.by,
                        tz=report.tz, tab=report.ledger_tab)


def _grids(ledger_grid: Grid | Sequence[Grid] | None) -> list[Grid]:
    return [] if ledger_grid is None else [ledger_grid] if isinstance(ledger_grid, Grid) else list(ledger_grid)


# ---------------------------------------------------------------------------------- pull's list

@dataclass
class PullAtRisk:
    items: list[AtRisk]
    rejected: list[RejectedRow]
    files: list[str]
    unmatched: list[str]  # patterns in [compensation] orders that found no file
    errors: list[str] = field(default_factory=list)  # files that could not be read at all


def at_risk_for_pull(files: Sequence[str | Path], config: Config, now: datetime | None = None, *,
                     unmatched: Sequence[str] = ()) -> PullAtRisk:
    """Pre-sale orders near or past their promised ship time and still not shipped, for the morning list,
    from these order exports (`unmatched`: the patterns that named none, to say so)."""
    settings = parse_settings(config)
    tz = config.timezone
    now = (now or datetime.now(tz)).astimezone(tz)
    # An unreadable export must not cost the team its morning list: it is named, the others are read.
    errors: list[str] = []
    readable = []
    for file in files:
        try:
            ExportFile(file, ORDERS, settings.columns, settings.platform)
            readable.append(file)
        except HandoverError as error:
            errors.append(str(error))
    if not readable:
        return PullAtRisk([], [], [], list(unmatched), errors)
    scan = _scan(readable, (), settings, tz, now)
    items = [r for r in (evaluate_presale(o, settings, now) for o in scan.orders.values()) if isinstance(r, AtRisk)]
    items.sort(key=lambda a: (a.seconds_left, a.order_id))
    return PullAtRisk(items, scan.rejected, [f.file for f in scan.files], list(unmatched), errors)
