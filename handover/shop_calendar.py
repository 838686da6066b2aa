"""The shop calendar: which days the warehouse works, and deadlines pulled forward off its closed days.

Platform refund clocks run in calendar time and never stop for a holiday. The warehouse does stop: on
its weekly rest days, on the days off the shop configures (the Spring Festival break, a move), and, when
the shop switches them on, on China's statutory holidays. A timer that ends while the warehouse is
closed has to be dealt with before it closes, so such a deadline is moved to the end of the last
working day before it and marked with the reason.

    [calendar]
    weekly_rest = ["周日"]                 # weekly rest days: 周一…周日, mon…sun or 1…7 (ISO, 7 = Sunday)
    days_off = ["2027-02-05..2027-02-12", "2027-05-01"]   # single days or ranges (.. ~ 至)
    workdays = ["2027-02-13"]              # days the warehouse works although the rules above say rest
    public_holidays = true                 # China's statutory holidays and make-up workdays (chinesecalendar)
    closes_at = "18:00"                    # a deadline pulled forward lands at this time of the working day

The statutory holidays come from the `chinesecalendar` package (import `chinese_calendar`), which
follows the State Council's yearly announcement, make-up workdays (调休) included. It only knows the
years announced when it was released: for a later year it cannot say, and the calendar records the
year in `unknown_years` (shown under the deadlines) instead of guessing, so the shop can list that
year's break in `days_off`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .errors import ConfigError
from .model.config import Config
from .sheet import clean_text

WEEKDAY_LABELS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_WEEKDAY_NAMES = {
    **{label: index for index, label in enumerate(WEEKDAY_LABELS)},
    **{label.replace("周", "星期"): index for index, label in enumerate(WEEKDAY_LABELS)},
    "星期天": 6, "周天": 6, "礼拜天": 6, "礼拜日": 6,
    **{name: index for index, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{name: index for index, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))},
    **{str(number): number - 1 for number in range(1, 8)},  # ISO 8601: 1 = Monday … 7 = Sunday
}
# How far a pull-forward may search back for a working day before the calendar is judged misconfigured.
_MAX_CLOSED_RUN = 366
# When no closing time is configured, a pulled deadline lands at the end of the working day's office
# hours; a shop whose warehouse keeps other hours sets [calendar] closes_at.
DEFAULT_CLOSES_AT = time(18, 0)


@dataclass(frozen=True)
class Closure:
    """Why the warehouse is closed on a day, for the mark next to a pulled-forward deadline."""

    day: date
    reason: str  # 每周休息日 / 店休日 / 春节 …


@dataclass(frozen=True)
class Adjusted:
    """A moment after the calendar has had its say: `moment` is when to act; `pulled_from` is the
    original moment when it fell on a closed day (None when it stands)."""

    moment: datetime
    pulled_from: datetime | None = None
    closure: Closure | None = None

    @property
    def pulled(self) -> bool:
        return self.pulled_from is not None


@dataclass
class ShopCalendar:
    tz: ZoneInfo
    weekly_rest: frozenset[int] = frozenset()  # 0 = Monday … 6 = Sunday
    days_off: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    public_holidays: bool = False
    closes_at: time = DEFAULT_CLOSES_AT
    # Years the holiday library had no data for, reported once each instead of guessed.
    unknown_years: set[int] = field(default_factory=set)
    # A ledger's deadlines fall on a few dozen days: each is judged once per run.
    _seen: dict[date, Closure | None] = field(default_factory=dict, repr=False, compare=False)

    def closure(self, day: date) -> Closure | None:
        """None when the warehouse works on `day`, else why it does not. Explicit workdays beat every
        rule; explicit days off beat the holiday library; a statutory make-up workday (调休上班) is a
        working day even when it falls on a weekly rest day, as the announcement means it to be."""
        if day not in self._seen:
            self._seen[day] = self._closure(day)
        return self._seen[day]

    def _closure(self, day: date) -> Closure | None:
        if day in self.workdays:
            return None
        if day in self.days_off:
            return Closure(day, "店休日")
        if self.public_holidays:
            holiday = _statutory(day, self.unknown_years)
            if holiday is not None:
                closed, name = holiday
                if closed:
                    return Closure(day, _HOLIDAY_NAMES.get(name, name))
                return None  # make-up workday
        if day.weekday() in self.weekly_rest:
            return Closure(day, "每周休息日")
        return None

    def is_open(self, day: date) -> bool:
        return self.closure(day) is None

    def last_working_day_before(self, day: date) -> date:
        candidate = day - timedelta(days=1)
        for _ in range(_MAX_CLOSED_RUN):
            if self.is_open(candidate):
                return candidate
            candidate -= timedelta(days=1)
        raise ConfigError("[calendar] 里连续一年都是休息日：请检查 weekly_rest 和 days_off")

    def pull_forward(self, moment: datetime) -> Adjusted:
        """A deadline landing on a closed day moves to `closes_at` on the last working day before it."""
        local = moment.astimezone(self.tz)
        closure = self.closure(local.date())
        if closure is None:
            return Adjusted(local)
        working = self.last_working_day_before(local.date())
        return Adjusted(datetime.combine(working, self.closes_at, tzinfo=self.tz), local, closure)


# chinesecalendar names holidays in English; the mark next to a deadline is read by the morning shift.
_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def _statutory(day: date, unknown_years: set[int]) -> tuple[bool, str] | None:
    """(closed, holiday name) for a statutory holiday or make-up workday; None for an ordinary day or
    a year the library does not cover (remembered in `unknown_years`)."""
    import chinese_calendar

    try:
        closed, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        unknown_years.add(day.year)
        return None
    if name is None:
        return None  # an ordinary weekday or weekend: the shop's weekly_rest decides
    return bool(closed), str(name)


# ----------------------------------------------------------------------------------------- config

def calendar_from_config(config: Config) -> ShopCalendar:
    section = config.section("calendar")
    where = f"{config.where()}: [calendar]"
    known = {"weekly_rest", "days_off", "workdays", "public_holidays", "closes_at"}
    unknown = sorted(set(section) - known)
    if unknown:
        raise ConfigError(f"{where} 里不认识 {', '.join(unknown)}（可用：{', '.join(sorted(known))}）")
    calendar = ShopCalendar(
        tz=config.timezone,
        weekly_rest=frozenset(_weekdays(section.get("weekly_rest", []), where)),
        days_off=frozenset(_days(section.get("days_off", []), f"{where} days_off")),
        workdays=frozenset(_days(section.get("workdays", []), f"{where} workdays")),
    )
    holidays = section.get("public_holidays", False)
    if not isinstance(holidays, bool):
        raise ConfigError(f"{where} public_holidays 应该写 true 或 false")
    if holidays:
        try:
            import chinese_calendar  # noqa: F401 - fail here, with the fix, not on first use
        except ImportError:
            raise ConfigError(f"{where} public_holidays = true 需要 chinesecalendar：pip install chinesecalendar") from None
    calendar.public_holidays = holidays
    if "closes_at" in section:
        calendar.closes_at = _clock(section["closes_at"], f"{where} closes_at")
    return calendar


def _weekdays(value: Any, where: str) -> list[int]:
    if not isinstance(value, list):
        value = [value]
    found = []
    for entry in value:
        name = clean_text(entry).lower()
        if name not in _WEEKDAY_NAMES:
            raise ConfigError(f"{where} weekly_rest 里的「{entry}」不是星期几（写 周日、sun 或 7）")
        found.append(_WEEKDAY_NAMES[name])
    return found


_RANGE = re.compile(r"^(.+?)\s*(?:\.\.|~|～|至|到)\s*(.+)$")


def _days(value: Any, where: str) -> set[date]:
    if not isinstance(value, list):
        value = [value]
    found: set[date] = set()
    for entry in value:
        if isinstance(entry, datetime):
            found.add(entry.date())
            continue
        if isinstance(entry, date):
            found.add(entry)
            continue
        text = clean_text(entry)
        match = _RANGE.match(text)
        first = _day(match.group(1) if match else text, where)
        last = _day(match.group(2), where) if match else first
        if last < first:
            raise ConfigError(f"{where} 的「{text}」结束日期早于开始日期")
        if (last - first).days > _MAX_CLOSED_RUN:
            raise ConfigError(f"{where} 的「{text}」超过一年：请检查日期")
        day = first
        while day <= last:
            found.add(day)
            day += timedelta(days=1)
    return found


def _day(text: str, where: str) -> date:
    cleaned = re.sub(r"[年月/.]", "-", text.strip()).rstrip("日").strip("-")
    try:
        return date.fromisoformat("-".join(part.zfill(2) for part in cleaned.split("-")))
    except ValueError:
        raise ConfigError(f"{where} 里的「{text}」不是日期（写成 2027-02-05 或 2027-02-05..2027-02-12）") from None


def _clock(value: Any, where: str) -> time:
    if isinstance(value, time):
        return value
    text = clean_text(value).replace("：", ":")
    try:
        return time.fromisoformat(text.zfill(5) if len(text) == 4 else text)
    except ValueError:
        raise ConfigError(f"{where} 应该写成 18:00") from None

