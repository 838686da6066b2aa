"""Reading the platforms' exports: encodings, header sets, id wrappers, streaming, rejected rows."""

from __future__ import annotations

import csv
import io
import tracemalloc
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handover.compensation.export_rows import affiliate_lines, classify_refund, classify_status, order_lines
from handover.compensation.order_exports import AFFILIATE, ORDERS, file_kind
from handover.exports import ExportError, ExportFile, ExportRow, fast_id
from handover.model.values import ValueProblem, parse_datetime, parse_money

DATA = Path(__file__).resolve().parent / "data" / "compensation"
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=TZ)


def lines(path, *, known=(), refunds_wanted=(), everything=False, reasons=("缺货", "未按约定时间发货"), mapping=None):
    """Every typed line of an orders file, and the rows it rejected."""
    export = ExportFile(path, ORDERS, mapping)
    rejected = []
    found = list(order_lines(export, TZ, NOW, presale_keywords=("预售",), everything_presale=everything,
                             reason_matches=lambda text: any(r in text for r in reasons), known=set(known),
                             refunds_wanted=set(refunds_wanted), rejected=rejected, cap=Decimal("100000")))
    return export, found, rejected


@pytest.mark.parametrize("name, encoding, platform, kind", [
    ("taobao_orders.csv", "gb18030", "taobao", "orders"),
    ("taobao_refunds.csv", "gb18030", "taobao", "refunds"),
    ("douyin_orders.csv", "utf-8-sig", "douyin", "orders"),
    ("pinduoduo_orders.csv", "utf-8", "pinduoduo", "orders"),
    ("kuaishou_orders.xlsx", None, "kuaishou", "orders"),
])
def test_each_platform_export_is_recognised(name, encoding, platform, kind):
    export = ExportFile(DATA / name, ORDERS)
    assert (export.encoding, export.platform, file_kind(export)) == (encoding, platform, kind)
    assert export.header_row == 1


@pytest.mark.parametrize("name, kind", [("affiliate_settlement.csv", "settlement"), ("affiliate_disputes.csv", "disputes")])
def test_affiliate_reports_are_recognised(name, kind):
    export = ExportFile(DATA / name, AFFILIATE)
    assert (export.encoding, export.platform, file_kind(export)) == ("gb18030", "taobao", kind)


def test_taobao_headers_with_spaces_and_quotes_and_the_right_money_column():
    export = ExportFile(DATA / "taobao_orders.csv", ORDERS)
    # 总金额 comes first in the file, but the buyer's actual payment is 买家实际支付金额.
    assert export.header_of("paid") == "买家实际支付金额"
    # '"订单付款时间 "', '宝贝标题 ' and '物流单号 ' carry quotes and trailing spaces in the file
    assert [export.header_of(k) for k in ("paid_at", "title", "tracking_no")] == ["订单付款时间", "宝贝标题", "物流单号"]
    assert [export.header[i] for i in export.multi["presale_flag"]] == ["分阶段订单信息", "特权订金订单id", "定金排名"]


def test_gb18030_rows_are_typed_with_ids_unwrapped():
    export, found, rejected = lines(DATA / "taobao_orders.csv")
    by_id = {line.order_id: line for line in found}
    assert rejected == []
    # kept: pre-sale orders not shipped (or refunded). Not kept on their own: shipped pre-sale orders with no
    # refund in this file (004, 010), ordinary orders (005, 006, 011) and the unpaid one (009).
    assert sorted(by_id) == ["3958000000000000001", "3958000000000000002", "3958000000000000003",
                             "3958000000000000007", "3958000000000000008"]
    first = by_id["3958000000000000001"]
    assert first.title.endswith("𠮷")  # only GB18030 (not GBK) has this character
    assert first.paid == Decimal("88.88") and first.closed and first.presale
    second = by_id["3958000000000000002"]  # ="…" plus a trailing tab, 1,299.00, 2026/11/05 12:00
    assert second.paid == Decimal("1299.00") and second.shipped is False
    assert second.paid_at == datetime(2026, 11, 5, 12, 0, tzinfo=TZ)
    assert by_id["3958000000000000003"].postage == Decimal("10.00")


def test_rows_an_other_file_mentions_are_kept():
    _, found, _ = lines(DATA / "taobao_orders.csv", known={"3958000000000000005", "3958000000000000004"})
    ids = {line.order_id for line in found}
    assert {"3958000000000000004", "3958000000000000005"} <= ids


def test_refund_rows_of_affiliate_orders_are_kept():
    _, found, _ = lines(DATA / "taobao_refunds.csv", refunds_wanted={"3958000000000000006"})
    line = next(x for x in found if x.order_id == "3958000000000000006")
    assert line.refund_state == "closed" and line.refund_signal and line.refund_reason == "描述不符"


def test_douyin_sub_orders_and_promised_time():
    _, found, _ = lines(DATA / "douyin_orders.csv")
    subs = [x for x in found if x.order_id == "6930000000000000101"]
    assert [line.sub_order_id for line in subs] == ["6930000000000001011", "6930000000000001012"]
    assert subs[0].promised_at == datetime(2026, 11, 21, 18, 0, tzinfo=TZ) and subs[0].refund_state == "success"
    late = next(x for x in found if x.order_id == "6930000000000000104")
    assert late.shipped_at == datetime(2026, 11, 21, 20, 0, tzinfo=TZ) and late.shipped is True


def test_xlsx_export_reads_datetime_cells_and_reports_a_float_id():
    _, found, rejected = lines(DATA / "kuaishou_orders.xlsx")
    assert [x.order_id for x in found] == ["2411200000000001", "2411200000000002"]
    assert found[0].paid == Decimal("2600") and found[0].promised_at == datetime(2026, 11, 20, 12, 0, tzinfo=TZ)
    assert [(r.file, r.row, r.column) for r in rejected] == [("kuaishou_orders.xlsx", 4, "订单号")]
    assert "后几位已丢失" in rejected[0].message


def test_bad_rows_are_reported_with_file_row_and_column_and_the_rest_still_read():
    _, found, rejected = lines(DATA / "bad_rows.csv")
    assert [(r.row, r.column) for r in rejected] == [
        (2, "订单编号"), (3, "订单编号"), (4, "订单编号"), (5, "买家实际支付金额"), (6, "订单付款时间")]
    assert all(r.file == "bad_rows.csv" for r in rejected)
    assert "3.95800000000001E+18" in rejected[0].message and "3958000000000000201.0" in rejected[1].message
    assert rejected[0].as_json() == {"file": "bad_rows.csv", "row": 2, "column": "订单编号", "message": rejected[0].message}
    assert [x.order_id for x in found] == ["3958000000000000204"]


def test_columns_mapping_reads_a_shops_own_export():
    with pytest.raises(ExportError, match=r"\[columns\].*order_id"):
        ExportFile(DATA / "custom_orders.csv", ORDERS)
    mapping = {"order_id": ("单号",), "paid": ("成交金额",), "paid_at": ("付款日期",), "order_status": ("状态",),
               "presale_flag": ("预售",), "refund_reason": ("退款理由",)}
    _, found, rejected = lines(DATA / "custom_orders.csv", mapping=mapping)
    assert rejected == []
    # 预售 = 否 is not a pre-sale marker, but its 缺货 reason keeps the row for the rules to judge
    assert [(line.order_id, line.presale, line.paid) for line in found] == [
        ("C20261101001", True, Decimal("200.00")), ("C20261101002", False, Decimal("100.00"))]


def test_affiliate_rows_with_commission_earned_and_claw_back():
    rejected = []
    settlement = list(affiliate_lines(ExportFile(DATA / "affiliate_settlement.csv", AFFILIATE), TZ, NOW, rejected))
    assert rejected == []
    first = settlement[0]
    assert (first.order_id, first.sub_order_id, first.paid, first.commission) == (
        "3958000000000000006", "3958000000000000061", Decimal("300.00"), Decimal("30.00"))
    assert first.commission_rate == Decimal("0.1") and first.earned is True
    disputes = list(affiliate_lines(ExportFile(DATA / "affiliate_disputes.csv", AFFILIATE), TZ, NOW, rejected))
    assert [(d.order_id, d.clawback, d.dispute_state) for d in disputes] == [
        ("3958000000000000012", Decimal("20.00"), "success"), ("3958000000000000013", Decimal("5.00"), "open")]


def test_missing_file_and_undecodable_file(tmp_path):
    with pytest.raises(ExportError, match="找不到文件"):
        ExportFile(tmp_path / "nope.csv", ORDERS)
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes("订单编号,金额\r\n".encode("utf-8") + b"\xff\xfe\xff,1\r\n")
    with pytest.raises(ExportError, match="编码"):
        ExportFile(garbage, ORDERS)


@pytest.mark.parametrize("spoil, says", [
    ("password", "淘宝订单.xlsx：设了打开密码，handover 读不了：请在 Excel/WPS 里去掉密码另存一份，或从平台重新导出"),
    ("cut", "淘宝订单.xlsx：不完整或已损坏（下载或复制到一半断了？）：请从平台重新导出"),
    ("empty", "淘宝订单.xlsx：是空文件（0 字节）：下载可能没有完成，请从平台重新导出"),
    ("html", "淘宝订单.xlsx：不是能打开的工作簿（可能是别的文件改了扩展名）：请从平台重新导出，或用 Excel/WPS 打开后另存为 .xlsx"),
])
def test_an_export_workbook_that_will_not_open_says_why_in_chinese(tmp_path, spoil, says):
    from user_files_kit import encrypted_xlsx, truncated

    made = tmp_path / "made.xlsx"
    book = __import__("openpyxl").Workbook()
    book.active.append(["订单编号", "总金额"])
    book.save(made)
    data = {"password": encrypted_xlsx, "cut": lambda: truncated(made.read_bytes()), "empty": lambda: b"",
            "html": lambda: b"<html><table><tr><td>1</td></tr></table></html>"}[spoil]()
    (tmp_path / "淘宝订单.xlsx").write_bytes(data)
    with pytest.raises(ExportError) as raised:
        ExportFile(tmp_path / "淘宝订单.xlsx", ORDERS)
    assert str(raised.value) == says


def test_a_bad_byte_after_the_sniffed_part_stops_with_the_row(tmp_path):
    path = tmp_path / "long.csv"
    body = "".join(f"{3958000000000000000 + i},12.00,交易成功\r\n" for i in range(40000))  # > 1 MB of UTF-8
    path.write_bytes("订单编号,买家实际支付金额,订单状态\r\n".encode() + body.encode() + b"\xff\xff,1,x\r\n")
    with pytest.raises(ExportError, match=r"long.csv：第 \d+ 行附近有不能按 utf-8 读取的字节") as caught:
        lines(path)
    row = int(str(caught.value).split("第 ")[1].split(" 行")[0])
    assert 39000 < row <= 40002  # the decoder reads ahead a little: the row is approximate


def test_reading_in_batches_stops_at_the_row_a_long_file_goes_wrong_in(tmp_path):
    """Batches are the fast way through a big file; where it goes wrong is still told row by row."""
    path = tmp_path / "long.csv"
    body = "".join(f"{3958000000000000000 + i},12.00,交易成功\r\n" for i in range(40000))  # > 1 MB of UTF-8
    path.write_bytes("订单编号,买家实际支付金额,订单状态\r\n".encode() + body.encode() + b"\xff\xff,1,x\r\n")
    export = ExportFile(path, ORDERS)
    read = 0
    with pytest.raises(ExportError, match=r"long.csv：第 \d+ 行") as caught:
        for first, rows in export.row_batches(2048):
            assert first == read + 2
            read += len(rows)
    assert 30000 < read <= 40000  # whole batches before the one the decoder stopped in
    row = int(str(caught.value).split("第 ")[1].split(" 行")[0])
    assert 39000 < row <= 40002


def test_utf16_tab_separated_and_a_title_line_above_the_header(tmp_path):
    path = tmp_path / "export.txt"
    path.write_text("订单导出 2026-11-22\n订单编号\t买家实际支付金额\t订单付款时间\t宝贝标题\n"
                    "3958000000000000301\t88.00\t2026-11-10 10:00\t【预售】外套\n", encoding="utf-16")
    export, found, _ = lines(path)
    assert (export.encoding, export.delimiter, export.header_row) == ("utf-16", "\t", 2)
    assert [(line.row, line.order_id, line.paid) for line in found] == [(3, "3958000000000000301", Decimal("88.00"))]


def test_status_and_refund_vocabularies():
    assert classify_status("买家已付款，等待卖家发货") == (False, False, False)
    assert classify_status("卖家已发货，等待买家确认") == (True, False, False)
    assert classify_status("未发货，退款成功") == (False, True, False)
    assert classify_status("等待买家付款")[2] is True
    assert [classify_refund(t) for t in ("", "无售后或售后取消", "退款成功", "退款关闭", "买家已经申请退款，等待卖家同意")] == [
        None, "none", "success", "closed", "open"]


def _ordinary_orders(path: Path, count: int) -> None:
    with open(path, "w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["订单编号", "买家实际支付金额", "订单状态", "订单付款时间", "宝贝标题", "收货地址"])
        for i in range(count):
            writer.writerow([f'="{3958000000000000000 + i}"', "99.00", "交易成功", "2026-11-01 10:00:00", "羽绒服",
                             "浙江省杭州市西湖区文三路 90 号" * 3])


def _peak_while_reading(path: Path) -> int:
    tracemalloc.start()
    try:
        _, found, rejected = lines(path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        assert found == [] and rejected == []


def test_streaming_keeps_memory_flat(tmp_path):
    """Ordinary orders are never kept: four times the rows take no more memory."""
    small, big = tmp_path / "small.csv", tmp_path / "big.csv"
    _ordinary_orders(small, 15000)
    _ordinary_orders(big, 60000)
    small_peak, big_peak = _peak_while_reading(small), _peak_while_reading(big)
    assert big.stat().st_size > 7_000_000
    assert big_peak < small_peak * 1.1 + 100_000
    assert big_peak < 3_000_000  # a list of the big file's rows would take far more than its 7 MB


ID = st.integers(min_value=10**17, max_value=10**19 - 1).map(str)


@given(order_id=ID, wrapper=st.sampled_from(['{}', '="{}"', '{}\t', ' {} ', "'{}", '"=""{}"""', "＝\"{}\""]))
def test_every_way_an_export_wraps_an_id_gives_the_id_back(order_id, wrapper):
    assert fast_id(wrapper.format(order_id)) == order_id


@given(order_id=ID)
def test_ids_a_spreadsheet_turned_into_floats_are_refused(order_id):
    for mangled in (f"{float(order_id):.14E}", f"{float(order_id):.5E}", f"{order_id}.0", float(order_id)):
        with pytest.raises(ValueProblem):
            fast_id(mangled)


@settings(max_examples=60, deadline=None)
@given(cents=st.integers(min_value=0, max_value=10**7),
       style=st.sampled_from(["{:.2f}", "{:,.2f}", "¥{:,.2f}", "{:.2f}元", '="{:.2f}"', "￥{:,.2f}", "RMB {:.2f}"]),
       encoding=st.sampled_from(["gb18030", "utf-8-sig", "utf-8"]))
def test_messy_money_in_any_encoding_reads_exactly(tmp_path_factory, cents, style, encoding):
    amount = Decimal(cents) / 100
    path = tmp_path_factory.mktemp("money") / "orders.csv"
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["订单编号", "买家实际支付金额", "订单状态", "宝贝标题"],
                                  ['="3958000000000000401"', style.format(amount), "等待卖家发货", "【预售】外套"]])
    path.write_bytes(buffer.getvalue().encode(encoding))
    _, found, rejected = lines(path)
    assert rejected == [] and found[0].paid == amount


def test_fixtures_match_the_script_that_makes_them(tmp_path):
    """tests/data/compensation is what make_fixtures.py writes: edit the script, not the files."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_fixtures", DATA / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_all(tmp_path)
    for made in sorted(tmp_path.iterdir()):
        kept = DATA / made.name
        if made.suffix == ".xlsx":  # zip timestamps differ run to run: compare the cells
            from python_calamine import CalamineWorkbook

            cells = [CalamineWorkbook.from_path(str(p)).get_sheet_by_index(0).to_python() for p in (made, kept)]
            assert cells[0] == cells[1], made.name
        else:
            assert made.read_bytes() == kept.read_bytes(), made.name


# ------------------------------------------------------------------ money read exactly or rejected (issue 15)

@pytest.mark.parametrize("written, amount", [
    ("1299.00", "1299.00"), ("1,299.00", "1299.00"), ("¥1,299.00", "1299.00"), ("￥1,299.00", "1299.00"),
    ("1299元", "1299"), ("¥ 1,299.00", "1299.00"), ("１，２９９．００", "1299.00"), ('="59.90"', "59.90"),
    ("1,234,567.8", "1234567.8"), ("0.05", "0.05"), (59.9, "59.9"), (1299, "1299"),
    (0.1 + 0.2, "0.30"),  # a number cell a formula filled: its float noise is not a third decimal
])
def test_money_in_plain_decimal_form_reads_exactly(written, amount):
    from handover.model.values import parse_money

    assert str(parse_money(written)) == amount


@pytest.mark.parametrize("written, why", [
    ("1 234,5", "分不清哪个是千位分隔、哪个是小数点"),  # read as 12345.00 before issue 15
    ("1.234,50", "分不清哪个是千位分隔、哪个是小数点"),  # read as 1.2345
    ("1,29.00", "千位逗号要每三位一个"), ("1299,00", "千位逗号要每三位一个"), ("26.664", "最多两位小数"),
    ("12.", "请写成 59.90 这样"), (".5", "请写成 59.90 这样"), ("八十八", "不是金额"), (float("nan"), "不是金额"),
    (39.123, "最多两位小数"), (1e-05, "最多两位小数"),  # number cells of an xlsx export, as compensation reads them
])
def test_money_that_could_mean_two_amounts_is_refused(written, why):
    from handover.model.values import parse_money

    with pytest.raises(ValueProblem, match=why):
        parse_money(written)


ORDER_HEADER = "订单编号,总金额,买家实际支付金额,订单状态,订单付款时间,宝贝标题,退款金额\r\n"


def _one_line_file(tmp_path, body: str, name: str = "orders.csv", header: str = ORDER_HEADER) -> Path:
    path = tmp_path / name
    path.write_bytes((header + body).encode("gb18030"))
    return path


@pytest.mark.parametrize("paid", ["1 234,5", "1.234,50", "99999999999999999999.99"])
def test_an_amount_the_clerk_cannot_trust_is_a_rejected_row_never_a_payout(tmp_path, paid):
    path = _one_line_file(tmp_path, f'3958000000000000801,"{paid}","{paid}",买家已付款，等待卖家发货,2026-11-01 10:00,【预售】外套,0\r\n')
    export, found, rejected = lines(path)
    assert found == []
    assert [(r.file, r.row, r.column) for r in rejected] == [("orders.csv", 2, "总金额"), ("orders.csv", 2, "买家实际支付金额")]


def test_an_amount_above_the_cap_is_rejected_and_the_cap_is_a_setting(tmp_path):
    path = _one_line_file(tmp_path, "3958000000000000802,250000.00,250000.00,买家已付款，等待卖家发货,2026-11-01 10:00,【预售】貂,0\r\n")
    export = ExportFile(path, ORDERS)
    rejected = []
    found = list(order_lines(export, TZ, NOW, presale_keywords=("预售",), everything_presale=False,
                             reason_matches=lambda text: False, known=set(), refunds_wanted=set(), rejected=rejected,
                             cap=Decimal("100000")))
    assert found == [] and "超过上限 100,000.00 元" in rejected[0].message and "max_order_amount" in rejected[0].message
    found = list(order_lines(export, TZ, NOW, presale_keywords=("预售",), everything_presale=False,
                             reason_matches=lambda text: False, known=set(), refunds_wanted=set(), rejected=[],
                             cap=Decimal("300000")))
    assert [line.paid for line in found] == [Decimal("250000.00")]


def test_a_paid_amount_above_the_orders_own_total_is_rejected(tmp_path):
    path = _one_line_file(tmp_path, "3958000000000000803,129.90,1299.00,买家已付款，等待卖家发货,2026-11-01 10:00,【预售】外套,0\r\n")
    _, found, rejected = lines(path)
    assert found == [] and [(r.row, r.column) for r in rejected] == [(2, "买家实际支付金额")]
    assert rejected[0].message.startswith("1299.00 元超过这一行的「总金额」129.90 元")


def test_a_refund_above_what_the_buyer_paid_is_rejected(tmp_path):
    path = _one_line_file(tmp_path, "3958000000000000804,88.00,88.00,交易关闭,2026-11-01 10:00,【预售】外套,880.00\r\n")
    _, found, rejected = lines(path)
    assert found == [] and [(r.row, r.column) for r in rejected] == [(2, "退款金额")]


def test_a_download_cut_off_in_its_last_line_is_rejected_not_paid(tmp_path):
    body = ("3958000000000000805,1299.00,1299.00,买家已付款，等待卖家发货,2026-11-01 10:00,【预售】外套,0.00\r\n"
            "3958000000000000806,1299.00,1299.00,买家已付款，等待卖家发货,2026-11-01 10:00,【预售】外套,12")  # was 1299.00
    _, found, rejected = lines(_one_line_file(tmp_path, body))
    assert [line.order_id for line in found] == ["3958000000000000805"]
    assert [(r.file, r.row, r.column) for r in rejected] == [("orders.csv", 3, None)]
    assert rejected[0].message == ("文件在这一行中途结束（最后一行没有换行，「退款金额」是「12」，上一行是「0.00」）："
                                   "下载可能不完整，请重新导出")


def test_a_download_cut_off_mid_line_is_rejected_not_paid(tmp_path):
    body = ("3958000000000000807,88.00,88.00,买家已付款，等待卖家发货,2026-11-01 10:00,【预售】外套,0.00\r\n"
            "3958000000000000808,1299.00,12")
    _, found, rejected = lines(_one_line_file(tmp_path, body))
    assert [line.order_id for line in found] == ["3958000000000000807"]
    assert [(r.row, r.message) for r in rejected] == [
        (3, "文件在这一行中途结束（最后一行没有换行，只有 3 列，表头有 7 列）：下载可能不完整，请重新导出")]


def test_a_complete_last_line_without_a_line_break_is_read(tmp_path):
    body = ("3958000000000000809,88.00,88.00,买家已付款，等待卖家发货,2026-11-01 10:00,【预售】外套,0.00\r\n"
            "3958000000000000810,99.00,99.00,买家已付款，等待卖家发货,2026-11-02 10:00,【预售】外套,0.00")
    _, found, rejected = lines(_one_line_file(tmp_path, body))
    assert rejected == [] and [line.order_id for line in found] == ["3958000000000000809", "3958000000000000810"]


def test_a_line_with_fewer_fields_than_the_header_is_rejected_not_skipped(tmp_path):
    body = ("3958000000000000811,88.00,88.00,买家已付款，等待卖家发货,2026-11-01 10:00\r\n"
            "\r\n"  # a blank line is nothing
            "3958000000000000812,88.00,88.00,买家已付款，等待卖家发货,2026-11-01 10:00,【预售】外套,0.00\r\n")
    _, found, rejected = lines(_one_line_file(tmp_path, body))
    assert [line.order_id for line in found] == ["3958000000000000812"]
    assert [(r.row, r.column, r.message) for r in rejected] == [
        (2, None, "这一行只有 5 列，表头有 7 列：各列对不上，请重新导出")]


def test_a_line_with_an_unquoted_comma_in_the_address_is_rejected(tmp_path):
    header = "订单编号,买家实际支付金额,收货地址,订单付款时间,宝贝标题\r\n"
    body = "3958000000000000813,88.00,浙江省杭州市,西湖区,2026-11-01 10:00,【预售】外套\r\n"
    _, found, rejected = lines(_one_line_file(tmp_path, body, header=header))
    assert found == [] and rejected[0].message.startswith("这一行比表头多 1 列（可能有没加引号的逗号）")


def test_affiliate_rows_are_held_to_the_same_shape_and_cap(tmp_path):
    path = tmp_path / "affiliate.csv"
    path.write_text("淘宝父订单编号,付款金额,佣金,确认收货时间\n3958000000000000814,88.00\n"
                    "3958000000000000815,88.00,99999999999999999999.99,2026-11-10 10:00\n", encoding="utf-8")
    rejected = []
    assert list(affiliate_lines(ExportFile(path, AFFILIATE), TZ, NOW, rejected, Decimal("100000"))) == []
    assert [(r.row, r.column) for r in rejected] == [(2, None), (3, "佣金")]


@given(st.one_of(
    st.from_regex(r"\A\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\Z"),
    st.datetimes(datetime(1990, 1, 1), datetime(2100, 1, 1)).map(lambda d: f"{d:%Y-%m-%d %H:%M:%S}")))
def test_a_time_as_exports_write_it_reads_as_the_value_parser_reads_it(text):
    tz = ZoneInfo("Asia/Shanghai")
    row = _export_row({"订单付款时间": text})
    try:
        expected = parse_datetime(text, tz, reference=datetime(2026, 11, 22, tzinfo=tz))
    except ValueProblem as problem:
        assert row.time("paid_at") is None and row.problems[0].message == str(problem)
    else:
        assert row.time("paid_at") == expected and not row.problems


@given(st.one_of(st.from_regex(r"\A\d{1,9}(\.\d{1,3})?\Z"), st.decimals("0", "99999", places=2).map(str)))
def test_an_amount_as_exports_write_it_reads_as_the_value_parser_reads_it(text):
    row = _export_row({"买家实际支付金额": text})
    try:
        expected = parse_money(text)
    except ValueProblem as problem:
        assert row.money("paid") is None and row.problems[0].message == str(problem)
    else:
        amount = row.money("paid")
        assert amount == expected and str(amount) == str(expected) and not row.problems


def _export_row(cells: dict[str, str]):
    import tempfile

    header = ["订单编号", "订单付款时间", "买家实际支付金额"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "orders.csv"
        path.write_text(",".join(header) + "\n" + '="1",,\n', encoding="utf-8")
        export = ExportFile(path, ORDERS, {})
    values = [cells.get(name, "") for name in header]
    tz = ZoneInfo("Asia/Shanghai")
    return ExportRow(export, values, 2, tz, datetime(2026, 11, 22, tzinfo=tz), None)


# ------------------------------------------------- a big export skimmed a batch at a time (issue 13)

SKIM_HEADER = ["订单编号", "订单状态", "买家实际支付金额", "宝贝标题", "分阶段订单信息", "买家退款原因", "退款状态", "订单付款时间"]
_SKIM_IDS = ["3958000000000000901", "3958000000000000902", "3958000000000000903"]


def _skim_file(folder: Path, rows: list[list[str]]) -> Path:
    path = folder / "orders.csv"
    with open(path, "w", encoding="gb18030", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows([SKIM_HEADER, *rows])
    return path


def _scanned(path: Path, known=(), *, skim: bool = True, batch: int = 4):
    """order_lines over the file, the orders it yields becoming known as compensation's scan makes them
    (merge_order), with the batch skim or with every row read one by one."""
    import contextlib
    from unittest import mock

    from handover.compensation import export_rows

    known = set(known)
    rejected: list = []
    found = []
    one_by_one = mock.patch.object(export_rows, "_could_matter", lambda export, *rest: export.rows())
    with mock.patch.object(export_rows, "_BATCH", batch), (one_by_one if not skim else contextlib.nullcontext()):
        for line in order_lines(ExportFile(path, ORDERS), TZ, NOW, presale_keywords=("预售",), everything_presale=False,
                                reason_matches=lambda text: "缺货" in text, known=known, refunds_wanted=set(),
                                rejected=rejected, cap=Decimal("100000")):
            found.append(line)
            known.add(line.order_id)
    return found, rejected


@pytest.mark.parametrize("batch", [1, 2, 128])
def test_an_order_on_two_rows_where_only_the_first_says_pre_sale_reads_both_rows(tmp_path, batch):
    """Sub-orders: the second row says nothing itself, but its order is one that matters."""
    path = _skim_file(tmp_path, [
        [f'="{_SKIM_IDS[0]}"', "买家已付款，等待卖家发货", "59.90", "【预售】羽绒服", "", "", "", "2026-11-01 10:00:00"],
        [f'="{_SKIM_IDS[1]}"', "交易成功", "19.90", "T恤", "", "", "", "2026-11-01 10:00:00"],
        [f'="{_SKIM_IDS[0]}"', "买家已付款，等待卖家发货", "29.90", "围巾", "", "", "", "2026-11-01 10:00:00"],
    ])
    found, rejected = _scanned(path, batch=batch)
    assert [(line.row, line.order_id) for line in found] == [(2, _SKIM_IDS[0]), (4, _SKIM_IDS[0])] and rejected == []
    found, _ = _scanned(path, known=[_SKIM_IDS[1]], batch=batch)  # another file mentioned the second order
    assert [line.row for line in found] == [2, 3, 4]


@pytest.mark.parametrize("batch", [1, 2, 128])
def test_a_download_cut_off_in_a_plain_last_line_is_still_rejected(tmp_path, batch):
    """A row nothing marks is left after a glance, unless it is the last line of a file that stops mid-row."""
    path = _skim_file(tmp_path, [[_SKIM_IDS[i], "交易成功", "19.90", "T恤", "", "", "", "2026-11-01 10:00:00"] for i in (0, 1)])
    path.write_bytes(path.read_bytes()[:-len("0:00\r\n")])  # 2026-11-01 10:0
    found, rejected = _scanned(path, batch=batch)
    assert found == [] and [(r.row, r.column) for r in rejected] == [(3, None)]
    assert "文件在这一行中途结束" in rejected[0].message


_SKIM_ROW = st.tuples(
    st.sampled_from([*_SKIM_IDS, *(f'="{i}"' for i in _SKIM_IDS), " 3958000000000000904", "3.958E+18", "", "3958\n0905"]),
    st.sampled_from(["交易成功", "买家已付款，等待卖家发货", "等待买家付款", "交易关闭", ""]),
    st.sampled_from(["59.90", "1,299.00", "", "abc"]),
    st.sampled_from(["纯棉T恤", "【预售】羽绒服", "", "预\n售"]),
    st.sampled_from(["", "定金已付", "否", " "]),
    st.sampled_from(["", "缺货", "七天无理由", "  "]),
    st.sampled_from(["", "买家已经申请退款，等待卖家同意", "退款关闭"]),
    st.sampled_from(["2026-11-01 10:00:00", "2026-02-30 10:00:00", ""]),
    st.sampled_from([8, 8, 8, 8, 8, 8, 5, 9]),  # cells kept: a short row, or one with an unquoted comma
).map(lambda cells: [*cells[:8], "多"][:cells[8]])


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(_SKIM_ROW, max_size=14), known=st.sets(st.sampled_from(_SKIM_IDS)), batch=st.integers(1, 5),
       cut=st.booleans())
def test_an_export_skimmed_a_batch_at_a_time_gives_what_reading_each_row_gives(tmp_path_factory, rows, known, batch, cut):
    """Any mix of rows (odd ids, markers, keywords in titles, sub-orders, short and long rows, a last line
    cut off): the rows left after a glance at their batch are exactly those reading each row leaves."""
    path = _skim_file(tmp_path_factory.mktemp("skim"), rows)
    if cut:
        path.write_bytes(path.read_bytes().rstrip(b"\r\n"))
    assert _scanned(path, known, batch=batch) == _scanned(path, known, skim=False, batch=batch)
