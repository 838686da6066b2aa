"""The same order logged again and again (the buyer asked five times, five rows): `check` fails until the
team keeps one row, and every message lists the order once, saying how often it was logged (issue 10,
point 5)."""

from __future__ import annotations

import json

from freezegun import freeze_time
from sheets import handover_workbook

NIGHT = "2026-11-22 23:40:00+08:00"
ORDER = "3958120345678901234"


def missing_item(row_id: str, time: str, **more) -> dict:
    return {"编号": row_id, "登记时间": f"2026-11-22 {time}", "平台": "淘宝", "类型": "漏发", "订单号": ORDER, **more}


FIVE_TIMES = [missing_item(f"H{n}", f"21:{n}0", 问题描述="少了腰带") for n in range(1, 6)]


@freeze_time(NIGHT)
def test_the_same_order_logged_five_times_for_missing_item_fails_check_naming_the_row_kept(run, tmp_path):
    handover_workbook(tmp_path / "handover.xlsx", FIVE_TIMES)
    result = run("check", "--sheet", "handover.xlsx", "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert [(p["row"], p["column"], p["severity"]) for p in problems] == [(row, "订单号", "error") for row in (3, 4, 5, 6)]
    assert problems[0]["message"] == (f"订单 {ORDER} 的漏发第 2 行已经登记过：重复的这一行请改成「已取消」，"
                                      "要补充的写进第 2 行")


@freeze_time(NIGHT)
def test_pull_lists_an_order_logged_five_times_once_in_the_warehouse_message(run, tmp_path):
    handover_workbook(tmp_path / "handover.xlsx", FIVE_TIMES)
    result = run("pull", "--sheet", "handover.xlsx")
    assert result.exit_code == 0
    warehouse = result.stdout.split("■ 发给仓库")[1].split("■ 要打电话的买家")[0]
    assert warehouse.count(ORDER) == 1
    assert f"1、H1 订单 {ORDER}（淘宝）：少了腰带（登记了 5 次）" in warehouse
    assert "以下几条信息不全" not in warehouse  # the repeats are not "incomplete": they are the same issue
    # The task list shows it once too; the four repeats are rows to fix.
    assert "待处理 1 项，另有 4 行要先修正" in result.stdout


@freeze_time(NIGHT)
def test_an_intercept_logged_twice_is_one_request_to_the_courier(run, tmp_path):
    intercept = {"平台": "淘宝", "类型": "拦截", "订单号": ORDER, "快递公司": "申通", "快递单号": "773012345678901",
                 "原地址": "杭州市西湖区文三路 1 号", "新地址": "宁波仓库"}
    handover_workbook(tmp_path / "handover.xlsx", [{"编号": "H1", "登记时间": "2026-11-22 21:00", **intercept},
                                                   {"编号": "H2", "登记时间": "2026-11-22 22:00", **intercept}])
    result = run("courier", "--sheet", "handover.xlsx")
    assert result.exit_code == 0
    assert result.stdout.count("773012345678901") == 1
    assert "1、拦截退回（登记了 2 次）" in result.stdout


@freeze_time(NIGHT)
def test_a_buyer_to_call_logged_twice_is_called_once(run, tmp_path):
    size = {"平台": "抖音", "类型": "尺码确认", "订单号": "6938471029384756102", "买家": "小鹿", "电话": "13812345678"}
    handover_workbook(tmp_path / "handover.xlsx", [{"编号": "H1", "登记时间": "2026-11-22 21:00", **size},
                                                   {"编号": "H2", "登记时间": "2026-11-22 22:00", **size}])
    calls = run("pull", "--sheet", "handover.xlsx").stdout.split("■ 要打电话的买家")[1]
    assert calls.count("13812345678") == 1 and "（登记了 2 次）" in calls


@freeze_time(NIGHT)
def test_the_same_order_under_another_category_or_already_done_is_not_a_repeat(run, tmp_path):
    handover_workbook(tmp_path / "handover.xlsx", [
        missing_item("H1", "21:00"),
        missing_item("H2", "21:30", 类型="催发货"),
        missing_item("H3", "22:00", 状态="已完成"),
        missing_item("H4", "22:30", 状态="已取消"),
    ])
    result = run("check", "--sheet", "handover.xlsx")
    assert (result.exit_code, result.stdout) == (0, "检查了 4 行，没有发现问题。\n")
