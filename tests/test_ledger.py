"""The 赔付记录 ledger: read as people leave it, appended in one write, and never paying an order twice."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from handover.backends.xlsx import XlsxBackend
from handover.commands import commit_payouts, ledger_grids
from handover.compensation.ledger import (
    LEDGER_HEADER,
    LedgerError,
    check_ledger,
    kind_of,
    ledger_shaped,
    ledger_write,
    parse_ledger,
    parse_ledgers,
    rate_cell,
    split_paid,
)
from handover.compensation.rules import Payout
from handover.compensation.run import run_compensation
from handover.errors import SheetChangedError
from handover.model.config import Config
from handover.render.finance_views import render_report
from handover.sheet import Grid
from handover.workspace import Workspace

DATA = Path(__file__).resolve().parent / "data" / "compensation"
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=TZ)
TAB = "赔付记录"

PRESALE = Payout("3958000000000000001", "presale_late", Decimal("88.88"), Decimal("0.30"), Decimal("26.66"), None,
                 "taobao", "taobao_refunds.csv", 2)
AFFILIATE = Payout("3958000000000000006", "affiliate_deduction", Decimal("300.00"), Decimal("0.1"), Decimal("30.00"),
                   Decimal("270.00"), "taobao", "affiliate_settlement.csv", 2)


def test_no_tab_is_an_empty_ledger():
    ledger = parse_ledger(None, TZ)
    assert ledger.entries == [] and ledger.problems == []


def test_a_new_tab_gets_our_header_and_typed_cells():
    write = ledger_write(None, [PRESALE, AFFILIATE], computed_at=NOW, by="财务小周", tz=TZ)
    assert (write.tab, write.create, write.id_column, write.add_columns) == (TAB, True, None, [])
    assert write.header == LEDGER_HEADER == ["订单号", "赔付类型", "基数金额", "比例", "金额", "退款金额", "平台", "计算时间",
                                             "操作人", "来源", "说明"]
    assert write.appends == [
        ["3958000000000000001", "预售延迟发货赔付", Decimal("88.88"), Decimal("0.30"), Decimal("26.66"), None, "淘宝",
         "2026-11-22 09:00", "财务小周", "taobao_refunds.csv 第 2 行", None],
        ["3958000000000000006", "淘宝客扣佣退款", Decimal("300.00"), Decimal("0.1"), Decimal("30.00"), Decimal("270.00"),
         "淘宝", "2026-11-22 09:00", "财务小周", "affiliate_settlement.csv 第 2 行", None],
    ]
    assert isinstance(write.appends[0][0], str)


def test_an_existing_tab_keeps_its_column_order_and_gains_the_missing_columns():
    grid = Grid(TAB, ["金额", "订单号", "我们的备注", "赔付类型", "操作人"], [[26.66, "3958000000000000009", "老客户", "预售", "小周"]])
    write = ledger_write(grid, [PRESALE], computed_at=NOW, by="阿杰", tz=TZ)
    assert write.create is False and write.header == grid.header
    assert write.add_columns == ["基数金额", "比例", "退款金额", "平台", "计算时间", "来源", "说明"]
    assert write.appends == [[Decimal("26.66"), "3958000000000000001", None, "预售延迟发货赔付", "阿杰", Decimal("88.88"),
                              Decimal("0.30"), None, "淘宝", "2026-11-22 09:00", "taobao_refunds.csv 第 2 行", None]]


def test_ledger_rows_as_people_type_them():
    grid = Grid(TAB, ["订单号", "赔付类型", "金额", "计算时间", "操作人"], [
        ["3958000000000000001", "预售延迟发货", 26.66, datetime(2026, 11, 20, 10, 0), "小周"],
        ['="3958000000000000006"', "affiliate_deduction", "¥30.00", "2026/11/20 10:05", "小周"],
        ["3958000000000000010", "预售赔付", "", "", ""],
        [3.95800000000001e18, "预售延迟发货", 88, "", ""],
        ["3958000000000000011", "运费补贴", 5, "", ""],
        ["", "", "", "", ""],
    ])
    ledger = parse_ledger(grid, TZ)
    assert [(e.row, e.order_id, e.kind, e.amount) for e in ledger.entries] == [
        (2, "3958000000000000001", "presale_late", Decimal("26.66")),
        (3, "3958000000000000006", "affiliate_deduction", Decimal("30.00"))]
    assert ledger.entries[1].computed_at == datetime(2026, 11, 20, 10, 5, tzinfo=TZ)
    assert [(p.file, p.row, p.column) for p in ledger.problems] == [(TAB, 4, "金额"), (TAB, 5, "订单号"), (TAB, 6, "赔付类型")]
    assert "挡不住重复赔付" in ledger.problems[1].message
    # the summary gets only what it can count on a day
    assert [(e.order_id, e.amount, e.by) for e in parse_ledger(grid, TZ).counted()] == [
        ("3958000000000000001", Decimal("26.66"), "小周"), ("3958000000000000006", Decimal("30.00"), "小周")]


def test_a_ledger_without_an_order_column_is_reported():
    ledger = parse_ledger(Grid(TAB, ["金额", "赔付类型"], [[1, "预售"]]), TZ)
    assert ledger.entries == [] and "「订单号」" in ledger.problems[0].message


@pytest.mark.parametrize("text, kind", [("预售延迟发货", "presale_late"), ("presale_late", "presale_late"),
                                        ("淘客佣金扣除", "affiliate_deduction"), ("扣佣金", "affiliate_deduction"),
                                        ("", None), ("运费险", None)])
def test_kind_labels(text, kind):
    assert kind_of(text) == kind


def test_split_paid_skips_what_the_ledger_holds_and_repeats():
    grid = Grid(TAB, ["订单号", "赔付类型", "金额"], [["3958000000000000001", "预售延迟发货", 26.66]])
    new, already = split_paid([PRESALE, AFFILIATE, AFFILIATE], parse_ledger(grid, TZ))
    assert new == [AFFILIATE]
    assert [(p.order_id, e.row) for p, e in already] == [("3958000000000000001", 2)]


# --------------------------------------------------------------------------- commit, twice

def workbook(tmp_path: Path) -> Path:
    path = tmp_path / "handover.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "交接"
    book.active.append(["编号", "类型", "订单号"])
    book.save(path)
    return path


def commit_once(path: Path, orders, affiliate=()):
    backend = XlsxBackend(path)
    grid = backend.read([TAB])[TAB]
    report = run_compensation(orders, affiliate, Config(), grid, NOW, by="财务小周")
    commit_payouts(Workspace(Config(), backend), report, grid)
    return report


def test_a_commit_run_twice_pays_once_even_with_overlapping_inputs(tmp_path):
    path = workbook(tmp_path)
    orders = [DATA / "taobao_orders.csv", DATA / "taobao_refunds.csv", DATA / "douyin_orders.csv"]
    affiliate = [DATA / "affiliate_settlement.csv", DATA / "affiliate_disputes.csv"]
    first = commit_once(path, orders, affiliate)
    assert first.committed and len(first.payouts) == 6 and first.ledger_rows == list(range(2, 8))
    # the same files again, one of them twice, plus a copy of another under a new name
    copy = tmp_path / "orders_copy.csv"
    copy.write_bytes((DATA / "taobao_refunds.csv").read_bytes())
    second = commit_once(path, orders + [DATA / "taobao_orders.csv", copy], affiliate)
    assert second.payouts == [] and not second.committed and second.ledger_rows == []
    assert sorted(a.payout.order_id for a in second.already_paid) == sorted(p.order_id for p in first.payouts)
    assert len(second.duplicates) > 0
    assert "已在「赔付记录」追加 6 行" in render_report(first)
    second_text = render_report(second)
    assert "没有新的赔付" in second_text and "【已在赔付记录里，这次不再计入】6 笔" in second_text

    sheet = openpyxl.load_workbook(path)[TAB]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == LEDGER_HEADER and len(rows) == 7
    assert [r[0] for r in rows[1:]] == [p.order_id for p in first.payouts]
    assert all(sheet.cell(row=r, column=1).data_type == "s" for r in range(2, 8))
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id["3958000000000000002"][4] == pytest.approx(389.70) and by_id["3958000000000000006"][5] == 270


def test_new_payouts_are_added_to_an_existing_ledger(tmp_path):
    path = workbook(tmp_path)
    commit_once(path, [DATA / "douyin_orders.csv"])
    report = commit_once(path, [DATA / "douyin_orders.csv", DATA / "taobao_orders.csv", DATA / "taobao_refunds.csv"])
    assert {p.order_id for p in report.payouts} == {"3958000000000000001", "3958000000000000002"}
    assert report.ledger_rows == [4, 5]
    assert [a.payout.order_id for a in report.already_paid] == ["6930000000000000101", "6930000000000000104"]


def test_a_ledger_changed_after_reading_stops_the_commit(tmp_path):
    path = workbook(tmp_path)
    backend = XlsxBackend(path)
    grid = backend.read([TAB])[TAB]
    report = run_compensation([DATA / "douyin_orders.csv"], [], Config(), grid, NOW, by="财务小周")
    commit_once(path, [DATA / "douyin_orders.csv"])  # someone else commits meanwhile
    with pytest.raises(SheetChangedError):
        commit_payouts(Workspace(Config(), backend), report, grid)
    assert not report.committed
    assert len(list(openpyxl.load_workbook(path)[TAB].iter_rows())) == 3  # header + their two rows only


# ------------------------------------------------------------------ the ledger as people edit it (issue 15)

def test_a_numeric_id_with_all_its_digits_reads_and_one_that_lost_some_does_not():
    grid = Grid(TAB, ["订单号", "赔付类型", "金额"], [
        [2411200000000001.0, "预售延迟发货赔付", 500],  # 16 digits: a number cell holds them exactly
        [241120000000001, "预售延迟发货赔付", 3],
        [3958000000000000001, "预售延迟发货赔付", 26.66],  # an int above 2^53 is a rounded double underneath
        [3.958e18, "淘宝客扣佣退款", 30],
    ])
    ledger = parse_ledger(grid, TZ)
    assert [e.order_id for e in ledger.entries] == ["2411200000000001", "241120000000001"]
    assert [(p.row, p.column) for p in ledger.problems] == [(4, "订单号"), (5, "订单号")]
    assert all("后几位已丢失" in p.message for p in ledger.problems)


def test_a_note_under_the_payouts_is_not_a_payout_but_an_amount_nobody_can_read_is_a_problem():
    grid = Grid(TAB, ["订单号", "赔付类型", "金额"], [
        ["3958000000000000001", "预售延迟发货赔付", "1 234,5"],
        ["", "", 656.36],  # a total a person added
        ["3958000000000000002", "预售延迟发货赔付", ""],  # no amount: what was paid is not known either
    ])
    ledger = parse_ledger(grid, TZ)
    assert ledger.entries == []
    assert [(p.row, p.column) for p in ledger.problems] == [(2, "金额"), (4, "金额")]
    with pytest.raises(LedgerError, match="「赔付记录」有认不准的行"):
        check_ledger(ledger)


def test_a_ledger_id_no_platform_could_have_and_a_negative_or_blank_amount_cannot_be_read():
    """A3 typed 3958000000000000O02 (letter O) was taken as another order and …002 paid again; -389.70 and a
    blank amount were taken as they were (issue 16)."""
    grid = Grid(TAB, ["订单号", "赔付类型", "金额", "平台"], [
        ["3958000000000000O02", "预售延迟发货赔付", 389.7, "淘宝"],
        ["3958000000000000003", "预售延迟发货赔付", -389.7, "淘宝"],
        ["3958000000000000004", "预售延迟发货赔付", "", "淘宝"],
        ["3958000000000000005", "预售延迟发货赔付", " ", "淘宝"],
        ["C20261101001", "预售延迟发货赔付", 60, ""],  # a shop's own id, no platform named: fine
        ["3958000000000000006", "淘宝客扣佣退款", 0, "淘宝"],  # nothing deducted is still an amount
    ])
    ledger = parse_ledger(grid, TZ)
    assert [e.order_id for e in ledger.entries] == ["C20261101001", "3958000000000000006"]
    assert [(p.row, p.column, p.message) for p in ledger.problems] == [
        (2, "订单号", "不是淘宝订单号：3958000000000000O02（淘宝订单号是 18–19 位数字）；认不出这一行是哪笔订单，它挡不住重复赔付"),
        (3, "金额", "金额不能是负数：-389.70；已赔付多少看不准，请改成赔付时的金额，例如 389.70"),
        (4, "金额", "金额为空；已赔付多少看不准，请填上赔付时的金额"),
        (5, "金额", "金额为空；已赔付多少看不准，请填上赔付时的金额")]
    with pytest.raises(LedgerError, match="「赔付记录」有认不准的行：第 2 行「订单号」：不是淘宝订单号"):
        check_ledger(ledger)


@pytest.mark.parametrize("header, shaped", [
    (LEDGER_HEADER, True),
    (["订单号", "赔付种类", "基数金额", "比例", "金额"], True),  # a header renamed: still a ledger
    (["订单编号", "金额", "计算时间"], True),
    (["编号", "登记时间", "登记人", "平台", "类型", "订单号", "状态"], False),  # the handover tab
    (["编号", "平台", "订单号", "买家", "退货原因", "退款状态"], False),  # the returns tab
    (["金额", "赔付类型", "比例"], True),  # its 订单号 renamed: found, and then reported
    (["订单号", "金额", "备注"], False),  # a shop's own list of orders
])
def test_a_ledger_is_recognised_by_its_header(header, shaped):
    assert ledger_shaped(header) is shaped


def test_a_ledger_under_a_title_row_is_found_read_and_appended_to_under_its_own_header():
    grid = Grid("台账", ["2026年赔付台账"], [
        LEDGER_HEADER, ["3958000000000000001", "预售延迟发货赔付", 88.88, 0.3, "二十六"]])
    assert ledger_shaped(grid) and not ledger_shaped(grid.header)
    ledger = parse_ledger(grid, TZ)
    assert [(p.row, p.column) for p in ledger.problems] == [(3, "金额")]  # the sheet's row, under title and header
    write = ledger_write(grid, [PRESALE], computed_at=NOW, by="财务小周", tz=TZ)
    assert (write.tab, write.create, write.header_row, write.header, write.add_columns) == ("台账", False, 2, LEDGER_HEADER, [])
    # a header renamed beyond recognition under a title is named on its own row
    renamed = Grid(TAB, ["2026年赔付台账"], [["单号", "赔付类型", "金额", "操作人"], ["3958000000000000001", "预售", 1, "小周"]])
    assert [(p.row, p.message[:11]) for p in parse_ledger(renamed, TZ).problems] == [(2, "表头里没有「订单号」列")]


def test_rates_are_numbers_shown_as_percent_unless_a_format_could_round_them():
    assert rate_cell(Decimal("0.30")) == Decimal("0.30") and rate_cell(Decimal("0.1000")) == Decimal("0.1000")
    assert rate_cell(Decimal("0.055")) == "5.5%" and rate_cell(None) is None
    write = ledger_write(None, [PRESALE], computed_at=NOW, by="财务小周", tz=TZ)
    assert write.number_formats == {"基数金额": "#,##0.00", "金额": "#,##0.00", "退款金额": "#,##0.00", "比例": "0%"}
    grid = Grid(TAB, ["赔付金额", "订单号", "赔付类型"], [])
    assert ledger_write(grid, [PRESALE], computed_at=NOW, by="", tz=TZ).number_formats["赔付金额"] == "#,##0.00"


LEDGER_ROWS = [LEDGER_HEADER, ["3958000000000000001", "预售延迟发货赔付", 88.88, 0.3, 26.66, None, "淘宝",
                               "2026-11-20 10:00", "小周", "taobao_refunds.csv 第 2 行"]]


def test_the_ledger_on_a_workbook_reads_the_other_tabs_only_when_the_ledger_was_renamed(tmp_path):
    path = workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    renamed = book.create_sheet("赔付记录2026")
    for row in LEDGER_ROWS:
        renamed.append(row)
    book.create_sheet("备忘").append(["订单号", "备注"])
    book.save(path)
    backend = XlsxBackend(path)
    assert backend.tab_names() == ["交接", "赔付记录2026", "备忘"]
    found = ledger_grids(Workspace(Config(), backend), backend.read([TAB])[TAB])
    assert [grid.tab for grid in found] == ["赔付记录2026"]
    report = run_compensation([DATA / "taobao_orders.csv", DATA / "taobao_refunds.csv"], [], Config(), found, NOW)
    assert [a.payout.order_id for a in report.already_paid] == ["3958000000000000001"]
    assert report.ledger.tabs == ["赔付记录2026"]


def test_the_ledger_on_a_google_sheet_costs_the_tab_list_and_one_read(sheets_emulator, google_backend):
    backend, key = google_backend({"交接": [["编号"]], "赔付记录2026": LEDGER_ROWS, "备忘": [["订单号", "备注"]]})
    grid = backend.read([TAB])[TAB]
    assert grid is None and backend.tab_names() == ["交接", "赔付记录2026", "备忘"]
    sheets_emulator.reset_counts()
    found = ledger_grids(Workspace(Config(), backend), grid)
    assert [g.tab for g in found] == ["赔付记录2026"] and sheets_emulator.counts() == {"values.batchGet": 1}


def test_appended_payouts_get_money_and_percent_formats_on_a_workbook(tmp_path):
    path = workbook(tmp_path)
    commit_once(path, [DATA / "douyin_orders.csv"])  # creates the tab
    commit_once(path, [DATA / "douyin_orders.csv", DATA / "taobao_orders.csv", DATA / "taobao_refunds.csv"])
    sheet = openpyxl.load_workbook(path)[TAB]
    for row in range(2, 6):
        assert [sheet.cell(row=row, column=c).number_format for c in (3, 4, 5)] == ["#,##0.00", "0%", "#,##0.00"]
    assert sheet.cell(row=2, column=4).value == pytest.approx(0.3)
    # a second run found its own style again instead of adding one per run
    import zipfile

    styles = zipfile.ZipFile(path).read("xl/styles.xml").decode()
    assert styles.count('numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"') == 1


def test_a_created_ledger_on_google_has_its_formats_in_the_request_that_creates_it(sheets_emulator, google_backend):
    backend, key = google_backend({"交接": [["编号"]]})
    grid = backend.read([TAB])[TAB]
    report = run_compensation([DATA / "douyin_orders.csv"], [], Config(), grid, NOW, by="财务小周")
    sheets_emulator.reset_counts()
    commit_payouts(Workspace(Config(), backend), report, grid)
    # the formats ride on the batchUpdate that adds the tab: no request of their own
    writes = {kind: n for kind, n in sheets_emulator.counts().items() if kind not in ("values.batchGet", "metadata")}
    assert writes == {"batchUpdate": 1, "values.batchUpdate": 1}
    assert sheets_emulator.number_format(key, TAB, "E2") == {"type": "NUMBER", "pattern": "#,##0.00"}
    assert sheets_emulator.number_format(key, TAB, "D999") == {"type": "PERCENT", "pattern": "0%"}  # rows to come
    assert sheets_emulator.number_format(key, TAB, "A2") is None


def test_libreoffice_shows_the_ledger_amounts_to_the_fen_and_the_rates_as_percent(tmp_path):
    import csv
    import io
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (libreoffice-calc-nogui) is not installed; .ci/run installs it")
    path = workbook(tmp_path)
    commit_once(path, [DATA / "taobao_orders.csv", DATA / "taobao_refunds.csv"], [DATA / "affiliate_settlement.csv"])
    # "Save cell contents as shown" (the 9th token, true): the CSV holds what a person sees; -1: every sheet
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", csv_filter,
                    "--outdir", str(tmp_path / "csv"), str(path)], check=True, capture_output=True, timeout=120)
    rows = list(csv.reader(io.StringIO((tmp_path / "csv" / f"handover-{TAB}.csv").read_text(encoding="utf-8"))))
    assert [row[:6] for row in rows[1:]] == [
        ["3958000000000000001", "预售延迟发货赔付", "88.88", "30%", "26.66", ""],
        ["3958000000000000002", "预售延迟发货赔付", "1,299.00", "30%", "389.70", ""],
        ["3958000000000000006", "淘宝客扣佣退款", "300.00", "10%", "30.00", "270.00"]]


def test_a_tab_taken_for_the_ledger_by_its_header_says_how_to_say_otherwise():
    grid = Grid("财务对账", ["订单号", "金额", "操作人"], [["3958000000000000001", 26.66, "小周"]])
    ledger = parse_ledgers([grid], TZ)
    assert ledger.tabs == ["财务对账"] and ledger.entries == []
    with pytest.raises(LedgerError, match="「财务对账」是按表头认出的赔付记录，如果它不是，请新建一个叫「赔付记录」的标签页"):
        check_ledger(ledger, "赔付记录")


def test_a_full_ledger_grid_on_google_grows_and_formats_in_one_request(sheets_emulator, google_backend):
    backend, key = google_backend({"交接": [["编号"]]})
    sheets_emulator.add_tab(key, TAB, LEDGER_ROWS, rows=2, cols=10)  # a hand-made ledger, its grid full
    grid = backend.read([TAB])[TAB]
    report = run_compensation([DATA / "douyin_orders.csv"], [], Config(), grid, NOW, by="财务小周")
    sheets_emulator.reset_counts()
    commit_payouts(Workspace(Config(), backend), report, grid)
    assert sheets_emulator.count("batchUpdate") == 1  # appendDimension and the formats together
    assert sheets_emulator.values(key, TAB)[2][0] == "6930000000000000101"
    assert [sheets_emulator.number_format(key, TAB, f"{c}3") for c in "CDE"] == [
        {"type": "NUMBER", "pattern": "#,##0.00"}, {"type": "PERCENT", "pattern": "0%"}, {"type": "NUMBER", "pattern": "#,##0.00"}]
    assert sheets_emulator.number_format(key, TAB, "E2") is None  # a row of theirs keeps its own format


# ------------------------------------------------------------ the floor or cap, said in the ledger (issue 16)

PRESET = '[compensation.platforms.kuaishou]\npreset = "taobao_2023"\n'


def preset_config() -> Config:
    import tomllib

    from handover.model.config import parse_config

    return parse_config(tomllib.loads(PRESET))


def test_a_payout_the_cap_or_floor_gave_says_so_in_its_ledger_row():
    """The report said 30%，最高 500 元 but the ledger row read 2600 | 30% | 500.00."""
    report = run_compensation([DATA / "kuaishou_orders.xlsx"], [], preset_config(), None, NOW, by="财务小周")
    write = ledger_write(None, report.payouts, computed_at=NOW, by="财务小周", tz=TZ)
    note = write.header.index("说明")
    assert [(row[2], row[3], row[4], row[note]) for row in write.appends] == [
        (Decimal("2600.00"), Decimal("0.30"), Decimal("500.00"), "30% 是 780.00 元，按最高 500 元"),
        (Decimal("10.00"), Decimal("0.30"), Decimal("5.00"), "30% 是 3.00 元，按最低 5 元")]


def commit_kuaishou(backend) -> None:
    grid = backend.read([TAB])[TAB]
    report = run_compensation([DATA / "kuaishou_orders.xlsx"], [], preset_config(), grid, NOW, by="财务小周")
    commit_payouts(Workspace(preset_config(), backend), report, grid)


def test_an_older_workbook_ledger_gains_the_note_column_and_keeps_its_rates_numbers(tmp_path):
    path = workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    older = book.create_sheet(TAB)
    for row in LEDGER_ROWS:
        older.append(row[:10])  # a ledger written before 说明 existed
    book.save(path)
    assert [(e.order_id, e.amount) for e in parse_ledger(XlsxBackend(path).read([TAB])[TAB], TZ).entries] == [
        ("3958000000000000001", Decimal("26.66"))]
    commit_kuaishou(XlsxBackend(path))
    sheet = openpyxl.load_workbook(path)[TAB]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == LEDGER_HEADER and rows[1][10] is None
    assert [(row[0], row[2], row[3], row[4], row[10]) for row in rows[2:]] == [
        ("2411200000000001", 2600, pytest.approx(0.3), 500, "30% 是 780.00 元，按最高 500 元"),
        ("2411200000000002", 10, pytest.approx(0.3), 5, "30% 是 3.00 元，按最低 5 元")]
    assert sheet["D3"].number_format == "0%"


def test_an_older_google_ledger_gains_the_note_column_and_keeps_its_rates_numbers(sheets_emulator, google_backend):
    backend, key = google_backend({"交接": [["编号"]], TAB: [row[:10] for row in LEDGER_ROWS]})
    commit_kuaishou(backend)
    values = sheets_emulator.values(key, TAB)
    assert values[0] == LEDGER_HEADER
    assert [(row[0], row[3], row[4], row[10]) for row in values[2:]] == [
        ("2411200000000001", 0.3, 500, "30% 是 780.00 元，按最高 500 元"),
        ("2411200000000002", 0.3, 5, "30% 是 3.00 元，按最低 5 元")]  # the rates numbers, the notes words
