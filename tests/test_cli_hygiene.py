"""Text typed into a cell reaches the terminal, a markdown file and a pasted message without control
characters or live html (issue 10, point 6)."""

from __future__ import annotations

import json
import re

from fake_clipboard import clipboard  # noqa: F401 - the fixture
from freezegun import freeze_time
from sheets import handover_workbook

NIGHT = "2026-11-22 23:40:00+08:00"
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# What a prankster (or a paste from a coloured terminal) leaves in the sheet.
HOSTILE = [
    {"编号": "H1", "登记时间": "2026-11-22 21:00", "平台": "淘宝", "类型": "漏发", "订单号": "3958120345678901234",
     "问题描述": "\x1b[2J\x1b]0;已退款\x07少发一件<script>alert(1)</script>|赠品"},
    {"编号": "H2", "登记时间": "2026-11-22 21:10", "平台": "淘宝", "类型": "拦截", "订单号": "3958120345678905678",
     "快递公司": "申通", "快递单号": "773012345678901", "原地址": "杭州市\x1b[31m西湖区\x1b[0m文三路 1 号",
     "新地址": "宁波仓库 <b>退回</b>", "问题描述": "拍错颜色"},
    {"编号": "H3", "登记时间": "2026-11-22 21:20", "平台": "抖音", "类型": "尺码确认", "订单号": "6938471029384756102",
     "买家": "小\x1b[5m鹿\x07|乱撞", "电话": "13812345678", "问题描述": "没选尺码"},
]


@freeze_time(NIGHT)
def test_pull_of_a_cell_with_escape_sequences_prints_only_its_text(run, tmp_path):
    handover_workbook(tmp_path / "handover.xlsx", HOSTILE)
    result = run("pull", "--sheet", "handover.xlsx")
    assert result.exit_code == 0, result.output
    assert not CONTROLS.search(result.stdout)
    assert "少发一件<script>alert(1)</script>|赠品" in result.stdout  # plain text shows what was typed
    assert "杭州市西湖区文三路 1 号" in result.stdout and "小鹿|乱撞" in result.stdout


@freeze_time(NIGHT)
def test_pull_markdown_of_html_and_pipes_typed_into_cells_keeps_them_text(run, tmp_path):
    handover_workbook(tmp_path / "handover.xlsx", HOSTILE)
    result = run("pull", "--sheet", "handover.xlsx", "--format", "markdown")
    assert result.exit_code == 0, result.output
    markdown = result.stdout
    assert not CONTROLS.search(markdown)
    row = next(line for line in markdown.splitlines() if line.startswith("| H1 "))
    assert "少发一件&lt;script&gt;alert(1)&lt;/script&gt;\\|赠品" in row
    assert row.count(" | ") == 6  # seven cells, none split by the typed |
    buyer_row = next(line for line in markdown.splitlines() if line.startswith("| H3 "))
    assert "小鹿\\|乱撞" in buyer_row
    # The messages to paste sit in code blocks: shown exactly as typed, minus the control characters.
    assert "退回地址：宁波仓库 <b>退回</b>" in markdown
    assert "<script>" not in markdown.split("## 发给快递公司")[0]


@freeze_time(NIGHT)
def test_pull_json_keeps_the_cell_as_typed_escaped_as_json(run, tmp_path):
    handover_workbook(tmp_path / "handover.xlsx", HOSTILE)
    result = run("pull", "--sheet", "handover.xlsx", "--format", "json")
    assert "\x1b" not in result.stdout and "\\u001b" in result.stdout
    data = json.loads(result.stdout)
    assert data["routes"][0]["items"][0]["detail"].startswith("\x1b[2J")
    assert "\x1b" not in data["messages"]["warehouse"]["text"]  # rendered text is clean even inside JSON


@freeze_time(NIGHT)
def test_pull_and_check_json_of_cells_holding_del_c1_or_bidi_characters_print_none_of_them_raw(run, tmp_path):
    """DEL, the 8-bit controls (a C1 CSI starts a terminal command as ESC [ does) and bidi overrides pass
    through json.dumps as they are: JSON escapes them like ESC, and a script still reads what was typed."""
    typed = "少发\x7f一件\x9b2J\x85赠品\u202e品赠"
    rows = [{"编号": "H1", "登记时间": "2026-11-22 21:00", "平台": "淘宝", "类型": "漏发", "订单号": "3958120345678901234",
             "问题描述": typed},
            {"编号": "H2", "登记时间": "2026-11-22 21:10", "平台": "淘宝", "类型": "漏发", "订单号": "\x9b3958"}]
    handover_workbook(tmp_path / "handover.xlsx", rows)
    pull = run("pull", "--sheet", "handover.xlsx", "--format", "json").stdout
    check = run("check", "--sheet", "handover.xlsx", "--format", "json").stdout
    for output in (pull, check):
        assert not CONTROLS.search(output) and "\u202e" not in output
    assert "\\u007f" in pull and "\\u009b" in pull and "\\u202e" in pull and "\\u009b3958" in check
    assert json.loads(pull)["routes"][0]["items"][0]["detail"] == typed
    assert json.loads(check)["problems"][0]["message"].startswith("不是订单号：\x9b3958")


@freeze_time(NIGHT)
def test_courier_copy_of_a_cell_with_escape_sequences_pastes_only_its_text(run, tmp_path, clipboard):
    handover_workbook(tmp_path / "handover.xlsx", HOSTILE)
    result = run("courier", "--copy", "--sheet", "handover.xlsx")
    assert result.exit_code == 0, result.output
    copied = clipboard.read_text(encoding="utf-8")
    assert "收件地址：杭州市西湖区文三路 1 号" in copied
    assert not CONTROLS.search(copied) and not CONTROLS.search(result.stdout)


@freeze_time(NIGHT)
def test_a_lock_owner_named_with_escape_sequences_is_printed_as_plain_text(run, tmp_path):
    handover_workbook(tmp_path / "handover.xlsx", HOSTILE)
    (tmp_path / ".~lock.handover.xlsx#").write_text("\x1b]0;pwned\x07\x1b[31m小王\x1b[0m,xiaowang,pc,22.11.2026;",
                                                    encoding="utf-8")
    result = run("done", "H1", "--sheet", "handover.xlsx")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: 小王 正在用 Excel/WPS/LibreOffice 打开 handover.xlsx")
    assert not CONTROLS.search(result.stderr) and result.stderr.count("\n") == 1


def test_a_courier_name_typed_with_escape_sequences_is_refused_as_plain_text(run, tmp_path):
    handover_workbook(tmp_path / "handover.xlsx", HOSTILE)
    result = run("courier", "--courier", "\x1b[2J百世", "--sheet", "handover.xlsx")
    assert result.exit_code == 2
    assert "「百世」" in result.stderr and "\x1b" not in result.stderr
