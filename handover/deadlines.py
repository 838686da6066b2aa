"""From the returns ledger to the countdowns the morning shift must not miss.

For each open return: its stage, the platform clocks running in that stage (`timers`), when each ends
(the platform's own 超时时间 when the ledger has it), the moment the shop has to act (earlier for rules
that want action before zero, and pulled forward off the warehouse's closed days by `workdays`), and
what to do. Timers ending within the horizon come back soonest first; timers already run out come back
first of all as missed, never hidden: the platform may have refunded already, and someone has to look.

Entry points for the CLI: `deadline_report` (and `upcoming_deadlines` for the list alone),
`deadlines_json`, `render_deadlines` (text or markdown, also the top of `pull`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .config import Config
from .render import render, table
from .returns import RETURN_HEADERS, STAGE_LABELS, STAGE_START, STAGES, TIME_KEYS, ReturnItem, ShippingPayer, Stage
from .schema import PLATFORM_LABELS
from .timers import ACTION_LABELS, OUTCOME_LABELS, Action, TimerBook, TimerRule, timer_book
from .workdays import WEEKDAY_LABELS, ShopCalendar, calendar_from_config

MISSED = "missed"  # the platform clock reached zero: it may already have refunded
ACT_NOW = "act_now"  # the shop's moment to act has passed, the platform's zero has not
UPCOMING = "upcoming"
_STATE_ORDER = {MISSED: 0, ACT_NOW: 1, UPCOMING: 2}
DISAGREEMENT = timedelta(hours=1)  # the platform's 超时时间 and the computed deadline: shown both beyond this


@dataclass
class Deadline:
    item: ReturnItem
    stage: Stage
    rule: TimerRule
    started_at: datetime | None  # None when only the platform's 超时时间 is known
    ends_at: datetime  # the platform's zero
    act_by: datetime  # when the shop must have acted: ends_at, minus act_before, pulled off closed days
    state: str
    actions: tuple[Action, ...]
    from_platform: bool = False  # ends_at is the ledger's 超时时间
    extended: bool = False  # 延长收货 was used and counted in
    extension_unknown: bool = False  # extended, but the rule does not say by how much
    extend_from: datetime | None = None  # when 延长收货 may be pressed, while it still can be
    extend_by: timedelta | None = None
    pulled_from: datetime | None = None  # act_by before the calendar moved it
    closure: str | None = None  # why the warehouse is closed at pulled_from
    stale_platform_deadline: bool = False  # 超时时间 predates this stage: ignored
    computed_ends: datetime | None = None  # the rules' zero, when it disagrees with the platform's 超时时间

    def sort_key(self) -> tuple[int, datetime, int]:
        # Missed and act-now timers are ordered by the platform's zero, the rest by when to act.
        moment = self.act_by if self.state == UPCOMING else self.ends_at
        return (_STATE_ORDER[self.state], moment, self.item.row)


@dataclass
class Untimed:
    """An open return no countdown could be computed for, and why (`reason`: no_platform, no_rules,
    no_times, no_start, bad_time); `column` names the cell to fill or fix."""

    item: ReturnItem
    reason: str
    stage: Stage | None = None
    column: str | None = None


@dataclass
class DeadlineReport:
    now: datetime
    horizon: timedelta
    deadlines: list[Deadline]  # missed, then act-now, then upcoming within the horizon
    untimed: list[Untimed]
    unknown_years: list[int] = field(default_factory=list)  # years the holiday data does not cover

    def count(self, state: str) -> int:
        return sum(1 for d in self.deadlines if d.state == state)


def deadline_report(items: Iterable[ReturnItem], config: Config, now: datetime | None = None,
                    horizon: timedelta | None = None, *, book: TimerBook | None = None,
                    calendar: ShopCalendar | None = None) -> DeadlineReport:
    tz = config.timezone
    now = _aware(now or datetime.now(tz), config).astimezone(tz)
    book = book or timer_book(config)
    calendar = calendar or calendar_from_config(config)
    horizon = horizon if horizon is not None else book.horizon
    deadlines: list[Deadline] = []
    untimed: list[Untimed] = []
    for item in items:
        found = deadline_for(item, book, calendar, now)
        if isinstance(found, Untimed):
            untimed.append(found)
        elif found is not None and (found.state != UPCOMING or found.act_by <= now + horizon):
            deadlines.append(found)
    deadlines.sort(key=Deadline.sort_key)
    return DeadlineReport(now, horizon, deadlines, untimed, sorted(calendar.unknown_years))


def upcoming_deadlines(items: Iterable[ReturnItem], config: Config, now: datetime | None = None,
                       horizon: timedelta | None = None) -> list[Deadline]:
    """The timers to show: missed first, then soonest first, those ending within the horizon."""
    return deadline_report(items, config, now, horizon).deadlines


def _aware(moment: datetime, config: Config) -> datetime:
    # A naive time from a caller means shop time, as everywhere else in handover.
    return moment if moment.tzinfo else moment.replace(tzinfo=config.timezone)


def deadline_for(item: ReturnItem, book: TimerBook, calendar: ShopCalendar, now: datetime) -> Deadline | Untimed | None:
    """The binding countdown of one return; Untimed when it should have one but cannot be computed;
    None when nothing counts down (closed, or no clock runs in its stage on that platform)."""
    if not item.is_open:
        return None
    if item.platform is None:
        return Untimed(item, "no_platform", column=RETURN_HEADERS["platform"])
    if not book.for_platform(item.platform):
        return Untimed(item, "no_rules", item.stage)
    stage = item.stage
    # A time cell that could not be read, later than the stage the other cells show, leaves the stage
    # itself in doubt: the return may be further along, on a clock that ends sooner.
    reached = STAGES.index(stage) if stage is not None else -1
    doubtful = [key for key in TIME_KEYS[reached + 1:] if key in item.unusable]
    if doubtful:
        return Untimed(item, "bad_time", stage, RETURN_HEADERS[doubtful[-1]])
    if stage is None:
        return Untimed(item, "no_times", column=RETURN_HEADERS["requested_at"])
    rules = book.running(item.platform, stage)
    if not rules:
        return None
    stage_start = getattr(item, STAGE_START[stage])
    platform_deadline = item.platform_deadline
    stale = platform_deadline is not None and stage_start is not None and platform_deadline <= stage_start
    clocks = []
    for rule in rules:
        started = getattr(item, rule.start)
        if started is not None:
            ends, extended, unknown = _ends(item, rule, started)
            clocks.append(_finish(item, stage, rule, started, ends, calendar, now, extended=extended,
                                  extension_unknown=unknown, stale=stale))
    computed = min(clocks, key=lambda d: (d.act_by, d.ends_at)) if clocks else None
    if platform_deadline is not None and not stale:
        # The platform's own 超时时间 is the deadline; the rules' one is shown beside it only when the two
        # disagree by more than the minutes a copied time can be off.
        rule = rules[0]
        deadline = _finish(item, stage, rule, getattr(item, rule.start), platform_deadline, calendar, now,
                           from_platform=True)
        if computed is not None and abs(computed.ends_at - platform_deadline) > DISAGREEMENT:
            deadline.computed_ends = computed.ends_at
        return deadline
    return computed or Untimed(item, "no_start", stage, RETURN_HEADERS[rules[0].start])


def _after(moment: datetime, length: timedelta) -> datetime:
    """Platform clocks count elapsed time: add in UTC, so a zone with daylight saving cannot shift them."""
    return (moment.astimezone(UTC) + length).astimezone(moment.tzinfo)


def _ends(item: ReturnItem, rule: TimerRule, started: datetime) -> tuple[datetime, bool, bool]:
    ends = _after(started, rule.length)
    if item.extended_at is None:
        return ends, False, False
    if rule.extend_by is not None:
        return _after(ends, rule.extend_by), True, False
    # Extended on a platform whose extension length we do not know (Taobao): keep the earlier, original
    # deadline, which can only warn too soon, and ask for the platform's new 超时时间.
    return ends, False, Action.EXTEND in rule.actions


def _finish(item: ReturnItem, stage: Stage, rule: TimerRule, started: datetime | None, ends: datetime,
            calendar: ShopCalendar, now: datetime, *, from_platform: bool = False, extended: bool = False,
            extension_unknown: bool = False, stale: bool = False) -> Deadline:
    act_by = _after(ends, -rule.act_before) if rule.act_before is not None and rule.stage is stage else ends
    adjusted = calendar.pull_forward(act_by)
    actions = rule.actions_in(stage)
    extend_from = None
    if Action.EXTEND in actions and item.extended_at is not None:
        actions = tuple(a for a in actions if a is not Action.EXTEND)  # once only, and it was used
    elif Action.EXTEND in actions and started is not None and rule.extend_after is not None:
        extend_from = _after(started, rule.extend_after)
    if now >= ends:
        state = MISSED
    elif now >= adjusted.moment:
        state = ACT_NOW
    else:
        state = UPCOMING
    return Deadline(
        item=item, stage=stage, rule=rule, started_at=started, ends_at=ends, act_by=adjusted.moment,
        state=state, actions=actions, from_platform=from_platform,
        extended=extended or (from_platform and item.extended_at is not None), extension_unknown=extension_unknown,
        extend_from=extend_from, extend_by=rule.extend_by, pulled_from=adjusted.pulled_from,
        closure=adjusted.closure.reason if adjusted.closure else None, stale_platform_deadline=stale,
    )


# ------------------------------------------------------------------------------------------ JSON

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


# ------------------------------------------------------------------------------------------ text

_MARKS = {MISSED: "【已超时】", ACT_NOW: "【马上处理】", UPCOMING: ""}
_HEADINGS = ["", "编号", "行", "平台", "订单号", "阶段", "处理截止", "剩余"]


def when(moment: datetime) -> str:
    """`11-24 周二 10:00`: the weekday matters to a team that rests on some of them."""
    return f"{moment:%m-%d} {WEEKDAY_LABELS[moment.weekday()]} {moment:%H:%M}"


def span_text(delta: timedelta) -> str:
    """Time left rounded down to the minute, so it never promises more than there is."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} 天 {hours} 小时" if hours else f"{days} 天"
    if hours:
        return f"{hours} 小时 {minutes} 分" if minutes else f"{hours} 小时"
    return f"{minutes} 分" if minutes else "不到 1 分"


def left_text(deadline: Deadline, now: datetime) -> str:
    delta = deadline.act_by - now
    if delta > timedelta(0):
        return f"剩 {span_text(delta)}"
    if delta > timedelta(minutes=-1):
        return "刚到"
    return f"已过 {span_text(delta)}"


def deadline_rows(report: DeadlineReport) -> list[list[str]]:
    """A header row, then one row per deadline: the aligned part of the text and markdown lists."""
    rows = [list(_HEADINGS)]
    for d in report.deadlines:
        item = d.item
        rows.append([_MARKS[d.state], item.id or "（无编号）", str(item.row), PLATFORM_LABELS.get(item.platform or "", "-"),
                     item.order_id or "-", STAGE_LABELS[d.stage], when(d.act_by), left_text(d, report.now)])
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
            "ends": when(d.ends_at),
            "ends_left": span_text(d.ends_at - report.now),
            "actions": [a.value for a in d.actions],
            "action_labels": {a.value: ACTION_LABELS[a] for a in d.actions},
            "extend_from": when(d.extend_from) if d.extend_from and d.extend_from > report.now else None,
            "extend_days": _days(d.extend_by),
            "extended": d.extended,
            "extension_unknown": d.extension_unknown,
            "from_platform": d.from_platform,
            "computed_ends": when(d.computed_ends) if d.computed_ends else None,
            "disagreement": span_text(d.computed_ends - d.ends_at) if d.computed_ends else None,
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
        "untimed": [
            {"row": u.item.row, "id": u.item.id or "（无编号）", "order_id": u.item.order_id or "-",
             "platform": u.item.platform or "", "platform_label": PLATFORM_LABELS.get(u.item.platform or "", ""),
             "reason": u.reason, "column": u.column or "", "stage": STAGE_LABELS[u.stage] if u.stage else ""}
            for u in report.untimed
        ],
        "unknown_years": report.unknown_years,
    }


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:g}"


def _days(delta: timedelta | None) -> str | None:
    if delta is None:
        return None
    days = delta.total_seconds() / 86400
    return f"{days:g} 天" if days >= 1 else f"{delta.total_seconds() / 3600:g} 小时"


def render_deadlines(report: DeadlineReport, fmt: str = "text", override: Path | None = None) -> str:
    """`fmt`: text (terminal, aligned) or markdown (pull --format markdown)."""
    name = {"text": "deadlines.txt.j2", "markdown": "deadlines.md.j2"}[fmt]
    return render(name, override, **deadlines_context(report))
