"""A line break typed inside a cell (Alt+Enter in Excel, \\r\\n from Windows, U+2028 pasted from a chat)
reaches every message and every table on one line (issue 11, point 1): pasted into QQ, `3 幢 12 楼` on a
line of its own would read as a message of its own; in a table it would split the row."""

from __future__ import annotations

import json
import re

from fake_clipboard import clipboard  # noqa: F401 - the fixture
from freezegun import freeze_time
from sheets import handover_workbook

NIGHT = "2026-11-22 23:40:00+08:00"
BREAKS = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")

TYPED = [
    {"编号": "H1", "登记时间": "2026-11-22 21:00", "平台": "淘宝", "类型": "拦截", "订单号": "3958120345678901234",
     "快递公司": "申通", "快递单号": "773012345678901", "原地址": "浙江省杭州市滨江区江南大道 588 号\n3 幢 12 楼",
     "问题描述": "买家不要了\n"},
    {"编号": "H2", "登记时间": "2026-11-22 21:10", "平台": "淘宝", "类型": "改地址", "订单号": "3958120345678905678",
     "买家": "张\r\n晓梅", "电话": "13812345678", "快递公司": "中通", "快递单号": "78312345678901",
     "原地址": "杭州市西湖区\r\n文三路 100 号", "新地址": "宁波市鄞州区\u2028天童南路 1 号"},
    {"编号": "H3", "登记时间": "2026-11-22 21:20", "平台": "抖音", "类型": "漏发", "订单号": "6938471029384756102",
     "问题描述": "少发一条腰带\n\n  买家很急"},
    {"编号": "H4", "登记时间": "2026-11-22 21:30", "平台": "抖音", "类型": "地址不达", "订单号": "6938471029384756999",
     "买家": "李娜", "电话": "13987654321", "原地址": "西藏阿里地区\r改则县", "问题描述": "问问：\n哪家快递能到"},
]


def workbook(tmp_path):
    return handover_workbook(tmp_path / "handover.xlsx", TYPED)


def assert_one_line_each(text: str) -> None:
    assert not BREAKS.search(text)
    for broken in ("3 幢 12 楼", "文三路 100 号", "天童南路 1 号", "买家很急", "晓梅", "改则县", "哪家快递能到"):
        assert not any(line.strip().startswith(broken) for line in text.splitlines()), f"{broken!r} on a line of its own"


@freeze_time(NIGHT)
def test_courier_message_of_an_address_typed_over_two_lines_keeps_it_on_one(run, tmp_path, clipboard):
    workbook(tmp_path)
    result = run("courier", "--copy", "--sheet", "handover.xlsx")
    assert result.exit_code == 0, result.output
    copied = clipboard.read_text(encoding="utf-8")
    for text in (result.stdout, copied):
        assert_one_line_each(text)
        assert "收件地址：浙江省杭州市滨江区江南大道 588 号 3 幢 12 楼\n" in text
        assert "原地址：杭州市西湖区，文三路 100 号\n新地址：宁波市鄞州区，天童南路 1 号\n" in text
        assert "收件人：张，晓梅，13812345678\n" in text


@freeze_time(NIGHT)
def test_pull_of_cells_typed_over_several_lines_keeps_each_row_and_message_line_whole(run, tmp_path):
    workbook(tmp_path)
    result = run("pull", "--sheet", "handover.xlsx")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert_one_line_each(text)
    row = next(line for line in text.splitlines() if line.lstrip().startswith("H3 "))
    assert row.endswith("少发一条腰带，买家很急")
    assert "1、H3 订单 6938471029384756102（抖音）：少发一条腰带，买家很急" in text  # the warehouse list
    assert "   地址：西藏阿里地区，改则县\n   要问：问问：哪家快递能到\n" in text  # the call list
    call = next(line for line in text.splitlines() if line.lstrip().startswith("H4 "))
    assert call.endswith("问问：哪家快递能到")


@freeze_time(NIGHT)
def test_pull_markdown_of_cells_typed_over_several_lines_keeps_each_table_row_whole(run, tmp_path):
    workbook(tmp_path)
    result = run("pull", "--sheet", "handover.xlsx", "--format", "markdown")
    assert result.exit_code == 0, result.output
    markdown = result.stdout
    assert_one_line_each(markdown)
    tables = re.findall(r"(?:^\|.*\n)+", markdown, re.MULTILINE)
    rows = [line for table in tables for line in table.splitlines() if line.startswith("| H")]
    assert [row.split(" | ")[0] for row in rows] == ["| H3", "| H1", "| H2", "| H4"]
    for table in tables:  # every row has the header's number of cells
        assert len({line.count(" | ") for line in table.splitlines() if "---" not in line}) == 1, table
    assert next(r for r in rows if r.startswith("| H3 ")).endswith("| 少发一条腰带，买家很急 |")


@freeze_time(NIGHT)
def test_pull_json_keeps_the_line_breaks_as_typed(run, tmp_path):
    workbook(tmp_path)
    data = json.loads(run("pull", "--sheet", "handover.xlsx", "--format", "json").stdout)
    items = {item["id"]: item for route in data["routes"] for item in route["items"]}
    assert items["H1"]["old_address"] == "浙江省杭州市滨江区江南大道 588 号\n3 幢 12 楼"
    assert items["H2"]["new_address"] == "宁波市鄞州区\u2028天童南路 1 号"
    # The messages inside are the text that is pasted: one line per field.
    assert "宁波市鄞州区，天童南路 1 号" in data["messages"]["couriers"][1]["text"]
