"""Timer rules: the shipped defaults (checked against the seeds, not against the code's own table), the
boundaries of every rule under freezegun, and overrides from handover.toml."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st

from handover.deadlines import ACT_NOW, MISSED, UPCOMING, deadline_report
from handover.errors import ConfigError
from handover.model.config import parse_config
from handover.model.returns_tab import STAGES, ReturnItem, Stage
from handover.model.values import ValueProblem
from handover.timers import DEFAULT_TIMERS, Action, Outcome, parse_duration, stage_of, timer_book

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 10, 9, 30, tzinfo=TZ)
DAY, HOUR, SECOND = timedelta(days=1), timedelta(hours=1), timedelta(seconds=1)

# (platform, stage, clock start, length, act before zero, at zero), read off seeds 003/004 and PLATFORMS.md.
EXPECTED = [
    ("taobao", "request", "requested_at", 5 * DAY, None, "auto_agree"),
    ("taobao", "awaiting_return", "approved_at", 7 * DAY, None, "request_closed"),
    ("taobao", "in_transit", "waybill_at", 10 * DAY, 5 * DAY, "auto_refund"),
    ("tmall", "request", "requested_at", 5 * DAY, None, "auto_agree"),
    ("tmall", "awaiting_return", "approved_at", 7 * DAY, None, "request_closed"),
    ("tmall", "in_transit", "waybill_at", 10 * DAY, 5 * DAY, "auto_refund"),
    ("douyin", "request", "requested_at", 48 * HOUR, None, "auto_agree"),
    ("douyin", "in_transit", "waybill_at", 7 * DAY, None, "auto_refund"),
    ("douyin", "signed", "signed_at", 48 * HOUR, None, "auto_refund"),
    ("pinduoduo", "request", "requested_at", 48 * HOUR, None, "auto_refund"),
    ("pinduoduo", "awaiting_return", "approved_at", 7 * DAY, None, "request_closed"),
    ("pinduoduo", "in_transit", "waybill_at", 7 * DAY, None, "auto_refund"),
    # PLATFORMS.md, secondary sources: Kuaishou 48 h to answer, the buyer 10 days to send, 7 days after the
    # waybill; JD 72 h to review a return (after shipment).
    ("kuaishou", "request", "requested_at", 48 * HOUR, None, "auto_agree"),
    ("kuaishou", "awaiting_return", "approved_at", 10 * DAY, None, "request_closed"),
    ("kuaishou", "in_transit", "waybill_at", 7 * DAY, None, "auto_refund"),
    ("jd", "request", "requested_at", 72 * HOUR, None, "auto_agree"),
]
CONFIG = parse_config({})


def item_in(platform: str, stage: Stage, start: datetime, **extra) -> ReturnItem:
    """A return that reached `stage` at `start`; earlier stages an hour apart before it."""
    times = {}
    for index, key in enumerate(("requested_at", "approved_at", "waybill_at", "signed_at")):
        if index <= STAGES.index(stage):
            times[key] = start - (STAGES.index(stage) - index) * HOUR
    return ReturnItem(row=2, id="R1", platform=platform, order_id="1001", **{**times, **extra})


def state_at(item: ReturnItem, moment: datetime, config=CONFIG):
    with freeze_time(moment):
        report = deadline_report([item], config, horizon=timedelta(days=365))
    assert len(report.deadlines) == 1, report
    return report.deadlines[0]


def test_every_default_rule_is_covered_here():
    shipped = {(p, s) for p, stages in DEFAULT_TIMERS.items() for s in stages}
    assert shipped == {(p, s) for p, s, *_ in EXPECTED}
    # No source gives JD's time for sending or confirming a return: no made-up clock for those stages.
    assert set(DEFAULT_TIMERS["jd"]) == {"request"}


@pytest.mark.parametrize("platform", ["kuaishou", "jd"])
def test_the_kuaishou_and_jd_presets_name_their_source_and_say_the_shop_can_override_them(platform):
    for stage, rule in timer_book().for_platform(platform).items():
        assert "PLATFORMS.md" in rule.source and f"[timers.{platform}.{stage.value}]" in rule.source


@pytest.mark.parametrize("platform, stage, start, length, act_before, outcome", EXPECTED,
                         ids=[f"{p}-{s}" for p, s, *_ in EXPECTED])
def test_default_rule_matches_the_sources(platform, stage, start, length, act_before, outcome):
    rule = timer_book().for_platform(platform)[Stage(stage)]
    assert (rule.start, rule.length, rule.act_before, rule.at_zero) == (start, length, act_before, Outcome(outcome))
    assert rule.source, "each rule names its source"


_BOUNDARIES = []
for _platform, _stage, _start, _length, _before, _outcome in EXPECTED:
    _zero = START + _length
    _act = _zero - _before if _before else _zero
    _BOUNDARIES += [
        (_platform, _stage, _act - SECOND, UPCOMING, _zero, _act),
        (_platform, _stage, _act, ACT_NOW if _before else MISSED, _zero, _act),
        (_platform, _stage, _act + SECOND, ACT_NOW if _before else MISSED, _zero, _act),
    ]
    if _before:
        _BOUNDARIES += [
            (_platform, _stage, _zero - SECOND, ACT_NOW, _zero, _act),
            (_platform, _stage, _zero, MISSED, _zero, _act),
            (_platform, _stage, _zero + SECOND, MISSED, _zero, _act),
        ]


@pytest.mark.parametrize("platform, stage, now, state, zero, act_by", _BOUNDARIES,
                         ids=[f"{b[0]}-{b[1]}-{b[2]:%m%d-%H%M%S}" for b in _BOUNDARIES])
def test_rule_boundaries(platform, stage, now, state, zero, act_by):
    deadline = state_at(item_in(platform, Stage(stage), START), now)
    assert (deadline.state, deadline.ends_at, deadline.act_by) == (state, zero, act_by)


# ----------------------------------------------------------------------------- douyin extension

def test_douyin_extension_opens_on_day_five_after_the_waybill():
    item = item_in("douyin", Stage.IN_TRANSIT, START)
    day_five = START + 5 * DAY
    before = state_at(item, day_five - SECOND)
    at = state_at(item, day_five)
    assert Action.EXTEND in before.actions and Action.EXTEND in at.actions
    assert before.extend_from == day_five == at.extend_from
    assert before.extend_by == 7 * DAY


@pytest.mark.parametrize("offset, state", [(-SECOND, UPCOMING), (timedelta(0), MISSED), (SECOND, MISSED)])
def test_douyin_extended_once_refunds_at_day_fourteen(offset, state):
    item = item_in("douyin", Stage.IN_TRANSIT, START, extended_at=START + 5 * DAY + HOUR)
    deadline = state_at(item, START + 14 * DAY + offset)
    assert deadline.state == state
    assert deadline.ends_at == START + 14 * DAY
    assert deadline.extended
    assert Action.EXTEND not in deadline.actions  # only once


@pytest.mark.parametrize("offset, state", [(-SECOND, UPCOMING), (timedelta(0), MISSED), (SECOND, MISSED)])
def test_douyin_signed_early_refunds_48_hours_after_signing(offset, state):
    signed = START + DAY
    item = item_in("douyin", Stage.SIGNED, signed, waybill_at=START)
    deadline = state_at(item, signed + 48 * HOUR + offset)
    assert (deadline.state, deadline.ends_at, deadline.rule.stage) == (state, signed + 48 * HOUR, Stage.SIGNED)
    assert deadline.actions == (Action.REFUND, Action.REJECT)


@pytest.mark.parametrize("offset, state", [(-SECOND, UPCOMING), (timedelta(0), MISSED), (SECOND, MISSED)])
def test_douyin_signed_late_still_refunds_seven_days_after_the_waybill(offset, state):
    signed = START + 6 * DAY
    item = item_in("douyin", Stage.SIGNED, signed, waybill_at=START)
    deadline = state_at(item, START + 7 * DAY + offset)
    assert (deadline.state, deadline.ends_at, deadline.rule.stage) == (state, START + 7 * DAY, Stage.IN_TRANSIT)
    # Signed for: the shop inspects and decides; no more extension.
    assert deadline.actions == (Action.REFUND, Action.REJECT)


@pytest.mark.parametrize("offset, state", [(-SECOND, UPCOMING), (timedelta(0), MISSED), (SECOND, MISSED)])
def test_pinduoduo_clock_from_the_buyers_shipment_runs_past_signing(offset, state):
    item = item_in("pinduoduo", Stage.SIGNED, START + 6 * DAY, waybill_at=START)
    deadline = state_at(item, START + 7 * DAY + offset)
    assert (deadline.state, deadline.ends_at) == (state, START + 7 * DAY)


@pytest.mark.parametrize("offset, state", [(-SECOND, UPCOMING), (timedelta(0), MISSED), (SECOND, MISSED)])
def test_taobao_signed_has_no_five_day_margin(offset, state):
    item = item_in("taobao", Stage.SIGNED, START + 3 * DAY, waybill_at=START)
    deadline = state_at(item, START + 10 * DAY + offset)
    assert (deadline.state, deadline.act_by) == (state, START + 10 * DAY)


def test_taobao_extended_without_a_known_length_keeps_the_original_deadline():
    item = item_in("taobao", Stage.IN_TRANSIT, START, extended_at=START + 5 * DAY)
    deadline = state_at(item, START + 6 * DAY)
    assert deadline.ends_at == START + 10 * DAY
    assert deadline.extension_unknown and not deadline.extended
    assert Action.EXTEND not in deadline.actions


# ---------------------------------------------------------------------------------- config

def book(**timers):
    return timer_book(parse_config({"timers": timers}))


def test_override_changes_only_the_fields_given():
    rules = book(douyin={"in_transit": {"length": "5d"}}).for_platform("douyin")
    rule = rules[Stage.IN_TRANSIT]
    assert rule.length == 5 * DAY
    assert rule.extend_by == 7 * DAY and rule.extend_after == 5 * DAY
    assert rule.source.startswith("handover.toml [timers.douyin.in_transit] over seed 003")
    assert rules[Stage.SIGNED].length == 48 * HOUR


def test_override_takes_effect_at_its_own_boundary():
    config = parse_config({"timers": {"pinduoduo": {"request": {"length": "24h"}}}})
    item = item_in("pinduoduo", Stage.REQUEST, START)
    assert state_at(item, START + 24 * HOUR - SECOND, config).state == UPCOMING
    assert state_at(item, START + 24 * HOUR, config).state == MISSED


def test_chinese_platform_and_stage_names():
    rules = book(抖音={"已签收": {"length": "24小时"}}).for_platform("douyin")
    assert rules[Stage.SIGNED].length == 24 * HOUR


@pytest.mark.parametrize("platform, length", [("kuaishou", "36h"), ("jd", "24h")])
def test_a_shop_whose_rule_centre_says_otherwise_overrides_the_preset_and_adds_a_stage(platform, length):
    """Kuaishou: a page says 36 h to answer and 10 days after the waybill; JD: 24 h before shipment, and a
    time of the shop's own for a stage JD publishes none for."""
    rules = book(**{platform: {
        "request": {"length": length},
        "in_transit": {"length": "10d", "at_zero": "auto_refund", "start": "填单时间", "also_in": ["signed"],
                       "actions": ["check_logistics", "extend"], "extend_by": "5d", "extend_after": "3d",
                       "source": "规则中心 2026"},
    }}).for_platform(platform)
    request = rules[Stage.REQUEST]
    assert (request.length, request.at_zero, request.actions) == (
        parse_duration(length), Outcome.AUTO_AGREE, (Action.APPROVE, Action.REJECT))  # the rest is the preset's
    assert request.source.startswith(f"handover.toml [timers.{platform}.request] over PLATFORMS.md")
    transit = rules[Stage.IN_TRANSIT]
    assert (transit.length, transit.start, transit.also_in, transit.extend_by, transit.source) == (
        10 * DAY, "waybill_at", (Stage.SIGNED,), 5 * DAY, "规则中心 2026")


def test_disable_a_rule():
    rules = book(taobao={"awaiting_return": {"enabled": False}}).for_platform("taobao")
    assert Stage.AWAITING_RETURN not in rules
    assert Stage.REQUEST in book().for_platform("tmall")  # tmall keeps its own copy


def test_horizon_from_config():
    assert book(horizon="36h").horizon == 36 * HOUR
    assert book().horizon == 48 * HOUR


@pytest.mark.parametrize("timers, fragment", [
    ({"xiaohongshu": {}}, "不认识「xiaohongshu」"),
    ({"douyin": {"later": {}}}, "不认识的阶段"),
    ({"douyin": {"signed": {"length": "48"}}}, "48h"),
    ({"douyin": {"signed": {"lenght": "48h"}}}, "不认识 lenght"),
    ({"douyin": {"signed": {"at_zero": "refund"}}}, "at_zero 不认识"),
    ({"douyin": {"signed": {"actions": ["call"]}}}, "actions 不认识"),
    ({"jd": {"in_transit": {"length": "7d"}}}, "缺少 at_zero"),
    ({"douyin": {"signed": {"also_in": ["in_transit"]}}}, "之后的阶段"),
    ({"douyin": {"signed": {"start": "发货时间"}}}, "start 不认识"),
    ({"taobao": {"in_transit": {"act_before": "10d"}}}, "act_before 要比 length 短"),
    ({"pinduoduo": {"in_transit": {"extend_after": "2d"}}}, "没写 extend_by"),
    ({"horizon": "soon"}, "horizon"),
    ({"douyin": "7d"}, "应该是一个表"),
])
def test_config_errors_name_the_place(timers, fragment):
    with pytest.raises(ConfigError) as error:
        book(**timers)
    assert fragment in str(error.value)
    # The table as the shop writes it in handover.toml: [timers], [timers.douyin], [timers.douyin.signed]
    assert re.search(r": \[timers(\.\w+){0,2}\]", str(error.value)), str(error.value)


def test_a_wrong_length_in_a_stage_names_the_table_as_written_in_handover_toml():
    with pytest.raises(ConfigError) as error:
        book(kuaishou={"request": {"length": "soon"}})
    assert str(error.value) == "handover.toml: [timers.kuaishou.request] length：看不懂的时长「soon」（写成 48h、7d 或 2d12h）"


@pytest.mark.parametrize("name, stage", [("in_transit", Stage.IN_TRANSIT), ("退货在途", Stage.IN_TRANSIT),
                                         ("待买家退货", Stage.AWAITING_RETURN), ("request", Stage.REQUEST), ("x", None)])
def test_stage_names(name, stage):
    assert stage_of(name) is stage


# ------------------------------------------------------------------------------- durations

@pytest.mark.parametrize("text, expected", [
    ("48h", 48 * HOUR), ("7d", 7 * DAY), ("2d12h", 2 * DAY + 12 * HOUR), ("90m", timedelta(minutes=90)),
    ("7天", 7 * DAY), ("48小时", 48 * HOUR), ("1天12小时", DAY + 12 * HOUR), ("1.5d", 36 * HOUR),
    (" 2 d 3 h ", 2 * DAY + 3 * HOUR), ("３０分钟", timedelta(minutes=30)),
])
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "48", "h", "7d soon", "0h", "-2d", "d7"])
def test_parse_duration_refuses(text):
    with pytest.raises(ValueProblem):
        parse_duration(text)


@given(days=st.integers(0, 60), hours=st.integers(0, 23), minutes=st.integers(0, 59))
def test_parse_duration_round_trip(days, hours, minutes):
    expected = timedelta(days=days, hours=hours, minutes=minutes)
    text = "".join(f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if n)
    if not text:
        return
    assert parse_duration(text) == expected
