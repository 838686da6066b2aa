from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from handover.model.handover_tab import parse_handover
from handover.model.schema import Route
from handover.render.views import note
from handover.sheet import Grid
from handover.tasks import build_task_list, carry_over_cutoff

TZ = ZoneInfo("Asia/Shanghai")
HEADER = ["编号", "类型", "订单号", "登记时间", "状态", "处理人", "买家"]


def tasks_at(now, rows):
    table = parse_handover(Grid("交接", HEADER, rows), TZ, now=now)
    return build_task_list(table, now=now, morning_starts=time(9, 0), sheet="s.xlsx")


@pytest.mark.parametrize("now, cutoff", [
    (datetime(2026, 11, 23, 8, 30, tzinfo=TZ), datetime(2026, 11, 22, 9, 0, tzinfo=TZ)),
    (datetime(2026, 11, 23, 9, 30, tzinfo=TZ), datetime(2026, 11, 22, 9, 0, tzinfo=TZ)),
    (datetime(2026, 11, 23, 23, 59, tzinfo=TZ), datetime(2026, 11, 22, 9, 0, tzinfo=TZ)),
    (datetime(2026, 11, 24, 0, 0, tzinfo=TZ), datetime(2026, 11, 23, 9, 0, tzinfo=TZ)),
])
def test_carried_over_means_logged_before_yesterdays_shift_change(now, cutoff):
    assert carry_over_cutoff(now, time(9, 0)) == cutoff


@pytest.mark.parametrize("logged, carried", [
    ("2026-11-22 08:59:59", True), ("2026-11-22 09:00:00", False), ("2026-11-22 23:40", False),
])
def test_carry_over_boundary_to_the_second(logged, carried):
    result = tasks_at(datetime(2026, 11, 23, 9, 5, tzinfo=TZ), [["H1", "漏发", "1", logged, "", "", ""]])
    assert result.groups[0].tasks[0].carried_over is carried


def test_routes_in_order_oldest_first_unknown_time_last_closed_left_out():
    rows = [
        ["H1", "催货", "1", "2026-11-22 23:00", "", "", ""],
        ["H2", "尺码确认", "2", "2026-11-22 20:00", "", "", "老周"],
        ["H3", "漏发", "3", "", "", "", ""],
        ["H4", "漏发", "4", "2026-11-22 19:00", "处理中", "阿杰", ""],
        ["H5", "漏发", "5", "2026-11-21 19:00", "已完成", "", ""],
        ["H6", "查重量", "", "2026-11-22 19:00", "", "", ""],
    ]
    result = tasks_at(datetime(2026, 11, 23, 9, 5, tzinfo=TZ), rows)
    assert [(g.route, [t.item.id for t in g.tasks]) for g in result.groups] == [
        (Route.WAREHOUSE, ["H4", "H1", "H3"]), (Route.CUSTOMER, ["H2"])]
    assert [(p.id, p.column) for p in result.problems] == [("H6", "快递单号")]
    assert note(result.groups[0].tasks[0]) == "[处理中（阿杰）]"


def test_an_unknown_status_keeps_the_row_visible_as_a_problem():
    result = tasks_at(datetime(2026, 11, 23, 9, 5, tzinfo=TZ), [["H1", "漏发", "1", "", "搞定了", "", ""]])
    assert result.groups == [] and [p.column for p in result.problems] == ["状态"]
