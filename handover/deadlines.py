"""From the returns ledger to the countdowns the morning shift must not miss.

For each open return: its stage, the platform clocks running in that stage (`timers`), when each ends
(the platform's own 超时时间 when the ledger has it), the moment the shop has to act (earlier for rules
that want action before zero, and pulled forward off the warehouse's closed days by `shop_calendar`), and
what to do. Timers ending within the horizon come back soonest first; timers already run out come back
first of all as missed, never hidden: the platform may have refunded already, and someone has to look.

`deadline_report` is the entry point (and `upcoming_deadlines` for the list alone); how the timers read
is `render.deadline_views`'.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from .model.config import Config
from .model.returns_tab import STAGE_START, STAGES, TIME_KEYS, ReturnItem, Stage
from .model.schema import RETURN_HEADERS
from .shop_calendar import ShopCalendar, calendar_from_config
from .timers import Action, TimerBook, TimerRule, timer_book

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

    @property
    def due(self) -> datetime:
        """The one deadline that matters now: when the shop must act, while that is still ahead; once it
        has passed (or the platform's zero itself has), the platform's zero."""
        return self.act_by if self.state == UPCOMING else self.ends_at

    @property
    def due_is_zero(self) -> bool:
        """`due` is the platform's zero (something happens there by itself), not only the shop's act-by."""
        return self.due == self.ends_at

    def sort_key(self) -> tuple[int, datetime, int]:
        return (_STATE_ORDER[self.state], self.due, self.item.row)


@dataclass
class Untimed:
    """An open return no countdown could be computed for, and why (`reason`: no_platform, no_rules (none
    for the platform), no_stage_rule (none for the stage it is in), no_times, no_start, bad_time);
    `column` names the cell to fill or fix."""

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


def why_untimed(item: ReturnItem, config: Config, now: datetime) -> Untimed | None:
    """Why the morning list will not be able to count down for this return (`log --return` warns at
    once), or None when it will, or when nothing counts down."""
    found = deadline_for(item, timer_book(config), calendar_from_config(config), _aware(now, config))
    return found if isinstance(found, Untimed) else None


def _aware(moment: datetime, config: Config) -> datetime:
    # A naive time from a caller means shop time, as everywhere else in handover.
    return moment if moment.tzinfo else moment.replace(tzinfo=config.timezone)


def deadline_for(item: ReturnItem, book: TimerBook, calendar: ShopCalendar, now: datetime) -> Deadline | Untimed | None:
    """The binding countdown of one return; Untimed when it should have one but cannot be computed (no
    rule is known for its stage among them); None when nothing counts down (closed, or the shop switched
    the stage's clock off)."""
    if not item.is_open:
        return None
    if item.platform is None:
        return Untimed(item, "no_platform", column=RETURN_HEADERS["platform"])
    if not book.knows(item.platform):
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
        return Untimed(item, "no_stage_rule", stage) if book.lacks(item.platform, stage) else None
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
