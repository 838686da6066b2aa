"""Reading refund exports as returns and planning what they change in the 退货 tab (library level): the
platforms' status words, which of two copies of a return is newer, and every case the import refuses to
decide. Files: tests/data/returns_import (made by its make_fixtures.py)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handover.exports import ExportError
from handover.model.schema import TABS, RefundStatus
from handover.returns_import.plan import plan_import, read_exports
from handover.returns_import.refund_exports import NO_RETURN, ExportedReturn, export_status
from handover.sheet import Grid

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 9, 5, tzinfo=TZ)
DATA = Path(__file__).resolve().parent / "data"
FILES = DATA / "returns_import"
HEADER = ["编号", "平台", "订单号", "退货原因", "退款状态", "处理结果", "退款编号", "平台更新时间", "超时时间"]


def read(*names: str, **options):
    return read_exports([FILES / name for name in names], TZ, NOW, **options)


def tab(*rows: list) -> Grid:
    return Grid(TABS["returns"], list(HEADER), [list(row) for row in rows])


def plan(grid: Grid | None, *names: str):
    return plan_import(grid, read(*names), now=NOW, tz=TZ, tab=TABS["returns"])


# ---------------------------------------------------------------------------------- status words

@pytest.mark.parametrize("text, status", [
    ("买家已经申请退款，等待卖家同意", RefundStatus.REQUEST),  # Taobao's refund states, as its export words them
    ("卖家已经同意退款，等待买家退货", RefundStatus.AWAITING_RETURN),
    ("买家已经退货，等待卖家确认收货", RefundStatus.IN_TRANSIT),
    ("买家已退货等待卖家收货", RefundStatus.IN_TRANSIT),
    ("卖家拒绝退款", RefundStatus.REJECTED),
    ("退款关闭", RefundStatus.CLOSED),
    ("退款成功", RefundStatus.REFUNDED),
    ("待商家处理", RefundStatus.REQUEST),  # Douyin
    ("待买家退货", RefundStatus.AWAITING_RETURN),
    ("待商家收货", RefundStatus.IN_TRANSIT),
    ("售后关闭", RefundStatus.CLOSED),
    ("已同意退货退款待用户发货", RefundStatus.AWAITING_RETURN),  # Pinduoduo
    ("买家逾期未处理退款失败", RefundStatus.CLOSED),
    ("买家逾期超过有效期", RefundStatus.CLOSED),
    ("已退款", RefundStatus.REFUNDED),  # the 退货 tab's own labels
    ("无售后或售后取消", NO_RETURN), ("", NO_RETURN), ("没有申请退款", NO_RETURN),  # order exports
    ("换货中", None), ("维修中", None),
])
def test_status_words_of_the_platforms_exports(text, status):
    assert export_status(text) == status


# ------------------------------------------------------------------------------- newer and older

def copy(status=RefundStatus.IN_TRANSIT, stamped="2026-11-21 09:05", deadline="2026-11-26 09:05",
         tracking="YT8962646785389") -> ExportedReturn:
    return ExportedReturn(file="a.csv", row=2, platform="taobao", refund_id="1", order_id="2", buyer="", reason="",
                          status=status, return_courier="圆通", return_tracking_no=tracking, refund_amount=Decimal("1"),
                          requested_at="", approved_at="", waybill_at=stamped, signed_at="",
                          platform_deadline=deadline, stamped_at=stamped)


def test_a_later_export_time_is_newer_whatever_the_status_says():
    assert copy(RefundStatus.REQUEST, stamped="2026-11-23 09:05").age() > copy(RefundStatus.REFUNDED).age()


def test_with_the_same_export_time_further_along_is_newer_then_a_later_deadline():
    assert copy(RefundStatus.REFUNDED).age() > copy(RefundStatus.IN_TRANSIT).age()
    assert copy(RefundStatus.CLOSED).age() > copy(RefundStatus.REJECTED).age() > copy(RefundStatus.SIGNED).age()
    extended = copy(deadline="2026-12-03 09:05")
    assert extended.age() > copy().age() and copy(deadline="").age() < copy().age()


# ----------------------------------------------------------------------------------- reading files

def test_two_days_given_together_keep_the_newest_copy_of_each_return():
    batch = read("淘宝退款_1122.csv", "淘宝退款_1123.csv")
    assert batch.superseded == 5 and len(batch.lines()) == 7
    newest = {line.refund_id: line for line in batch.lines()}
    assert (newest["200000000000101"].file, newest["200000000000101"].status) == ("淘宝退款_1123.csv", RefundStatus.REFUNDED)
    assert newest["200000000000101"].stamped_at == "2026-11-22 16:05"  # 完结时间
    assert newest["200000000000102"].status is RefundStatus.AWAITING_RETURN  # no new time: further along wins


def test_two_copies_with_the_same_time_and_status_but_another_waybill_are_both_refused():
    batch = read("淘宝退款_1123.csv", "淘宝退款_1123_改过.csv")
    assert "200000000000107" not in {line.refund_id for line in batch.lines()}
    assert [(r.file, r.row, r.message) for r in batch.rejected] == [
        ("淘宝退款_1123.csv", 6, "和 淘宝退款_1123_改过.csv 第 6 行是同一条退货，导出时间和状态都一样，内容却不同：看不出哪一份更新，请到后台核对"),
        ("淘宝退款_1123_改过.csv", 6, "和 淘宝退款_1123.csv 第 6 行是同一条退货，导出时间和状态都一样，内容却不同：看不出哪一份更新，请到后台核对"),
    ]


def test_a_later_download_of_the_same_day_moves_only_the_extended_deadline():
    batch = read("淘宝退款_1123.csv", "淘宝退款_1123_晚.csv")
    extended = next(line for line in batch.lines() if line.refund_id == "200000000000108")
    assert (extended.file, extended.platform_deadline) == ("淘宝退款_1123_晚.csv", "2026-12-01 20:00")
    assert batch.superseded == 7 and batch.rejected == []


def test_times_are_kept_to_the_minute_and_ids_unwrapped():
    line = next(line for line in read("淘宝退款_1123.csv").lines() if line.refund_id == "200000000000109")
    assert (line.order_id, line.platform_deadline) == ("3958000000000000109", "2026-11-25 11:00")  # 11:00:05
    assert (line.return_courier, line.return_tracking_no, line.refund_amount) == ("顺丰", "SF1385628716739", Decimal("299.00"))


def test_an_order_export_with_after_sale_columns_has_no_returns_to_import():
    batch = read_exports([DATA / "compensation" / "pinduoduo_orders.csv"], TZ, NOW)
    assert batch.lines() == [] and batch.rejected == [] and batch.files[0].skipped == 2


def test_a_file_whose_platform_cannot_be_told_asks_for_platform(tmp_path):
    plain = tmp_path / "export.csv"
    plain.write_text("订单号,售后状态\n123456789012345,退款成功\n", encoding="utf-8")
    with pytest.raises(ExportError, match="看不出是哪个平台的导出.*请加 --platform"):
        read_exports([plain], TZ, NOW)
    assert len(read_exports([plain], TZ, NOW, platform="jd").returns) == 1


def test_a_refund_id_excel_turned_into_a_number_is_refused_naming_the_column(tmp_path):
    export = tmp_path / "淘宝退款.csv"
    export.write_text("订单编号,退款编号,退款状态\n3958000000000000101,2.00000000000101E+14,退款成功\n", encoding="utf-8")
    [rejected] = read_exports([export], TZ, NOW).rejected
    assert (rejected.row, rejected.column) == (2, "退款编号")
    assert rejected.message.startswith("退款编号 2.00000000000101E+14 被表格转成了数字，后几位已丢失")


# ------------------------------------------------------------------------------- finding the rows

def test_a_hand_typed_return_is_found_by_its_order_when_it_has_no_refund_id():
    found = plan(tab(["R1", "淘宝", "3958000000000000101", "尺码偏小", "待处理", "已联系买家"]), "淘宝退款_1122.csv")
    [update] = found.updates
    keys = [key for key, _, _ in update.changes]
    assert update.item.id == "R1" and "refund_id" in keys and "reason" not in keys and "result" not in keys


def test_two_refunds_of_an_order_the_tab_holds_once_by_hand_are_refused_until_the_row_says_which():
    found = plan(tab(["R1", "淘宝", "3958000000000000101", "尺码偏小", "待处理"]), "淘宝退款_两件.csv")
    assert found.updates == [] and found.new == []
    assert {r.message for r in found.rejected} == {
        "表里第 2 行是订单 3958000000000000101 的退货，没填退款编号；导出里这个订单有 2 个退款：请在第 2 行填上对应的退款编号再导入"}
    given = plan(tab(["R1", "淘宝", "3958000000000000101", "尺码偏小", "待处理", "", "200000000000111"]), "淘宝退款_两件.csv")
    assert [u.item.id for u in given.updates] == ["R1"] and len(given.new) == 1


def test_a_refund_id_on_two_rows_of_the_tab_is_refused():
    found = plan(tab(["R1", "淘宝", "1", "", "待处理", "", "200000000000102"],
                     ["R2", "天猫", "1", "", "待处理", "", "200000000000102"]), "淘宝退款_1122.csv")
    assert "表里第 2、3 行都是退款编号 200000000000102：请先删掉或改正重复的行再导入" in [r.message for r in found.rejected]


def test_a_row_holding_newer_platform_data_is_left_alone():
    newer = ["R1", "淘宝", "3958000000000000104", "", "已退款", "", "200000000000104", "2026-11-22 10:00"]
    found = plan(tab(newer), "淘宝退款_1122.csv")
    assert (found.unchanged, found.older) == (1, 1) and all(u.item.id != "R1" for u in found.updates)


def test_a_tab_without_a_platform_column_is_refused_before_it_doubles_rows():
    from handover.errors import SheetError

    grid = Grid(TABS["returns"], ["编号", "订单号", "退款状态"], [["R1", "3958000000000000101", "待处理"]])
    with pytest.raises(SheetError, match="「退货」的表头里没有「平台」列"):
        plan(grid, "淘宝退款_1122.csv")


def test_new_returns_get_the_days_next_ids_after_those_the_tab_holds():
    found = plan(tab(["R20261123-001", "拼多多", "231118-508812340003333"], ["R20261123-007", "抖音", "1"]),
                 "拼多多售后_1123.csv")
    assert found.new_ids() == ["R20261123-008", "R20261123-009", "R20261123-010"]


# ------------------------------------------------------------------- the fast read is the careful one

def test_a_reason_or_buyer_that_is_a_placeholder_with_a_space_after_it_is_blank_as_read_row_by_row(tmp_path):
    """`- ` and `无 ` say nothing, as `-` and `无` do: whether another row of the file says `-` exactly or not."""
    import csv
    import io

    from handover.returns_import.refund_exports import open_return_exports
    from handover.returns_import.refund_rows import ReturnRows

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([
        ["订单编号", "退款编号", "退款状态", "买家会员名", "买家退款原因"],
        ['="3958000000000000101"', '="200000000000101"', "退款成功", "无 ", "- "],
        ['="3958000000000000102"', '="200000000000102"', "退款成功", "tb_lily ", "尺码不合适 "]])
    path = tmp_path / "淘宝退款.csv"
    path.write_bytes(buffer.getvalue().encode("gb18030"))
    [export] = open_return_exports([path])
    fast = ReturnRows(export, TZ, NOW, [])
    careful = ReturnRows(export, TZ, NOW, [])
    assert [(line.buyer, line.reason) for line in fast] == [("", ""), ("tb_lily", "尺码不合适")]
    assert list(fast) == [careful._careful(number, cells) for number, cells in export.rows()]


CELLS = {
    "订单编号": st.sampled_from(['="3958000000000000101"', "3958000000000000102", "231122-508812340007777", "",
                             "3.95800000000001E+18", "3E18", "3958000000000000103\t", " 3958000000000000104 ",
                             "３９５８０００００００００００００１０５", "-"]),
    "退款编号": st.sampled_from(['="200000000000101"', "200000000000102", "", "2.00000000000101E+14", "无"]),
    "退款状态": st.sampled_from(["买家已经退货，等待卖家确认收货", "退款成功", "待商家处理", "换货中", "无售后或售后取消", ""]),
    "退货物流单号": st.sampled_from(["YT8962646785389", "yt8962646785389", "-", "", "YT 8962 6467 8538 9", "SF１３８5", "12345"]),
    "退货物流公司": st.sampled_from(["圆通速递", "百世快递", "", "-"]),
    "买家退款金额": st.sampled_from(["299.00", "1,299.00", "1.234,50", "", "¥59.90", "-5", "999999999.00", "无", "12.345"]),
    "买家实际支付金额": st.sampled_from(["299.00", "1,299.00", "", "100.00", "abc"]),
    "买家退款原因": st.sampled_from(["尺码不合适", " 质量问题 ", '="拍错了"', "'不想要", "七天\t无理由", "", "-"]),
    "超时时间": st.sampled_from(["2026-11-30 18:20:00", "2026-11-30 18:20", "", "2026/11/30 18:20", "2026-02-30 10:00:00",
                             "2026-11-30 24:00:00", "0000-00-00 00:00:00", "null", "11月30日 18:20", "2026-11-30"]),
    "买家退货时间": st.sampled_from(["2026-11-20 18:20:07", "", "-", "2026-11-20T18:20:07", "2026-13-01 10:00:00"]),
    "完结时间": st.sampled_from(["", "2026-11-22 16:05:00", "昨天"]),
    "退款的申请时间": st.sampled_from(["2026-11-20 10:00:00", "2026-11-21 09:00:00", "2026/11/21 09:00", ""]),
}


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.fixed_dictionaries(CELLS), min_size=1, max_size=30))
def test_any_messy_export_reads_the_same_in_batches_as_row_by_row(tmp_path_factory, rows):
    import csv
    import io
    from unittest.mock import patch

    from handover.returns_import.refund_exports import open_return_exports
    from handover.returns_import.refund_rows import ReturnRows

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(list(CELLS))
    writer.writerows([row[name] for name in CELLS] for row in rows)
    path = tmp_path_factory.mktemp("export") / "淘宝退款.csv"
    path.write_bytes(buffer.getvalue().encode("gb18030"))
    [export] = open_return_exports([path])
    batched, one_by_one = [], []
    with patch("handover.returns_import.refund_rows.BATCH", 7):  # several batches: what one learns, the next reuses
        fast_rows = ReturnRows(export, TZ, NOW, batched, cap=Decimal("100000"))
        fast = list(fast_rows)
    careful_rows = ReturnRows(export, TZ, NOW, one_by_one, cap=Decimal("100000"))
    careful = []
    for number, cells in export.rows():
        if careful_rows._statuses.setdefault(cells[2], export_status(cells[2].strip())) == NO_RETURN:
            continue
        line = careful_rows._careful(number, cells)
        if line is not None:
            careful.append(line)
    assert fast == careful
    assert [(r.row, r.column, r.message) for r in batched] == [(r.row, r.column, r.message) for r in one_by_one]
    # the rows whose own times go backwards (申请 after 填单), whichever path read them
    assert sorted(line.row for line in fast_rows.backwards) == [line.row for line in careful if line.backwards()]


# What an xlsx export's cells can be besides text: numbers (calamine gives every number as a float), date
# cells, a date without a time, a boolean.
TYPED_CELLS = {
    "订单编号": st.sampled_from(["3958000000000000101", 3958000000000000102.0, 231122508812345.0, 2306123456781234.0,
                             12.5, True, "", datetime(2026, 11, 22)]),
    "退款编号": st.sampled_from([200000000000101.0, "200000000000102", 2.5e20, ""]),
    "退款状态": st.sampled_from(["买家已经退货，等待卖家确认收货", "退款成功", "换货中", "无售后或售后取消"]),
    "退货物流单号": st.sampled_from([78900011122233.0, 12345.0, 9.87e20, "YT8962646785389", "", "-"]),
    "买家退款金额": st.sampled_from([39.0, 39, 59.9, 1299.5, 0.0, 39.123, 1e-05, 1e16, -5.0, 0.1 + 0.2, "59.90", "",
                               float("nan"), datetime(2026, 11, 22, 10, 0)]),
    "买家实际支付金额": st.sampled_from([39.0, 1299.99, "1,299.00", ""]),
    "买家会员名": st.sampled_from(["tb_lily2020", 13800138000.0, ""]),
    "退款的申请时间": st.sampled_from([datetime(2026, 11, 20, 10, 0, 7), datetime(2026, 11, 20, 10, 0, 59, 999999),
                                "2026-11-20 10:00:00", "", 46346.5, datetime(2026, 11, 20).date()]),
    "超时时间": st.sampled_from([datetime(2026, 11, 30, 18, 20, 5), "", "2026-11-30 18:20", 46356.75]),
    "买家退货时间": st.sampled_from([datetime(2026, 11, 20, 18, 20), "", "-", 0.5]),
}


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.fixed_dictionaries(TYPED_CELLS), min_size=1, max_size=20))
def test_any_xlsx_export_with_number_and_date_cells_reads_the_same_in_batches_as_row_by_row(tmp_path_factory, rows):
    from unittest.mock import patch

    from openpyxl import Workbook

    from handover.returns_import.refund_exports import open_return_exports
    from handover.returns_import.refund_rows import ReturnRows
    from handover.sheet import clean_text

    book = Workbook()
    book.active.append(list(TYPED_CELLS))
    for row in rows:
        book.active.append([None if row[name] == "" else row[name] for name in TYPED_CELLS])
    path = tmp_path_factory.mktemp("export") / "淘宝退款.xlsx"
    book.save(path)
    [export] = open_return_exports([path])
    batched, one_by_one = [], []
    with patch("handover.returns_import.refund_rows.BATCH", 7):
        fast = list(ReturnRows(export, TZ, NOW, batched, cap=Decimal("100000")))
    careful_rows = ReturnRows(export, TZ, NOW, one_by_one, cap=Decimal("100000"))
    careful = []
    for number, cells in export.rows():
        if export_status(clean_text(cells[2])) == NO_RETURN:
            continue
        line = careful_rows._careful(number, list(cells))
        if line is not None:
            careful.append(line)
    assert fast == careful
    assert [(r.row, r.column, r.message) for r in batched] == [(r.row, r.column, r.message) for r in one_by_one]
    for line in fast:  # what a number cell says, read exactly and never beyond the fen
        assert line.refund_amount is None or line.refund_amount.as_tuple().exponent >= -2


TIMES = st.sampled_from(["", "2026-11-20 08:00", "2026-11-20 10:00", "2026-11-21 09:00"])


@settings(max_examples=200, deadline=None)
@given(times=st.lists(st.tuples(TIMES, TIMES, TIMES, TIMES), min_size=1, max_size=12))
def test_an_import_notes_exactly_the_lines_whose_own_times_go_backwards(times):
    """Found a column at a time (fast on a big export), the same lines as `check`'s order, row by row."""
    from dataclasses import replace

    from handover.returns_import.refund_exports import going_backwards

    lines = [replace(copy(), row=number, requested_at=a, approved_at=b, waybill_at=c, signed_at=d)
             for number, (a, b, c, d) in enumerate(times)]
    assert going_backwards([list(column) for column in zip(*times)]) == [line.row for line in lines if line.backwards()]


# The shapes one match checks for a whole column (column_shapes.joined_if, TEXT_TO_CLEAN): mostly the usual
# ones, sometimes one just outside them, so that a column of a batch is sometimes all plain, sometimes not.


def nearly(plain: list[str], other: list[str]):
    return st.sampled_from(plain * 4 + other)


NEARLY_PLAIN = {
    "订单编号": nearly(['="3958000000000000101"', '="3958000000000000102"', "3958000000000000103", "231122-508812340007777"],
                   ['=""', '="39580A"', "3E18", '="3958\n0101"', "", "-"]),
    "退款编号": nearly(['="200000000000101"', '="200000000000102"', "200000000000103"], ["２００", ""]),
    "退款状态": st.sampled_from(["退款成功", "买家已经退货，等待卖家确认收货", "无售后或售后取消"]),
    "退货物流单号": nearly(["YT8962646785389", "75123456789012", "yt8962646785389", ""], ["-", "12345", "YT8962\n646785389"]),
    "买家退款金额": nearly(["299.00", "59.9", "0", "1,299.00", "1,234,567.5", ""],
                     ["-", "1234,567.00", "1,2345.00", "12.345", "99999999.00", ".5", "5."]),
    "买家实际支付金额": nearly(["299.00", "1,299.00", ""], ["100.00", "-"]),
    "买家退款原因": nearly(["尺码不合适", "七天无理由", "", "质量问题 "],
                     ["-", "- ", " 质量问题", '="拍错了"', "'不想要", "七天\t无理由", "\u3000全角空格", "两行\n原因", "\n换行开头"]),
    "买家会员名": nearly(["tb_lily2020", ""], ["=tb", " tb_lily2020"]),
    "超时时间": nearly(["2026-11-30 18:20:00", "2026-11-30 18:20", "2026-12-31 23:59:59", "2026-01-31 00:00:00",
                     "2026-06-30 12:00:00", "2026-02-28 12:00:00", ""],
                    ["2028-02-29 10:00:00", "2026-02-29 10:00:00", "2026-04-31 10:00:00", "2026-06-31 10:00:00",
                     "0999-01-01 10:00:00", "2026-11-30 24:00:00", "2026-11-30 18:60:00", "2026-13-01 10:00:00",
                     "2026-00-10 10:00:00", "2026-11-00 10:00:00", "0000-00-00 00:00:00", "-", "2026-11-30 18:20:00\n"]),
    "买家退货时间": nearly(["2026-11-20 18:20:07", "2026-11-19 08:00", ""], ["-", "2026-11-31 10:00:00"]),
    "完结时间": nearly(["", "2026-11-22 16:05:00", "2026-09-30 16:05:00"], ["null"]),
    "退款的申请时间": nearly(["2026-11-20 10:00:00", "2026-11-21 09:00:00", ""], ["2024-02-29 09:00:00"]),
}


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.fixed_dictionaries(NEARLY_PLAIN), min_size=1, max_size=12))
def test_an_export_reads_the_same_whether_or_not_its_columns_are_checked_whole(tmp_path_factory, rows):
    """A column whose every cell has the usual shape is checked by one match: it must read exactly as
    when each cell is checked the plain way (and as the careful path, which the test above compares)."""
    import csv
    import io
    import re
    from unittest.mock import patch

    from handover.returns_import.refund_exports import open_return_exports
    from handover.returns_import.refund_rows import ReturnRows

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([list(NEARLY_PLAIN), *([row[name] for name in NEARLY_PLAIN]
                                                                                for row in rows)])
    path = tmp_path_factory.mktemp("export") / "淘宝退款.csv"
    path.write_bytes(buffer.getvalue().encode("gb18030"))
    [export] = open_return_exports([path])

    def read(whole: bool):
        rejected: list = []
        with patch("handover.returns_import.refund_rows.BATCH", 3):
            if whole:
                returns = ReturnRows(export, TZ, NOW, rejected, cap=Decimal("100000"))
                lines = list(returns)
            else:
                with patch("handover.returns_import.refund_rows.joined_if", lambda shape, texts: None), \
                        patch("handover.returns_import.refund_rows.TEXT_TO_CLEAN", re.compile("")):
                    returns = ReturnRows(export, TZ, NOW, rejected, cap=Decimal("100000"))
                    lines = list(returns)
        return (lines, [(r.row, r.column, r.message) for r in rejected], [line.row for line in returns.backwards],
                returns.skipped)

    assert read(whole=True) == read(whole=False)
