"""The 退货 tab: parsing, bad dates reported by row and column, logging a return, and matching a parcel
by its return tracking number."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handover.backends.xlsx import XlsxBackend
from handover.errors import CellError
from handover.model.returns_tab import (
    RETURN_DROPDOWNS,
    RETURN_TEXT_HEADERS,
    ReturnItem,
    Stage,
    parse_returns,
    return_log_plan,
)
from handover.model.rows import IdAllocator
from handover.model.schema import (
    RETURN_COLUMNS,
    TABS,
    RefundStatus,
    ShippingPayer,
    refund_status_of,
    shipping_payer_of,
)
from handover.model.values import ValueProblem
from handover.returns import find_by_tracking
from handover.sheet import Grid

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=TZ)
DATA = Path(__file__).resolve().parent / "data" / "returns"
HEADER = [c.header for c in RETURN_COLUMNS]
RETURN_TAB = TABS["returns"]


def next_return_id(existing, now):
    return IdAllocator("R", existing).next(now)


def read(name: str, tmp_path: Path):
    copy = tmp_path / name
    shutil.copyfile(DATA / name, copy)
    backend = XlsxBackend(copy)
    return backend, backend.read([RETURN_TAB])[RETURN_TAB]


@pytest.fixture
def ledger(tmp_path):
    _, grid = read("ledger.xlsx", tmp_path)
    return parse_returns(grid, TZ, now=NOW)


def by_row(table, row: int) -> ReturnItem:
    return next(item for item in table.items if item.row == row)


def grid(*rows: dict) -> Grid:
    keys = [c.key for c in RETURN_COLUMNS]
    return Grid(RETURN_TAB, list(HEADER), [[values.get(key) for key in keys] for values in rows])


# ---------------------------------------------------------------------------------- parsing

def test_ledger_rows_become_typed_records(ledger):
    assert [item.row for item in ledger.items] == list(range(2, 18))
    douyin = by_row(ledger, 2)
    assert (douyin.id, douyin.platform, douyin.order_id, douyin.buyer) == (
        "R20261115-001", "douyin", "4001234567890123456", "江南小雨")
    assert douyin.shipping_paid_by is ShippingPayer.INSURANCE
    assert douyin.return_courier.key == "zto" and not douyin.courier_recognised
    assert douyin.waybill_at == datetime(2026, 11, 15, 20, 0, tzinfo=TZ)
    assert douyin.refund_status is RefundStatus.IN_TRANSIT and douyin.stage is Stage.IN_TRANSIT
    assert douyin.problems == []


def test_every_way_a_time_is_written(ledger):
    assert by_row(ledger, 3).requested_at == datetime(2026, 11, 21, 10, 30, tzinfo=TZ)  # 2026/11/21 10:30
    assert by_row(ledger, 4).waybill_at == datetime(2026, 11, 14, 10, 0, tzinfo=TZ)  # Excel serial
    assert by_row(ledger, 5).approved_at == datetime(2026, 11, 15, 8, 0, tzinfo=TZ)  # 11月15日 08:00
    for item in ledger.items:
        for moment in (item.requested_at, item.approved_at, item.waybill_at, item.signed_at):
            assert moment is None or moment.tzinfo is TZ


def test_extra_columns_do_not_disturb(ledger):
    assert "备注" in ledger.grid.header
    assert ledger.sheet_problems == []


# Row, column, what the message says, severity: one kind of bad date per row of the fixture.
BAD_DATES = [
    (8, "申请时间", "看不懂的时间：昨晚十点", "error"),
    (9, "同意时间", "没有这个日期或时间：2026-02-30 10:00", "error"),
    (10, "填单时间", "2027-11-20 10:00 还没到", "error"),
    (11, "签收时间", "2026-11-18 09:00 早于「填单时间」2026-11-19 10:00", "error"),
    (12, "填单时间", "只有日期没有时间", "warning"),
    (13, "签收时间", "不是日期", "error"),
    (14, "延长时间", "早于「填单时间」2026-11-19 10:00：延长收货只能在买家填了退货单号之后", "error"),
]


@pytest.mark.parametrize("row, column, fragment, severity", BAD_DATES, ids=[f"row{b[0]}" for b in BAD_DATES])
def test_each_kind_of_bad_date_is_reported_by_row_and_column(ledger, row, column, fragment, severity):
    problems = [p for p in by_row(ledger, row).problems if p.column == column]
    assert len(problems) == 1, by_row(ledger, row).problems
    problem = problems[0]
    assert (problem.row, problem.severity) == (row, severity)
    assert fragment in problem.message
    assert problem.describe().startswith(f"第 {row} 行「{column}」：")
    assert problem.id == by_row(ledger, row).id


def test_a_bad_time_is_not_used(ledger):
    assert by_row(ledger, 10).waybill_at is None and "waybill_at" in by_row(ledger, 10).unusable
    assert by_row(ledger, 11).signed_at is None
    # A date without a time is used (at 00:00, which can only warn early), with its warning.
    assert by_row(ledger, 12).waybill_at == datetime(2026, 11, 20, 0, 0, tzinfo=TZ)


def test_lost_order_id_unknown_platform_and_status(ledger):
    item = by_row(ledger, 15)
    messages = {p.column: p.message for p in item.problems}
    assert "后几位已丢失" in messages["订单号"]
    assert "不认识的平台「小红书」" in messages["平台"]
    assert "不认识的退款状态「处理中吧」" in messages["退款状态"]
    assert item.order_id == "" and item.platform is None


def test_full_width_spaced_tracking_number_is_normalised(ledger):
    item = by_row(ledger, 16)
    assert item.return_tracking_no == "SF1385628716739"
    assert item.return_courier.key == "sf" and item.courier_recognised


def test_english_headers_in_another_order(tmp_path):
    _, english = read("english.xlsx", tmp_path)
    table = parse_returns(english, TZ, now=NOW)
    first, second = table.items
    assert (first.id, first.platform, first.order_id, first.return_tracking_no) == (
        "R20261120-005", "taobao", "3958000000000000001", "YT8962646785389")
    assert first.refund_status is RefundStatus.IN_TRANSIT and first.reason == "wrong size"
    assert second.shipping_paid_by is ShippingPayer.INSURANCE and second.stage is Stage.REQUEST
    assert table.problems() == []


def test_missing_required_columns_and_cells():
    table = parse_returns(Grid(RETURN_TAB, ["编号", "买家"], [["R1", "小王"]]), TZ, now=NOW)
    assert [p.message for p in table.sheet_problems] == [
        "表头里找不到「平台」列：每条退货都需要它", "表头里找不到「订单号」列：每条退货都需要它"]
    item = table.items[0]
    assert {p.column for p in item.errors} == {"平台", "订单号"}


def test_blank_rows_are_skipped_and_duplicate_ids_flagged():
    table = parse_returns(grid({"id": "R1", "platform": "抖音", "order_id": "1"}, {}, {"id": "R1", "platform": "淘宝",
                                                                                       "order_id": "2"}), TZ, now=NOW)
    assert [item.row for item in table.items] == [2, 4]
    assert table.items[1].errors[0].message == "编号 R1 和第 2 行重复：请改成不同的编号"


def test_shipped_without_tracking_number_is_a_warning():
    item = parse_returns(grid({"platform": "抖音", "order_id": "1", "waybill_at": "2026-11-20 10:00"}), TZ, now=NOW).items[0]
    assert [(p.column, p.severity) for p in item.problems] == [("退货单号", "warning")]


def test_tracking_number_that_does_not_fit_the_courier_is_a_warning():
    item = parse_returns(grid({"platform": "抖音", "order_id": "1", "return_courier": "顺丰",
                               "return_tracking_no": "YT8962646785389"}), TZ, now=NOW).items[0]
    assert [(p.column, p.severity) for p in item.problems] == [("退货单号", "warning")]
    assert "不像顺丰的单号" in item.problems[0].message


def test_time_typed_slightly_ahead_of_the_clock_is_accepted():
    item = parse_returns(grid({"platform": "抖音", "order_id": "1", "requested_at": "2026-11-22 09:40"}), TZ,
                         now=NOW).items[0]
    assert item.problems == [] and item.requested_at.hour == 9


@pytest.mark.parametrize("text, status", [
    ("退货中", RefundStatus.IN_TRANSIT), ("买家已退货等待卖家收货", RefundStatus.IN_TRANSIT),
    ("退款成功", RefundStatus.REFUNDED), ("退款关闭", RefundStatus.CLOSED), ("已同意退货退款待用户发货", RefundStatus.AWAITING_RETURN),
    ("买家逾期未处理退款失败", RefundStatus.CLOSED), ("待商家处理", RefundStatus.REQUEST), ("已签收", RefundStatus.SIGNED),
    ("已拒绝", RefundStatus.REJECTED), ("In Transit", RefundStatus.IN_TRANSIT), ("发呆", None),
])
def test_refund_statuses_from_exports(text, status):
    assert refund_status_of(text) is status


@pytest.mark.parametrize("text, payer", [("买家", ShippingPayer.BUYER), ("买家承担", ShippingPayer.BUYER),
                                         ("商家", ShippingPayer.SHOP), ("卖家承担", ShippingPayer.SHOP),
                                         ("运费险", ShippingPayer.INSURANCE), ("退货险", ShippingPayer.INSURANCE),
                                         ("平台", None)])
def test_shipping_payers(text, payer):
    assert shipping_payer_of(text) is payer


@pytest.mark.parametrize("values, stage", [
    ({}, None),
    ({"requested_at": "2026-11-20 10:00"}, Stage.REQUEST),
    ({"requested_at": "2026-11-20 10:00", "approved_at": "2026-11-20 11:00"}, Stage.AWAITING_RETURN),
    ({"refund_status": "退货中"}, Stage.IN_TRANSIT),
    # A status someone forgot to move on does not hide the signature.
    ({"refund_status": "退货中", "signed_at": "2026-11-21 10:00"}, Stage.SIGNED),
    ({"refund_status": "已签收", "requested_at": "2026-11-20 10:00"}, Stage.SIGNED),
    ({"refund_status": "已退款", "signed_at": "2026-11-21 10:00"}, None),
    ({"refund_status": "已拒绝"}, None),
])
def test_stage_is_the_later_of_status_and_times(values, stage):
    item = parse_returns(grid({"platform": "抖音", "order_id": "1", **values}), TZ, now=NOW).items[0]
    assert item.stage is stage


def test_as_json_uses_english_keys_and_iso_times(ledger):
    data = by_row(ledger, 2).as_json(TZ)
    assert data["row"] == 2 and data["shipping_paid_by"] == "insurance" and data["stage"] == "in_transit"
    assert data["waybill_at"] == "2026-11-15T20:00:00+08:00" and data["return_courier"] == "zto"


def test_init_vocabularies():
    assert RETURN_DROPDOWNS["运费承担"] == ["买家", "商家", "运费险"]
    assert RETURN_DROPDOWNS["退款状态"] == ["待处理", "待买家退货", "退货中", "已签收", "已退款", "已拒绝", "已关闭"]
    for choice in RETURN_DROPDOWNS["退款状态"]:
        assert refund_status_of(choice) is not None
    assert set(RETURN_DROPDOWNS) <= set(HEADER) and set(RETURN_TEXT_HEADERS) <= set(HEADER)


# ------------------------------------------------------------------------------------ logging

FIELDS = {"platform": "抖音", "order_id": "4001234567890123999", "buyer": "小王", "reason": "尺码不合适",
          "shipping_paid_by": "运费险", "return_courier": "中通", "return_tracking_no": "7310 0012 3456 78",
          "requested_at": "2026-11-21 20:15"}


def test_log_into_a_workbook_without_the_tab_creates_it():
    write, item = return_log_plan(None, FIELDS, now=NOW, tz=TZ)
    assert write.create and write.tab == RETURN_TAB and write.header == HEADER
    assert write.id_column == "编号"
    row = dict(zip(write.header, write.appends[0]))
    assert row["编号"] == "R20261122-001" and row["订单号"] == "4001234567890123999"
    assert row["运费承担"] == "运费险" and row["超时时间"] is None
    assert row["退货单号"] == "73100012345678"  # typed with spaces, stored bare
    assert item.return_tracking_no == "73100012345678" and item.stage is Stage.REQUEST


def test_log_appends_to_the_tab_with_the_next_id_and_round_trips(tmp_path):
    backend, existing = read("ledger.xlsx", tmp_path)
    write, _ = return_log_plan(existing, {**FIELDS, "reason": "=HYPERLINK(\"x\")"}, now=NOW, tz=TZ)
    assert not write.create and write.add_columns == []
    assert dict(zip(write.header, write.appends[0]))["编号"] == "R20261122-002"  # R20261122-001 is taken
    backend.write([write])
    again = parse_returns(XlsxBackend(backend.path).read([RETURN_TAB])[RETURN_TAB], TZ, now=NOW)
    logged = again.items[-1]
    assert (logged.row, logged.id, logged.order_id, logged.buyer) == (18, "R20261122-002", "4001234567890123999", "小王")
    assert logged.reason == "=HYPERLINK(\"x\")"  # stored as text, never a formula
    assert logged.requested_at == datetime(2026, 11, 21, 20, 15, tzinfo=TZ)
    assert [item.id for item in again.items[:-1]] == [item.id for item in parse_returns(existing, TZ, now=NOW).items]


def test_log_adds_the_columns_a_short_tab_lacks():
    short = Grid(RETURN_TAB, ["订单号", "平台", "我们的备注"], [["1", "淘宝", "x"]])
    write, _ = return_log_plan(short, {"platform": "淘宝", "order_id": "2", "buyer": "b"}, now=NOW, tz=TZ)
    assert write.add_columns == ["编号", "买家"]
    assert write.appends == [["2", "淘宝", None, "R20261122-001", "b"]]


@pytest.mark.parametrize("fields, fragment", [
    ({"platform": "小红书", "order_id": "1"}, "「平台」不认识的平台「小红书」"),
    ({"platform": "抖音"}, "「订单号」订单号为空"),
    ({"platform": "抖音", "order_id": "3.45678901234568E+18"}, "「订单号」订单号 3.45678901234568E+18 被表格转成了数字"),
    ({"platform": "抖音", "order_id": "1", "requested_at": "明天"}, "「申请时间」看不懂的时间"),
    ({"platform": "抖音", "order_id": "1", "requested_at": "2026-12-01 10:00"}, "「申请时间」2026-12-01 10:00 还没到"),
    ({"platform": "抖音", "order_id": "1", "shipping_paid_by": "平台"}, "「运费承担」看不懂运费由谁承担"),
    ({"platform": "抖音", "order_id": "1", "return_tracking_no": "12"}, "「退货单号」不是快递单号"),
])
def test_log_refuses_a_row_with_errors(fields, fragment):
    with pytest.raises(CellError) as error:
        return_log_plan(None, fields, now=NOW, tz=TZ)
    assert fragment in str(error.value)


def test_log_stores_what_it_understood():
    fields = {"platform": "dy", "order_id": "1", "shipping_paid_by": "退货险", "return_courier": "sto express",
              "refund_status": "买家已退货等待卖家收货", "requested_at": "11月21日 8:05", "waybill_at": "2026/11/21 21:30",
              "buyer": "  tb_小王 "}
    write, _ = return_log_plan(None, fields, now=NOW, tz=TZ)
    row = dict(zip(write.header, write.appends[0]))
    assert [row[h] for h in ("平台", "运费承担", "退货快递", "退款状态", "申请时间", "填单时间", "买家")] == [
        "抖音", "运费险", "申通", "退货中", "2026-11-21 08:05", "2026-11-21 21:30", "tb_小王"]


def test_log_rejects_unknown_field_keys():
    with pytest.raises(ValueError, match="not return columns: colour"):
        return_log_plan(None, {"platform": "抖音", "order_id": "1", "colour": "red"}, now=NOW, tz=TZ)


def test_next_return_id_counts_per_day():
    assert next_return_id([], NOW) == "R20261122-001"
    assert next_return_id(["R20261122-001", "R20261122-007", "R20261121-020", "H20261122-050"], NOW) == "R20261122-008"
    assert next_return_id(["R20261122-999"], NOW) == "R20261122-1000"


@given(st.lists(st.from_regex(r"R2026112[0-3]-\d{1,4}", fullmatch=True) | st.text(max_size=12), max_size=30))
def test_next_return_id_is_never_taken(existing):
    new = next_return_id(existing, NOW)
    assert new not in existing and new.startswith("R20261122-")


# ----------------------------------------------------------------------------- tracking match

def items_with(*numbers: str, closed: tuple[str, ...] = ()) -> list[ReturnItem]:
    return [ReturnItem(row=index + 2, id=f"R{index}", platform="douyin", order_id=str(index), return_tracking_no=number,
                       refund_status=RefundStatus.REFUNDED if number in closed else None)
            for index, number in enumerate(numbers)]


def test_find_full_number(ledger):
    match = find_by_tracking(ledger.items, "YT8962646785389")
    assert match.exact and [item.row for item in match.items] == [4]


@pytest.mark.parametrize("typed", ["SF 1385 6287 16739", "ＳＦ１３８５６２８７１６７３９", "sf1385-6287-16739", " SF1385628716739\t",
                                   "1385628716739"])
def test_find_spaced_full_width_dashed_or_prefixless(ledger, typed):
    match = find_by_tracking(ledger.items, typed)
    assert match.exact and [item.id for item in match.items] == ["R20261122-001"]


def test_find_by_last_six_digits(ledger):
    match = find_by_tracking(ledger.items, "785389")
    assert not match.exact and not match.ambiguous
    assert [item.row for item in match.items] == [4]


def test_partial_digits_of_a_number_ending_in_letters():
    # International post labels end in CN; the warehouse reads the digits before it.
    match = find_by_tracking(items_with("LX123456785CN", "73100000000010"), "3456785")
    assert [item.return_tracking_no for item in match.items] == ["LX123456785CN"]


def test_ambiguous_partial_lists_every_candidate_open_first():
    items = items_with("73100000000010", "4312300000010", "JT5261900000010", "73100000000011", closed=("73100000000010",))
    match = find_by_tracking(items, "000010")
    assert match.ambiguous and not match.exact
    assert [item.return_tracking_no for item in match.items] == ["4312300000010", "JT5261900000010", "73100000000010"]


def test_full_number_beats_partial_matches():
    items = items_with("123456789012", "9123456789012")
    match = find_by_tracking(items, "123456789012")
    assert match.exact and [item.row for item in match.items] == [2]


def test_letters_that_differ_are_not_the_same_number():
    match = find_by_tracking(items_with("JT1234567890123"), "YT1234567890123")
    assert match.items == []


def test_too_short_and_empty_queries():
    with pytest.raises(ValueProblem, match="至少输入后 6 位"):
        find_by_tracking(items_with("73100000000010"), "00010")
    with pytest.raises(ValueProblem, match="没有单号"):
        find_by_tracking([], " - ")


def test_no_match_is_an_empty_list(ledger):
    match = find_by_tracking(ledger.items, "999999999")
    assert match.items == [] and not match.exact


def _messy(number: str, data) -> str:
    """The number as someone might type it: full-width characters, spaces and dashes anywhere."""
    out = []
    for char in number:
        if data.draw(st.booleans()):
            char = chr(ord(char) + 0xFEE0)  # the full-width form of an ASCII letter or digit
        out.append(char)
        out.append(data.draw(st.sampled_from(["", "", " ", "-", "\u3000"])))
    return "".join(out)


@settings(max_examples=150)
@given(number=st.from_regex(r"(SF|YT|JT)?[0-9]{10,15}", fullmatch=True), data=st.data())
def test_messy_typing_of_a_stored_number_always_finds_it(number, data):
    items = items_with("73100000000099", number)
    match = find_by_tracking(items, _messy(number, data))
    assert match.exact and [item.return_tracking_no for item in match.items] == [number]


@settings(max_examples=150)
@given(number=st.from_regex(r"[0-9]{12,15}", fullmatch=True), keep=st.integers(6, 12))
def test_any_suffix_of_six_or_more_finds_it_among_the_candidates(number, keep):
    items = items_with(number, "JT5261988016578", "4312345678901")
    match = find_by_tracking(items, number[-keep:])
    assert number in [item.return_tracking_no for item in match.items]


def test_a_title_row_above_the_returns_header_is_skipped():
    table = parse_returns(Grid(RETURN_TAB, ["小鹿服饰 退货登记"], [list(HEADER[:3]), ["R1", "抖音", "6938471029380002222"]]),
                          TZ, now=NOW)
    assert [(item.id, item.row, item.order_id) for item in table.items] == [("R1", 3, "6938471029380002222")]
