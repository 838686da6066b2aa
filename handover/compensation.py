"""`handover compensation` as a library: finance's daily run (SPEC "Who uses it" point 3, issue 4).

`run_compensation` reads the order exports and affiliate reports (exports.py), applies the rules
(compensation_rules.py), leaves out what the 赔付记录 ledger already holds (ledger.py) and returns a
report; `commit_report` records the new payouts in one write; `report_json` and `render_report` turn the
report into SPEC's JSON or a text for finance; `at_risk_for_pull` gives the morning list its pre-sale
orders about to become late.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from glob import glob
from pathlib import Path
from typing import Any, Sequence
from zoneinfo import ZoneInfo

from .compensation_rules import (  # noqa: F401 - the rules' public names are part of this module's API
    AFFILIATE_DEDUCTION, KIND_LABELS, KINDS, PRESALE_LATE, PRESETS, AffiliateState, AtRisk, Check,
    CompensationSettings, OrderState, Payout, Rule, evaluate_affiliate, evaluate_presale, merge_affiliate,
    merge_order, parse_settings,
)
from .config import Config
from .errors import HandoverError
from .export_rows import affiliate_lines, order_lines
from .exports import AFFILIATE, ORDERS, ExportFile, RejectedRow, platform_label
from .ledger import LedgerEntry, ledger_write, parse_ledger, split_paid
from .render import display_width, render, table
from .returns import parse_returns
from .sheet import Backend, Grid, WriteResult
from .values import iso_time, money_text


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


def _scan(order_paths: Sequence[str | Path], affiliate_paths: Sequence[str | Path], settings: CompensationSettings,
          tz: ZoneInfo, now: datetime, returns_grid: Grid | None = None) -> _Scan:
    rejected: list[RejectedRow] = []
    duplicates: list[Duplicate] = []
    affiliate_files = [ExportFile(p, AFFILIATE, settings.columns) for p in affiliate_paths]
    order_files = [ExportFile(p, ORDERS, settings.columns, settings.platform) for p in order_paths]
    everything = affiliate_files + order_files
    names = [e.label for e in everything]
    for export in everything:
        if names.count(export.label) > 1:
            export.label = str(export.path)  # two files of the same name from different folders
    affiliates: dict[str, AffiliateState] = {}
    for export in affiliate_files:
        for line in affiliate_lines(export, tz, now, rejected):
            if merge_affiliate(affiliates, line, export.signature):
                duplicates.append(Duplicate(line.file, line.row, line.order_id))
    orders: dict[str, OrderState] = {}
    # Files with refund reasons go first, so an order they mention is kept when the order report (which
    # has the pre-sale markers and the payment time) is read after them, even if it shows it shipped.
    for export in sorted(order_files, key=lambda e: not e.has("refund_reason")):
        for line in order_lines(export, tz, now, presale_keywords=settings.presale_keywords,
                                everything_presale=not settings.presale_only, reason_matches=settings.reason_matches,
                                known=orders, refunds_wanted=affiliates, rejected=rejected):
            if merge_order(orders, line, settings):
                duplicates.append(Duplicate(line.file, line.row, line.order_id))
    returned = {key for key, order in orders.items() if order.refund_asked}
    returned |= {key for key, state in affiliates.items() if state.disputes}
    if returns_grid is not None:
        returned |= returned_orders(returns_grid, tz, now, rejected)
    files = [FileRead(e.label, e.role, e.kind, e.platform, e.encoding, e.rows_read) for e in everything]
    unique = list(dict.fromkeys((r.file, r.row, r.column, r.message) for r in rejected))
    rejected = [RejectedRow(row, column, message, file=file) for file, row, column, message in unique]
    return _Scan(orders, affiliates, returned, rejected, duplicates, files)


def returned_orders(grid: Grid, tz: ZoneInfo, now: datetime, rejected: list[RejectedRow]) -> set[str]:
    """Order ids in the sheet's 退货 tab (returns.py): proof of a return handled off the platform, which
    the affiliate rule needs. A return whose order id cannot be read is listed: its deduction would be missed."""
    table = parse_returns(grid, tz, now=now)
    column = table.header("order_id")
    for item in table.items:
        rejected += [RejectedRow(p.row, p.column, p.message, file=grid.tab) for p in item.problems if p.column == column]
    return {item.order_id for item in table.items if item.order_id}


def run_compensation(order_paths: Sequence[str | Path], affiliate_paths: Sequence[str | Path] = (),
                     config: Config | None = None, ledger_grid: Grid | None = None, now: datetime | None = None,
                     *, by: str = "", returns_grid: Grid | None = None) -> CompensationReport:
    """The dry run: read the exports, apply the rules, leave out what the ledger already holds."""
    config = config or Config()
    settings = parse_settings(config)
    tz = config.timezone
    now = (now or datetime.now(tz)).astimezone(tz)
    scan = _scan(order_paths, affiliate_paths, settings, tz, now, returns_grid)
    results: list[Any] = [evaluate_presale(order, settings, now) for order in scan.orders.values()]
    results += [evaluate_affiliate(state, scan.orders.get(key), key in scan.returned, settings)
                for key, state in scan.affiliates.items()]
    ledger = parse_ledger(ledger_grid, tz)
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
        duplicates=scan.duplicates, files=scan.files)


def commit_report(backend: Backend, report: CompensationReport, ledger_grid: Grid | None, config: Config) -> WriteResult:
    """`--commit`: append the new payouts to 赔付记录 in one write. `backend` must be the one `ledger_grid`
    was read from, so a ledger changed meanwhile stops the write instead of paying twice."""
    report.commit_requested = True
    if not report.payouts:
        return WriteResult()
    tab = config.tabs["payouts"]
    write = ledger_write(ledger_grid, report.payouts, computed_at=report.computed_at, by=report.by, tz=report.tz, tab=tab)
    result = backend.write([write])
    report.committed = True
    report.ledger_rows = result.appended_rows.get(write.tab, [])
    return result


# ---------------------------------------------------------------------------------- pull's list

@dataclass
class PullAtRisk:
    items: list[AtRisk]
    rejected: list[RejectedRow]
    files: list[str]
    unmatched: list[str]  # patterns in [compensation] orders that found no file
    errors: list[str] = field(default_factory=list)  # files that could not be read at all


def at_risk_for_pull(config: Config, now: datetime | None = None, *, paths: Sequence[str | Path] = ()) -> PullAtRisk:
    """Pre-sale orders near or past their promised ship time and still not shipped, for the morning list.
    Orders come from `paths` (pull's --orders), else from `[compensation] orders = ["exports/*.csv"]`,
    relative to handover.toml."""
    settings = parse_settings(config)
    tz = config.timezone
    now = (now or datetime.now(tz)).astimezone(tz)
    files: list[str] = []
    unmatched: list[str] = []
    for pattern in paths or settings.orders:
        path = Path(pattern).expanduser()
        if not path.is_absolute():
            path = config.base_dir / path
        found = sorted(glob(str(path))) if any(c in str(pattern) for c in "*?[") else ([str(path)] if path.exists() else [])
        files += [f for f in found if f not in files]
        if not found:
            unmatched.append(str(pattern))
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
        return PullAtRisk([], [], [], unmatched, errors)
    scan = _scan(readable, (), settings, tz, now)
    items = [r for r in (evaluate_presale(o, settings, now) for o in scan.orders.values()) if isinstance(r, AtRisk)]
    items.sort(key=lambda a: (a.seconds_left, a.order_id))
    return PullAtRisk(items, scan.rejected, [f.file for f in scan.files], unmatched, errors)


# ------------------------------------------------------------------------------------------ output

def rate_text(rate: Decimal | None) -> str | None:
    """A rate for JSON: at least two decimals, no float noise: 0.3 -> "0.30", 0.055 -> "0.055"."""
    if rate is None:
        return None
    text = f"{rate.normalize():f}"
    whole, _, decimals = text.partition(".")
    return f"{whole}.{decimals.ljust(2, '0')}"


def percent_text(rate: Decimal | None) -> str:
    if rate is None:
        return ""
    return f"{(rate * 100).normalize():f}%"



def payout_json(payout: Payout) -> dict[str, Any]:
    record: dict[str, Any] = {"order_id": payout.order_id, "kind": payout.kind, "base_amount": money_text(payout.base_amount),
                              "rate": rate_text(payout.rate), "amount": money_text(payout.amount)}
    if payout.kind == AFFILIATE_DEDUCTION:
        record["refund"] = money_text(payout.refund or Decimal(0))
    record.update(platform=payout.platform, file=payout.file, row=payout.row, basis=payout.basis)
    if payout.rule:
        record["rule"] = payout.rule
    return record


def at_risk_json(item: AtRisk, tz: ZoneInfo) -> dict[str, Any]:
    return {"order_id": item.order_id, "platform": item.platform, "promised_ship_at": iso_time(item.promised_ship_at, tz),
            "hours_left": item.hours_left, "overdue": item.overdue, "claimed": item.claimed,
            "paid_amount": money_text(item.paid_amount), "potential_amount": money_text(item.potential_amount),
            "title": item.title, "file": item.file, "row": item.row}


def report_json(report: CompensationReport) -> dict[str, Any]:
    """SPEC "JSON output": money as "59.70", times ISO 8601 with offset, stable keys."""
    tz = report.tz
    totals = {}
    for kind, total in report.totals().items():
        totals[kind] = {"count": total.count, "amount": money_text(total.amount)}
        if kind == AFFILIATE_DEDUCTION:
            totals[kind]["refund"] = money_text(total.refund)
    return {
        "computed_at": iso_time(report.computed_at, tz),
        "by": report.by,
        "committed": report.committed,
        "ledger_rows": report.ledger_rows,
        "files": [vars(f).copy() for f in report.files],
        "payouts": [payout_json(p) for p in report.payouts],
        "totals": totals,
        "already_paid": [payout_json(a.payout) | {
            "ledger_row": a.entry.row, "paid_amount": money_text(a.entry.amount) if a.entry.amount is not None else None,
            "paid_at": iso_time(a.entry.computed_at, tz), "paid_by": a.entry.by} for a in report.already_paid],
        "at_risk": [at_risk_json(item, tz) for item in report.at_risk],
        "checks": [vars(c).copy() for c in report.checks],
        "duplicates": [vars(d).copy() for d in report.duplicates],
        "rejected": [r.as_json() for r in report.rejected],
    }


def _money_columns(rows: list[list[str]], columns: Sequence[int]) -> list[list[str]]:
    """Right-align the money columns (and their Chinese header) before the table pads the rest."""
    for column in columns:
        width = max((display_width(row[column]) for row in rows), default=0)
        for row in rows:
            row[column] = " " * (width - display_width(row[column])) + row[column]
    return rows


def _at_risk_lines(items: Sequence[AtRisk], header: list[str]) -> list[str]:
    rows = [header] + [[item.order_id, platform_label(item.platform), _left(item), item.promised_ship_at.strftime("%m-%d %H:%M"),
                        money_text(item.paid_amount), money_text(item.potential_amount),
                        "　".join(t for t in ("买家已申请退款" if item.claimed else "", item.title) if t)]
                       for item in items]
    return table(_money_columns(rows, (4, 5))) if items else []


def _left(item: AtRisk) -> str:
    """剩 5 小时 / 超时 3 小时 / 超时 4 天 1 小时, floored: what the morning shift can still act on."""
    if item.overdue:
        hours = -item.seconds_left // 3600
        return f"超时 {_hours_text(hours)}" if hours else "刚超时"
    return f"剩 {_hours_text(item.hours_left)}"


def _hours_text(hours: int) -> str:
    # Beyond two days, hours alone stop meaning much to a person: 205 小时 is 8 天 13 小时.
    if hours < 48:
        return f"{hours} 小时"
    days, rest = divmod(hours, 24)
    return f"{days} 天 {rest} 小时" if rest else f"{days} 天"


def render_report(report: CompensationReport, fmt: str = "text", override: Path | None = None) -> str:
    """The report as JSON (`fmt="json"`) or as the text finance reads (templates/compensation.txt.j2)."""
    if fmt == "json":
        return json.dumps(report_json(report), ensure_ascii=False, indent=2) + "\n"
    totals = report.totals()
    groups = []
    for kind in KINDS:
        payouts = [p for p in report.payouts if p.kind == kind]
        if kind == PRESALE_LATE:
            header = ["订单号", "平台", "商品实付", "比例", "赔付", "依据"]
            rows = [[p.order_id, platform_label(p.platform), money_text(p.base_amount), percent_text(p.rate),
                     money_text(p.amount), p.basis] for p in payouts]
            money = (2, 4)
        else:
            header = ["订单号", "平台", "实付", "扣佣金", "线下退款", "依据"]
            rows = [[p.order_id, platform_label(p.platform), money_text(p.base_amount), money_text(p.amount),
                     money_text(p.refund or Decimal(0)), p.basis] for p in payouts]
            money = (2, 3, 4)
        total = totals[kind]
        by_rule: dict[str, list[str]] = {}
        for p in payouts:
            if p.rule and platform_label(p.platform) not in by_rule.setdefault(p.rule, []):
                by_rule[p.rule].append(platform_label(p.platform))
        rules = [f"{'、'.join(platforms)} {rule}" for rule, platforms in by_rule.items()]
        groups.append({"kind": kind, "label": KIND_LABELS[kind], "count": total.count, "amount": money_text(total.amount),
                       "rules": rules,
                       "refund": money_text(total.refund), "lines": table(_money_columns([header] + rows, money)) if rows else []})
    already = []
    for item in report.already_paid:
        entry, payout = item.entry, item.payout
        differs = entry.amount is not None and entry.amount != payout.amount
        already.append([payout.order_id, KIND_LABELS[payout.kind], money_text(entry.amount) if entry.amount is not None else "",
                        entry.computed_at.strftime("%Y-%m-%d %H:%M") if entry.computed_at else "", entry.by,
                        f"（本次算出 {money_text(payout.amount)}）" if differs else ""])
    at_risk = _at_risk_lines(report.at_risk, ["订单号", "平台", "剩余", "承诺发货", "商品实付", "若超时赔付", "备注"])
    return render("compensation.txt.j2", override, computed_at=report.computed_at.strftime("%Y-%m-%d %H:%M"),
                  by=report.by, committed=report.committed, commit_requested=report.commit_requested,
                  ledger_rows=len(report.ledger_rows),
                  files=report.files, groups=groups, any_payout=bool(report.payouts),
                  already=table(_money_columns(already, (2,))), at_risk=at_risk, at_risk_count=len(report.at_risk),
                  checks=table([[c.order_id, c.message] for c in report.checks]),
                  duplicates=report.duplicates, rejected=[r.describe() for r in report.rejected])


def at_risk_data(result: PullAtRisk, tz: ZoneInfo) -> dict[str, Any]:
    """Pull's at-risk section for `pull --format json`."""
    return {"at_risk": [at_risk_json(i, tz) for i in result.items],
            "rejected": [r.as_json() for r in result.rejected], "files": result.files,
            "unmatched": result.unmatched, "errors": result.errors}


def render_at_risk(result: PullAtRisk, fmt: str = "text", override: Path | None = None, *, tz: ZoneInfo | None = None) -> str:
    """Pull's section: pre-sale orders near their promised ship time (text or markdown), or its JSON."""
    if fmt == "json":
        return json.dumps(at_risk_data(result, tz or ZoneInfo("Asia/Shanghai")), ensure_ascii=False, indent=2) + "\n"
    name = "compensation_at_risk.md.j2" if fmt == "markdown" else "compensation_at_risk.txt.j2"
    lines = _at_risk_lines(result.items, ["订单号", "平台", "剩余", "承诺发货", "商品实付", "若超时赔付", "备注"])
    return render(name, override, items=result.items, lines=lines, files=result.files, unmatched=result.unmatched,
                  errors=result.errors,
                  rejected=[r.describe() for r in result.rejected], left=_left, platform_label=platform_label,
                  money=money_text)
