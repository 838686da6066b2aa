"""What finance reads from `handover compensation`: the text report and SPEC's JSON, and the morning
list's section of pre-sale orders not shipped (past their promise, then about to pass it). The payout
workbook is `payouts_xlsx`'.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence
from zoneinfo import ZoneInfo

from ..compensation.rules import AFFILIATE_DEDUCTION, KIND_LABELS, KINDS, PRESALE_LATE, AtRisk, Payout
from ..exports import platform_label
from ..model.values import iso_time, money_text, time_left_text
from ..textwidth import display_width, table
from .environment import render, single_line
from .views import dumps

if TYPE_CHECKING:
    from ..compensation.run import CompensationReport, PullAtRisk


def rate_text(rate: Decimal | None) -> str | None:
    """A rate for JSON: at least two decimals, no float noise: 0.3 -> "0.30", 0.055 -> "0.055"."""
    if rate is None:
        return None
    text = f"{rate.normalize():f}"
    whole, _, decimals = text.partition(".")
    return f"{whole}.{decimals.ljust(2, '0')}"


def payout_json(payout: Payout) -> dict[str, Any]:
    record: dict[str, Any] = {"order_id": payout.order_id, "kind": payout.kind, "base_amount": money_text(payout.base_amount),
                              "rate": rate_text(payout.rate), "amount": money_text(payout.amount)}
    if payout.kind == AFFILIATE_DEDUCTION:
        record["refund"] = money_text(payout.refund or Decimal(0))
    record.update(platform=payout.platform, file=payout.file, row=payout.row, basis=payout.basis)
    if payout.rule:
        record.update(rule=payout.rule, limit=payout.limit or None)
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
        "missing": [vars(m).copy() for m in report.missing],
        "ledger_tabs": report.ledger.tabs,
    }


def _money_columns(rows: list[list[str]], columns: Sequence[int]) -> list[list[str]]:
    """Right-align the money columns (and their Chinese header) before the table pads the rest."""
    for column in columns:
        width = max((display_width(row[column]) for row in rows), default=0)
        for row in rows:
            row[column] = " " * (width - display_width(row[column])) + row[column]
    return rows


# Pre-sale orders not shipped: those already past their promise apart from those about to pass it, in
# every at-risk list (compensation, pull; the summary has its own), each with the heading its time needs.
_AT_RISK_HEADERS = {
    True: ["订单号", "平台", "超时", "承诺发货", "商品实付", "可能要赔", "备注"],
    False: ["订单号", "平台", "剩余", "承诺发货", "商品实付", "若超时赔付", "备注"],
}


def _at_risk_lines(items: Sequence[AtRisk], overdue: bool) -> list[str]:
    """The aligned table of one of the two lists; cell text on one line before the columns are measured
    (a product title with a line break in it)."""
    rows = [list(_AT_RISK_HEADERS[overdue])]
    rows += [[single_line(item.order_id), platform_label(item.platform), _left(item), item.promised_ship_at.strftime("%m-%d %H:%M"),
              money_text(item.paid_amount), money_text(item.potential_amount),
              "　".join(t for t in ("买家已申请退款" if item.claimed else "", single_line(item.title)) if t)]
             for item in items]
    return table(_money_columns(rows, (4, 5))) if items else []


def at_risk_lists(items: Sequence[AtRisk]) -> dict[str, Any]:
    """What a template gets to list the orders past their promise (`overdue_*`, longest overdue first)
    apart from those about to pass it (`near_*`, soonest first)."""
    overdue = [item for item in items if item.overdue]
    near = [item for item in items if not item.overdue]
    return {"overdue_items": overdue, "overdue_lines": _at_risk_lines(overdue, True),
            "near_items": near, "near_lines": _at_risk_lines(near, False)}


def _left(item: AtRisk) -> str:
    return time_left_text(item.seconds_left)


def status_text(report: CompensationReport) -> str:
    """Whether the payouts shown are recorded: what finance must read before paying anything."""
    if report.committed:
        return f"已记入{report.ledger_tab}"
    if report.commit_requested:
        return "已核对，没有新的赔付要记录"
    return "试算（未记录）"


def render_report(report: CompensationReport, fmt: str = "text", override: Path | None = None) -> str:
    """The report as JSON (`fmt="json"`) or as the text finance reads (templates/compensation.txt.j2)."""
    if fmt == "json":
        return dumps(report_json(report))
    totals = report.totals()
    groups = []
    for kind in KINDS:
        payouts = [p for p in report.payouts if p.kind == kind]
        if kind == PRESALE_LATE:
            header = ["订单号", "平台", "商品实付", "比例", "赔付", "依据"]
            rows = [[p.order_id, platform_label(p.platform), money_text(p.base_amount), p.how, money_text(p.amount), p.basis]
                    for p in payouts]
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
    return render("compensation.txt.j2", override, computed_at=report.computed_at.strftime("%Y-%m-%d %H:%M"),
                  by=report.by, committed=report.committed, status=status_text(report),
                  recorded=len(report.payouts), ledger_tab=report.ledger_tab, ledger_tabs=report.ledger.tabs,
                  missing=[m.message for m in report.missing], ledger_problems=len(report.ledger.problems),
                  files=report.files, groups=groups, any_payout=bool(report.payouts),
                  already=table(_money_columns(already, (2,))), **at_risk_lists(report.at_risk),
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
        return dumps(at_risk_data(result, tz or ZoneInfo("Asia/Shanghai")))
    name = "compensation_at_risk.md.j2" if fmt == "markdown" else "compensation_at_risk.txt.j2"
    return render(name, override, **at_risk_lists(result.items), files=result.files, unmatched=result.unmatched,
                  errors=result.errors,
                  rejected=[r.describe() for r in result.rejected], left=_left, platform_label=platform_label,
                  money=money_text)
