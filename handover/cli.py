"""The `handover` command: parse flags, call one `commands.X`, print what `views.render_X` makes of it.
Nothing else lives here, and nothing below this module imports click. Every help text is Chinese, and so
is what click itself says (`cli_chinese`)."""

from __future__ import annotations

import functools
import sys
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from . import __version__, commands
from .cli_chinese import CLICK_WORDS, ChineseGroup
from .errors import HandoverError, RowRejectedError, access_denied
from .messages import UnknownCourierError
from .model.schema import (
    CATEGORIES,
    HANDOVER_HEADERS,
    PLATFORM_LABELS,
    REFUND_STATUS_LABELS,
    RETURN_HEADERS,
    SHIPPING_LABELS,
    STATUS_LABELS,
    Status,
    platform_of,
    status_of,
)
from .model.values import ValueProblem, parse_datetime
from .printable import printable
from .render import views
from .workspace import Workspace, open_workspace

VERBOSE_HELP = "出错时显示完整的出错位置（traceback），方便报告问题。"
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class HandoverGroup(ChineseGroup):
    """Turns library errors into one `Error: …` line and exit 1; tracebacks only with --verbose."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (HandoverError, PermissionError) as error:
            if ctx.meta.get("verbose"):
                raise
            # A PermissionError the library met where nobody expected one (a folder this account may not
            # enter) is still one line naming the place, never a traceback.
            problem = access_denied(error) if isinstance(error, PermissionError) else error
            _say("Error: " + " ".join(str(problem).split("\n")), err=True)
            ctx.exit(1)


@click.group("handover", cls=HandoverGroup, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="handover", help=CLICK_WORDS["Show the version and exit."],
                      message=CLICK_WORDS["%(prog)s, version %(version)s"])
@click.option("--verbose", "-v", is_flag=True, help=VERBOSE_HELP)
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """客服交接表：早班任务清单、快递消息、赔付、退货时限和每日总结。

    每个命令后面加 -h 看它的用法，例如 handover pull -h。"""
    ctx.meta["verbose"] = verbose


def _verbose_here(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta["verbose"] = True  # meta is shared with the group, whose invoke reads it


# `handover pull -v` as well as `handover -v pull`: people add the flag where they are typing.
verbose_option = click.option("--verbose", "-v", is_flag=True, expose_value=False, is_eager=True, hidden=True,
                              callback=_verbose_here, help=VERBOSE_HELP)


def sheet_options(function):
    @verbose_option
    @click.option("--sheet", "sheet", metavar="表格", envvar="HANDOVER_SHEET",
                  help="交接表：工作簿路径（.xlsx），或 Google 表格的链接或 key（默认：handover.toml 里的 sheet，"
                       "或环境变量 HANDOVER_SHEET）。")
    @click.option("--config", "config_file", metavar="文件", type=click.Path(dir_okay=False),
                  help="用这个 handover.toml（默认：当前文件夹里的，没有就用工作簿旁边的）。")
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return function(*args, **kwargs)

    return wrapper


def output_options(*formats: str):
    def decorate(function):
        @format_option(*formats)
        @click.option("--out", metavar="文件", type=click.Path(dir_okay=False, writable=True), help=OUT_HELP)
        @templates_option
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            return function(*args, **kwargs)

        return wrapper

    return decorate


OUT_HELP = "写进这个文件，不显示在终端。"
templates_option = click.option("--templates", metavar="文件夹", type=click.Path(file_okay=False),
                                help="用这个文件夹里的模板，代替内置的同名模板。")


def format_option(*formats: str):
    return click.option("--format", "fmt", type=click.Choice(formats), default=formats[0], show_default=True,
                        help="输出格式。")


class StatusWord(click.ParamType):
    """A 状态 written any way the sheet takes one (`status_of`): 已完成, 完成, done …"""

    name = "状态"

    def convert(self, value, param, ctx):
        if isinstance(value, Status):
            return value
        status = status_of(value) if value.strip() else None
        if status is None:
            self.fail(f"「{printable(value)}」不是状态：写{'、'.join(STATUS_LABELS.values())}之一"
                      "（表格里认的写法都行，例如 完成）", param, ctx)
        return status


class SheetDate(click.ParamType):
    """A day written any way the sheet takes one (`parse_datetime`): 2026-11-22, 2026/11/22, 11月22日 …
    Its form is checked with the other flags; the day it names is read once the workspace says the shop's
    timezone (a time with an offset) and today (a day without a year is the one nearest to it)."""

    name = "日期"

    def convert(self, value, param, ctx):
        try:
            parse_datetime(value, ZoneInfo("UTC"))
        except ValueProblem as problem:
            self.fail(printable(str(problem)), param, ctx)
        return value

    @staticmethod
    def day(text: str | None, workspace: Workspace) -> date | None:
        return parse_datetime(text, workspace.tz, reference=workspace.now()).date() if text else None


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
@click.argument("path", default="handover.xlsx", metavar="[路径]", type=click.Path(dir_okay=False))
@verbose_option
def init(path: str) -> None:
    """新建一个交接表工作簿，旁边放一份示例 handover.toml。

    工作簿里有交接、退货、赔付记录三个标签页，表头、下拉选项都已设好。路径默认是 handover.xlsx。"""
    click.echo(views.render_init(commands.init(Path(path))), nl=False)


# ----------------------------------------------------------------------------------------- log

def _choices(header: str, labels) -> str:
    return f"{header}：{' '.join(labels)}"


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
        function = click.option(flag, key, metavar="文字", help=text)(function)
    return function


_RETURN_FIELDS = [
    ("buyer", "--buyer", None), ("reason", "--reason", RETURN_HEADERS["reason"]),
    ("shipping_paid_by", "--shipping-paid-by", _choices(RETURN_HEADERS["shipping_paid_by"], SHIPPING_LABELS.values())),
    ("return_courier", "--return-courier", RETURN_HEADERS["return_courier"]),
    ("return_tracking_no", "--return-tracking", RETURN_HEADERS["return_tracking_no"]),
    ("requested_at", "--requested-at", RETURN_HEADERS["requested_at"]),
    ("approved_at", "--approved-at", RETURN_HEADERS["approved_at"]),
    ("waybill_at", "--waybill-at", f"{RETURN_HEADERS['waybill_at']}（买家填写退货单号的时间）"),
    ("signed_at", "--signed-at", f"{RETURN_HEADERS['signed_at']}（退货签收的时间）"),
    ("refund_status", "--refund-status", _choices(RETURN_HEADERS["refund_status"], REFUND_STATUS_LABELS.values())),
]


def return_options(function):
    for key, flag, text in reversed(_RETURN_FIELDS):
        if text:
            metavar = "时间" if key.endswith("_at") else "文字"
            function = click.option(flag, key, metavar=metavar, help=f"配合 --return：{text}")(function)
    return function


# The flag that fills each field: a problem with a field names it (`--old-address：拦截需要原地址`).
_FIELD_FLAGS = {key: flag for key, flag, _ in (*_LOG_FIELDS, *_RETURN_FIELDS)} | {"logged_by": "--by"}


@cli.command(context_settings=CONTEXT)
@click.option("--return", "is_return", is_flag=True, help="登记一笔退货（写进「退货」标签页），不是交接事项。")
@log_options
@return_options
@click.option("--by", metavar="姓名", help="登记人（默认：handover.toml 里的 user，没有就用登录名）。")
@sheet_options
def log(sheet, config_file, is_return, by, **fields) -> None:
    """登记一条交接事项，或加 --return 登记一笔退货。

    和在表格里填的一行一样检查：每个选项填一列，缺了必填的列、或有看不懂的值，就什么都不写，并说出是哪个
    选项。时间的写法和表格里一样：2026-11-22 23:40、2026/11/22、11月22日 23:40 都可以。"""
    workspace = _workspace(sheet, config_file)
    try:
        if is_return:
            allowed = {"platform", "order_id", "buyer", *(key for key, _, _ in _RETURN_FIELDS)}
            stray = [flag for key, flag, _ in _LOG_FIELDS if fields.get(key) and key not in allowed]
            if stray:
                raise click.UsageError(f"{', '.join(stray)} 不能和 --return 一起用")
            report = commands.log_return(workspace, {key: value for key, value in fields.items()
                                                     if key in allowed and value})
        else:
            if not fields.get("category"):
                raise click.UsageError("请用 --category 写明类型（漏发、改地址……），登记退货请加 --return")
            if any(fields.get(key) for key, _, text in _RETURN_FIELDS if text):
                raise click.UsageError("退货的选项（--reason、--return-tracking ……）要和 --return 一起用")
            report = commands.log(workspace, {key: fields[key] for key, _, _ in _LOG_FIELDS}, by=by)
    except RowRejectedError as rejected:
        raise HandoverError(rejected.naming(_FIELD_FLAGS)) from rejected
    if report.unusual_order:
        _say(f"提醒：--order {report.unusual_order}", err=True)
    if report.logged_before:
        _say(views.render_logged_before(report), err=True)
    click.echo(views.render_log(report), nl=False)
    if report.untimed is not None:
        click.echo(views.render_log_warning(report, workspace.templates), nl=False, err=True)


# ------------------------------------------------------------------------------------ deadlines

@cli.command(context_settings=CONTEXT)
@click.option("--horizon", metavar="时长", help="往后看多久，例如 48h 或 3d（默认：handover.toml 里 [timers] 的 horizon，"
                                             "没有就是 48h）。")
@output_options("text", "markdown", "json")
@sheet_options
def deadlines(sheet, config_file, horizon, fmt, out, templates) -> None:
    """快到点（和已经错过）的退货时限，最急的在前。"""
    from .timers import parse_duration  # the timers' module is loaded only by the commands that show them

    try:
        window = parse_duration(horizon) if horizon else None
    except ValueProblem as problem:
        raise click.BadParameter(printable(str(problem)), param_hint="'--horizon'") from None
    workspace = _workspace(sheet, config_file, templates)
    commands.check_out(out, workspace)
    report = commands.deadlines(workspace, horizon=window)
    _emit(views.render_deadlines(report, fmt, workspace.templates), out)


@cli.group(context_settings=CONTEXT)
def returns() -> None:
    """退货登记（「退货」标签页）。"""


@returns.command("find", context_settings=CONTEXT)
@click.argument("number", metavar="单号")
@format_option("text", "json")
@sheet_options
def returns_find(sheet, config_file, number, fmt) -> None:
    """按退货单号查出包裹是哪一笔退货。

    单号写全，或只写最后 6 位以上；字母不分大小写，空格和 - 可有可无。"""
    workspace = _workspace(sheet, config_file)
    match = commands.find_return(workspace, number)
    click.echo(views.render_return_match(match, fmt, tz=workspace.tz, templates=workspace.templates), nl=False)
    if not match.items:
        sys.exit(1)


@returns.command("import", context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True, metavar="文件...")
@click.option("--platform", metavar="平台", help=f"这些文件都来自这个平台（{'、'.join(PLATFORM_LABELS.values())}）；"
                                                 "不写时按文件名、再按表头认。")
@click.option("--commit", is_flag=True, help="把新增和有变化的退货写进「退货」标签页（不加时只试算，不写入）。")
@format_option("text", "json")
@templates_option
@click.option("--strict", is_flag=True, help="有行没能用上时，退出码为 1。")
@sheet_options
def returns_import(sheet, config_file, files, platform, commit, fmt, templates, strict) -> None:
    """把平台下载的退款 / 售后导出文件导入「退货」标签页。

    新的退货加在后面，状态、退货物流和平台截止时间有变化的就地更新；处理结果、备注和你自己的列
    不会被改；比表格里更旧的导出不会覆盖新数据。"""
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
@format_option("text", "json")
@click.option("--assign-ids", is_flag=True, help="给没有编号的行补上编号（会写入表格）。")
@sheet_options
def check(sheet, config_file, fmt, assign_ids) -> None:
    """检查每一行，列出每个问题所在的行和列。

    有问题时退出码是 1。"""
    workspace = _workspace(sheet, config_file)
    report = commands.check(workspace, assign_ids=assign_ids)
    click.echo(views.render_check(report, fmt, workspace.templates), nl=False)
    if report.errors:
        sys.exit(1)


# ---------------------------------------------------------------------------------------- pull

def orders_option(help_text: str):
    return click.option("--orders", "orders", multiple=True, metavar="文件", help=help_text)


@cli.command(context_settings=CONTEXT)
@output_options("text", "markdown", "json")
@click.option("--strict", is_flag=True, help="有行没能放进清单时，退出码为 1。")
@orders_option("平台的订单导出文件，用来找快到承诺发货时间的预售单；可以写多个（默认：handover.toml 里 "
               "[compensation] 的 orders）。")
@sheet_options
def pull(sheet, config_file, fmt, out, templates, strict, orders) -> None:
    """早班任务清单。

    快到点的退货时限和预售单在最前，然后是按仓库、快递、联系买家分好的待办，以及可以直接粘贴的消息。"""
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
@click.option("--courier", "name", metavar="快递公司", help="只要这一家的（申通、ZTO、顺丰……）。")
@click.option("--copy", is_flag=True, help="同时复制到剪贴板，可以直接粘贴进 QQ。")
@templates_option
@sheet_options
def courier(sheet, config_file, name, copy, templates) -> None:
    """只输出给快递的消息。

    每家快递公司一段，可以直接粘贴。"""
    workspace = _workspace(sheet, config_file, templates)
    try:
        batch = commands.courier(workspace, name=name)
    except UnknownCourierError as error:
        raise click.BadParameter(printable(str(error)), param_hint="'--courier'") from None
    click.echo(views.render_courier(batch, workspace.templates), nl=False)
    if copy:
        from .clipboard import copy_text  # only --copy reaches for the clipboard

        text = views.courier_copy_text(batch, workspace.templates)
        _say(copy_text(text).message if text else "没有可以复制的消息", err=True)


# ------------------------------------------------------------------------------------- summary

@cli.command(context_settings=CONTEXT)
@click.option("--date", "day", type=SheetDate(),
              help="要总结的那一天，写法和表格里一样：2026-11-22、2026/11/22、11月22日……（默认：今天）。")
@output_options("text", "markdown", "html")
@orders_option("订单导出文件，用来列出可能要赔付的预售单；可以写多个（默认：handover.toml 里 [compensation] 的 "
               "orders）。")
@sheet_options
def summary(sheet, config_file, day, fmt, out, templates, orders) -> None:
    """每日总结，发到团队群里，也给店主看。"""
    workspace = _workspace(sheet, config_file, templates)
    commands.check_out(out, workspace, orders)
    report = commands.summary(workspace, SheetDate.day(day, workspace), orders=orders)
    _emit(views.render_summary(report, fmt, workspace.templates), out)


# -------------------------------------------------------------------------------- compensation

@cli.command(context_settings=CONTEXT)
@click.option("--orders", multiple=True, required=True, metavar="文件",
              help="平台的订单导出文件，下载下来什么样就用什么样（任何中文编码的 .csv，或 .xlsx）。可以写多个："
                   "淘宝的订单报表和退款报表按订单号合在一起看。")
@click.option("--affiliate", multiple=True, metavar="文件", help="淘宝联盟的报表：结算报表和它的维权退款报表；可以写多个。")
@click.option("--commit", is_flag=True, help="把新的赔付记进「赔付记录」标签页（不加就只是算一遍，什么都不写）。")
@click.option("--by", metavar="姓名", help="和赔付一起记下的操作人（默认：handover.toml 里的 user）。")
@format_option("text", "json")
@click.option("--out", metavar="文件", type=click.Path(dir_okay=False),
              help=f"{OUT_HELP.rstrip('。')}；.xlsx 文件是一张财务可以直接用的赔付表。")
@templates_option
@click.option("--strict", is_flag=True, help="有输入行没能用上时，退出码为 1。")
@sheet_options
def compensation(sheet, config_file, orders, affiliate, commit, by, fmt, out, templates, strict) -> None:
    """预售延迟发货赔付和淘宝客扣佣退款。

    预售单过了承诺时间还没发货、买家因此申请退款的，按比例赔付；淘宝客订单退货时扣回佣金再退款。算出该赔谁、赔多少，
    同一单绝不赔两次。默认只算不写，加 --commit 才记进「赔付记录」。"""
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
@click.argument("ids", nargs=-1, required=True, metavar="编号...")
@click.option("--result", metavar="文字", help="记下的处理结果。")
@click.option("--by", metavar="姓名", help="处理人（默认：handover.toml 里的 user，没有就用登录名）。")
@click.option("--status", type=StatusWord(), default=STATUS_LABELS[Status.DONE], show_default=True, metavar="状态",
              help=f"改成这个状态：{'、'.join(STATUS_LABELS.values())}（表格里认的写法都行，例如 完成）。")
@sheet_options
def done(sheet, config_file, ids, result, by, status) -> None:
    """按编号把事项标成已完成：写上状态、处理人、处理时间和处理结果。

    可以一次写多个编号；编号不分大小写。有一个编号找不到，就什么都不写。"""
    report = commands.done(_workspace(sheet, config_file), ids, status=status, by=by, result=result)
    click.echo(views.render_done(report), nl=False)
