"""The sheet's shape is found, never assumed (issue 10, point 1), on a workbook and on a Google Sheet: the
header row among the first rows, a column the sheet lacks read as empty and added right of every used
cell when first needed, the shop's own columns never read or written, one clear error when there is no
header or no 编号 column."""

from __future__ import annotations

import json

import openpyxl
import pytest
from freezegun import freeze_time
from other_user import OtherUser

NIGHT = "2026-11-22 23:00:00+08:00"
MORNING = "2026-11-23 10:30:00+08:00"


@freeze_time(MORNING)
def test_courier_on_a_sheet_without_新地址_never_sends_the_shops_备注(run, sheet):
    source = sheet.load("no_new_address.xlsx")
    result = run("courier", "--sheet", source)
    assert result.exit_code == 0, result.output
    assert "VIP" not in result.stdout
    assert result.stdout == ("【圆通】共 0 件\n（没有能发出的内容）\n※ 以下几条信息不全，未放进消息：\n"
                             "  · 改地址，第 3 行（H20261122-002）：改地址需要新地址\n")


@freeze_time(MORNING)
def test_a_sheet_without_编号_is_one_clear_error_and_ids_are_never_read_from_备注(run, sheet):
    source = sheet.load("no_id_column.xlsx")
    before = sheet.rows()
    error = "Error: 「交接」第 2 行的表头里没有「编号」列：运行 `handover check --assign-ids` 会加上这一列，并给每一行编上号\n"
    log = ["log", "--category", "漏发", "--platform", "淘宝", "--order", "3958120345678901111"]
    for command in (["pull"], ["done", "老客户"], ["courier"], ["summary"], ["check"], log):
        result = run(*command, "--sheet", source)
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", error), command
    assert sheet.rows() == before

    result = run("check", "--assign-ids", "--sheet", source)
    assert result.stdout.endswith("第 3 行没有编号，已补上 H20261122-001\n第 4 行没有编号，已补上 H20261122-002\n"
                                  "第 5 行没有编号，已补上 H20261122-003\n")
    rows = sheet.rows()
    # The 编号 column goes right of the shop's 备注, which keeps its text.
    assert rows[1][-2:] == ["备注", "编号"] and rows[2][-2:] == ["老客户", "H20261122-001"]
    assert rows[3][-2:] == ["VIP 客户，周末在家", "H20261122-002"] and rows[4][-1] == "H20261122-003"
    pulled = json.loads(run("pull", "--format", "json", "--sheet", source).stdout)
    assert [[item["id"] for item in group["items"]] for group in pulled["routes"]] == [["H20261122-001"],
                                                                                      ["H20261122-003"]]


def test_a_sheet_with_no_header_row_is_one_clear_error(run, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "交接"
    for row in (["小鹿服饰 交接表"], ["A 列", "B 列", "C 列"], ["漏发", "3958120345678901234", "待处理"]):
        book.active.append(row)
    book.save(tmp_path / "h.xlsx")
    result = run("pull", "--sheet", "h.xlsx")
    assert (result.exit_code, result.stderr) == (1, "Error: 「交接」前 5 行里找不到表头：表头要写明「编号」「类型」「订单号」等列名"
                                                    "（中文或英文都行），`handover init` 新建的工作簿可以做样子\n")


@freeze_time(NIGHT)
def test_every_command_on_a_sheet_with_a_title_row_finds_every_item_and_its_row(run, sheet):
    source = sheet.load("title_row.xlsx")
    pulled = run("pull", "--format", "json", "--sheet", source)
    assert pulled.exit_code == 0, pulled.output
    data = json.loads(pulled.stdout)
    assert [[(item["id"], item["row"]) for item in group["items"]] for group in data["routes"]] == [
        [("H20261122-001", 3)], [("H20261122-003", 5)]]
    assert data["problems"] == [{"row": 4, "column": "新地址", "message": "改地址需要新地址", "id": "H20261122-002"}]
    assert [(d["id"], d["row"]) for d in data["deadlines"]["deadlines"]] == [("R20261121-001", 3)]

    checked = run("check", "--sheet", source)
    assert checked.stdout == ("检查了 3 行，发现 1 个问题：\n  问题  第 4 行  H20261122-002  「新地址」改地址需要新地址\n"
                              "「退货」检查了 1 行，没有发现问题。\n")
    assert "第 4 行（H20261122-002）" in run("courier", "--sheet", source).stdout
    assert run("summary", "--sheet", source).stdout.startswith("【交接日报】2026年11月22日 周日\n今天新登记 3 件")

    done = run("done", "H20261122-003", "--by", "阿杰", "--sheet", source)
    assert done.stdout == "H20261122-003（第 5 行）→ 已完成，处理人 阿杰\n"
    logged = run("log", "--category", "漏发", "--order", "3958120345678901299", "--by", "小周", "--sheet", source)
    assert logged.stdout == "已登记 H20261122-004（第 6 行）：漏发 3958120345678901299\n"
    returned = run("log", "--return", "--platform", "淘宝", "--order", "3958120345678901234", "--sheet", source)
    assert returned.stdout == "已登记退货 R20261122-001（第 4 行）：订单 3958120345678901234\n"

    rows = sheet.rows()
    assert rows[0] == ["小鹿服饰 交接表 2026年11月"]
    assert rows[1][-2:] == ["备注", "登记人"]  # 登记人, which log needs, added right of every used column
    assert rows[4][11:14] == ["已完成", "阿杰", "2026-11-22 23:00"] and len(rows[4]) == 14
    assert rows[5][:5] == ["2026-11-22 23:00", None, "漏发", "H20261122-004", "3958120345678901299"]
    assert rows[5][14:] == [None, "小周"]  # the shop's 备注 column is never written
    assert [row[-1] for row in rows[2:4]] == ["老客户", "VIP 客户，周末在家"]
    assert sheet.rows("退货")[3][:3] == ["R20261122-001", "淘宝", "3958120345678901234"]


@freeze_time(MORNING)
def test_a_column_done_needs_goes_right_of_a_note_typed_past_the_header(run, sheet, monkeypatch):
    source = sheet.load("title_row.xlsx")
    OtherUser(sheet, monkeypatch).set("R4", "周末别打电话")  # a note far right of the header, on a data row
    result = run("done", "H20261122-001", "--result", "已补发", "--by", "阿杰", "--sheet", source)
    assert result.exit_code == 0, result.output
    rows = sheet.rows()
    assert rows[1][14:] == ["备注", None, None, None, "处理结果"]
    assert rows[2][11:] == ["已完成", "阿杰", "2026-11-23 10:30", "老客户", None, None, None, "已补发"]
    assert rows[3][14:] == ["VIP 客户，周末在家", None, None, "周末别打电话"]


@pytest.mark.parametrize("title", [False, True])
def test_the_returns_tab_is_read_below_its_title_row(run, sheet, title):
    source = sheet.load("title_row.xlsx" if title else "no_new_address.xlsx")
    with freeze_time(MORNING):
        data = json.loads(run("deadlines", "--format", "json", "--sheet", source).stdout)
    assert [(d["id"], d["row"]) for d in data["deadlines"]] == [("R20261121-001", 3 if title else 2)]


@freeze_time(MORNING)
def test_a_shops_备注_column_never_reaches_the_warehouse_nor_takes_logged_detail(run, tmp_path):
    from sheets import HEADER, handover_workbook

    header = [name for name in HEADER if name != "问题描述"] + ["备注"]
    handover_workbook(tmp_path / "h.xlsx", [{"编号": "H20261122-001", "登记时间": "2026-11-22 21:05", "平台": "淘宝",
                                              "类型": "漏发", "订单号": "3958120345678901234", "状态": "待处理",
                                              "备注": "VIP 客户，周末在家"}], header=header)
    pulled = run("pull", "--sheet", "h.xlsx")
    assert pulled.exit_code == 0, pulled.output
    assert "3958120345678901234" in pulled.stdout and "VIP" not in pulled.stdout
    logged = run("log", "--category", "漏发", "--platform", "淘宝", "--order", "3958120345678905678",
                 "--detail", "少了腰带", "--sheet", "h.xlsx")
    assert logged.exit_code == 0, logged.output
    rows = [list(row) for row in openpyxl.load_workbook(tmp_path / "h.xlsx")["交接"].iter_rows(values_only=True)]
    note, detail = rows[0].index("备注"), rows[0].index("问题描述")
    assert note < detail  # the new column went right of the shop's own
    assert (rows[1][note], rows[1][detail]) == ("VIP 客户，周末在家", None)
    assert (rows[2][note], rows[2][detail]) == (None, "少了腰带")
