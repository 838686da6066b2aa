"""The `handover` command: parse flags, call one `commands.X`, print what `views.render_X` makes of it.
Nothing else lives here, and nothing below this module imports click."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from . import __version__, commands
from .errors import HandoverError
from .messages import UnknownCourierError
from .model.schema import (
    CATEGORIES,
    HANDOVER_HEADERS,
    PLATFORM_LABELS,
    REFUND_STATUS_LABELS,
    RETURN_HEADERS,
    SHIPPING_LABELS,
    Status,
    platform_of,
)
from .model.values import ValueProblem, order_id_shape, parse_order_id
from .printable import printable
from .render import views
from .workspace import Workspace, open_workspace

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class HandoverGroup(click.Group):
    """Turns library errors into one `Error: …` line and exit 1; tracebacks only with --verbose."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except HandoverError as error:
            if ctx.meta.get("verbose"):
                raise
            _say("Error: " + " ".join(str(error).split("\n")), err=True)
            ctx.exit(1)


@click.group(cls=HandoverGroup, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="handover")
@click.option("--verbose", "-v", is_flag=True, help="Show the full traceback when something fails.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """The customer-service handover sheet: morning task list, courier messages, payouts, timers."""
    ctx.meta["verbose"] = verbose


def sheet_options(function):
    @click.option("--sheet", "sheet", metavar="SOURCE", envvar="HANDOVER_SHEET",
                  help="Workbook path (.xlsx) or Google Sheets URL/key. Default: `sheet` in handover.toml.")
    @click.option("--config", "config_file", metavar="FILE", type=click.Path(dir_okay=False),
                  help="handover.toml to use (default: ./handover.toml, else the one beside the workbook).")
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return function(*args, **kwargs)

    return wrapper


def output_options(*formats: str):
    def decorate(function):
        @click.option("--format", "fmt", type=click.Choice(formats), default=formats[0], show_default=True,
                      help="Output format.")
        @click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write to this file instead of the terminal.")
        @click.option("--templates", type=click.Path(file_okay=False), help="Folder of templates overriding the built-in ones.")
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            return function(*args, **kwargs)

        return wrapper

    return decorate


def _say(text: str, *, err: bool = False) -> None:
    """A line the CLI composes itself. Cell text in it (an id, a name, a lock owner) is made printable,
    like everything the templates render; JSON and rendered text are printed as they are."""
    click.echo(printable(text), err=err)


def _notify(message: str) -> None:
    _say(message, err=True)


def _workspace(sheet, config_file, templates=None) -> Workspace:
    return open_workspace(sheet, config_file, templates=templates, notify=_notify)


def _emit(text: str, out: str | None) -> None:
    if out:
        commands.save_output(out, text)
        _say(f"已写入 {out}", err=True)
    else:
        click.echo(text, nl=False)


# ---------------------------------------------------------------------------------------- init

@cli.command(context_settings=CONTEXT)
@click.argument("path", default="handover.xlsx", type=click.Path(dir_okay=False))
def init(path: str) -> None:
    """Create a new handover workbook (tabs, headers, dropdowns) and an example handover.toml."""
    click.echo(views.render_init(commands.init(Path(path))), nl=False)


# ----------------------------------------------------------------------------------------- log

def _choices(header: str, labels) -> str:
    return f"{header}: {' '.join(labels)}"


_LOG_FIELDS = [
    ("category", "--category", _choices(HANDOVER_HEADERS["category"], (c.label for c in CATEGORIES))),
    ("order_id", "--order", HANDOVER_HEADERS["order_id"]),
    ("platform", "--platform", _choices(HANDOVER_HEADERS["platform"], PLATFORM_LABELS.values())),
    *((key, flag, HANDOVER_HEADERS[key]) for key, flag in (
        ("shop", "--shop"), ("buyer", "--buyer"), ("phone", "--phone"), ("courier", "--courier"),
        ("tracking_no", "--tracking"), ("old_address", "--old-address"), ("new_address", "--new-address"),
        ("detail", "--detail"))),
]


def log_options(function):
    for key, flag, text in reversed(_LOG_FIELDS):
        function = click.option(flag, key, metavar="TEXT", help=text)(function)
    return function


_RETURN_FIELDS = [
    ("buyer", "--buyer", None), ("reason", "--reason", RETURN_HEADERS["reason"]),
    ("shipping_paid_by", "--shipping-paid-by", _choices(RETURN_HEADERS["shipping_paid_by"], SHIPPING_LABELS.values())),
    ("return_courier", "--return-courier", RETURN_HEADERS["return_courier"]),
    ("return_tracking_no", "--return-tracking", RETURN_HEADERS["return_tracking_no"]),
    ("requested_at", "--requested-at", RETURN_HEADERS["requested_at"]),
    ("approved_at", "--approved-at", RETURN_HEADERS["approved_at"]),
    ("waybill_at", "--waybill-at", f"{RETURN_HEADERS['waybill_at']} (buyer entered the return waybill)"),
    ("signed_at", "--signed-at", f"{RETURN_HEADERS['signed_at']} (return signed for)"),
    ("refund_status", "--refund-status", _choices(RETURN_HEADERS["refund_status"], REFUND_STATUS_LABELS.values())),
]


def return_options(function):
    for key, flag, text in reversed(_RETURN_FIELDS):
        if text:
            function = click.option(flag, key, metavar="TEXT", help=f"With --return: {text}")(function)
    return function


def _order_id_shape(order: str | None, platform: str | None) -> str | None:
    """`--order` that cannot be an order id on `--platform` is refused before anything is read; the
    warning for one that merely looks unusual. An id that does not parse at all is left to the row's
    validation, which names it with the row's other problems."""
    if not order:
        return None
    try:
        order_id = parse_order_id(order)
    except ValueProblem:
        return None
    try:
        return order_id_shape(order_id, platform_of(platform) if platform else None)
    except ValueProblem as problem:
        raise HandoverError(f"--order {problem}") from None


@cli.command(context_settings=CONTEXT)
@click.option("--return", "is_return", is_flag=True, help="Log a return into the 退货 tab instead of an issue.")
@log_options
@return_options
@click.option("--by", metavar="NAME", help="Who logs it (default: `user` in handover.toml, else the login name).")
@sheet_options
def log(sheet, config_file, is_return, by, **fields) -> None:
    """Append one issue (or, with --return, one return) to the sheet, validated like a row typed in."""
    unusual = _order_id_shape(fields.get("order_id"), fields.get("platform"))
    workspace = _workspace(sheet, config_file)
    if unusual:
        _say(f"提醒：--order {unusual}", err=True)
    if is_return:
        allowed = {"platform", "order_id", "buyer", *(key for key, _, _ in _RETURN_FIELDS)}
        stray = [flag for key, flag, _ in _LOG_FIELDS if fields.get(key) and key not in allowed]
        if stray:
            raise click.UsageError(f"{', '.join(stray)} 不能和 --return 一起用")
        report = commands.log_return(workspace, {key: value for key, value in fields.items() if key in allowed and value})
        click.echo(views.render_log(report), nl=False)
        return
    if not fields.get("category"):
        raise click.UsageError("请用 --category 写明类型（漏发、改地址……），登记退货请加 --return")
    issue_fields = {key: fields[key] for key, _, _ in _LOG_FIELDS}
    if any(fields.get(key) for key, _, text in _RETURN_FIELDS if text):
        raise click.UsageError("退货的选项（--reason、--return-tracking ……）要和 --return 一起用")
    click.echo(views.render_log(commands.log(workspace, issue_fields, by=by)), nl=False)


# ------------------------------------------------------------------------------------ deadlines

@cli.command(context_settings=CONTEXT)
@click.option("--horizon", metavar="DURATION", help="How far ahead to look, e.g. 48h or 3d (default: [timers] horizon, 48h).")
@output_options("text", "markdown", "json")
@sheet_options
def deadlines(sheet, config_file, horizon, fmt, out, templates) -> None:
    """Return timers that run out soon (and those already missed), soonest first."""
    from .timers import parse_duration  # the timers' module is loaded only by the commands that show them

    try:
        window = parse_duration(horizon) if horizon else None
    except ValueProblem as problem:
        raise click.BadParameter(printable(str(problem)), param_hint="--horizon") from None
    workspace = _workspace(sheet, config_file, templates)
    commands.check_out(out, workspace)
    report = commands.deadlines(workspace, horizon=window)
    _emit(views.render_deadlines(report, fmt, workspace.templates), out)


@cli.group(context_settings=CONTEXT)
def returns() -> None:
    """The returns ledger (退货 tab)."""


@returns.command("find", context_settings=CONTEXT)
@click.argument("number")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@sheet_options
def returns_find(sheet, config_file, number, fmt) -> None:
    """Which return a parcel belongs to, by its tracking number (or its last 6+ digits)."""
    workspace = _workspace(sheet, config_file)
    match = commands.find_return(workspace, number)
    click.echo(views.render_return_match(match, fmt, tz=workspace.tz, templates=workspace.templates), nl=False)
    if not match.items:
        sys.exit(1)


@returns.command("import", context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--platform", metavar="NAME", help=f"Every file is from this platform ({' '.join(PLATFORM_LABELS.values())}); "
                                                 "default: the file name, else the header, tells.")
@click.option("--commit", is_flag=True, help="Write the new and changed returns into the 退货 tab (default: a dry run).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--templates", type=click.Path(file_okay=False), help="Folder of templates overriding the built-in ones.")
@click.option("--strict", is_flag=True, help="Exit 1 when any row could not be used.")
@sheet_options
def returns_import(sheet, config_file, files, platform, commit, fmt, templates, strict) -> None:
    """Refund / after-sale exports, as downloaded, into the 退货 tab: new returns added, changes updated."""
    platform_key = platform_of(platform) if platform else None
    if platform and platform_key is None:
        raise click.BadParameter(printable(f"不认识的平台「{platform}」"), param_hint="--platform")
    workspace = _workspace(sheet, config_file, templates)
    report = commands.import_returns(workspace, files, platform=platform_key, commit=commit)
    click.echo(views.render_returns_import(report, fmt, workspace.templates), nl=False)
    for rejected in report.plan.rejected if fmt == "json" else ():
        _say(rejected.describe(), err=True)
    if strict and report.plan.rejected:
        sys.exit(1)


# --------------------------------------------------------------------------------------- check

@cli.command(context_settings=CONTEXT)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--assign-ids", is_flag=True, help="Give every row without an 编号 one (writes the sheet).")
@sheet_options
def check(sheet, config_file, fmt, assign_ids) -> None:
    """Validate every row; list each problem with its row and column. Exit 1 if any."""
    workspace = _workspace(sheet, config_file)
    report = commands.check(workspace, assign_ids=assign_ids)
    click.echo(views.render_check(report, fmt, workspace.templates), nl=False)
    if report.errors:
        sys.exit(1)


# ---------------------------------------------------------------------------------------- pull

def orders_option(help_text: str):
    return click.option("--orders", "orders", multiple=True, metavar="FILE", help=help_text)


@cli.command(context_settings=CONTEXT)
@output_options("text", "markdown", "json")
@click.option("--strict", is_flag=True, help="Exit 1 when any row could not go on the list.")
@orders_option("Platform order export(s) to check for pre-sale orders near their promised ship time "
               "(default: [compensation] orders in handover.toml).")
@sheet_options
def pull(sheet, config_file, fmt, out, templates, strict, orders) -> None:
    """The morning task list: timers running out, open items by route, messages ready to paste."""
    workspace = _workspace(sheet, config_file, templates)
    commands.check_out(out, workspace, orders)
    morning = commands.pull(workspace, orders=orders)
    _emit(views.render_pull(morning, fmt, tz=workspace.tz, templates=workspace.templates), out)
    tasks = morning.tasks
    if tasks.problems and (out or fmt == "json"):
        _say(f"{tasks.problem_rows} 行有问题，没有放进清单（见清单末尾）", err=True)
    if strict and tasks.problems:
        sys.exit(1)


# ------------------------------------------------------------------------------------- courier

@cli.command(context_settings=CONTEXT)
@click.option("--courier", "name", metavar="NAME", help="Only this company (申通, ZTO, 顺丰 …).")
@click.option("--copy", is_flag=True, help="Also put the messages on the clipboard, ready to paste into QQ.")
@click.option("--templates", type=click.Path(file_okay=False), help="Folder of templates overriding the built-in ones.")
@sheet_options
def courier(sheet, config_file, name, copy, templates) -> None:
    """Only the courier messages: one block per company, ready to paste."""
    workspace = _workspace(sheet, config_file, templates)
    try:
        batch = commands.courier(workspace, name=name)
    except UnknownCourierError as error:
        raise click.BadParameter(printable(str(error)), param_hint="--courier") from None
    click.echo(views.render_courier(batch, workspace.templates), nl=False)
    if copy:
        from .clipboard import copy_text  # only --copy reaches for the clipboard

        text = views.courier_copy_text(batch, workspace.templates)
        _say(copy_text(text).message if text else "没有可以复制的消息", err=True)


# ------------------------------------------------------------------------------------- summary

@cli.command(context_settings=CONTEXT)
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="The day to sum up (default: today).")
@output_options("text", "markdown", "html")
@orders_option("Order export(s) for the pre-sale orders at risk (default: [compensation] orders).")
@sheet_options
def summary(sheet, config_file, day, fmt, out, templates, orders) -> None:
    """The daily summary for the team chat and the shop owner."""
    workspace = _workspace(sheet, config_file, templates)
    commands.check_out(out, workspace, orders)
    report = commands.summary(workspace, day.date() if day else None, orders=orders)
    _emit(views.render_summary(report, fmt, workspace.templates), out)


# -------------------------------------------------------------------------------- compensation

@cli.command(context_settings=CONTEXT)
@click.option("--orders", multiple=True, required=True, metavar="FILE",
              help="The platform's order export, as downloaded (.csv in any Chinese encoding, or .xlsx). Repeat "
                   "for several: Taobao's order report and its refund export are joined on the order id.")
@click.option("--affiliate", multiple=True, metavar="FILE",
              help="淘宝联盟 affiliate report(s): the settlement report and its 维权退款 report.")
@click.option("--commit", is_flag=True, help="Record the new payouts in the 赔付记录 tab (default: a dry run).")
@click.option("--by", metavar="NAME", help="操作人 recorded with the payouts (default: `user` in handover.toml).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False),
              help="Write to this file instead; a .xlsx file gets a payout sheet finance can use directly.")
@click.option("--templates", type=click.Path(file_okay=False), help="Folder of templates overriding the built-in ones.")
@click.option("--strict", is_flag=True, help="Exit 1 when any input row could not be used.")
@sheet_options
def compensation(sheet, config_file, orders, affiliate, commit, by, fmt, out, templates, strict) -> None:
    """Pre-sale late-shipment compensation and affiliate deductions: whom to pay, how much, never twice."""
    workspace = _workspace(sheet, config_file, templates)
    commands.check_out(out, workspace, (*orders, *affiliate))
    report = commands.compensation(workspace, orders, affiliate, commit=commit, by=by, out=out, fmt=fmt)
    if out:
        _say(f"已写入 {out}（{len(report.payouts)} 笔赔付）", err=True)
    if not out or out.lower().endswith(".xlsx"):
        click.echo(views.render_compensation(report, fmt, workspace.templates), nl=False)
    for rejected in report.rejected if fmt == "json" or out else ():
        _say(rejected.describe(), err=True)
    if strict and report.rejected:
        sys.exit(1)


# ---------------------------------------------------------------------------------------- done

@cli.command(context_settings=CONTEXT)
@click.argument("ids", nargs=-1, required=True)
@click.option("--result", metavar="TEXT", help="处理结果 to record.")
@click.option("--by", metavar="NAME", help="处理人 (default: `user` in handover.toml, else the login name).")
@click.option("--status", type=click.Choice([status.value for status in Status]), default=Status.DONE.value,
              show_default=True)
@sheet_options
def done(sheet, config_file, ids, result, by, status) -> None:
    """Mark items done (status, handler, time and result) by their 编号."""
    report = commands.done(_workspace(sheet, config_file), ids, status=Status(status), by=by, result=result)
    click.echo(views.render_done(report), nl=False)
