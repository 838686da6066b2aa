"""The return timers as the morning shift reads them (`handover deadlines`, the top of `pull`), and as
scripts read them (JSON). The action and outcome wording is `timers`'; templates/deadlines_macros.j2
words the rest.

Each row shows one deadline, the one that matters now (`Deadline.due`), labelled by what happens at it:
`11-24 周二 18:20 到点自动退款` when it is the platform's zero, `11-19 周四 18:20 前要处理（拒绝或延长收货）`
when it is the moment the shop must have acted by. The platform's own 超时时间 is marked 平台时间; the
rules' time for the same zero, when it is more than an hour off, is said under the row, as such.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ..deadlines import ACT_NOW, MISSED, UPCOMING, Deadline, DeadlineReport, Untimed
from ..model.returns_tab import STAGE_LABELS
from ..model.values import duration_text
from ..model.schema import PLATFORM_LABELS, ShippingPayer
from ..shop_calendar import WEEKDAY_LABELS
from ..textwidth import table
from ..timers import OUTCOME_LABELS, Action, action_label
from .environment import render, single_line


def deadlines_json(report: DeadlineReport) -> dict[str, Any]:
    """SPEC "JSON output": English keys, `row`, ISO 8601 times with the shop's offset."""
    now = report.now

    def iso(moment: datetime | None) -> str | None:
        return moment.astimezone(now.tzinfo).isoformat() if moment else None

    def seconds(delta: timedelta) -> int:
        return int(delta.total_seconds())

    return {
        "generated_at": iso(now),
        "horizon_hours": report.horizon.total_seconds() / 3600,
        "counts": {state: report.count(state) for state in (MISSED, ACT_NOW, UPCOMING)},
        "deadlines": [
            {
                "id": d.item.id,
                "row": d.item.row,
                "order_id": d.item.order_id,
                "platform": d.item.platform,
                "buyer": d.item.buyer,
                "return_tracking_no": d.item.return_tracking_no,
                "stage": d.stage.value,
                "state": d.state,
                "started_at": iso(d.started_at),
                "ends_at": iso(d.ends_at),
                "act_by": iso(d.act_by),
                "seconds_left": seconds(d.act_by - now),
                "seconds_to_zero": seconds(d.ends_at - now),
                "deadline": "ends_at" if d.due_is_zero else "act_by",  # which of the two the list shows
                "deadline_at": iso(d.due),
                "seconds_to_deadline": seconds(d.due - now),
                "at_zero": d.rule.at_zero.value,
                "actions": [a.value for a in d.actions],
                "extend_from": iso(d.extend_from),
                "extend_by_hours": d.extend_by.total_seconds() / 3600 if d.extend_by and Action.EXTEND in d.actions else None,
                "extended": d.extended,
                "from_platform": d.from_platform,
                "computed_ends_at": iso(d.computed_ends),
                "pulled_forward": d.pulled_from is not None,
                "pulled_from": iso(d.pulled_from),
                "closed_reason": d.closure,
                "row_has_errors": bool(d.item.errors),
                "rule_source": d.rule.source,
            }
            for d in report.deadlines
        ],
        "untimed": [
            {"id": u.item.id, "row": u.item.row, "order_id": u.item.order_id, "platform": u.item.platform,
             "stage": u.stage.value if u.stage else None, "reason": u.reason, "column": u.column}
            for u in report.untimed
        ],
        "holiday_data_missing_years": report.unknown_years,
    }


_MARKS = {MISSED: "【已超时】", ACT_NOW: "【马上处理】", UPCOMING: ""}


_HEADINGS = ["", "编号", "行", "平台", "订单号", "阶段", "期限", "剩余"]
# The actions that settle a return, as the label of a deadline the shop must act by names them.
_SETTLING = {Action.APPROVE: "同意", Action.REJECT: "拒绝", Action.REFUND: "退款", Action.EXTEND: "延长收货"}


def when(moment: datetime) -> str:
    """`11-24 周二 10:00`: the weekday matters to a team that rests on some of them."""
    return f"{moment:%m-%d} {WEEKDAY_LABELS[moment.weekday()]} {moment:%H:%M}"


def left_text(deadline: Deadline, now: datetime) -> str:
    delta = deadline.due - now
    if delta > timedelta(0):
        return f"剩 {duration_text(delta)}"
    if delta > timedelta(minutes=-1):
        return "刚到"
    return f"已过 {duration_text(delta)}"


def due_text(deadline: Deadline) -> str:
    """The row's one deadline and what happens at it."""
    if deadline.due_is_zero:
        mark = "（平台时间）" if deadline.from_platform else ""
        return f"{when(deadline.due)} {OUTCOME_LABELS[deadline.rule.at_zero]}{mark}"
    choices = settling_text(deadline)
    return f"{when(deadline.due)} 前要处理" + (f"（{choices}）" if choices else "")


def settling_text(deadline: Deadline) -> str:
    """What stops the clock, of what the shop can do now: 拒绝或延长收货."""
    settling = [_SETTLING[action] for action in deadline.actions if action in _SETTLING]
    return "、".join(settling[:-1]) + "或" + settling[-1] if len(settling) > 1 else "".join(settling)


def deadline_rows(report: DeadlineReport) -> list[list[str]]:
    """A header row, then one row per deadline: the aligned part of the text and markdown lists. Cell
    text is on one line before the columns are measured (a line break typed into 编号)."""
    rows = [list(_HEADINGS)]
    for d in report.deadlines:
        item = d.item
        rows.append([_MARKS[d.state], single_line(item.id) or "（无编号）", str(item.row),
                     PLATFORM_LABELS.get(item.platform or "", "-"), single_line(item.order_id) or "-",
                     STAGE_LABELS[d.stage], due_text(d), left_text(d, report.now)])
    return rows


def deadlines_context(report: DeadlineReport) -> dict[str, Any]:
    """What deadlines.txt.j2 and deadlines.md.j2 receive; `pull` passes the same to include them."""
    rows = deadline_rows(report)
    lines = table(rows)
    entries = []
    for d, cells, line in zip(report.deadlines, rows[1:], lines[1:], strict=True):
        entries.append({
            "line": line,
            "cells": cells,
            "state": d.state,
            "stage": d.stage.value,
            "outcome": OUTCOME_LABELS[d.rule.at_zero],
            "outcome_key": d.rule.at_zero.value,
            "due_is_zero": d.due_is_zero,
            "ends": when(d.ends_at),  # the platform's zero, for a shop's own template (the row shows `due`)
            "ends_left": duration_text(d.ends_at - report.now),
            "settling": settling_text(d),
            "act_before": _days(d.rule.act_before) if d.rule.act_before is not None and d.rule.stage is d.stage else None,
            "actions": [a.value for a in d.actions],
            "action_labels": {a.value: action_label(a, d.stage) for a in d.actions},
            "extend_from": when(d.extend_from) if d.extend_from and d.extend_from > report.now else None,
            "extend_days": _days(d.extend_by),
            "extended": d.extended,
            "extension_unknown": d.extension_unknown,
            "from_platform": d.from_platform,
            "computed_ends": when(d.computed_ends) if d.computed_ends else None,
            "disagreement": duration_text(d.computed_ends - d.ends_at) if d.computed_ends else None,
            "stale_platform_deadline": d.stale_platform_deadline,
            "pulled_from": when(d.pulled_from) if d.pulled_from else None,
            "closure": d.closure,
            "insured": d.item.shipping_paid_by is ShippingPayer.INSURANCE,
            "tracking_no": d.item.return_tracking_no,
            "buyer": d.item.buyer,
            "has_errors": bool(d.item.errors),
        })
    return {
        "generated": report.now.strftime("%Y-%m-%d %H:%M"),
        "horizon_hours": _hours(report.horizon),
        "counts": {state: report.count(state) for state in (MISSED, ACT_NOW, UPCOMING)},
        "header": lines[0] if report.deadlines else "",
        "headings": rows[0],
        "entries": entries,
        "untimed": [untimed_entry(u) for u in report.untimed],
        "unknown_years": report.unknown_years,
    }


def untimed_entry(untimed: Untimed) -> dict[str, Any]:
    """A return no countdown could be computed for, as the list and `log --return`'s warning say it."""
    item, stage = untimed.item, untimed.stage
    return {"row": item.row, "id": item.id or "（无编号）", "order_id": item.order_id or "-",
            "platform": item.platform or "", "platform_label": PLATFORM_LABELS.get(item.platform or "", ""),
            "reason": untimed.reason, "column": untimed.column or "", "stage": STAGE_LABELS[stage] if stage else "",
            "stage_key": stage.value if stage else ""}


def render_untimed_warning(untimed: Untimed, templates: Path | None = None) -> str:
    """`log --return`'s warning (on stderr) for a return the morning list will not be able to time."""
    return render("deadlines_warning.txt.j2", templates, u=untimed_entry(untimed))


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:g}"


def _days(delta: timedelta | None) -> str | None:
    if delta is None:
        return None
    days = delta.total_seconds() / 86400
    return f"{days:g} 天" if days >= 1 else f"{delta.total_seconds() / 3600:g} 小时"


