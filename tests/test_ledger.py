"""The 赔付记录 ledger: read as people leave it, appended in one write, and never paying an order twice."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from handover.compensation import commit_report, render_report, run_compensation
from handover.compensation_rules import Payout
from handover.config import Config
from handover.errors import SheetChangedError
from handover.ledger import LEDGER_HEADER, kind_of, ledger_write, parse_ledger, read_ledger, split_paid
from handover.sheet import Grid
from handover.xlsx import XlsxBackend

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
                                             "操作人", "来源"]
    assert write.appends == [
        ["3958000000000000001", "预售延迟发货", Decimal("88.88"), Decimal("0.30"), Decimal("26.66"), None, "淘宝",
         "2026-11-22 09:00", "财务小周", "taobao_refunds.csv 第 2 行"],
        ["3958000000000000006", "淘客佣金扣除", Decimal("300.00"), Decimal("0.1"), Decimal("30.00"), Decimal("270.00"),
         "淘宝", "2026-11-22 09:00", "财务小周", "affiliate_settlement.csv 第 2 行"],
    ]
    assert isinstance(write.appends[0][0], str)


def test_an_existing_tab_keeps_its_column_order_and_gains_the_missing_columns():
    grid = Grid(TAB, ["金额", "订单号", "我们的备注", "赔付类型", "操作人"], [[26.66, "3958000000000000009", "老客户", "预售", "小周"]])
    write = ledger_write(grid, [PRESALE], computed_at=NOW, by="阿杰", tz=TZ)
    assert write.create is False and write.header == grid.header
    assert write.add_columns == ["基数金额", "比例", "退款金额", "平台", "计算时间", "来源"]
    assert write.appends == [[Decimal("26.66"), "3958000000000000001", None, "预售延迟发货", "阿杰", Decimal("88.88"),
                              Decimal("0.30"), None, "淘宝", "2026-11-22 09:00", "taobao_refunds.csv 第 2 行"]]


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
        (3, "3958000000000000006", "affiliate_deduction", Decimal("30.00")),
        (4, "3958000000000000010", "presale_late", None)]
    assert ledger.entries[1].computed_at == datetime(2026, 11, 20, 10, 5, tzinfo=TZ)
    assert [(p.file, p.row, p.column) for p in ledger.problems] == [(TAB, 5, "订单号"), (TAB, 6, "赔付类型")]
    assert "挡不住重复赔付" in ledger.problems[0].message
    # the summary gets only what it can count on a day
    assert [(e.order_id, e.amount, e.by) for e in read_ledger(grid, TZ)] == [
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
    commit_report(backend, report, grid, Config())
    return report


def test_a_commit_run_twice_pays_once_even_with_overlapping_inputs(tmp_path):
    path = workbook(tmp_path)
    orders = [DATA / "taobao_orders.csv", DATA / "taobao_refunds.csv", DATA / "douyin_orders.csv"]
    affiliate = [DATA / "affiliate_settlement.csv", DATA / "affiliate_disputes.csv"]
    first = commit_once(path, orders, affiliate)
    assert first.committed and len(first.payouts) == 7 and first.ledger_rows == list(range(2, 9))
    # the same files again, one of them twice, plus a copy of another under a new name
    copy = tmp_path / "orders_copy.csv"
    copy.write_bytes((DATA / "taobao_refunds.csv").read_bytes())
    second = commit_once(path, orders + [DATA / "taobao_orders.csv", copy], affiliate)
    assert second.payouts == [] and not second.committed and second.ledger_rows == []
    assert sorted(a.payout.order_id for a in second.already_paid) == sorted(p.order_id for p in first.payouts)
    assert len(second.duplicates) > 0
    assert "已在「赔付记录」追加 7 行" in render_report(first)
    second_text = render_report(second)
    assert "没有新的赔付" in second_text and "【已在赔付记录里，这次不再计入】7 笔" in second_text

    sheet = openpyxl.load_workbook(path)[TAB]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == LEDGER_HEADER and len(rows) == 8
    assert [r[0] for r in rows[1:]] == [p.order_id for p in first.payouts]
    assert all(sheet.cell(row=r, column=1).data_type == "s" for r in range(2, 9))
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id["3958000000000000002"][4] == pytest.approx(389.70) and by_id["3958000000000000006"][5] == 270


def test_new_payouts_are_added_to_an_existing_ledger(tmp_path):
    path = workbook(tmp_path)
    commit_once(path, [DATA / "douyin_orders.csv"])
    report = commit_once(path, [DATA / "douyin_orders.csv", DATA / "taobao_orders.csv", DATA / "taobao_refunds.csv"])
    assert {p.order_id for p in report.payouts} == {"3958000000000000001", "3958000000000000002", "3958000000000000010"}
    assert report.ledger_rows == [4, 5, 6]
    assert [a.payout.order_id for a in report.already_paid] == ["6930000000000000101", "6930000000000000104"]


def test_a_ledger_changed_after_reading_stops_the_commit(tmp_path):
    path = workbook(tmp_path)
    backend = XlsxBackend(path)
    grid = backend.read([TAB])[TAB]
    report = run_compensation([DATA / "douyin_orders.csv"], [], Config(), grid, NOW, by="财务小周")
    commit_once(path, [DATA / "douyin_orders.csv"])  # someone else commits meanwhile
    with pytest.raises(SheetChangedError):
        commit_report(backend, report, grid, Config())
    assert not report.committed
    assert len(list(openpyxl.load_workbook(path)[TAB].iter_rows())) == 3  # header + their two rows only
