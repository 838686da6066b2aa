"""Deadlines from the ledger: what the morning list shows, in which order, with which marks; JSON and the
rendered text and markdown (golden files)."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from handover.backends.xlsx import XlsxBackend
from handover.deadlines import (
    ACT_NOW,
    MISSED,
    UPCOMING,
    deadline_report,
    upcoming_deadlines,
)
from handover.model.config import parse_config
from handover.model.returns_tab import ReturnItem, parse_returns
from handover.model.schema import TABS, RefundStatus, ShippingPayer
from handover.model.values import duration_text
from handover.render.deadline_views import deadlines_json
from handover.render.views import render_deadlines

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=TZ)  # a Sunday
DATA = Path(__file__).resolve().parent / "data" / "returns"
HOUR, DAY, SECOND = timedelta(hours=1), timedelta(days=1), timedelta(seconds=1)
SUNDAY_REST = parse_config({"calendar": {"weekly_rest": ["周日"]}})
PLAIN = parse_config({})


@pytest.fixture(scope="module")
def ledger() -> list[ReturnItem]:
    grid = XlsxBackend(DATA / "ledger.xlsx").read([TABS["returns"]])[TABS["returns"]]
    return parse_returns(grid, TZ, now=NOW).items


def douyin_in_transit(waybill: datetime, **extra) -> ReturnItem:
    return ReturnItem(row=2, id="R1", platform="douyin", order_id="4001", return_tracking_no="73100012345678",
                      waybill_at=waybill, **extra)


# ---------------------------------------------------------------------------- the morning list

def test_missed_first_then_act_now_then_soonest(ledger):
    report = deadline_report(ledger, SUNDAY_REST, NOW)
    assert [(d.item.row, d.state) for d in report.deadlines] == [
        (5, MISSED),  # Tmall: the buyer's 7 days ran out at 08:00
        (7, ACT_NOW),  # Kuaishou request: its 48 h end at 14:00 today, a rest day: act by Saturday 18:00
        (2, ACT_NOW),  # Douyin zero 20:00 today, a rest day: act by Saturday 18:00
        (4, ACT_NOW),  # Taobao: past the "about 5 days left" point, zero on Tuesday
        (16, UPCOMING),  # Douyin signed: the waybill clock ends Monday 09:00
        (3, UPCOMING),  # Pinduoduo request: Monday 10:30
        (17, UPCOMING),  # Pinduoduo: the platform's own 超时时间, Monday 18:00
    ]
    assert (report.count(MISSED), report.count(ACT_NOW), report.count(UPCOMING)) == (1, 3, 3)


def test_rows_that_cannot_be_timed_are_listed_with_the_reason(ledger):
    report = deadline_report(ledger, SUNDAY_REST, NOW)
    assert [(u.item.row, u.reason, u.column) for u in report.untimed] == [
        (8, "bad_time", "申请时间"), (9, "bad_time", "同意时间"), (10, "bad_time", "填单时间"),
        (11, "bad_time", "签收时间"), (13, "bad_time", "签收时间"), (15, "no_platform", "平台"),
    ]


def test_closed_returns_show_nothing():
    refunded = douyin_in_transit(NOW - DAY, refund_status=RefundStatus.REFUNDED)
    report = deadline_report([refunded], PLAIN, NOW)
    assert report.deadlines == [] and report.untimed == []


def test_a_return_in_a_stage_no_rule_covers_is_listed_as_untimed_never_dropped():
    """A JD return on its way back: no source gives JD's time to confirm receipt, so no countdown, and the
    morning list says so with the table to add the rule to (it used to vanish from the list)."""
    jd = ReturnItem(row=3, id="R3", platform="jd", order_id="123456789012", waybill_at=NOW - DAY)
    waiting = ReturnItem(row=4, id="R4", platform="douyin", order_id="2", approved_at=NOW - HOUR)  # nor for Douyin's
    report = deadline_report([jd, waiting], PLAIN, NOW)
    assert report.deadlines == []
    assert [(u.item.row, u.reason, u.stage.value) for u in report.untimed] == [
        (3, "no_stage_rule", "in_transit"), (4, "no_stage_rule", "awaiting_return")]
    text = render_deadlines(report)
    assert ("第 3 行  R3  订单 123456789012：京东「退货在途」这一步没有内置时限（没找到平台规则的出处）：请按京东规则中心，"
            "在 handover.toml 的 [timers.jd.in_transit] 里写上 length 和 at_zero；这一步不计时就写 enabled = false") in text


def test_a_stage_the_shop_switched_off_shows_nothing():
    config = parse_config({"timers": {"douyin": {"awaiting_return": {"enabled": False}}}})
    waiting = ReturnItem(row=3, platform="douyin", order_id="2", approved_at=NOW - HOUR)
    report = deadline_report([waiting], config, NOW)
    assert report.deadlines == [] and report.untimed == []


def test_a_platform_without_any_rule_is_listed_as_untimed(monkeypatch):
    from handover.timers import DEFAULT_TIMERS

    monkeypatch.setitem(DEFAULT_TIMERS, "jd", {})
    item = ReturnItem(row=3, id="R3", platform="jd", order_id="123456789012", requested_at=NOW - HOUR)
    report = deadline_report([item], PLAIN, NOW)
    assert [(u.reason, u.stage.value) for u in report.untimed] == [("no_rules", "request")]
    assert "京东没有内置退货时限：请按京东规则中心，在 handover.toml 的 [timers.jd.阶段] 里配置" in render_deadlines(report)


def test_a_timer_missed_long_ago_is_still_shown():
    item = douyin_in_transit(NOW - 40 * DAY)
    [deadline] = upcoming_deadlines([item], PLAIN, NOW)
    assert deadline.state == MISSED and deadline.ends_at == NOW - 33 * DAY


@pytest.mark.parametrize("offset, shown", [(-SECOND, True), (timedelta(0), True), (SECOND, False)])
def test_horizon_boundary(offset, shown):
    # Zero (= act-by for Douyin in transit) lands exactly 48 h + offset from now.
    item = douyin_in_transit(NOW + 48 * HOUR + offset - 7 * DAY)
    assert bool(upcoming_deadlines([item], PLAIN, NOW)) is shown


def test_horizon_from_the_call_and_from_config():
    item = douyin_in_transit(NOW + 60 * HOUR - 7 * DAY)
    assert upcoming_deadlines([item], PLAIN, NOW) == []
    assert len(upcoming_deadlines([item], PLAIN, NOW, horizon=72 * HOUR)) == 1
    assert len(upcoming_deadlines([item], parse_config({"timers": {"horizon": "3d"}}), NOW)) == 1


def test_now_defaults_to_the_clock_and_naive_means_shop_time():
    item = douyin_in_transit(NOW - 7 * DAY + HOUR)
    with freeze_time(NOW):
        assert upcoming_deadlines([item], PLAIN)[0].state == UPCOMING
    assert upcoming_deadlines([item], PLAIN, NOW.replace(tzinfo=None) + 2 * HOUR)[0].state == MISSED


def test_platform_deadline_beats_the_computed_one(ledger):
    [deadline] = [d for d in upcoming_deadlines(ledger, PLAIN, NOW) if d.item.row == 17]
    assert deadline.from_platform
    assert deadline.ends_at == datetime(2026, 11, 23, 18, 0, tzinfo=TZ)  # not waybill + 7 days (11-26 18:00)


def test_platform_time_is_marked_and_the_rules_time_shown_beside_it_when_they_differ(ledger):
    report = deadline_report(ledger, PLAIN, NOW)
    [deadline] = [d for d in report.deadlines if d.item.row == 17]
    assert deadline.computed_ends == datetime(2026, 11, 26, 18, 0, tzinfo=TZ)  # waybill + 7 days
    [entry] = [d for d in deadlines_json(report)["deadlines"] if d["row"] == 17]
    assert (entry["ends_at"], entry["from_platform"], entry["computed_ends_at"]) == (
        "2026-11-23T18:00:00+08:00", True, "2026-11-26T18:00:00+08:00")
    text = render_deadlines(report)
    assert "11-23 周一 18:00 到点自动退款（平台时间）  剩 1 天 9 小时" in text
    assert "      说明：按规则算是 11-26 周四 18:00，相差 3 天，以平台时间为准\n" in text


@pytest.mark.parametrize("off_by, both", [(HOUR, False), (HOUR + timedelta(minutes=1), True), (-2 * HOUR, True)])
def test_platform_time_within_an_hour_of_the_rules_time_is_shown_alone(off_by, both):
    item = douyin_in_transit(NOW - 6 * DAY, platform_deadline=NOW + DAY + off_by)  # the rule says NOW + 1 day
    report = deadline_report([item], PLAIN, NOW)
    [deadline] = report.deadlines
    assert deadline.from_platform and deadline.ends_at == NOW + DAY + off_by
    assert (deadline.computed_ends == NOW + DAY) is both and (deadline.computed_ends is None) is not both
    text = render_deadlines(report)
    assert "到点自动退款（平台时间）" in text and ("按规则算是 11-23 周一 09:00" in text) is both


def test_platform_deadline_from_an_earlier_stage_is_ignored():
    item = douyin_in_transit(NOW - 6 * DAY, platform_deadline=NOW - 6 * DAY - HOUR)  # left over from the request
    [deadline] = upcoming_deadlines([item], PLAIN, NOW)
    assert not deadline.from_platform and deadline.stale_platform_deadline
    assert deadline.ends_at == NOW + DAY
    assert "「超时时间」是上一阶段的，已按规则重新计算" in render_deadlines(deadline_report([item], PLAIN, NOW))


def test_platform_deadline_counts_even_without_the_stage_time():
    item = ReturnItem(row=2, platform="taobao", order_id="1", refund_status=RefundStatus.IN_TRANSIT,
                      platform_deadline=NOW + 6 * DAY)
    [deadline] = upcoming_deadlines([item], PLAIN, NOW)
    # The Taobao rule still wants action with 5 days left.
    assert (deadline.state, deadline.act_by, deadline.started_at) == (UPCOMING, NOW + DAY, None)


def test_status_without_the_time_it_needs_is_untimed():
    item = ReturnItem(row=2, platform="douyin", order_id="1", refund_status=RefundStatus.IN_TRANSIT)
    report = deadline_report([item], PLAIN, NOW)
    assert [(u.reason, u.column, u.stage.value) for u in report.untimed] == [("no_start", "填单时间", "in_transit")]
    assert "处于「退货在途」，要从「填单时间」开始计时，这一格为空或有误" in render_deadlines(report)


# ------------------------------------------------------------------------------ shop calendar

def test_deadline_on_a_day_off_is_pulled_forward_and_marked():
    config = parse_config({"calendar": {"days_off": ["2026-11-24"]}})
    item = douyin_in_transit(datetime(2026, 11, 17, 15, 0, tzinfo=TZ))  # zero Tuesday 11-24 15:00
    [deadline] = upcoming_deadlines([item], config, NOW)
    assert deadline.act_by == datetime(2026, 11, 23, 18, 0, tzinfo=TZ)
    assert deadline.pulled_from == datetime(2026, 11, 24, 15, 0, tzinfo=TZ)
    assert deadline.ends_at == datetime(2026, 11, 24, 15, 0, tzinfo=TZ)  # the platform does not wait
    assert deadline.closure == "店休日"
    text = render_deadlines(deadline_report([item], config, NOW))
    assert "11-23 周一 18:00 前要处理（延长收货）  剩 1 天 9 小时" in text
    assert "说明：原定处理的那天仓库不上班（店休日），已提前到上一个工作日" in text
    data = deadlines_json(deadline_report([item], config, NOW))["deadlines"][0]
    assert (data["pulled_forward"], data["pulled_from"], data["closed_reason"]) == (
        True, "2026-11-24T15:00:00+08:00", "店休日")


def test_a_holiday_brings_a_later_deadline_into_the_horizon():
    # Zero in 4 days, inside a 3-day break: the warehouse's last working day is tomorrow.
    config = parse_config({"calendar": {"days_off": ["2026-11-24..2026-11-26"], "closes_at": "17:00"}})
    item = douyin_in_transit(NOW + 4 * DAY - 7 * DAY)
    assert upcoming_deadlines([item], PLAIN, NOW) == []
    [deadline] = upcoming_deadlines([item], config, NOW)
    assert deadline.act_by == datetime(2026, 11, 23, 17, 0, tzinfo=TZ) and deadline.state == UPCOMING


def test_public_holiday_data_missing_for_a_year_is_reported():
    config = parse_config({"calendar": {"public_holidays": True}})
    later = datetime(2099, 3, 1, 9, 0, tzinfo=TZ)
    item = douyin_in_transit(later - 6 * DAY)
    report = deadline_report([item], config, later)
    assert report.unknown_years == [2099]
    assert "节假日数据里还没有 2099 年" in render_deadlines(report)
    assert deadlines_json(report)["holiday_data_missing_years"] == [2099]


# ------------------------------------------------------------------------------------- output

def test_json_is_stable_and_iso(ledger):
    data = deadlines_json(deadline_report(ledger, SUNDAY_REST, NOW))
    json.dumps(data)  # plain JSON types only
    assert data["generated_at"] == "2026-11-22T09:00:00+08:00" and data["horizon_hours"] == 48
    assert data["counts"] == {"missed": 1, "act_now": 3, "upcoming": 3}
    first = data["deadlines"][0]
    assert first == {
        "id": "R20261114-001", "row": 5, "order_id": "3961234567890123456", "platform": "tmall", "buyer": "陈女士",
        "return_tracking_no": "", "stage": "awaiting_return", "state": "missed",
        "started_at": "2026-11-15T08:00:00+08:00", "ends_at": "2026-11-22T08:00:00+08:00",
        "act_by": "2026-11-21T18:00:00+08:00", "seconds_left": -15 * 3600, "seconds_to_zero": -3600,
        "deadline": "ends_at", "deadline_at": "2026-11-22T08:00:00+08:00", "seconds_to_deadline": -3600,
        "at_zero": "request_closed", "actions": ["remind_buyer"], "extend_from": None, "extend_by_hours": None,
        "extended": False, "from_platform": False, "computed_ends_at": None, "pulled_forward": True, "pulled_from": "2026-11-22T08:00:00+08:00",
        "closed_reason": "每周休息日", "row_has_errors": False, "rule_source": first["rule_source"],
    }
    assert "seed 004" in first["rule_source"]
    douyin = next(d for d in data["deadlines"] if d["row"] == 2)
    assert douyin["actions"] == ["check_logistics", "extend"] and douyin["extend_by_hours"] == 168
    assert data["untimed"][0] == {"id": "R20261121-002", "row": 8, "order_id": "4001000000000000008", "platform": "douyin",
                                  "stage": None, "reason": "bad_time", "column": "申请时间"}


@pytest.mark.parametrize("delta, text", [
    (5 * HOUR + 20 * timedelta(minutes=1), "5 小时 20 分"), (5 * HOUR + 20 * timedelta(minutes=1) + 59 * SECOND, "5 小时 20 分"),
    (2 * DAY + 3 * HOUR + 59 * timedelta(minutes=1), "2 天 3 小时"), (DAY, "1 天"), (3 * HOUR, "3 小时"),
    (45 * timedelta(minutes=1), "45 分"), (30 * SECOND, "不到 1 分"), (-(3 * HOUR + 5 * timedelta(minutes=1)), "3 小时 5 分"),
])
def test_time_left_is_rounded_down(delta, text):
    assert duration_text(delta) == text


def test_time_left_in_the_list():
    item = douyin_in_transit(NOW + 5 * HOUR + 20 * timedelta(minutes=1) - 7 * DAY)
    text = render_deadlines(deadline_report([item], PLAIN, NOW))
    assert "剩 5 小时 20 分" in text


def test_extension_wording_before_day_five_and_after_extending():
    early = douyin_in_transit(NOW - 4 * DAY - 23 * HOUR)  # zero in 2 days 1 hour: widen the horizon
    text = render_deadlines(deadline_report([early], PLAIN, NOW, horizon=3 * DAY))
    assert "还没签收就延长收货 7 天（只能延长一次，11-22 周日 10:00 起可用）" in text
    extended = douyin_in_transit(NOW - 13 * DAY, extended_at=NOW - 7 * DAY)
    text = render_deadlines(deadline_report([extended], PLAIN, NOW))
    assert "已延长收货" in text and "延长收货 7 天" not in text


def test_taobao_extension_of_unknown_length_asks_for_the_platform_deadline():
    item = ReturnItem(row=2, platform="taobao", order_id="1", waybill_at=NOW - 8 * DAY, extended_at=NOW - 3 * DAY)
    text = render_deadlines(deadline_report([item], PLAIN, NOW))
    assert "已延长收货但不知道延长了多久，请把平台显示的新超时时间填进「超时时间」" in text


def test_insured_return_reminder():
    item = ReturnItem(row=2, platform="taobao", order_id="1", approved_at=NOW - 6 * DAY,
                      shipping_paid_by=ShippingPayer.INSURANCE)
    text = render_deadlines(deadline_report([item], PLAIN, NOW))
    assert "提醒买家填写退货单号（买了运费险，不填单号退不了款，到时申请会自动关闭）" in text


def test_nothing_due():
    text = render_deadlines(deadline_report([], PLAIN, NOW))
    assert text == "退货倒计时　2026-11-22 09:00　未来 48 小时\n没有要到点的退货倒计时。\n"


@pytest.mark.parametrize("fmt, golden", [("text", "deadlines.txt"), ("markdown", "deadlines.md")])
def test_rendered_list_matches_the_golden_file(ledger, fmt, golden):
    rendered = render_deadlines(deadline_report(ledger, SUNDAY_REST, NOW), fmt)
    path = DATA / golden
    if os.environ.get("HANDOVER_UPDATE_GOLDEN"):
        path.write_text(rendered, encoding="utf-8")
    assert rendered == path.read_text(encoding="utf-8")


def test_text_columns_line_up(ledger):
    from handover.model.returns_tab import STAGE_LABELS
    from handover.textwidth import display_width

    report = deadline_report(ledger, SUNDAY_REST, NOW)
    lines = render_deadlines(report).splitlines()
    header = next(line for line in lines if "编号" in line and "阶段" in line)
    for deadline in report.deadlines:
        [line] = [line for line in lines if (deadline.item.id in line and "】" in line) or line.strip().startswith(deadline.item.id)]
        for cell, heading in ((deadline.item.id, "编号"), (STAGE_LABELS[deadline.stage], "阶段")):
            assert display_width(line[: line.index(cell)]) == display_width(header[: header.index(heading)]), line


def test_a_line_break_typed_into_a_returns_id_keeps_the_list_on_its_lines():
    """Alt+Enter inside 编号: the row stays one line, its columns under their headings (the one rule of
    render.environment, applied before the columns are measured)."""
    from handover.textwidth import display_width

    from dataclasses import replace

    typed = replace(douyin_in_transit(NOW - 6 * DAY), id="R20261121-001\n退货")
    other = replace(douyin_in_transit(NOW - 6 * DAY + HOUR), id="R20261121-002", row=3)
    for fmt in ("text", "markdown"):
        text = render_deadlines(deadline_report([typed, other], PLAIN, NOW), fmt)
        assert "R20261121-001 退货" in text and "R20261121-001\n" not in text
    lines = render_deadlines(deadline_report([typed, other], PLAIN, NOW)).splitlines()
    header = next(line for line in lines if "编号" in line and "期限" in line)
    for line in (line for line in lines if "R20261121-00" in line):
        assert display_width(line[: line.index("退货在途")]) == display_width(header[: header.index("阶段")]), line
