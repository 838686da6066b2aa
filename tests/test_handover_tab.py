from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handover.backends.xlsx import XlsxBackend
from handover.model.handover_tab import parse_handover
from handover.model.schema import HANDOVER_COLUMNS, Route, Status, match_headers
from handover.sheet import Grid

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
HEADER = [c.header for c in HANDOVER_COLUMNS]


def one_row(**fields):
    row = [fields.get(c.key, "") for c in HANDOVER_COLUMNS]
    return parse_handover(Grid("交接", HEADER, [row]), TZ, now=NOW).items[0]


def messages(item):
    return [(p.column, p.message) for p in item.problems]


def test_headers_in_chinese_or_english_any_order_extras_kept():
    columns = match_headers(["我们的备注", "Order ID", "类型", "Tracking No", "ID", "登记时间", "处理时间"], HANDOVER_COLUMNS)
    assert columns.index == {"order_id": 1, "category": 2, "tracking_no": 3, "id": 4, "logged_at": 5, "handled_at": 6}
    assert columns.header_text["order_id"] == "Order ID"


def test_headers_with_spaces_case_and_full_width():
    columns = match_headers([" 订单号 ", "TRACKING_NO", "类型："], HANDOVER_COLUMNS)
    assert columns.index == {"order_id": 0, "tracking_no": 1, "category": 2}


def test_a_repeated_header_is_reported_not_guessed():
    table = parse_handover(Grid("交接", ["类型", "订单号", "订单号"], [["漏发", "1", "2"]]), TZ, now=NOW)
    assert [(p.row, p.column) for p in table.sheet_problems] == [(1, "订单号")]
    assert table.items[0].order_id == "1"


def test_english_fixture_parses_every_cell_once(data_file):
    grid = XlsxBackend(data_file("english.xlsx")).read(["交接"])["交接"]
    items = parse_handover(grid, TZ, now=NOW).items
    first, second, third = items
    assert first.category.key == "missing_item" and first.order_id == "123456789012"
    assert first.logged_at == datetime(2026, 11, 22, 23, 40, tzinfo=TZ)
    assert first.phone == "13812345678" and first.tracking_no == "SF1409876543210"
    assert first.courier.key == "sf" and first.courier_recognised
    assert second.order_id == "3958120345678901234" and second.logged_at == datetime(2026, 11, 22, 23, 40, tzinfo=TZ)
    assert second.status is Status.OPEN
    assert third.logged_at == datetime(2026, 11, 22, 23, 55, tzinfo=TZ)
    assert third.status is Status.DONE
    assert [(p.row, p.column) for p in third.problems] == [(4, "Order ID")]
    assert "丢失" in third.problems[0].message


@pytest.mark.parametrize("fields, expected", [
    ({"category": "改地址", "tracking_no": "YT8823456789012", "courier": "圆通", "old_address": "a"},
     [("新地址", "改地址需要新地址")]),
    ({"category": "修改地址", "tracking_no": "1234567890", "old_address": "a", "new_address": "b"},
     [("快递公司", "改地址需要快递公司（或能认出快递公司的单号）")]),
    ({"category": "改地址", "tracking_no": "SF1409876543210", "old_address": "a", "new_address": "b"}, []),
    ({"category": "拦截", "old_address": "a"}, [("快递单号", "拦截需要快递单号或订单号")]),
    ({"category": "追回", "order_id": "3958120345678901234", "old_address": "a"}, []),
    ({"category": "查重量"}, [("快递单号", "查重量需要快递单号")]),
    ({"category": "没有物流"}, [("订单号", "无物流需要订单号")]),
    ({"category": "催货", "order_id": "1"}, []),
    ({"category": "未选尺码", "order_id": "1"}, [("电话", "尺码确认需要能联系到买家：填电话或买家昵称")]),
    ({"category": "地址不达", "order_id": "1", "buyer": "老周"}, []),
    ({"category": "", "order_id": "1"}, [("类型", "类型为空：填上类型才知道交给谁处理")]),
])
def test_required_fields_per_category(fields, expected):
    assert messages(one_row(**fields)) == expected


def test_an_unreadable_cell_is_reported_once_not_again_as_missing():
    item = one_row(category="漏发", order_id="3.45678901234568E+18")
    assert [p.column for p in item.problems] == ["订单号"]


def test_unknown_values_name_the_choices():
    item = one_row(category="漏发", order_id="1", platform="小红书", status="搞定了", courier="安能")
    columns = {p.column: p.message for p in item.problems}
    assert columns["平台"].startswith("不认识的平台「小红书」")
    assert columns["状态"].startswith("不认识的状态「搞定了」")
    assert columns["快递公司"] == "不认识的快递公司「安能」"


def test_a_number_that_does_not_fit_the_named_courier_is_a_warning():
    item = one_row(category="查重量", courier="顺丰", tracking_no="YT8823456789012")
    assert [(p.severity, p.column) for p in item.problems] == [("warning", "快递单号")]
    assert not item.errors


def test_routes_and_aliases():
    assert one_row(category="少发", order_id="1").route is Route.WAREHOUSE
    assert one_row(category="退回", order_id="1", old_address="a").route is Route.COURIER
    assert one_row(category="其它", order_id="1", buyer="a").route is Route.CUSTOMER
    assert one_row(category="漏发", order_id="1", status="完成").status is Status.DONE


def test_duplicate_ids_are_flagged_on_the_later_row():
    grid = Grid("交接", ["编号", "类型", "订单号"], [["H1", "漏发", "1"], ["H1", "漏发", "2"], ["", "", ""]])
    table = parse_handover(grid, TZ, now=NOW)
    assert len(table.items) == 2  # the blank row is not an item
    assert [(p.row, p.message) for p in table.problems()] == [(3, "编号 H1 和第 2 行重复：请改成不同的编号")]


def test_a_missing_category_column_is_a_sheet_problem():
    table = parse_handover(Grid("交接", ["编号", "订单号"], [["H1", "1"]]), TZ, now=NOW)
    assert table.sheet_problems[0].message.startswith("表头里找不到「类型」列")


def test_a_column_the_sheet_lacks_reads_as_empty_never_as_the_shops_column_beside_it():
    grid = Grid("交接", ["类型", "订单号", "快递单号", "快递公司", "原地址", "我们的备注"],
                [["改地址", "1", "YT8823456789012", "圆通", "杭州市西湖区", "VIP 客户，周末在家"]])
    item = parse_handover(grid, TZ, now=NOW).items[0]
    assert (item.id, item.new_address, item.detail, item.status) == ("", "", "", Status.OPEN)
    assert messages(item) == [("新地址", "改地址需要新地址")]


def test_a_title_row_above_the_header_is_skipped_and_rows_keep_their_sheet_numbers():
    grid = Grid("交接", ["小鹿服饰 交接表 2026年11月"], [
        [], ["编号", "类型", "订单号", "订单号"], ["H1", "漏发", "1"], [], ["H2", "催货", "2"]])
    table = parse_handover(grid, TZ, now=NOW)
    assert (table.grid.header_row, table.grid.header) == (3, ["编号", "类型", "订单号", "订单号"])
    assert [(item.id, item.row) for item in table.items] == [("H1", 4), ("H2", 6)]
    assert [(p.row, p.column) for p in table.sheet_problems] == [(3, "订单号")]


# ------------------------------------------------------------------ parsing only the rows a write needs

# Cells as a night shift leaves them in the 编号 column: ids typed, padded, behind an apostrophe or a
# formula wrapper, numbers, blanks; and rows that are otherwise empty.
_ID_CELLS = st.sampled_from(["H1", "H2", " H2 ", "'H3", '="H1"', "H4", 7, 7.0, "7", "", None, "  "])
_ROWS = st.lists(st.tuples(_ID_CELLS, st.sampled_from(["漏发", "改地址", "", "外星人"]),
                           st.sampled_from(["order", "", "3.45678901234568E+18"]),
                           st.sampled_from(["", "已完成", "处理中"])), max_size=12)


def _numbered(rows):
    # Each row its own order (an order logged twice is told from the whole tab only: see below).
    return [[cell, category, f"{number}" if order == "order" else order, status]
            for number, (cell, category, order, status) in enumerate(rows, start=1)]


@settings(max_examples=200, deadline=None)
@given(rows=_ROWS, asked=st.sets(st.sampled_from(["H1", "H2", "H3", "H4", "H9", "7"])))
def test_parsing_only_the_rows_asked_for_gives_those_rows_exactly_as_a_whole_parse_does(rows, asked):
    grid = Grid("交接", ["编号", "类型", "订单号", "状态"], _numbered(rows))
    whole = parse_handover(grid, TZ, now=NOW)
    part = parse_handover(grid, TZ, now=NOW, only_ids=asked)
    # Every row holding an id asked for (a doubled one flagged the same way) and every row without id.
    assert part.items == [item for item in whole.items if item.id in asked or not item.id]
    assert part.ids() == whole.ids() == [item.id for item in whole.items if item.id]


def test_an_order_logged_twice_is_told_only_by_a_whole_parse():
    grid = Grid("交接", ["编号", "类型", "订单号"], [["H1", "漏发", "1"], ["H2", "漏发", "1"]])
    assert [p.row for p in parse_handover(grid, TZ, now=NOW).problems()] == [3]
    assert parse_handover(grid, TZ, now=NOW, only_ids={"H2"}).problems() == []


def test_an_id_asked_for_that_two_rows_hold_is_flagged_as_in_a_whole_parse():
    grid = Grid("交接", ["编号", "类型", "订单号"], [["H1", "漏发", "1"], ["H2", "漏发", "2"], [" H1", "漏发", "3"],
                                                ["H2", "漏发", "4"]])
    table = parse_handover(grid, TZ, now=NOW, only_ids={"H1"})
    assert [(item.row, item.id) for item in table.items] == [(2, "H1"), (4, "H1")]
    assert [(p.row, p.message) for p in table.problems()] == [(4, "编号 H1 和第 2 行重复：请改成不同的编号")]
    assert table.ids() == ["H1", "H2", "H1", "H2"]


def test_a_sheet_without_an_id_column_is_parsed_whole_when_rows_are_asked_for():
    grid = Grid("交接", ["类型", "订单号"], [["漏发", "1"], ["催货", "2"]])
    assert [item.row for item in parse_handover(grid, TZ, now=NOW, only_ids={"H1"}).items] == [2, 3]
