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


# ------------------------------------------------------------------------------------ pre-sale orders

PRESALE = """订单编号,订单状态,宝贝标题,买家实际支付金额,订单付款时间
3958000000000000201,买家已付款，等待卖家发货,【预售】羊毛大衣,199.00,2026-11-10 10:00
"""


@pytest.fixture
def presale(late_cancel):
    """The shop of `late_cancel` with `[compensation] orders = ["exports/*.csv"]` and one 淘宝 pre-sale
    order paid on 11-10 (promised for 11-25 10:00), not shipped."""
    (late_cancel / "exports").mkdir()
    (late_cancel / "exports" / "orders.csv").write_text(PRESALE, encoding="utf-8")
    (late_cancel / "handover.toml").write_text('sheet = "handover.xlsx"\n\n[compensation]\norders = ["exports/*.csv"]\n',
                                               encoding="utf-8")
    return late_cancel


TODAY_ONLY = "预售订单的超时提醒只在今天的日报里有：订单导出文件是订单现在的样子，看不出当天的情况。"


@freeze_time(NOW)
@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_summary_of_a_past_day_leaves_out_todays_pre_sale_orders_and_says_why(run, presale, fmt):
    result = run("summary", "--date", "2026-11-20", "--format", fmt)
    assert result.exit_code == 0, result.output
    page = result.stdout
    assert "3958000000000000201" not in page and "超时" not in page.replace("超时提醒", "")
    assert "目前没有快到期要赔付的订单" not in page
    assert TODAY_ONLY in page


@freeze_time(NOW)
def test_summary_of_today_still_lists_the_pre_sale_orders(run, presale):
    text = run("summary").stdout
    assert "预售已过承诺发货时间、还没发货 1 单，可能要赔 ¥59.70；超时最久的是订单 3958000000000000201，超时 8 天 5 小时。" in text
    assert TODAY_ONLY not in text


MISSING = "没有找到订单导出文件 {}：预售超时提醒需要它（handover.toml 的 [compensation] orders）"


@freeze_time(NOW)
def test_summary_with_orders_that_do_not_exist_says_so_instead_of_all_clear(run, late_cancel):
    result = run("summary", "--orders", "/tmp/nonexist.csv")
    assert result.exit_code == 0, result.output
    assert "目前没有快到期要赔付的订单" not in result.stdout
    assert result.stdout.endswith("\n■ 赔付\n" + MISSING.format("/tmp/nonexist.csv") + "\n")


@freeze_time(NOW)
@pytest.mark.parametrize("fmt, says", [
    ("text", MISSING.format("exports/*.csv")),
    ("markdown", "没有找到订单导出文件 `exports/*.csv`：预售超时提醒需要它（handover.toml 的 `[compensation] orders`）。"),
    ("html", "<p>" + MISSING.format("exports/*.csv") + "。</p>"),
])
def test_summary_with_a_configured_glob_matching_nothing_says_so_in_every_format(run, late_cancel, fmt, says):
    (late_cancel / "handover.toml").write_text('sheet = "handover.xlsx"\n\n[compensation]\norders = ["exports/*.csv"]\n',
                                               encoding="utf-8")
    page = run("summary", "--format", fmt).stdout
    assert says in page and "目前没有快到期要赔付的订单" not in page


@freeze_time(NOW)
def test_summary_with_an_unreadable_order_export_names_it_instead_of_all_clear(run, late_cancel):
    (late_cancel / "broken.csv").write_text("日期,金额\n2026-11-01,1\n", encoding="utf-8")
    text = run("summary", "--orders", "broken.csv").stdout
    assert "目前没有快到期要赔付的订单" not in text
    assert "\n读不了订单导出文件：" in text and "broken.csv：表头里找不到订单号列" in text


@freeze_time(NOW)
def test_summary_with_one_export_missing_lists_what_the_others_say_and_names_the_missing_one(run, presale):
    text = run("summary", "--orders", "exports/orders.csv", "--orders", "exports/淘宝-12月.csv").stdout
    assert "超时最久的是订单 3958000000000000201" in text
    assert MISSING.format("exports/淘宝-12月.csv") in text


# ------------------------------------------------------------------------------------------ the date

@freeze_time(NOW)
def test_summary_of_a_day_that_has_not_come_is_refused(run, late_cancel):
    result = run("summary", "--date", "2026-12-10")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: 2026年12月10日还没到（今天是 2026年12月3日）：--date 请写今天或之前的日子。\n"
