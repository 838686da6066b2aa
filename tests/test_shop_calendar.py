"""The shop calendar: closed days, holidays, and deadlines pulled forward off them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handover.errors import ConfigError
from handover.model.config import parse_config
from handover.shop_calendar import ShopCalendar, calendar_from_config

TZ = ZoneInfo("Asia/Shanghai")


def calendar(**section) -> ShopCalendar:
    return calendar_from_config(parse_config({"calendar": section}))


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=TZ)


def test_no_calendar_section_means_every_day_open():
    cal = calendar_from_config(parse_config({}))
    assert all(cal.is_open(date(2026, 11, 16) + timedelta(days=n)) for n in range(14))
    moment = at(2026, 11, 22, 10, 0)
    assert cal.pull_forward(moment).moment == moment
    assert not cal.pull_forward(moment).pulled


@pytest.mark.parametrize("names", [["周日"], ["星期日"], ["sun"], ["Sunday"], ["7"], "周日"])
def test_weekly_rest_day_names(names):
    cal = calendar(weekly_rest=names)
    assert not cal.is_open(date(2026, 11, 22))  # a Sunday
    assert cal.is_open(date(2026, 11, 21))
    assert cal.closure(date(2026, 11, 22)).reason == "每周休息日"


def test_days_off_single_days_and_ranges():
    cal = calendar(days_off=["2027-02-05", "2027-02-10..2027-02-12", "2027年3月1日~2027年3月2日", date(2027, 4, 5)])
    closed = {date(2027, 2, 5), date(2027, 2, 10), date(2027, 2, 11), date(2027, 2, 12), date(2027, 3, 1),
              date(2027, 3, 2), date(2027, 4, 5)}
    for day in closed:
        assert not cal.is_open(day), day
        assert cal.closure(day).reason == "店休日"
    assert cal.is_open(date(2027, 2, 6))
    assert cal.is_open(date(2027, 2, 13))


def test_workdays_beat_rest_days_and_days_off():
    cal = calendar(weekly_rest=["周六", "周日"], days_off=["2027-02-06..2027-02-08"], workdays=["2027-02-06"])
    assert cal.is_open(date(2027, 2, 6))  # a Saturday, inside the days off, but listed as a workday
    assert not cal.is_open(date(2027, 2, 7))
    assert not cal.is_open(date(2027, 2, 8))


def test_public_holidays_from_chinesecalendar():
    cal = calendar(public_holidays=True)
    # 2026 Spring Festival break (State Council, 2025-11): 02-15 to 02-23; 02-14 (Saturday) is a make-up workday.
    assert cal.closure(date(2026, 2, 17)).reason == "春节"
    assert not cal.is_open(date(2026, 2, 15))
    assert cal.is_open(date(2026, 2, 24))
    # National Day 2026.
    assert cal.closure(date(2026, 10, 1)).reason == "国庆节"
    # A plain weekend is not a holiday: the shop's weekly_rest decides, and it rests on no day here.
    assert cal.is_open(date(2026, 11, 22))


def test_makeup_workday_opens_a_weekly_rest_day():
    cal = calendar(public_holidays=True, weekly_rest=["周六"])
    assert cal.is_open(date(2026, 2, 14))  # 调休上班 Saturday
    assert not cal.is_open(date(2026, 2, 7))  # an ordinary Saturday


def test_public_holidays_off_by_default():
    cal = calendar()
    assert cal.is_open(date(2026, 2, 17))


def test_year_the_holiday_library_does_not_know_is_recorded_not_guessed():
    cal = calendar(public_holidays=True, weekly_rest=["周日"])
    assert cal.is_open(date(2099, 2, 3))  # a Tuesday: no data, so only the shop's own rules apply
    assert not cal.is_open(date(2099, 2, 1))  # a Sunday
    assert cal.unknown_years == {2099}


def test_days_off_cover_a_year_the_library_lacks():
    cal = calendar(public_holidays=True, days_off=["2099-02-01..2099-02-07"])
    assert not cal.is_open(date(2099, 2, 3))
    assert cal.unknown_years == set()  # explicit days off answer before the library is asked


def test_deadline_on_a_rest_day_is_pulled_to_the_last_working_day():
    cal = calendar(weekly_rest=["周日"])
    adjusted = cal.pull_forward(at(2026, 11, 22, 14, 30))  # Sunday
    assert adjusted.pulled
    assert adjusted.moment == at(2026, 11, 21, 18, 0)  # Saturday, at the default closing time
    assert adjusted.pulled_from == at(2026, 11, 22, 14, 30)
    assert adjusted.closure.day == date(2026, 11, 22)


def test_deadline_on_an_open_day_stands_even_at_night():
    cal = calendar(weekly_rest=["周日"])
    moment = at(2026, 11, 23, 3, 0)  # Monday night: platform clocks are calendar time
    assert cal.pull_forward(moment).moment == moment


def test_pull_forward_skips_a_run_of_closed_days():
    cal = calendar(public_holidays=True, weekly_rest=["周日"], closes_at="17:30")
    adjusted = cal.pull_forward(at(2026, 2, 20, 9, 0))  # inside the Spring Festival break
    assert adjusted.moment == at(2026, 2, 14, 17, 30)  # the make-up Saturday before it
    assert adjusted.closure.reason == "春节"


def test_pull_forward_converts_to_shop_time():
    cal = calendar(weekly_rest=["周日"])
    utc = datetime(2026, 11, 21, 17, 0, tzinfo=ZoneInfo("UTC"))  # Sunday 01:00 in Shanghai
    adjusted = cal.pull_forward(utc)
    assert adjusted.pulled
    assert adjusted.moment == at(2026, 11, 21, 18, 0)
    assert adjusted.moment.tzinfo == TZ


@pytest.mark.parametrize("value, expected", [("18:00", time(18)), ("9:30", time(9, 30)), ("17：45", time(17, 45))])
def test_closes_at(value, expected):
    assert calendar(closes_at=value).closes_at == expected


@pytest.mark.parametrize("section, fragment", [
    ({"weekly_rest": ["周八"]}, "不是星期几"),
    ({"days_off": ["2027-02-30"]}, "不是日期"),
    ({"days_off": ["2027-02-12..2027-02-05"]}, "结束日期早于开始日期"),
    ({"days_off": ["2027-01-01..2029-01-01"]}, "超过一年"),
    ({"public_holidays": "yes"}, "true 或 false"),
    ({"closes_at": "6pm"}, "18:00"),
    ({"holidays": True}, "不认识 holidays"),
])
def test_config_errors_name_the_setting(section, fragment):
    with pytest.raises(ConfigError) as error:
        calendar(**section)
    assert fragment in str(error.value)
    assert "[calendar]" in str(error.value)


def test_a_calendar_closed_every_day_is_refused():
    cal = calendar(weekly_rest=["1", "2", "3", "4", "5", "6", "7"])
    with pytest.raises(ConfigError, match="连续一年"):
        cal.pull_forward(at(2026, 11, 22, 10, 0))


_days = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31))


@settings(max_examples=150, deadline=None)
@given(
    moment=st.datetimes(min_value=datetime(2026, 1, 10), max_value=datetime(2026, 12, 31)),
    rest=st.sets(st.integers(0, 6), max_size=5),
    off=st.lists(_days, max_size=20),
    holidays=st.booleans(),
)
def test_pulled_deadline_is_never_later_and_always_on_a_working_day(moment, rest, off, holidays):
    cal = ShopCalendar(tz=TZ, weekly_rest=frozenset(rest), days_off=frozenset(off), public_holidays=holidays)
    original = moment.replace(tzinfo=TZ)
    adjusted = cal.pull_forward(original)
    assert adjusted.moment <= original
    assert cal.is_open(adjusted.moment.date())
    if cal.is_open(original.date()):
        assert adjusted.moment == original and not adjusted.pulled
    else:
        assert adjusted.pulled and adjusted.moment.date() < original.date()
        # Nothing open in between: it is the *last* working day.
        day = adjusted.moment.date() + timedelta(days=1)
        while day < original.date():
            assert not cal.is_open(day)
            day += timedelta(days=1)
