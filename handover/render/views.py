"""Every view of what the commands return: the text, markdown and JSON a person or a script reads.

`cli` calls one `commands.X` and then the `render_X` here. Text goes through the shop's templates
(`environment.render`: control characters stripped, markdown escaped); JSON through `dumps`, the one
JSON writer. Three subjects keep their bodies in a module of their own, imported only by the commands
that show them (start-up time is part of every command): the return timers (`deadline_views`), what
`returns import` changes (`import_views`), and what finance reads (`finance_views`, and `payouts_xlsx`
for the payout workbook).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence
from zoneinfo import ZoneInfo

import orjson

from ..bulk import bulk
from ..model.rows import Problem
from ..model.schema import REFUND_STATUS_LABELS, SHIPPING_LABELS, STATUS_LABELS, Route, Status
from ..printable import json_escaped_utf8, printable
from ..tasks import RouteGroup, Task, TaskList
from ..textwidth import table
from .environment import Rendered, render, single_line

if TYPE_CHECKING:
    from ..compensation.run import CompensationReport
    from ..deadlines import DeadlineReport
    from ..messages import CourierBatch, GroupedList, Messages
    from ..results import CheckReport, DoneReport, LogReport, Morning
    from ..returns import TrackingMatch
    from ..returns_import.plan import ImportReport
    from ..summary import Summary


# ------------------------------------------------------------------------------------------ JSON

def dumps(data: object) -> str:
    """The one JSON writer, for scripts: compact (`jq .` makes it readable). Text keeps what the cell
    holds, every control character escaped, so JSON printed on a terminal is as harmless as the text
    views. `dump_bytes` writes it."""
    return dump_bytes(data).decode()


def dump_bytes(data: object) -> bytes:
    """`dumps` as UTF-8, ready for a file or a pipe. orjson writes it five times faster than the standard
    library (a 50,000-row morning list is 19 MB of JSON: 0.03 s against 0.15 s) and the same text:
    compact, characters as they are, control characters escaped alike; only a float below 1e-4 or from
    1e16 up is spelt otherwise (0.00001, not 1e-05), the same number. What orjson refuses (an integer
    beyond 64 bits, a key that is not text) the standard library writes."""
    try:
        encoded = orjson.dumps(data, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError:
        encoded = (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    return json_escaped_utf8(encoded)


# ---------------------------------------------------------------------------------------- pull

@bulk
def render_pull(morning: Morning, fmt: str, *, tz: ZoneInfo, templates: Path | None = None) -> str | bytes:
    """The morning list as text, markdown or JSON: timers, pre-sale orders at risk, tasks, messages. The
    JSON comes encoded (UTF-8 bytes, `dump_bytes`): a big morning's list is megabytes, and decoding it
    only to encode it again for the terminal or the file costs more than writing it."""
    tasks = morning.tasks
    if morning.deadlines is not None:
        from .deadline_views import deadlines_json
    if morning.at_risk is not None:
        from .finance_views import at_risk_data, render_at_risk
    if fmt == "json":
        data = task_list_json(tasks, tz)
        if morning.deadlines is not None:
            data["deadlines"] = deadlines_json(morning.deadlines)
        if morning.at_risk is not None:
            data["at_risk"] = at_risk_data(morning.at_risk, tz)
        data["messages"] = messages_json(morning.messages, templates)
        return dump_bytes(data)
    groups = [
        {"label": group.label, "count": len(group.tasks), "rows": task_rows(group, tz)}
        for group in tasks.groups
    ]
    if fmt == "text":
        for group in groups:
            group["lines"] = table(group["rows"])
    context = dict(
        tasks=tasks,
        generated=tasks.generated_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        groups=groups,
        deadlines=render_deadlines(morning.deadlines, fmt, templates) if morning.deadlines else "",
        at_risk=render_at_risk(morning.at_risk, fmt, templates, tz=tz) if morning.at_risk else "",
        messages=render_messages(morning.messages, fmt, templates),
        problems=[_problem_line(problem) for problem in tasks.problems],
    )
    return render(f"pull.{'md' if fmt == 'markdown' else 'txt'}.j2", templates, **context)


_COLUMNS = {
    Route.WAREHOUSE: ("编号", "行", "登记", "类型", "平台", "订单号", "说明"),
    Route.COURIER: ("编号", "行", "登记", "类型", "快递", "单号", "说明"),
    Route.CUSTOMER: ("编号", "行", "登记", "类型", "买家", "电话", "订单号", "说明"),
}


def task_rows(group: RouteGroup, tz: ZoneInfo) -> list[list[str]]:
    """The group as table rows for the text and markdown lists: a header row, then one row a task, each
    cell on one line (a line break typed into a cell would split the row). Only typed text can hold one:
    order ids, waybills, phones and times were parsed, labels are ours."""
    rows = [list(_COLUMNS[group.route])]
    for task in group.tasks:
        item = task.item
        logged = item.logged_at.astimezone(tz).strftime("%m-%d %H:%M") if item.logged_at else "时间不详"
        common = [single_line(item.id) or "（无编号）", str(item.row), logged, item.category.label if item.category else ""]
        if group.route is Route.WAREHOUSE:
            specific = [item.platform_label or "-", item.order_id or "-"]
        elif group.route is Route.COURIER:
            courier = item.courier.name if item.courier else "-"
            if item.courier_recognised:
                courier += "（按单号识别）"
            specific = [courier, item.tracking_no or item.order_id or "-"]
        else:
            specific = [single_line(item.buyer) or "-", item.phone or "-", item.order_id or "-"]
        rows.append(common + specific + [single_line(note(task))])
    return rows


def note(task: Task) -> str:
    """What the morning shift should notice first: carried over, already in progress, warnings."""
    item = task.item
    marks = []
    if task.carried_over:
        marks.append(f"【遗留{task.waiting_days}天】" if task.waiting_days else "【遗留】")
    if item.status is Status.IN_PROGRESS:
        handler = f"（{item.handler}）" if item.handler else ""
        marks.append(f"[{STATUS_LABELS[Status.IN_PROGRESS]}{handler}]")
    text = item.detail
    if item.route is Route.COURIER and item.category and item.category.key == "address_change":
        text = text or f"改到：{item.new_address}"
    for warning in item.warnings:
        text = f"{text}；⚠ {warning.message}" if text else f"⚠ {warning.message}"
    return "".join(marks) + (text or "")


def task_list_json(tasks: TaskList, tz: ZoneInfo) -> dict[str, Any]:
    data: dict[str, Any] = {
        "generated_at": tasks.generated_at.astimezone(tz).isoformat(),
        "sheet": tasks.sheet,
        "counts": {
            "open": tasks.open_count,
            "carried_over": tasks.carried_count,
            "problem_rows": tasks.problem_rows,
        },
        "routes": [
            {"route": group.route.value, "items": [task.as_json(tz) for task in group.tasks]}
            for group in tasks.groups
        ],
        "problems": [dict(problem.as_json(), id=problem.id) for problem in tasks.problems],
    }
    return data


def _problem_line(problem: Problem) -> dict[str, object]:
    return {"row": problem.row, "id": problem.id or "（无编号）", "column": problem.column or "", "message": problem.message,
            "text": problem.describe()}


# --------------------------------------------------------------------------------------- check

def render_check(report: CheckReport, fmt: str, templates: Path | None = None) -> str:
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
    text = render("check.txt.j2", templates, tabs=tabs, assigned=sorted(report.assigned.items()))
    return text + "".join(f"{line}\n" for line in skipped_notes(report.skipped))


def skipped_notes(rows: Sequence[int]) -> list[str]:
    """One line per row left without 编号, for every command that gives rows their 编号."""
    return [f"第 {row} 行没有编号，这次没有补：读取之后这一行被移动或改动了，下次写入时再补" for row in rows]


# ----------------------------------------------------------------------------------- done, log, init

def render_done(report: DoneReport) -> str:
    label = STATUS_LABELS[report.status]
    lines = [f"{item.id}（第 {report.moved.get(item.id, item.row)} 行）→ {label}，处理人 {report.by}" for item in report.items]
    return _lines(lines + _assigned_notes(report.assigned) + skipped_notes(report.skipped))


def render_log(report: LogReport) -> str:
    item = report.item
    if hasattr(item, "return_tracking_no"):  # a return
        return _lines([f"已登记退货 {item.id}（第 {report.row} 行）：订单 {item.order_id}"])
    what = f"{item.category.label if item.category else ''} {item.order_id or item.tracking_no}".rstrip()
    return _lines([f"已登记 {item.id}（第 {report.row} 行）：{what}", *_assigned_notes(report.assigned),
                   *skipped_notes(report.skipped)])


def render_logged_before(report: LogReport) -> str:
    """`log`'s note, for stderr, when the same order is already open on the sheet under the same 类型."""
    item = report.item
    rows = "、".join(f"第 {row.row} 行" + (f"（{row.id}）" if row.id else "") for row in report.logged_before)
    first = report.logged_before[0].row
    return (f"提醒：订单 {item.order_id} 的{item.category.label if item.category else ''}在{rows}已经登记过，还没处理完："
            f"如果是同一件事，请把新登记的第 {report.row} 行改成「已取消」，要补充的写进第 {first} 行")


def render_log_warning(report: LogReport, templates: Path | None = None) -> str:
    """`log --return`'s warning, for stderr, when the morning list will not be able to time the return."""
    from .deadline_views import render_untimed_warning

    return render_untimed_warning(report.untimed, templates) if report.untimed else ""


def render_init(written: Sequence[Path]) -> str:
    return _lines([f"已创建 {path}" for path in written])


def starter_config(sheet_name: str) -> str:
    """The handover.toml `handover init` writes beside a new workbook."""
    return render("handover.toml.j2", None, sheet=sheet_name)


def _assigned_notes(assigned: dict[int, str]) -> list[str]:
    return [f"第 {row} 行没有编号，已补上 {new_id}" for row, new_id in sorted(assigned.items())]


def _lines(lines: Sequence[str]) -> str:
    """Lines we compose ourselves; the cell text in them (an id, a name) printable like any template's."""
    return printable("".join(f"{line}\n" for line in lines))


# ------------------------------------------------------------------------------------ deadlines

def render_deadlines(report: DeadlineReport, fmt: str = "text", templates: Path | None = None) -> str:
    """`fmt`: text (terminal, aligned), markdown (pull --format markdown) or json."""
    from .deadline_views import deadlines_context, deadlines_json

    if fmt == "json":
        return dumps(deadlines_json(report))
    name = {"text": "deadlines.txt.j2", "markdown": "deadlines.md.j2"}[fmt]
    return render(name, templates, **deadlines_context(report))


# --------------------------------------------------------------------------------- returns find

def render_return_match(match: TrackingMatch, fmt: str, *, tz: ZoneInfo, templates: Path | None = None) -> str:
    from ..model.returns_tab import STAGE_LABELS

    if fmt == "json":
        return dumps({"query": match.query, "exact": match.exact, "returns": [item.as_json(tz) for item in match.items]})

    def when(moment: datetime | None) -> str:
        return moment.astimezone(tz).strftime("%m-%d %H:%M") if moment else "—"

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
    return render("returns_find.txt.j2", templates, match=match, returns=returns)


# ------------------------------------------------------------------------------- returns import

def render_returns_import(report: ImportReport, fmt: str = "text", templates: Path | None = None) -> str:
    """What the refund exports change in the 退货 tab, as text or JSON."""
    from .import_views import render_report

    return render_report(report, fmt, templates)


# ------------------------------------------------------------------------------------- messages

def _tidy(text: str) -> Rendered:
    # Optional lines and notes leave runs of blank lines behind; one blank line is all a chat needs.
    return Rendered(re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n")


# The message templates, rendered by every pull whatever its format (`commands.pull` compiles them early).
_COURIER, _WAREHOUSE, _CALLS = MESSAGE_TEMPLATES = ("courier.txt.j2", "warehouse.txt.j2", "calls.txt.j2")


def _fill_courier_texts(batch: CourierBatch, override: Path | None) -> None:
    # Each body is rendered on its own, not included from the page template, so a StrictUndefined error
    # names the template the shop actually got wrong.
    for message in batch.messages:
        message.text = _tidy(render(_COURIER, override, message=message, shop=batch.settings.shop)) if message.entries else ""


def render_courier(batch: CourierBatch, templates: Path | None = None) -> str:
    """What `handover courier` prints: each company's message between rules, with where to paste it,
    then the rows left out or to check, then rows whose company is unknown."""
    _fill_courier_texts(batch, templates)
    return _tidy(render("couriers.txt.j2", templates, batch=batch))


def courier_copy_text(batch: CourierBatch, templates: Path | None = None) -> str:
    """Only the pastable messages, for `--copy`: no rules, headers or notes for the morning shift.
    Several companies' messages are separated by a blank line; "" when there is nothing to send."""
    _fill_courier_texts(batch, templates)
    texts = [m.text.strip("\n") for m in batch.messages if m.text]
    return "\n\n".join(texts) + "\n" if texts else ""


def render_warehouse(warehouse: GroupedList, templates: Path | None = None) -> str:
    warehouse.text = _tidy(render(_WAREHOUSE, templates, warehouse=warehouse, shop=warehouse.settings.shop,
                                  sign_off=warehouse.settings.sign_off))
    return warehouse.text


def render_calls(calls: GroupedList, templates: Path | None = None) -> str:
    calls.text = _tidy(render(_CALLS, templates, calls=calls, shop=calls.settings.shop))
    return calls.text


def _fill(messages: Messages, templates: Path | None) -> None:
    _fill_courier_texts(messages.couriers, templates)
    render_warehouse(messages.warehouse, templates)
    render_calls(messages.calls, templates)


def render_messages(messages: Messages, fmt: str = "text", templates: Path | None = None) -> str:
    """The messages section of `pull`, as `text` or `markdown`."""
    if fmt not in ("text", "markdown"):
        raise ValueError(f"unknown format {fmt!r}")
    _fill(messages, templates)
    if fmt == "markdown":
        return _tidy(render("messages.md.j2", templates, messages=messages))
    couriers_text = render("couriers.txt.j2", templates, batch=messages.couriers)
    return _tidy(render("messages.txt.j2", templates, messages=messages, couriers_text=couriers_text))


def messages_json(messages: Messages, templates: Path | None = None) -> dict[str, Any]:
    """The messages section of `pull --format json`: each message's rendered text and its items."""
    _fill(messages, templates)
    couriers = messages.couriers.as_json()
    return {
        "couriers": couriers["messages"],
        "unknown_courier": couriers["unknown_courier"],
        "warehouse": messages.warehouse.as_json(),
        "calls": messages.calls.as_json(),
    }


# -------------------------------------------------------------------------------------- summary

# One colour per category, grouped by route (warm: warehouse, blue/green: courier, purple/grey: buyer),
# readable on white and distinguishable by most colour-blind readers through lightness as well.
CATEGORY_COLORS = {
    "missing_item": "#d9480f", "no_tracking": "#f08c00", "urge_shipment": "#fcc419",
    "address_change": "#1864ab", "intercept": "#4dabf7", "weight_query": "#0ca678",
    "size_confirm": "#7048e8", "address_unreachable": "#c0a6ff", "other": "#868e96",
}


_TEMPLATES = {"text": "summary.txt.j2", "markdown": "summary.md.j2", "html": "summary.html.j2"}


def summary_chart(summary: Summary) -> str:
    """The last seven days' logged items by category, as inline SVG."""
    from ..shop_calendar import WEEKDAY_LABELS
    from .chart import Series, stacked_bars

    labels = [(f"{d.day.month}/{d.day.day}", WEEKDAY_LABELS[d.day.weekday()]) for d in summary.history]
    series = [Series(c.label, CATEGORY_COLORS[c.key], tuple(d.counts[c.key] for d in summary.history))
              for c in summary.history_categories]
    return stacked_bars(labels, series, title=f"近 {len(summary.history)} 天每天登记的问题（按类型）")


def render_summary(summary: Summary, fmt: str = "text", templates: Path | None = None) -> str:
    if fmt not in _TEMPLATES:
        raise ValueError(f"unknown format {fmt!r} (one of {', '.join(_TEMPLATES)})")
    context: dict[str, Any] = {"summary": summary}
    if fmt == "html":
        from markupsafe import Markup

        # Markup: the SVG is ours and already escaped; the page template escapes everything else.
        context["chart"] = Markup(summary_chart(summary))
        context["colors"] = CATEGORY_COLORS
    text = render(_TEMPLATES[fmt], templates, **context)
    return text.strip("\n") + "\n"


# --------------------------------------------------------------------------------- compensation

def render_compensation(report: CompensationReport, fmt: str = "text", templates: Path | None = None) -> str:
    """The payouts as finance reads them, or SPEC's JSON."""
    from .finance_views import render_report

    return render_report(report, fmt, templates)


def compensation_file(report: CompensationReport, path: str | Path, fmt: str, templates: Path | None = None) -> bytes:
    """What `compensation --out` writes: the payout workbook for a .xlsx path, else the text or JSON."""
    if str(path).lower().endswith(".xlsx"):
        from .payouts_xlsx import workbook_bytes

        return workbook_bytes(report)
    if fmt == "json":
        from .finance_views import report_json

        return dump_bytes(report_json(report))  # as written: a big run's JSON is not decoded to be encoded again
    return render_compensation(report, fmt, templates).encode("utf-8")
