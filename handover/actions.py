"""One function per command of the core issue: read once, compute on records, write once.

The CLI calls exactly one of these and prints what it returns.

Start-up time is part of every command, and `pull` on a big sheet is measured against a bare read of it
(benchmarks/sheet_bench.py): modules only some commands need (compensation, returns and their timers,
the summary) are imported inside those commands.
"""

from __future__ import annotations

import gc
import json
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import wraps
from typing import TYPE_CHECKING, Callable, Mapping, Sequence, TypeVar

from .errors import HandoverError, SheetError
from .messages import CourierBatch, Messages, build_messages, courier_messages, messages_json, render_messages
from .records import HandoverItem, Problem
from .render import environment, render, table
from .schema import Status
from .tasks import TaskList, build_task_list, task_list_json, task_rows
from .values import ValueProblem
from .workspace import Workspace

if TYPE_CHECKING:
    from .compensation import CompensationReport, PullAtRisk
    from .deadlines import DeadlineReport
    from .returns import ReturnItem, TrackingMatch
    from .returns_import_report import ImportReport
    from .summary import Summary

_Command = TypeVar("_Command", bound=Callable)


def _bulk(command: _Command) -> _Command:
    """Pause the cyclic garbage collector while a command reads, parses or renders a whole tab. Its
    grids, records and JSON hold no reference cycles (reference counting frees them), yet the collector's
    full passes over tens of thousands of them cost a tenth of `pull` on a 50,000-row sheet."""

    @wraps(command)
    def paused(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return command(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused  # type: ignore[return-value]


def dumps(data: object) -> str:
    """JSON for scripts: compact, so the C encoder runs (an indented dump of 50,000 items takes
    seconds in the pure-Python one); `jq .` makes it readable. What we dump is built fresh from records
    and holds no cycle: the encoder need not keep watch for one."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), check_circular=False) + "\n"


# ---------------------------------------------------------------------------------------- pull

@dataclass
class Morning:
    """Everything `pull` shows: the return timers running out (None when the workbook keeps no returns
    tab), pre-sale orders near their promised ship time (None when no order export is given or
    configured), the task list, and the messages ready to paste."""

    deadlines: DeadlineReport | None
    at_risk: PullAtRisk | None
    tasks: TaskList
    messages: Messages


@_bulk
def pull(ws: Workspace, now: datetime | None = None, *, orders: Sequence[str] = ()) -> Morning:
    now = now or ws.now()
    # Every pull renders templates: jinja is imported and set up while the sheet is read (a workbook's
    # cells are parsed, a Google Sheet is fetched, outside Python's lock).
    loading = threading.Thread(target=environment, args=(ws.templates,))
    loading.start()
    grids = ws.read("handover", "returns")
    loading.join()
    handover = ws.handover(grids["handover"], now, open_only=True)
    tasks = build_task_list(handover, now=now, morning_starts=ws.config.morning_starts, sheet=ws.backend.label)
    timers = None
    if grids["returns"] is not None:
        from .deadlines import deadline_report
        from .returns import parse_returns

        timers = deadline_report(parse_returns(grids["returns"], ws.tz, now=now).items, ws.config, now)
    return Morning(timers, _at_risk(ws, now, orders), tasks, build_messages(handover.items, ws.config))


def _at_risk(ws: Workspace, now: datetime, orders: Sequence[str]) -> PullAtRisk | None:
    """Pre-sale orders at risk, from --orders or `[compensation] orders`; None when neither names any."""
    if not orders and not ws.config.section("compensation").get("orders"):
        return None
    from .compensation import at_risk_for_pull

    return at_risk_for_pull(ws.config, now, paths=orders)


@_bulk
def render_pull(ws: Workspace, morning: Morning, fmt: str) -> str:
    tasks = morning.tasks
    if morning.deadlines is not None:
        from .deadlines import deadlines_json, render_deadlines
    if morning.at_risk is not None:
        from .compensation_output import at_risk_data, render_at_risk
    if fmt == "json":
        data = task_list_json(tasks, ws.tz)
        if morning.deadlines is not None:
            data["deadlines"] = deadlines_json(morning.deadlines)
        if morning.at_risk is not None:
            data["at_risk"] = at_risk_data(morning.at_risk, ws.tz)
        data["messages"] = messages_json(morning.messages, ws.templates)
        return dumps(data)
    groups = [
        {"label": group.label, "count": len(group.tasks), "rows": task_rows(group, ws.tz)}
        for group in tasks.groups
    ]
    if fmt == "text":
        for group in groups:
            group["lines"] = table(group["rows"])
    context = dict(
        tasks=tasks,
        generated=tasks.generated_at.astimezone(ws.tz).strftime("%Y-%m-%d %H:%M"),
        groups=groups,
        deadlines=render_deadlines(morning.deadlines, fmt, ws.templates) if morning.deadlines else "",
        at_risk=render_at_risk(morning.at_risk, fmt, ws.templates, tz=ws.tz) if morning.at_risk else "",
        messages=render_messages(morning.messages, fmt, ws.templates),
        problems=[_problem_line(problem) for problem in tasks.problems],
    )
    return render(f"pull.{'md' if fmt == 'markdown' else 'txt'}.j2", ws.templates, **context)


# ------------------------------------------------------------------------------------ deadlines

def deadlines(ws: Workspace, *, horizon: timedelta | None = None, now: datetime | None = None) -> DeadlineReport:
    from .deadlines import deadline_report
    from .returns import parse_returns

    now = now or ws.now()
    grid = ws.read("returns")["returns"]
    if grid is None:
        raise SheetError(f"{ws.backend.label} 里没有「{ws.config.tabs['returns']}」标签页：用 `handover log --return` "
                         "登记第一条退货时会自动建好，或手动建一个")
    return deadline_report(parse_returns(grid, ws.tz, now=now).items, ws.config, now, horizon)


def find_return(ws: Workspace, number: str, *, now: datetime | None = None) -> TrackingMatch:
    from .returns import find_by_tracking, parse_returns

    now = now or ws.now()
    grid = ws.read("returns")["returns"]
    items = parse_returns(grid, ws.tz, now=now).items if grid is not None else []
    try:
        return find_by_tracking(items, number)
    except ValueProblem as problem:
        raise HandoverError(str(problem)) from None


def render_return_match(ws: Workspace, match: TrackingMatch) -> str:
    from .returns import REFUND_STATUS_LABELS, SHIPPING_LABELS, STAGE_LABELS

    def when(moment: datetime | None) -> str:
        return moment.astimezone(ws.tz).strftime("%m-%d %H:%M") if moment else "—"

    returns = [
        {
            "id": item.id or "（无编号）", "row": item.row, "platform": item.platform_label or "平台不明",
            "order_id": item.order_id or "—", "buyer": item.buyer, "tracking": item.return_tracking_no,
            "courier": item.return_courier.name if item.return_courier else "",
            "reason": item.reason or "—",
            "shipping": SHIPPING_LABELS[item.shipping_paid_by] if item.shipping_paid_by else "—",
            "requested": when(item.requested_at), "approved": when(item.approved_at),
            "waybill": when(item.waybill_at), "signed": when(item.signed_at),
            "status": (REFUND_STATUS_LABELS[item.refund_status] if item.refund_status
                       else STAGE_LABELS[item.stage] if item.stage else "—"),
            "result": item.result,
        }
        for item in match.items
    ]
    return render("returns_find.txt.j2", ws.templates, match=match, returns=returns)


def log_return(ws: Workspace, fields: Mapping[str, str | None], *, now: datetime | None = None) -> LogReport:
    from .returns import return_log_plan

    now = now or ws.now()
    grid = ws.read("returns")["returns"]
    write, item = return_log_plan(grid, fields, now=now, tz=ws.tz, tab=ws.config.tabs["returns"])
    written = ws.backend.write([write])
    rows = written.appended_rows.get(write.tab) or [0]
    return LogReport(item, rows[0], {}, [])


@_bulk
def import_returns(ws: Workspace, files: Sequence[str], *, platform: str | None = None, commit: bool = False,
                   now: datetime | None = None) -> ImportReport:
    """The refund exports upserted into the 退货 tab: a dry run, or with `commit` one batched write. The
    files are read before the sheet, so the sheet's read stays close to the write."""
    from .compensation_settings import parse_settings
    from .returns_import import plan_import, read_exports, settle
    from .returns_import_report import ImportReport

    now = now or ws.now()
    settings = parse_settings(ws.config)
    batch = read_exports(files, ws.tz, now, platform=platform or settings.platform, columns=settings.columns,
                         cap=settings.max_order_amount)
    grid = ws.read("returns")["returns"]
    plan = plan_import(grid, batch, now=now, tz=ws.tz, tab=ws.config.tabs["returns"])
    report = ImportReport(now, ws.tz, batch.files, plan, commit_requested=commit)
    if commit and (plan.new or plan.updates):
        settle(plan, ws.backend.write([plan.write()]))
        report.committed = True
    return report


# -------------------------------------------------------------------------------------- courier

def courier(ws: Workspace, *, name: str | None = None, now: datetime | None = None) -> CourierBatch:
    now = now or ws.now()
    grids = ws.read("handover")
    handover = ws.handover(grids["handover"], now, open_only=True)
    return courier_messages(handover.items, ws.config, courier=name)


# -------------------------------------------------------------------------------------- summary

def summary(ws: Workspace, day: date | None = None, now: datetime | None = None, *,
            orders: Sequence[str] = ()) -> Summary:
    from .ledger import read_ledger
    from .summary import build_summary

    now = now or ws.now()
    grids = ws.read("handover", "payouts")
    handover = ws.handover(grids["handover"], now)
    # Money appears once finance keeps a ledger; at-risk orders once an order export is given or configured.
    payouts = None
    if grids["payouts"] is not None:
        payouts = [(e.order_id, e.kind, e.amount, e.computed_at) for e in read_ledger(grids["payouts"], ws.tz)]
    at_risk = _at_risk(ws, now, orders)
    return build_summary(handover.items, day or now.date(), ws.config, now, payouts=payouts,
                         at_risk=None if at_risk is None else
                         [(a.order_id, a.seconds_left / 3600, a.potential_amount) for a in at_risk.items])


# --------------------------------------------------------------------------------- compensation

def compensation(ws: Workspace, orders: Sequence[str], affiliates: Sequence[str] = (), *, commit: bool = False,
                 by: str | None = None, now: datetime | None = None, out: str | None = None,
                 fmt: str = "text") -> CompensationReport:
    """The payouts owed, without those the ledger already holds (found by its header if renamed);
    `out` gets the report or the finance workbook; `commit` then records the new payouts, last of all."""
    from .compensation import plan_commit, run_compensation
    from .compensation_output import deliver
    from .ledger import find_ledger

    now = now or ws.now()
    # The 退货 tab only tells the affiliate rule which orders came back: read only when it can matter.
    grids = ws.read("payouts", "returns") if affiliates else ws.read("payouts") | {"returns": None}
    tabs = ws.config.tabs
    ledger = find_ledger(ws.backend, grids["payouts"], skip={tabs["handover"], tabs["returns"], tabs["payouts"]})
    report = run_compensation(orders, affiliates, ws.config, ledger, now,
                              by=ws.config.handler(by), returns_grid=grids["returns"])
    write = plan_commit(report, ledger) if commit else None
    deliver(ws.backend, report, write, out=out, fmt=fmt, override=ws.templates)
    return report


def _problem_line(problem: Problem) -> dict[str, object]:
    return {"row": problem.row, "id": problem.id or "（无编号）", "column": problem.column or "", "message": problem.message,
            "text": problem.describe()}


# --------------------------------------------------------------------------------------- check

@dataclass
class TabCheck:
    tab: str
    rows: int
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


@dataclass
class CheckReport:
    tabs: list[TabCheck]  # the handover tab, then the returns tab when the sheet has one
    assigned: dict[int, str]
    skipped: list[int]  # rows left without 编号: moved or changed since the read

    @property
    def errors(self) -> list[Problem]:
        return [p for tab in self.tabs for p in tab.errors]


def check(ws: Workspace, *, assign_ids: bool = False, now: datetime | None = None) -> CheckReport:
    now = now or ws.now()
    grids = ws.read("handover", "returns")
    handover = ws.handover(grids["handover"], now, adds_ids=assign_ids)
    tabs = [TabCheck(handover.grid.tab, len(handover.items), handover.problems())]
    if grids["returns"] is not None:
        from .returns import parse_returns

        returns = parse_returns(grids["returns"], ws.tz, now=now)
        tabs.append(TabCheck(returns.grid.tab, len(returns.items), returns.problems()))
    assigned: dict[int, str] = {}
    skipped: list[int] = []
    if assign_ids:
        from .updates import assign_ids_plan

        plan = assign_ids_plan(handover, now)
        if plan.assigned:
            assigned, skipped = plan.settled(ws.backend.write([plan.write]))
    return CheckReport(tabs, assigned, skipped)


def render_check(ws: Workspace, report: CheckReport, fmt: str) -> str:
    if fmt == "json":
        data = {
            "rows": report.tabs[0].rows,
            "tabs": [{"tab": tab.tab, "rows": tab.rows} for tab in report.tabs],
            "problems": [dict(p.as_json(), tab=tab.tab, id=p.id, severity=p.severity)
                         for tab in report.tabs for p in tab.problems],
            "assigned_ids": [{"row": row, "id": new_id} for row, new_id in sorted(report.assigned.items())],
            "skipped_rows": report.skipped,
        }
        return dumps(data)
    tabs = [{"name": tab.tab, "rows": tab.rows, "errors": len(tab.errors),
             "problems": [_problem_line(p) | {"severity": p.severity} for p in tab.problems]} for tab in report.tabs]
    text = render("check.txt.j2", ws.templates, tabs=tabs, assigned=sorted(report.assigned.items()))
    return text + "".join(f"{line}\n" for line in skipped_notes(report.skipped))


def skipped_notes(rows: Sequence[int]) -> list[str]:
    """One line per row left without 编号, for every command that gives rows their 编号."""
    return [f"第 {row} 行没有编号，这次没有补：读取之后这一行被移动或改动了，下次写入时再补" for row in rows]


# ---------------------------------------------------------------------------------------- done

@dataclass
class DoneReport:
    items: list[HandoverItem]
    status: Status
    by: str
    assigned: dict[int, str]
    moved: dict[str, int]
    skipped: list[int]


@_bulk
def done(ws: Workspace, ids: Sequence[str], *, status: Status = Status.DONE, by: str | None = None,
         result: str | None = None, now: datetime | None = None) -> DoneReport:
    from .updates import done_plan, wanted_ids

    now = now or ws.now()
    handler = ws.config.handler(by)
    grids = ws.read("handover")
    # Only the rows asked for (every one holding their 编号, to refuse a doubled one) and the rows about
    # to get a 编号: done changes a few rows of a sheet that may hold 50,000.
    handover = ws.handover(grids["handover"], now, only_ids=wanted_ids(ids))
    plan, items = done_plan(handover, ids, status=status, by=handler, now=now, tz=ws.tz, result=result)
    written = ws.backend.write([plan.write])
    assigned, skipped = plan.settled(written)
    return DoneReport(items, status, handler, assigned, written.moved_rows.get(plan.write.tab, {}), skipped)


# ----------------------------------------------------------------------------------------- log

@dataclass
class LogReport:
    item: HandoverItem | ReturnItem
    row: int
    assigned: dict[int, str]
    skipped: list[int]


def log(ws: Workspace, fields: Mapping[str, str], *, by: str | None = None, now: datetime | None = None) -> LogReport:
    from .updates import log_plan

    now = now or ws.now()
    handler = ws.config.handler(by)
    grids = ws.read("handover")
    # A new row needs no other row parsed, only every 编号 the tab holds; rows without one get theirs.
    handover = ws.handover(grids["handover"], now, adds_ids=True, only_ids=())
    plan, item = log_plan(handover, fields, by=handler, now=now, tz=ws.tz)
    written = ws.backend.write([plan.write])
    rows = written.appended_rows.get(plan.write.tab) or [0]
    return LogReport(item, rows[0], *plan.settled(written))
