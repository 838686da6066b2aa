"""`handover summary` as the owner runs it: an item cancelled the next day, a past day with pre-sale
orders configured, an order export that could not be read, a day that has not come yet."""

from __future__ import annotations

import pytest
from freezegun import freeze_time
from sheets import HEADER, handover_workbook

NOW = "2026-12-03 15:36:00+08:00"
STATUS_HEADER = [*HEADER, "处理时间"]


@pytest.fixture
def late_cancel(tmp_path):
    """Logged on the 2nd and cancelled on the 3rd at 10:00; one left open; one logged and done on the 3rd."""
    rows = [
        {"编号": "H20261202-001", "登记时间": "2026-12-02 09:00", "平台": "淘宝", "类型": "催发货",
         "订单号": "3958000000000000101", "状态": "已取消", "处理时间": "2026-12-03 10:00"},
        {"编号": "H20261202-002", "登记时间": "2026-12-02 11:00", "平台": "淘宝", "类型": "漏发",
         "订单号": "3958000000000000102", "状态": "待处理"},
        {"编号": "H20261203-001", "登记时间": "2026-12-03 09:00", "平台": "淘宝", "类型": "改地址",
         "订单号": "3958000000000000103", "状态": "已完成", "处理时间": "2026-12-03 11:00"},
    ]
    handover_workbook(tmp_path / "handover.xlsx", rows, header=STATUS_HEADER)
    (tmp_path / "handover.toml").write_text('sheet = "handover.xlsx"\n', encoding="utf-8")
    return tmp_path


@freeze_time(NOW)
def test_summary_of_the_day_before_a_late_cancellation_lists_it_as_open_with_when_it_was_cancelled(run, late_cancel):
    text = run("summary", "--date", "2026-12-02").stdout
    assert text.splitlines()[1] == "当天新登记 2 件，处理 0 件（完成 0，取消 0）。截至当天结束，还有 2 件没处理完。"
    assert "1、H20261202-001 催发货 · 12月3日才取消 · " in text
    for fmt in ("markdown", "html"):
        page = run("summary", "--date", "2026-12-02", "--format", fmt).stdout
        assert "12月3日才取消" in page and "已取消" not in page


@freeze_time(NOW)
def test_summary_of_the_day_of_a_late_cancellation_counts_it_handled_once(run, late_cancel):
    text = run("summary").stdout
    assert text.splitlines()[1:3] == [
        "今天新登记 1 件，处理 2 件（完成 1，取消 1）。截至 12月3日 15:36，还有 1 件没处理完，其中 1 件是之前留下的。",
        "之前留下 2 件，今天处理了 1 件。",
    ]
    assert "H20261202-001" not in text

