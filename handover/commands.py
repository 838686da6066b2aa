"""One function per command: read once, compute on records, write once. The only module that writes.

Each command takes the `Workspace` it works in (`open_workspace`) and returns a record (`results`, or the
domain's own report) that a view renders (`render.views`). Every write happens here: the sheet through
its backend (read again right before writing, `sheet.Backend.write`), the user's `--out` file through
`outfile`, a new workbook through `backends.newbook`.

Start-up time is part of every command, and `pull` on a big sheet is measured against a bare read of it
(benchmarks/sheet_bench.py): modules only some commands need (compensation, returns and their timers,
the summary, the write plans) are imported inside those commands.
"""

from __future__ import annotations

import functools
import threading
from datetime import date, datetime, timedelta
from glob import glob
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping, Sequence, TypeVar

from .bulk import bulk
from .errors import HandoverError, IdTakenError, RowRejectedError, SheetError
from .messages import CourierBatch, build_messages, courier_messages
from .model.handover_tab import open_rows_logging
from .model.schema import Status
from .model.values import ValueProblem, order_id_shape
from .outfile import OutFileError, StagedOut, check_out_path, write_out
from .render.environment import compile_ahead
from .render.views import MESSAGE_TEMPLATES
from .results import CheckReport, DoneReport, LogReport, Morning, TabCheck
from .tasks import build_task_list
from .workspace import Workspace

if TYPE_CHECKING:
    from .compensation.run import CompensationReport, PullAtRisk
    from .deadlines import DeadlineReport
    from .model.config import Config
    from .model.handover_tab import HandoverItem
    from .model.returns_tab import ReturnItem
    from .returns import TrackingMatch
    from .returns_import.plan import ImportReport
    from .sheet import Grid, TabSpec, TabWrite
    from .summary import Summary


# ---------------------------------------------------------------------------------------- pull

Command = TypeVar("Command", bound=Callable)
_ATTEMPTS = 3


def picks_ids(command: Command) -> Command:
    """A command that picks new 编号 (for rows it appends, or rows without one) plans again from a fresh
    read when all that stopped its write is someone writing at the same moment who took those 编号: two
    people logging side by side both get their row, and nobody types anything twice. Any other change
    under the write still stops the command (SheetChangedError), and so does a third collision."""

    @functools.wraps(command)
    def planned_again(*args, **kwargs):
        for _ in range(_ATTEMPTS - 1):
            try:
                return command(*args, **kwargs)
            except IdTakenError:
                continue
        return command(*args, **kwargs)

    return planned_again  # type: ignore[return-value]


@bulk
def pull(workspace: Workspace, now: datetime | None = None, *, orders: Sequence[str] = ()) -> Morning:
    """The morning list: return timers running out, pre-sale orders at risk, open items, messages."""
    now = now or workspace.now()
    # Every pull renders the messages: jinja is imported and set up, and their templates compiled, while
    # the sheet is read (a workbook's cells are parsed, a Google Sheet is fetched, outside Python's lock).
    loading = threading.Thread(target=compile_ahead, args=(MESSAGE_TEMPLATES, workspace.templates))
    loading.start()
    grids = workspace.read("handover", "returns")
    loading.join()
    handover = workspace.handover(grids["handover"], now, open_only=True)
    tasks = build_task_list(handover, now=now, morning_starts=workspace.config.morning_starts,
                            sheet=workspace.backend.label)
    timers = None
    if grids["returns"] is not None:
        from .deadlines import deadline_report
        from .model.returns_tab import parse_returns

        timers = deadline_report(parse_returns(grids["returns"], workspace.tz, now=now).items, workspace.config, now)
    return Morning(timers, _at_risk(workspace, now, orders), tasks, build_messages(handover.items, workspace.config))


def _at_risk(workspace: Workspace, now: datetime, orders: Sequence[str]) -> PullAtRisk | None:
    """Pre-sale orders at risk, from --orders, else `[compensation] orders`; None when neither names any."""
    if not orders and not workspace.config.section("compensation").get("orders"):
        return None
    from .compensation.run import at_risk_for_pull
    from .compensation.settings import parse_settings

    files, unmatched = order_exports(workspace.config, orders or parse_settings(workspace.config).orders)
    return at_risk_for_pull(files, workspace.config, now, unmatched=unmatched)


def order_exports(config: Config, patterns: Sequence[str | Path]) -> tuple[list[str], list[str]]:
    """The order exports named by paths or glob patterns such as "exports/*.csv" (relative to
    handover.toml), and the patterns that named none."""
    files: list[str] = []
    unmatched: list[str] = []
    for pattern in patterns:
        path = Path(pattern).expanduser()
        if not path.is_absolute():
            path = config.base_dir / path
        found = sorted(glob(str(path))) if any(c in str(pattern) for c in "*?[") else ([str(path)] if path.exists() else [])
        files += [f for f in found if f not in files]
        if not found:
            unmatched.append(str(pattern))
    return files, unmatched


# ------------------------------------------------------------------------------------ deadlines

def deadlines(workspace: Workspace, *, horizon: timedelta | None = None, now: datetime | None = None) -> DeadlineReport:
    """The return timers that run out within the horizon, and those already missed."""
    from .deadlines import deadline_report
    from .model.returns_tab import parse_returns

    now = now or workspace.now()
    grid = workspace.read("returns")["returns"]
    if grid is None:
        raise SheetError(f"{workspace.backend.label} 里没有「{workspace.config.tabs['returns']}」标签页：用 "
                         "`handover log --return` 登记第一条退货时会自动建好，或手动建一个")
    return deadline_report(parse_returns(grid, workspace.tz, now=now).items, workspace.config, now, horizon)


# -------------------------------------------------------------------------------------- returns

def find_return(workspace: Workspace, number: str, *, now: datetime | None = None) -> TrackingMatch:
    """Which return a parcel belongs to, by its return tracking number or its last 6+ digits."""
    from .model.returns_tab import parse_returns
    from .returns import find_by_tracking

    now = now or workspace.now()
    grid = workspace.read("returns")["returns"]
    items = parse_returns(grid, workspace.tz, now=now).items if grid is not None else []
    try:
        return find_by_tracking(items, number)
    except ValueProblem as problem:
        raise HandoverError(str(problem)) from None


@picks_ids
def log_return(workspace: Workspace, fields: Mapping[str, str | None], *, now: datetime | None = None) -> LogReport:
    """Append one return to the 退货 tab (made on the first one), validated like a row typed in. The
    report says when no countdown can be computed for it (no rule for its platform and stage, no time),
    as the morning list will: judged before writing, so a [timers] setting that is wrong writes nothing."""
    from .deadlines import why_untimed
    from .model.returns_tab import return_log_plan

    now = now or workspace.now()
    grid = workspace.read("returns")["returns"]
    write, item = return_log_plan(grid, fields, now=now, tz=workspace.tz, tab=workspace.config.tabs["returns"])
    unusual = _order_id_checked(item)
    untimed = why_untimed(item, workspace.config, now)
    written = workspace.backend.write([write])
    rows = written.appended_rows.get(write.tab) or [0]
    return LogReport(item, rows[0], {}, [], untimed, unusual)


def _order_id_checked(item: HandoverItem | ReturnItem) -> str | None:
    """What `log` adds to a row's own checks, before writing: an order id its platform cannot have
    (letters, too few digits) is refused; one that merely looks unusual gets a warning's text."""
    if not item.order_id:
        return None
    try:
        return order_id_shape(item.order_id, item.platform)
    except ValueProblem as problem:
        raise RowRejectedError([("order_id", None, str(problem))]) from None


@picks_ids
@bulk
def import_returns(workspace: Workspace, files: Sequence[str], *, platform: str | None = None, commit: bool = False,
                   now: datetime | None = None) -> ImportReport:
    """The refund exports upserted into the 退货 tab: a dry run, or with `commit` one batched write. The
    files are read before the sheet, so the sheet's read stays close to the write."""
    from .compensation.settings import parse_settings
    from .returns_import.plan import ImportReport, plan_import, read_exports, settle

    now = now or workspace.now()
    settings = parse_settings(workspace.config)
    batch = read_exports(files, workspace.tz, now, platform=platform or settings.platform, columns=settings.columns,
                         cap=settings.max_order_amount)
    grid = workspace.read("returns")["returns"]
    plan = plan_import(grid, batch, now=now, tz=workspace.tz, tab=workspace.config.tabs["returns"])
    report = ImportReport(now, workspace.tz, batch.files, plan, commit_requested=commit)
    if commit and (plan.new or plan.updates):
        settle(plan, workspace.backend.write([plan.write()]))
        report.committed = True
    return report


# -------------------------------------------------------------------------------------- courier

def courier(workspace: Workspace, *, name: str | None = None, now: datetime | None = None) -> CourierBatch:
    """The courier messages, one per company (`name`: only that company's)."""
    now = now or workspace.now()
    grids = workspace.read("handover")
    handover = workspace.handover(grids["handover"], now, open_only=True)
    return courier_messages(handover.items, workspace.config, courier=name)


# -------------------------------------------------------------------------------------- summary

def summary(workspace: Workspace, day: date | None = None, now: datetime | None = None, *,
            orders: Sequence[str] = ()) -> Summary:
    """The daily summary; money appears once finance keeps a ledger (found as `compensation` finds it),
    pre-sale orders at risk once an order export is given or configured, in today's summary only."""
    from .compensation.ledger import parse_ledgers
    from .summary import build_summary, check_day

    now = now or workspace.now()
    day = day or now.astimezone(workspace.tz).date()
    check_day(day, now, workspace.tz)
    grids = workspace.read("handover", "payouts")
    handover = workspace.handover(grids["handover"], now)
    ledger_tabs = ledger_grids(workspace, grids["payouts"])
    payouts = None
    if ledger_tabs:
        payouts = [(e.order_id, e.kind, e.amount, e.computed_at)
                   for e in parse_ledgers(ledger_tabs, workspace.tz).counted()]
    orders_named = bool(orders or workspace.config.section("compensation").get("orders"))
    if day < now.astimezone(workspace.tz).date():
        # The exports show the orders as they are now: not read for a day already over, whose summary
        # leaves them out and says so (build_summary does, given a list, however empty).
        return build_summary(handover.items, day, workspace.config, now, payouts=payouts,
                             at_risk=[] if orders_named else None)
    at_risk = _at_risk(workspace, now, orders)
    if at_risk is None:
        return build_summary(handover.items, day, workspace.config, now, payouts=payouts)
    return build_summary(handover.items, day, workspace.config, now, payouts=payouts,
                         at_risk=[(a.order_id, a.seconds_left / 3600, a.potential_amount) for a in at_risk.items],
                         orders_missing=at_risk.unmatched, orders_unreadable=at_risk.errors)


# --------------------------------------------------------------------------------- compensation

def compensation(workspace: Workspace, orders: Sequence[str], affiliates: Sequence[str] = (), *,
                 commit: bool = False, by: str | None = None, now: datetime | None = None, out: str | None = None,
                 fmt: str = "text") -> CompensationReport:
    """The payouts owed, without those the ledger already holds (found by its header if renamed).
    `out` gets the report or the finance workbook; `commit` records the new payouts, last of all: the
    `--out` file is staged first, the ledger appended to only once that succeeded, and the file moved
    into place after, so a failure leaves the ledger as it was and no file behind, and a commit's file
    (which says the payouts are recorded) appears only once they are."""
    from .compensation.run import plan_commit, run_compensation

    now = now or workspace.now()
    # The 退货 tab only tells the affiliate rule which orders came back: read only when it can matter.
    grids = workspace.read("payouts", "returns") if affiliates else workspace.read("payouts") | {"returns": None}
    ledger = ledger_grids(workspace, grids["payouts"])
    report = run_compensation(orders, affiliates, workspace.config, ledger, now,
                              by=workspace.config.handler(by), returns_grid=grids["returns"])
    write = plan_commit(report, ledger) if commit else None
    staged = _stage_compensation_file(workspace, report, out, fmt, commit=write is not None) if out else None
    try:
        _record(workspace, report, write)
    except BaseException:
        if staged:
            staged.discard()
        raise
    if staged:
        try:
            if write is not None and fmt == "json" and not out.lower().endswith(".xlsx"):  # type: ignore[union-attr]
                staged.rewrite(_compensation_file(workspace, report, out, fmt))  # now with the rows the write gave
            staged.publish()
        except OutFileError as error:
            if write is None:
                raise
            # Moments after the same file was written beside it: next to impossible, but then say the truth.
            raise HandoverError(f"已记入{report.ledger_tab} {len(report.payouts)} 笔，但{str(error).split('：')[0]}："
                                "不加 --commit 再运行一次即可得到这份文件（已记录的会列在「已在赔付记录里」）") from None
    return report


def _stage_compensation_file(workspace: Workspace, report: CompensationReport, out: str, fmt: str, *,
                             commit: bool) -> StagedOut:
    if commit:
        report.committed = True  # what the file says must be true once it is in place
    try:
        return StagedOut(out, _compensation_file(workspace, report, out, fmt))
    except OutFileError as error:
        raise OutFileError(f"{error}；{report.ledger_tab}也没有动" if commit else str(error)) from None
    finally:
        report.committed = False


def _compensation_file(workspace: Workspace, report: CompensationReport, out: str, fmt: str) -> bytes:
    from .render.views import compensation_file

    return compensation_file(report, out, fmt, workspace.templates)


def commit_payouts(workspace: Workspace, report: CompensationReport, ledger: Grid | Sequence[Grid] | None) -> None:
    """`--commit` with nothing else to write: plan the ledger's write, then make it."""
    from .compensation.run import plan_commit

    _record(workspace, report, plan_commit(report, ledger))


def _record(workspace: Workspace, report: CompensationReport, write: TabWrite | None) -> None:
    """Append the new payouts to the ledger. The backend must be the one the ledger was read from, so a
    ledger changed meanwhile stops the write instead of paying twice."""
    if write is None:
        return
    result = workspace.backend.write([write])
    report.committed = True
    report.ledger_rows = result.appended_rows.get(write.tab, [])


def ledger_grids(workspace: Workspace, grid: Grid | None) -> list[Grid]:
    """The 赔付记录 ledger: `grid` (the tab under its own name) when it exists, at no cost; else every tab
    whose header looks like a ledger's, because a renamed ledger still holds what was paid. That costs the
    tab list and one read of the tabs not known to be something else."""
    from .compensation.ledger import ledger_shaped

    if grid is not None:
        return [grid]
    known = set(workspace.config.tabs.values())
    others = [name for name in workspace.backend.tab_names() if name not in known]
    grids = workspace.backend.read(others) if others else {}
    return [g for g in grids.values() if g is not None and ledger_shaped(g)]


# --------------------------------------------------------------------------------------- check

@picks_ids
def check(workspace: Workspace, *, assign_ids: bool = False, now: datetime | None = None) -> CheckReport:
    """Every problem of the 交接 and 退货 tabs; `assign_ids` gives rows without 编号 one."""
    now = now or workspace.now()
    grids = workspace.read("handover", "returns")
    handover = workspace.handover(grids["handover"], now, adds_ids=assign_ids)
    tabs = [TabCheck(handover.grid.tab, len(handover.items), handover.problems())]
    if grids["returns"] is not None:
        from .model.returns_tab import parse_returns

        returns = parse_returns(grids["returns"], workspace.tz, now=now)
        tabs.append(TabCheck(returns.grid.tab, len(returns.items), returns.problems()))
    assigned: dict[int, str] = {}
    skipped: list[int] = []
    if assign_ids:
        from .model.handover_writes import assign_ids_plan

        plan = assign_ids_plan(handover, now)
        if plan.assigned:
            assigned, skipped = plan.settled(workspace.backend.write([plan.write]))
    return CheckReport(tabs, assigned, skipped)


# ---------------------------------------------------------------------------------------- done

@picks_ids
@bulk
def done(workspace: Workspace, ids: Sequence[str], *, status: Status = Status.DONE, by: str | None = None,
         result: str | None = None, now: datetime | None = None) -> DoneReport:
    """Mark items (状态, 处理人, 处理时间, 处理结果) by their 编号; an unknown id writes nothing."""
    from .model.handover_writes import done_plan, wanted_ids

    now = now or workspace.now()
    handler = workspace.config.handler(by)
    # Only the rows asked for (every one holding their 编号, to refuse a doubled one) and the rows about
    # to get a 编号: done changes a few rows of a sheet that may hold 50,000, and a workbook decodes
    # only those, its first rows and the 编号 column.
    grids = workspace.read("handover", parts=True)
    handover = workspace.handover(grids["handover"], now, only_ids=wanted_ids(ids))
    plan, items = done_plan(handover, ids, status=status, by=handler, now=now, tz=workspace.tz, result=result)
    written = workspace.backend.write([plan.write])
    assigned, skipped = plan.settled(written)
    return DoneReport(items, status, handler, assigned, written.moved_rows.get(plan.write.tab, {}), skipped)


# ----------------------------------------------------------------------------------------- log

@picks_ids
def log(workspace: Workspace, fields: Mapping[str, str | None], *, by: str | None = None,
        now: datetime | None = None) -> LogReport:
    """Append one item to the 交接 tab, validated exactly like a row typed into the sheet."""
    from .model.handover_writes import log_plan

    now = now or workspace.now()
    handler = workspace.config.handler(by)
    grids = workspace.read("handover")
    # A new row needs no other row parsed, only every 编号 the tab holds; rows without one get theirs.
    # A tab with no 编号 column at all stops here, as every command but `check --assign-ids` does: the
    # column and a 编号 on every row are that command's to add, shown before anyone relies on them.
    handover = workspace.handover(grids["handover"], now, only_ids=())
    plan, item = log_plan(handover, fields, by=handler, now=now, tz=workspace.tz)
    unusual = _order_id_checked(item)
    # Logged all the same (the buyer may have asked again with something new), but said: `check` will
    # ask the team to keep one row, and the messages list the order once.
    before = open_rows_logging(handover, item, workspace.tz, now)
    written = workspace.backend.write([plan.write])
    rows = written.appended_rows.get(plan.write.tab) or [0]
    return LogReport(item, rows[0], *plan.settled(written), unusual_order=unusual, logged_before=before)


# ---------------------------------------------------------------------------------------- init

def standard_tabs() -> list[TabSpec]:
    """The tabs a new handover workbook gets: 交接, 退货 and 赔付记录."""
    from .compensation import ledger
    from .model import handover_tab, returns_tab

    return [handover_tab.tab_spec(), returns_tab.tab_spec(), ledger.tab_spec()]


def init(path: str | Path) -> list[Path]:
    """A new workbook with the standard tabs and, beside it, a starter handover.toml unless one exists."""
    from .backends.newbook import init_workbook
    from .model.config import CONFIG_NAME
    from .render.views import starter_config

    path = Path(path)
    return init_workbook(path, standard_tabs(), beside={CONFIG_NAME: starter_config(path.name)})


# ------------------------------------------------------------------------------------- --out

def check_out(out: str | None, workspace: Workspace, inputs: Sequence[str] = ()) -> None:
    """Before any work: `--out` must not be the sheet, an input, or a workbook with a handover tab."""
    if out:
        check_out_path(out, workspace, inputs=inputs)


def save_output(out: str, text: str | bytes) -> None:
    """Write a rendered view (text, or JSON already encoded) to the `--out` file, whole or not at all."""
    if isinstance(text, bytes):
        StagedOut(out, text).publish()
    else:
        write_out(out, text)
